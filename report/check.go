package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// A Warning is a reason to doubt part of a report. It does not stop the
// analysis; it is shown with the tables.
type Warning struct {
	// Machine is the label of the machine it concerns, "" for all.
	Machine string
	// Check names the check that raised it, one of the Check constants.
	Check string
	Msg   string
}

func (w *Warning) Error() string {
	if w.Machine == "" {
		return w.Msg
	}
	return w.Machine + ": " + w.Msg
}

// The trust checks, as named in Warning.Check.
const (
	CheckInput          = "input"          // lines or benchmarks that could not be used
	CheckWorkload       = "workload"       // workload parameters not recorded everywhere
	CheckPooled         = "pooled"         // samples pooled across differing configurations
	CheckBaseline       = "baseline"       // no serial run on one core
	CheckSamples        = "samples"        // fewer samples than Options.MinSamples
	CheckCIWidth        = "ci-width"       // intervals wider than Options.MaxCIHalfWidth
	CheckLoad           = "load"           // other work on the machine when the run started
	CheckGovernor       = "governor"       // CPU frequency governor not "performance"
	CheckVirtualization = "virtualization" // a virtual machine
	CheckCores          = "cores"          // cores not enforced, or not what was asked
	CheckPartial        = "partial"        // the run was interrupted
	CheckEnvironment    = "environment"    // the machine was not described
	CheckFit            = "fit"            // fits not made, exact or poor
	CheckImpossible     = "impossible"     // a speedup faster than the machine allows
	CheckPrecision      = "precision"      // a speedup short of the run's precision target
	CheckCPUsAbsent     = "cpus-absent"    // the ceiling's copies often did not run side by side
	CheckContended      = "contended"      // a speedup above k that another process's share of the CPUs explains
	CheckBimodal        = "bimodal"        // a configuration's pairs fall into two groups
)

func (rep *Report) warn(machine, check, format string, args ...any) {
	rep.Warnings = append(rep.Warnings, &Warning{Machine: machine, Check: check, Msg: fmt.Sprintf(format, args...)})
}

// check runs the trust checks on the samples and on the environment each
// machine recorded, adding warnings per machine.
func (rep *Report) check(o Options) {
	for _, m := range rep.Machines {
		var few, wide []string
		rows, minN, maxN := 0, math.MaxInt, 0
		maxCores := 0
		for i := range rep.Rows {
			r := &rep.Rows[i]
			if r.Machine != m.Label {
				continue
			}
			maxCores = max(maxCores, r.Cores)
			rows++
			if r.N < o.MinSamples {
				few = append(few, fmt.Sprintf("%s (n=%d)", r.Name(), r.N))
				minN, maxN = min(minN, r.N), max(maxN, r.N)
			} else if hw := r.CIHalfWidth(); hw > o.MaxCIHalfWidth {
				wide = append(wide, fmt.Sprintf("%s (±%s)", r.Name(), pct(hw)))
			}
		}
		if len(few) == rows && rows > 1 {
			n := strconv.Itoa(minN)
			if maxN > minN {
				n += "-" + strconv.Itoa(maxN)
			}
			few = []string{fmt.Sprintf("all %d configurations (n=%s)", rows, n)}
		}
		if len(few) > 0 {
			rep.warn(m.Label, CheckSamples, "fewer than %d samples, too few for a %s interval or a test: %s",
				o.MinSamples, pct(o.Confidence), strings.Join(few, ", "))
		}
		if len(wide) > 0 {
			rep.warn(m.Label, CheckCIWidth, "%s interval of the median time per batch wider than ±%s: %s",
				pct(rep.Confidence), pct(o.MaxCIHalfWidth), strings.Join(wide, ", "))
		}

		if m.Partial {
			rep.warn(m.Label, CheckPartial, "the run was interrupted: results are partial")
		}
		if !m.recordsEnv() {
			rep.warn(m.Label, CheckEnvironment, "environment not recorded (no load-avg, busy-cpus, governor or virtualization lines): not checked")
		}
		if l, ok := m.load1(); ok && l > o.MaxLoad {
			rep.warn(m.Label, CheckLoad, "load average %s (1 minute) when the run started: other work competed for the CPUs", fmtFloat(l))
		}
		if b, err := strconv.ParseFloat(m.BusyCPUs, 64); err == nil && b > o.MaxBusyCPUs {
			rep.warn(m.Label, CheckLoad, "%s CPUs' worth busy with other work when the run started", fmtFloat(b))
		}
		if m.OtherRuns != "" {
			rep.warn(m.Label, CheckLoad, "another parbench was measuring on this machine when the run started (%s): each slowed the other", m.OtherRuns)
		}
		if g := m.Governor; g != "" && g != "unknown" && g != "performance" {
			rep.warn(m.Label, CheckGovernor, "CPU frequency governor %s, not performance: clock speed may change during the run", g)
		}
		if v := m.Virtualization; v != "" && v != "none" && v != "unknown" {
			rep.warn(m.Label, CheckVirtualization, "virtual machine (%s): the hypervisor and other guests add noise, and vCPUs may share physical cores", v)
		}
		if e := m.Enforcement; e != "" && !strings.HasPrefix(e, "affinity") {
			rep.warn(m.Label, CheckCores, "cores not pinned to CPUs (cores-enforcement: %s): threads may run on any CPU", e)
		}
		if c := m.CoresCheck; c != "" && c != "ok" {
			rep.warn(m.Label, CheckCores, "cores not as asked: %s", c)
		}
		if m.CPUsOnline > 0 && maxCores > m.CPUsOnline {
			rep.warn(m.Label, CheckCores, "measured up to %d cores with %d CPUs online: the larger counts share CPUs", maxCores, m.CPUsOnline)
		}
		if q, err := strconv.ParseFloat(m.CPUQuota, 64); err == nil && q < float64(maxCores) {
			rep.warn(m.Label, CheckCores, "cgroup CPU quota of %s CPUs, below the %d cores measured: throttling inflates times", fmtFloat(q), maxCores)
		}
	}
	// The report's own warnings first, then each machine's, in input order.
	rank := func(err error) int {
		if w, ok := err.(*Warning); ok {
			return slices.IndexFunc(rep.Machines, func(m Machine) bool { return m.Label == w.Machine })
		}
		return -1
	}
	slices.SortStableFunc(rep.Warnings, func(a, b error) int { return cmp.Compare(rank(a), rank(b)) })
}
