package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parbench/parbench/plots"
	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
)

// explainLosses gives the report what its loss accounting reads besides
// bench.txt: the execution trace of each configuration's timeline batch
// (profiles/trace-*.out, named as its timeline-*.csv is), split into the
// shares of its core-time. A file that cannot be read is left out, with a
// warning on stderr.
func explainLosses(stderr io.Writer, rep *report.Report, gap time.Duration) {
	var evidence []report.Evidence
	for _, in := range rep.Inputs {
		label := ""
		for _, m := range rep.Machines {
			if m.File == in.Path {
				label = m.Label
			}
		}
		if label == "" {
			continue
		}
		evidence = append(evidence, report.Evidence{Machine: label, Traces: readTraces(stderr, in.Dir, gap)})
	}
	rep.Explain(evidence)
}

// readTraces splits the execution trace of every timeline batch of a run
// folder that has one.
func readTraces(stderr io.Writer, dir string, gap time.Duration) []report.TraceShares {
	files, _ := filepath.Glob(filepath.Join(dir, "timeline-*.csv"))
	var out []report.TraceShares
	for _, path := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(path), "timeline-"), ".csv")
		tracePath := filepath.Join(dir, "profiles", runfiles.ProfileTrace+"-"+name+".out")
		if _, err := os.Stat(tracePath); err != nil {
			continue
		}
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		tl, err := runfiles.ReadTimelineCSV(f, path)
		f.Close()
		if err != nil {
			continue
		}
		ts, err := traceShares(tracePath, gap)
		if err != nil {
			fmt.Fprintf(stderr, "parbench: warning: %s: %v; the losses of %s/cores=%d/workers=%d are not split by a trace\n",
				tracePath, err, tl.Strategy, tl.Cores, tl.Workers)
			continue
		}
		ts.Strategy, ts.Cores, ts.Workers = tl.Strategy, tl.Cores, tl.Workers
		out = append(out, ts)
	}
	return out
}

// traceShares splits one trace file into the shares of its batch's
// core-time.
func traceShares(path string, gap time.Duration) (report.TraceShares, error) {
	f, err := os.Open(path)
	if err != nil {
		return report.TraceShares{}, err
	}
	defer f.Close()
	ct, err := profiles.SplitTrace(f, gap, profiles.TraceLimits{})
	if err != nil {
		return report.TraceShares{}, err
	}
	total := ct.Total
	if !(total > 0) {
		return report.TraceShares{}, fmt.Errorf("a batch of no core-time")
	}
	w := ct.Waiting
	ts := report.TraceShares{
		JobCPU:          ct.JobCPU / total,
		Runnable:        w.BehindJobs / total,
		Preempted:       w.PreemptedByOverhead / total,
		SchedulingDelay: w.SchedulingDelay / total,
		NoJobOverhead:   ct.NoJob.Overhead / total,
		OverheadInJobs:  ct.OverheadInJobs / total,
		Blocked:         map[string]float64{},
	}
	for i, v := range w.Blocked {
		if v > 0 {
			ts.Blocked[profiles.BlockReason(i).String()] = v / total
		}
	}
	return ts, nil
}

// drawEfficiencyLoss draws efficiency-loss: for each machine, the rows
// whose gap to ideal the report could split. With several machines, each
// gets a chart of its own, named as the per-machine timelines are.
func drawEfficiencyLoss(cw *chartWriter, chart plots.Chart, rep *report.Report) {
	for i, m := range rep.Machines {
		var bars []plots.LossBar
		for _, r := range rep.Rows {
			l := r.Loss
			if r.Machine != m.Label || l == nil {
				continue
			}
			bar := plots.LossBar{Strategy: r.Strategy, Cores: r.Cores, Workers: r.Workers, Efficiency: l.Part(report.PartEfficiency)}
			for _, p := range report.LossParts[1:] {
				bar.Parts = append(bar.Parts, plots.LossPart{Name: report.PartTitle(p), Value: l.Part(p)})
			}
			bars = append(bars, bar)
		}
		if len(bars) == 0 {
			continue
		}
		name, c := "efficiency-loss", chart
		if len(rep.Machines) > 1 {
			slug := runfiles.Slug(m.Label)
			if slug == "" {
				slug = fmt.Sprintf("machine%d", i+1)
			}
			name = slug + "-" + name
			c.Caption = m.Label
		}
		c.Title = "Where the efficiency went: " + chart.Title
		cw.save(name)(plots.EfficiencyLoss(c, bars))
	}
}
