package cli

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parbench/parbench/plots"
	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
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
	dir string
	// claim, if set, gives the path a file may be written at, or why not.
	claim   func(name string) (string, error)
	formats []plots.Format
	// prefix starts every chart's name, and workload is what its
	// report.Chart says it belongs to: a Set's section's slug and
	// label, for a report of several workloads.
	prefix, workload string
	written          []string
	problems         []error
	pages            []report.Chart // every chart as SVG, for report.html
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
	name = cw.prefix + name
	if err != nil {
		cw.problems = append(cw.problems, fmt.Errorf("%s: %w", name, err))
		return
	}
	for _, f := range cw.formats {
		file := plots.Filename(name, f)
		path := filepath.Join(cw.dir, file)
		if cw.claim != nil {
			var cerr error
			if path, cerr = cw.claim(file); cerr != nil {
				cw.problems = append(cw.problems, cerr)
				continue
			}
		}
		var buf bytes.Buffer
		err := fig.Encode(&buf, f, plots.Options{})
		if err == nil {
			// Through a temporary file, so that an interrupted write
			// never leaves a truncated chart under the final name.
			err = runfiles.WriteFileAtomic(path, buf.Bytes())
		}
		if err != nil {
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
	cw.pages = append(cw.pages, report.Chart{Name: stem, Config: config, Workload: cw.workload, SVG: svg.Bytes()})
}

// writeCharts draws rep's charts into dir: speedup, efficiency, throughput
// and time against cores; throughput against workers where a sweep varied
// workers at fixed cores; each CPU's speed over the run where it was
// metered; a timeline per recorded batch; and the overhead breakdown where
// the run has CPU profiles. It returns the files written
// and every chart as SVG for report.html; the error joins every chart that
// could not be drawn. claim, if set, gives the path a file may be written
// at, or why not. A report that is a section of a Set of several
// workloads has its slug before each chart's name.
func writeCharts(dir string, rep *report.Report, formats []plots.Format, claim func(string) (string, error)) ([]string, []report.Chart, error) {
	cw := &chartWriter{dir: dir, formats: formats, claim: claim, workload: rep.Label}
	if rep.Slug != "" {
		cw.prefix = rep.Slug + "-"
	}
	chart := plots.Chart{Title: rep.Params.Title(), Caption: rep.Caption()}

	curves := rep.Curves()
	speedup, times, throughput := plotSeries(curves.Speedup), plotSeries(curves.Time), plotSeries(curves.Throughput)
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
	if ws := rep.WorkerSeries(); len(ws) > 0 {
		c := chart
		c.XLabel = "workers"
		cw.save("throughput-workers")(plots.Throughput(c, plotSeries(ws)))
	}
	for _, m := range rep.Meters {
		drawCPUSpeed(cw, chart, m, len(rep.Meters) > 1)
	}
	for i, in := range rep.Inputs {
		prefix := ""
		if len(rep.Inputs) > 1 {
			slug := runfiles.Slug(rep.Machines[min(i, len(rep.Machines)-1)].Label)
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

// drawCPUSpeed draws a machine's per-CPU speed meter: cpu-speed, or
// <machine>-cpu-speed in a report of several machines.
func drawCPUSpeed(cw *chartWriter, chart plots.Chart, m report.Meter, several bool) {
	name := "cpu-speed"
	c := chart
	c.Title = "Each CPU's speed: " + chart.Title
	if several {
		name = runfiles.Slug(m.Machine) + "-" + name
		c.Title += " (" + m.Machine + ")"
	}
	var series []plots.CPUSpeedSeries
	for _, cpu := range m.CPUs {
		s := plots.CPUSpeedSeries{CPU: cpu.CPU, Slow: cpu.Slow}
		for i, t := range cpu.Elapsed {
			s.Points = append(s.Points, plots.XY{X: t, Y: cpu.Relative[i]})
		}
		series = append(series, s)
	}
	cw.save(name)(plots.CPUSpeed(c, series, m.Noise))
}

// plotSeries hands the report's series to plots.
func plotSeries(ss []report.Series) []plots.Series {
	out := make([]plots.Series, len(ss))
	for i, s := range ss {
		p := plots.Series{Strategy: s.Strategy, Machine: s.Machine, Points: make([]plots.Point, len(s.Points))}
		for j, pt := range s.Points {
			p.Points[j] = plots.Point(pt)
		}
		if s.Fit != nil {
			p.Fit, p.FitLabel = s.Fit.Speedup, s.Fit.Label()
		}
		out[i] = p
	}
	return out
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
		s, err := runfiles.ReadTimelineCSV(f, path)
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
		cw.save(prefix + "overhead" + g.suffix)(plots.Overhead(c, overheadCategories(), breakdowns(g.rows)))
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

// overheadCategories names profiles' categories for the chart, bottom up.
func overheadCategories() []string {
	var names []string
	for _, c := range profiles.Categories() {
		names = append(names, c.Label())
	}
	return names
}

// breakdowns turns breakdown rows into the chart's bars, a share for each
// of overheadCategories.
func breakdowns(rows []profiles.Row) []plots.Breakdown {
	bars := make([]plots.Breakdown, len(rows))
	for i, r := range rows {
		bars[i] = plots.Breakdown{Strategy: r.Strategy, Cores: r.Cores}
		for _, cat := range profiles.Categories() {
			bars[i].Share = append(bars[i].Share, r.Shares.Of(cat))
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
		if filepath.Base(path) == runfiles.MergedCPUProfile {
			continue
		}
		p, err := runfiles.ReadProfile(path)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		strategy, cores, workers, ok := runfiles.ProfileConfig(p)
		if !ok {
			problems = append(problems, fmt.Errorf("%s: no strategy, cores and workers labels", path))
			continue
		}
		shares, err := profiles.Breakdown(p)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", path, err))
			continue
		}
		rows = append(rows, profiles.Row{Strategy: strategy, Cores: cores, Workers: workers, Shares: shares})
	}
	sortProfileRows(rows)
	return rows, problems
}
