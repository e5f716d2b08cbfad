// Package strategytest checks that a strategy keeps the promises the
// harness relies on. Run is the conformance suite that parbench runs on
// each of its own strategies, exported so that a strategy kept in another
// module is held to the same promises, as testing/fstest.TestFS holds a
// file system to those of io/fs:
//
//	func TestMine(t *testing.T) { strategytest.Run(t, "mine") }
//
// Run counts this process's goroutines and the processes below it, before
// and after what it runs, to find what a strategy leaves running. So the
// test that calls it must not run in parallel with other tests: Run never
// calls t.Parallel, and the test that calls it must not either. A test
// binary that runs procpool must serve procpool.WorkerMode in its
// TestMain, since procpool's workers are the binary re-executed.
package strategytest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

// Run runs the conformance suite on the registered strategy name, each
// check a subtest named after the promise it checks:
//
//   - "closed form/SHAPE/workers=K": one batch of each shape (one job; jobs
//     that no worker count divides; sleeping jobs; jobs released on an
//     arrival schedule) on 1 to 8 workers, made, prepared and closed as a
//     measurement process does. Every job once with the right sum (an
//     error names the first lost, repeated or wrong job), no job started
//     before its release time, End no earlier than Start plus the sleep,
//     worker ids in range, and nothing left running after Close.
//   - "cancel": a batch of hour-long jobs, cancelled 30ms in. Run returns
//     context.Canceled within seconds, and after Close nothing is left
//     running.
//   - "bad arguments": 0 and -1 workers, 0 jobs and a negative n are each
//     refused with an error, by Prepare or Run, and nothing is left
//     running.
//   - "session": the way a measurement process uses a strategy. An
//     instance per worker count (two of them, unless the strategy ignores
//     the worker count), each prepared once, then 200 small batches
//     interleaved between them, each checked as above; no Run leaves
//     anything running that the first did not; then Close, after which
//     nothing is left. A strategy that breaks on its second Run fails
//     here.
//
// A strategy whose Available reports that it cannot run on this machine
// is skipped with the reason.
func Run(t *testing.T, name string) {
	t.Helper()
	info, ok := strategies.Lookup(name)
	if !ok {
		t.Fatalf("strategytest: strategy %q is not registered (registered: %s)", name, strings.Join(strategies.Names(), ", "))
	}
	if err := strategies.Available(name); err != nil {
		t.Skipf("strategytest: %s cannot run here: %v", name, err)
	}
	defaultSuite().run(t, info)
}

// suite is the conformance suite with its settings: Run uses the
// defaults, and this package's tests shorten the waits.
type suite struct {
	// settle is how long a check waits for goroutines and processes to
	// end before it calls them left running.
	settle time.Duration
	// prompt is how soon Run must return once its batch is cancelled.
	prompt time.Duration
	// sessionRuns is how many batches the session check runs.
	sessionRuns int
	// last, if set, carries the processes a check that passed left to
	// the next one's baseline.
	last *lastProcs
}

func defaultSuite() suite {
	return suite{settle: 5 * time.Second, prompt: 5 * time.Second, sessionRuns: 200, last: &lastProcs{}}
}

// check is one check of the suite: an error is a broken promise, so that
// this package's tests can run a check on a broken strategy and see it
// fail.
type check struct {
	name string
	run  func(s suite, info strategies.Info) error
}

// shape is a named batch that the closed-form checks run.
type shape struct {
	name string
	w    strategies.Workload
}

// shapes cover what a strategy can get wrong: one job, jobs not divisible
// by the workers, sleeps and an arrival schedule. 37 and 11 jobs are
// divisible by none of 2..8, 9 by 3 only.
var shapes = []shape{
	{"one job", strategies.Workload{Jobs: 1, N: 1000}},
	{"jobs not divisible by workers", strategies.Workload{Jobs: 37, N: 5000}},
	{"with sleep", strategies.Workload{Jobs: 11, N: 100, Sleep: time.Millisecond}},
	{"with gap", strategies.Workload{Jobs: 9, N: 100, Gap: 2 * time.Millisecond}},
}

// maxWorkers is the largest worker count the closed-form checks use.
const maxWorkers = 8

// checks lists the suite, in the order it runs.
func (s suite) checks() []check {
	var checks []check
	for _, sh := range shapes {
		for workers := 1; workers <= maxWorkers; workers++ {
			checks = append(checks, check{
				name: "closed form/" + sh.name + "/workers=" + strconv.Itoa(workers),
				run:  func(s suite, info strategies.Info) error { return s.checkClosedForm(info, sh.w, workers) },
			})
		}
	}
	return append(checks,
		check{name: "cancel", run: suite.checkCancel},
		check{name: "bad arguments", run: suite.checkBadArgs},
		check{name: "session", run: suite.checkSession},
	)
}

// run runs every check on info as a subtest of t.
func (s suite) run(t *testing.T, info strategies.Info) {
	t.Helper()
	for _, c := range s.checks() {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(s, info); err != nil {
				t.Error(err)
			}
		})
	}
}

// runOnce makes a fresh instance, prepares it if it has set-up, runs one
// batch and closes it: a configuration's life in a measurement process,
// cut to one batch.
func runOnce(ctx context.Context, info strategies.Info, w strategies.Workload, workers int) (rs []strategies.Result, err error) {
	s := info.New()
	if c, ok := s.(strategies.Closer); ok {
		defer func() {
			if cerr := c.Close(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("Close: %w", cerr))
			}
		}()
	}
	if p, ok := s.(strategies.Preparer); ok {
		if err := p.Prepare(ctx, w, workers); err != nil {
			return nil, fmt.Errorf("Prepare: %w", err)
		}
	}
	rs, err = s.Run(ctx, w, workers)
	if err != nil {
		return nil, fmt.Errorf("Run: %w", err)
	}
	return rs, nil
}

