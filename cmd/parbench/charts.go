package main

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/plots"
	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/report"
)

// parseFormats reads -format: a comma list of png, svg and pdf.
func parseFormats(s string) ([]plots.Format, error) {
	var out []plots.Format
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		f, err := plots.ParseFormat(name)
		if err != nil {
			return nil, usageErrorf("-format %q: %v", s, err)
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, usageErrorf("-format %q: want png, svg or pdf", s)
	}
	return out, nil
}

// chartWriter saves figures in every format asked for and keeps the names
// it wrote and the problems it met; one chart that cannot be drawn does not
// stop the others.
type chartWriter struct {
	dir      string
	formats  []plots.Format
	written  []string
	problems []error
	pages    []report.Chart // every chart as SVG, for report.html
}

// save returns what stores a chart function's result under name, so that
// a call reads cw.save("speedup")(plots.Speedup(chart, series)).
func (cw *chartWriter) save(name string) func(*plots.Figure, error) {
	return cw.saveTimeline(name, "")
}

// saveTimeline is save for a timeline of the configuration config, under
// which report.html folds it.
func (cw *chartWriter) saveTimeline(name, config string) func(*plots.Figure, error) {
	return func(fig *plots.Figure, err error) { cw.saveFigure(name, config, fig, err) }
}

func (cw *chartWriter) saveFigure(name, config string, fig *plots.Figure, err error) {
	if err != nil {
		cw.problems = append(cw.problems, fmt.Errorf("%s: %w", name, err))
		return
	}
	for _, f := range cw.formats {
		file := plots.Filename(name, f)
		if err := fig.WriteFile(filepath.Join(cw.dir, file), plots.Options{}); err != nil {
			cw.problems = append(cw.problems, fmt.Errorf("%s: %w", file, err))
			continue
		}
		cw.written = append(cw.written, file)
	}
	var svg bytes.Buffer
	if err := fig.Encode(&svg, plots.SVG, plots.Options{}); err != nil {
		cw.problems = append(cw.problems, fmt.Errorf("%s in %s: %w", name, report.HTMLFile, err))
		return
	}
	stem := strings.TrimSuffix(plots.Filename(name, plots.SVG), ".svg") // the name its files have
	cw.pages = append(cw.pages, report.Chart{Name: stem, Config: config, SVG: svg.Bytes()})
}

// writeCharts draws rep's charts into dir: speedup, efficiency, throughput
// and time against cores; throughput against workers where a sweep varied
// workers at fixed cores; a timeline per recorded batch; and the overhead
// breakdown where the run has CPU profiles. It returns the files written
// and every chart as SVG for report.html; the error joins every chart that
// could not be drawn.
func writeCharts(dir string, rep *report.Report, formats []plots.Format) ([]string, []report.Chart, error) {
	cw := &chartWriter{dir: dir, formats: formats}
	chart := plots.Chart{Title: workloadTitle(rep), Caption: machineCaption(rep)}

	speedup, times, throughput := curveSeries(rep)
	if len(speedup) > 0 {
		cw.save("speedup")(plots.Speedup(chart, speedup))
		cw.save("efficiency")(plots.Efficiency(chart, plots.EfficiencyFromSpeedup(speedup)))
		drawEfficiencyLoss(cw, chart, rep)
	} else {
		cw.problems = append(cw.problems, errors.New("speedup, efficiency: no serial baseline on 1 core in these results"))
	}
	if len(times) > 0 {
		cw.save("time")(plots.Time(chart, times))
		cw.save("throughput")(plots.Throughput(chart, throughput))
	}
	if ws := workerSeries(rep); len(ws) > 0 {
		c := chart
		c.XLabel = "workers"
		cw.save("throughput-workers")(plots.Throughput(c, ws))
	}
	for i, in := range rep.Inputs {
		prefix := ""
		if len(rep.Inputs) > 1 {
			slug := fileSlug(rep.Machines[min(i, len(rep.Machines)-1)].Label)
			if slug == "" {
				slug = fmt.Sprintf("machine%d", i+1)
			}
			prefix = slug + "-"
		}
		drawTimelines(cw, chart, in.Dir, prefix)
		drawOverhead(cw, chart, in.Dir, prefix)
	}
	return cw.written, cw.pages, errors.Join(cw.problems...)
}

