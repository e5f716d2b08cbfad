package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The loss table, as summary.txt and report.html show it: one row per
// configuration with a Loss, its parts in points of ideal.

// lossColumns are the table's parts, with their headings.
var lossColumns = []struct {
	part LossPart
	head string
}{
	{PartEfficiency, "efficiency"}, {PartSlowdown, "slowdown"}, {PartBaselineOwn, "base own"},
	{PartDescheduled, "descheduled"}, {PartRunnable, "runnable"}, {PartBlocked, "blocked"}, {PartPreempted, "preempted"},
	{PartSleepOverlap, "sleep overlap"}, {PartRampUp, "ramp-up"}, {PartStarved, "starved"}, {PartAwaiting, "awaiting"}, {PartTail, "tail"},
	{PartOverheadNoJob, "overhead"}, {PartUnexplained, "unexplained"},
}

// lossTable is the text table of the losses, nil if no row has any.
func (r *Report) lossTable() (*table, []string) {
	multi := len(r.Machines) > 1
	t := &table{align: "lrr" + strings.Repeat("r", len(lossColumns)) + "lrr"}
	head := []string{"strategy", "cores", "workers"}
	for _, c := range lossColumns {
		head = append(head, c.head)
	}
	head = append(head, "jobs' CPU", "of slowdown, machine", "overhead clock/trace")
	if multi {
		t.align = "l" + t.align
		head = append([]string{"machine"}, head...)
	}
	t.add(head...)
	found, untraced, notClock := false, false, false
	for _, row := range r.Rows {
		l := row.Loss
		if l == nil {
			continue
		}
		found = true
		cells := []string{row.Strategy, fmt.Sprint(row.Cores), workersText(row.Workers)}
		for _, c := range lossColumns {
			v := fmtPoints(l.Part(c.part))
			if !l.Traced && (c.part == PartRunnable || c.part == PartBlocked || c.part == PartSleepOverlap) {
				v = "-"
				untraced = true
			}
			cells = append(cells, v)
		}
		from := l.JobsCPUFrom
		if from != "clock" {
			from += "*"
			notClock = true
		}
		cells = append(cells, from, fmtPoints(l.SlowdownMachine), fmtPoints(l.OverheadByClock)+"/"+fmtPoints(l.OverheadByTrace))
		if multi {
			cells = append([]string{row.Machine}, cells...)
		}
		t.add(cells...)
	}
	if !found {
		return nil, nil
	}
	var notes []string
	if untraced {
		notes = append(notes, "- no execution trace of this configuration (its workers are other processes, or -trace was off): its preempted and overhead parts are the processes' CPU outside jobs by their clocks, inside jobs' intervals first, and nothing tells runnable or blocked apart.")
	}
	if notClock {
		notes = append(notes, "* the jobs' CPU is the trace batch's share of it (jobs too short for a clock each), or the process's CPU (no clock, no trace: overhead then counts as slowdown).")
	}
	return t, notes
}

