package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/runfiles"
)

func TestOverheadGroups(t *testing.T) {
	row := func(s string, cores, workers int) profiles.Row {
		return profiles.Row{Strategy: s, Cores: cores, Workers: workers}
	}
	tests := []struct {
		name string
		rows []profiles.Row
		want []string // workers: strategy/cores/workers of its rows
	}{
		{"no rows: no chart", nil, nil},
		{"one worker count per cores: one chart", []profiles.Row{row("serial", 1, 1), row("pool", 1, 1), row("pool", 2, 2)},
			[]string{"0: serial/1/1 pool/1/1 pool/2/2"}},
		{"workers varied at fixed cores: a chart per worker count", []profiles.Row{row("serial", 2, 1), row("pool", 2, 1), row("pool", 2, 4)},
			[]string{"1: serial/2/1 pool/2/1", "4: pool/2/4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, g := range overheadGroups(tt.rows) {
				var rs []string
				for _, r := range g.rows {
					rs = append(rs, fmt.Sprintf("%s/%d/%d", r.Strategy, r.Cores, r.Workers))
				}
				got = append(got, fmt.Sprintf("%d: %s", g.workers, strings.Join(rs, " ")))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("groups %q, want %q", got, tt.want)
			}
		})
	}
}

// runWithEvidence copies the run folder testdata/<name> into dir and adds
// a timeline of pool on 2 cores and CPU profiles of pool with 2 and 4
// workers on 2 cores.
func runWithEvidence(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name, runfiles.BenchFile))
	if err != nil {
		t.Fatal(err)
	}
	f := runfiles.Folder{Dir: filepath.Join(dir, name)}
	writeTestFile(t, f.BenchPath(), data)
	var b bytes.Buffer
	tl := runfiles.Timeline{Strategy: "pool", Cores: 2, Workers: 2, Jobs: []runfiles.Span{{Job: 0, Worker: 1, Start: 5, End: 1000}}}
	if err := runfiles.WriteTimelineCSV(&b, tl); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, f.TimelinePath("pool", 2, 2, true), b.Bytes())
	writeCPUProfile(t, f.ProfilePath(runfiles.ProfileCPU, "pool", 2, 2, true), 3, configLabels("pool", 2, 2))
	writeCPUProfile(t, f.ProfilePath(runfiles.ProfileCPU, "pool", 2, 4, false), 1, configLabels("pool", 2, 4))
	return f.Dir
}

// TestChartsOfRunFolders: the timeline and overhead charts of a run
// folder, named after their machine where there are several, and after
// the workload in a Set of several.
func TestChartsOfRunFolders(t *testing.T) {
	dir := t.TempDir()
	a, b := runWithEvidence(t, dir, "hostA"), runWithEvidence(t, dir, "hostB")
	tests := []struct {
		name          string
		runs          []string
		slug          string
		wantTimelines []string // name: config
		wantOverhead  []string // name: strategy/cores of its bars
	}{
		{"one run", []string{a}, "", []string{"timeline-pool-2: pool, 2 cores, 2 workers"},
			[]string{"overhead-w2: pool/2", "overhead-w4: pool/2"}},
		{"two machines", []string{a, b}, "", []string{
			"alpha-timeline-pool-2: alpha: pool, 2 cores, 2 workers", "beta-timeline-pool-2: beta: pool, 2 cores, 2 workers"},
			[]string{"alpha-overhead-w2: pool/2", "alpha-overhead-w4: pool/2", "beta-overhead-w2: pool/2", "beta-overhead-w4: pool/2"}},
		{"a workload of several", []string{a}, "cpu", []string{"cpu-timeline-pool-2: pool, 2 cores, 2 workers"},
			[]string{"cpu-overhead-w2: pool/2", "cpu-overhead-w4: pool/2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inputs, err := FindInputs(tt.runs)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Load(inputs, fastOptions())
			if err != nil {
				t.Fatal(err)
			}
			rep.Slug = tt.slug
			var timelines, overhead []string
			for _, c := range rep.TimelineCharts() {
				timelines = append(timelines, c.Name+": "+c.Config)
				if jobs, err := c.Jobs(); err != nil || len(jobs) != 1 || c.Strategy != "pool" || c.Cores != 2 || c.Workers != 2 {
					t.Errorf("%s: %s/%d/%d, %d jobs, %v; want pool/2/2 and its one job", c.Name, c.Strategy, c.Cores, c.Workers, len(jobs), err)
				}
			}
			for _, c := range rep.OverheadCharts() {
				var bars []string
				for _, bar := range c.Bars {
					bars = append(bars, fmt.Sprintf("%s/%d", bar.Strategy, bar.Cores))
					if len(bar.Shares) != len(c.Categories) {
						t.Errorf("%s: %d shares of %d categories", c.Name, len(bar.Shares), len(c.Categories))
					}
				}
				overhead = append(overhead, c.Name+": "+strings.Join(bars, " "))
			}
			if !slices.Equal(timelines, tt.wantTimelines) {
				t.Errorf("timelines\n got %q\nwant %q", timelines, tt.wantTimelines)
			}
			if !slices.Equal(overhead, tt.wantOverhead) {
				t.Errorf("overhead charts\n got %q\nwant %q", overhead, tt.wantOverhead)
			}
		})
	}
}

