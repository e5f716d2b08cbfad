//go:build !linux

package harness

import (
	"errors"
	"time"
)

// pinThread cannot pin a thread here; runCopies is not asked to, since
// AllowedCPUs lists no mask to take CPUs from.
func pinThread(int) (func() bool, error) {
	return nil, errors.New("pinning a thread to a CPU is supported on Linux only")
}

// threadCPU is not measured off Linux: shares' CPU times are then zero.
func threadCPU() time.Duration { return 0 }

// runDelay is not kept off Linux.
func runDelay([]int) (time.Duration, bool) { return 0, false }

// workersOnCPU is not kept off Linux: the workers' own reports count.
func workersOnCPU([]int) (time.Duration, bool) { return 0, false }
