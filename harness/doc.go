// Package harness plans and runs parbench's sweeps: strategies x cores x
// rounds, each core count in a long-lived measurement process that the
// harness pins to that many CPUs.
//
// The parent side (Runner) plans the sweep, starts one measurement process
// per core count, and asks it for one batch at a time (protocol.go,
// session.go). Every timed batch is paired with a baseline half run right
// next to it in the same process, on the configuration's own CPUs one at a
// time (baseline.go), and the pair's ratio is the configuration's speedup
// over the mean speed of one of its CPUs; the shares of the halves are the
// per-CPU speed meter. The ceiling runs the batch's jobs as independent
// copies, one per CPU (ceiling.go). A process that fails is replaced and
// the pair in flight discarded (sweep.go). The profiling pass and the dry
// run's cost measurement speak the same protocol to processes of their own.
//
// The child side (ServeMeasure, serve.go) sets GOMAXPROCS, reports the CPU
// affinity it inherited, runs warm-up, timed, timeline, meter and profile
// requests, verifies every batch against the closed form, and answers with
// JSON lines on stdout.
//
// The harness knows nothing of flags or terminals: progress and samples
// reach the caller through callbacks, and BenchFile writes them in the Go
// benchmark format.
package harness
