package harness

import (
	"bytes"
	"fmt"
	"runtime/trace"
	"time"

	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// The evidence a timed batch carries for the loss accounting: every part
// of its core-time, k × W, is taken from the batch itself (and its pair),
// so that the parts of one pair add up. See the report's loss model.

// IdleParts is a batch's core-time with no job open, ∫ max(k − open, 0),
// split by the phase of the batch it fell in (profiles.NoJobTime), in
// core-time.
type IdleParts struct {
	RampUp          time.Duration `json:"ramp_up"`
	Starved         time.Duration `json:"starved"`
	AwaitingRelease time.Duration `json:"awaiting_release"`
	Tail            time.Duration `json:"tail"`
}

// Total is the whole core-time with no job open.
func (p IdleParts) Total() time.Duration {
	return p.RampUp + p.Starved + p.AwaitingRelease + p.Tail
}

// splitIdle splits a batch's core-time by its jobs' intervals (the
// strategy's own start and end of each job); ok is false when the
// intervals cannot be split (a strategy whose results carry no times).
func splitIdle(w strategies.Workload, results []strategies.Result, cores int, wall time.Duration) (IdleParts, bool) {
	jobs := make([]profiles.JobInterval, len(results))
	for i, r := range results {
		jobs[i] = profiles.JobInterval{Release: w.Release(int(r.Job)), Start: r.Start, End: r.End}
	}
	ct, err := profiles.SplitCoreTime(jobs, cores, wall)
	if err != nil {
		return IdleParts{}, false
	}
	d := func(coreSeconds float64) time.Duration { return time.Duration(coreSeconds * 1e9) }
	return IdleParts{RampUp: d(ct.NoJob.RampUp), Starved: d(ct.NoJob.Starved),
		AwaitingRelease: d(ct.NoJob.AwaitingRelease), Tail: d(ct.NoJob.Tail)}, true
}

// splitEvery is how many jobs a batch may have for every pair's batch to
// be split: above it, only one pair in ceil(jobs/splitEvery) of each
// configuration is (its rounds 0, every, 2·every, ...), since
// splitting sorts the jobs (tens of milliseconds for 100 000 of them)
// and would otherwise lengthen a sweep of tiny jobs by half.
const splitEvery = 4096

// workerPIDs is implemented by strategies whose workers are processes
// that live across batches (procpool's Pids): their threads' waiting
// counts as the batch's, like the measurement process's own.
type workerPIDs interface {
	Pids() []int
}

// jobsCPU is the jobs' own CPU time (Result.CPU) summed over a batch. Jobs
// whose goroutine changed threads mid-job have none; when they are few
// (a tenth at most), the others stand for them in proportion; when more,
// the batch's jobs' CPU is unknown (0).
func jobsCPU(results []strategies.Result) time.Duration {
	var sum time.Duration
	measured := 0
	for _, r := range results {
		if r.CPU > 0 {
			sum += r.CPU
			measured++
		}
	}
	if measured == 0 || measured*10 < len(results)*9 {
		return 0
	}
	return time.Duration(float64(sum) * float64(len(results)) / float64(measured))
}

// jobCPUFrom is the shortest job, compute and sleep, for which a batch
// measures its jobs' CPU time (Workload.JobCPU): two thread-clock reads and
// two thread ids cost about a microsecond, under 1% of such a job.
const jobCPUFrom = 100 * time.Microsecond

// jobClocksHold says a job's thread clock measures that job alone in t:
// a job of an in-process strategy with more workers than cores shares its
// thread with the goroutines that preempt it, so its clock would count
// their CPU too (a sum of the jobs' CPU above the process's). Workers in
// processes of their own run one job per thread.
func jobClocksHold(t Trial) bool {
	return strategies.OutOfProcess(t.Strategy) || t.Workers <= t.Cores
}

// A TraceFile is the execution trace of a timeline batch: the file, or
// why there is none.
type TraceFile struct {
	Path    string `json:"path,omitempty"`
	Warning string `json:"warning,omitempty"`
}

// startTrace starts the execution tracer into buf for the batch when path
// is set; ok is false, with a warning, when it cannot start (another
// tracer is running). The trace is written by stopTrace, after the batch,
// so that no file is written while it runs.
func startTrace(buf *bytes.Buffer, path string) (ok bool, warning string) {
	if path == "" {
		return false, ""
	}
	buf.Reset()
	if err := trace.Start(buf); err != nil {
		return false, fmt.Sprintf("execution trace not recorded: %v", err)
	}
	return true, ""
}

// stopTrace stops the tracer and writes what it recorded in buf at path;
// the warning says why it could not.
func stopTrace(buf *bytes.Buffer, path string) string {
	trace.Stop()
	defer buf.Reset()
	if err := runfiles.WriteFileAtomic(path, buf.Bytes()); err != nil {
		return fmt.Sprintf("execution trace not written: %v", err)
	}
	return ""
}
