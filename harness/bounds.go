package harness

import (
	"fmt"
	"time"
)

// Upper bounds on the size-like settings of a sweep. Each is far above
// what a useful run needs and far below what would exhaust the machine, so
// that a typo (an extra digit or three) is an error, not hours of work or
// gigabytes of memory.
const (
	// MaxCount bounds the repetitions: benchstat wants 6 or more, pyperf
	// takes 60 by default.
	MaxCount = 10000
	// MaxSamples bounds Count x configurations: every sample is a line of
	// bench.txt (about 200 bytes) and a value the report keeps in memory.
	MaxSamples = 100000
	// MaxWarmup bounds the untimed batches before each timed batch.
	MaxWarmup = 1000
	// MaxWorkers bounds a worker count: procpool starts one process per
	// worker.
	MaxWorkers = 4096
	// MaxWorkerCounts bounds how many worker counts a sweep runs.
	MaxWorkerCounts = 256
	// MaxBatchWork bounds jobs x n, the XOR-sum iterations of one batch:
	// at about a nanosecond per iteration, 2^40 is some 18 minutes of one
	// core, and a batch is run Count x (1 + Warmup) times per
	// configuration.
	MaxBatchWork = 1 << 40
	// MaxBatchWait bounds what a serial batch spends waiting: jobs x sleep,
	// and the last job's release time (jobs-1) x gap.
	MaxBatchWait = time.Hour
	// MaxProfileTime bounds the CPU time each configuration is profiled
	// for.
	MaxProfileTime = 10 * time.Minute
)

// checkBounds refuses settings beyond the bounds above. It runs after the
// lower bounds are checked, so every value here is at least 1 (or 0).
func (c Config) checkBounds() error {
	if c.Count > MaxCount {
		return fmt.Errorf("count %d: want at most %d", c.Count, MaxCount)
	}
	if c.Warmup > MaxWarmup {
		return fmt.Errorf("warmup %d: want at most %d", c.Warmup, MaxWarmup)
	}
	if n := len(c.Workers) + len(c.WorkersRel); n > MaxWorkerCounts {
		return fmt.Errorf("workers: %d worker counts, want at most %d", n, MaxWorkerCounts)
	}
	for _, w := range c.Workers {
		if w > MaxWorkers {
			return fmt.Errorf("workers %d: want at most %d", w, MaxWorkers)
		}
	}
	for _, k := range c.Cores {
		if w := k + c.WorkersDelta; len(c.Workers) == 0 && w > MaxWorkers {
			return fmt.Errorf("workers %d at %d cores: want at most %d", w, k, MaxWorkers)
		}
	}
	// Trials is at most strategies x cores x MaxWorkerCounts, all bounded
	// by now, so counting them builds nothing large.
	if n := len(c.Trials()); c.Count > MaxSamples/n {
		return fmt.Errorf("count %d: %d configurations x %d rounds is more than %d samples", c.Count, n, c.Count, MaxSamples)
	}
	w := c.Workload
	if w.N > MaxBatchWork/int64(w.Jobs) {
		return fmt.Errorf("n %d: jobs x n is more than %d iterations per batch, which would not finish in a quarter of an hour", w.N, int64(MaxBatchWork))
	}
	if w.Sleep > MaxBatchWait/time.Duration(w.Jobs) {
		return fmt.Errorf("sleep %v: jobs x sleep is more than %v per serial batch", w.Sleep, MaxBatchWait)
	}
	if w.Jobs > 1 && w.Gap > MaxBatchWait/time.Duration(w.Jobs-1) {
		return fmt.Errorf("gap %v: the last of %d jobs would be released more than %v after the batch starts", w.Gap, w.Jobs, MaxBatchWait)
	}
	if c.ProfileTime > MaxProfileTime {
		return fmt.Errorf("profiletime %v: want at most %v", c.ProfileTime, MaxProfileTime)
	}
	return nil
}
