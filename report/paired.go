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

// A Calibration is what one machine's calibration loop measured: the same
// pinned serial batch, run CalibrationBatches times at the start and at
// the end of its sweep.
type Calibration struct {
	Machine string
	Batches int
	// Spread is how much batch times vary on their own: the half-width of
	// their central 95%, relative to the median (pairstat.Spread).
	Spread float64
	// StepSpread is the same for the ratio of one batch to the next: the
	// noise a pair of neighbours still has.
	StepSpread float64
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

// setPaired fills a row's paired speedup from its pairs; base[i] is the
// baseline batch next to the row's i-th sample (in input order), NaN where
// there was none. The unpaired figures must be set already; they are kept
// as Unpaired*, and the paired ones take their place where there are
// pairs.
//
// With pairs, the unpaired figure is computed from the same batches with
// the pairing ignored: the ratio of the median of the pairs' baseline
// batches to the median of the row's, bootstrapped as SpeedupCI does, so
// that the two columns differ only in whether neighbours are compared.
func (r *Row) setPaired(secs, base []float64, o Options) {
	r.UnpairedSpeedup, r.UnpairedLow, r.UnpairedHigh = r.Speedup, r.SpeedupLow, r.SpeedupHigh
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
	sum := pairstat.Summarize(ratios, o.Confidence)
	r.Pairs = sum.Pairs
	if r.Strategy == CeilingStrategy && r.Cores > 1 {
		// A ceiling pair's ratio is k x T(one copy) / T(k copies).
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
// be true: an interval wholly above the ceiling's, or above k where the
// ceiling was not measured.
func (rep *Report) setCeilings(m Machine, rows []*Row) {
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
			r.EfficiencyVsCeiling = r.Speedup / c.Speedup
			limit, against = c.SpeedupHigh, fmt.Sprintf("the machine's ceiling of %s at %d cores", fmtRatio(c.Speedup), r.Cores)
		}
		if r.Strategy == Baseline && r.Cores == 1 {
			continue
		}
		if r.SpeedupLow > limit && !math.IsInf(limit, 0) {
			cause := "the baseline was timed in slower moments than this configuration (unpaired samples on a machine whose speed drifts)"
			if r.Pairs > 0 {
				cause = "the configuration does less work than the serial batch, or runs on more CPUs than its mask, or the ceiling's copies met contention the strategy did not"
			}
			r.Impossible = fmt.Sprintf("faster than the machine allows: speedup interval %s lies wholly above %s; likely cause: %s",
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
		rep.warn(m.Label, CheckCPUsAbsent,
			"ceiling at %d cores: in %d of %d pairs (%.0f%%) the %d copies took at least %.1fx as long as one copy beside them, so the machine did not give %d CPUs at once (a host that deschedules vCPUs, or CPUs shared with other work); every speedup at %d cores is a median over moments with and without them",
			k, c.CPUsAbsent, c.Pairs, 100*float64(c.CPUsAbsent)/float64(c.Pairs), k, AbsentFactor, k, k)
	}
}

// AbsentFactor is how much longer than one copy k copies at once must take
// for a ceiling pair to count as one without k CPUs: twice as long is
// the copies taking turns on half the CPUs, 1.5x halfway there.
const AbsentFactor = 1.5

// AbsentShare is the share of a ceiling's pairs without k CPUs from which
// the report warns: past noise, a machine that is not what it says.
const AbsentShare = 0.1

// calibrate turns a machine's calibration batches into its Calibration,
// and names the configurations short of the run's precision target.
func (rep *Report) calibrate(m Machine, rows []*Row, c *calibrationOf, o Options) {
	if c == nil {
		return
	}
	cal := Calibration{Machine: m.Label, Batches: len(c.secs), Spread: pairstat.Spread(c.secs),
		StepSpread: pairstat.StepSpread(c.secs), Target: c.target, Budget: c.budget, Allowed: math.NaN()}
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
				round += per + base
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
	if len(c.secs) > 0 || c.target > 0 {
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

// calibrationText is the sentence the report states for a machine.
func (c Calibration) text() string {
	if c.Batches < 3 {
		return ""
	}
	s := fmt.Sprintf("batch times on this machine vary ±%s on their own (%d calibration batches; ±%s from one batch to the next)",
		pct(c.Spread), c.Batches, pct(c.StepSpread))
	if !math.IsNaN(c.Allowed) {
		s += fmt.Sprintf("; with about %d pairs per configuration in the budget of %v, that allows a speedup interval of about ±%s",
			c.PairsInBudget, c.Budget, pct(c.Allowed))
	}
	return s
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
