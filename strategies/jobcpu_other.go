//go:build !linux

package strategies

import "time"

// jobCPU is not measured off Linux: Result.CPU stays 0.
type jobCPU struct{}

func startJobCPU() jobCPU          { return jobCPU{} }
func (jobCPU) stop() time.Duration { return 0 }
