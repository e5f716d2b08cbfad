package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// The sentences that summary.txt and report.html state beside the table
// of speedups: how much batch times vary on their own on each machine, and
// what the report measured of its CPUs' speeds.

// text is the sentence the report states for a machine's calibration.
func (c Calibration) text() string {
	var s string
	switch {
	case len(c.CPUs) > 0:
		var parts []string
		for _, cc := range c.CPUs {
			if math.IsNaN(cc.Spread) || math.IsNaN(cc.StepSpread) {
				continue
			}
			parts = append(parts, fmt.Sprintf("CPU %d ±%s (±%s from one reading to the next)", cc.CPU, pct(cc.Spread), pct(cc.StepSpread)))
		}
		if len(parts) == 0 {
			return ""
		}
		s = fmt.Sprintf("batch times on this machine vary on their own, by CPU (%d calibration readings of the meter, pinned work timed on each CPU in turn, at the start and at the end): %s",
			c.Batches, strings.Join(parts, ", "))
	case c.Batches >= 3:
		s = fmt.Sprintf("batch times on this machine vary ±%s on their own (%d calibration batches; ±%s from one batch to the next)",
			pct(c.Spread), c.Batches, pct(c.StepSpread))
	default:
		return ""
	}
	if !math.IsNaN(c.Allowed) {
		s += fmt.Sprintf("; with about %d pairs per configuration in the budget of %v, that allows a speedup interval of about ±%s",
			c.PairsInBudget, c.Budget, pct(c.Allowed))
	}
	return s
}

// speedLines are what the report measured of its CPUs' speeds: each
// meter's slow stretches, and in the first-cpu kind the stretches in
// which the baseline's batches slowed.
func (r *Report) speedLines() []string {
	var out []string
	for _, m := range r.Meters {
		for _, l := range m.lines() {
			out = append(out, m.Machine+": "+l+".")
		}
	}
	for _, m := range r.Machines {
		var ss []BaselineStretch
		for _, s := range r.BaselineStretches {
			if s.Machine == m.Label {
				ss = append(ss, s)
			}
		}
		if len(ss) > 0 {
			out = append(out, m.Label+": the baseline, all on the first CPU, slowed beyond its noise: "+baselineText(ss, mainStretch(ss))+".")
		}
	}
	return out
}

// maxStretchLines is how many of a CPU's slow stretches summary.txt and
// report.html state one by one.
const maxStretchLines = 3

// lines are the meter's sentences for summary.txt and report.html.
func (m *Meter) lines() []string {
	if m == nil {
		return nil
	}
	if math.IsNaN(m.Noise) {
		return []string{fmt.Sprintf("per-CPU speed meter: %s, too few readings of any CPU to tell its noise", plural(len(m.CPUs), "CPU"))}
	}
	// Every CPU's longest stretches, by their pairs (time order among
	// them), and how many more: a noisy host makes dozens of short ones.
	var out []string
	for _, c := range m.CPUs {
		var mine []SlowStretch
		for _, s := range m.Stretches {
			if s.CPU == c.CPU {
				mine = append(mine, s)
			}
		}
		longest := slices.Clone(mine)
		slices.SortStableFunc(longest, func(a, b SlowStretch) int { return cmp.Compare(b.Pairs, a.Pairs) })
		longest = longest[:min(maxStretchLines, len(longest))]
		for _, s := range mine {
			if slices.Contains(longest, s) {
				out = append(out, s.Text())
			}
		}
		if n := len(mine) - len(longest); n > 0 {
			out = append(out, fmt.Sprintf("CPU %d ran slower in %d more stretches; %d of its %d pairs in all", c.CPU, n, c.SlowPairs, c.Pairs))
		}
	}
	if len(out) == 0 {
		out = append(out, fmt.Sprintf("every CPU ran within the meter's noise (±%s) of the fastest throughout (%s metered, %s)",
			pct(m.Noise), plural(len(m.CPUs), "CPU"), plural(m.Pairs, "pair")))
	}
	return out
}
