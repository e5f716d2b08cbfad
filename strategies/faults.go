package strategies

// Faults are the worker faults a strategy met and recovered from: a
// worker that died, hung or answered wrongly and was replaced, so that the
// batch still gave every job's right result.
type Faults struct {
	// N is how many faults.
	N int
	// Causes describe the first few, one line each: at most
	// MaxFaultCauses, and no more than N, or the harness refuses them.
	Causes []string
}

// MaxFaultCauses is how many faults a Faults describes; N counts them all.
const MaxFaultCauses = 3

// FaultLog is implemented by strategies whose workers can fail without
// failing the batch. TakeFaults returns the faults met since it was last
// called, wherever they happened (in Prepare, a batch, between batches or in
// Close), and forgets them. A measurement process calls it after every step
// of an instance's life (Prepare, each batch, the profiling pass, Close)
// and reports the faults against that step as soon as it ends, while the
// sweep goes on: a step that met faults still counts if its results
// verify. Each cause is cut to a kilobyte.
type FaultLog interface {
	TakeFaults() Faults
}
