//go:build linux

package harness

import (
	"time"

	"golang.org/x/sys/unix"
)

// pinThread pins the calling, locked OS thread to cpu. restore gives the
// thread back the mask it had and reports whether that worked; if not,
// the caller must leave the thread locked so that it dies with its
// goroutine.
func pinThread(cpu int) (restore func() bool, err error) {
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, err
	}
	if err := unix.SchedSetaffinity(0, cpuSet([]int{cpu})); err != nil {
		return nil, err
	}
	return func() bool { return unix.SchedSetaffinity(0, &old) == nil }, nil
}

// threadCPU is the calling thread's CPU time so far.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
