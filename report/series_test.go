package report

import (
	"fmt"
	"math"
	"strings"
	"testing"
)

// seriesText is a series as "strategy@machine: x=y[low,high] ... fit".
func seriesText(s Series) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s@%s:", s.Strategy, s.Machine)
	for _, p := range s.Points {
		fmt.Fprintf(&b, " %g=%.4g[%.4g,%.4g]", p.X, p.Y, p.Low, p.High)
	}
	if s.Fit != nil {
		b.WriteString(" fit " + string(s.Fit.Model))
	}
	return b.String()
}

func TestCurves(t *testing.T) {
	rep, err := FromResults(results(machineConfig, map[string][]float64{
		"strategy=serial/workers=1-1": spread(1.0, 10),
		"strategy=serial/workers=1-2": spread(1.0, 10),
		"strategy=pool/workers=1-1":   spread(1.0, 10),
		"strategy=pool/workers=2-2":   spread(0.5, 10),
		"strategy=pool/workers=4-2":   spread(0.6, 10), // not on the curve: workers != cores
		"strategy=perjob/workers=2-2": spread(0.5, 3),  // too few samples for any interval
	}), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Curves()
	if len(c.Speedup) != 3 || len(c.Time) != 3 || len(c.Throughput) != 3 {
		t.Fatalf("%d speedup, %d time, %d throughput series, want 3 each", len(c.Speedup), len(c.Time), len(c.Throughput))
	}
	for _, s := range c.Time {
		if s.Machine != "" || s.Fit != nil {
			t.Errorf("%s: one machine names none and a time series has no fit", seriesText(s))
		}
	}
	// The pool's time and throughput at 2 cores: jobs = 100, so jobs/s is
	// 100/time, and the interval's bounds swap.
	pool := rep.Curve("alpha", "pool")
	tm, tp := c.Time[2], c.Throughput[2]
	if tm.Strategy != "pool" || tp.Strategy != "pool" || len(tm.Points) != 2 {
		t.Fatalf("series %s, %s; want pool at 1 and 2 cores", seriesText(tm), seriesText(tp))
	}
	if p, r := tp.Points[1], pool[1]; p.X != 2 || p.Low != 100/r.High || p.High != 100/r.Low || p.Y != r.JobsPerSec {
		t.Errorf("pool throughput at 2 cores %+v, want %g [%g, %g]", p, r.JobsPerSec, 100/r.High, 100/r.Low)
	}
	// perjob has no interval: its points carry none rather than an
	// infinite one.
	for _, s := range []Series{c.Time[1], c.Throughput[1], c.Speedup[1]} {
		if s.Strategy != "perjob" {
			t.Fatalf("series %s, want perjob second", seriesText(s))
		}
		if p := s.Points[0]; p.Low != p.Y || p.High != p.Y {
			t.Errorf("%s: want no interval from 3 samples", seriesText(s))
		}
	}
	if sp := c.Speedup[2]; math.Abs(sp.Points[1].Y-2) > 0.01 {
		t.Errorf("pool speedup %s, want 2 at 2 cores", seriesText(sp))
	}
}

func TestCurvesWithoutBaseline(t *testing.T) {
	rep, err := FromResults(results(machineConfig, map[string][]float64{
		"strategy=pool/workers=1-1": spread(1.0, 10),
		"strategy=pool/workers=2-2": spread(0.5, 10),
	}), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if c := rep.Curves(); len(c.Speedup) != 0 || len(c.Time) != 1 {
		t.Errorf("%d speedup and %d time series, want none (no baseline) and 1", len(c.Speedup), len(c.Time))
	}
}

func TestWorkerSeries(t *testing.T) {
	rep, err := FromResults(results(machineConfig, map[string][]float64{
		"strategy=serial/workers=1-1": spread(1.0, 10),
		"strategy=pool/workers=1-2":   spread(1.0, 10),
		"strategy=pool/workers=2-2":   spread(0.5, 10),
		"strategy=pool/workers=8-2":   spread(0.6, 10),
		"strategy=pool/workers=4-4":   spread(0.3, 10), // one worker count at 4 cores: no series
	}), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	ws := rep.WorkerSeries()
	var got []string
	for _, s := range ws {
		var xs []string
		for _, p := range s.Points {
			xs = append(xs, fmt.Sprint(p.X))
		}
		got = append(got, s.Strategy+"@"+s.Machine+":"+strings.Join(xs, ","))
	}
	if want := "pool@:1,2,8"; len(got) != 1 || got[0] != want {
		t.Errorf("worker series %q, want [%q]", got, want)
	}
}

func TestFitLabel(t *testing.T) {
	tests := []struct {
		f    Fit
		want string
	}{
		{Fit{Model: USL, Sigma: 0.02, Kappa: 0.001}, "USL σ=0.02 κ=0.001"},
		{Fit{Model: Amdahl, SerialFraction: 0.05}, "Amdahl serial fraction 0.05"},
	}
	for _, tt := range tests {
		if got := tt.f.Label(); got != tt.want {
			t.Errorf("Label() = %q, want %q", got, tt.want)
		}
	}
}

func TestCaption(t *testing.T) {
	rep := &Report{Machines: []Machine{{Label: "a", CPU: "Test CPU", CPUsOnline: 4, GoVersion: "go1.26.8", Enforcement: "affinity+gomaxprocs"}}}
	if got, want := rep.Caption(), "Test CPU, 4 CPUs · go1.26.8 · cores by affinity+gomaxprocs"; got != want {
		t.Errorf("Caption() = %q, want %q", got, want)
	}
	rep.Machines = append(rep.Machines, Machine{Label: "b"})
	if got, want := rep.Caption(), "a: Test CPU, 4 CPUs · go1.26.8 · cores by affinity+gomaxprocs; b: unknown CPU"; got != want {
		t.Errorf("Caption() = %q, want %q", got, want)
	}
}
