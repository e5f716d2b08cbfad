//go:build linux

package strategies

import (
	"time"

	"golang.org/x/sys/unix"
)

// jobCPU is a reading of the calling thread's CPU clock, and of which
// thread it is: a goroutine may move to another thread in the middle of
// a job, and the difference of two threads' clocks means nothing.
type jobCPU struct {
	tid int
	cpu time.Duration
}

func startJobCPU() jobCPU { return jobCPU{tid: unix.Gettid(), cpu: threadClock()} }

// stop is the CPU time since start, 0 when the goroutine changed threads
// or a clock could not be read.
func (j jobCPU) stop() time.Duration {
	now := threadClock()
	if j.cpu <= 0 || now < j.cpu || unix.Gettid() != j.tid {
		return 0
	}
	return now - j.cpu
}

// threadClock is the calling thread's CPU time so far, 0 if unknown.
func threadClock() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
