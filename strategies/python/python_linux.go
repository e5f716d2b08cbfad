//go:build linux

package python

import "syscall"

// pythonSysProcAttr starts the program as the leader of a process group
// of its own, which its workers join, so that killing the group ends
// every worker at once, a Pool's replacements included, however the
// program ended; and asks the kernel to kill the program when the thread
// that started it dies (Pdeathsig follows the thread; the Go runtime ends
// a thread only when a goroutine exits locked to it, which nothing that
// starts a strategy does). Its workers follow it: by their own
// parent-death signal, or by watching getppid().
func pythonSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
}

// killGroup kills the program's whole group: the program and every
// worker still in it, orphaned or not.
func killGroup(pid int) { _ = syscall.Kill(-pid, syscall.SIGKILL) }
