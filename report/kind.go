package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/parbench/parbench/runfiles"
)

// A BaselineKind is where the baseline halves of a run's pairs ran, and so
// what its speedups are relative to.
type BaselineKind string

const (
	// OwnCPUs: the baseline half of each pair ran in the configuration's
	// own measurement process, on its own CPUs, one CPU at a time; its
	// rate is the mean of the per-CPU rates. Ideal is k at k cores
	// whatever the CPUs' speeds. The header says baseline: own-cpus.
	OwnCPUs BaselineKind = runfiles.BaselineOwnCPUs
	// FirstCPU: the baseline was a serial batch in a 1-core process
	// pinned to the first CPU (every run before per-CPU baselines, and
	// go test output). A slow first CPU inflates every speedup.
	FirstCPU BaselineKind = "first-cpu"
)

// Title names the kind in a machine's description.
func (k BaselineKind) Title() string {
	if k == OwnCPUs {
		return "on each configuration's own CPUs (per-CPU baselines)"
	}
	return "serial on the first CPU (before per-CPU baselines)"
}

// Meaning is what a speedup of this kind is relative to, in one sentence.
func (k BaselineKind) Meaning() string {
	if k == OwnCPUs {
		return "A speedup at k is relative to the mean speed of one CPU of that configuration's own CPUs."
	}
	return "A speedup is relative to a serial batch on the first CPU; a slow first CPU inflates every speedup."
}

// Description is the kind's line in a machine's description.
func (k BaselineKind) Description() string { return "baseline: " + k.Title() + ". " + k.Meaning() }

// baselineKind reads a run's kind from its baseline key.
func baselineKind(value string) BaselineKind {
	if value == runfiles.BaselineOwnCPUs {
		return OwnCPUs
	}
	return FirstCPU
}

// maxCPUID bounds the CPU ids a report accepts: far above any machine's,
// and low enough that a corrupt id cannot make a table of it.
const maxCPUID = 1 << 16

// parseCPUList reads a cpu-list value: CPU ids and ranges, comma
// separated ("0,1" or "0-3,8"), in the order the CPUs were handed out.
func parseCPUList(s string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 || a > maxCPUID {
			return nil, fmt.Errorf("cpu-list %q: %q is not a CPU id", s, part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a || b > maxCPUID {
				return nil, fmt.Errorf("cpu-list %q: %q is not a range of CPU ids", s, part)
			}
		}
		for c := a; c <= b; c++ {
			if seen[c] {
				return nil, fmt.Errorf("cpu-list %q: CPU %d twice", s, c)
			}
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// A GivenUp is a core count the sweep gave up on after its measurement
// processes failed in a row. The run's other core counts are complete.
type GivenUp struct {
	Cores int
	// Causes are the failures, in order, as the harness recorded them.
	Causes []string
}

// Text is "2 cores: given up after 3 failures (cause; cause; cause)".
func (g GivenUp) Text() string {
	if len(g.Causes) == 0 {
		return fmt.Sprintf("%s: given up (no causes recorded)", plural(g.Cores, "core"))
	}
	return fmt.Sprintf("%s: given up after %s (%s)", plural(g.Cores, "core"), plural(len(g.Causes), "failure"), strings.Join(g.Causes, "; "))
}

// parseGivenUp reads the given-up-cores and given-up-causes values:
// "2,4" and "2 cores: <cause>; <cause> | 4 cores: <cause>". A core count
// without causes gets none; causes of a core count not given up are an
// error.
func parseGivenUp(cores, causes string) ([]GivenUp, error) {
	if strings.TrimSpace(cores) == "" {
		if strings.TrimSpace(causes) != "" {
			return nil, fmt.Errorf("given-up-causes %q without given-up-cores", causes)
		}
		return nil, nil
	}
	var out []GivenUp
	for _, f := range strings.Split(cores, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 {
			return nil, fmt.Errorf("given-up-cores %q: %q is not a core count", cores, f)
		}
		if slices.ContainsFunc(out, func(g GivenUp) bool { return g.Cores == k }) {
			return nil, fmt.Errorf("given-up-cores %q: %d twice", cores, k)
		}
		out = append(out, GivenUp{Cores: k})
	}
	if strings.TrimSpace(causes) == "" {
		return out, nil
	}
	for _, part := range strings.Split(causes, " | ") {
		head, rest, ok := strings.Cut(part, ":")
		n, unit, _ := strings.Cut(strings.TrimSpace(head), " ")
		k, err := strconv.Atoi(n)
		if !ok || err != nil || (unit != "cores" && unit != "core") {
			return nil, fmt.Errorf("given-up-causes %q: %q does not start with \"<k> cores:\"", causes, part)
		}
		i := slices.IndexFunc(out, func(g GivenUp) bool { return g.Cores == k })
		if i < 0 {
			return nil, fmt.Errorf("given-up-causes %q: causes for %d cores, which given-up-cores does not list", causes, k)
		}
		for _, c := range strings.Split(rest, ";") {
			if c = strings.TrimSpace(c); c != "" {
				out[i].Causes = append(out[i].Causes, c)
			}
		}
	}
	return out, nil
}
