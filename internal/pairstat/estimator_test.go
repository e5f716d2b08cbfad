package pairstat

import (
	"math"
	"math/rand/v2"
	"testing"
)

// noisy returns n values center x (1 + sd x N(0,1)), from a seeded source.
func noisy(seed uint64, n int, center, sd float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]float64, n)
	for i := range out {
		out[i] = center * (1 + sd*rng.NormFloat64())
	}
	return out
}

func ones(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = 1
	}
	return out
}

func TestYuenInterval(t *testing.T) {
	// Ratios 1..10: g = 2 cut each end, h = 6 kept; trimmed mean 5.5;
	// winsorized 3 3 3 4 5 6 7 8 8 8, variance 42.5/9; standard error
	// sqrt(9 x 4.7222 / (6 x 5)) = 1.19024; t(0.975, 5) = 2.570582.
	ratios := []float64{7, 1, 9, 2, 10, 3, 8, 4, 6, 5}
	s := Estimate(ratios, ones(len(ratios)), DefaultOptions).TrimmedMean
	half := 2.570582 * 1.190238
	if s.Pairs != 10 || math.Abs(s.Speedup-5.5) > 1e-12 || math.Abs(s.Low-(5.5-half)) > 1e-5 || math.Abs(s.High-(5.5+half)) > 1e-5 {
		t.Errorf("trimmed mean of 1..10: %+v, want 5.5 [%.5f, %.5f] from 10 pairs", s, 5.5-half, 5.5+half)
	}
	if s.Estimator != TrimmedMeanOfRatios {
		t.Errorf("estimator %v, want %v", s.Estimator, TrimmedMeanOfRatios)
	}
}

func TestRatioOfTotals(t *testing.T) {
	base := []float64{10, 20, 30, 10, 20, 30, 10, 20}
	x := []float64{5, 5, 20, 5, 10, 10, 5, 10}
	s := Estimate(base, x, DefaultOptions).Totals
	if want := 150.0 / 70; math.Abs(s.Speedup-want) > 1e-12 {
		t.Errorf("ratio of totals %v, want 150/70 = %v", s.Speedup, want)
	}
	if !(s.Low < s.Speedup && s.Speedup < s.High) {
		t.Errorf("interval [%v, %v] does not hold %v", s.Low, s.High, s.Speedup)
	}
	again := Estimate(base, x, DefaultOptions).Totals
	if again != s {
		t.Errorf("same pairs, same seed: %+v then %+v", s, again)
	}
	o := DefaultOptions
	o.Seed = 2
	if other := Estimate(base, x, o).Totals; other.Low == s.Low && other.High == s.High {
		t.Errorf("another seed gave the same bootstrap interval [%v, %v]", s.Low, s.High)
	}
}

func TestEstimateEveryEstimator(t *testing.T) {
	base := noisy(1, 100, 2, 0.01)
	tests := []struct {
		name        string
		base, x     []float64
		wantPairs   int
		wantCenter  float64 // each estimator within 1%
		wantBounded bool
	}{
		{"quiet pairs", base, ones(100), 100, 2, true},
		{"unusable pairs left out", append([]float64{0, math.Inf(1), 2, 2, 2, 2, 2, 2}, 2), []float64{1, 1, math.NaN(), 1, 1, 1, 1, 1, 1}, 6, 2, true},
		{"too few for an interval", []float64{2, 2, 2, 2, 2}, ones(5), 5, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := Estimate(tt.base, tt.x, DefaultOptions)
			for _, e := range Estimators() {
				s := es.Of(e)
				if s.Estimator != e || s.Pairs != tt.wantPairs || math.Abs(s.Speedup/tt.wantCenter-1) > 0.01 {
					t.Errorf("%v: %+v, want %d pairs near %v", e, s, tt.wantPairs, tt.wantCenter)
				}
				bounded := !math.IsInf(s.Low, 0) && !math.IsInf(s.High, 0)
				if bounded != tt.wantBounded {
					t.Errorf("%v: interval [%v, %v] bounded %v, want %v", e, s.Low, s.High, bounded, tt.wantBounded)
				}
				if bounded && !(s.Low <= s.Speedup && s.Speedup <= s.High) {
					t.Errorf("%v: interval [%v, %v] does not hold %v", e, s.Low, s.High, s.Speedup)
				}
			}
		})
	}
	if s := Estimate(nil, nil, DefaultOptions).Default(); !math.IsNaN(s.Speedup) || s.Pairs != 0 {
		t.Errorf("no pairs: %+v, want NaN", s)
	}
}

// TestSummarizeIsTheDefault: the harness's stop rule and the report
// must judge a configuration the same way.
func TestSummarizeIsTheDefault(t *testing.T) {
	ratios := noisy(3, 40, 1.9, 0.05)
	got := Summarize(ratios, 0.95)
	want := SummarizePairs(ratios, ones(len(ratios)), 0.95)
	if got != want || got.Estimator != DefaultEstimator {
		t.Errorf("Summarize = %+v, want SummarizePairs' %+v by %v", got, want, DefaultEstimator)
	}
}

func TestMinPairs(t *testing.T) {
	for _, tt := range []struct {
		confidence float64
		want       int
	}{{0.95, 6}, {0.99, 8}, {0.9, 5}} {
		if got := MinPairs(tt.confidence); got != tt.want {
			t.Errorf("MinPairs(%v) = %d, want %d", tt.confidence, got, tt.want)
		}
	}
}

func TestEfficiency(t *testing.T) {
	// The 20%-trimmed mean's asymptotic variance on normal data, worked
	// by hand: z = 0.841621, phi(z) = 0.279962; (0.6 - 2 z phi(z) +
	// 0.4 z^2) / 0.36 = 1.14469.
	if got := TrimmedMeanOfRatios.efficiency(); math.Abs(got-1.14469) > 1e-4 {
		t.Errorf("trimmed mean's variance relative to the mean's: %v, want 1.14469", got)
	}
	if got := MedianOfRatios.efficiency(); got != math.Pi/2 {
		t.Errorf("median's: %v, want pi/2", got)
	}
}
