package harness

import (
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

// testCosts are made-up costs, round numbers so that expectations can be
// computed by hand.
var testCosts = Costs{
	JobTime:      100 * time.Microsecond,
	ProcessStart: 10 * time.Millisecond,
	WorkerStart:  map[string]time.Duration{"procpool": 4 * time.Millisecond},
	Report:       time.Second,
	Chart:        100 * time.Millisecond,
}

func TestBatchTime(t *testing.T) {
	cpu := strategies.Workload{Jobs: 1000, N: 1}
	tests := []struct {
		name        string
		w           strategies.Workload
		t           Trial
		ideal, flat time.Duration
	}{
		{"serial on 1 core", cpu, Trial{"serial", 1, 1}, 100 * time.Millisecond, 100 * time.Millisecond},
		{"serial on 8 cores runs the same", cpu, Trial{"serial", 8, 1}, 100 * time.Millisecond, 100 * time.Millisecond},
		{"pool on 4 cores", cpu, Trial{"pool", 4, 4}, 25 * time.Millisecond, 100 * time.Millisecond},
		{"pool on 3 cores: the last worker's share", cpu, Trial{"pool", 3, 3}, 334 * 100 * time.Microsecond, 100 * time.Millisecond},
		{"8 workers on 2 cores scale as 2", cpu, Trial{"pool", 2, 8}, 50 * time.Millisecond, 100 * time.Millisecond},
		{"more workers than jobs", strategies.Workload{Jobs: 4, N: 1}, Trial{"pool", 8, 8}, 100 * time.Microsecond, 400 * time.Microsecond},
		{"sleeps overlap on 1 core", strategies.Workload{Jobs: 10, N: 1, Sleep: time.Second}, Trial{"perjob", 1, 10},
			time.Second + time.Millisecond, 10*time.Second + time.Millisecond},
		{"the arrival schedule bounds a batch", strategies.Workload{Jobs: 10, N: 1, Gap: 100 * time.Millisecond}, Trial{"pool", 4, 4},
			900*time.Millisecond + 100*time.Microsecond, 900*time.Millisecond + 100*time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ideal, flat := testCosts.BatchTime(tt.w, tt.t)
			if ideal != tt.ideal || flat != tt.flat {
				t.Errorf("got ideal %v, flat %v; want %v, %v", ideal, flat, tt.ideal, tt.flat)
			}
		})
	}
}

func TestEstimateRunCounts(t *testing.T) {
	c := Config{
		Strategies: []string{"serial", "pool", "procpool"}, Cores: []int{1, 2, 4}, Count: 10, Warmup: 1,
		Workload: strategies.Workload{Jobs: 1000, N: 1}, Timeline: true, Profile: true,
		TimelineCores: []int{1, 4}, ProfileCores: []int{4},
	}
	e := EstimateRun(c, testCosts, 7, true)
	want := []struct {
		pass                  string
		configs, forks        int
		batches               int64
		minIdeal, maxFlat     time.Duration
		ideal, flat, ordering bool
	}{
		// 3 core counts x 3 strategies in one long-lived process per core
		// count: 9 warm-ups, 2 calibrations of 10 meter rounds, then 10
		// rounds of 9 pairs, each a batch and a baseline half.
		{pass: PassSweep, configs: 9, forks: 3, batches: 9 + 20 + 180},
		// In the sweep's processes: no new ones, no warm-ups.
		{pass: PassTimeline, configs: 6, forks: 0, batches: 6},
		{pass: PassProfile, configs: 3, forks: 3},
		{pass: PassReport, configs: 9},
	}
	if len(e.Passes) != len(want) {
		t.Fatalf("got %d passes, want %d", len(e.Passes), len(want))
	}
	var sumIdeal, sumFlat time.Duration
	for i, w := range want {
		p := e.Passes[i]
		if p.Pass != w.pass || p.Configurations != w.configs || p.Processes != w.forks || (w.batches > 0 && p.Batches != w.batches) {
			t.Errorf("pass %d: got %s, %d configurations, %d processes, %d batches; want %s, %d, %d, %d",
				i, p.Pass, p.Configurations, p.Processes, p.Batches, w.pass, w.configs, w.forks, w.batches)
		}
		if p.Ideal <= 0 || p.Ideal > p.Flat {
			t.Errorf("%s: ideal %v, flat %v: want 0 < ideal <= flat", p.Pass, p.Ideal, p.Flat)
		}
		sumIdeal += p.Ideal
		sumFlat += p.Flat
	}
	if e.Ideal != sumIdeal || e.Flat != sumFlat {
		t.Errorf("totals %v, %v; want the sums %v, %v", e.Ideal, e.Flat, sumIdeal, sumFlat)
	}
	// Serial batches are as long either way: 3 warm-ups and 10 rounds x 3
	// pairs x 2 halves, of 100 ms each; 2 x 10 calibration rounds of a 10 ms
	// share on each of 4 CPUs; the 3 processes and their probes of one job
	// on each of 1+2+4 CPUs.
	sweep, _ := e.Pass(PassSweep)
	serialOnly := c
	serialOnly.Strategies = []string{"serial"}
	wantSerial := 6300*time.Millisecond + 800*time.Millisecond + 3*testCosts.ProcessStart + 7*testCosts.JobTime
	if s, _ := EstimateRun(serialOnly, testCosts, 0, false).Pass(PassSweep); s.Ideal != wantSerial || s.Ideal != s.Flat {
		t.Errorf("serial sweep: ideal %v, flat %v; want both %v", s.Ideal, s.Flat, wantSerial)
	}
	if sweep.Flat <= sweep.Ideal {
		t.Errorf("sweep: flat %v not above ideal %v", sweep.Flat, sweep.Ideal)
	}
	if r, _ := e.Pass(PassReport); r.Ideal != time.Second+700*time.Millisecond || r.Charts != 7 {
		t.Errorf("report: %v for %d charts, want 1.7s for 7", r.Ideal, r.Charts)
	}
}

