package report

import (
	"fmt"
	"strconv"
	"strings"
)

// The fault table, as summary.txt and report.html show it: worker faults
// and failed measurement processes by configuration and core count.

// faultTable is the fault table for people; nil when there is nothing
// in it.
func (r *Report) faultTable() *table {
	if len(r.Faults) == 0 {
		return nil
	}
	multi := len(r.Machines) > 1
	t := &table{align: "lrrl"}
	head := []string{"configuration", "samples with worker faults", "worker faults", "failed processes (by step)"}
	if multi {
		t.align = "l" + t.align
		head = append([]string{"machine"}, head...)
	}
	t.add(head...)
	for _, f := range r.Faults {
		samples, faults := "-", "-"
		if f.FaultedSamples > 0 {
			samples = fmt.Sprintf("%d of %d", f.FaultedSamples, f.Samples)
			faults = strconv.FormatFloat(f.WorkerFaults, 'f', -1, 64)
		}
		cells := []string{f.Name(), samples, faults, f.stepsText()}
		if multi {
			cells = append([]string{f.Machine}, cells...)
		}
		t.add(cells...)
	}
	return t
}

// faultNotes are the lines under the fault table: what its columns mean
// and the core counts given up on.
func (r *Report) faultNotes() []string {
	var out []string
	for _, m := range r.Machines {
		for _, g := range m.GivenUp {
			line := g.Text()
			if len(r.Machines) > 1 {
				line = m.Label + ": " + line
			}
			out = append(out, line)
		}
	}
	return out
}

// FaultLegend says what the fault table's columns are.
const FaultLegend = "Worker faults are a strategy's own workers that failed and were replaced (faults/op on its samples); failed processes are measurement processes that exited, crashed or were killed, each losing the pair in flight (no sample for it)."

// stepsText is "3 (warmup 1, timed 2)".
func (f FaultRow) stepsText() string {
	if f.ProcessFaults == 0 {
		return "-"
	}
	if f.Strategy == "" {
		return strconv.Itoa(f.ProcessFaults)
	}
	var parts []string
	for _, s := range f.Steps {
		parts = append(parts, fmt.Sprintf("%s %d", s.Step, s.N))
	}
	return fmt.Sprintf("%d (%s)", f.ProcessFaults, strings.Join(parts, ", "))
}
