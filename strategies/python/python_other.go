//go:build !linux

package python

import "syscall"

// pythonSysProcAttr leaves the program in the parent's process group;
// without Pdeathsig, a program whose parent dies alone sees its stdin
// close and exits, and its workers watch getppid().
func pythonSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}