func TestEstimateRunPassesFollowConfig(t *testing.T) {
	c := Config{Strategies: []string{"serial"}, Cores: []int{1}, Count: 1, Workload: strategies.Workload{Jobs: 10, N: 1}}
	if e := EstimateRun(c, testCosts, 0, false); len(e.Passes) != 1 || e.Passes[0].Pass != PassSweep {
		t.Errorf("no timeline, profile or report: got passes %+v, want the sweep alone", e.Passes)
	}
	// The trace is of the timeline batches: no profiling pass of its own.
	c.Trace, c.Timeline = true, true
	e := EstimateRun(c, testCosts, 0, false)
	if _, ok := e.Pass(PassProfile); ok {
		t.Errorf("trace: a profiling pass, want the timeline batches traced")
	}
	if p, ok := e.Pass(PassTimeline); !ok || p.Batches != 1 {
		t.Errorf("trace: timeline pass %+v (present %v), want one batch", p, ok)
	}
}

// TestEstimateRunProfileBudget checks the profiling pass against the
// rules of runBatchesFor: CPU time stops the CPU phase when the batch
// keeps its CPUs busy, twice the wall time otherwise.
func TestEstimateRunProfileBudget(t *testing.T) {
	base := Config{Strategies: []string{"serial"}, Cores: []int{1}, Count: 1, Profile: true, ProfileTime: 3 * time.Second,
		Workload: strategies.Workload{Jobs: 1000, N: 1}}
	sleepy := base
	sleepy.Workload.Sleep = time.Millisecond // 1.1 s batches using 0.1 s of CPU
	tests := []struct {
		name string
		c    Config
		want time.Duration // the profile pass's ideal time
	}{
		// 30 batches of 100 ms for 3 s of CPU, 10 for a second of contention.
		{"busy serial", base, testCosts.ProcessStart + 40*100*time.Millisecond},
		// The wall cap: 6 s of 1.1 s batches, then 1 s of them.
		{"mostly sleeping", sleepy, testCosts.ProcessStart + 7*1100*time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := EstimateRun(tt.c, testCosts, 0, false).Pass(PassProfile)
			if p.Ideal != tt.want {
				t.Errorf("got %v, want %v", p.Ideal, tt.want)
			}
		})
	}
}

// TestEstimateRunIsLinearInConfigurationsOnly checks that the estimate
// walks configurations, not samples: a million rounds cost it no more
// allocations than ten, and absurd plans saturate rather than wrap.
func TestEstimateRunIsLinearInConfigurationsOnly(t *testing.T) {
	c := Config{Strategies: []string{"serial", "pool"}, Cores: PlanCores(Topology{128, 64}), Count: 10, Warmup: 1,
		Workload: strategies.Workload{Jobs: 1024, N: 1}, Timeline: true, Profile: true}
	allocs := func(count int) float64 {
		cc := c
		cc.Count = count
		return testing.AllocsPerRun(20, func() { EstimateRun(cc, testCosts, 20, true) })
	}
	if few, many := allocs(10), allocs(1_000_000); many > few {
		t.Errorf("%v allocations for 10 rounds, %v for a million: want no more", few, many)
	}
	c.Count, c.Warmup = 1<<62, 1<<62
	e := EstimateRun(c, testCosts, 20, true)
	if e.Ideal <= 0 || e.Flat < e.Ideal {
		t.Errorf("absurd plan: ideal %v, flat %v; want positive, saturated", e.Ideal, e.Flat)
	}
	for _, p := range e.Passes {
		if p.Batches < 0 || p.Processes < 0 || p.Ideal < 0 || p.Flat < 0 {
			t.Errorf("absurd plan: %+v wrapped around", p)
		}
	}
}
