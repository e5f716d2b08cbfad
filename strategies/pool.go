package strategies

import (
	"context"
	"sync"
	"time"
)

func init() {
	Register(Info{Name: "pool", Doc: "a fixed set of worker goroutines pulling jobs from a channel", New: func() Strategy { return Pool{} }})
}

// Pool is the article's manager and workers without its polling loop and
// stop-event race: a feeder sends job ids on a channel and closes it when
// the last job is released, and a fixed set of worker goroutines range over
// it. A worker leaves only when the channel is closed and drained, so no
// job can be left behind.
type Pool struct{}

var _ Strategy = Pool{}

// Name implements Strategy.
func (Pool) Name() string { return "pool" }

// Run implements Strategy.
func (Pool) Run(ctx context.Context, w Workload, workers int) ([]Result, error) {
	if err := CheckRun(w, workers); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	start := time.Now()
	// Room for every job: the feeder never blocks, so once a job is
	// released no worker waits for the feeder to be scheduled (on a busy
	// machine that wait is a context switch per job), and the release
	// times still decide when a job can be taken.
	jobs := make(chan int, w.Jobs)
	results := make([]Result, w.Jobs) // job j is written only by the worker that took j
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(jobs)
		for j := range w.Jobs {
			if err := WaitRelease(ctx, w, start, j); err != nil {
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	})
	for worker := range workers {
		wg.Go(func() {
			// Once the batch has failed, RunJob returns at once: the
			// worker drains the channel, so the feeder never blocks.
			for j := range jobs {
				if err := RunJob(ctx, w, start, j, worker, results); err != nil {
					cancel(err)
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}
