package strategies

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
)

// inProcess lists the strategies that run in this process; procpool has
// tests of its own that need real worker processes.
var inProcess = []string{"serial", "pool", "perjob", "perjob-unbounded"}

// closedFormWorkload is a named batch that every strategy's tests run and
// check against the closed form.
type closedFormWorkload struct {
	name string
	w    Workload
}

// closedFormWorkloads cover the shapes a strategy can get wrong: one job,
// jobs not divisible by the workers, sleeps and an arrival schedule.
var closedFormWorkloads = []closedFormWorkload{
	{"one job", Workload{Jobs: 1, N: 1000}},
	{"jobs not divisible by workers", Workload{Jobs: 37, N: 5000}},
	{"with sleep", Workload{Jobs: 11, N: 100, Sleep: time.Millisecond}},
	{"with gap", Workload{Jobs: 9, N: 100, Gap: 2 * time.Millisecond}},
}

func TestStrategiesAgainstClosedForm(t *testing.T) {
	workloads := closedFormWorkloads
	for _, name := range inProcess {
		for _, wl := range workloads {
			for workers := 1; workers <= 8; workers++ {
				s, err := New(name)
				if err != nil {
					t.Fatal(err)
				}
				t.Run(name+"/"+wl.name+"/workers="+strconv.Itoa(workers), func(t *testing.T) {
					t.Parallel()
					rs, err := s.Run(context.Background(), wl.w, workers)
					if err != nil {
						t.Fatalf("Run: %v", err)
					}
					if err := Verify(wl.w, rs); err != nil {
						t.Fatal(err)
					}
					checkResults(t, wl.w, rs, name, workers)
				})
			}
		}
	}
}

// checkResults checks what Verify does not: the arrival schedule, the
// timing fields and the worker ids.
func checkResults(t *testing.T, w Workload, rs []Result, name string, workers int) {
	t.Helper()
	for _, r := range rs {
		if release := w.Release(int(r.Job)); r.Start < release {
			t.Errorf("job %d started at %v, before its release at %v", r.Job, r.Start, release)
		}
		if r.End < r.Start+w.Sleep {
			t.Errorf("job %d: end %v before start %v plus sleep %v", r.Job, r.End, r.Start, w.Sleep)
		}
		maxWorker := workers
		switch name {
		case "serial":
			maxWorker = 1
		case "perjob-unbounded":
			maxWorker = w.Jobs
		}
		if r.Worker < 0 || r.Worker >= maxWorker {
			t.Errorf("job %d: worker %d, want 0..%d", r.Job, r.Worker, maxWorker-1)
		}
	}
}

func TestBoundedStrategiesRespectWorkers(t *testing.T) {
	// With sleeping jobs, the number running at once is visible in the
	// intervals: no more than workers may overlap at any instant.
	w := Workload{Jobs: 12, N: 10, Sleep: 5 * time.Millisecond}
	for _, name := range []string{"serial", "pool", "perjob"} {
		t.Run(name, func(t *testing.T) {
			s, _ := New(name)
			const workers = 3
			rs, err := s.Run(context.Background(), w, workers)
			if err != nil {
				t.Fatal(err)
			}
			limit := workers
			if name == "serial" {
				limit = 1
			}
			if got := maxOverlap(rs); got > limit {
				t.Errorf("%d jobs ran at once, want at most %d", got, limit)
			}
		})
	}
}

func maxOverlap(rs []Result) int {
	type edge struct {
		at    time.Duration
		delta int
	}
	var edges []edge
	for _, r := range rs {
		edges = append(edges, edge{r.Start, +1}, edge{r.End, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return a.delta - b.delta // an end before a start at the same instant
	})
	cur, most := 0, 0
	for _, e := range edges {
		cur += e.delta
		most = max(most, cur)
	}
	return most
}

func TestStrategiesCancel(t *testing.T) {
	// Long sleeps and a long gap: only cancellation can end the batch soon.
	w := Workload{Jobs: 50, N: 1000, Sleep: time.Hour, Gap: 10 * time.Millisecond}
	for _, name := range inProcess {
		t.Run(name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			s, _ := New(name)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(30*time.Millisecond, cancel)
			begin := time.Now()
			rs, err := s.Run(ctx, w, 4)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %d results, %v; want context.Canceled", len(rs), err)
			}
			if took := time.Since(begin); took > 2*time.Second {
				t.Errorf("Run took %v after cancel, want prompt return", took)
			}
			waitGoroutines(t, before)
		})
	}
}

func TestStrategiesRejectBadArgs(t *testing.T) {
	for _, name := range inProcess {
		s, _ := New(name)
		if _, err := s.Run(context.Background(), Workload{Jobs: 1, N: 1}, 0); err == nil {
			t.Errorf("%s: Run with 0 workers succeeded, want an error", name)
		}
		if _, err := s.Run(context.Background(), Workload{Jobs: 0, N: 1}, 1); err == nil {
			t.Errorf("%s: Run with 0 jobs succeeded, want an error", name)
		}
	}
}

func TestRegistry(t *testing.T) {
	names := Names()
	if len(names) == 0 || names[0] != "serial" {
		t.Fatalf("Names() = %v, want serial first", names)
	}
	for _, want := range inProcess {
		if !Known(want) {
			t.Errorf("strategy %q not registered", want)
		}
		if Doc(want) == "" {
			t.Errorf("strategy %q has no description", want)
		}
		s, err := New(want)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name() != want {
			t.Errorf("New(%q).Name() = %q", want, s.Name())
		}
	}
	if _, err := New("nope"); err == nil {
		t.Error(`New("nope") succeeded, want an error`)
	}
}

// waitGoroutines fails the test unless the goroutine count returns to
// before within a second: a strategy must leave nothing running.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left running, want %d:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
