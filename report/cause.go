package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/parbench/parbench/internal/pairstat"
)

// linedValue is a value read from a line of an input.
type linedValue struct {
	line  int
	value float64
}

// A BaselineStretch is a stretch of a first-cpu run in which the baseline
// batches, every one of them on the first CPU, ran slower than over the
// rest of the run beyond their own noise: the first CPU slowed down, or
// the whole machine did. It is found in the series of every pair's
// baseline time in file order, as the meter's slow stretches are (see
// MeterWindow): the rolling median of the baseline's rate against its
// full speed (the 90th percentile of the rolling medians), slow below 1
// minus the noise that the series' own step spread gives two rolling
// medians, at least MinSlowdown.
type BaselineStretch struct {
	Machine string
	// FirstLine and LastLine are the lines of its first and last slow
	// pair; ToEnd says no pair came after it.
	FirstLine, LastLine int
	ToEnd               bool
	// Before is the median baseline time outside every stretch, During
	// the median in this one, in seconds.
	Before, During float64
	// Pairs is how many pairs' baseline halves fell in it, of OfPairs in
	// the run.
	Pairs, OfPairs int
}

// Factor is how much slower the baseline ran in the stretch.
func (s BaselineStretch) Factor() float64 { return s.During / s.Before }

// baselineText describes the stretches of one machine, the one with the
// most pairs (main) by its lines and the others by how much slower they
// were: "its batches went from 19.5ms to 50.9ms at line 429 (to line
// 1574), and ran 1.06x to 2.75x slower in 16 more stretches".
func baselineText(ss []BaselineStretch, main int) string {
	s := ss[main]
	to := fmt.Sprintf("to line %d", s.LastLine)
	if s.ToEnd {
		to = "to the end"
	}
	text := fmt.Sprintf("its batches went from %s to %s at line %d (%s, %d of %d pairs)",
		fmtSeconds(s.Before), fmtSeconds(s.During), s.FirstLine, to, s.Pairs, s.OfPairs)
	lo, hi, n, pairs := math.Inf(1), math.Inf(-1), 0, 0
	for i, o := range ss {
		if i != main {
			lo, hi, n, pairs = math.Min(lo, o.Factor()), math.Max(hi, o.Factor()), n+1, pairs+o.Pairs
		}
	}
	switch {
	case n == 1:
		text += fmt.Sprintf(", and ran %sx slower in 1 more stretch (%s)", fmtRatio(lo), plural(pairs, "pair"))
	case n > 1:
		text += fmt.Sprintf(", and ran %sx to %sx slower in %d more stretches (%s)", fmtRatio(lo), fmtRatio(hi), n, plural(pairs, "pair"))
	}
	return text
}

// mainStretch is the stretch with the most pairs.
func mainStretch(ss []BaselineStretch) int {
	main := 0
	for i, s := range ss {
		if s.Pairs > ss[main].Pairs {
			main = i
		}
	}
	return main
}

// baselineStretches finds the slow stretches of a first-cpu run's
// baseline batches; series is every pair's baseline time, in file order.
func baselineStretches(series []linedValue) []BaselineStretch {
	if len(series) < MeterWindow {
		return nil
	}
	rates, times := make([]float64, len(series)), make([]float64, len(series))
	for i, v := range series {
		rates[i], times[i] = 1/v.value, v.value
	}
	med := rollingMedian(rates, MeterWindow)
	sorted := slices.Clone(med)
	slices.Sort(sorted)
	ref := stat.Quantile(0.9, stat.Empirical, sorted, nil)
	noise := math.Max(MinSlowdown, pairstat.StepSpread(times)*math.Sqrt(math.Pi/(2*MeterWindow)))
	if math.IsNaN(noise) || !(ref > 0) {
		return nil
	}
	slow := make([]bool, len(series))
	for i, m := range med {
		slow[i] = m/ref < 1-noise
	}
	runs := slowRuns(slow)
	if len(runs) == 0 {
		return nil
	}
	in := make([]bool, len(series))
	var out []BaselineStretch
	for _, r := range runs {
		var during []float64
		for i := r[0]; i <= r[1]; i++ {
			in[i] = true
			during = append(during, series[i].value)
		}
		out = append(out, BaselineStretch{FirstLine: series[r[0]].line, LastLine: series[r[1]].line,
			ToEnd: r[1] == len(series)-1, During: sortedMedian(during), Pairs: len(during), OfPairs: len(series)})
	}
	var outside []float64
	for i, v := range series {
		if !in[i] {
			outside = append(outside, v.value)
		}
	}
	before := sortedMedian(outside)
	for i := range out {
		out[i].Before = before
	}
	return out
}

// inBaselineStretch is the index of the stretch holding line, or -1.
func inBaselineStretch(ss []BaselineStretch, line int) int {
	for i, s := range ss {
		if line >= s.FirstLine && line <= s.LastLine {
			return i
		}
	}
	return -1
}

// causeContext is what impossibleCause needs of a row's machine.
type causeContext struct {
	machine   Machine
	meter     *Meter
	baseline  []BaselineStretch
	opts      Options
	limit     float64
	limitText string
}

