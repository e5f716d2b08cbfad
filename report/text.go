package report

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"golang.org/x/perf/benchunit"
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
	if err := r.writeLoss(bw); err != nil {
		return err
	}
	if len(r.Fits) > 0 {
		fmt.Fprintln(bw)
		fmt.Fprintln(bw, "Scalability fits to the median speedups, weighted least squares: S(N) = λN / (1 + σ(N-1) + κN(N-1));")
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
	}
	conf := pct(r.Confidence)
	fmt.Fprintf(w, "\nTimes per batch: median ± half-width of its %s interval (benchmath, distribution-free).\n", conf)
	fmt.Fprintf(w, "Speedup: T(%s, 1 core) / T(strategy, k cores) on the same machine. Paired (pairs > 0): the median of the\n", Baseline)
	fmt.Fprintf(w, "ratios of each batch to the %s batch run right next to it, with the %s distribution-free interval of that\n", Baseline, conf)
	fmt.Fprintf(w, "median; unpaired: the ratio of the medians, %s percentile-bootstrap interval (%d resamples).\n", conf, r.Resamples)
	fmt.Fprintf(w, "ceiling: k copies of the %s batch at once, one per CPU; its speedup is what the machine allows at k.\n", Baseline)
	fmt.Fprintf(w, "Efficiency: speedup / cores; vs ceiling: speedup / the ceiling's. vs fewer cores: change of the median time, Mann-Whitney U test.\n")
	for _, c := range r.Calibrations {
		if t := c.text(); t != "" {
			fmt.Fprintf(w, "%s: %s.\n", c.Machine, t)
		}
	}
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
	switch {
	case r.Impossible != "":
		return "IMPOSSIBLE: faster than the machine allows"
	case r.MorePairs > 0:
		return fmt.Sprintf("short of target: ~%d more pairs", r.MorePairs)
	case r.MorePairs < 0:
		return "short of target"
	}
	return ""
}

func workersText(w int) string {
	if w == 0 {
		return "?"
	}
	return strconv.Itoa(w)
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

// fmtSeconds formats seconds with an SI prefix and three or more
// significant digits, as benchstat does.
func fmtSeconds(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return benchunit.Scale(v, benchunit.Decimal) + "s"
}

func fmtScaled(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return benchunit.Scale(v, benchunit.Decimal)
}

func fmtRatio(v float64) string { return fmtFixed(v, 2) }

func fmtFixed(v float64, prec int) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.IsInf(v, 1):
		return "∞"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// fmtSig formats with three significant digits: parameters span orders
// of magnitude (κ is often 1e-4).
func fmtSig(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.IsInf(v, 1):
		return "∞"
	case v != 0 && math.Abs(v) < 0.001:
		return strconv.FormatFloat(v, 'e', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func fmtPercent(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(100*v, 'f', 0, 64) + "%"
}

func intervalText(lo, hi float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return "-"
	}
	return "[" + fmtRatio(lo) + ", " + fmtRatio(hi) + "]"
}
