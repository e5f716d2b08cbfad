package strategytest

import (
	"context"
	"errors"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

// The tests here show that the suite covers a strategy it was never told
// about, skips one that cannot run here, and catches each broken promise,
// by name, on strategies that break one.

// extraName is a strategy that only this test binary registers, as a new
// strategy file would: the suite must run on it with no edit of its own.
const extraName = "conformance-extra"

// extraRuns counts the batches extraName has run.
var extraRuns atomic.Int64

// unavailableName is a strategy that cannot run here, and unavailableMade
// counts its instances: the suite must make none.
const unavailableName = "needs-missing-program"

var unavailableMade atomic.Int64

func init() {
	strategies.Register(strategies.Info{Name: extraName, Doc: "pool under another name (registered by the tests only)",
		New: func() strategies.Strategy { return countingPool{} }})
	strategies.Register(strategies.Info{Name: unavailableName, Doc: "needs a program this machine lacks (registered by the tests only)",
		New:       func() strategies.Strategy { unavailableMade.Add(1); return countingPool{} },
		Available: func() error { return errors.New("python3 not found") }})
}

// countingPool is strategies.Pool, counting its batches.
type countingPool struct{}

var _ strategies.Strategy = countingPool{}

func (countingPool) Name() string { return extraName }

func (countingPool) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	extraRuns.Add(1)
	return strategies.Pool{}.Run(ctx, w, workers)
}

func TestRunsOnANewStrategy(t *testing.T) {
	if !slices.Contains(strategies.Names(), extraName) {
		t.Fatalf("Names() = %v, want the test binary's %s in it", strategies.Names(), extraName)
	}
	before := extraRuns.Load()
	Run(t, extraName)
	// A batch per closed-form check, one cancelled, and the session's.
	s := defaultSuite()
	want := int64(len(shapes)*maxWorkers + 1 + s.sessionRuns)
	if got := extraRuns.Load() - before; got < want {
		t.Errorf("the suite ran %d batches of %s, want at least %d", got, extraName, want)
	}
}

func TestSkipsAnUnavailableStrategy(t *testing.T) {
	// A strategy whose program is missing here is skipped with the reason,
	// and never made: its batches would fail for the machine's sake, not
	// the strategy's.
	var skipped bool
	t.Run(unavailableName, func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		Run(t, unavailableName)
	})
	if !skipped {
		t.Errorf("Run(%s) was not skipped, want a skip for a strategy that cannot run here", unavailableName)
	}
	if n := unavailableMade.Load(); n != 0 {
		t.Errorf("the suite made %d instances of a strategy that cannot run here, want none", n)
	}
}

// lastJob is the id of the last job of the closed-form check named name.
func lastJob(t *testing.T, name string) int {
	t.Helper()
	for _, sh := range shapes {
		if strings.HasPrefix(name, "closed form/"+sh.name+"/") {
			return sh.w.Jobs - 1
		}
	}
	t.Fatalf("no shape for check %q", name)
	return 0
}

// brokenCase is a strategy that breaks some promises and keeps the rest:
// the checks of the promises it breaks must fail, naming them, and the
// others must pass. The first case runs every check; the others run the
// checks of what they break and a few of what they keep.
type brokenCase struct {
	name string
	// new makes an instance; instances share nothing.
	new func() strategies.Strategy
	// only lists the checks to run, by name; nil runs them all.
	only []string
	// want is what the error of the check named check must contain; ""
	// means the check must pass.
	want func(t *testing.T, check string) []string
}

