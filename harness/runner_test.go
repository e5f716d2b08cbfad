package harness

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

// tinyWorkload keeps a batch in the milliseconds.
var tinyWorkload = strategies.Workload{Jobs: 8, N: 1000}

// newTestRunner is NewRunner: this test binary, which serves the
// measurement mode in TestMain, is the measurement process.
func newTestRunner(t *testing.T) *Runner {
	t.Helper()
	r, err := NewRunner()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// coresUpTo lists 1..k, fewer where this process may use fewer CPUs.
func coresUpTo(r *Runner, k int) []int {
	return seq(1, min(k, len(r.CPUs)))
}

// groupRecorder notes the process group of every measurement process it
// sees while a sweep runs, to check afterwards that none is left.
type groupRecorder struct {
	mu     sync.Mutex
	groups []int
}

func (g *groupRecorder) record(t *testing.T) {
	found := measurementGroups(t)
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, pg := range found {
		if !slices.Contains(g.groups, pg) {
			g.groups = append(g.groups, pg)
		}
	}
}

func (g *groupRecorder) list() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.groups)
}

// runWithin runs the sweep, recording measurement processes as trials
// start, and fails the test if Run takes longer than limit. It returns
// Run's error and how long Run took after cancel was called, if it was.
func runWithin(t *testing.T, limit time.Duration, ctx context.Context, r *Runner, c Config, rec *groupRecorder) error {
	t.Helper()
	onProgress := r.OnProgress
	r.OnProgress = func(p Progress) {
		rec.record(t)
		if onProgress != nil {
			onProgress(p)
		}
	}
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, c) }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		for _, pg := range rec.list() {
			killProcessGroup(pg)
		}
		t.Fatalf("Run did not return within %v", limit)
		return nil
	}
}

func TestNewRunner(t *testing.T) {
	r := newTestRunner(t)
	if r.Executable == "" {
		t.Error("Executable is empty")
	}
	cpus, err := AllowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.CPUs, cpus) {
		t.Errorf("CPUs: got %v, want AllowedCPUs %v", r.CPUs, cpus)
	}
	checkEnforcement(t, r)
}

func checkEnforcement(t *testing.T, r *Runner) {
	t.Helper()
	switch {
	case r.pin && runtime.GOOS != "linux":
		t.Errorf("pinning on %s, want it only on Linux", runtime.GOOS)
	case r.pin && r.Enforcement != enforcementPinned:
		t.Errorf("Enforcement: got %q, want %q", r.Enforcement, enforcementPinned)
	case !r.pin && !strings.HasPrefix(r.Enforcement, "gomaxprocs (no CPU affinity: "):
		t.Errorf("Enforcement: got %q, want gomaxprocs and the reason there is no affinity", r.Enforcement)
	case !r.pin:
		t.Logf("no pinning here: %s", r.Enforcement)
	}
}

func TestRunnerSweep(t *testing.T) {
	r := newTestRunner(t)
	checkEnforcement(t, r)
	c := Config{
		Strategies: []string{"serial", "pool", "perjob", "procpool"},
		Cores:      coresUpTo(r, 2),
		Count:      2,
		Warmup:     1,
		Workload:   tinyWorkload,
		Seed:       1,
		Timeline:   true,
	}
	if len(c.Cores) < 2 {
		t.Log("this process may use one CPU: sweeping 1 core only")
	}
	var (
		samples   []Sample
		timelines []Sample
		progress  []Progress
	)
	r.OnSample = func(s Sample) error { samples = append(samples, s); return nil }
	r.OnTimeline = func(s Sample) error { timelines = append(timelines, s); return nil }
	r.OnProgress = func(p Progress) { progress = append(progress, p) }
	var rec groupRecorder
	if err := runWithin(t, 30*time.Second, context.Background(), r, c, &rec); err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkNoProcessesLeft(t, rec.list())

	trials := c.Trials()
	if got, want := len(samples), c.Count*len(trials); got != want {
		t.Fatalf("got %d samples, want %d", got, want)
	}
	seen := map[string]int{}
	for _, s := range samples {
		seen[fmt.Sprintf("%v round %d", s.Trial, s.Round)]++
		if s.Wall <= 0 || s.CPU < 0 {
			t.Errorf("%v: wall %v, cpu %v", s.Trial, s.Wall, s.CPU)
		}
		if s.Jobs != nil {
			t.Errorf("%v: a timed sample carries %d per-job results, want none", s.Trial, len(s.Jobs))
		}
	}
	for _, tr := range trials {
		for round := range c.Count {
			if key := fmt.Sprintf("%v round %d", tr, round); seen[key] != 1 {
				t.Errorf("%s: got %d samples, want 1", key, seen[key])
			}
		}
	}

	// One untimed batch per configuration, with per-job results that
	// pass the closed form.
	if got, want := len(timelines), len(trials); got != want {
		t.Errorf("got %d timeline batches, want %d", got, want)
	}
	for _, s := range timelines {
		if s.Round != -1 {
			t.Errorf("%v: timeline batch in round %d, want -1", s.Trial, s.Round)
		}
		if err := strategies.Verify(c.Workload, s.Jobs); err != nil {
			t.Errorf("%v: timeline: %v", s.Trial, err)
		}
	}

	checkProgress(t, progress, c)
}

