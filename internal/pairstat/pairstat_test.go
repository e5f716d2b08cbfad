package pairstat

import (
	"math"
	"testing"
)

func TestMorePairs(t *testing.T) {
	tests := []struct {
		name       string
		n          int
		hw, target float64
		want       int
	}{
		{"met", 10, 0.02, 0.03, 0},
		{"exactly met", 10, 0.03, 0.03, 0},
		{"twice too wide needs 4x the pairs", 10, 0.06, 0.03, 30},
		{"a little too wide", 100, 0.031, 0.03, 7},
		{"unbounded", 5, math.Inf(1), 0.03, -1},
		{"no pairs", 0, math.NaN(), 0.03, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := MorePairs(tt.n, tt.hw, tt.target); got != tt.want {
				t.Errorf("MorePairs(%d, %v, %v) = %d, want %d", tt.n, tt.hw, tt.target, got, tt.want)
			}
		})
	}
}

func TestSummarize(t *testing.T) {
	r := Ratios([]float64{2, 2, 2, 2, 2, 2, 0, 2}, []float64{1, 1.1, 0.9, 1, 1.05, 0.95, 1, math.Inf(1)})
	if len(r) != 6 {
		t.Fatalf("Ratios kept %d pairs, want 6 (a zero and an infinite time left out)", len(r))
	}
	s := Summarize(r, 0.95)
	if s.Pairs != 6 || math.Abs(s.Speedup-2) > 0.01 || !(s.Low < 2 && s.High > 2) || s.Confidence < 0.95 {
		t.Errorf("Summarize: %+v, want 6 pairs, median 2 inside its interval at 95%% or more", s)
	}
	if hw := Summarize(r[:5], 0.95).HalfWidth(); !math.IsInf(hw, 1) {
		t.Errorf("5 pairs: half-width %v, want +Inf (no 95%% interval from 5)", hw)
	}
	if s := Summarize(nil, 0.95); !math.IsNaN(s.Speedup) || !math.IsNaN(s.HalfWidth()) {
		t.Errorf("no pairs: %+v, want NaN", s)
	}
}

func TestSpread(t *testing.T) {
	// Values whose MAD is 1% of the median: ±1.96 x 1.4826 x 1%.
	v := []float64{0.99, 1.01, 1, 0.99, 1.01, 1, 1.5}
	if got, want := Spread(v), 1.96*1.4826*0.01; math.Abs(got-want) > 1e-9 {
		t.Errorf("Spread = %v, want %v (the outlier 1.5 must not set it)", got, want)
	}
	if !math.IsNaN(Spread([]float64{1, 2})) {
		t.Error("Spread of 2 values is not NaN")
	}
	// A steady drift moves every batch but barely changes neighbours.
	drift := []float64{1, 1.02, 1.04, 1.06, 1.08, 1.10, 1.12}
	if s, st := Spread(drift), StepSpread(drift); !(st < s/5) {
		t.Errorf("drift: step spread %v not well below spread %v", st, s)
	}
}

func TestAllowedHalfWidth(t *testing.T) {
	a, b := AllowedHalfWidth(0.1, 25), AllowedHalfWidth(0.1, 100)
	if math.Abs(a/b-2) > 1e-9 {
		t.Errorf("4x the pairs: %v then %v, want half", a, b)
	}
	if !math.IsNaN(AllowedHalfWidth(0.1, 0)) {
		t.Error("0 pairs allow a half-width")
	}
}
