//go:build !unix

package childproc

import (
	"errors"
	"time"
)

// Supported says whether strategies with worker processes can run here:
// they need a machine-wide monotonic clock, rusage and process groups.
const Supported = false

// RawMonotonic fails: there is no machine-wide monotonic clock here.
func RawMonotonic() (int64, error) {
	return 0, errors.New("no machine-wide monotonic clock on this platform")
}

// ThreadCPU is not measured here: 0.
func ThreadCPU() time.Duration { return 0 }
