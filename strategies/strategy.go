package strategies

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parbench/parbench/internal/strategyorder"
)

// Result is one job's outcome. Start and End are offsets from the batch
// start, so results from different processes share one clock.
type Result struct {
	Job    int64
	Sum    int64
	Worker int // which worker ran it: a pool slot, a process index
	Start  time.Duration
	End    time.Duration
}

// Strategy runs a batch. Run returns one result per job, or an error; it
// returns promptly with ctx.Err() when ctx is cancelled, and leaves no
// goroutine or process running on any path.
type Strategy interface {
	Name() string
	Run(ctx context.Context, w Workload, workers int) ([]Result, error)
}

// Preparer is implemented by strategies with set-up cost, such as starting
// processes. The harness calls Prepare once per trial, outside the timed
// batches, and reports its duration as the strategy's start-up cost.
type Preparer interface {
	Prepare(ctx context.Context, w Workload, workers int) error
}

// Closer releases what Prepare started. The harness calls it at the end of
// every trial of a Preparer, on every path.
type Closer interface {
	Close() error
}

// WorkerCPU is implemented by strategies whose workers run outside this
// process: it returns the CPU time (user+system) that those workers reported
// for the last batch, which the process's own rusage cannot see.
type WorkerCPU interface {
	LastBatchWorkerCPU() time.Duration
}

// Metric is an extra per-batch figure a strategy reports, such as faults.
type Metric struct {
	Unit  string // benchmark-format unit, e.g. "faults/op"
	Value float64
}

// BatchMetrics is implemented by strategies with extra figures per batch.
type BatchMetrics interface {
	LastBatchMetrics() []Metric
}

// Factory makes a fresh strategy for one trial.
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