// checkClosedForm runs one batch and checks every result, and that
// nothing is left running once the instance is closed.
func (s suite) checkClosedForm(info strategies.Info, w strategies.Workload, workers int) error {
	before := s.baseline()
	rs, err := runOnce(context.Background(), info, w, workers)
	if err == nil {
		err = CheckResults(info, w, workers, rs)
	}
	return errors.Join(err, s.leftSince(before, "after Close"))
}

// checkCancel runs a batch that only cancellation can end soon and checks
// that Run returns context.Canceled promptly, and that once the instance
// is closed nothing of it is left running.
func (s suite) checkCancel(info strategies.Info) error {
	w := strategies.Workload{Jobs: 50, N: 1000, Sleep: time.Hour, Gap: 10 * time.Millisecond}
	const workers = 4
	before := s.baseline()
	st := info.New()
	var errs []error
	if p, ok := st.(strategies.Preparer); ok {
		if err := p.Prepare(context.Background(), w, workers); err != nil {
			errs = append(errs, fmt.Errorf("Prepare: %w", err))
		}
	}
	if len(errs) == 0 {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Millisecond, cancel)
		begin := time.Now()
		rs, err := st.Run(ctx, w, workers)
		took := time.Since(begin)
		cancel()
		if !errors.Is(err, context.Canceled) {
			errs = append(errs, fmt.Errorf("cancelled Run = %d results, error %v; want context.Canceled", len(rs), err))
		}
		if took > s.prompt {
			errs = append(errs, fmt.Errorf("cancelled Run took %v, want a return within %v of the cancel", took.Round(time.Millisecond), s.prompt))
		}
	}
	if c, ok := st.(strategies.Closer); ok {
		if err := c.Close(); err != nil {
			errs = append(errs, fmt.Errorf("Close after a cancelled Run: %w", err))
		}
	}
	errs = append(errs, s.leftSince(before, "after a cancelled Run and Close"))
	return errors.Join(errs...)
}

// checkBadArgs checks that a batch no strategy can run is refused, by
// Prepare or by Run, and leaves nothing running.
func (s suite) checkBadArgs(info strategies.Info) error {
	bad := []struct {
		what    string
		w       strategies.Workload
		workers int
	}{
		{"0 workers", strategies.Workload{Jobs: 1, N: 1}, 0},
		{"-1 workers", strategies.Workload{Jobs: 1, N: 1}, -1},
		{"0 jobs", strategies.Workload{Jobs: 0, N: 1}, 1},
		{"negative n", strategies.Workload{Jobs: 1, N: -1}, 1},
	}
	before := s.baseline()
	var errs []error
	for _, b := range bad {
		if rs, err := runOnce(context.Background(), info, b.w, b.workers); err == nil {
			errs = append(errs, fmt.Errorf("a batch with %s: Run = %d results, no error; want an error from Prepare or Run", b.what, len(rs)))
		}
	}
	errs = append(errs, s.leftSince(before, "after refused batches and Close"))
	return errors.Join(errs...)
}

// sessionWorkload is the small batch the session check runs again and
// again: 5 jobs, which 2 workers do not divide.
var sessionWorkload = strategies.Workload{Jobs: 5, N: 1000}

// checkSession uses the strategy the way a measurement process does: an
// instance per configuration, each prepared once, then many batches of
// each, interleaved, each checked, and every instance closed at the end.
func (s suite) checkSession(info strategies.Info) (err error) {
	w := sessionWorkload
	workerCounts := []int{1, 2}
	if info.IgnoresWorkers {
		// The harness runs such a strategy at one worker only.
		workerCounts = workerCounts[:1]
	}
	before := s.baseline()
	type instance struct {
		st      strategies.Strategy
		workers int
		runs    int
	}
	var instances []*instance
	defer func() {
		for _, in := range instances {
			if c, ok := in.st.(strategies.Closer); ok {
				if cerr := c.Close(); cerr != nil {
					err = errors.Join(err, fmt.Errorf("workers=%d: Close after %d Runs: %w", in.workers, in.runs, cerr))
				}
			}
		}
		err = errors.Join(err, s.leftSince(before, "after Close"))
	}()
	for _, workers := range workerCounts {
		in := &instance{st: info.New(), workers: workers}
		instances = append(instances, in)
		if p, ok := in.st.(strategies.Preparer); ok {
			if err := p.Prepare(context.Background(), w, workers); err != nil {
				return fmt.Errorf("workers=%d: Prepare: %w", workers, err)
			}
		}
	}
	// Every instance runs once, in turn; then they take turns in an order
	// that is fixed but irregular, as a sweep's shuffled rounds are.
	order := make([]int, s.sessionRuns)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range order {
		if i < len(instances) {
			order[i] = i
		} else {
			order[i] = rng.IntN(len(instances))
		}
	}
	var warm running // once every instance has run a batch
	for i, k := range order {
		if i == len(instances) {
			warm = snapshot()
		}
		in := instances[k]
		in.runs++
		rs, err := in.st.Run(context.Background(), w, in.workers)
		if err == nil {
			err = CheckResults(info, w, in.workers, rs)
		}
		if err != nil {
			return fmt.Errorf("workers=%d: Run %d of the instance (batch %d of %d in the session): %w", in.workers, in.runs, i+1, len(order), err)
		}
	}
	if len(order) > len(instances) {
		if err := s.leftSince(warm, fmt.Sprintf("after %d Runs, compared with after each instance's first", len(order))); err != nil {
			return err
		}
	}
	return nil
}
