// Package strategies holds parbench's workload, the XOR-sum, the ways to
// run a batch of it in parallel, and the registry that the harness, the
// command line and the conformance suite find them in.
//
// # The workload
//
// A batch is Workload.Jobs jobs with ids 0..Jobs-1. Job j sums j XOR i for
// i in [0, N), then sleeps Workload.Sleep, and may start no sooner than
// its release time, j*Workload.Gap after the batch starts. Expected is the
// sum's closed form, and Verify checks a batch's results against it: a
// lost, repeated or wrong job fails the batch, named by its id.
//
// # Writing a strategy
//
// A strategy is a type that implements Strategy, and an init function that
// registers it:
//
//	func init() {
//		strategies.Register(strategies.Info{Name: "mine", Doc: "my pool", New: func() strategies.Strategy { return Mine{} }})
//	}
//
// In parbench that is one file in this package, or a package of its own
// that registers itself when imported (procpool); a strategy kept in
// another module is the same file in a package of its own. Info declares what the
// harness must know about a strategy (it ignores the worker count, its
// workers run in other processes, it needs a program this machine may
// lack, the libraries it runs on), so that nothing matches a strategy by
// name.
//
// Run begins with CheckRun, which refuses a batch that no strategy can
// run, and notes the batch start. Then each job goes the same way, in
// whatever worker the strategy gives it: WaitRelease until its release
// time, then RunJob, which runs it (Compute) and records its Result.
// RunJob returns an error only when the batch is cancelled or has failed;
// the strategy then stops the batch and returns the error, as Pool does
// with context.WithCancelCause and ErrGroup with an errgroup. When Run
// returns, on any path, everything it started for the batch has ended.
//
// # How a measurement process uses a strategy
//
// A measurement process is a long-lived session, pinned to a set of
// CPUs, that runs batches on request for a whole sweep. It makes an
// instance (Info.New) once per configuration (strategy, cores, workers),
// calls Prepare once if the instance is a Preparer, then Run hundreds of
// times: warm-up, timed and timeline batches, in any order, with other
// configurations' batches in between. It calls Close once, at the end of
// the session, on every path out of it. Only Run is timed; Prepare is
// reported as start-up, and every batch is checked with Verify off the
// clock.
//
// Abilities beyond Run are optional interfaces, found by type assertion,
// each with the guarantees the harness relies on in its documentation:
// Preparer (set-up outside the timed batches), Closer (release at the end
// of the session), WorkerCPU (the CPU time of workers in other processes),
// BatchMetrics (extra figures per batch), FaultLog (worker faults met and
// recovered from) and WorkerProfiler (CPU profiles of workers in other
// processes).
//
// The package strategytest holds the conformance suite: strategytest.Run
// checks the promises of Run, Prepare and Close on a registered strategy,
// used as a measurement process uses it, and parbench runs it on each of
// its own.
package strategies
