// Package harness plans and runs parbench's sweeps: strategies x cores x
// repetitions, interleaved, each (cores, round) in a fresh measurement
// process that the harness pins to that many CPUs.
//
// The parent side (Runner) plans the sweep, starts one measurement process
// per fork, and receives samples from it as they are measured. The child
// side (ServeMeasure) sets GOMAXPROCS, checks the CPU affinity it
// inherited, runs warm-up and timed batches, verifies every batch against
// the closed form, and streams samples back as JSON lines on stdout.
//
// The harness knows nothing of flags or terminals: progress and samples
// reach the caller through callbacks, and BenchFile writes them in the Go
// benchmark format.
package harness
