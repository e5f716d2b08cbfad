//go:build !linux

package harness

// MachineTopology is the topology of cpus. Off Linux the hyperthread
// groups are not read, so every CPU counts as a core.
func MachineTopology(cpus []int) Topology { return Topology{CPUs: len(cpus), Cores: len(cpus)} }
