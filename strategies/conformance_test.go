package strategies

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/parbench/parbench/internal/proctest"
)

// The conformance suite: what every registered strategy must do, checked
// over Names(), so a strategy added as one file is covered with no edit
// here. Each check is a function of a registration that returns an error
// instead of failing a test, so that a test can run the suite on a broken
// strategy and see it fail.

// closedFormWorkload is a named batch that every strategy's tests run and
// check against the closed form.
type closedFormWorkload struct {
	name string
	w    Workload
}

// closedFormWorkloads cover the shapes a strategy can get wrong: one job,
// jobs not divisible by the workers, sleeps and an arrival schedule. 37, 11
// and 9 jobs are divisible by none of 2..8 but 3 (9) and none at all (37, 11).
var closedFormWorkloads = []closedFormWorkload{
	{"one job", Workload{Jobs: 1, N: 1000}},
	{"jobs not divisible by workers", Workload{Jobs: 37, N: 5000}},
	{"with sleep", Workload{Jobs: 11, N: 100, Sleep: time.Millisecond}},
	{"with gap", Workload{Jobs: 9, N: 100, Gap: 2 * time.Millisecond}},
}

// maxConformanceWorkers is the largest worker count the closed-form checks use.
const maxConformanceWorkers = 8

// conformanceCheck is one check of the suite.
type conformanceCheck struct {
	name string
	// parallel: the check may run beside others; the cancellation check
	// counts goroutines and processes, so it runs alone.
	parallel bool
	run      func(info Info) error
}

// conformanceChecks lists the suite for one strategy.
func conformanceChecks() []conformanceCheck {
	var checks []conformanceCheck
	for _, wl := range closedFormWorkloads {
		for workers := 1; workers <= maxConformanceWorkers; workers++ {
			checks = append(checks, conformanceCheck{
				name:     "closed form/" + wl.name + "/workers=" + strconv.Itoa(workers),
				parallel: true,
				run:      func(info Info) error { return checkClosedForm(info, wl.w, workers) },
			})
		}
	}
	return append(checks,
		conformanceCheck{name: "cancel", run: checkCancel},
		conformanceCheck{name: "bad arguments", run: checkBadArgs},
	)
}

// runConformance runs the suite on every strategy in names as subtests;
// one that cannot run on this machine is skipped with the reason.
func runConformance(t *testing.T, names []string) {
	t.Helper()
	for _, name := range names {
		info, ok := Lookup(name)
		if !ok {
			t.Errorf("strategy %q is not registered", name)
			continue
		}
		t.Run(name, func(t *testing.T) {
			if err := Available(name); err != nil {
				t.Skipf("%s cannot run here: %v", name, err)
			}
			// The parallel checks run in a group of their own, which ends
			// before the checks that must run alone begin.
			checks := conformanceChecks()
			t.Run("parallel", func(t *testing.T) {
				for _, c := range checks {
					if !c.parallel {
						continue
					}
					t.Run(c.name, func(t *testing.T) {
						if !info.OutOfProcess {
							// Out-of-process strategies start processes for
							// every check: one at a time spares the machine.
							t.Parallel()
						}
						if err := c.run(info); err != nil {
							t.Error(err)
						}
					})
				}
			})
			for _, c := range checks {
				if c.parallel {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					if err := c.run(info); err != nil {
						t.Error(err)
					}
				})
			}
		})
	}
}

func TestConformance(t *testing.T) {
	runConformance(t, Names())
}

// runOnce makes a fresh instance, prepares it if it has set-up, runs one
// batch and closes it, the way the harness runs a trial.
func runOnce(ctx context.Context, info Info, w Workload, workers int) (rs []Result, err error) {
	s := info.New()
	if c, ok := s.(Closer); ok {
		defer func() {
			if cerr := c.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("Close: %w", cerr)
			}
		}()
	}
	if p, ok := s.(Preparer); ok {
		if err := p.Prepare(ctx, w, workers); err != nil {
			return nil, fmt.Errorf("Prepare: %w", err)
		}
	}
	return s.Run(ctx, w, workers)
}

// checkClosedForm runs one batch and checks every result against the
// closed form, the arrival schedule and the worker count.
func checkClosedForm(info Info, w Workload, workers int) error {
	rs, err := runOnce(context.Background(), info, w, workers)
	if err != nil {
		return fmt.Errorf("Run: %w", err)
	}
	if err := Verify(w, rs); err != nil {
		return err
	}
	return resultsError(w, rs, info, workers)
}

