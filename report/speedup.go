package report

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"golang.org/x/perf/benchmath"
	"gonum.org/v1/gonum/stat"
)

// SpeedupCI estimates T(base) / T(x), the ratio of the medians of two
// independent sets of times, with a percentile bootstrap interval at level
// confidence: each of resamples rounds draws len(base) and len(x) values
// with replacement, independently, and takes the ratio of their medians;
// low and high are the (1-confidence)/2 and (1+confidence)/2 quantiles of
// those ratios. Medians are benchmath's. With fewer than two values on
// either side there is nothing to resample: the interval is [0, +Inf].
// rng makes the result reproducible; SpeedupCI does not keep it.
func SpeedupCI(base, x []float64, confidence float64, resamples int, rng *rand.Rand) (speedup, low, high float64) {
	if len(base) == 0 || len(x) == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	th := &benchmath.DefaultThresholds
	speedup = median(benchmath.NewSample(slices.Clone(base), th)) / median(benchmath.NewSample(slices.Clone(x), th))
	if len(base) < 2 || len(x) < 2 || resamples < 1 {
		return speedup, 0, math.Inf(1)
	}
	ratios := make([]float64, resamples)
	bs, xs := make([]float64, len(base)), make([]float64, len(x))
	for i := range ratios {
		for j := range bs {
			bs[j] = base[rng.IntN(len(base))]
		}
		for j := range xs {
			xs[j] = x[rng.IntN(len(x))]
		}
		ratios[i] = bootMedian(bs) / bootMedian(xs)
	}
	slices.Sort(ratios)
	tail := (1 - confidence) / 2
	return speedup, stat.Quantile(tail, stat.LinInterp, ratios, nil), stat.Quantile(1-tail, stat.LinInterp, ratios, nil)
}

// rowRand is the random source for one row's bootstrap: seeded by the
// options and by what the row is (its configuration and its samples), not
// by its machine's label, which changes with the other runs in a report;
// so a row's interval does not depend on which other rows or runs are in
// the report or in what order.
func rowRand(seed uint64, r *Row) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(r.Name()))
	var b [8]byte
	for _, v := range r.Samples {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// setSpeedups fills speedup, its interval and efficiency for rows of one
// machine against base, the baseline's row.
func setSpeedups(rows []*Row, base *Row, o Options) {
	for _, r := range rows {
		if r == base {
			r.Speedup, r.SpeedupLow, r.SpeedupHigh = 1, 1, 1
		} else {
			// As benchmath gives no median interval below its minimum,
			// a bootstrap of a handful of samples has nowhere near its
			// nominal coverage: no interval rather than a false one, and
			// no resamples spent on it.
			resamples := o.Resamples
			if min(len(base.Samples), len(r.Samples)) < o.MinSamples {
				resamples = 0
			}
			r.Speedup, r.SpeedupLow, r.SpeedupHigh = SpeedupCI(base.Samples, r.Samples, o.Confidence, resamples, rowRand(o.Seed, r))
		}
		r.Efficiency = r.Speedup / float64(r.Cores)
	}
}
