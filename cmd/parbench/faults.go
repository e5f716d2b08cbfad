package main

import (
	"fmt"
	"io"

	"github.com/parbench/parbench/harness"
)

// faultReporter shows each worker fault on stderr as the measurement
// process reports it, and counts them for the run's last line.
type faultReporter struct {
	w    io.Writer
	prog *progressPrinter
	n    int
}

func (fr *faultReporter) note(f harness.Fault) {
	fr.n += f.N
	if fr.prog != nil && fr.prog.drawn {
		// The progress line is redrawn below at its next update.
		fmt.Fprint(fr.w, "\r\x1b[K")
	}
	fmt.Fprintf(fr.w, "parbench: warning: worker fault: %v\n", f)
}

// summary is the run's line about faults, "" for none.
func (fr *faultReporter) summary() string {
	if fr.n == 0 {
		return ""
	}
	return fmt.Sprintf("parbench: warning: %d worker %s in this run (listed above); samples with faults carry faults/op > 0", fr.n, plural(fr.n, "fault", "faults"))
}
