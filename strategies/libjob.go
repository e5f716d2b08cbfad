package strategies

import (
	"context"
	"time"
)

// runJob is one job's body: it does the work and records it as worker's.
// A job whose batch has already failed or been cancelled is skipped, so
// that a library's queue drains at once; a failed job cancels the batch
// with its error. It reports whether the batch goes on.
//
// The libraries do not say which of their goroutines ran a task, so their
// strategies pass worker 0 for every job: the timeline of such a strategy
// shows when jobs ran, not where.
func runJob(ctx context.Context, cancel context.CancelCauseFunc, w Workload, start time.Time, j, worker int, results []Result) bool {
	if ctx.Err() != nil {
		return false
	}
	s := time.Since(start)
	sum, err := Compute(ctx, w, int64(j))
	if err != nil {
		cancel(err)
		return false
	}
	results[j] = Result{Job: int64(j), Sum: sum, Worker: worker, Start: s, End: time.Since(start)}
	return true
}
