//go:build !unix

package harness

import "time"

// processCPU is not measured off Unix; CPU figures are then zero.
func processCPU() time.Duration { return 0 }
