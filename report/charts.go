package report

import (
	"fmt"
	"maps"
	"slices"

	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/runfiles"
)

// The data of the charts that are not curves against cores (see Curves
// and WorkerSeries for those): where each configuration's efficiency went,
// each CPU's speed, each timeline batch, and the CPU profiles' breakdown.
// A chart's Name is its file name without the format's extension: the
// base name of runfiles, after the report's Slug in a Set of several
// workloads and, where the report has several machines or inputs, after
// the machine's slug.

// ChartName is the file name, without extension, of the report's chart
// of base name base (runfiles.ChartSpeedup, ...): base itself, or after
// the report's Slug in a Set of several workloads.
func (r *Report) ChartName(base string) string {
	if r.Slug != "" {
		return r.Slug + "-" + base
	}
	return base
}

// machineChartName is ChartName for the chart of one machine, or of one
// input (i counts from 0), where the report has several (several says
// so): it starts with the machine's slug.
func (r *Report) machineChartName(base, machine string, i int, several bool) string {
	if several {
		base = machineSlug(machine, i) + "-" + base
	}
	return r.ChartName(base)
}

// machineSlug is a machine's label as a chart's name starts with it, or
// "machine<i+1>" for a label with nothing usable in a file name.
func machineSlug(machine string, i int) string {
	if slug := runfiles.Slug(machine); slug != "" {
		return slug
	}
	return fmt.Sprintf("machine%d", i+1)
}

// A LossChart is one machine's efficiency-loss chart: a bar per
// configuration whose gap to ideal the report could split.
type LossChart struct {
	Name string
	// Machine is the machine's label where the report has several, for
	// the caption; "" otherwise.
	Machine string
	Bars    []LossBar
}

// A LossBar is one configuration's Loss: its efficiency, and every other
// part in LossParts order, by title.
type LossBar struct {
	Strategy       string
	Cores, Workers int
	Efficiency     float64
	Parts          []NamedValue
}

// A NamedValue is one part of a bar, by its title.
type NamedValue struct {
	Name  string
	Value float64
}

// LossCharts are the efficiency-loss charts, one per machine that has a
// row with a Loss.
func (r *Report) LossCharts() []LossChart {
	var out []LossChart
	several := len(r.Machines) > 1
	for i, m := range r.Machines {
		var bars []LossBar
		for _, row := range r.Rows {
			l := row.Loss
			if row.Machine != m.Label || l == nil {
				continue
			}
			bar := LossBar{Strategy: row.Strategy, Cores: row.Cores, Workers: row.Workers, Efficiency: l.Part(PartEfficiency)}
			for _, p := range LossParts[1:] {
				bar.Parts = append(bar.Parts, NamedValue{Name: PartTitle(p), Value: l.Part(p)})
			}
			bars = append(bars, bar)
		}
		if len(bars) == 0 {
			continue
		}
		c := LossChart{Name: r.machineChartName(runfiles.ChartEfficiencyLoss, m.Label, i, several), Bars: bars}
		if several {
			c.Machine = m.Label
		}
		out = append(out, c)
	}
	return out
}

// A CPUSpeedChart is one machine's per-CPU speed meter over its run.
type CPUSpeedChart struct {
	Name string
	// Machine is the machine's label where the report has several
	// meters; "" otherwise.
	Machine string
	// Noise is the meter's own noise (Meter.Noise).
	Noise float64
	CPUs  []CPUSpeedSeries
}

// A CPUSpeedSeries is one CPU's speed relative to the fastest, at the
// seconds since the sweep began.
type CPUSpeedSeries struct {
	CPU    int
	Slow   bool
	Points []XY
}

// XY is one point of a chart without an interval.
type XY struct{ X, Y float64 }

