//go:build !linux

package harness

import "testing"

// Off Linux there is no /proc to look for processes in; the checks pass.

func measurementGroups(*testing.T) []int { return nil }

func checkNoProcessesLeft(*testing.T, []int) {}

func killProcessGroup(int) {}