// checkProgress checks the progress reports of a completed sweep.
func checkProgress(t *testing.T, progress []Progress, c Config) {
	t.Helper()
	total := c.Count * len(c.Trials())
	done, sampled := 0, 0
	for _, p := range progress {
		if p.Total != total || p.Rounds != c.Count {
			t.Errorf("progress %+v: want Total %d, Rounds %d", p, total, c.Count)
		}
		if p.Done < done {
			t.Errorf("progress went back from %d to %d samples", done, p.Done)
		}
		done = p.Done
		if p.Sampled {
			sampled++
			if p.Done != sampled {
				t.Errorf("progress after sample %d says Done %d", sampled, p.Done)
			}
			if p.ETA < 0 || (p.Done == total && p.ETA != 0) {
				t.Errorf("progress %d/%d: ETA %v", p.Done, p.Total, p.ETA)
			}
		}
	}
	if sampled != total || done != total {
		t.Errorf("progress saw %d samples and ended at %d done, want %d", sampled, done, total)
	}
}

// TestRunnerEnforcesCores asks the measurement processes themselves how
// they were set up, apart from the runner's own check.
func TestRunnerEnforcesCores(t *testing.T) {
	r := newTestRunner(t)
	c := Config{Strategies: []string{"test-probe"}, Cores: coresUpTo(r, 2), Count: 1, Workload: tinyWorkload}
	var samples []Sample
	r.OnSample = func(s Sample) error { samples = append(samples, s); return nil }
	var rec groupRecorder
	if err := runWithin(t, 20*time.Second, context.Background(), r, c, &rec); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(samples) != len(c.Cores) {
		t.Fatalf("got %d samples, want %d", len(samples), len(c.Cores))
	}
	for _, s := range samples {
		got := map[string]float64{}
		for _, m := range s.Metrics {
			got[m.Unit] = m.Value
		}
		if got["test-gomaxprocs"] != float64(s.Cores) {
			t.Errorf("at %d cores: the measurement process has GOMAXPROCS %v", s.Cores, got["test-gomaxprocs"])
		}
		if got["test-measureenv"] != 0 {
			t.Errorf("at %d cores: %s is still set in the measurement process, so processes it starts would measure too", s.Cores, measureEnv)
		}
		if !r.pin {
			continue
		}
		if got["test-cpus"] != float64(s.Cores) {
			t.Errorf("at %d cores: the measurement process may run on %v CPUs", s.Cores, got["test-cpus"])
		}
		var want float64
		for _, cpu := range r.CPUs[:s.Cores] {
			want += float64(uint64(1) << cpu)
		}
		if r.CPUs[s.Cores-1] < 52 && got["test-cpumask"] != want {
			t.Errorf("at %d cores: CPU mask %b, want %b (the first %d of %v)", s.Cores, uint64(got["test-cpumask"]), uint64(want), s.Cores, r.CPUs)
		}
	}
}

