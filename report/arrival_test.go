package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// calibrationLines are the calibration meter's lines of one round on 2
// CPUs, each of jobs timed at perJob, with the config lines of cfg.
func calibrationLines(cfg map[string]string, perJob ...time.Duration) []*benchfmt.Result {
	base := results(cfg, map[string][]float64{"strategy=serial/workers=1-1": {1}})[0].Config
	var out []*benchfmt.Result
	for i, d := range perJob {
		out = append(out, &benchfmt.Result{
			Config: base,
			Name:   benchfmt.Name(fmt.Sprintf("%s/source=%s/cpu=%d-2", runfiles.CPUSpeedBenchmark, runfiles.CPUSpeedCalibration, i%2)),
			Iters:  100,
			Values: []benchfmt.Value{{Value: float64(d.Nanoseconds()), Unit: "ns/op"}, {Value: float64(i), Unit: runfiles.ElapsedUnit}},
		})
	}
	return out
}

func TestArrivalBound(t *testing.T) {
	cfg := with(machineConfig, "jobs", "10", "sleep", "2s", "gap", "100ms")
	// The kernel took 40 to 60 ms per job on the meter: 50 ms the median.
	res := append(calibrationLines(cfg, 40*time.Millisecond, 60*time.Millisecond, 50*time.Millisecond, 55*time.Millisecond, 45*time.Millisecond),
		results(cfg, map[string][]float64{
			"strategy=serial/workers=1-1": spread(20, 10),
			"strategy=pool/workers=4-4":   spread(2.95, 10),
		})...)
	rep, err := FromResults(res, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	bounds := rep.ArrivalBounds()
	if len(bounds) != 1 {
		t.Fatalf("%d arrival bounds, want one for the machine with a calibration", len(bounds))
	}
	b := bounds[0]
	const compute = 50 * time.Millisecond
	if b.Compute != compute || b.Readings != 5 || b.Machine != "alpha" {
		t.Errorf("compute %v of %d readings on %q, want the median %v of 5 on alpha", b.Compute, b.Readings, b.Machine, compute)
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
	set := &Set{Reports: []*Report{rep}}
	var text bytes.Buffer
	if !set.HasArrivalBound() {
		t.Error("the set has no arrival bound")
	}
	if err := set.WriteArrivalBound(&text); err != nil {
		t.Fatal(err)
	}
	if first := strings.SplitN(text.String(), "\n", 2)[0]; first != "Arrival-schedule lower bound: 2.95s (last job released at 900ms, then 50ms of compute and 2s of sleep)" {
		t.Errorf("first line %q", first)
	}
}

func TestNoArrivalBound(t *testing.T) {
	schedule := with(machineConfig, "jobs", "10", "sleep", "2s", "gap", "100ms")
	tests := []struct {
		name string
		res  []*benchfmt.Result
	}{
		{"no gap and no sleep", append(calibrationLines(machineConfig, time.Millisecond),
			results(machineConfig, map[string][]float64{"strategy=serial/workers=1-1": spread(1, 10)})...)},
		{"no calibration of the kernel", results(schedule, map[string][]float64{"strategy=serial/workers=1-1": spread(20, 10)})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := FromResults(tt.res, fastOptions())
			if err != nil {
				t.Fatal(err)
			}
			if b := rep.ArrivalBounds(); len(b) != 0 {
				t.Errorf("arrival bounds %+v, want none", b)
			}
			if (&Set{Reports: []*Report{rep}}).HasArrivalBound() {
				t.Error("HasArrivalBound = true, want false")
			}
		})
	}
}

func TestWriteArrivalBoundOneTablePerWorkerCount(t *testing.T) {
	rows := []BoundRow{
		{Strategy: "serial", Cores: 2, Workers: 1, Median: 20 * time.Second, Ratio: 20 / 2.9},
		{Strategy: "pool", Cores: 2, Workers: 1, Median: 20 * time.Second, Ratio: 20 / 2.9},
		{Strategy: "pool", Cores: 2, Workers: 11, Median: 2900 * time.Millisecond, Ratio: 1},
	}
	tests := []struct {
		name  string
		rows  []BoundRow
		named bool
		want  []string // in this order
	}{
		{"two counts", rows, false, []string{"lower bound: 2.9s", "median of the calibration meter's 12 readings", "workers = 1:", "serial", "pool", "workers = 11:", "pool                   2      11"}},
		{"one count, no heading", rows[:2], false, []string{"lower bound: 2.9s", "strategy", "serial", "pool"}},
		{"a machine of several", rows[:2], true, []string{"lower bound on alpha: 2.9s", "strategy", "serial", "pool"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			writeArrivalBound(&b, ArrivalBound{Machine: "alpha", Bound: 2900 * time.Millisecond, LastRelease: 900 * time.Millisecond,
				Compute: time.Millisecond, Readings: 12, Sleep: 2 * time.Second, Rows: tt.rows}, tt.named)
			got := b.String()
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q after the earlier lines:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
			if n := strings.Count(got, "workers = "); len(tt.rows) == 2 && n != 0 {
				t.Errorf("one worker count got %d headings, want none:\n%s", n, got)
			}
		})
	}
}
