package harness

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/parbench/parbench/strategies"
)

// The machine's own ceiling at k cores: the batch's jobs split into k
// independent copies of the serial batch, one per CPU, with no
// coordination (SPECrate's homogeneous capacity method, at the size of one
// configuration's batch, so that it pairs with a baseline half of the same
// length as every configuration does). Each copy times itself. Two figures
// come from one batch:
//
//   - attainable: the sum of the copies' own rates over the baseline rate.
//     What the CPUs together can do; heterogeneous CPUs do not make it a
//     measure of the slowest one.
//   - join: the whole batch's jobs over the time until the last copy
//     finishes, over the baseline rate. What a static split of the work,
//     which waits for its slowest part, can reach.

// copiesRun is one ceiling batch.
type copiesRun struct {
	join   time.Duration   // first copy's start to the last one's end
	copies []time.Duration // each copy's own time
	jobs   []int           // each copy's jobs
	cpu    time.Duration   // the copies' threads' CPU time over their runs, 0 where unknown
}

// copiesTime is the time the batch's jobs would take at the copies' summed
// rates: jobs / Σ rate_i. It is 0 when no copy ran.
func (r copiesRun) copiesTime(jobs int) time.Duration {
	var rate float64
	for i, d := range r.copies {
		if d > 0 && r.jobs[i] > 0 {
			rate += float64(r.jobs[i]) / d.Seconds()
		}
	}
	if !(rate > 0) {
		return 0
	}
	return time.Duration(float64(jobs) / rate * 1e9)
}

// runCopies is one batch of the ceiling at k cores: w's jobs split into k
// copies of the serial batch (the first jobs%k copies one job more), each
// on a goroutine locked to its own OS thread and, where cpus lists the
// mask, that thread pinned to the i-th CPU. The copies share nothing but a
// start signal and the join: no queue, no channel per job, nothing a
// strategy could do less of. Threads in one process rather than k
// processes: the process is already up and pinned for the sweep, so a
// ceiling batch costs no process start, and a locked, pinned thread is
// what a separate process would give a single-threaded copy.
//
// A copy's start is when it sees the start signal, so that waking a parked
// thread is not counted as work; the copies are checked after the join,
// off the clock.
func runCopies(ctx context.Context, w strategies.Workload, k int, cpus []int) (copiesRun, error) {
	if k < 1 {
		return copiesRun{}, fmt.Errorf("ceiling: %d copies", k)
	}
	n := min(k, w.Jobs) // a copy with no job would measure nothing
	pin := len(cpus) >= n
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	results := make([][]strategies.Result, n)
	errs := make([]error, n)
	run := copiesRun{copies: make([]time.Duration, n), jobs: make([]int, n)}
	starts, ends := make([]time.Time, n), make([]time.Time, n)
	copyCPU := make([]time.Duration, n)
	ready.Add(n)
	done.Add(n)
	for i := range n {
		cw := w
		cw.Jobs = w.Jobs / k
		if i < w.Jobs%k {
			cw.Jobs++
		}
		run.jobs[i] = cw.Jobs
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			restore := func() bool { return true }
			if pin {
				var err error
				if restore, err = pinThread(cpus[i]); err != nil {
					errs[i] = fmt.Errorf("ceiling copy %d: %w", i+1, err)
					ready.Done()
					return // the thread exits locked: its mask goes with it
				}
			}
			ready.Done()
			<-start
			starts[i] = time.Now()
			cpu0 := threadCPU()
			results[i], errs[i] = strategies.Serial{}.Run(ctx, cw, 1)
			ends[i] = time.Now()
			if cpu0 > 0 {
				copyCPU[i] = max(0, threadCPU()-cpu0)
			}
			if restore() {
				runtime.UnlockOSThread()
			}
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	var first, last time.Time
	for i := range n {
		if errs[i] != nil {
			return run, errs[i]
		}
		run.copies[i] = ends[i].Sub(starts[i])
		run.cpu += copyCPU[i]
		if first.IsZero() || starts[i].Before(first) {
			first = starts[i]
		}
		if ends[i].After(last) {
			last = ends[i]
		}
	}
	run.join = last.Sub(first)
	for i := range n {
		cw := w
		cw.Jobs = run.jobs[i]
		if err := strategies.Verify(cw, results[i]); err != nil {
			return run, fmt.Errorf("ceiling copy %d: %w", i+1, err)
		}
	}
	return run, nil
}
