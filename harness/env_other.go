//go:build !linux

package harness

import (
	"math"
	"runtime"
)

// ProbeEnv describes this machine. Off Linux there is no /proc or /sys to
// read: it knows the CPU count, and the rest is "unknown".
func ProbeEnv() Env {
	return Env{
		CPUModel:       "unknown",
		CPUsOnline:     runtime.NumCPU(),
		Kernel:         runtime.GOOS,
		BusyCPUs:       math.NaN(),
		Governor:       "unknown",
		Virtualization: "unknown",
	}
}
