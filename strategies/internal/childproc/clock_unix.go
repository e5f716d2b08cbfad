//go:build unix

package childproc

import (
	"fmt"

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
