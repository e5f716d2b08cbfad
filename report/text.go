package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/parbench/parbench/internal/pairstat"
)

// WriteText writes the report for people: the workload, the machines, one
// aligned table of configurations, the fits, and the warnings. It is
// summary.txt.
func (r *Report) WriteText(w io.Writer) error {
	return r.writeText(w, true)
}

// WriteTables is WriteText without the warnings, for a terminal whose
// warnings are shown on their own.
func (r *Report) WriteTables(w io.Writer) error {
	return r.writeText(w, false)
}

func (r *Report) writeText(w io.Writer, warnings bool) error {
	bw := bufio.NewWriter(w)
	r.writeHeader(bw)
	fmt.Fprintln(bw)
	if err := r.rowTable().write(bw); err != nil {
		return err
	}
	if t, notes := r.faultTable(), r.faultNotes(); t != nil || len(notes) > 0 {
		fmt.Fprintln(bw)
		if t != nil {
			fmt.Fprintln(bw, "Faults. "+FaultLegend)
			if err := t.write(bw); err != nil {
				return err
			}
		}
		for _, l := range notes {
			fmt.Fprintln(bw, l)
		}
	}
	if err := r.writeLoss(bw); err != nil {
		return err
	}
	if len(r.Fits) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "Scalability fits to the speedups, weighted least squares: S(N) = λN / (1 + σ(N-1) + κN(N-1));")
		fmt.Fprintln(bw, "Amdahl is κ = 0, with σ the serial fraction. Peak: N* = sqrt((1-σ)/κ) and the speedup there.")
		if err := r.fitTable().write(bw); err != nil {
			return err
		}
		projected := false
		for _, f := range r.Fits {
			projected = projected || len(f.Projections) > 0
		}
		if projected {
			fmt.Fprintln(bw, "* model projections past the cores measured, not measurements.")
		} else {
			fmt.Fprintf(bw, "* no projections: a fit through fewer than %d core counts is not evidence of how it goes on.\n", MinProjectionCores)
		}
	}
	if warnings && len(r.Warnings) > 0 {
		fmt.Fprintf(bw, "\nWarnings:\n")
		for _, e := range r.Warnings {
			fmt.Fprintf(bw, "  - %v\n", e)
		}
	}
	return bw.Flush()
}

// workloadText is the benchmark and its workload, as a header line.
func (r *Report) workloadText() string {
	work := []string{r.Benchmark}
	for _, kv := range r.Workload {
		work = append(work, kv[0]+"="+kv[1])
	}
	if len(r.Workload) == 0 {
		work = append(work, "(workload parameters not recorded)")
	}
	return strings.Join(work, " ")
}

func (r *Report) writeHeader(w io.Writer) {
	fmt.Fprintln(w, r.workloadText())
	for _, m := range r.Machines {
		fmt.Fprintf(w, "%s:", m.Label)
		if m.File != "" {
			fmt.Fprintf(w, " %s", m.File)
		}
		fmt.Fprintln(w)
		if d := m.hardware(); d != "" {
			fmt.Fprintf(w, "  %s\n", d)
		}
		if d := m.conditions(); d != "" {
			fmt.Fprintf(w, "  %s\n", d)
		}
		fmt.Fprintf(w, "  %s\n", m.Kind.Description())
	}
	conf := pct(r.Confidence)
	fmt.Fprintf(w, "\nTimes per batch: median ± half-width of its %s interval (benchmath, distribution-free).\n", conf)
	fmt.Fprintf(w, "Speedup: T(baseline) / T(strategy, k cores) on the same machine, the baseline as each machine's description says.\n")
	fmt.Fprintf(w, "Paired (pairs > 0): %s,\n", pairstat.DefaultEstimator.Method())
	fmt.Fprintf(w, "each pair a batch and the baseline batch run right next to it; unpaired: the ratio of the medians, %s\n", conf)
	fmt.Fprintf(w, "percentile-bootstrap interval (%d resamples).\n", r.Resamples)
	fmt.Fprintf(w, "ceiling: k copies of the %s batch at once, one per CPU; its speedup is what the machine allows at k.\n", Baseline)
	if r.anyKind(OwnCPUs) {
		fmt.Fprintf(w, "In the own-cpus kind the ceiling is attainable: the baseline over the copies' own rates summed; join: over the\n")
		fmt.Fprintf(w, "time until the last copy finished, what a static split of the work can reach.\n")
	}
	fmt.Fprintf(w, "Efficiency: speedup / cores; vs ceiling: speedup / the ceiling's. vs fewer cores: change of the median time, Mann-Whitney U test.\n")
	for _, c := range r.Calibrations {
		if t := c.text(); t != "" {
			fmt.Fprintf(w, "%s: %s.\n", c.Machine, t)
		}
	}
	for _, l := range r.speedLines() {
		fmt.Fprintln(w, l)
	}
}

