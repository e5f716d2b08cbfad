//go:build unix

package childproc

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// Supported says whether strategies with worker processes can run here:
// they need a machine-wide monotonic clock, rusage and process groups.
const Supported = true

// RawMonotonic reads CLOCK_MONOTONIC, which all processes on the machine
// share, unlike the monotonic reading in a time.Time, which counts from
// the start of its own process: a worker's readings of it can be placed on
// its parent's timeline.
func RawMonotonic() (int64, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, fmt.Errorf("clock_gettime(CLOCK_MONOTONIC): %w", err)
	}
	return ts.Nano(), nil
}

// ThreadCPU is the calling thread's CPU time so far, 0 where unknown. The
// caller keeps its goroutine on one thread between two readings
// (runtime.LockOSThread), or the difference means nothing.
func ThreadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}
