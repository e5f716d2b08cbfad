//go:build unix

package procpool

import (
	"io"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// workerSysProcAttr leaves a worker in its parent's process group, so
// whatever ends the group ends the workers with it: the harness kills a
// measurement process's whole group on every path, and a terminal's Ctrl-C
// reaches parent and workers alike. A worker whose parent dies alone sees
// its stdin close and leaves.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{}
}

// selfCPU is this process's CPU time so far, all threads, from the
// process CPU clock, which counts the calling thread's running slice up to
// now. getrusage does not: it lags by the slice the caller is in (up to a
// scheduler tick), so a worker that reported its CPU right after a chunk
// and then sat out a few batches moved that lag into a later batch, which
// with many workers on few CPUs counted more CPU than the CPUs could give.
func selfCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		var ru syscall.Rusage
		if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
			return 0
		}
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return time.Duration(ts.Nano())
}

// pollable returns a reader for in that waits in the runtime's poller
// rather than in a blocking read(2). A worker runs with GOMAXPROCS=1, and a
// goroutine blocked in read(2) keeps that only P until sysmon takes it back,
// which can stall the computing goroutine for up to 10ms. For an *os.File
// it reads from a non-blocking duplicate of the descriptor (which makes the
// shared file description non-blocking too: nothing else may read in), and
// closing that duplicate, as the returned function does, ends a pending
// Read. Any other reader is returned as it is, with a no-op close.
func pollable(in io.Reader) (r io.Reader, closeFn func() error, closable bool) {
	noop := func() error { return nil }
	f, ok := in.(*os.File)
	if !ok {
		return in, noop, false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return in, noop, false
	}
	dup := -1
	var dupErr error
	if err := rc.Control(func(fd uintptr) {
		dup, dupErr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
	}); err != nil || dupErr != nil {
		return in, noop, false
	}
	if err := unix.SetNonblock(dup, true); err != nil {
		unix.Close(dup)
		return in, noop, false
	}
	nf := os.NewFile(uintptr(dup), f.Name())
	return nf, nf.Close, true
}
