package pairstat

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"golang.org/x/perf/benchmath"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// An Estimator is a way to make one speedup, with an interval, out of a
// configuration's pairs.
type Estimator int

const (
	// MedianOfRatios is the median of the pairs' ratios with benchmath's
	// distribution-free interval (order statistics of the sample). It
	// ignores any minority of pairs, but when the pairs fall into two
	// groups it cannot settle between them: its interval spans the gap.
	MedianOfRatios Estimator = iota
	// TrimmedMeanOfRatios is the mean of the ratios left after cutting
	// Trim of them off each end, with Yuen's interval: the trimmed mean
	// ± Student's t (h-1 degrees of freedom, h the ratios kept) times
	// the standard error from the winsorized variance. It is as tight as
	// the median on quiet pairs and averages over two groups of pairs
	// instead of jumping between them.
	TrimmedMeanOfRatios
	// RatioOfTotals is the sum of the baseline halves' times over the
	// sum of the configuration's: the ratio of total throughputs, every
	// job weighing the same. Its interval is a percentile bootstrap over
	// pairs, seeded. A pair that a host wave slowed pulls it by its whole
	// length.
	RatioOfTotals
	numEstimators
)

// DefaultEstimator is the estimator of Summarize: the one the harness's
// stop rule and the report's speedup column use. The trimmed mean was
// chosen from held-out pairs of serial halves and a 2-goroutine pool on
// a 2-vCPU VM: as tight as the median when quiet (±0.2%), and tighter
// under a busy thread, where the pairs are bimodal (±5% against ±7-12%
// for the median, whose centre jumped between the two groups). The ratio
// of totals was ±1.7% quiet and ±3% busy but sat 1.5% below the other two
// when quiet, pulled by the pairs a host wave hit. Change it here; the
// report shows the other two beside it.
const DefaultEstimator = TrimmedMeanOfRatios

// Trim is the share of ratios the trimmed mean cuts off each end: 20%,
// the usual choice (Wilcox), which keeps 94% of the mean's efficiency on
// normal data and stays put when up to a fifth of the pairs on one side
// are wild.
const Trim = 0.2

// Estimators lists every estimator, in the order the report shows them.
func Estimators() []Estimator { return []Estimator{MedianOfRatios, TrimmedMeanOfRatios, RatioOfTotals} }

func (e Estimator) String() string {
	switch e {
	case MedianOfRatios:
		return "median-of-ratios"
	case TrimmedMeanOfRatios:
		return "trimmed-mean-of-ratios"
	case RatioOfTotals:
		return "ratio-of-totals"
	}
	return fmt.Sprintf("Estimator(%d)", int(e))
}

// Title is the estimator's name in a sentence or a column head.
func (e Estimator) Title() string {
	switch e {
	case MedianOfRatios:
		return "median of ratios"
	case TrimmedMeanOfRatios:
		return fmt.Sprintf("%.0f%%-trimmed mean of ratios", 100*Trim)
	case RatioOfTotals:
		return "ratio of totals"
	}
	return e.String()
}

// Method says how the estimator makes a speedup and its interval, for
// the report's notes.
func (e Estimator) Method() string {
	switch e {
	case MedianOfRatios:
		return "the median of the pairs' ratios, with its distribution-free interval (benchmath)"
	case TrimmedMeanOfRatios:
		return fmt.Sprintf("the %.0f%%-trimmed mean of the pairs' ratios, with Yuen's interval (winsorized variance, Student's t)", 100*Trim)
	case RatioOfTotals:
		return "the sum of the baseline halves' times over the sum of the configuration's, with a percentile bootstrap over pairs"
	}
	return e.String()
}