// writeLoss writes the loss table with its explanation, if there is one,
// and a sentence per configuration at the most cores on where its
// efficiency went.
func (r *Report) writeLoss(w io.Writer) error {
	t, notes := r.lossTable()
	if t == nil {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Where the speedup went, in points of ideal, each configuration's core-time (cores × wall) split by its own pairs,")
	fmt.Fprintln(w, "averaged over the pairs its speedup keeps; the parts add up to 100:")
	for _, p := range lossLegendParts() {
		fmt.Fprintf(w, "  %-12s %s\n", p[0], strings.ReplaceAll(p[1], "\n", "\n"+strings.Repeat(" ", 15)))
	}
	if err := t.write(w); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	top := map[string]int{}
	for _, row := range r.Rows {
		if row.Loss != nil {
			top[row.Machine] = max(top[row.Machine], row.Cores)
		}
	}
	for _, row := range r.Rows {
		if row.Loss != nil && row.Cores == top[row.Machine] && row.Cores > 1 {
			fmt.Fprintln(w, "  "+row.WhereItWent())
		}
	}
	return nil
}

// lossLegendParts names each column of the loss table with what it holds,
// for summary.txt and report.html alike; a newline is where summary.txt
// wraps.
func lossLegendParts() [][2]string {
	return [][2]string{
		{"efficiency", "the pair's speedup over cores: the baseline half's time over cores × wall"},
		{"slowdown", "the jobs' own CPU beyond the baseline's for as many jobs; of it, machine: what the\nceiling's copies needed too (the CPUs slower with all of them busy)"},
		{"base own", "the baseline half's time outside its jobs' CPU (a small negative term)"},
		{"descheduled", "waiting inside jobs while the OS ran another thread: the run delay of the batch's\nthreads and workers (schedstat)"},
		{"runnable", "waiting inside jobs behind other jobs' goroutines, more of them than Ps (trace)"},
		{"blocked", "jobs blocked inside their interval: channel, sync, syscall, and sleep beyond the workload's (trace);\nthe workload's own sleep, like its XOR-sum, is the jobs' work and no loss"},
		{"preempted", "jobs runnable while a P ran the runtime's or the harness's work, or sat idle (trace; without\none, the processes' CPU outside jobs by their clocks, as far as the waiting goes)"},
		{"sleep overlap", "the workload's sleep that ran beyond the cores' slots, at once with other jobs: a negative\npart, time the jobs took that the core-time did not have to hold (trace)"},
		{"ramp-up", "no job open: before the slots first filled"},
		{"starved", "no job open in a slot while released jobs waited, or fewer jobs open than cores"},
		{"awaiting", "no job open, none released yet: the arrival schedule's own idle"},
		{"tail", "no job open: after the last job started, while others ran"},
		{"overhead", "CPU work between jobs while no job was open (trace, or the clocks' rest), taken out of the\nphases above"},
		{"unexplained", fmt.Sprintf("waiting the OS and the trace do not account for; warned about past ±%s points", fmtPoints(MaxUnexplained))},
	}
}

// lossLegend is the loss table's explanation for report.html.
func lossLegend() []string {
	legend := []string{"In points of ideal: each configuration's core-time (cores × wall) split by its own pairs, averaged over the pairs its speedup keeps; the parts add up to 100."}
	for _, p := range lossLegendParts() {
		legend = append(legend, p[0]+": "+strings.ReplaceAll(p[1], "\n", " ")+".")
	}
	return legend
}

// WhereItWent is one sentence on where a row's efficiency went: its
// largest losses, in points, and the largest part below zero that offsets
// them (the baseline's own time, where another thread took the baseline's
// CPU too), so that the figures add up in the reader's head; "" without a
// loss.
func (row *Row) WhereItWent() string {
	l := row.Loss
	if l == nil {
		return ""
	}
	type part struct {
		name string
		v    float64
	}
	var parts []part
	offset := part{v: -0.05} // an offset of less than 5 points is left unsaid
	for _, p := range LossParts[1:] {
		v := l.Part(p)
		if v > 0.005 {
			parts = append(parts, part{PartTitle(p), v})
		}
		if v < offset.v {
			offset = part{PartTitle(p), v}
		}
	}
	slices.SortFunc(parts, func(a, b part) int { return cmp.Compare(b.v, a.v) })
	gap := 1 - l.Part(PartEfficiency)
	s := fmt.Sprintf("%s: %s%% efficient", row.Name(), fmtPoints(l.Part(PartEfficiency)))
	if len(parts) == 0 || gap <= 0.005 {
		return s + ", nothing lost beyond the baseline"
	}
	var words []string
	for _, p := range parts[:min(3, len(parts))] {
		words = append(words, fmt.Sprintf("%s %s", p.name, fmtPoints(p.v)))
	}
	s = fmt.Sprintf("%s; the %s points lost went to %s", s, fmtPoints(gap), strings.Join(words, ", "))
	if offset.name != "" {
		s += fmt.Sprintf(", less %s %s", offset.name, fmtPoints(-offset.v))
	}
	return s
}
