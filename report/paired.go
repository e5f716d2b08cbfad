package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/internal/pairstat"
	"github.com/parbench/parbench/runfiles"
)

// Strategy names in bench.txt that are not strategies: the machine's
// ceiling (k copies of the serial batch at once) and the calibration loop.
const (
	CeilingStrategy     = pairstat.CeilingName
	CalibrationStrategy = pairstat.CalibrationName
)

// Config keys the harness writes for a run with a precision target.
const (
	KeyPrecisionTarget = runfiles.KeyPrecisionTarget
	KeyBudget          = runfiles.KeyBudget
)

// baselineUnit is pairstat.BaselineUnit as benchfmt tidies it.
const baselineUnit = "baseline-sec/op"

// A Calibration is what one machine's calibration measured: in the
// first-cpu kind, the same pinned serial batch, run CalibrationBatches
// times at the start and at the end of its sweep; in the own-cpus kind,
// the meter's calibration rounds, every CPU timed in turn at the start
// and at the end (CPUs).
type Calibration struct {
	Machine string
	// Batches is the calibration batches, or meter readings.
	Batches int
	// Spread is how much batch times vary on their own: the half-width of
	// their central 95%, relative to the median (pairstat.Spread); with
	// CPUs, the median of theirs.
	Spread float64
	// StepSpread is the same for the ratio of one batch to the next: the
	// noise a pair of neighbours still has.
	StepSpread float64
	// CPUs are the own-cpus kind's figures per CPU.
	CPUs []CPUCalibration
	// Target and Budget are the run's precision target and budget, 0 if
	// it had none.
	Target float64
	Budget time.Duration
	// PairsInBudget is about how many pairs each configuration gets in
	// the budget: the pairs a run that spent its budget took, on average
	// per configuration; else the budget shared out by the batch times.
	// Allowed is the half-width that StepSpread allows with that many; NaN
	// without a budget.
	PairsInBudget int
	Allowed       float64
	// KernelPerJob is the median of the meter's calibration readings, of
	// KernelReadings of them: one job's XOR-sum alone, without its sleep
	// and gap, pinned to one CPU. It is the compute of the arrival bound;
	// 0 without calibration readings.
	KernelPerJob   time.Duration
	KernelReadings int
}

// A CPUCalibration is one CPU's calibration readings: its time per job,
// pinned, Readings times.
type CPUCalibration struct {
	CPU                int
	Readings           int
	Spread, StepSpread float64
}

// calibrationOf collects one machine's calibration batches and its target.
type calibrationOf struct {
	secs   []float64
	target float64
	budget time.Duration
}

// noteRunSettings reads the precision target and the budget a result's
// run recorded.
func (c *calibrationOf) noteRunSettings(r *benchfmt.Result) {
	if v, err := strconv.ParseFloat(r.GetConfig(KeyPrecisionTarget), 64); err == nil && v > 0 && v < 1 {
		c.target = v
	}
	if d, err := time.ParseDuration(r.GetConfig(KeyBudget)); err == nil && d > 0 {
		c.budget = d
	}
}