// impossibleCause says what was measured that can make row r's speedup
// read above cc.limit, from its pairs g: in the first-cpu kind a slow
// stretch of the baseline's CPU that this configuration's batches did not
// share; in the own-cpus kind a slow stretch of one of its CPUs during its
// pairs; in either, pairs that fall into two groups. Each is stated with
// its figures and with what the pairs outside it give. "" when nothing
// was found.
func impossibleCause(r *Row, g *group, cc causeContext) string {
	var causes []string
	switch {
	case cc.machine.Kind == FirstCPU && len(cc.baseline) > 0:
		if c := baselineCause(r, g, cc); c != "" {
			causes = append(causes, c)
		}
	case cc.machine.Kind == OwnCPUs && cc.meter != nil:
		if c := meterCause(r, g, cc); c != "" {
			causes = append(causes, c)
		}
	}
	if r.Modes != nil && r.Modes.Bimodal {
		causes = append(causes, "its pairs are bimodal ("+modesText(*r.Modes)+")")
	}
	return strings.Join(causes, "; ")
}

// baselineCause is the slow stretch of the first CPU as the baseline
// batches show it, if this configuration's pairs fell in it and its own
// batches did not slow as much.
func baselineCause(r *Row, g *group, cc causeContext) string {
	counts := make([]int, len(cc.baseline))
	var xIn, xOut, bOut, sOut []float64
	for i, line := range g.lines {
		if s := inBaselineStretch(cc.baseline, line); s >= 0 {
			counts[s]++
			xIn = append(xIn, g.secs[i])
		} else {
			xOut = append(xOut, g.secs[i])
			bOut = append(bOut, g.baseSecs[i])
			sOut = append(sOut, g.secs[i])
		}
	}
	if len(xIn) == 0 {
		return ""
	}
	main := 0
	for i, c := range counts {
		if c > counts[main] {
			main = i
		}
	}
	text := "the baseline ran on the first CPU only; " + baselineText(cc.baseline, main)
	if len(xOut) == 0 {
		return text + fmt.Sprintf(", and all %d of this configuration's pairs came from those stretches", len(xIn))
	}
	in, out := sortedMedian(xIn), sortedMedian(xOut)
	if cc.baseline[main].Factor()/(in/out) < 1+MinSlowdown {
		return "" // the configuration slowed as much: its ratios did not move
	}
	text += fmt.Sprintf(", while this configuration's went from %s outside those stretches to %s in them (%d of its %d pairs)",
		fmtSeconds(out), fmtSeconds(in), len(xIn), len(g.lines))
	return text + outsideText(bOut, sOut, cc)
}

// meterCause is a slow stretch of one of the configuration's CPUs during
// its pairs.
func meterCause(r *Row, g *group, cc causeContext) string {
	cpus := cc.machine.firstCPUs(r.Cores)
	var best *SlowStretch
	bestIn := 0
	inAny := make([]bool, len(g.elapsed))
	for i := range cc.meter.Stretches {
		s := &cc.meter.Stretches[i]
		if cpus != nil && !containsInt(cpus, s.CPU) {
			continue
		}
		n := 0
		for j, t := range g.elapsed {
			if t >= s.From && t <= s.To {
				n++
				inAny[j] = true
			}
		}
		if n > bestIn {
			best, bestIn = s, n
		}
	}
	if best == nil {
		return ""
	}
	var bOut, xOut []float64
	total := 0
	for j := range g.elapsed {
		if inAny[j] {
			total++
		} else {
			bOut, xOut = append(bOut, g.baseSecs[j]), append(xOut, g.speedSecs()[j])
		}
	}
	text := fmt.Sprintf("%s, during %d of this configuration's %d pairs (a CPU whose speed changes between the two halves of a pair tilts its ratio)",
		strings.TrimSuffix(best.Text(), fmt.Sprintf(" (%d of %d pairs)", best.Pairs, best.OfPairs)), total, len(g.elapsed))
	if len(xOut) == 0 {
		return text
	}
	return text + outsideText(bOut, xOut, cc)
}

// outsideText is what the pairs outside the cause's stretches give.
func outsideText(base, x []float64, cc causeContext) string {
	o := pairstat.DefaultOptions
	o.Confidence, o.Resamples, o.Seed = cc.opts.Confidence, cc.opts.Resamples, cc.opts.Seed
	s := pairstat.Estimate(base, x, o).Default()
	if s.Pairs == 0 {
		return ""
	}
	verdict := "still above " + cc.limitText
	if !(s.Low > cc.limit) {
		verdict = "not above " + cc.limitText
	}
	return fmt.Sprintf("; its %s outside them give %s %s, %s", plural(s.Pairs, "pair"), fmtRatio(s.Speedup), intervalText(s.Low, s.High), verdict)
}

func containsInt(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// modesText is "38% near 1.02, 62% near 1.95".
func modesText(m pairstat.Modes) string {
	return fmt.Sprintf("%s near %s, %s near %s", pct(m.Low.Share), fmtRatio(m.Low.Center), pct(m.High.Share), fmtRatio(m.High.Center))
}
