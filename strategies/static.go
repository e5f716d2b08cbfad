package strategies

import (
	"context"
	"sync"
	"time"
)

func init() {
	Register(Info{
		Name: "static",
		Doc:  "worker w takes the w-th contiguous block of jobs: no channel, no shared state",
		New:  func() Strategy { return Static{} },
	})
}

// Static is the zero-coordination split, OpenMP's schedule(static): the
// jobs are cut into workers contiguous blocks before the batch starts, and
// worker w runs block w in order, each job at its release time. No job
// passes through a channel, a lock or a shared counter, so what it costs
// over serial is starting the goroutines and waiting for the slowest
// block; what it gives up is balance, since a worker that finishes early
// cannot help another, and with an arrival gap the later blocks wait for
// their jobs to be released.
type Static struct{}

var _ Strategy = Static{}

// Name implements Strategy.
func (Static) Name() string { return "static" }

// Run implements Strategy.
func (Static) Run(ctx context.Context, w Workload, workers int) ([]Result, error) {
	if err := CheckRun(w, workers); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	start := time.Now()
	results := make([]Result, w.Jobs) // block w's jobs are written only by worker w
	var wg sync.WaitGroup
	for worker := range min(workers, w.Jobs) {
		lo, hi := staticBlock(w.Jobs, workers, worker)
		wg.Go(func() {
			for j := lo; j < hi; j++ {
				if err := WaitRelease(ctx, w, start, j); err != nil {
					return
				}
				if err := RunJob(ctx, w, start, j, worker, results); err != nil {
					cancel(err)
					return
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

// staticBlock is worker's block [lo, hi) of jobs split among workers: the
// first jobs%workers blocks hold one job more than the rest, so block sizes
// differ by at most one and the blocks cover 0..jobs-1 in order. With more
// workers than jobs the last blocks are empty.
func staticBlock(jobs, workers, worker int) (lo, hi int) {
	size, extra := jobs/workers, jobs%workers
	lo = worker*size + min(worker, extra)
	hi = lo + size
	if worker < extra {
		hi++
	}
	return lo, hi
}
