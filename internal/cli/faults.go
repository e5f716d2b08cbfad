package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/parbench/parbench/harness"
)

// faultReporter shows each worker fault on stderr as the measurement
// process reports it, and counts them for the run's last line.
type faultReporter struct {
	w         io.Writer
	prog      *progressPrinter
	n         int // worker faults
	processes int // measurement processes replaced
}

func (fr *faultReporter) note(f harness.Fault) {
	fr.n += f.N
	fr.clearLine()
	fmt.Fprintf(fr.w, "parbench: warning: worker fault: %v\n", f)
}

// noteProcess shows a measurement process that failed and was replaced.
func (fr *faultReporter) noteProcess(pf harness.ProcessFault) {
	fr.processes++
	fr.clearLine()
	lost := "no batch in flight"
	if pf.Trial != nil {
		lost = "its pair discarded"
	}
	fmt.Fprintf(fr.w, "parbench: warning: %v; %s, process replaced\n", pf, lost)
}

// noteGiveUp shows a core count the sweep gave up on.
func (fr *faultReporter) noteGiveUp(cores int, causes []string) {
	fr.clearLine()
	fmt.Fprintf(fr.w, "parbench: giving up on %d %s after %d measurement-process failures in a row; the sweep goes on without it\n", cores, plural(cores, "core", "cores"), len(causes))
}

// clearLine clears the progress line, which is redrawn below at its next
// update.
func (fr *faultReporter) clearLine() {
	if fr.prog != nil && fr.prog.drawn {
		fmt.Fprint(fr.w, "\r\x1b[K")
	}
}

// summary is the run's line about faults, "" for none.
func (fr *faultReporter) summary() string {
	var parts []string
	if fr.n > 0 {
		parts = append(parts, fmt.Sprintf("%d worker %s in this run (listed above); samples with faults carry faults/op > 0", fr.n, plural(fr.n, "fault", "faults")))
	}
	if fr.processes > 0 {
		parts = append(parts, fmt.Sprintf("%d measurement %s failed and replaced (listed above; ProcessFault lines in bench.txt)", fr.processes, plural(fr.processes, "process", "processes")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "parbench: warning: " + strings.Join(parts, "; ")
}