// curveSeries turns the report's curves (one row per core count) into
// speedup, time and throughput series, one per machine and strategy.
func curveSeries(rep *report.Report) (speedup, times, throughput []plots.Series) {
	jobs, _ := strconv.ParseFloat(workloadValue(rep, "jobs"), 64)
	for _, m := range rep.Machines {
		for _, s := range rep.Strategies() {
			rows := rep.Curve(m.Label, s)
			if len(rows) == 0 {
				continue
			}
			machine := ""
			if len(rep.Machines) > 1 {
				machine = m.Label
			}
			sp := plots.Series{Strategy: s, Machine: machine}
			tm := plots.Series{Strategy: s, Machine: machine}
			tp := plots.Series{Strategy: s, Machine: machine}
			for _, r := range rows {
				x := float64(r.Cores)
				tm.Points = append(tm.Points, interval(x, r.Median, r.Low, r.High))
				tp.Points = append(tp.Points, throughputPoint(x, r, jobs))
				if finite(r.Speedup) {
					sp.Points = append(sp.Points, interval(x, r.Speedup, r.SpeedupLow, r.SpeedupHigh))
				}
			}
			if f, ok := bestFit(rep, m.Label, s); ok {
				sp.Fit, sp.FitLabel = f.Speedup, fitLabel(f)
			}
			if len(sp.Points) == len(rows) {
				speedup = append(speedup, sp)
			}
			times = append(times, tm)
			throughput = append(throughput, tp)
		}
	}
	return speedup, times, throughput
}

// workerSeries is throughput against workers for every machine, strategy
// and core count measured with more than one worker count.
func workerSeries(rep *report.Report) []plots.Series {
	jobs, _ := strconv.ParseFloat(workloadValue(rep, "jobs"), 64)
	type key struct {
		machine, strategy string
		cores             int
	}
	byKey := map[key][]report.Row{}
	var order []key
	for _, r := range rep.Rows {
		if r.Workers < 1 {
			continue
		}
		k := key{r.Machine, r.Strategy, r.Cores}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], r)
	}
	cores := map[string]bool{}
	for _, k := range order {
		if len(byKey[k]) > 1 {
			cores[k.machine+"/"+strconv.Itoa(k.cores)] = true
		}
	}
	var out []plots.Series
	for _, k := range order {
		rows := byKey[k]
		if len(rows) < 2 {
			continue
		}
		s := plots.Series{Strategy: k.strategy}
		if len(rep.Machines) > 1 || len(cores) > 1 {
			s.Machine = fmt.Sprintf("%s %d cores", k.machine, k.cores)
		}
		for _, r := range rows {
			s.Points = append(s.Points, throughputPoint(float64(r.Workers), r, jobs))
		}
		out = append(out, s)
	}
	return out
}

// throughputPoint is jobs/s with the interval that the time interval gives:
// jobs/s falls as time rises, so the bounds swap.
func throughputPoint(x float64, r report.Row, jobs float64) plots.Point {
	if jobs <= 0 {
		return interval(x, r.JobsPerSec, math.NaN(), math.NaN())
	}
	return interval(x, r.JobsPerSec, jobs/r.High, jobs/r.Low)
}