// efficiency is the estimator's variance over n normal values relative
// to the mean's, n large: how many times the pairs it needs to match the
// mean's precision.
func (e Estimator) efficiency() float64 {
	switch e {
	case MedianOfRatios:
		return math.Pi / 2
	case TrimmedMeanOfRatios:
		// The γ-trimmed mean's asymptotic variance is the
		// γ-winsorized variance over (1-2γ)^2; for the standard
		// normal, with z its 1-γ quantile, the winsorized variance is
		// (1-2γ) - 2zφ(z) + 2γz^2 (1.14 in all at γ = 0.2).
		z := distuv.UnitNormal.Quantile(1 - Trim)
		w := (1 - 2*Trim) - 2*z*distuv.UnitNormal.Prob(z) + 2*Trim*z*z
		return w / ((1 - 2*Trim) * (1 - 2*Trim))
	}
	return 1
}

// Options are the settings of Estimate.
type Options struct {
	// Confidence is the level of every interval, such as 0.95.
	Confidence float64
	// Resamples is the number of bootstrap resamples of the ratio of
	// totals; Seed seeds them, together with the pairs themselves, so
	// that the same pairs always give the same interval.
	Resamples int
	Seed      uint64
}

// DefaultOptions are the settings Summarize and SummarizePairs use for
// the ratio of totals' bootstrap.
var DefaultOptions = Options{Confidence: 0.95, Resamples: 2000, Seed: 1}

// Estimates are one configuration's speedup by every estimator.
type Estimates struct {
	Median, TrimmedMean, Totals Summary
}

// Of is the speedup by estimator e.
func (es Estimates) Of(e Estimator) Summary {
	switch e {
	case MedianOfRatios:
		return es.Median
	case RatioOfTotals:
		return es.Totals
	}
	return es.TrimmedMean
}

// Default is the speedup by DefaultEstimator.
func (es Estimates) Default() Summary { return es.Of(DefaultEstimator) }

// Estimate summarizes pairs by every estimator. Pair i is base[i], the
// baseline half's time, and x[i], the configuration's; pairs without both
// times positive and finite are left out, as Ratios leaves them out. No
// pairs give NaN everywhere.
func Estimate(base, x []float64, o Options) Estimates {
	return Estimates{
		Median:      estimateOne(MedianOfRatios, base, x, o),
		TrimmedMean: estimateOne(TrimmedMeanOfRatios, base, x, o),
		Totals:      estimateOne(RatioOfTotals, base, x, o),
	}
}

// SummarizePairs is the speedup of pairs by DefaultEstimator, with
// DefaultOptions' bootstrap for the ratio of totals. Unlike Summarize it
// sees the pairs' times, which the ratio of totals needs.
func SummarizePairs(base, x []float64, confidence float64) Summary {
	o := DefaultOptions
	o.Confidence = confidence
	return estimateOne(DefaultEstimator, base, x, o)
}

// estimateOne is Estimate by one estimator.
func estimateOne(e Estimator, base, x []float64, o Options) Summary {
	var bs, xs []float64
	for i := range min(len(base), len(x)) {
		if usable(base[i], x[i]) {
			bs, xs = append(bs, base[i]), append(xs, x[i])
		}
	}
	if e == RatioOfTotals {
		return totalsOf(bs, xs, o)
	}
	ratios := make([]float64, len(bs))
	for i := range bs {
		ratios[i] = bs[i] / xs[i]
	}
	if e == MedianOfRatios {
		return medianOf(ratios, o.Confidence)
	}
	return trimmedMeanOf(ratios, o.Confidence)
}

func usable(b, v float64) bool {
	return b > 0 && v > 0 && !math.IsInf(b, 0) && !math.IsInf(v, 0)
}

// MinPairs is the fewest pairs from which any estimator gives a finite
// interval at level confidence: the fewest from which the median's
// distribution-free interval exists (2 x 0.5^n <= 1 - confidence; 6 at
// 95%). The parametric intervals could be computed from fewer, but their
// coverage from a handful of pairs that may be bimodal is nowhere near
// nominal, and one rule for all keeps the stop rule's minimum the same
// whichever estimator is the default.
func MinPairs(confidence float64) int {
	if !(confidence > 0 && confidence < 1) {
		return math.MaxInt
	}
	n := 2
	for 2*math.Pow(0.5, float64(n)) > 1-confidence && n < 1000 {
		n++
	}
	return n
}

