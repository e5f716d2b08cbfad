package report

import (
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

func TestArrivalBound(t *testing.T) {
	cfg := with(machineConfig, "jobs", "10", "sleep", "2s", "gap", "100ms")
	rep, err := FromResults(results(cfg, map[string][]float64{
		"strategy=serial/workers=1-1": spread(20, 10),
		"strategy=pool/workers=4-4":   spread(2.95, 10),
	}), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	const compute = 50 * time.Millisecond
	b, ok := rep.ArrivalBound(compute)
	if !ok {
		t.Fatal("no arrival bound for a workload with a sleep and a gap")
	}
	// 9 gaps, then the last job's compute and sleep: 0.9 + 0.05 + 2 s.
	want := strategies.Workload{Jobs: 10, N: 1000, Sleep: 2 * time.Second, Gap: 100 * time.Millisecond}.LowerBound(compute)
	if b.Bound != want || b.Bound != 2950*time.Millisecond || b.LastRelease != 900*time.Millisecond {
		t.Errorf("bound %v (last release %v), want %v as strategies.Workload.LowerBound gives (900ms)", b.Bound, b.LastRelease, want)
	}
	if len(b.Rows) != 2 || b.Rows[1].Strategy != "pool" || b.Rows[1].Cores != 4 {
		t.Fatalf("rows %+v, want serial and pool/4", b.Rows)
	}
	if r := b.Rows[1]; r.Median != 2950*time.Millisecond || r.Ratio < 0.999 || r.Ratio > 1.001 {
		t.Errorf("pool: median %v, ratio %g; want 2.95s, 1", r.Median, r.Ratio)
	}
}

func TestNoArrivalBoundWithoutSchedule(t *testing.T) {
	rep, err := FromResults(results(machineConfig, map[string][]float64{"strategy=serial/workers=1-1": spread(1, 10)}), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := rep.ArrivalBound(time.Millisecond); ok {
		t.Errorf("arrival bound %+v for a workload with no gap and no sleep, want none", b)
	}
}
