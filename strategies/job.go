package strategies

import (
	"context"
	"runtime/trace"
	"time"

	"github.com/parbench/parbench/internal/jobtrace"
)

// Running one job is the same in every strategy: wait for its release
// (WaitRelease), then run and record it (RunJob, which calls Compute).
// What differs between strategies is who waits, and which worker runs it.

// Compute runs one job: the XOR-sum, then the sleep. The sleep returns early
// with ctx's error when ctx is cancelled; the XOR-sum always runs to its
// end, as a job that a strategy has started cannot be taken back.
func Compute(ctx context.Context, w Workload, job int64) (int64, error) {
	sum := XORSum(job, w.N)
	if err := Sleep(ctx, w.Sleep); err != nil {
		return 0, err
	}
	return sum, nil
}

// Sleep waits d or until ctx is done, whichever comes first, and returns
// ctx's error if ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// WaitRelease blocks until job's release time, w.Release(job) after start
// (the batch start), or until ctx is done, when it returns ctx's error. A
// job may start no sooner: the arrival schedule is part of the workload.
func WaitRelease(ctx context.Context, w Workload, start time.Time, job int) error {
	return Sleep(ctx, time.Until(start.Add(w.Release(job))))
}

// RunJob runs job (Compute) on behalf of worker and records it in
// results[job], with its start and end as offsets from start, the batch
// start. It does not wait for the job's release: the caller has, with
// WaitRelease, or knows the job was released.
//
// If ctx is already done, RunJob returns ctx's error without running the
// job, so that a strategy whose batch has failed or been cancelled drains
// its queue at once; if the job fails (its sleep was cut short), RunJob
// returns the error and records nothing. A strategy passes that error on:
// it cancels the batch with it (context.WithCancelCause), or returns it
// from an errgroup function.
//
// results must hold one slot per job of the batch. RunJob writes
// results[job] only, so calls for different jobs may run concurrently
// without a lock, and Run may return results once every call has
// returned.
//
// While the execution tracer runs, the job is a region named jobtrace.Job
// on its goroutine, which is how a trace tells job time from the rest;
// with w.JobCPU set, RunJob also measures the job's thread CPU time
// (Result.CPU). Both cost nothing when off: a trace.IsEnabled check and a
// field.
func RunJob(ctx context.Context, w Workload, start time.Time, job, worker int, results []Result) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if trace.IsEnabled() {
		defer trace.StartRegion(ctx, jobtrace.Job).End()
	}
	var meter jobCPU
	if w.JobCPU {
		meter = startJobCPU()
	}
	s := time.Since(start)
	sum, err := Compute(ctx, w, int64(job))
	end := time.Since(start)
	if err != nil {
		return err
	}
	results[job] = Result{Job: int64(job), Sum: sum, Worker: worker, Start: s, End: end}
	if w.JobCPU {
		results[job].CPU = meter.stop()
	}
	return nil
}
