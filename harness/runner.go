package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// Progress tells the caller where a sweep is. Done counts timed samples.
type Progress struct {
	Trial   Trial
	Round   int // 0-based; -1 for an extra untimed pass
	Rounds  int
	Done    int
	Total   int
	Elapsed time.Duration
	ETA     time.Duration // 0 until one sample is in
	Sampled bool          // a sample just arrived; otherwise a trial just started
	Pass    string        // "profile" during the profiling pass
	// With a precision target: the target, the budget, and the widest
	// paired half-width so far (NaN before any pair) and whose it is.
	Target     float64
	Budget     time.Duration
	Worst      float64
	WorstTrial Trial
}

// Runner runs sweeps in measurement processes. The zero value is not
// ready; use NewRunner.
type Runner struct {
	// Executable is the binary re-executed in measurement mode; its main
	// must serve MeasureMode. NewRunner sets it to this binary.
	Executable string
	// CPUs are the CPUs to hand out, in order: k cores gets the first k.
	CPUs []int
	// Enforcement says how cores are enforced: "affinity+gomaxprocs" on
	// Linux when pinning works, else "gomaxprocs" with the reason.
	Enforcement string
	pin         bool

	// OnProgress, if set, is called when a trial starts and when a
	// sample arrives.
	OnProgress func(Progress)
	// OnSample receives every configuration's paired sample as it
	// arrives, between batches; an error stops the sweep.
	OnSample func(Sample) error
	// OnCalibration receives the calibration meter's rounds (strategy
	// CalibrationStrategy, the shares in Half), which bench.txt keeps
	// beside the samples.
	OnCalibration func(Sample) error
	// OnProcessFault, if set, hears of every measurement process that
	// failed and was replaced, as it happens; OnGiveUp of every core count
	// the sweep gave up on after MaxProcessFailures such failures in a
	// row (Run then returns a *GiveUpError once the rest is done).
	// An error from either stops the sweep, as OnSample's does.
	OnProcessFault func(ProcessFault) error
	OnGiveUp       func(cores int, causes []string) error
	// OnSweepDone, if set, is called once the timed sweep is complete,
	// before the untimed passes (timeline, profile), so that the caller
	// can mark its results complete whatever those passes do.
	OnSweepDone func() error
	// Watchdog bounds the wait for each batch of the sweep; the zero
	// value means DefaultWatchdog.
	Watchdog Watchdog
	// OnTimeline receives the untimed batch of each configuration when
	// Config.Timeline is set.
	OnTimeline func(Sample) error
	// OnFault, if set, hears of every worker fault a strategy met and
	// recovered from, in any batch of any pass, as it is reported.
	OnFault func(Fault)
	// Folder is the run folder whose profiles folder the profiling pass
	// (Config.Profile) and the timeline batches' traces (Config.Trace)
	// write into; OnProfiles receives what the profiling pass wrote,
	// once, at its end. A trial that cannot be profiled is a warning in
	// the set, not an error of Run.
	Folder     runfiles.Folder
	OnProfiles func(ProfileSet) error

	// dial, if set, replaces the sweep's measurement processes (tests
	// run the sweep on a simulated machine).
	dial func(ctx context.Context, cores int, w strategies.Workload) (conn, error)
}

// NewRunner finds this binary and the CPUs it may use, and checks whether
// it can pin measurement processes to them.
func NewRunner() (*Runner, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this binary to re-execute: %w", err)
	}
	cpus, err := AllowedCPUs()
	if err != nil {
		return nil, err
	}
	r := &Runner{Executable: exe, CPUs: cpus, Enforcement: enforcementPinned, pin: true}
	if err := canPin(cpus); err != nil {
		r.pin = false
		r.Enforcement = "gomaxprocs (no CPU affinity: " + err.Error() + ")"
	}
	return r, nil
}

// Run runs the sweep c. It returns ctx's error, wrapped, when ctx is
// cancelled, after the measurement process in flight has stopped.
func (r *Runner) Run(ctx context.Context, c Config) error {
	if err := c.Validate(len(r.CPUs)); err != nil {
		return err
	}
	if err := r.checkProfiling(c); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(c.Seed), 0x9e3779b97f4a7c15))
	begin := time.Now()
	sw := r.newSweep(c, rng, begin)
	err := sw.run(ctx)
	if err == nil && r.OnSweepDone != nil {
		err = r.OnSweepDone()
	}
	if err == nil && c.Timeline {
		err = sw.timeline(ctx)
	}
	if cerr := sw.close(); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("interrupted: %w", ctx.Err())
		}
		return err
	}
	if err := r.profilePass(ctx, c, begin, sw.givenUp); err != nil {
		return err
	}
	return sw.giveUpError()
}
