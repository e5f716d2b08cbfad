// Package proctest lists live processes for tests that check that no
// measurement or worker process outlives a run.
package proctest

// Proc is a live process as the operating system shows it.
type Proc struct {
	PID, PPID, PGRP int
	Comm            string
}
