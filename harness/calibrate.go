package harness

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/parbench/parbench/strategies"
)

// Calibration is what Calibrate measured, and the costs it gives.
type Calibration struct {
	Costs
	// Jobs and Batch are the calibration batch: its jobs and the median
	// wall time of its timed batches, serial on one core.
	Jobs    int
	Batch   time.Duration
	Batches int
	// Total is the wall time of the whole calibration.
	Total time.Duration
}

// calibrationJobs caps the jobs of the calibration batch: the XOR-sum
// costs the same for every job, so a few hundred give the time of one and
// keep a calibration of a large workload short.
const calibrationJobs = 1024

// Calibrate measures the costs a plan's estimate needs, on this machine,
// the way the harness runs a sweep: one measurement process pinned to one
// CPU runs, calibrationBatches times over, a warm-up and a timed serial
// batch of c's workload (at most calibrationJobs jobs, without its sleep
// and gap, which the estimate adds) and, for each strategy of c with
// worker processes, a batch at one worker for its start-up per worker.
// Nothing is written; the runner's callbacks are not called.
func (r *Runner) Calibrate(ctx context.Context, c Config) (Calibration, error) {
	w := c.Workload
	w.Jobs = min(max(w.Jobs, 1), calibrationJobs)
	w.Sleep, w.Gap = 0, 0
	cal := Config{Strategies: []string{"serial"}, Cores: []int{1}, Count: 1, Warmup: 1, Workload: w, Seed: 1}
	for _, s := range c.Strategies {
		if strategies.OutOfProcess(s) && !slices.Contains(cal.Strategies, s) {
			cal.Strategies = append(cal.Strategies, s)
		}
	}
	// calibrationBatches timed serial batches, so that one slow moment
	// does not make the estimate: their median is the batch time.
	fork := Fork{Cores: 1}
	for range calibrationBatches {
		fork.Trials = append(fork.Trials, trialsAt(cal, 1)...)
	}
	var samples []Sample
	var firstStart, lastSample time.Time
	cr := Runner{Executable: r.Executable, CPUs: r.CPUs, Enforcement: r.Enforcement, pin: r.pin}
	begin := time.Now()
	// One fork, trials in the order given: the plan has one round.
	err := cr.runFork(ctx, forkRequest{Fork: fork, Workload: w, Warmup: cal.Warmup},
		func(Trial) {
			if firstStart.IsZero() {
				firstStart = time.Now()
			}
		},
		func(s Sample) error {
			samples = append(samples, s)
			lastSample = time.Now()
			return nil
		})
	end := time.Now()
	if err != nil {
		return Calibration{}, fmt.Errorf("calibration: %w", err)
	}
	out := Calibration{Jobs: w.Jobs, Total: end.Sub(begin), Costs: Costs{WorkerStart: map[string]time.Duration{}}}
	walls := map[string][]time.Duration{}
	starts := map[string][]time.Duration{}
	for _, s := range samples {
		walls[s.Strategy] = append(walls[s.Strategy], s.Wall)
		if s.Startup > 0 {
			starts[s.Strategy] = append(starts[s.Strategy], s.Startup/time.Duration(s.Workers))
		}
	}
	for name, ds := range starts {
		out.WorkerStart[name] = medianDuration(ds)
	}
	if len(walls["serial"]) > 0 {
		out.Batch = medianDuration(walls["serial"])
		out.Batches = len(walls["serial"])
		out.JobTime = out.Batch / time.Duration(w.Jobs)
	}
	if out.Batch <= 0 || firstStart.IsZero() {
		return Calibration{}, fmt.Errorf("calibration: no serial batch came back")
	}
	// A process's own cost: from its start to its first trial (exec, the
	// runtime, the core check), and from its last sample to its exit.
	out.ForkStart = firstStart.Sub(begin) + end.Sub(lastSample)
	return out, nil
}

// calibrationBatches is how many timed batches Calibrate takes the median of.
const calibrationBatches = 3

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
