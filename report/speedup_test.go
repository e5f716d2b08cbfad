package report

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lognormal draws n times with median m and spread s (of the log).
func lognormal(rng *rand.Rand, n int, m, s float64) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = m * math.Exp(s*rng.NormFloat64())
	}
	return xs
}

func TestSpeedupCIKnownAnswer(t *testing.T) {
	tests := []struct {
		name          string
		base, x       []float64
		want, lo, hi  float64
		exactInterval bool
	}{
		{"constant samples", []float64{2, 2, 2, 2, 2, 2}, []float64{0.5, 0.5, 0.5, 0.5, 0.5, 0.5}, 4, 4, 4, true},
		{"one sample each", []float64{3}, []float64{1}, 3, 0, math.Inf(1), true},
		{"odd medians", []float64{9, 10, 11}, []float64{4, 5, 6, 100}, 10 / 5.5, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, lo, hi := SpeedupCI(tt.base, tt.x, 0.95, 1000, rand.New(rand.NewPCG(1, 2)))
			if math.Abs(s-tt.want) > 1e-12 {
				t.Errorf("speedup = %v, want %v", s, tt.want)
			}
			if tt.exactInterval && (lo != tt.lo || hi != tt.hi) {
				t.Errorf("interval [%v, %v], want [%v, %v]", lo, hi, tt.lo, tt.hi)
			}
			if !(lo <= s && s <= hi) {
				t.Errorf("interval [%v, %v] does not hold the speedup %v", lo, hi, s)
			}
		})
	}
}

// TestSpeedupCICoverage runs many synthetic experiments whose true ratio of
// medians is 2.5 and checks that the 95% interval holds it in about 95% of
// them: at least 90%, four binomial standard deviations below, and not
// nearly always (which would mean it is too wide to be useful).
func TestSpeedupCICoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of bootstraps")
	}
	const trials, n, truth = 300, 10, 2.5
	rng := rand.New(rand.NewPCG(5, 6))
	hits := 0
	var width float64
	for range trials {
		base := lognormal(rng, n, 10, 0.02)
		x := lognormal(rng, n, 10/truth, 0.02)
		_, lo, hi := SpeedupCI(base, x, 0.95, 1000, rng)
		if lo <= truth && truth <= hi {
			hits++
		}
		width += (hi - lo) / truth / trials
	}
	coverage := float64(hits) / trials
	if coverage < 0.90 || coverage > 0.995 {
		t.Errorf("coverage %.3f over %d experiments, want about 0.95", coverage, trials)
	}
	// With 2% noise and 10 samples each side, the interval should be a
	// few percent wide, not tens.
	if width > 0.06 {
		t.Errorf("mean relative width %.3f, want below 0.06", width)
	}
}

func TestSpeedupCIReproducible(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	base, x := lognormal(rng, 10, 1, 0.05), lognormal(rng, 10, 0.5, 0.05)
	_, lo1, hi1 := SpeedupCI(base, x, 0.95, 2000, rand.New(rand.NewPCG(1, 1)))
	_, lo2, hi2 := SpeedupCI(base, x, 0.95, 2000, rand.New(rand.NewPCG(1, 1)))
	if lo1 != lo2 || hi1 != hi2 {
		t.Errorf("same seed, different intervals: [%v, %v] and [%v, %v]", lo1, hi1, lo2, hi2)
	}
}

func TestSpeedupCIEmpty(t *testing.T) {
	s, lo, hi := SpeedupCI(nil, []float64{1}, 0.95, 100, rand.New(rand.NewPCG(1, 1)))
	if !math.IsNaN(s) || !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Errorf("got %v [%v, %v] with no baseline, want NaN", s, lo, hi)
	}
}

// TestSpeedupNoIntervalFromFewSamples: below Options.MinSamples on either
// side the report gives no speedup interval, as benchmath gives no median
// interval, rather than a bootstrap of a handful of values.
func TestSpeedupNoIntervalFromFewSamples(t *testing.T) {
	o := DefaultOptions
	tests := []struct {
		name     string
		n        int
		interval bool
	}{
		{"two samples", 2, false},
		{"one below the minimum", o.MinSamples - 1, false},
		{"the minimum", o.MinSamples, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := &Row{Strategy: "serial", Cores: 1, Workers: 1}
			x := &Row{Strategy: "pool", Cores: 2, Workers: 2}
			for i := range tt.n {
				base.Samples = append(base.Samples, 1+float64(i)/100)
				x.Samples = append(x.Samples, 0.5+float64(i)/100)
			}
			setSpeedups([]*Row{base, x}, base, o)
			finite := !math.IsInf(x.SpeedupHigh, 0) && x.SpeedupLow > 0
			if finite != tt.interval {
				t.Errorf("n=%d: interval [%g, %g], want an interval: %v", tt.n, x.SpeedupLow, x.SpeedupHigh, tt.interval)
			}
		})
	}
}

// Below the minimum the bootstrap is not run at all: with a resample count
// no slice can hold, running it would panic in make.
func TestSpeedupSkipsBootstrapForFewSamples(t *testing.T) {
	o := DefaultOptions
	o.Resamples = math.MaxInt
	base := &Row{Strategy: "serial", Cores: 1, Workers: 1, Samples: []float64{1, 1.1, 1.2}}
	x := &Row{Strategy: "pool", Cores: 2, Workers: 2, Samples: []float64{0.5, 0.6, 0.7}}
	setSpeedups([]*Row{base, x}, base, o)
	if want := 1.1 / 0.6; x.SpeedupLow != 0 || !math.IsInf(x.SpeedupHigh, 1) || math.Abs(x.Speedup-want) > 1e-12 {
		t.Errorf("speedup %g [%g, %g], want %g [0, +Inf] (the medians 1.1 / 0.6)", x.Speedup, x.SpeedupLow, x.SpeedupHigh, 1.1/0.6)
	}
}

func TestThroughputInterval(t *testing.T) {
	inf := math.Inf(1)
	tests := []struct {
		name            string
		jobs, low, high float64
		wantLo, wantHi  float64
		wantNaN         bool
	}{
		{"bounds swap", 100, 2, 4, 25, 50, false},
		{"unbounded time: unbounded throughput", 100, math.Inf(-1), inf, 0, inf, false},
		{"unbounded above only", 100, 2, inf, 0, inf, false},
		{"jobs unknown", math.NaN(), 2, 4, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lo, hi := throughputInterval(tt.jobs, tt.low, tt.high)
			if tt.wantNaN {
				if !math.IsNaN(lo) || !math.IsNaN(hi) {
					t.Errorf("got [%g, %g], want NaN", lo, hi)
				}
				return
			}
			if lo != tt.wantLo || hi != tt.wantHi {
				t.Errorf("got [%g, %g], want [%g, %g]", lo, hi, tt.wantLo, tt.wantHi)
			}
		})
	}
}
