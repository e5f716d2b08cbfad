package strategies

import (
	"context"
	"fmt"
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
	if err := checkArgs(w, workers); err != nil {
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
			for j := range jobs {
				if ctx.Err() != nil {
					continue // drain so the feeder never blocks
				}
				s := time.Since(start)
				sum, err := Compute(ctx, w, int64(j))
				if err != nil {
					cancel(err)
					continue
				}
				results[j] = Result{Job: int64(j), Sum: sum, Worker: worker, Start: s, End: time.Since(start)}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}

// checkArgs rejects what no strategy can run.
func checkArgs(w Workload, workers int) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if workers < 1 {
		return fmt.Errorf("workers %d: want at least 1", workers)
	}
	return nil
}
