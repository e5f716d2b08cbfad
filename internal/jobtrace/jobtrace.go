// Package jobtrace names what a measurement process marks in its
// runtime/trace, so that the strategies that mark the jobs, the harness
// that marks the batch and the reader that looks for both (package
// profiles) agree, without the strategies importing the reader.
package jobtrace

const (
	// Batch is the trace task begun just before a strategy's Run and
	// ended just after it returns: its span is the batch's wall time W.
	Batch = "parbench.batch"
	// Job is the trace region around one job's XOR-sum and sleep, on the
	// goroutine that runs the job: its span is the job's interval.
	Job = "parbench.job"
)
