package strategies

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/pprof/profile"

	"github.com/parbench/parbench/internal/strategyorder"
)

// Result is one job's outcome: what Verify checks and the timeline charts
// draw.
type Result struct {
	// Job is the job's id, 0..Workload.Jobs-1.
	Job int64
	// Sum is the job's XOR-sum, which Verify checks against Expected.
	Sum int64
	// Worker is which worker ran the job, from 0: a pool slot, a process
	// index, a goroutine's number. It is below the worker count, or below
	// the job count for a strategy that starts a goroutine per job; the
	// timeline draws a row per worker. A strategy that cannot tell which
	// worker ran a job, such as one on a library's pool, says 0.
	Worker int
	// Start and End are when the job's work began and ended, as offsets
	// from the batch start (the time Run took as job 0's release), so that
	// results from different processes share one clock. Start is at or
	// after the job's release time, and End at or after Start plus the
	// workload's sleep. RunJob records both.
	Start time.Duration
	End   time.Duration
	// CPU is the job's own CPU time, on the thread that ran it, when the
	// workload asked for it (Workload.JobCPU) and it could be measured:
	// 0 otherwise, and for a job whose goroutine moved to another thread
	// in the middle, whose thread clock then says nothing of it. RunJob
	// records it.
	CPU time.Duration
}

// Strategy is a way to run a batch of the workload in parallel.
//
// Run runs one batch of w on workers workers and returns one Result per
// job, in any order, or an error. It starts no job before its release
// time (WaitRelease), refuses a batch it cannot run (CheckRun), and
// returns promptly with ctx's error when ctx is cancelled. When Run
// returns, on any path, every goroutine and process it started for the
// batch has ended: only what Prepare started may outlive it, until Close.
//
// A measurement process makes one instance per configuration (strategy,
// cores, workers) and keeps it for its whole session: Prepare once, then
// Run hundreds of times with the same workload and worker count (warm-up,
// timed and timeline batches, in any order), then Close. Runs of one
// instance never overlap, and other instances' batches, of this strategy
// and others, run between two of them, so an instance keeps its state to
// itself. The harness checks every batch with Verify and fails the
// session on a wrong one.
type Strategy interface {
	// Name is the name the strategy is registered under.
	Name() string
	Run(ctx context.Context, w Workload, workers int) ([]Result, error)
}

// Preparer is implemented by strategies with set-up cost, such as starting
// processes. A measurement process calls Prepare once per instance,
// before its first Run and with the workload and worker count that every
// Run of the instance will get, and reports its duration as the
// strategy's start-up cost, apart from the timed batches: so a Preparer
// does its set-up here and not in its first Run. What Prepare starts may
// live until Close. A Prepare that fails ends the session; Close is still
// called.
type Preparer interface {
	Prepare(ctx context.Context, w Workload, workers int) error
}

// Closer releases what an instance holds between batches. A measurement
// process calls Close once per instance, when its session ends, on every
// path out of it: after the last batch, and after a failed Prepare, a
// failed Run or a cancellation. So Close must be safe whatever came
// before, and when it returns every goroutine and process the instance
// started has ended. (A measurement process that is killed closes
// nothing: the harness kills its whole process group, so worker processes
// stay in their parent's group.)
type Closer interface {
	Close() error
}

// WorkerCPU is implemented by strategies whose workers run outside this
// process, whose rusage cannot see them. After each Run that succeeded,
// the harness adds LastBatchWorkerCPU, the user+system time those workers
// used for that batch, to the measurement process's own CPU time for the
// sample. It counts no start-up done in Prepare; the little CPU a worker
// used idling since the last batch may count in the next one.
type WorkerCPU interface {
	LastBatchWorkerCPU() time.Duration
}

// Metric is an extra per-batch figure a strategy reports, such as faults.
type Metric struct {
	Unit  string // benchmark-format unit, e.g. "faults/op"
	Value float64
}

