package harness

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/parbench/parbench/strategies"
)

// runCopies is one batch of the ceiling at k cores: k copies of the
// serial batch at once, each on a goroutine locked to its own OS thread
// and, where pinning works, that thread pinned to one CPU of the mask (the
// i-th of cpus). The copies share nothing but a start signal and the
// join: no queue, no channel per job, nothing a strategy could do less
// of. Threads in one process rather than k processes: the process is
// already up and pinned for the sweep, so a ceiling batch costs no process
// start, and a locked, pinned thread is what a separate process would give
// a single-threaded copy; the one thing shared, the Go heap, the serial
// batch barely touches (one result slice per copy).
//
// The time is from the first copy's start to the end of the last, as
// SPECrate times a rate run (a copy's start is when it sees the start
// signal, so that waking a parked thread is not counted as work); the
// copies are checked after that, off the clock.
func runCopies(ctx context.Context, w strategies.Workload, k int, cpus []int) (time.Duration, error) {
	if k < 1 {
		return 0, fmt.Errorf("ceiling: %d copies", k)
	}
	pin := len(cpus) >= k
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	results := make([][]strategies.Result, k)
	errs := make([]error, k)
	starts, ends := make([]time.Time, k), make([]time.Time, k)
	ready.Add(k)
	done.Add(k)
	for i := range k {
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
			results[i], errs[i] = strategies.Serial{}.Run(ctx, w, 1)
			ends[i] = time.Now()
			if restore() {
				runtime.UnlockOSThread()
			}
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	var first, last time.Time
	for i := range k {
		if errs[i] != nil {
			return 0, errs[i]
		}
		if first.IsZero() || starts[i].Before(first) {
			first = starts[i]
		}
		if ends[i].After(last) {
			last = ends[i]
		}
	}
	for i := range k {
		if err := strategies.Verify(w, results[i]); err != nil {
			return 0, fmt.Errorf("ceiling copy %d: %w", i+1, err)
		}
	}
	return last.Sub(first), nil
}
