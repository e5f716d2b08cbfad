//go:build unix

package python

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// supported says whether the Python strategies can run here: the program
// forks, and both sides read one machine-wide monotonic clock.
const supported = true

// rawMonotonic reads CLOCK_MONOTONIC, which the Python program reads too
// (time.clock_gettime_ns), unlike the monotonic reading in a time.Time,
// which counts from the start of its own process.
func rawMonotonic() (int64, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, fmt.Errorf("clock_gettime(CLOCK_MONOTONIC): %w", err)
	}
	return ts.Nano(), nil
}
