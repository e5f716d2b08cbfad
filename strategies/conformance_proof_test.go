package strategies

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// The tests here show that the conformance suite covers a strategy it was
// never told about, and that it catches one that loses a job.

// extraName is a strategy that only this test binary registers, as a new
// strategy file would: the suite must run on it with no edit of its own.
const extraName = "conformance-extra"

// extraRuns counts the batches extraName has run.
var extraRuns atomic.Int64

func init() {
	Register(Info{Name: extraName, Doc: "pool under another name (registered by the tests only)",
		New: func() Strategy { return countingPool{} }})
}

// countingPool is Pool, counting its batches.
type countingPool struct{}

func (countingPool) Name() string { return extraName }

func (countingPool) Run(ctx context.Context, w Workload, workers int) ([]Result, error) {
	extraRuns.Add(1)
	return Pool{}.Run(ctx, w, workers)
}

// dropsLast is Pool, losing the last job of every batch.
type dropsLast struct{}

func (dropsLast) Name() string { return "drops-last" }

func (dropsLast) Run(ctx context.Context, w Workload, workers int) ([]Result, error) {
	rs, err := Pool{}.Run(ctx, w, workers)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(rs, func(r Result) bool { return r.Job == int64(w.Jobs-1) }), nil
}

// registerForTest registers info until t ends. Only a test that runs
// alone may call it: the registry is read without a lock.
func registerForTest(t *testing.T, info Info) {
	t.Helper()
	Register(info)
	t.Cleanup(func() { delete(registry, info.Name) })
}

func TestConformanceRunsOnANewStrategy(t *testing.T) {
	if !slices.Contains(Names(), extraName) {
		t.Fatalf("Names() = %v, want the test binary's %s in it", Names(), extraName)
	}
	before := extraRuns.Load()
	// TestConformance runs the suite over Names(); here it runs on the
	// one name, so that its batches can be counted.
	runConformance(t, []string{extraName})
	// One batch per closed-form check, one for cancellation, none for bad
	// arguments, which are refused before a batch starts.
	want := int64(len(conformanceChecks()) - 2 + 1)
	if got := extraRuns.Load() - before; got < want {
		t.Errorf("the suite ran %d batches of %s, want at least %d", got, extraName, want)
	}
}

func TestConformanceCatchesALostJob(t *testing.T) {
	registerForTest(t, Info{Name: "drops-last", Doc: "loses its last job", New: func() Strategy { return dropsLast{} }})
	if !slices.Contains(Names(), "drops-last") {
		t.Fatalf("Names() = %v, want drops-last registered", Names())
	}
	info, _ := Lookup("drops-last")
	var failed, passed []string
	for _, c := range conformanceChecks() {
		if err := c.run(info); err != nil {
			failed = append(failed, c.name)
			if strings.HasPrefix(c.name, "closed form/") && (!errors.Is(err, ErrUnverified) || !strings.Contains(err.Error(), "lost")) {
				t.Errorf("%s: error %q, want a failed verification that names the lost job", c.name, err)
			}
		} else {
			passed = append(passed, c.name)
		}
	}
	// Every closed-form check loses a job; cancellation and bad arguments
	// do not depend on the last job.
	for _, name := range passed {
		if strings.HasPrefix(name, "closed form/") {
			t.Errorf("check %q passed on a strategy that drops its last job", name)
		}
	}
	if len(failed) == 0 {
		t.Error("the suite passed a strategy that drops its last job")
	}
}

func TestConformanceSkipsAnUnavailableStrategy(t *testing.T) {
	// A strategy whose program is missing here is skipped with the reason,
	// and never run: its batches would fail for the machine's sake, not
	// the strategy's.
	var made atomic.Int64
	registerForTest(t, Info{Name: "needs-missing-program", Doc: "needs a program this machine lacks",
		New:       func() Strategy { made.Add(1); return countingPool{} },
		Available: func() error { return errors.New("python3 not found") }})
	runConformance(t, []string{"needs-missing-program"})
	if n := made.Load(); n != 0 {
		t.Errorf("the suite made %d instances of a strategy that cannot run here, want none", n)
	}
}
