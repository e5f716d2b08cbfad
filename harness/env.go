package harness

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/parbench/parbench/runfiles"
)

// Env describes the machine and what else it was doing when a run
// started, for the config lines of bench.txt. The report reads them back
// for its trust checks; a field that could not be read says "unknown" (or
// is 0, or NaN).
type Env struct {
	// CPUModel is the CPU's name, from /proc/cpuinfo.
	CPUModel string
	// CPUsOnline counts the CPUs the kernel has online.
	CPUsOnline int
	// MemoryBytes is the total memory; 0 if unknown.
	MemoryBytes uint64
	// Kernel is the kernel's name and release, such as "Linux 6.1.0".
	Kernel string
	// LoadAvg is the 1, 5 and 15 minute load averages; LoadAvgKnown is
	// false where they could not be read.
	LoadAvg      [3]float64
	LoadAvgKnown bool
	// BusyCPUs is how many CPUs' worth of time was busy during a short
	// sample just before the run (NaN if unknown): work that competes
	// with the measurements.
	BusyCPUs float64
	// Governor is the cpufreq scaling governor, the distinct ones joined
	// by "," when CPUs differ, or "unknown" where it cannot be read
	// (often in virtual machines).
	Governor string
	// Virtualization is "none", the hypervisor where it can be told
	// ("kvm", "vmware", "hyperv", "xen", ...), "hypervisor" for an
	// unnamed one, or "unknown".
	Virtualization string
	// CPUQuota is the CPU limit of this process's cgroup, in CPUs; 0 when
	// there is none or it cannot be read.
	CPUQuota float64
}

// EnvSample is how long ProbeEnv watches /proc/stat to measure BusyCPUs:
// long enough for the kernel's 10 ms ticks to add up on every CPU.
const EnvSample = 250 * time.Millisecond

// Config returns the environment as bench.txt config lines, in the order
// written, under runfiles' keys: cpu, cpus-online, memory, kernel,
// load-avg, busy-cpus, governor, virtualization, and cpu-quota only when
// there is a quota.
func (e Env) Config() [][2]string {
	c := [][2]string{
		{runfiles.KeyCPU, orUnknown(e.CPUModel)},
		{runfiles.KeyCPUsOnline, strconv.Itoa(e.CPUsOnline)},
		{runfiles.KeyMemory, formatBytes(e.MemoryBytes)},
		{runfiles.KeyKernel, orUnknown(e.Kernel)},
		{runfiles.KeyLoadAvg, "unknown"},
		{runfiles.KeyBusyCPUs, "unknown"},
		{runfiles.KeyGovernor, orUnknown(e.Governor)},
		{runfiles.KeyVirtualization, orUnknown(e.Virtualization)},
	}
	if e.LoadAvgKnown {
		c[4][1] = fmt.Sprintf("%.2f %.2f %.2f", e.LoadAvg[0], e.LoadAvg[1], e.LoadAvg[2])
	}
	if !math.IsNaN(e.BusyCPUs) {
		c[5][1] = fmt.Sprintf("%.2f", e.BusyCPUs)
	}
	if e.CPUQuota > 0 {
		c = append(c, [2]string{runfiles.KeyCPUQuota, fmt.Sprintf("%.2f", e.CPUQuota)})
	}
	return c
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// formatBytes is a size in GiB with one decimal, or "unknown" for 0.
func formatBytes(b uint64) string {
	if b == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
}
