package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parbench/parbench/strategies"
)

// MeasuredCosts are the costs a plan's estimate needs (Costs), as
// MeasureCosts found them on this machine, with what they came from.
type MeasuredCosts struct {
	Costs
	// Jobs and Batch are the cost batch: its jobs and the median wall
	// time of its timed batches, serial on one core.
	Jobs    int
	Batch   time.Duration
	Batches int
	// Total is the wall time of the whole measurement.
	Total time.Duration
}

// costJobs caps the jobs of the cost batch: the XOR-sum costs the same for
// every job, so a few hundred give the time of one and keep the
// measurement of a large workload short.
const costJobs = 1024

// costBatches is how many timed serial batches MeasureCosts takes the
// median of, so that one slow moment does not make the estimate.
const costBatches = 3

// MeasureCosts measures the costs a plan's estimate needs, on this
// machine, the way the harness runs a sweep: one measurement process
// pinned to one CPU runs a warm-up and costBatches timed serial batches of
// c's workload (at most costJobs jobs, without its sleep and gap, which
// the estimate adds) and, for each strategy of c with worker processes, a
// batch at one worker for its start-up per worker. A process that fails
// is tried again, up to MaxProcessFailures times. Nothing is written; the
// runner's callbacks are not called.
func (r *Runner) MeasureCosts(ctx context.Context, c Config) (MeasuredCosts, error) {
	var causes []string
	for {
		mc, err := r.measureCosts(ctx, c)
		if pe := (*ProcessError)(nil); !errors.As(err, &pe) || ctx.Err() != nil {
			if err != nil {
				err = fmt.Errorf("measuring costs: %w", err)
			}
			return mc, err
		}
		if causes = append(causes, err.Error()); len(causes) >= MaxProcessFailures {
			return mc, fmt.Errorf("measuring costs: %w", err)
		}
	}
}

func (r *Runner) measureCosts(ctx context.Context, c Config) (MeasuredCosts, error) {
	w := c.Workload
	w.Jobs = min(max(w.Jobs, 1), costJobs)
	w.Sleep, w.Gap = 0, 0
	wd := r.Watchdog
	if wd.Factor <= 0 {
		wd = DefaultWatchdog
	}
	limit := wd.limit(Trial{}, w, nil)
	begin := time.Now()
	s, err := r.startSession(ctx, 1, w, limit)
	if err != nil {
		return MeasuredCosts{}, err
	}
	defer s.kill()
	started := time.Now()
	serial := Trial{Strategy: "serial", Cores: 1, Workers: 1}
	if _, err := s.do(ctx, request{Kind: kindWarmup, Trial: serial, Index: 1}, limit); err != nil {
		return MeasuredCosts{}, err
	}
	var walls []time.Duration
	for range costBatches {
		got, err := s.do(ctx, request{Kind: kindTimed, Trial: serial}, limit)
		if err != nil {
			return MeasuredCosts{}, err
		}
		walls = append(walls, got.Wall)
	}
	out := MeasuredCosts{Jobs: w.Jobs, Costs: Costs{WorkerStart: map[string]time.Duration{}}}
	for _, name := range c.Strategies {
		if !strategies.OutOfProcess(name) || out.WorkerStart[name] > 0 {
			continue
		}
		t := Trial{Strategy: name, Cores: 1, Workers: 1}
		got, err := s.do(ctx, request{Kind: kindWarmup, Trial: t, Index: 1}, limit)
		if err != nil {
			return MeasuredCosts{}, err
		}
		out.WorkerStart[name] = got.Startup
	}
	closing := time.Now()
	if err := s.close(); err != nil {
		return MeasuredCosts{}, err
	}
	end := time.Now()
	out.Batch = medianDuration(walls)
	out.Batches = len(walls)
	out.JobTime = out.Batch / time.Duration(w.Jobs)
	out.Total = end.Sub(begin)
	// A process's own cost: from its start to its check (exec, the
	// runtime), and from the end of its input to its exit.
	out.ProcessStart = started.Sub(begin) + end.Sub(closing)
	return out, nil
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
