//go:build !unix

package procpool

import (
	"io"
	"syscall"
	"time"
)

func workerSysProcAttr() *syscall.SysProcAttr { return nil }

func selfCPU() time.Duration { return 0 }

func pollable(in io.Reader) (io.Reader, func() error, bool) {
	return in, func() error { return nil }, false
}
