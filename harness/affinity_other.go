//go:build !linux

package harness

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
)

// AllowedCPUs numbers the CPUs Go may use; off Linux there is no mask to
// read, so it is 0..NumCPU-1.
func AllowedCPUs() ([]int, error) {
	cpus := make([]int, runtime.NumCPU())
	for i := range cpus {
		cpus[i] = i
	}
	return cpus, nil
}

func affinityCount() int { return 0 }

func canPin([]int) error { return errors.New("CPU affinity is only set on Linux") }

func startPinned(cmd *exec.Cmd, _ []int) (func() error, error) {
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return cmd.Wait, nil
}

func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}

func terminate(cmd *exec.Cmd) error { return cmd.Process.Signal(os.Interrupt) }

const enforcementPinned = "gomaxprocs"
