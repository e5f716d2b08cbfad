package report

import (
	"fmt"
	"math"
	"slices"

	"golang.org/x/perf/benchmath"

	"github.com/parbench/parbench/internal/pairstat"

	"github.com/parbench/parbench/internal/strategyorder"
)

// Baseline is the strategy every speedup is measured against, on one core.
const Baseline = strategyorder.Baseline

// A Row is one configuration on one machine: a strategy at a core count
// and a worker count, summarized over its samples. Times are seconds per
// batch. A figure that cannot be computed (no baseline, a unit not
// recorded) is NaN; an interval too wide to bound with so few samples has
// infinite ends, as benchmath gives it.
type Row struct {
	Machine  string // Machine.Label
	Strategy string
	Cores    int // GOMAXPROCS, and the CPUs of the affinity mask where enforced
	Workers  int // 0 if the benchmark name does not say

	N int // samples (timed batches)
	// Median is the median wall time of a batch; [Low, High] is its
	// distribution-free confidence interval at level Confidence or higher.
	Median, Low, High float64
	Confidence        float64
	// CPUSeconds is the median CPU time of a batch, workers included.
	CPUSeconds float64
	// JobsPerSec is the median throughput, and [JobsPerSecLow,
	// JobsPerSecHigh] the interval that [Low, High] gives it: jobs per
	// batch over the bounds of the time, swapped, and [0, +Inf] when the
	// time interval is unbounded; NaN when jobs per batch is unknown.
	JobsPerSec, JobsPerSecLow, JobsPerSecHigh float64

	// Speedup is T(baseline) / T(this row), the baseline as the
	// machine's Kind says. With pairs (samples that carry their adjacent
	// baseline batch) it is the pairs' ratios summarized by
	// pairstat.DefaultEstimator, [SpeedupLow, SpeedupHigh] its interval;
	// without, it is the unpaired figure. A ceiling row of the own-cpus
	// kind has the attainable speedup here (baseline over the copies'
	// own rates).
	Speedup, SpeedupLow, SpeedupHigh float64
	// Pairs is how many pairs Speedup comes from; 0 if unpaired.
	Pairs int
	// Estimates is the speedup of the same pairs by every estimator,
	// side by side; Estimates.Default() is Speedup before the report
	// widens too short an interval to [0, +Inf].
	Estimates pairstat.Estimates
	// Modes is the split of the pairs into two groups (pairstat.TwoModes);
	// nil without pairs.
	Modes *pairstat.Modes
	// Join, on a ceiling row of the own-cpus kind, is the join figure:
	// baseline over the time until the last copy finished, what a static
	// split of the work can reach; on the other rows, their ceiling's
	// join figure at the same core count. NaN elsewhere.
	Join, JoinLow, JoinHigh float64
	// FirstCPUSpeedup, in the own-cpus kind, is the figure of the
	// first-cpu kind for comparison: the speedup against the first CPU's
	// rate alone, from the meter lines of the pairs whose baseline half
	// timed that CPU (FirstCPUPairs of them); NaN when none did.
	FirstCPUSpeedup, FirstCPULow, FirstCPUHigh float64
	FirstCPUPairs                              int
	// CPUsAbsent, on a ceiling row at k > 1 cores, counts the pairs in
	// which the k copies took at least AbsentFactor times as long as the
	// one copy beside them: moments when the machine did not give k CPUs
	// at once (a host that deschedules vCPUs, a sibling busy with another
	// tenant's work). Every speedup at k is a median over both states.
	CPUsAbsent int
	// UnpairedSpeedup is the ratio of the medians of the baseline's own
	// samples and this row's, with its percentile-bootstrap interval:
	// what the speedup would be without pairing, kept for comparison.
	UnpairedSpeedup, UnpairedLow, UnpairedHigh float64
	// Efficiency is Speedup per core.
	Efficiency float64
	// Attainable is the ceiling's speedup at this row's core count (k
	// copies of the serial batch at once: in the own-cpus kind from the
	// copies' own rates, in the first-cpu kind from their join), and
	// EfficiencyVsCeiling is Speedup / Attainable; NaN where the ceiling
	// was not measured.
	Attainable, EfficiencyVsCeiling float64
	// Impossible, when set, says why this speedup cannot be true.
	Impossible string
	// MorePairs is how many more pairs the observed spread suggests this
	// row needs to reach the run's precision target; 0 when it reached
	// it or had none, -1 when too few pairs to tell.
	MorePairs int

	// Step compares this configuration with the same strategy on the
	// next smaller core count measured; nil if there is none.
	Step *Step

	// Loss splits the row's core-time, efficiency and losses; nil until
	// Report.Explain finds pairs with the evidence to split it with.
	Loss *Loss

	// Samples are the wall times, ascending.
	Samples []float64
	// pairs is each sample's loss evidence, in input order.
	pairs []pairEvidence
	// Warnings are benchmath's, such as too few samples for an interval.
	Warnings []error
}