// baselineOf is a result's adjacent baseline batch in seconds, NaN when it
// has none.
func baselineOf(r *benchfmt.Result) float64 {
	v, ok := r.Value(baselineUnit)
	if !ok {
		if ns, isNS := r.Value(pairstat.BaselineUnit); isNS {
			v, ok = ns/1e9, true
		}
	}
	if !ok || !(v > 0) || math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// copiesUnit is runfiles.CopiesUnit as benchfmt tidies it.
const copiesUnit = "copies-sec/op"

// copiesOf is a ceiling result's copies' own time (copies-ns/op) in
// seconds, NaN when it has none.
func copiesOf(r *benchfmt.Result) float64 {
	v, ok := r.Value(copiesUnit)
	if !ok {
		if ns, isNS := r.Value(runfiles.CopiesUnit); isNS {
			v, ok = ns/1e9, true
		}
	}
	if !ok || !(v > 0) || math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// firstCPU is the CPU the first-cpu kind pinned its baseline to: the
// first of the machine's cpu-list, or without one the lowest CPU its
// meter timed; -1 when neither is known.
func firstCPU(m Machine, readings []meterReading) int {
	if len(m.CPUList) > 0 {
		return m.CPUList[0]
	}
	first := -1
	for _, rd := range readings {
		if first < 0 || rd.cpu < first {
			first = rd.cpu
		}
	}
	return first
}

// setPaired fills a row's paired speedup from its pairs in g. The
// unpaired figures must be set already; they are kept as Unpaired*, and
// the paired ones take their place where there are pairs.
//
// With pairs, the unpaired figure is computed from the same batches with
// the pairing ignored: the ratio of the median of the pairs' baseline
// batches to the median of the row's, bootstrapped as SpeedupCI does, so
// that the two columns differ only in whether neighbours are compared.
//
// A ceiling with the copies' own times (the own-cpus kind) divides
// them into its baselines for its speedup, the attainable one, and its
// batch times for Join. first is the first CPU, whose meter readings
// give the first-cpu kind's figure for comparison, and jobs the jobs per
// batch.
func (r *Row) setPaired(g *group, first int, jobs float64, o Options) {
	r.UnpairedSpeedup, r.UnpairedLow, r.UnpairedHigh = r.Speedup, r.SpeedupLow, r.SpeedupHigh
	secs, base := g.speedSecs(), g.baseSecs
	ratios := pairstat.Ratios(base, secs)
	if len(ratios) == 0 {
		return
	}
	var bs, xs []float64
	for i := range min(len(base), len(secs)) {
		if base[i] > 0 && secs[i] > 0 && !math.IsInf(base[i], 0) && !math.IsInf(secs[i], 0) {
			bs, xs = append(bs, base[i]), append(xs, secs[i])
		}
	}
	r.UnpairedSpeedup, r.UnpairedLow, r.UnpairedHigh = SpeedupCI(bs, xs, o.Confidence, o.Resamples, rowRand(o.Seed, r))
	if len(ratios) < o.MinSamples {
		r.UnpairedLow, r.UnpairedHigh = 0, math.Inf(1)
	}
	po := pairstat.Options{Confidence: o.Confidence, Resamples: o.Resamples, Seed: o.Seed}
	r.Estimates = pairstat.Estimate(base, secs, po)
	sum := r.Estimates.Default()
	modes := pairstat.TwoModes(ratios)
	r.Modes = &modes
	r.Pairs = sum.Pairs
	if r.Strategy == CeilingStrategy && r.Cores > 1 {
		// A ceiling pair's ratio is k x T(one copy) / T(k copies); with
		// the copies' own times, the sum of their rates in CPUs' worth:
		// a slow CPU leaves it at k, CPUs taken away bring it down.
		for _, x := range ratios {
			if x <= float64(r.Cores)/AbsentFactor {
				r.CPUsAbsent++
			}
		}
	}
	r.Speedup, r.SpeedupLow, r.SpeedupHigh = sum.Speedup, sum.Low, sum.High
	if sum.Pairs < o.MinSamples {
		r.SpeedupLow, r.SpeedupHigh = 0, math.Inf(1)
	}
	r.Efficiency = r.Speedup / float64(r.Cores)
	if g.hasCopies() {
		j := pairstat.Estimate(base, g.secs, po).Default()
		r.Join, r.JoinLow, r.JoinHigh = j.Speedup, j.Low, j.High
		if j.Pairs < o.MinSamples {
			r.JoinLow, r.JoinHigh = 0, math.Inf(1)
		}
	}
	if first >= 0 && jobs > 0 {
		var fb, fx []float64
		for i, m := range g.meter {
			for _, ct := range m {
				if ct.cpu == first {
					fb, fx = append(fb, jobs*ct.secPerJob), append(fx, g.secs[i])
				}
			}
		}
		if f := pairstat.Estimate(fb, fx, po).Default(); f.Pairs > 0 {
			r.FirstCPUSpeedup, r.FirstCPULow, r.FirstCPUHigh, r.FirstCPUPairs = f.Speedup, f.Low, f.High, f.Pairs
			if f.Pairs < o.MinSamples {
				r.FirstCPULow, r.FirstCPUHigh = 0, math.Inf(1)
			}
		}
	}
}

// SpeedupHalfWidth is how far the speedup's interval reaches on its wider
// side, relative to the speedup; +Inf when unbounded.
func (r *Row) SpeedupHalfWidth() float64 {
	if !(r.Speedup > 0) {
		return math.NaN()
	}
	return math.Max(r.SpeedupHigh/r.Speedup-1, 1-r.SpeedupLow/r.Speedup)
}

// setCeilings gives every row of one machine its ceiling at the same core
// count, its efficiency against it, and the flag when its speedup cannot
// be true. In the own-cpus kind, ideal is k whatever the CPUs' speeds:
// the flag is an interval wholly above k, or above the ceiling's
// attainable interval where that is lower. In the first-cpu kind, whose
// ideal depends on the first CPU's speed, it is an interval wholly above
// the ceiling's, or above k where the ceiling was not measured. The flag
// names what was measured that can explain it (impossibleCause), or says
// that nothing was.
func (rep *Report) setCeilings(m Machine, rows []*Row, byRow map[*Row]*group, meter *Meter, stretches []BaselineStretch, o Options) {
	ceil := map[int]*Row{}
	for _, r := range rows {
		if r.Strategy == CeilingStrategy {
			ceil[r.Cores] = r
		}
	}
	var flagged []string
	for _, r := range rows {
		r.Attainable, r.EfficiencyVsCeiling = math.NaN(), math.NaN()
		if r.Strategy == CeilingStrategy || math.IsNaN(r.Speedup) {
			continue
		}
		c := ceil[r.Cores]
		limit, against := float64(r.Cores), fmt.Sprintf("the %d cores it ran on", r.Cores)
		if c != nil && c.Speedup > 0 {
			r.Attainable = c.Speedup
			r.Join, r.JoinLow, r.JoinHigh = c.Join, c.JoinLow, c.JoinHigh
			r.EfficiencyVsCeiling = r.Speedup / c.Speedup
			switch {
			case m.Kind == OwnCPUs && c.SpeedupHigh < limit:
				limit, against = c.SpeedupHigh, fmt.Sprintf("the machine's attainable ceiling of %s at %d cores", fmtRatio(c.Speedup), r.Cores)
			case m.Kind != OwnCPUs:
				limit, against = c.SpeedupHigh, fmt.Sprintf("the machine's ceiling of %s at %d cores", fmtRatio(c.Speedup), r.Cores)
			}
		}
		if r.Strategy == Baseline && r.Cores == 1 {
			continue
		}
		if r.SpeedupLow > limit && !math.IsInf(limit, 0) && m.Kind == OwnCPUs {
			// Another process that shared the CPUs (a busy thread the
			// guest sees) took time from the baseline's one thread; a
			// configuration whose threads took more of it than that
			// thread did can pass k without passing the machine.
			if share := r.baselineCPUShare(); share < 1-contendedShare && r.SpeedupLow <= limit/share {
				if rep.Params.Sleep > 0 {
					// Jobs that sleep: the baseline's thread was
					// off its CPU for the sleeps, which overlap on
					// fewer cores; past k is what such jobs allow.
					continue
				}
				rep.warn(m.Label, CheckContended, "%s: speedup interval %s above %s, which another process's share of the CPUs explains: the baseline's one thread ran %s of its time on them, so this configuration, whose threads took more of them, could reach %s",
					r.Name(), intervalText(r.SpeedupLow, r.SpeedupHigh), against, pct(share), fmtRatio(limit/share))
				continue
			}
		}
		if r.SpeedupLow > limit && !math.IsInf(limit, 0) {
			cause := "no measured cause"
			if r.Pairs == 0 {
				cause += " (unpaired samples: the baseline's batches and this configuration's were not timed side by side)"
			} else if c := impossibleCause(r, byRow[r], causeContext{machine: m, meter: meter, baseline: stretches, opts: o, limit: limit, limitText: against}); c != "" {
				cause = "measured cause: " + c
			}
			r.Impossible = fmt.Sprintf("faster than the machine allows: speedup interval %s lies wholly above %s; %s",
				intervalText(r.SpeedupLow, r.SpeedupHigh), against, cause)
			flagged = append(flagged, r.Name()+": "+r.Impossible)
		}
	}
	for _, f := range flagged {
		rep.warn(m.Label, CheckImpossible, "%s", f)
	}
	for _, k := range slices.Sorted(maps.Keys(ceil)) {
		c := ceil[k]
		if c.Pairs == 0 || float64(c.CPUsAbsent) < AbsentShare*float64(c.Pairs) {
			continue
		}
		what := fmt.Sprintf("the %d copies took at least %.1fx as long as one copy beside them", k, AbsentFactor)
		if m.Kind == OwnCPUs {
			what = fmt.Sprintf("the %d copies' own rates added up to no more than %s CPUs' worth", k, fmtRatio(float64(k)/AbsentFactor))
		}
		rep.warn(m.Label, CheckCPUsAbsent,
			"ceiling at %d cores: in %d of %d pairs (%.0f%%) %s, so the machine did not give %d CPUs at once (a host that deschedules vCPUs, or CPUs shared with other work); every speedup at %d cores averages over moments with and without them",
			k, c.CPUsAbsent, c.Pairs, 100*float64(c.CPUsAbsent)/float64(c.Pairs), what, k, k)
	}
}

// AbsentFactor is how much longer than one copy k copies at once must take
// for a ceiling pair to count as one without k CPUs: twice as long is
// the copies taking turns on half the CPUs, 1.5x halfway there.
const AbsentFactor = 1.5

// AbsentShare is the share of a ceiling's pairs without k CPUs from which
// the report warns: past noise, a machine that is not what it says.
const AbsentShare = 0.1

// calibrate turns a machine's calibration batches, or its meter's
// calibration readings, into its Calibration, and names the
// configurations short of the run's precision target.
func (rep *Report) calibrate(m Machine, rows []*Row, c *calibrationOf, readings []meterReading, o Options) {
	if c == nil {
		return
	}
	cal := Calibration{Machine: m.Label, Batches: len(c.secs), Spread: pairstat.Spread(c.secs),
		StepSpread: pairstat.StepSpread(c.secs), Target: c.target, Budget: c.budget, Allowed: math.NaN()}
	// The meter calibrates at the start and at the end of a sweep: each
	// session's readings vary on their own, while the two sessions may
	// differ because a CPU changed speed in between, which the meter's
	// stretches report. So a CPU's spread is the median of its sessions'
	// and its step spread comes from neighbours within a session.
	type cpuSessions struct {
		values [][]float64
		last   int // the session of its last reading
	}
	perCPU := map[int]*cpuSessions{}
	var ids []int
	session := 0
	inSession := false
	for _, rd := range readings {
		if rd.source != runfiles.CPUSpeedCalibration {
			inSession = false
			continue
		}
		if !inSession {
			session++
			inSession = true
		}
		cs := perCPU[rd.cpu]
		if cs == nil {
			cs = &cpuSessions{}
			perCPU[rd.cpu] = cs
			ids = append(ids, rd.cpu)
		}
		if len(cs.values) == 0 || cs.last != session {
			cs.values = append(cs.values, nil)
			cs.last = session
		}
		cs.values[len(cs.values)-1] = append(cs.values[len(cs.values)-1], rd.secPerJob)
	}
	slices.Sort(ids)
	var spreads, steps, all []float64
	for _, id := range ids {
		cc := CPUCalibration{CPU: id}
		var sessionSpreads, neighbours []float64
		for _, v := range perCPU[id].values {
			cc.Readings += len(v)
			all = append(all, v...)
			if s := pairstat.Spread(v); !math.IsNaN(s) {
				sessionSpreads = append(sessionSpreads, s)
			}
			for i := 1; i < len(v); i++ {
				neighbours = append(neighbours, v[i]/v[i-1])
			}
		}
		cc.Spread, cc.StepSpread = sortedMedian(sessionSpreads), pairstat.Spread(neighbours)
		cal.CPUs = append(cal.CPUs, cc)
		cal.Batches += cc.Readings
		if !math.IsNaN(cc.Spread) && !math.IsNaN(cc.StepSpread) {
			spreads, steps = append(spreads, cc.Spread), append(steps, cc.StepSpread)
		}
	}
	if len(cal.CPUs) > 0 && len(c.secs) == 0 {
		cal.Spread, cal.StepSpread = sortedMedian(spreads), sortedMedian(steps)
	}
	if len(all) > 0 {
		cal.KernelPerJob, cal.KernelReadings = time.Duration(sortedMedian(all)*float64(time.Second)), len(all)
	}
	if c.budget > 0 {
		// One pair of every configuration costs its batch and a baseline
		// batch; the budget buys that many rounds.
		var base, round float64
		for _, r := range rows {
			if r.Strategy == Baseline && r.Cores == 1 {
				base = r.Median
			}
		}
		for _, r := range rows {
			if r.Pairs > 0 {
				per := r.Median
				if r.Strategy == CeilingStrategy {
					per *= float64(r.Cores) // ns/op is per copy
				}
				if m.Kind == OwnCPUs {
					round += 2 * per // a baseline half about as long as the batch
				} else {
					round += per + base
				}
			}
		}
		if round > 0 {
			cal.PairsInBudget = int(c.budget.Seconds() / round)
		}
		// A run that missed its target spent its budget: the pairs it
		// took are what the budget bought, the harness's own time
		// between batches included.
		total, configs, missed := 0, 0, false
		for _, r := range rows {
			if r.Pairs > 0 && !(r.Strategy == Baseline && r.Cores == 1) {
				total += r.Pairs
				configs++
				missed = missed || r.SpeedupHalfWidth() > c.target
			}
		}
		if missed && configs > 0 {
			cal.PairsInBudget = total / configs
		}
		if cal.PairsInBudget > 0 {
			cal.Allowed = pairstat.AllowedHalfWidth(cal.StepSpread, cal.PairsInBudget)
		}
	}
	if len(c.secs) > 0 || len(cal.CPUs) > 0 || c.target > 0 {
		rep.Calibrations = append(rep.Calibrations, cal)
	}
	if c.target <= 0 {
		return
	}
	var missed []string
	for _, r := range rows {
		if r.Pairs == 0 || (r.Strategy == Baseline && r.Cores == 1) {
			continue
		}
		hw := r.SpeedupHalfWidth()
		if hw <= c.target {
			continue
		}
		r.MorePairs = pairstat.MorePairs(r.Pairs, hw, c.target)
		more := "too few pairs to tell how many more"
		if r.MorePairs > 0 {
			more = fmt.Sprintf("about %d more pairs", r.MorePairs)
		}
		missed = append(missed, fmt.Sprintf("%s (±%s after %d pairs: %s)", r.Name(), pct(hw), r.Pairs, more))
	}
	if len(missed) > 0 {
		rep.warn(m.Label, CheckPrecision, "speedup interval wider than the target ±%s within the budget %v: %s",
			pct(c.target), c.budget, strings.Join(missed, ", "))
	}
}

// CalibrationOf returns the calibration of a machine, if it has one.
func (rep *Report) CalibrationOf(machine string) (Calibration, bool) {
	for _, c := range rep.Calibrations {
		if c.Machine == machine {
			return c, true
		}
	}
	return Calibration{}, false
}

// contendedShare is how far below its wall time the baseline half's CPU
// time must fall, as a share, before the report takes another process
// for sharing the CPUs: beyond the clocks' own noise.
const contendedShare = 0.03

// baselineCPUShare is the baseline halves' CPU time over their time, as
// the mean over the row's pairs: below 1 where another process took the
// baseline's CPUs from it. 1 where it is not recorded.
func (r *Row) baselineCPUShare() float64 {
	var sum float64
	n := 0
	for _, e := range r.pairs {
		if e.base > 0 && e.baseCPU > 0 {
			sum += min(1, e.baseCPU/e.base)
			n++
		}
	}
	if n == 0 {
		return 1
	}
	return sum / float64(n)
}
