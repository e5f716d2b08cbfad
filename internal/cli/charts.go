package cli

import (
	"bytes"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/parbench/parbench/plots"
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

// chartWriter hands the report's chart data to plots, saves each figure
// in every format asked for, and keeps the names it wrote and the
// problems it met; one chart that cannot be drawn does not stop the
// others.
type chartWriter struct {
	formats []plots.Format
	// claim gives the path a file may be written at, or why not.
	claim    func(name string) (string, error)
	written  []string
	problems []error
	pages    []report.Chart // every chart as SVG, for report.html
	queued   []queuedChart  // drawn, to be encoded and written by flush
}

// drawReport draws rep's charts: speedup, efficiency, throughput and time
// against cores; throughput against workers where a sweep varied workers
// at fixed cores; where the efficiency went; each CPU's speed over the
// run where it was metered; a timeline per recorded batch; and the
// overhead breakdown where the run has CPU profiles.
func (cw *chartWriter) drawReport(rep *report.Report) {
	chart := plots.Chart{Title: rep.Params.Title(), Caption: rep.Caption()}
	save := func(name, config string) func(*plots.Figure, error) {
		return func(fig *plots.Figure, err error) { cw.save(rep.Label, name, config, fig, err) }
	}
	curves := rep.Curves()
	speedup, times, throughput := plotSeries(curves.Speedup), plotSeries(curves.Time), plotSeries(curves.Throughput)
	if len(speedup) > 0 {
		save(rep.ChartName(runfiles.ChartSpeedup), "")(plots.Speedup(chart, speedup))
		save(rep.ChartName(runfiles.ChartEfficiency), "")(plots.Efficiency(chart, plots.EfficiencyFromSpeedup(speedup)))
	} else {
		cw.problems = append(cw.problems, errors.New("speedup, efficiency: no serial baseline on 1 core in these results"))
	}
	for _, c := range rep.LossCharts() {
		lc := chart
		lc.Title = "Where the efficiency went: " + chart.Title
		if c.Machine != "" {
			lc.Caption = c.Machine
		}
		save(c.Name, "")(plots.EfficiencyLoss(lc, lossBars(c.Bars)))
	}
	if len(times) > 0 {
		save(rep.ChartName(runfiles.ChartTime), "")(plots.Time(chart, times))
		save(rep.ChartName(runfiles.ChartThroughput), "")(plots.Throughput(chart, throughput))
	}
	if ws := rep.WorkerSeries(); len(ws) > 0 {
		c := chart
		c.XLabel = "workers"
		save(rep.ChartName(runfiles.ChartThroughputWorkers), "")(plots.Throughput(c, plotSeries(ws)))
	}
	for _, c := range rep.CPUSpeedCharts() {
		sc := chart
		sc.Title = "Each CPU's speed: " + chart.Title
		if c.Machine != "" {
			sc.Title += " (" + c.Machine + ")"
		}
		save(c.Name, "")(plots.CPUSpeed(sc, cpuSpeedSeries(c.CPUs), c.Noise))
	}
	for _, c := range rep.TimelineCharts() {
		tc := chart
		tc.Title = fmt.Sprintf("%s, %d cores, %d workers", chart.Title, c.Cores, c.Workers)
		save(c.Name, c.Config)(timelineFigure(tc, c))
	}
	for _, c := range rep.OverheadCharts() {
		oc := chart
		oc.Title = "Where the CPU time went: " + chart.Title
		if c.Workers > 0 {
			oc.Title += fmt.Sprintf(", %d workers", c.Workers)
		}
		save(c.Name, "")(plots.Overhead(oc, c.Categories, breakdownBars(c.Bars)))
	}
}

// save queues a figure, or the error that stood in its way, to be
// stored under name in every format, and once more as SVG for
// report.html, under the section workload and, for a timeline, the
// configuration config; flush does the work.
func (cw *chartWriter) save(workload, name, config string, fig *plots.Figure, err error) {
	cw.queued = append(cw.queued, queuedChart{workload: workload, name: name, config: config, fig: fig, err: err})
}

// A queuedChart is a figure save has taken and flush not yet written.
type queuedChart struct {
	workload, name, config string
	fig                    *plots.Figure
	err                    error
	// What encoding made of it: a file's bytes per format, then the
	// SVG for report.html, each with its error.
	files   [][]byte
	fileErr []error
	svg     []byte
	svgErr  error
}

// flush encodes the queued figures, as many at once as GOMAXPROCS allows
// (each is independent of the others, and drawing and compressing them is
// most of a report's time), then claims and writes their files one at a
// time, in the order they were drawn, so that the files, the problems and
// report.html's charts come out as they would one by one. It goes a few
// charts at a time, so that what it holds encoded stays small however
// many charts a report has.
func (cw *chartWriter) flush() {
	procs := runtime.GOMAXPROCS(0)
	for len(cw.queued) > 0 {
		batch := cw.queued[:min(len(cw.queued), 2*procs)]
		cw.queued = cw.queued[len(batch):]
		sem := make(chan struct{}, procs)
		var wg sync.WaitGroup
		for i := range batch {
			if batch[i].err != nil {
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				cw.encode(&batch[i])
			}()
		}
		wg.Wait()
		for i := range batch {
			cw.write(batch[i])
			batch[i] = queuedChart{} // let its bytes go
		}
	}
	cw.queued = nil
}

// encode encodes q's figure in every format, and as SVG for report.html.
func (cw *chartWriter) encode(q *queuedChart) {
	q.files, q.fileErr = make([][]byte, len(cw.formats)), make([]error, len(cw.formats))
	for j, f := range cw.formats {
		var buf bytes.Buffer
		q.fileErr[j] = q.fig.Encode(&buf, f, plots.Options{})
		q.files[j] = buf.Bytes()
	}
	var svg bytes.Buffer
	q.svgErr = q.fig.Encode(&svg, plots.SVG, plots.Options{})
	q.svg = svg.Bytes()
}

// write claims and writes one encoded chart's files and keeps its SVG.
func (cw *chartWriter) write(q queuedChart) {
	if q.err != nil {
		cw.problems = append(cw.problems, fmt.Errorf("%s: %w", q.name, q.err))
		return
	}
	for j, f := range cw.formats {
		file := plots.Filename(q.name, f)
		path, err := cw.claim(file)
		if err != nil {
			cw.problems = append(cw.problems, err)
			continue
		}
		err = q.fileErr[j]
		if err == nil {
			// Through a temporary file, so that an interrupted write
			// never leaves a truncated chart under the final name.
			err = runfiles.WriteFileAtomic(path, q.files[j])
		}
		if err != nil {
			cw.problems = append(cw.problems, fmt.Errorf("%s: %w", file, err))
			continue
		}
		cw.written = append(cw.written, file)
	}
	if q.svgErr != nil {
		cw.problems = append(cw.problems, fmt.Errorf("%s in %s: %w", q.name, runfiles.ReportHTML, q.svgErr))
		return
	}
	stem := strings.TrimSuffix(plots.Filename(q.name, plots.SVG), ".svg") // the name its files have
	cw.pages = append(cw.pages, report.Chart{Name: stem, Config: q.config, Workload: q.workload, SVG: q.svg})
}

// The report's chart data, handed to plots as its types.

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

func lossBars(bars []report.LossBar) []plots.LossBar {
	out := make([]plots.LossBar, len(bars))
	for i, b := range bars {
		out[i] = plots.LossBar{Strategy: b.Strategy, Cores: b.Cores, Workers: b.Workers, Efficiency: b.Efficiency}
		for _, p := range b.Parts {
			out[i].Parts = append(out[i].Parts, plots.LossPart{Name: p.Name, Value: p.Value})
		}
	}
	return out
}

func cpuSpeedSeries(cpus []report.CPUSpeedSeries) []plots.CPUSpeedSeries {
	out := make([]plots.CPUSpeedSeries, len(cpus))
	for i, c := range cpus {
		out[i] = plots.CPUSpeedSeries{CPU: c.CPU, Slow: c.Slow}
		for _, p := range c.Points {
			out[i].Points = append(out[i].Points, plots.XY(p))
		}
	}
	return out
}

func breakdownBars(bars []report.OverheadBar) []plots.Breakdown {
	out := make([]plots.Breakdown, len(bars))
	for i, b := range bars {
		out[i] = plots.Breakdown{Strategy: b.Strategy, Cores: b.Cores, Share: b.Shares}
	}
	return out
}

// timelineFigure draws a timeline batch, its jobs read by the report now.
func timelineFigure(chart plots.Chart, c report.TimelineChart) (*plots.Figure, error) {
	jobs, err := c.Jobs()
	if err != nil {
		return nil, err
	}
	spans := make([]plots.Span, len(jobs))
	for i, j := range jobs {
		spans[i] = plots.Span{Worker: j.Worker, Job: j.Job, Start: j.Start, End: j.End}
	}
	return plots.Timeline(chart, c.Strategy, spans)
}
