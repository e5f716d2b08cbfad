// Package pairstat is the statistics of paired batches, shared by the
// harness (which decides when a configuration has enough pairs) and the
// report (which prints them), so that both judge a pair the same way.
//
// A pair is a baseline batch and a batch of a configuration run right next
// to each other in time. Its ratio T(baseline)/T(configuration) is that
// pair's speedup: a slow wave of the machine that hits both batches
// cancels out of it. The speedup of a configuration is its pairs'
// ratios summarized by DefaultEstimator (the 20%-trimmed mean, with
// Yuen's interval); Estimate gives every estimator side by side, and
// TwoModes says when the pairs fall into two groups that no single
// figure describes well.
package pairstat

import (
	"math"
	"slices"
)

// A Summary is the paired speedup of one configuration by one estimator.
type Summary struct {
	Pairs int
	// Speedup is the estimate; [Low, High] its interval at level
	// Confidence (or above, for the median's order statistics). With
	// fewer than MinPairs pairs the ends are infinite, as benchmath
	// gives them.
	Speedup, Low, High float64
	Confidence         float64
	// Estimator is how Speedup and its interval were made.
	Estimator Estimator
}

// Ratios are base[i]/x[i] for every pair with both times positive and
// finite; others are left out.
func Ratios(base, x []float64) []float64 {
	n := min(len(base), len(x))
	out := make([]float64, 0, n)
	for i := range n {
		b, v := base[i], x[i]
		if b > 0 && v > 0 && !math.IsInf(b, 0) && !math.IsInf(v, 0) {
			out = append(out, b/v)
		}
	}
	return out
}

// Summarize is the speedup of pairs, given by their ratios, by
// DefaultEstimator, with its interval at level confidence. No ratios give
// NaN everywhere.
//
// Ratios alone do not carry the pairs' times, which the ratio of totals
// weighs them by: with DefaultEstimator set to RatioOfTotals, Summarize
// takes every pair's baseline half to have taken the same time (the
// harmonic mean of the ratios), and SummarizePairs, which sees the
// times, is the one to call.
func Summarize(ratios []float64, confidence float64) Summary {
	ones := make([]float64, len(ratios))
	for i := range ones {
		ones[i] = 1
	}
	o := DefaultOptions
	o.Confidence = confidence
	if DefaultEstimator == RatioOfTotals {
		xs := make([]float64, len(ratios))
		for i, r := range ratios {
			xs[i] = 1 / r
		}
		return estimateOne(DefaultEstimator, ones, xs, o)
	}
	return estimateOne(DefaultEstimator, ratios, ones, o)
}

// HalfWidth is how far the interval reaches on its wider side, as a
// fraction of the speedup (0.03 is ±3%); +Inf when unbounded, NaN with no
// pairs.
func (s Summary) HalfWidth() float64 {
	if !(s.Speedup > 0) {
		return math.NaN()
	}
	return math.Max(s.High/s.Speedup-1, 1-s.Low/s.Speedup)
}

// MorePairs is how many pairs beyond the n already taken the observed
// spread suggests a configuration needs to bring its half-width hw down
// to target: a median's interval narrows as 1/sqrt(n), so n pairs become
// n*(hw/target)^2. It is 0 when hw is already within target, and -1 when
// hw is not finite (too few pairs to tell).
func MorePairs(n int, hw, target float64) int {
	switch {
	case math.IsNaN(hw) || math.IsInf(hw, 0) || n < 1 || !(target > 0):
		return -1
	case hw <= target:
		return 0
	}
	need := math.Ceil(float64(n) * (hw / target) * (hw / target))
	if need > 1e9 {
		need = 1e9
	}
	return max(1, int(need)-n)
}

// Spread is how much values vary on their own: the half-width of the range
// that holds their central 95%, as a fraction of their median, estimated
// robustly from the median absolute deviation (1.96 x 1.4826 x MAD /
// median), so that one outlier does not set it. NaN for fewer than 3
// values.
func Spread(values []float64) float64 {
	if len(values) < 3 {
		return math.NaN()
	}
	med := median(values)
	if !(med > 0) {
		return math.NaN()
	}
	dev := make([]float64, len(values))
	for i, v := range values {
		dev[i] = math.Abs(v - med)
	}
	return 1.96 * 1.4826 * median(dev) / med
}

// StepSpread is Spread of the ratios of consecutive values: how much one
// batch differs from the next, which is what pairing cannot remove (slow
// drift cancels in a ratio of neighbours; batch-to-batch jitter does not).
func StepSpread(values []float64) float64 {
	var ratios []float64
	for i := 1; i < len(values); i++ {
		if values[i-1] > 0 && values[i] > 0 {
			ratios = append(ratios, values[i]/values[i-1])
		}
	}
	return Spread(ratios)
}

// AllowedHalfWidth is the half-width that DefaultEstimator over n pair
// ratios whose own spread (as Spread gives it) is ratioSpread can be
// expected to reach on normal noise: a standard error of about
// sqrt(v) sigma / sqrt(n), with v the estimator's variance relative to
// the mean's (pi/2 for the median, 1.14 for the 20%-trimmed mean), and a
// 95% interval of 1.96 standard errors either side. NaN for n < 1 or an
// unknown spread.
func AllowedHalfWidth(ratioSpread float64, n int) float64 {
	if n < 1 || math.IsNaN(ratioSpread) {
		return math.NaN()
	}
	sigma := ratioSpread / 1.96
	return 1.96 * math.Sqrt(DefaultEstimator.efficiency()) * sigma / math.Sqrt(float64(n))
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Names shared by the harness, which writes them into bench.txt, and the
// report, which reads them.
const (
	// CeilingName is the strategy= of the ceiling's benchmark lines:
	// k independent copies of the serial batch at once, one per CPU.
	CeilingName = "ceiling"
	// CalibrationName is the strategy= of the calibration loop's lines:
	// the pinned serial batch repeated, to measure the machine's spread.
	CalibrationName = "calibration"
	// BaselineUnit is the unit, on a sample line, of the baseline batch
	// run right next to it: the other half of its pair.
	BaselineUnit = "baseline-ns/op"
)
