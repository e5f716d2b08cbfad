//go:build !unix

package strategies

import (
	"errors"
	"io"
	"syscall"
	"time"
)

const procpoolSupported = false

func workerSysProcAttr() *syscall.SysProcAttr { return nil }

func selfCPU() time.Duration { return 0 }

func rawMonotonic() (int64, error) {
	return 0, errors.New("no machine-wide monotonic clock on this platform")
}

func pollable(in io.Reader) (io.Reader, func() error, bool) {
	return in, func() error { return nil }, false
}