func TestRunnerRefusesWrongAffinity(t *testing.T) {
	r := newTestRunner(t)
	if !r.pin {
		t.Skipf("no pinning here: %s", r.Enforcement)
	}
	tests := []struct {
		name string
		cpus []int
		want string
	}{
		// Two cores asked for, one CPU in the mask: the child finds it
		// may run on fewer CPUs than its cores and the fork is refused.
		{"mask smaller than cores", []int{r.CPUs[0], r.CPUs[0]}, "may run on 1 CPUs, want 2"},
		{"CPU that does not exist", []int{1023}, "starting measurement process: pinning to CPUs [1023]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRunner(t)
			r.CPUs = tt.cpus
			c := Config{Strategies: []string{"serial"}, Cores: []int{len(tt.cpus)}, Count: 1, Workload: tinyWorkload}
			var rec groupRecorder
			err := runWithin(t, 10*time.Second, context.Background(), r, c, &rec)
			checkErr(t, err, tt.want)
			checkNoProcessesLeft(t, rec.list())
		})
	}
}

func TestRunnerFailingTrial(t *testing.T) {
	tests := []struct {
		strategy string
		warmup   int
		want     string
	}{
		{"test-fail", 0, "test-fail cores=1 workers=1: test strategy fails on purpose"},
		{"test-wrong", 0, "test-wrong cores=1 workers=1: batch failed verification: job 7: sum"},
		{"test-wrong", 1, "test-wrong cores=1 workers=1: warm-up batch 1: batch failed verification"},
		// A panic ends the process: replaced twice, then given up on.
		{"test-panic", 0, "gave up on 1 core after 3 failures (exit status 2 (stderr: panic: test strategy panics on purpose"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s warmup %d", tt.strategy, tt.warmup), func(t *testing.T) {
			r := newTestRunner(t)
			c := Config{Strategies: []string{tt.strategy}, Cores: []int{1}, Count: 2, Warmup: tt.warmup, Workload: tinyWorkload}
			samples := 0
			r.OnSample = func(Sample) error { samples++; return nil }
			var rec groupRecorder
			err := runWithin(t, 10*time.Second, context.Background(), r, c, &rec)
			checkErr(t, err, tt.want)
			if samples != 0 {
				t.Errorf("got %d samples from a failing strategy", samples)
			}
			checkNoProcessesLeft(t, rec.list())
		})
	}
}

func TestRunnerStopsAfterFailingFork(t *testing.T) {
	// Samples measured before the failure arrive; nothing runs after it.
	r := newTestRunner(t)
	c := Config{Strategies: []string{"serial", "test-fail"}, Cores: []int{1}, Count: 3, Workload: tinyWorkload, Seed: 5}
	var samples []Sample
	r.OnSample = func(s Sample) error { samples = append(samples, s); return nil }
	var rec groupRecorder
	err := runWithin(t, 10*time.Second, context.Background(), r, c, &rec)
	checkErr(t, err, "test-fail cores=1 workers=1: test strategy fails on purpose")
	for _, s := range samples {
		if s.Strategy != "serial" || s.Round != 0 {
			t.Errorf("got a sample of %v in round %d, want only serial in round 0", s.Trial, s.Round)
		}
	}
	checkNoProcessesLeft(t, rec.list())
}

func TestRunnerOnSampleError(t *testing.T) {
	r := newTestRunner(t)
	c := Config{Strategies: []string{"serial", "pool"}, Cores: []int{1}, Count: 2,
		Workload: strategies.Workload{Jobs: 4, N: 1000, Sleep: 100 * time.Millisecond}}
	errFull := errors.New("disk full")
	calls := 0
	r.OnSample = func(Sample) error { calls++; return errFull }
	var rec groupRecorder
	err := runWithin(t, 10*time.Second, context.Background(), r, c, &rec)
	if !errors.Is(err, errFull) {
		t.Errorf("got %v, want the callback's error", err)
	}
	if calls != 1 {
		t.Errorf("OnSample called %d times, want 1: its error stops the sweep", calls)
	}
	checkNoProcessesLeft(t, rec.list())
}

