package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

// signalEnv configures test-signal in the measurement processes:
// "SIGNAL:CORES:CALL" sends the process itself SIGNAL (KILL or STOP) in
// the CALL-th batch of test-signal it runs (warm-ups count), where
// GOMAXPROCS is CORES. Every new process counts from 1 again.
const signalEnv = "PARBENCH_TEST_SIGNAL"

func init() {
	strategies.Register(strategies.Info{Name: "test-signal", Doc: "serial, signalling its own process as " + signalEnv + " says",
		New: func() strategies.Strategy { return &signalling{} }})
}

type signalling struct{ calls int }

func (*signalling) Name() string { return "test-signal" }

func (s *signalling) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	s.calls++
	var sig string
	var cores, call int
	if _, err := fmt.Sscanf(strings.ReplaceAll(os.Getenv(signalEnv), ":", " "), "%s %d %d", &sig, &cores, &call); err == nil &&
		cores == runtime.GOMAXPROCS(0) && call == s.calls {
		signal := map[string]syscall.Signal{"KILL": syscall.SIGKILL, "STOP": syscall.SIGSTOP}[sig]
		_ = syscall.Kill(os.Getpid(), signal)
		time.Sleep(time.Second) // the signal lands before this returns
	}
	return strategies.Serial{}.Run(ctx, w, workers)
}

// TestRunnerReplacesFailedProcess: a measurement process killed, or
// stopped (and then killed by the watchdog), in the middle of a timed
// batch is replaced; the sweep completes with every configuration's
// pairs, the fault is counted on the configuration whose batch was in
// flight, and no process is left.
func TestRunnerReplacesFailedProcess(t *testing.T) {
	for _, sig := range []string{"KILL", "STOP"} {
		t.Run(sig, func(t *testing.T) {
			r := newTestRunner(t)
			cores := coresUpTo(r, 2)
			k := cores[len(cores)-1]
			// The second timed batch of each process: every process
			// fails once, after one good pair.
			t.Setenv(signalEnv, fmt.Sprintf("%s:%d:3", sig, k))
			r.Watchdog = Watchdog{Factor: 5, Floor: 300 * time.Millisecond, First: 10 * time.Second}
			c := Config{Strategies: []string{"serial", "test-signal"}, Cores: cores, Count: 4, Warmup: 1, Workload: tinyWorkload, Ceiling: true}
			pairs := map[Trial]int{}
			r.OnSample = func(s Sample) error { pairs[s.Trial]++; return nil }
			var faults []ProcessFault
			r.OnProcessFault = func(f ProcessFault) error { faults = append(faults, f); return nil }
			var rec groupRecorder
			if err := runWithin(t, 60*time.Second, context.Background(), r, c, &rec); err != nil {
				t.Fatalf("the run failed: %v", err)
			}
			for _, tr := range c.SweepTrials() {
				if pairs[tr] != c.Count {
					t.Errorf("%v: %d pairs, want %d", tr, pairs[tr], c.Count)
				}
			}
			if len(faults) == 0 {
				t.Fatal("no process fault counted")
			}
			want := Trial{Strategy: "test-signal", Cores: k, Workers: k}
			for _, f := range faults {
				if f.Trial == nil || *f.Trial != want || f.Step != "timed" || f.Cores != k {
					t.Errorf("fault %v, want it on %v's timed batch", f, want)
				}
				if sig == "STOP" && !strings.Contains(f.Cause, "no answer within") {
					t.Errorf("fault %v, want the watchdog's cause", f)
				}
			}
			checkNoProcessesLeft(t, rec.list())
		})
	}
}

// TestRunnerGivesUpOnOneCoreCount: a core count whose processes die in
// every timed batch is given up on after MaxProcessFailures deaths in a
// row; the other core counts finish, and the error names the one.
func TestRunnerGivesUpOnOneCoreCount(t *testing.T) {
	r := newTestRunner(t)
	if len(r.CPUs) < 2 {
		t.Skip("needs 2 CPUs: one core count to give up on, one to finish")
	}
	t.Setenv(signalEnv, "KILL:2:2")
	c := Config{Strategies: []string{"test-signal"}, Cores: []int{1, 2}, Count: 3, Warmup: 1, Workload: tinyWorkload, Timeline: true}
	pairs := map[Trial]int{}
	r.OnSample = func(s Sample) error { pairs[s.Trial]++; return nil }
	timelines := map[int]int{}
	r.OnTimeline = func(s Sample) error { timelines[s.Cores]++; return nil }
	var faults []ProcessFault
	r.OnProcessFault = func(f ProcessFault) error { faults = append(faults, f); return nil }
	var gaveUp []int
	r.OnGiveUp = func(k int, causes []string) error {
		gaveUp = append(gaveUp, k)
		if len(causes) != MaxProcessFailures {
			t.Errorf("gave up on %d cores with %d causes, want %d", k, len(causes), MaxProcessFailures)
		}
		return nil
	}
	var rec groupRecorder
	err := runWithin(t, 60*time.Second, context.Background(), r, c, &rec)
	var gu *GiveUpError
	if !errors.As(err, &gu) || !slices.Equal(gu.Cores(), []int{2}) || !slices.Equal(gaveUp, []int{2}) {
		t.Fatalf("got %v (OnGiveUp for %v), want the sweep to give up on 2 cores only", err, gaveUp)
	}
	checkErr(t, err, "gave up on 2 cores after 3 failures (signal: killed")
	one := Trial{Strategy: "test-signal", Cores: 1, Workers: 1}
	if pairs[one] != c.Count || len(pairs) != 1 {
		t.Errorf("pairs %v, want %d of %v and none at 2 cores", pairs, c.Count, one)
	}
	if timelines[1] != 1 || timelines[2] != 0 {
		t.Errorf("timelines by cores %v, want one at 1 core and none at 2", timelines)
	}
	if len(faults) != MaxProcessFailures {
		t.Errorf("got %d process faults, want %d: %v", len(faults), MaxProcessFailures, faults)
	}
	checkNoProcessesLeft(t, rec.list())
}
