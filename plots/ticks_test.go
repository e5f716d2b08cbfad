package plots

import (
	"fmt"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

// labels lists the labelled ticks.
func labels(ticks []plot.Tick) string {
	var out []string
	for _, t := range ticks {
		if t.Label != "" {
			out = append(out, t.Label)
		}
	}
	return strings.Join(out, " ")
}

func TestCoresAxis(t *testing.T) {
	for _, tc := range []struct {
		scale      Scale
		xmin, xmax float64
		wantScale  axisScale
		wantMin    float64
		want       string
	}{
		{ScaleAuto, 1, 1, linearAxis, 0, "1"},
		{ScaleAuto, 1, 8, linearAxis, 0, "1 2 3 4 5 6 7 8"},
		{ScaleAuto, 1, 12, linearAxis, 0, "1 2 4 6 8 10 12"},
		{ScaleAuto, 1, 16, linearAxis, 0, "1 2 4 6 8 10 12 14 16"},
		{ScaleAuto, 2, 24, linearAxis, 0, "1 4 8 12 16 20 24"},
		{ScaleAuto, 1, 31, linearAxis, 0, "1 4 8 12 16 20 24 28"},
		{ScaleAuto, 1, 32, log2Axis, 1, "1 2 4 8 16 32"},
		{ScaleAuto, 1, 128, log2Axis, 1, "1 2 4 8 16 32 64 128"},
		{ScaleAuto, 2, 96, log2Axis, 2, "2 4 8 16 32 64 96"},
		{ScaleAuto, 3, 120, log2Axis, 3, "4 8 16 32 64 120"},
		{ScaleAuto, 1, 80, log2Axis, 1, "1 2 4 8 16 32 64"},
		{ScaleLinear, 1, 128, linearAxis, 0, "1 16 32 48 64 80 96 112 128"},
		{ScaleLog2, 1, 8, log2Axis, 1, "1 2 4 8"},
		{ScaleLog2, 3, 5, log2Axis, 3, "3 5"},
		{ScaleLog2, 3, 100, log2Axis, 3, "4 8 16 32 64 100"},
	} {
		t.Run(fmt.Sprintf("%v %g-%g", tc.scale, tc.xmin, tc.xmax), func(t *testing.T) {
			a := coresAxis(Chart{XScale: tc.scale}, tc.xmin, tc.xmax)
			if a.scale != tc.wantScale || a.min != tc.wantMin || a.max != tc.xmax {
				t.Errorf("got %v [%g, %g], want %v [%g, %g]", a.scale, a.min, a.max, tc.wantScale, tc.wantMin, tc.xmax)
			}
			if got := labels(a.ticks); got != tc.want {
				t.Errorf("ticks: got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestZeroAxis(t *testing.T) {
	for _, tc := range []struct {
		top     float64
		wantMax float64
		want    string
	}{
		{0, 1.25, "0.00 0.25 0.50 0.75 1.00 1.25"}, // nothing to show: as if 1
		{1, 1.25, "0.00 0.25 0.50 0.75 1.00 1.25"},
		{3.6, 4, "0 1 2 3 4"},
		{6.89, 8, "0 2 4 6 8"},
		{8, 10, "0 2 4 6 8 10"},
		{41.5, 50, "0 10 20 30 40 50"},
		{127, 150, "0 50 100 150"},
		{0.042, 0.05, "0.00 0.01 0.02 0.03 0.04 0.05"},
	} {
		a := zeroAxis("y", tc.top)
		if a.min != 0 || a.max != tc.wantMax {
			t.Errorf("top %g: got [%g, %g], want [0, %g]", tc.top, a.min, a.max, tc.wantMax)
		}
		if got := labels(a.ticks); got != tc.want {
			t.Errorf("top %g: got ticks %q, want %q", tc.top, got, tc.want)
		}
	}
}

func TestLogAxis(t *testing.T) {
	a := logAxis("t", 0.07, 3.2)
	if got, want := labels(a.ticks), "0.1 0.2 0.5 1 2"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	for _, tk := range a.ticks {
		if tk.Value < a.min || tk.Value > a.max {
			t.Errorf("tick %g outside [%g, %g]", tk.Value, a.min, a.max)
		}
	}
}

func TestNiceStep(t *testing.T) {
	for _, tc := range []struct {
		span float64
		n    int
		want float64
	}{
		{10, 5, 2}, {7.17, 5, 2}, {1.04, 5, 0.25}, {100, 5, 20}, {1, 4, 0.25}, {0.03, 3, 0.01}, {9, 10, 1},
	} {
		if got := niceStep(tc.span, tc.n); got != tc.want {
			t.Errorf("niceStep(%g, %d): got %g, want %g", tc.span, tc.n, got, tc.want)
		}
	}
}

func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		time string
		rate string
	}{
		{2.5, "s", "jobs/s"},
		{0.5, "ms", "jobs/s"},
		{0.0005, "µs", "jobs/s"},
		{5e-8, "ns", "jobs/s"},
		{2e4, "s", "k jobs/s"},
		{3e7, "s", "M jobs/s"},
	} {
		if got := timeUnit(tc.v).name; got != tc.time {
			t.Errorf("timeUnit(%g): got %s, want %s", tc.v, got, tc.time)
		}
		if got := rateUnit(tc.v).name; got != tc.rate {
			t.Errorf("rateUnit(%g): got %s, want %s", tc.v, got, tc.rate)
		}
	}
}

func TestCoresAxisLabel(t *testing.T) {
	tests := []struct {
		name string
		c    Chart
		xmax float64
		want string
	}{
		{"default linear", Chart{}, 8, "cores"},
		{"default log", Chart{}, 128, "cores (log scale)"},
		{"workers linear", Chart{XLabel: "workers"}, 8, "workers"},
		{"workers log", Chart{XLabel: "workers"}, 64, "workers (log scale)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := coresAxis(tt.c, 1, tt.xmax).label; got != tt.want {
				t.Errorf("label = %q, want %q", got, tt.want)
			}
		})
	}
}