func TestRunnerCancel(t *testing.T) {
	// Every batch sleeps 4 x 250 ms, so a cancel lands inside one.
	slow := strategies.Workload{Jobs: 4, N: 1000, Sleep: 250 * time.Millisecond}
	tests := []struct {
		name string
		// arm cancels the sweep at some point of it.
		arm func(r *Runner, cancel func())
	}{
		{"during the first batch", func(r *Runner, cancel func()) {
			var once sync.Once
			r.OnProgress = func(p Progress) {
				if !p.Sampled {
					once.Do(func() { time.AfterFunc(300*time.Millisecond, cancel) })
				}
			}
		}},
		{"in the sample callback", func(r *Runner, cancel func()) {
			r.OnSample = func(Sample) error { cancel(); return nil }
		}},
		{"between trials", func(r *Runner, cancel func()) {
			var once sync.Once
			r.OnProgress = func(p Progress) {
				if p.Sampled {
					once.Do(cancel)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRunner(t)
			// procpool's worker processes must go with their measurement
			// process.
			c := Config{Strategies: []string{"serial", "procpool"}, Cores: coresUpTo(r, 2), Count: 3, Workload: slow}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var cancelled time.Time
			var mu sync.Mutex
			tt.arm(r, func() {
				mu.Lock()
				cancelled = time.Now()
				mu.Unlock()
				cancel()
			})
			samples := 0
			if r.OnSample == nil {
				r.OnSample = func(Sample) error { samples++; return nil }
			}
			var rec groupRecorder
			err := runWithin(t, 20*time.Second, ctx, r, c, &rec)
			returned := time.Now()
			if !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "interrupted: ") {
				t.Errorf("got %v, want \"interrupted: ...\" wrapping context.Canceled", err)
			}
			mu.Lock()
			defer mu.Unlock()
			if cancelled.IsZero() {
				t.Fatal("the sweep ended before it was cancelled")
			}
			if took := returned.Sub(cancelled); took > 1500*time.Millisecond {
				t.Errorf("Run returned %v after the cancel, want at most 1.5s", took)
			}
			if total := c.Count * len(c.Trials()); samples >= total {
				t.Errorf("got all %d samples despite the cancel", samples)
			}
			if len(rec.list()) == 0 && runtime.GOOS == "linux" {
				t.Error("saw no measurement process while the sweep ran")
			}
			checkNoProcessesLeft(t, rec.list())
		})
	}
}

func TestRunnerCancelledBeforeStart(t *testing.T) {
	r := newTestRunner(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	started := false
	r.OnProgress = func(Progress) { started = true }
	c := Config{Strategies: []string{"serial"}, Cores: []int{1}, Count: 1, Workload: tinyWorkload}
	// The same message as a cancel mid-fork, wherever the cancel lands.
	if err := r.Run(ctx, c); !errors.Is(err, context.Canceled) || err.Error() != "interrupted: context canceled" {
		t.Errorf("got %v, want \"interrupted: context canceled\" wrapping context.Canceled", err)
	}
	if started {
		t.Error("a trial started after the context was cancelled")
	}
}

func TestRunnerRejectsBadConfig(t *testing.T) {
	r := newTestRunner(t)
	r.Executable = "/nonexistent/parbench" // nothing may be started
	c := Config{Strategies: []string{"serial"}, Cores: []int{len(r.CPUs) + 1}, Count: 1, Workload: tinyWorkload}
	err := r.Run(context.Background(), c)
	checkErr(t, err, fmt.Sprintf("cpu %d: want 1..%d", len(r.CPUs)+1, len(r.CPUs)))
}

func TestRunnerMissingExecutable(t *testing.T) {
	r := newTestRunner(t)
	r.Executable = "/nonexistent/parbench"
	c := Config{Strategies: []string{"serial"}, Cores: []int{1}, Count: 1, Workload: tinyWorkload}
	err := r.Run(context.Background(), c)
	checkErr(t, err, "starting measurement process: fork/exec /nonexistent/parbench")
}

// TestRunnerLeakedProcess runs a strategy that leaves a process holding
// the measurement process's stdout and stderr open: the sweep must fail
// and clean up instead of waiting for the end of output for ever.
func TestRunnerLeakedProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("process groups are killed whole on Linux only")
	}
	if _, err := exec.LookPath("sleep"); err != nil {
		t.Skip(err)
	}
	r := newTestRunner(t)
	c := Config{Strategies: []string{"test-leak"}, Cores: []int{1}, Count: 1, Workload: tinyWorkload}
	var rec groupRecorder
	err := runWithin(t, 5*time.Second, context.Background(), r, c, &rec)
	checkErr(t, err, "measurement process for 1 core left a process holding its output open")
	checkNoProcessesLeft(t, rec.list())
}