// interval makes a point, dropping an interval that is not finite or does
// not contain y (too few samples for a confidence interval).
func interval(x, y, lo, hi float64) plots.Point {
	if !finite(lo) || !finite(hi) || lo > y || hi < y {
		lo, hi = y, y
	}
	return plots.Point{X: x, Y: y, Low: lo, High: hi}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// bestFit prefers the USL, which needs six core counts, over Amdahl.
func bestFit(rep *report.Report, machine, strategy string) (report.Fit, bool) {
	if f, ok := rep.FitOf(machine, strategy, report.USL); ok {
		return f, true
	}
	return rep.FitOf(machine, strategy, report.Amdahl)
}

func fitLabel(f report.Fit) string {
	if f.Model == report.USL {
		return fmt.Sprintf("USL σ=%.2g κ=%.2g", f.Sigma, f.Kappa)
	}
	return fmt.Sprintf("Amdahl serial fraction %.2g", f.SerialFraction)
}

func workloadValue(rep *report.Report, key string) string {
	for _, kv := range rep.Workload {
		if kv[0] == key {
			return kv[1]
		}
	}
	return ""
}

// workloadTitle names the workload: "XOR-sum: 1024 jobs × 500000 iterations".
func workloadTitle(rep *report.Report) string {
	t := "XOR-sum"
	if j, n := workloadValue(rep, "jobs"), workloadValue(rep, "n"); j != "" && n != "" {
		t += fmt.Sprintf(": %s jobs × %s iterations", j, n)
	}
	if s := workloadValue(rep, "sleep"); s != "" && s != "0s" {
		t += ", sleep " + s
	}
	if g := workloadValue(rep, "gap"); g != "" && g != "0s" {
		t += ", gap " + g
	}
	return t
}

// machineCaption names each machine: CPU model, CPUs, how cores were held.
func machineCaption(rep *report.Report) string {
	var parts []string
	for _, m := range rep.Machines {
		p := m.CPU
		if p == "" {
			p = "unknown CPU"
		}
		if m.CPUsOnline > 0 {
			p += fmt.Sprintf(", %d CPUs", m.CPUsOnline)
		}
		if len(rep.Machines) > 1 {
			p = m.Label + ": " + p
		}
		if m.GoVersion != "" {
			p += " · " + m.GoVersion
		}
		if m.Enforcement != "" {
			p += " · cores by " + m.Enforcement
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// drawTimelines draws every timeline CSV a run folder holds.
func drawTimelines(cw *chartWriter, chart plots.Chart, dir, prefix string) {
	files, _ := filepath.Glob(filepath.Join(dir, "timeline-*.csv"))
	for _, path := range files {
		name := prefix + strings.TrimSuffix(filepath.Base(path), ".csv")
		f, err := os.Open(path)
		if err != nil {
			cw.problems = append(cw.problems, err)
			continue
		}
		s, err := harness.ReadTimelineCSV(f, path)
		f.Close()
		if err != nil {
			cw.problems = append(cw.problems, err)
			continue
		}
		spans := make([]plots.Span, len(s.Jobs))
		for i, j := range s.Jobs {
			spans[i] = plots.Span{Worker: j.Worker, Job: j.Job, Start: j.Start, End: j.End}
		}
		c := chart
		c.Title = fmt.Sprintf("%s, %d cores, %d workers", chart.Title, s.Cores, s.Workers)
		config := fmt.Sprintf("%s, %d cores, %d workers", s.Strategy, s.Cores, s.Workers)
		if prefix != "" {
			config = strings.TrimSuffix(prefix, "-") + ": " + config
		}
		cw.saveTimeline(name, config)(plots.Timeline(c, s.Strategy, spans))
	}
}

// drawOverhead draws the CPU breakdown of a run folder's profiles, if it
// has any. Each profile names its configuration in its sample labels.
func drawOverhead(cw *chartWriter, chart plots.Chart, dir, prefix string) {
	rows, problems := overheadRows(filepath.Join(dir, "profiles"))
	cw.problems = append(cw.problems, problems...)
	if len(rows) == 0 {
		return
	}
	for _, g := range overheadGroups(rows) {
		c := chart
		c.Title = "Where the CPU time went: " + chart.Title + g.title
		cw.save(prefix + "overhead" + g.suffix)(plots.Overhead(c, breakdowns(g.rows)))
	}
}

// overheadGroup is the rows of one overhead chart.
type overheadGroup struct {
	suffix, title string // "-w4", ", 4 workers"; empty for the only chart
	rows          []profiles.Row
}

// overheadGroups splits breakdown rows into charts. A bar is a strategy at
// a core count, so a sweep that varied workers at one core count gets a
// chart per worker count; otherwise there is one chart.
func overheadGroups(rows []profiles.Row) []overheadGroup {
	type config struct {
		strategy string
		cores    int
	}
	byWorkers := map[int][]profiles.Row{}
	seen, varied := map[config]bool{}, false
	for _, r := range rows {
		byWorkers[r.Workers] = append(byWorkers[r.Workers], r)
		k := config{r.Strategy, r.Cores}
		varied = varied || seen[k]
		seen[k] = true
	}
	if !varied {
		return []overheadGroup{{rows: rows}}
	}
	var groups []overheadGroup
	for _, w := range slices.Sorted(maps.Keys(byWorkers)) {
		groups = append(groups, overheadGroup{
			suffix: fmt.Sprintf("-w%d", w),
			title:  fmt.Sprintf(", %d workers", w),
			rows:   byWorkers[w],
		})
	}
	return groups
}

// breakdowns turns breakdown rows into the chart's bars.
func breakdowns(rows []profiles.Row) []plots.Breakdown {
	bars := make([]plots.Breakdown, len(rows))
	for i, r := range rows {
		bars[i] = plots.Breakdown{Strategy: r.Strategy, Cores: r.Cores}
		for c, cat := range profiles.Categories() {
			bars[i].Share[c] = r.Shares.Of(cat)
		}
	}
	return bars
}

// overheadRows breaks down every per-configuration CPU profile in dir.
func overheadRows(dir string) ([]profiles.Row, []error) {
	files, _ := filepath.Glob(filepath.Join(dir, "cpu-*.pprof"))
	var rows []profiles.Row
	var problems []error
	for _, path := range files {
		if filepath.Base(path) == harness.MergedCPUProfile {
			continue
		}
		p, err := harness.ReadProfile(path)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		t, ok := profileTrial(p)
		if !ok {
			problems = append(problems, fmt.Errorf("%s: no strategy, cores and workers labels", path))
			continue
		}
		shares, err := profiles.Breakdown(p)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", path, err))
			continue
		}
		rows = append(rows, profiles.Row{Strategy: t.Strategy, Cores: t.Cores, Workers: t.Workers, Shares: shares})
	}
	sortProfileRows(rows)
	return rows, problems
}

// profileTrial reads the configuration from a profile's sample labels.
func profileTrial(p *profile.Profile) (harness.Trial, bool) {
	for _, s := range p.Sample {
		st, c, w := s.Label["strategy"], s.Label["cores"], s.Label["workers"]
		if len(st) != 1 || len(c) != 1 || len(w) != 1 {
			continue
		}
		cores, err1 := strconv.Atoi(c[0])
		workers, err2 := strconv.Atoi(w[0])
		if err1 == nil && err2 == nil && cores > 0 && workers > 0 {
			return harness.Trial{Strategy: st[0], Cores: cores, Workers: workers}, true
		}
	}
	return harness.Trial{}, false
}

// fileSlug makes a machine label usable in a file name: runs of anything
// but letters, digits, dots and dashes become one underscore.
func fileSlug(label string) string {
	var b strings.Builder
	under := false
	for _, r := range label {
		ok := r == '.' || r == '-' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z')
		switch {
		case ok:
			b.WriteRune(r)
			under = false
		case !under:
			b.WriteByte('_')
			under = true
		}
	}
	return strings.Trim(b.String(), "_")
}