func TestCatchesBrokenPromises(t *testing.T) {
	cases := []brokenCase{
		{
			name: "loses its last job",
			new:  func() strategies.Strategy { return dropsLast{} },
			want: func(t *testing.T, check string) []string {
				switch {
				case strings.HasPrefix(check, "closed form/"):
					return []string{"job " + strconv.Itoa(lastJob(t, check)) + " lost"}
				case check == "session":
					return []string{"Run 1 of the instance", "job 4 lost"}
				}
				return nil
			},
		},
		{
			name: "breaks on its second Run",
			new:  func() strategies.Strategy { return &keepsResults{} },
			only: []string{"closed form/one job/workers=1", "closed form/with sleep/workers=3", "session"},
			want: func(t *testing.T, check string) []string {
				if check == "session" {
					return []string{"Run 2 of the instance", "returned twice"}
				}
				return nil
			},
		},
		{
			name: "starts jobs before their release",
			new:  func() strategies.Strategy { return ignoresGap{} },
			only: []string{"closed form/one job/workers=1", "closed form/with gap/workers=1", "closed form/with gap/workers=4", "session"},
			want: func(t *testing.T, check string) []string {
				if strings.HasPrefix(check, "closed form/with gap/") {
					return []string{"release times broken", "before its release"}
				}
				return nil
			},
		},
		{
			name: "runs on workers it cannot have",
			new:  func() strategies.Strategy { return acceptsNoWorkers{} },
			only: []string{"closed form/one job/workers=1", "bad arguments", "session"},
			want: func(t *testing.T, check string) []string {
				if check == "bad arguments" {
					return []string{"a batch with 0 workers", "a batch with -1 workers"}
				}
				return nil
			},
		},
		{
			name: "hides a cancellation",
			new:  func() strategies.Strategy { return hidesCancel{} },
			only: []string{"closed form/with sleep/workers=3", "cancel", "session"},
			want: func(t *testing.T, check string) []string {
				if check == "cancel" {
					return []string{"want context.Canceled"}
				}
				return nil
			},
		},
		{
			name: "leaves a goroutine running",
			new:  func() strategies.Strategy { return leaksGoroutine{stop: stopAtEnd(t)} },
			only: []string{"closed form/one job/workers=1", "session"},
			want: func(t *testing.T, check string) []string {
				if check == "session" {
					return []string{"nothing left running after 20 Runs, compared with after each instance's first", "goroutines"}
				}
				return []string{"nothing left running after Close", "goroutines"}
			},
		},
	}
	if runtime.GOOS == "linux" {
		if sleep, err := exec.LookPath("sleep"); err == nil {
			cases = append(cases, brokenCase{
				name: "leaves a child process running",
				new:  func() strategies.Strategy { return leaksProcess{sleep: sleep, t: t} },
				only: []string{"closed form/one job/workers=1"},
				want: func(t *testing.T, check string) []string {
					return []string{"nothing left running after Close: processes left running", "sleep"}
				},
			})
		}
	}
	// The waits are shortened: what is left running here stays running.
	s := suite{settle: 100 * time.Millisecond, prompt: 5 * time.Second, sessionRuns: 20}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			info := strategies.Info{Name: tc.new().Name(), New: tc.new}
			ran := 0
			for _, c := range s.checks() {
				if tc.only != nil && !slices.Contains(tc.only, c.name) {
					continue
				}
				ran++
				err := c.run(s, info)
				want := tc.want(t, c.name)
				switch {
				case want == nil && err != nil:
					t.Errorf("check %q failed, want it passed: %v", c.name, err)
				case want != nil && err == nil:
					t.Errorf("check %q passed, want it failed with %q", c.name, want)
				case want != nil:
					for _, w := range want {
						if !strings.Contains(err.Error(), w) {
							t.Errorf("check %q: error %q does not say %q", c.name, err, w)
						}
					}
				}
			}
			if tc.only != nil && ran != len(tc.only) {
				t.Errorf("ran %d checks, want %d: %v", ran, len(tc.only), tc.only)
			}
		})
	}
}

// dropsLast is strategies.Pool, losing the last job of every batch.
type dropsLast struct{}

var _ strategies.Strategy = dropsLast{}

func (dropsLast) Name() string { return "drops-last" }

func (dropsLast) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	rs, err := strategies.Pool{}.Run(ctx, w, workers)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(rs, func(r strategies.Result) bool { return r.Job == int64(w.Jobs-1) }), nil
}

// keepsResults appends every batch's results to the last one's: its first
// Run is right, and every later one returns each job again.
type keepsResults struct {
	mu  sync.Mutex
	all []strategies.Result
}

var _ strategies.Strategy = (*keepsResults)(nil)

func (*keepsResults) Name() string { return "keeps-results" }

func (k *keepsResults) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	rs, err := strategies.Pool{}.Run(ctx, w, workers)
	if err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.all = append(k.all, rs...)
	return slices.Clone(k.all), nil
}

// ignoresGap is strategies.Pool run as if every job were released at once.
type ignoresGap struct{}

var _ strategies.Strategy = ignoresGap{}

func (ignoresGap) Name() string { return "ignores-gap" }

func (ignoresGap) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	w.Gap = 0
	return strategies.Pool{}.Run(ctx, w, workers)
}

// acceptsNoWorkers runs on one worker when it is given fewer.
type acceptsNoWorkers struct{}

var _ strategies.Strategy = acceptsNoWorkers{}

func (acceptsNoWorkers) Name() string { return "accepts-no-workers" }

func (acceptsNoWorkers) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	return strategies.Pool{}.Run(ctx, w, max(workers, 1))
}

// hidesCancel returns no error from a cancelled batch.
type hidesCancel struct{}

var _ strategies.Strategy = hidesCancel{}

func (hidesCancel) Name() string { return "hides-cancel" }

func (hidesCancel) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	rs, err := strategies.Pool{}.Run(ctx, w, workers)
	if errors.Is(err, context.Canceled) {
		return nil, nil
	}
	return rs, err
}

// leaksGoroutine is strategies.Pool, leaving a goroutine behind every
// batch until stop is closed.
type leaksGoroutine struct{ stop chan struct{} }

var _ strategies.Strategy = leaksGoroutine{}

func (leaksGoroutine) Name() string { return "leaks-goroutine" }

func (l leaksGoroutine) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	go func() { <-l.stop }()
	return strategies.Pool{}.Run(ctx, w, workers)
}

// stopAtEnd is a channel closed when t ends.
func stopAtEnd(t *testing.T) chan struct{} {
	c := make(chan struct{})
	t.Cleanup(func() { close(c) })
	return c
}

// leaksProcess is strategies.Pool, leaving a child process behind every
// batch, until t ends.
type leaksProcess struct {
	sleep string
	t     *testing.T
}

var _ strategies.Strategy = leaksProcess{}

func (leaksProcess) Name() string { return "leaks-process" }

func (l leaksProcess) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	cmd := exec.Command(l.sleep, "60")
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	l.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return strategies.Pool{}.Run(ctx, w, workers)
}
