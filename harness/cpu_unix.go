//go:build unix

package harness

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// processCPU is the CPU time this process has used so far, all threads
// included, from the process CPU clock: unlike getrusage, it counts the
// calling thread's running slice up to now.
func processCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err == nil {
		return time.Duration(ts.Nano())
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
