//go:build linux

package python

import "syscall"

// pythonSysProcAttr leaves the program in the parent's process group (the
// harness kills a measurement's whole group) and asks the kernel to kill
// it when the parent dies. Pdeathsig follows the thread that started the
// child; the Go runtime ends a thread only when a goroutine exits locked to
// it, which nothing that starts a strategy does.
func pythonSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