// TestLossAndCPUSpeedCharts: the efficiency-loss chart has a bar per row
// with a Loss, its parts in LossParts order; a machine with a meter gets
// its CPU speed chart.
func TestLossAndCPUSpeedCharts(t *testing.T) {
	inputs, err := FindInputs([]string{filepath.Join("testdata", "own-quiet")})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Load(inputs, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Loss parts of a made-up configuration, as Explain would leave them.
	rep.Rows[1].Loss = &Loss{Parts: map[LossPart]float64{PartEfficiency: 0.8, PartTail: 0.2}}
	losses := rep.LossCharts()
	if len(losses) != 1 || losses[0].Name != runfiles.ChartEfficiencyLoss || losses[0].Machine != "" {
		t.Fatalf("loss charts %+v, want one, efficiency-loss, no machine named", losses)
	}
	var withLoss int
	for _, row := range rep.Rows {
		if row.Loss != nil {
			withLoss++
		}
	}
	bars := losses[0].Bars
	if len(bars) != withLoss {
		t.Errorf("%d bars, want one per row with a loss (%d)", len(bars), withLoss)
	}
	for _, bar := range bars {
		if bar.Strategy == rep.Rows[1].Strategy && bar.Cores == rep.Rows[1].Cores && bar.Workers == rep.Rows[1].Workers {
			tail := slices.Index(LossParts, PartTail) - 1 // the parts after efficiency
			if bar.Efficiency != 0.8 || len(bar.Parts) != len(LossParts)-1 || bar.Parts[tail] != (NamedValue{PartTitle(PartTail), 0.2}) {
				t.Errorf("bar %+v, want efficiency 0.8 and tail 0.2 among the parts in order", bar)
			}
		}
	}
	speeds := rep.CPUSpeedCharts()
	if len(speeds) != 1 || speeds[0].Name != runfiles.ChartCPUSpeed || len(speeds[0].CPUs) != len(rep.Meters[0].CPUs) {
		t.Fatalf("CPU speed charts %+v, want cpu-speed with every CPU metered", speeds)
	}
	for i, s := range speeds[0].CPUs {
		cpu := rep.Meters[0].CPUs[i]
		if len(s.Points) != len(cpu.Elapsed) || s.Points[0] != (XY{cpu.Elapsed[0], cpu.Relative[0]}) {
			t.Errorf("CPU %d: %d points starting %v, want its %d readings over the run", s.CPU, len(s.Points), s.Points[0], len(cpu.Elapsed))
		}
	}
}