// BatchMetrics is implemented by strategies with extra figures per batch.
// After each timed or timeline Run that succeeded, the harness writes
// LastBatchMetrics, the figures of that batch, on the sample's line of
// bench.txt; a strategy reports the same units on every batch, so that
// every sample of it has them. A unit of "faults/op" is worker faults:
// report leaves samples with faults out of its statistics by default.
type BatchMetrics interface {
	LastBatchMetrics() []Metric
}

// WorkerProfiler is implemented by strategies whose workers run in other
// processes, so that a CPU profile of this process cannot see them. The
// harness's profiling pass calls StartWorkerProfiles after Prepare and
// between batches, runs batches, and then calls StopWorkerProfiles, which
// stops the profiles and returns them merged into one, each worker's
// samples labelled "pid" with its process id. A failure of either is a
// warning: the profile of this process is still written.
type WorkerProfiler interface {
	StartWorkerProfiles(ctx context.Context) error
	StopWorkerProfiles(ctx context.Context) (*profile.Profile, error)
}

// CheckRun refuses a batch that no strategy can run: a workload that
// Validate rejects, or fewer than one worker. Every Run (and Prepare)
// starts with it, so that a bad batch is refused before anything starts.
func CheckRun(w Workload, workers int) error {
	if err := w.Validate(); err != nil {
		return err
	}
	if workers < 1 {
		return fmt.Errorf("workers %d: want at least 1", workers)
	}
	return nil
}

// Factory makes a fresh instance of a strategy, for one configuration of
// a measurement session; instances share nothing.
type Factory func() Strategy

// Info is a strategy's registration: everything the harness, the command
// line and the conformance tests need to know about it, so that none of
// them matches a strategy by name. Adding a strategy is one file whose
// init calls Register.
type Info struct {
	Name string
	Doc  string // one line for -h text
	New  Factory
	// IgnoresWorkers: the strategy runs the same whatever the worker
	// count (serial). The harness runs it at one worker only, since other
	// counts would repeat the same measurement.
	IgnoresWorkers bool
	// OutOfProcess: its workers run outside the calling process, so the
	// caller's mutex and block profiles cannot see them.
	OutOfProcess bool
	// Available, if set, reports whether the strategy can run on this
	// machine, such as when it needs an external program. Its error is
	// one line saying what is missing; nil means it can run.
	Available func() error
	// Modules lists the module paths of the libraries the strategy runs
	// on, so that their versions go on record with its results (see
	// ModuleVersions).
	Modules []string
}

// registry is filled by init functions only and read afterwards.
var registry = map[string]Info{}

// Register adds a strategy. It is meant for init functions; a duplicate
// or empty name, or a missing factory, is a programming error and panics
// at start-up, never at run time.
func Register(info Info) {
	if info.Name == "" || info.New == nil {
		panic("strategies: Register needs a name and a factory")
	}
	if _, dup := registry[info.Name]; dup {
		panic("strategies: Register called twice for " + info.Name)
	}
	registry[info.Name] = info
}

// Names lists the registered strategies in the one order used everywhere
// (tables, legends, -h): serial first, then the rest by name.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.SortFunc(names, strategyorder.Compare)
	return names
}

// Lookup returns the registration of name.
func Lookup(name string) (Info, bool) {
	info, ok := registry[name]
	return info, ok
}

// Doc is the one-line description of a registered strategy.
func Doc(name string) string { return registry[name].Doc }

// New makes a fresh instance of the named strategy.
func New(name string) (Strategy, error) {
	r, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown strategy %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return r.New(), nil
}

// Known reports whether name is registered.
func Known(name string) bool {
	_, ok := registry[name]
	return ok
}

// IgnoresWorkers reports whether the named strategy runs the same at every
// worker count; false for an unknown name.
func IgnoresWorkers(name string) bool { return registry[name].IgnoresWorkers }

// OutOfProcess reports whether the named strategy's workers run outside
// the calling process; false for an unknown name.
func OutOfProcess(name string) bool { return registry[name].OutOfProcess }

// Available reports whether the named strategy can run on this machine:
// nil, or one line saying what is missing.
func Available(name string) error {
	r, ok := registry[name]
	if !ok {
		return fmt.Errorf("unknown strategy %q", name)
	}
	if r.Available == nil {
		return nil
	}
	return r.Available()
}
