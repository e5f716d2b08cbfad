//go:build !linux

package python

import (
	"os"
	"syscall"
)

// pythonSysProcAttr leaves the program in the parent's process group;
// without Pdeathsig, a program whose parent dies alone sees its stdin
// close and exits, and its workers watch getppid().
func pythonSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}

// killGroup kills the program; its workers watch getppid() and follow.
func killGroup(pid int) {
	if p, err := os.FindProcess(pid); err == nil {
		_ = p.Kill()
	}
}
