//go:build linux

package harness

// MachineTopology is the topology of cpus (as AllowedCPUs lists them),
// read from sysfs; a CPU whose siblings cannot be read counts as a core.
func MachineTopology(cpus []int) Topology { return TopologyOf(cpus, readSiblings) }