// anyKind reports whether a machine of the report is of kind k.
func (r *Report) anyKind(k BaselineKind) bool {
	for _, m := range r.Machines {
		if m.Kind == k {
			return true
		}
	}
	return false
}

// hardware describes what the machine is and what ran on it.
func (m Machine) hardware() string {
	var parts []string
	add := func(s string) {
		if s != "" {
			parts = append(parts, s)
		}
	}
	add(m.CPU)
	if m.CPUsOnline > 0 {
		add(plural(m.CPUsOnline, "CPU") + " online")
	}
	add(m.Memory)
	add(m.Kernel)
	add(m.GoVersion)
	if m.Version != "" {
		v := "parbench " + m.Version
		if m.Commit != "" {
			v += " (" + m.Commit + ")"
		}
		add(v)
	}
	return strings.Join(parts, ", ")
}

// conditions describes how the run went.
func (m Machine) conditions() string {
	var parts []string
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, label+" "+v)
		}
	}
	add("cores by", m.Enforcement)
	add("load", m.LoadAvg)
	if m.BusyCPUs != "" {
		add("busy", m.BusyCPUs+" CPUs")
	}
	add("governor", m.Governor)
	add("virtualization", m.Virtualization)
	add("cpu quota", m.CPUQuota)
	if m.Partial {
		parts = append(parts, "PARTIAL (interrupted)")
	}
	return strings.Join(parts, ", ")
}

func (r *Report) rowTable() *table {
	multi := len(r.Machines) > 1
	t := &table{align: "lrrrrrrrllrrrll"}
	head := []string{"strategy", "cores", "workers", "n", "time/batch", "±", "jobs/s", "speedup", pct(r.Confidence) + " interval",
		"unpaired", "pairs", "efficiency", "vs ceiling", "vs fewer cores", "flag"}
	if multi {
		t.align = "l" + t.align
		head = append([]string{"machine"}, head...)
	}
	join := slices.ContainsFunc(r.Rows, func(row Row) bool { return row.Strategy == CeilingStrategy && !math.IsNaN(row.Join) })
	if join {
		t.align = t.align[:len(t.align)-3] + "lrll"
		head = append(head[:len(head)-3], "join", head[len(head)-3], head[len(head)-2], head[len(head)-1])
	}
	t.add(head...)
	for _, row := range r.Rows {
		cells := []string{
			row.Strategy,
			strconv.Itoa(row.Cores),
			workersText(row.Workers),
			strconv.Itoa(row.N),
			fmtSeconds(row.Median),
			"±" + pct(row.CIHalfWidth()),
			fmtScaled(row.JobsPerSec),
			fmtRatio(row.Speedup),
			intervalText(row.SpeedupLow, row.SpeedupHigh),
			unpairedText(row),
			pairsText(row.Pairs),
			fmtPercent(row.Efficiency),
			fmtPercent(row.EfficiencyVsCeiling),
			stepText(row.Step),
			flagText(row),
		}
		if join {
			j := ""
			if row.Strategy == CeilingStrategy && !math.IsNaN(row.Join) {
				j = fmtRatio(row.Join) + " " + intervalText(row.JoinLow, row.JoinHigh)
			}
			cells = append(cells[:len(cells)-3], j, cells[len(cells)-3], cells[len(cells)-2], cells[len(cells)-1])
		}
		if multi {
			cells = append([]string{row.Machine}, cells...)
		}
		t.add(cells...)
	}
	return t
}

func (r *Report) fitTable() *table {
	multi := len(r.Machines) > 1
	t := &table{align: "llrrrrrrlrr"}
	head := []string{"strategy", "model", "points", "up to", "λ", "σ", "κ", "R²", "peak", "2x cores*", "4x cores*"}
	if multi {
		t.align = "l" + t.align
		head = append([]string{"machine"}, head...)
	}
	t.add(head...)
	for _, f := range r.Fits {
		kappa, peak := "-", "none"
		if f.Model == USL {
			kappa = fmtSig(f.Kappa)
			if !math.IsInf(f.PeakConcurrency, 0) {
				peak = fmt.Sprintf("N*=%s S=%s", fmtSig(f.PeakConcurrency), fmtRatio(f.PeakSpeedup))
			}
		}
		cells := []string{
			f.Strategy,
			string(f.Model),
			strconv.Itoa(f.Points),
			strconv.Itoa(f.MaxCores),
			fmtRatio(f.Lambda),
			fmtSig(f.Sigma),
			kappa,
			fmtFixed(f.R2, 3),
			peak,
		}
		for _, p := range f.Projections {
			cells = append(cells, fmt.Sprintf("%s at %d", fmtRatio(p.Speedup), p.Cores))
		}
		if len(f.Projections) == 0 {
			cells = append(cells, fmt.Sprintf("none: %d core counts, need %d", f.Points, MinProjectionCores), "")
		}
		if multi {
			cells = append([]string{f.Machine}, cells...)
		}
		t.add(cells...)
	}
	return t
}