// resultsError checks what Verify does not: the arrival schedule, the
// timing fields and the worker ids. A strategy that ignores the worker
// count runs on one worker; any other names at most one worker per job or
// per worker asked for, whichever is more (perjob-unbounded numbers its
// goroutines by job).
func resultsError(w Workload, rs []Result, info Info, workers int) error {
	maxWorker := max(workers, w.Jobs)
	if info.IgnoresWorkers {
		maxWorker = 1
	}
	var errs []error
	for _, r := range rs {
		if release := w.Release(int(r.Job)); r.Start < release {
			errs = append(errs, fmt.Errorf("job %d started at %v, before its release at %v", r.Job, r.Start, release))
		}
		if r.End < r.Start+w.Sleep {
			errs = append(errs, fmt.Errorf("job %d: end %v before start %v plus sleep %v", r.Job, r.End, r.Start, w.Sleep))
		}
		if r.Worker < 0 || r.Worker >= maxWorker {
			errs = append(errs, fmt.Errorf("job %d: worker %d, want 0..%d", r.Job, r.Worker, maxWorker-1))
		}
	}
	return errors.Join(errs...)
}

// checkResults fails t with resultsError's findings.
func checkResults(t *testing.T, w Workload, rs []Result, name string, workers int) {
	t.Helper()
	info, ok := Lookup(name)
	if !ok {
		t.Fatalf("strategy %q is not registered", name)
	}
	if err := resultsError(w, rs, info, workers); err != nil {
		t.Error(err)
	}
}

// checkCancel runs a batch that only cancellation can end soon and checks
// that Run returns context.Canceled promptly and leaves no goroutine and no
// process of its own running.
func checkCancel(info Info) error {
	w := Workload{Jobs: 50, N: 1000, Sleep: time.Hour, Gap: 10 * time.Millisecond}
	const workers = 4
	goroutines := runtime.NumGoroutine()
	procs := descendants(os.Getpid())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := info.New()
	if p, ok := s.(Preparer); ok {
		if err := p.Prepare(context.Background(), w, workers); err != nil {
			return fmt.Errorf("Prepare: %w", err)
		}
	}
	time.AfterFunc(30*time.Millisecond, cancel)
	begin := time.Now()
	rs, err := s.Run(ctx, w, workers)
	took := time.Since(begin)
	var errs []error
	if c, ok := s.(Closer); ok {
		if cerr := c.Close(); cerr != nil {
			errs = append(errs, fmt.Errorf("Close after cancel: %w", cerr))
		}
	}
	if !errors.Is(err, context.Canceled) {
		errs = append(errs, fmt.Errorf("Run = %d results, %v; want context.Canceled", len(rs), err))
	}
	if took > 5*time.Second {
		errs = append(errs, fmt.Errorf("Run took %v after cancel, want a prompt return", took))
	}
	errs = append(errs, waitGone(goroutines, procs))
	return errors.Join(errs...)
}

// checkBadArgs checks that a batch no strategy can run is refused, by
// Prepare or by Run.
func checkBadArgs(info Info) error {
	bad := []struct {
		what    string
		w       Workload
		workers int
	}{
		{"0 workers", Workload{Jobs: 1, N: 1}, 0},
		{"-1 workers", Workload{Jobs: 1, N: 1}, -1},
		{"0 jobs", Workload{Jobs: 0, N: 1}, 1},
		{"negative N", Workload{Jobs: 1, N: -1}, 1},
	}
	var errs []error
	for _, b := range bad {
		if _, err := runOnce(context.Background(), info, b.w, b.workers); err == nil {
			errs = append(errs, fmt.Errorf("Run with %s succeeded, want an error", b.what))
		}
	}
	return errors.Join(errs...)
}

// descendants lists the live processes below pid: children, and theirs,
// since a strategy's workers may start processes of their own.
func descendants(pid int) map[int]bool {
	children := map[int][]int{}
	for _, p := range proctest.List() {
		children[p.PPID] = append(children[p.PPID], p.PID)
	}
	below := map[int]bool{}
	queue := []int{pid}
	for len(queue) > 0 {
		for _, c := range children[queue[0]] {
			if !below[c] {
				below[c] = true
				queue = append(queue, c)
			}
		}
		queue = queue[1:]
	}
	return below
}

// waitGone waits up to five seconds for the goroutine count to fall back
// to goroutines and for every process below this one that was not in procs
// to end, and says what is still running.
func waitGone(goroutines int, procs map[int]bool) error {
	deadline := time.Now().Add(5 * time.Second)
	for {
		var extra []int
		for pid := range descendants(os.Getpid()) {
			if !procs[pid] {
				extra = append(extra, pid)
			}
		}
		n := runtime.NumGoroutine()
		if n <= goroutines && len(extra) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			var errs []error
			if n > goroutines {
				buf := make([]byte, 1<<16)
				errs = append(errs, fmt.Errorf("%d goroutines left running, want %d:\n%s", n, goroutines, buf[:runtime.Stack(buf, true)]))
			}
			if len(extra) > 0 {
				errs = append(errs, fmt.Errorf("processes %v left running", extra))
			}
			return errors.Join(errs...)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
