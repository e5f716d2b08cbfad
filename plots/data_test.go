package plots

import (
	"math"
	"strings"
	"testing"
)

func TestValidationErrors(t *testing.T) {
	ok := func() Series {
		return Series{Strategy: "pool", Machine: "m1", Points: []Point{{1, 1, 1, 1}, {2, 1.9, 1.8, 2}}}
	}
	with := func(f func(*Series)) []Series {
		s := ok()
		f(&s)
		return []Series{s}
	}
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		name string
		in   []Series
		want string
	}{
		{"no series", nil, "no series to draw"},
		{"no strategy", with(func(s *Series) { s.Strategy = "" }), "series has no strategy name"},
		{"no points", with(func(s *Series) { s.Points = nil }), `series "pool @ m1": no points`},
		{"NaN value", with(func(s *Series) { s.Points[1].Y = nan }), `series "pool @ m1": point 1 (cores=2): value is NaN`},
		{"NaN cores", with(func(s *Series) { s.Points[0].X = nan }), `point 0 (cores=NaN): cores is NaN`},
		{"Inf high", with(func(s *Series) { s.Points[1].High = inf }), `point 1 (cores=2): high is infinite`},
		{"-Inf low", with(func(s *Series) { s.Points[1].Low = -inf }), `point 1 (cores=2): low is infinite`},
		{"zero cores", with(func(s *Series) { s.Points[0].X = 0 }), `point 0 (cores=0): cores must be positive`},
		{"negative low", with(func(s *Series) { s.Points[0] = Point{1, 0, -0.1, 0.1} }), `low -0.1 is negative`},
		{"interval misses value", with(func(s *Series) { s.Points[1].Low = 1.95 }), `interval [1.95, 2] does not contain value 1.9`},
		{"low above high", with(func(s *Series) { s.Points[1] = Point{2, 1.9, 2, 1.8} }), `interval [2, 1.8] does not contain value 1.9`},
		{"same cores twice", with(func(s *Series) { s.Points[1].X = 1 }), `points 0 and 1 both have cores=1`},
		{"same series twice", []Series{ok(), ok()}, `series 1: "pool @ m1" appears twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for name, draw := range map[string]func(Chart, []Series) (*Figure, error){
				"Speedup": Speedup, "Efficiency": Efficiency, "Throughput": Throughput, "Time": Time,
			} {
				f, err := draw(Chart{}, tc.in)
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: got error %v, want one containing %q", name, err, tc.want)
				}
				if f != nil {
					t.Errorf("%s: got a figure with the error", name)
				}
			}
		})
	}
}

func TestSeriesName(t *testing.T) {
	for _, tc := range []struct {
		s    Series
		want string
	}{
		{Series{Strategy: "pool"}, "pool"},
		{Series{Strategy: "pool", Machine: "ci-box"}, "pool @ ci-box"},
	} {
		if got := tc.s.Name(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
