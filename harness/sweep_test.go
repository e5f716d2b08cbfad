package harness

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

func TestShortOfTarget(t *testing.T) {
	pool := Trial{"pool", 2, 2}
	perjob := Trial{"perjob", 2, 2}
	ceiling := ceilingTrial(2)
	tight := []float64{1.90, 1.91, 1.89, 1.90, 1.90, 1.91, 1.89, 1.90, 1.90, 1.90}
	wide := []float64{1.5, 2.2, 1.9, 1.7, 2.4, 1.6, 2.0, 1.8, 2.3, 1.4}
	tests := []struct {
		name   string
		ratios map[Trial][]float64
		target float64
		want   []Trial
	}{
		{"tight pairs reach the target", map[Trial][]float64{pool: tight, perjob: tight, ceiling: tight}, 0.03, nil},
		{"wide pairs do not", map[Trial][]float64{pool: tight, perjob: wide, ceiling: tight}, 0.03, []Trial{perjob}},
		{"a loose target is met by wide pairs", map[Trial][]float64{pool: wide, perjob: wide, ceiling: wide}, 0.5, nil},
		// Five pairs bound no 95% interval: short, whatever they say.
		{"too few pairs", map[Trial][]float64{pool: tight[:5], perjob: tight, ceiling: tight}, 0.03, []Trial{pool}},
		{"no pairs yet", map[Trial][]float64{perjob: tight, ceiling: tight}, 0.03, []Trial{pool}},
		// The baseline against itself measures only noise: never short.
		{"baseline left out", map[Trial][]float64{BaselineTrial: wide, pool: tight, perjob: tight, ceiling: tight}, 0.03, nil},
	}
	trials := []Trial{BaselineTrial, pool, perjob, ceiling}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := shortOfTarget(trials, tt.ratios, tt.target); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPassesCountBatches(t *testing.T) {
	c := Config{Strategies: []string{"serial", "pool"}, Cores: []int{2}, Count: 6, Warmup: 1, Ceiling: true, Timeline: true}
	// Trials: serial at 2 cores, pool at 2, ceiling at 2, in one process;
	// the baseline halves run in it too.
	got := c.Passes()
	want := []PassCount{
		{Pass: "warmup", Processes: 1, Batches: 3, MaxBatches: 3},
		{Pass: "calibration", Batches: 2 * MinCalibrationRounds, MaxBatches: 2 * CalibrationRounds, MaxWall: 2 * CalibrationTime},
		{Pass: "timed", Batches: 2 * 6 * 3, MaxBatches: 2 * 6 * 3},
		{Pass: "timeline", Batches: 2, MaxBatches: 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("fixed count:\n got %+v\nwant %+v", got, want)
	}
	c.Precision, c.Budget = 0.03, time.Minute
	timed := c.Passes()[2]
	if timed.Batches != 2*6*3 || timed.MaxBatches != 2*MaxRounds*3 || timed.MaxWall != time.Minute {
		t.Errorf("with a target: timed pass %+v, want %d to %d batches within 1m", timed, 2*6*3, 2*MaxRounds*3)
	}
}

// TestRunnerWatchdog: a measurement process that stops answering (here a
// strategy stuck in its first timed batch, deaf to cancellation) is
// killed once the watchdog's limit passes, counted as a fault on that
// configuration, and replaced; after MaxProcessFailures in a row the
// sweep gives up on the core count, and says so.
func TestRunnerWatchdog(t *testing.T) {
	r := newTestRunner(t)
	r.Watchdog = Watchdog{Factor: 10, Floor: 300 * time.Millisecond, First: 5 * time.Second}
	c := Config{Strategies: []string{"test-hang"}, Cores: []int{1}, Count: 2, Warmup: 1, Workload: tinyWorkload}
	var calibrations int
	r.OnCalibration = func(s Sample) error { calibrations++; return nil }
	var faults []ProcessFault
	r.OnProcessFault = func(f ProcessFault) error { faults = append(faults, f); return nil }
	var rec groupRecorder
	begin := time.Now()
	err := runWithin(t, 20*time.Second, context.Background(), r, c, &rec)
	took := time.Since(begin)
	var gu *GiveUpError
	if !errors.As(err, &gu) || !slices.Equal(gu.Cores(), []int{1}) {
		t.Fatalf("got %v, want the sweep to give up on 1 core", err)
	}
	checkErr(t, err, "gave up on 1 core after 3 failures (stuck: no answer within")
	if took > 15*time.Second {
		t.Errorf("Run returned after %v; the watchdog's limit is 10x a warm-up of milliseconds + 300ms", took)
	}
	if len(faults) != MaxProcessFailures {
		t.Fatalf("got %d process faults, want %d", len(faults), MaxProcessFailures)
	}
	for _, f := range faults {
		if f.Trial == nil || f.Trial.Strategy != "test-hang" || f.Step != "timed" {
			t.Errorf("fault %v, want it on test-hang's timed batch", f)
		}
	}
	// The calibration meter ran before the stuck batch: its rounds came.
	if calibrations < MinCalibrationRounds {
		t.Errorf("got %d calibration rounds before the hang, want at least %d", calibrations, MinCalibrationRounds)
	}
	checkNoProcessesLeft(t, rec.list())
}

func TestWatchdogLimit(t *testing.T) {
	wd := Watchdog{Factor: 10, Floor: time.Second}
	pool := Trial{"pool", 2, 2}
	seen := map[Trial]time.Duration{pool: 30 * time.Millisecond}
	if got, want := wd.limit(pool, tinyWorkload, seen), 1300*time.Millisecond; got != want {
		t.Errorf("after a 30ms batch: limit %v, want %v", got, want)
	}
	w := tinyWorkload
	w.Sleep = time.Second
	if got, want := wd.limit(Trial{"perjob", 2, 2}, w, seen), time.Minute+8*time.Second; got != want {
		t.Errorf("first batch of 8 jobs sleeping 1s: limit %v, want %v", got, want)
	}
}

// TestRunnerAdaptiveStopsAtBudget: a target no machine reaches stops at
// the budget, after the minimum rounds, with every configuration paired.
func TestRunnerAdaptiveStopsAtBudget(t *testing.T) {
	r := newTestRunner(t)
	c := Config{Strategies: []string{"serial", "pool"}, Cores: coresUpTo(r, 2), Count: MinRounds, Warmup: 1,
		Workload: tinyWorkload, Precision: 1e-9, Budget: 500 * time.Millisecond, Ceiling: true}
	pairs := map[Trial]int{}
	var worst []float64
	r.OnSample = func(s Sample) error {
		pairs[s.Trial]++
		if s.Baseline <= 0 {
			t.Errorf("%v: a timed sample without its baseline", s.Trial)
		}
		return nil
	}
	r.OnProgress = func(p Progress) {
		if p.Sampled {
			worst = append(worst, p.Worst)
		}
	}
	var rec groupRecorder
	begin := time.Now()
	if err := runWithin(t, 20*time.Second, context.Background(), r, c, &rec); err != nil {
		t.Fatal(err)
	}
	took := time.Since(begin)
	for _, tr := range c.SweepTrials() {
		if pairs[tr] < MinRounds {
			t.Errorf("%v: %d pairs, want at least the %d minimum rounds", tr, pairs[tr], MinRounds)
		}
	}
	if took > c.Budget+5*time.Second {
		t.Errorf("took %v with a budget of %v", took, c.Budget)
	}
	if len(worst) == 0 || math.IsNaN(worst[len(worst)-1]) {
		t.Errorf("progress never reported the worst half-width: %v", worst)
	}
	checkNoProcessesLeft(t, rec.list())
}

// TestRunnerSweepDoneBeforeLaterPasses: the timed sweep is reported done
// before the untimed passes run, so a caller can finish bench.txt as
// complete even when a later pass fails.
func TestRunnerSweepDoneBeforeLaterPasses(t *testing.T) {
	r := newTestRunner(t)
	c := Config{Strategies: []string{"serial"}, Cores: []int{1}, Count: 1, Workload: tinyWorkload, Timeline: true}
	var order []string
	r.OnSample = func(Sample) error { order = append(order, "sample"); return nil }
	r.OnSweepDone = func() error { order = append(order, "done"); return nil }
	errTimeline := errors.New("timeline cannot be written")
	r.OnTimeline = func(Sample) error { order = append(order, "timeline"); return errTimeline }
	var rec groupRecorder
	err := runWithin(t, 10*time.Second, context.Background(), r, c, &rec)
	if !errors.Is(err, errTimeline) {
		t.Errorf("got %v, want the timeline's error", err)
	}
	if want := []string{"sample", "done", "timeline"}; !slices.Equal(order, want) {
		t.Errorf("calls %v, want %v", order, want)
	}
	checkNoProcessesLeft(t, rec.list())
}

// TestSplitEveryConfiguration: with more jobs than splitEvery, only some
// pairs have their core-time split by the jobs' intervals, but every
// configuration has them from its first round on, whatever the order of
// the configurations in a round.
func TestSplitEveryConfiguration(t *testing.T) {
	r := newTestRunner(t)
	w := tinyWorkload
	w.Jobs = 2*splitEvery + 1 // one pair in 3 split
	c := Config{Strategies: []string{"serial", "pool", "static"}, Cores: coresUpTo(r, 2), Count: 4, Workload: w, Ceiling: true}
	split := map[Trial][]int{}
	r.OnSample = func(s Sample) error {
		if s.Idle != nil {
			split[s.Trial] = append(split[s.Trial], s.Round)
		}
		return nil
	}
	var rec groupRecorder
	if err := runWithin(t, 30*time.Second, context.Background(), r, c, &rec); err != nil {
		t.Fatal(err)
	}
	for _, tr := range c.SweepTrials() {
		if tr.Strategy == CeilingStrategy {
			continue
		}
		if got, want := split[tr], []int{0, 3}; !slices.Equal(got, want) {
			t.Errorf("%v: rounds split %v, want %v", tr, got, want)
		}
	}
	checkNoProcessesLeft(t, rec.list())
}