// Name is the configuration as the tables and warnings name it, for
// example "pool/cores=4/workers=4".
func (r *Row) Name() string {
	return fmt.Sprintf("%s/cores=%d/workers=%d", r.Strategy, r.Cores, r.Workers)
}

// CIHalfWidth is how far the median's interval reaches on its wider side,
// as a fraction of the median (0.05 is ±5%); +Inf when it is unbounded.
func (r *Row) CIHalfWidth() float64 {
	if r.Median <= 0 {
		return math.NaN()
	}
	return math.Max(r.High/r.Median-1, 1-r.Low/r.Median)
}

// A Step says whether the time changed from fewer cores to this row's,
// by the Mann-Whitney U test.
type Step struct {
	FromCores, FromWorkers int
	// Change is the relative change of the median time: negative is
	// faster, -0.5 is twice as fast.
	Change float64
	// P is the test's p-value; Significant is P below the alpha of
	// benchmath.DefaultThresholds.
	P           float64
	Significant bool
}

// summarize fills the statistics of a row from its samples with benchmath.
func (r *Row) summarize(secs, cpuSecs, jobsPerSec []float64, jobs float64, confidence float64) {
	s := benchmath.NewSample(slices.Clone(secs), &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(s, confidence)
	r.N = len(s.Values)
	r.Samples = s.Values
	r.Median, r.Low, r.High, r.Confidence = sum.Center, sum.Lo, sum.Hi, sum.Confidence
	r.Warnings = append(s.Warnings, sum.Warnings...)
	r.CPUSeconds = medianOf(cpuSecs)
	r.JobsPerSec = medianOf(jobsPerSec)
	if math.IsNaN(r.JobsPerSec) && jobs > 0 {
		r.JobsPerSec = jobs / r.Median
	}
	r.JobsPerSecLow, r.JobsPerSecHigh = throughputInterval(jobs, r.Low, r.High)
	r.Speedup, r.SpeedupLow, r.SpeedupHigh, r.Efficiency = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	r.UnpairedSpeedup, r.UnpairedLow, r.UnpairedHigh = math.NaN(), math.NaN(), math.NaN()
	r.Attainable, r.EfficiencyVsCeiling = math.NaN(), math.NaN()
	r.Join, r.JoinLow, r.JoinHigh = math.NaN(), math.NaN(), math.NaN()
	r.FirstCPUSpeedup, r.FirstCPULow, r.FirstCPUHigh = math.NaN(), math.NaN(), math.NaN()
	nan := pairstat.Summary{Speedup: math.NaN(), Low: math.NaN(), High: math.NaN(), Confidence: math.NaN()}
	r.Estimates = pairstat.Estimates{Median: nan, TrimmedMean: nan, Totals: nan}
	r.Estimates.Median.Estimator, r.Estimates.Totals.Estimator = pairstat.MedianOfRatios, pairstat.RatioOfTotals
	r.Estimates.TrimmedMean.Estimator = pairstat.TrimmedMeanOfRatios
}

// medianOf is benchmath's median, or NaN for no values.
func medianOf(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := benchmath.NewSample(slices.Clone(xs), &benchmath.DefaultThresholds)
	return median(s)
}

// median is the center of benchmath's distribution-free summary.
func median(s *benchmath.Sample) float64 {
	return benchmath.AssumeNothing.Summary(s, DefaultOptions.Confidence).Center
}

// compare sets r.Step against prev with the Mann-Whitney U test.
func (r *Row) compare(prev *Row) {
	a := benchmath.NewSample(prev.Samples, &benchmath.DefaultThresholds)
	b := benchmath.NewSample(r.Samples, &benchmath.DefaultThresholds)
	c := benchmath.AssumeNothing.Compare(a, b)
	r.Step = &Step{
		FromCores:   prev.Cores,
		FromWorkers: prev.Workers,
		Change:      r.Median/prev.Median - 1,
		P:           c.P,
		Significant: c.P < c.Alpha,
	}
}

// throughputInterval turns an interval of batch times into one of jobs/s:
// the throughput falls as the time rises, so the bounds swap.
func throughputInterval(jobs, low, high float64) (lo, hi float64) {
	switch {
	case !(jobs > 0):
		return math.NaN(), math.NaN()
	case !(low > 0) || math.IsInf(high, 0) || math.IsNaN(high):
		return 0, math.Inf(1)
	}
	return jobs / high, jobs / low
}
