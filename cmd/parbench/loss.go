package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/parbench/parbench/plots"
	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
)

// explainLosses gives the report what its loss accounting reads besides
// bench.txt: each run folder's timeline batches (timeline-*.csv) and the
// shares of each CPU profile (profiles/cpu-*.pprof) in the kernel and
// outside any job. A file that
// cannot be read is left out here; the charts, which read the same files,
// name it in their warnings.
func explainLosses(rep *report.Report) {
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
		evidence = append(evidence, report.Evidence{
			Machine:   label,
			Timelines: readTimelines(in.Dir),
			Profiles:  cpuShares(filepath.Join(in.Dir, "profiles")),
		})
	}
	rep.Explain(evidence)
}

// readTimelines reads every timeline CSV in a run folder.
func readTimelines(dir string) []report.Timeline {
	files, _ := filepath.Glob(filepath.Join(dir, "timeline-*.csv"))
	var out []report.Timeline
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			continue
		}
		s, err := runfiles.ReadTimelineCSV(f, path)
		f.Close()
		if err != nil {
			continue
		}
		tl := report.Timeline{Strategy: s.Strategy, Cores: s.Cores, Workers: s.Workers, Jobs: make([]report.Span, len(s.Jobs))}
		for i, j := range s.Jobs {
			tl.Jobs[i] = report.Span{Worker: j.Worker, Start: j.Start, End: j.End}
		}
		out = append(out, tl)
	}
	return out
}

// cpuShares splits every per-configuration CPU profile in dir into the
// kernel's share and the share outside any job. Each profile names its
// configuration in its sample labels.
func cpuShares(dir string) []report.CPUShares {
	files, _ := filepath.Glob(filepath.Join(dir, "cpu-*.pprof"))
	var out []report.CPUShares
	for _, path := range files {
		if filepath.Base(path) == runfiles.MergedCPUProfile {
			continue
		}
		p, err := runfiles.ReadProfile(path)
		if err != nil {
			continue
		}
		strategy, cores, workers, ok := runfiles.ProfileConfig(p)
		if !ok {
			continue
		}
		shares, err := profiles.Breakdown(p)
		if err != nil {
			continue
		}
		outside, err := profiles.OutsideJobs(p)
		if err != nil {
			continue
		}
		out = append(out, report.CPUShares{Strategy: strategy, Cores: cores, Workers: workers,
			Kernel: shares.Of(profiles.Kernel), OutsideJobs: outside})
	}
	return out
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
			bars = append(bars, plots.LossBar{
				Strategy: r.Strategy, Cores: r.Cores, Workers: r.Workers, Efficiency: r.Efficiency,
				Parts: lossParts(l),
			})
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

// lossParts names a row's losses for the chart. Without a profile the
// overhead holds overhead and slowdown together, and is named so.
func lossParts(l *report.Loss) []plots.LossPart {
	var out []plots.LossPart
	for i, v := range l.Parts() {
		name := report.LossPartNames[i]
		if name == "overhead" && !l.Profiled {
			name = "overhead + slowdown (no profile)"
		}
		out = append(out, plots.LossPart{Name: name, Value: v})
	}
	return out
}