// CPUSpeedCharts are the charts of the machines' per-CPU speed meters.
func (r *Report) CPUSpeedCharts() []CPUSpeedChart {
	var out []CPUSpeedChart
	several := len(r.Meters) > 1
	for _, m := range r.Meters {
		c := CPUSpeedChart{Name: r.ChartName(runfiles.ChartCPUSpeed), Noise: m.Noise}
		if several {
			c.Name, c.Machine = r.ChartName(runfiles.Slug(m.Machine)+"-"+runfiles.ChartCPUSpeed), m.Machine
		}
		for _, cpu := range m.CPUs {
			s := CPUSpeedSeries{CPU: cpu.CPU, Slow: cpu.Slow}
			for i, t := range cpu.Elapsed {
				s.Points = append(s.Points, XY{X: t, Y: cpu.Relative[i]})
			}
			c.CPUs = append(c.CPUs, s)
		}
		out = append(out, c)
	}
	return out
}

// A TimelineChart is one timeline batch of an input's run folder; its
// jobs are read from the file when it is drawn (Jobs), so that a report
// need not hold every batch's jobs at once.
type TimelineChart struct {
	Name string
	// Config is the configuration it shows, "pool, 2 cores, 2 workers",
	// after the machine's slug where the report has several inputs; it
	// is what report.html folds the chart under (Chart.Config).
	Config         string
	Strategy       string
	Cores, Workers int
	file           runfiles.TimelineFile
}

// Jobs reads the batch's jobs: when each ran, and on which worker.
func (c TimelineChart) Jobs() ([]runfiles.Span, error) {
	tl, err := c.file.Read()
	return tl.Jobs, err
}

// TimelineCharts are the timeline charts of every input's run folder.
func (r *Report) TimelineCharts() []TimelineChart {
	var out []TimelineChart
	several := len(r.Evidence) > 1
	for i, ev := range r.Evidence {
		for _, tf := range ev.Timelines {
			c := TimelineChart{Name: r.machineChartName(tf.Name, ev.Machine, i, several), file: tf,
				Strategy: tf.Strategy, Cores: tf.Cores, Workers: tf.Workers,
				Config: fmt.Sprintf("%s, %d cores, %d workers", tf.Strategy, tf.Cores, tf.Workers)}
			if several {
				c.Config = machineSlug(ev.Machine, i) + ": " + c.Config
			}
			out = append(out, c)
		}
	}
	return out
}

// An OverheadChart is the CPU profiles' breakdown of one input's run
// folder: a bar per strategy and core count, a share of its CPU time per
// category. A sweep that varied workers at one core count gets a chart
// per worker count.
type OverheadChart struct {
	Name string
	// Workers is the worker count of a chart of one, 0 for the only
	// chart of the folder.
	Workers int
	// Categories are the categories' labels, bottom up.
	Categories []string
	Bars       []OverheadBar
}

// An OverheadBar is one configuration's shares, one per category.
type OverheadBar struct {
	Strategy string
	Cores    int
	Shares   []float64
}

// OverheadCharts are the overhead charts of every input's run folder that
// has CPU profiles.
func (r *Report) OverheadCharts() []OverheadChart {
	var categories []string
	for _, c := range profiles.Categories() {
		categories = append(categories, c.Label())
	}
	var out []OverheadChart
	several := len(r.Evidence) > 1
	for i, ev := range r.Evidence {
		for _, g := range overheadGroups(ev.Breakdown) {
			base := runfiles.ChartOverhead
			if g.workers > 0 {
				base += fmt.Sprintf("-w%d", g.workers)
			}
			c := OverheadChart{Name: r.machineChartName(base, ev.Machine, i, several), Workers: g.workers, Categories: categories}
			for _, row := range g.rows {
				bar := OverheadBar{Strategy: row.Strategy, Cores: row.Cores}
				for _, cat := range profiles.Categories() {
					bar.Shares = append(bar.Shares, row.Shares.Of(cat))
				}
				c.Bars = append(c.Bars, bar)
			}
			out = append(out, c)
		}
	}
	return out
}

// overheadGroup is the rows of one overhead chart; workers is 0 for the
// only chart.
type overheadGroup struct {
	workers int
	rows    []profiles.Row
}

// overheadGroups splits breakdown rows into charts. A bar is a strategy at
// a core count, so a sweep that varied workers at one core count gets a
// chart per worker count; otherwise there is one chart, and none for no
// rows.
func overheadGroups(rows []profiles.Row) []overheadGroup {
	if len(rows) == 0 {
		return nil
	}
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
		groups = append(groups, overheadGroup{workers: w, rows: byWorkers[w]})
	}
	return groups
}
