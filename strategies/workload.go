package strategies

import (
	"errors"
	"fmt"
	"time"
)

// DefaultN is the article's iteration count per job.
const DefaultN = 500000

// Workload is one batch of XOR-sum jobs and its arrival schedule.
type Workload struct {
	Jobs  int           // J: job ids 0..J-1
	N     int64         // iterations per job: job j sums j XOR i for i in [0, N)
	Sleep time.Duration // per job, after the XOR-sum (the article's time.sleep)
	Gap   time.Duration // job i is released i*Gap after the batch starts
	// JobCPU asks for each job's CPU time (Result.CPU). It is how a
	// batch is measured, not what it runs: two clock reads and two thread
	// ids per job, nothing beside a job of 100 µs and far too much beside
	// one of 500 ns, so the harness asks for it only where jobs are long.
	JobCPU bool `json:",omitempty"`
}

// MaxJobs bounds a batch: every job's result is kept in memory (and sent
// between processes), so a batch past this is a typo, not an experiment.
const MaxJobs = 1 << 24

// Validate reports the first parameter that cannot describe a batch.
func (w Workload) Validate() error {
	switch {
	case w.Jobs < 1 || w.Jobs > MaxJobs:
		return fmt.Errorf("jobs %d: want 1..%d", w.Jobs, MaxJobs)
	case w.N < 1:
		return fmt.Errorf("n %d: want at least 1", w.N)
	case w.Sleep < 0:
		return fmt.Errorf("sleep %v: want 0 or more", w.Sleep)
	case w.Gap < 0:
		return fmt.Errorf("gap %v: want 0 or more", w.Gap)
	}
	return nil
}

// Release is when job is released, as an offset from the batch start.
func (w Workload) Release(job int) time.Duration {
	return time.Duration(job) * w.Gap
}

// LowerBound is the shortest wall time any strategy can take on this
// workload with unlimited workers: the last job is released at (J-1)*Gap and
// then needs its own compute and sleep. compute is the time of one job's
// XOR-sum, which the caller measures.
func (w Workload) LowerBound(compute time.Duration) time.Duration {
	return w.Release(w.Jobs-1) + compute + w.Sleep
}

// XORSum is the kernel: the sum over i in [0, n) of job XOR i, wrapping as
// int64 arithmetic does.
func XORSum(job, n int64) int64 {
	var s int64
	for i := int64(0); i < n; i++ {
		s += job ^ i
	}
	return s
}

// Expected is XORSum's closed form, without a loop over n: bit b of job^i is
// set for the i in [0, n) whose bit b differs from job's, and those are
// counted per bit. It agrees with XORSum for every job >= 0 and n >= 0,
// overflow included, since both wrap modulo 2^64.
func Expected(job, n int64) int64 {
	if n <= 0 {
		return 0
	}
	un := uint64(n)
	var sum uint64
	for b := uint(0); b < 63; b++ {
		period := uint64(1) << (b + 1)
		half := uint64(1) << b
		// i in [0, n) with bit b set: full periods contribute half each,
		// the remainder contributes what lies past the first half.
		ones := (un/period)*half + sat(un%period, half)
		count := ones
		if uint64(job)&half != 0 {
			count = un - ones
		}
		sum += count << b
	}
	return int64(sum)
}

// sat is max(x-y, 0) for unsigned x and y.
func sat(x, y uint64) uint64 {
	if x > y {
		return x - y
	}
	return 0
}

// Checksum is the sum of every job's expected sum, kept in the results so a
// reader can tell two workloads apart at a glance.
func (w Workload) Checksum() int64 {
	var s int64
	for j := 0; j < w.Jobs; j++ {
		s += Expected(int64(j), w.N)
	}
	return s
}

// ErrUnverified wraps every failure of Verify, so callers can tell a wrong
// answer from a failed run.
var ErrUnverified = errors.New("batch failed verification")

// Verify checks that results hold exactly one result per job of w and that
// every sum equals the closed form. The error names the first bad job.
func Verify(w Workload, results []Result) error {
	seen := make([]bool, w.Jobs)
	for _, r := range results {
		if r.Job < 0 || r.Job >= int64(w.Jobs) {
			return fmt.Errorf("%w: job %d is not in the batch (jobs 0..%d)", ErrUnverified, r.Job, w.Jobs-1)
		}
		if seen[r.Job] {
			return fmt.Errorf("%w: job %d returned twice", ErrUnverified, r.Job)
		}
		seen[r.Job] = true
		if want := Expected(r.Job, w.N); r.Sum != want {
			return fmt.Errorf("%w: job %d: sum %d, want %d", ErrUnverified, r.Job, r.Sum, want)
		}
	}
	for j, ok := range seen {
		if !ok {
			return fmt.Errorf("%w: job %d lost (%d of %d jobs returned)", ErrUnverified, j, len(results), w.Jobs)
		}
	}
	return nil
}