func nanSummary(e Estimator) Summary {
	return Summary{Speedup: math.NaN(), Low: math.NaN(), High: math.NaN(), Confidence: math.NaN(), Estimator: e}
}

func medianOf(ratios []float64, confidence float64) Summary {
	if len(ratios) == 0 {
		return nanSummary(MedianOfRatios)
	}
	s := benchmath.NewSample(slices.Clone(ratios), &benchmath.DefaultThresholds)
	sum := benchmath.AssumeNothing.Summary(s, confidence)
	return Summary{Pairs: len(ratios), Speedup: sum.Center, Low: sum.Lo, High: sum.Hi, Confidence: sum.Confidence, Estimator: MedianOfRatios}
}

// TrimmedMean is the mean of xs after cutting floor(Trim x n) values off
// each end of their sorted order; NaN for none.
func TrimmedMean(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	g := int(Trim * float64(len(s)))
	return stat.Mean(s[g:len(s)-g], nil)
}

// trimmedMeanOf is the trimmed mean of ratios with Yuen's interval: with
// g = floor(Trim n) cut off each end and h = n - 2g kept, the standard
// error is sqrt((n-1) s_w^2 / (h (h-1))), s_w^2 the variance of the
// ratios winsorized at the same g, and the interval is the trimmed mean
// ± the (1+c)/2 quantile of Student's t with h-1 degrees of freedom
// times it.
func trimmedMeanOf(ratios []float64, confidence float64) Summary {
	n := len(ratios)
	if n == 0 {
		return nanSummary(TrimmedMeanOfRatios)
	}
	s := slices.Clone(ratios)
	slices.Sort(s)
	g := int(Trim * float64(n))
	h := n - 2*g
	center := stat.Mean(s[g:n-g], nil)
	sum := Summary{Pairs: n, Speedup: center, Low: math.Inf(-1), High: math.Inf(1), Confidence: confidence, Estimator: TrimmedMeanOfRatios}
	if n < MinPairs(confidence) || h < 2 {
		return sum
	}
	w := s // winsorized in place: s is ours
	for i := range g {
		w[i] = w[g]
		w[n-1-i] = w[n-1-g]
	}
	sw2 := stat.Variance(w, nil)
	se := math.Sqrt(float64(n-1) * sw2 / float64(h*(h-1)))
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(h - 1)}.Quantile((1 + confidence) / 2)
	sum.Low, sum.High = center-t*se, center+t*se
	return sum
}

// totalsOf is sum(base)/sum(x) with a percentile bootstrap over pairs:
// each resample draws n pairs with replacement and takes its ratio of
// sums; the interval runs between the (1-c)/2 and (1+c)/2 quantiles.
func totalsOf(base, x []float64, o Options) Summary {
	n := len(base)
	if n == 0 {
		return nanSummary(RatioOfTotals)
	}
	center := stat.Mean(base, nil) / stat.Mean(x, nil)
	sum := Summary{Pairs: n, Speedup: center, Low: math.Inf(-1), High: math.Inf(1), Confidence: o.Confidence, Estimator: RatioOfTotals}
	if n < MinPairs(o.Confidence) || o.Resamples < 1 {
		return sum
	}
	rng := pairsRand(o.Seed, base, x)
	ratios := make([]float64, o.Resamples)
	for r := range ratios {
		var sb, sx float64
		for range n {
			i := rng.IntN(n)
			sb += base[i]
			sx += x[i]
		}
		ratios[r] = sb / sx
	}
	slices.Sort(ratios)
	tail := (1 - o.Confidence) / 2
	sum.Low = stat.Quantile(tail, stat.LinInterp, ratios, nil)
	sum.High = stat.Quantile(1-tail, stat.LinInterp, ratios, nil)
	return sum
}

// pairsRand is the bootstrap's random source: seeded by the options and
// by the pairs, so that a configuration's interval does not depend on
// what else was estimated before it.
func pairsRand(seed uint64, base, x []float64) *rand.Rand {
	h := fnv.New64a()
	var b [8]byte
	for _, vs := range [][]float64{base, x} {
		for _, v := range vs {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			h.Write(b[:])
		}
	}
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
