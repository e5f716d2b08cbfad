package strategies

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
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

type registration struct {
	factory Factory
	doc     string
}

// registry is filled by init functions only and read afterwards.
var registry = map[string]registration{}

// Register adds a strategy under name with a one-line description for -h
// text. It is meant for init functions; a duplicate name is a programming
// error and panics at start-up, never at run time.
func Register(name, doc string, f Factory) {
	if _, dup := registry[name]; dup {
		panic("strategies: Register called twice for " + name)
	}
	registry[name] = registration{factory: f, doc: doc}
}

// Names lists the registered strategies in a fixed order: serial first,
// then the rest by name.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "serial") != (names[j] == "serial") {
			return names[i] == "serial"
		}
		return names[i] < names[j]
	})
	return names
}

// Doc is the one-line description of a registered strategy.
func Doc(name string) string { return registry[name].doc }

// New makes a fresh instance of the named strategy.
func New(name string) (Strategy, error) {
	r, ok := registry[name]
	if !ok {
		return nil, fmt.Errorf("unknown strategy %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return r.factory(), nil
}

// Known reports whether name is registered.
func Known(name string) bool {
	_, ok := registry[name]
	return ok
}
