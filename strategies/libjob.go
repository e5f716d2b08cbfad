package strategies

import (
	"context"
	"time"
)

// runJob is one job's body in a library pool: the library decides where
// and when it runs, runJob does the work and records it. A job whose batch
// has already failed or been cancelled is skipped, so that a library's
// queue drains at once; a failed job cancels the batch with its error.
//
// The libraries do not say which of their goroutines ran a task, so the
// result's Worker is 0 for all of them: the timeline of such a strategy
// shows when jobs ran, not where.
func runJob(ctx context.Context, cancel context.CancelCauseFunc, w Workload, start time.Time, j int, results []Result) {
	if ctx.Err() != nil {
		return
	}
	s := time.Since(start)
	sum, err := Compute(ctx, w, int64(j))
	if err != nil {
		cancel(err)
		return
	}
	results[j] = Result{Job: int64(j), Sum: sum, Start: s, End: time.Since(start)}
}
