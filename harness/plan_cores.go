package harness

import (
	"fmt"
	"slices"
)

// Topology is what planning a sweep needs to know about a machine: how
// many CPUs this process may use, and on how many physical cores they sit.
// The harness hands out one CPU per physical core first (see
// orderBySiblings), so core counts up to Cores measure physical cores and
// those above it add hyperthread siblings.
type Topology struct {
	CPUs  int // CPUs this process may use
	Cores int // physical cores among them; CPUs where there is no SMT or it is unknown
}

// SMT reports whether some of the CPUs are hyperthread siblings of others.
func (t Topology) SMT() bool { return t.Cores < t.CPUs }

// Validate checks a topology, such as one a user describes with
// -assume-cpus.
func (t Topology) Validate() error {
	if t.CPUs < 1 || t.CPUs > maxPlanCPUs {
		return fmt.Errorf("topology: %d CPUs, want 1..%d", t.CPUs, maxPlanCPUs)
	}
	if t.Cores < 1 || t.Cores > t.CPUs {
		return fmt.Errorf("topology: %d physical cores for %d CPUs, want 1..%d", t.Cores, t.CPUs, t.CPUs)
	}
	return nil
}

// maxPlanCPUs bounds a topology far above any machine (the kernel's
// NR_CPUS is at most 8192), so that a plan stays small whatever it is given.
const maxPlanCPUs = 1 << 16

// TopologyOf is the topology of cpus, given each CPU's hyperthread group
// (nil where unknown: the CPU then counts as a core of its own).
func TopologyOf(cpus []int, siblings func(int) []int) Topology {
	taken := make(map[int]bool, len(cpus))
	cores := 0
	for _, c := range cpus {
		// As in orderBySiblings: a CPU whose group already has a taken
		// member is a second thread of a core counted before.
		if !slices.ContainsFunc(siblings(c), func(s int) bool { return s != c && taken[s] }) {
			cores++
		}
		taken[c] = true
	}
	return Topology{CPUs: len(cpus), Cores: cores}
}

// PlanCores is the default list of core counts for a sweep on t, in
// increasing order: what a reader of a speedup chart wants to see and a
// scalability fit needs, at a cost that grows with the logarithm of the
// machine's size rather than with the size itself.
//
//   - Powers of two, 1, 2, 4, 8, ..., and half-way points between them,
//     3, 6, 12, 24, ...: evenly spaced on the log2 axis the charts use past
//     32 cores, two points per doubling.
//   - The machine's own count, t.CPUs.
//   - The SMT boundary, t.Cores, when the machine has SMT: the last count
//     of physical cores, where the curve usually bends.
//   - At least min(6, t.CPUs) points in all, so that the USL (which needs
//     6 core counts) can be fitted on any machine of 6 CPUs or more: on
//     small machines the widest gaps are filled first.
func PlanCores(t Topology) []int {
	n := t.CPUs
	if n < 1 {
		return nil
	}
	var cores []int
	for k := 1; k <= n; k *= 2 {
		cores = append(cores, k)
		if half := k + k/2; k >= 2 && half <= n {
			cores = append(cores, half)
		}
		if k > n/2 {
			break // k*2 would pass n (and could overflow)
		}
	}
	cores = append(cores, n)
	if t.SMT() && t.Cores >= 1 {
		cores = append(cores, t.Cores)
	}
	slices.Sort(cores)
	cores = slices.Compact(cores)
	for len(cores) < min(uslMinCores, n) {
		cores = fillWidestGap(cores)
	}
	return cores
}

// uslMinCores is the fewest core counts the report fits the USL through.
const uslMinCores = 6

// fillWidestGap adds the midpoint of the widest gap between neighbours of
// the sorted list cores (the lower one on a tie), which must have a gap.
func fillWidestGap(cores []int) []int {
	at, width := 0, 0
	for i := 1; i < len(cores); i++ {
		if w := cores[i] - cores[i-1]; w > width {
			at, width = i, w
		}
	}
	if width < 2 {
		return cores
	}
	return slices.Insert(cores, at, cores[at-1]+width/2)
}

// PassCores are the core counts of sweep cores at which the untimed passes
// (timelines and profiles) run by default: the fewest, the most, and the
// SMT boundary of t (the largest count at or below t.Cores) when the
// machine has SMT. Each of them shows a different regime: no parallelism,
// all of the machine, and all of its physical cores. The result is in
// increasing order and a subset of cores.
func PassCores(cores []int, t Topology) []int {
	if len(cores) == 0 {
		return nil
	}
	var picked []int
	picked = append(picked, slices.Min(cores), slices.Max(cores))
	if t.SMT() {
		best := 0
		for _, k := range cores {
			if k <= t.Cores && k > best {
				best = k
			}
		}
		if best > 0 {
			picked = append(picked, best)
		}
	}
	slices.Sort(picked)
	return slices.Compact(picked)
}