// estimatesTable lays every estimator's speedup of each paired row side
// by side, with the pairs' two groups, the ceiling's join figure and, in
// the own-cpus kind, the first-cpu kind's figure; nil without pairs.
func (r *Report) estimatesTable() *table {
	multi := len(r.Machines) > 1
	own := r.anyKind(OwnCPUs)
	t := &table{align: "lrrrrl"}
	head := []string{"configuration", "pairs"}
	for _, e := range pairstat.Estimators() {
		title := e.Title()
		if e == pairstat.DefaultEstimator {
			title += " (the speedup column)"
		}
		head = append(head, title)
	}
	head = append(head, "two groups of pairs")
	if own {
		t.align += "rr"
		head = append(head, "ceiling's join", "against the first CPU alone")
	}
	if multi {
		t.align = "l" + t.align
		head = append([]string{"machine"}, head...)
	}
	t.add(head...)
	paired := false
	for _, row := range r.Rows {
		if row.Pairs == 0 {
			continue
		}
		paired = true
		cells := []string{row.Name(), strconv.Itoa(row.Pairs)}
		for _, e := range pairstat.Estimators() {
			s := row.Estimates.Of(e)
			cells = append(cells, fmtRatio(s.Speedup)+" "+intervalText(s.Low, s.High))
		}
		groups := ""
		if m := row.Modes; m != nil && !math.IsNaN(m.D) {
			groups = modesText(*m) + fmt.Sprintf(" (D=%s", fmtFixed(m.D, 1))
			if m.Bimodal {
				groups += ", bimodal"
			}
			groups += ")"
		}
		cells = append(cells, groups)
		if own {
			join, first := "", ""
			if !math.IsNaN(row.Join) {
				join = fmtRatio(row.Join) + " " + intervalText(row.JoinLow, row.JoinHigh)
			}
			if row.FirstCPUPairs > 0 {
				first = fmtRatio(row.FirstCPUSpeedup) + " " + intervalText(row.FirstCPULow, row.FirstCPUHigh)
			}
			cells = append(cells, join, first)
		}
		if multi {
			cells = append([]string{row.Machine}, cells...)
		}
		t.add(cells...)
	}
	if !paired {
		return nil
	}
	return t
}

// unpairedText is the unpaired speedup and its interval, shown only where
// it differs from the speedup column (which is the paired figure).
func unpairedText(r Row) string {
	if r.Pairs == 0 || math.IsNaN(r.UnpairedSpeedup) {
		return ""
	}
	return fmtRatio(r.UnpairedSpeedup) + " " + intervalText(r.UnpairedLow, r.UnpairedHigh)
}

func pairsText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func flagText(r Row) string {
	var flags []string
	switch {
	case r.Impossible != "":
		flags = append(flags, "IMPOSSIBLE: faster than the machine allows")
	case r.MorePairs > 0:
		flags = append(flags, fmt.Sprintf("short of target: ~%d more pairs", r.MorePairs))
	case r.MorePairs < 0:
		flags = append(flags, "short of target")
	}
	if r.Modes != nil && r.Modes.Bimodal {
		flags = append(flags, "bimodal pairs")
	}
	return strings.Join(flags, "; ")
}

func stepText(s *Step) string {
	if s == nil {
		return ""
	}
	change := "~"
	if s.Significant {
		change = fmt.Sprintf("%+.1f%%", 100*s.Change)
	}
	return fmt.Sprintf("vs %d: %s (p=%.3f)", s.FromCores, change, s.P)
}

// WriteText writes summary.txt: a Report's text for one workload; for
// several, the workloads, the across-workloads table, then each Report's
// text under a heading that names it.
func (s *Set) WriteText(w io.Writer) error {
	return s.writeText(w, (*Report).WriteText)
}

// WriteTables is WriteText without the warnings, for a terminal whose
// warnings are shown on their own.
func (s *Set) WriteTables(w io.Writer) error {
	return s.writeText(w, (*Report).WriteTables)
}

func (s *Set) writeText(w io.Writer, write func(*Report, io.Writer) error) error {
	if !s.Several() {
		return write(s.Reports[0], w)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "Results of %d workloads, a section each. Times of different workloads measure different things:\n", len(s.Reports))
	fmt.Fprintln(bw, "speedups, fits and checks are within a workload, each against its own baseline, never across.")
	for _, r := range s.Reports {
		fmt.Fprintf(bw, "  %s: %s\n", r.Label, r.workloadText())
	}
	fmt.Fprintln(bw)
	for _, n := range s.acrossNotes() {
		fmt.Fprintln(bw, n)
	}
	if err := s.acrossTable().write(bw); err != nil {
		return err
	}
	for _, r := range s.Reports {
		fmt.Fprintf(bw, "\n== %s ==\n\n", r.Label)
		if err := write(r, bw); err != nil {
			return err
		}
	}
	return bw.Flush()
}
