package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/plots"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// planFlags are the flags of parbench run that plan a sweep rather than
// run it: where the untimed passes run, and the dry run.
type planFlags struct {
	timelineCPU, profileCPU string
	dryRun                  bool
	assumeCPUs, assumeSMT   int
}

// passesAuto and passesAll are the keywords of -timeline-cpu and
// -profile-cpu.
const (
	passesAuto = "auto"
	passesAll  = "all"
)

func addPlanFlags(fs *flag.FlagSet, f *planFlags) {
	fs.StringVar(&f.timelineCPU, "timeline-cpu", passesAuto, `core counts of the timeline pass: "auto" (the fewest and the most cores swept, and the SMT boundary), "all", or a list like -cpu's`)
	fs.StringVar(&f.profileCPU, "profile-cpu", passesAuto, `core counts of the profiling pass (-profile): "auto", "all", or a list like -cpu's`)
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the plan (configurations, rounds, batches, estimated time of each pass, files) after measuring its costs on this machine, and run nothing")
	fs.IntVar(&f.assumeCPUs, "assume-cpus", 0, "with -dry-run: plan for a machine with this many CPUs instead of this one")
	fs.IntVar(&f.assumeSMT, "assume-smt", 1, "with -assume-cpus: hardware threads per physical core (2 for the usual SMT)")
}

// topology is the machine to plan for: this one, or the one -assume-cpus
// and -assume-smt describe.
func (f planFlags) topology(here harness.Topology, set map[string]bool) (harness.Topology, error) {
	if !f.dryRun {
		for _, name := range []string{"assume-cpus", "assume-smt"} {
			if set[name] {
				return here, usageErrorf("-%s: only with -dry-run (it plans for a machine that is not this one)", name)
			}
		}
		return here, nil
	}
	if set["assume-smt"] && !set["assume-cpus"] {
		return here, usageErrorf("-assume-smt %d: only with -assume-cpus", f.assumeSMT)
	}
	if !set["assume-cpus"] {
		return here, nil
	}
	if f.assumeCPUs < 1 || f.assumeCPUs > maxAssumeCPUs {
		return here, usageErrorf("-assume-cpus %d: want 1..%d", f.assumeCPUs, maxAssumeCPUs)
	}
	if f.assumeSMT < 1 || f.assumeSMT > 8 || f.assumeCPUs%f.assumeSMT != 0 {
		return here, usageErrorf("-assume-smt %d: want 1..8 threads per core, dividing -assume-cpus %d", f.assumeSMT, f.assumeCPUs)
	}
	return harness.Topology{CPUs: f.assumeCPUs, Cores: f.assumeCPUs / f.assumeSMT}, nil
}

// maxAssumeCPUs is the most CPUs a hypothetical machine may have: the
// kernel's own limit.
const maxAssumeCPUs = 8192

// applyPassFlags sets the core counts of the timeline and profiling
// passes of c, whose Cores are set.
func applyPassFlags(c *harness.Config, f planFlags, topo harness.Topology) error {
	for _, p := range []struct {
		flag, value string
		dst         *[]int
	}{{"timeline-cpu", f.timelineCPU, &c.TimelineCores}, {"profile-cpu", f.profileCPU, &c.ProfileCores}} {
		switch v := strings.TrimSpace(p.value); v {
		case passesAuto, "":
			*p.dst = harness.PassCores(c.Cores, topo)
		case passesAll:
			*p.dst = nil
		default:
			ks, err := parseIntList(v)
			if err != nil {
				return usageErrorf("-%s %q: %v", p.flag, p.value, err)
			}
			for _, k := range ks {
				if !slices.Contains(c.Cores, k) {
					return usageErrorf("-%s %d: not one of the core counts swept (-cpu %s)", p.flag, k, intsText(c.Cores))
				}
			}
			*p.dst = ks
		}
	}
	return nil
}

// plannedFiles is a kind of file a run writes and how many of it.
type plannedFiles struct {
	pattern string
	count   int
	note    string
}

// planFiles lists the files run c writes into its folder, by kind.
func planFiles(c harness.Config, formats []plots.Format, withReport bool, benchstat string) []plannedFiles {
	var out []plannedFiles
	add := func(pattern string, n int, note string) {
		if n > 0 {
			out = append(out, plannedFiles{pattern, n, note})
		}
	}
	// The names of the files of one configuration, in the profiles folder.
	profile := func(kind string) string {
		return path.Join(runfiles.ProfilesDir, runfiles.ProfileName(kind, "<strategy>", 0, 0, true))
	}
	add(runfiles.BenchFile, 1, "every timed sample")
	timelines := 0
	if c.Timeline {
		timelines = len(c.TimelineTrials())
		add(configPattern(runfiles.TimelineName("<strategy>", 0, 0, true))+".csv", timelines, "one untimed batch each, per job")
	}
	if c.Timeline && c.Trace {
		trace := 0
		for _, t := range c.TimelineTrials() {
			if !strategies.OutOfProcess(t.Strategy) {
				trace++
			}
		}
		add(configPattern(profile(runfiles.ProfileTrace)), trace, "the timeline batches of in-process strategies, for the losses")
	}
	if c.Profile {
		var cpu, contention int
		for _, t := range c.ProfileTrials() {
			cpu++
			if !strategies.OutOfProcess(t.Strategy) {
				contention++
			}
		}
		add(configPattern(profile(runfiles.ProfileCPU)), cpu, "")
		add(configPattern(profile(runfiles.ProfileHeap)), cpu, "")
		add(configPattern(strings.Replace(profile(runfiles.ProfileMutex), runfiles.ProfileMutex, "{"+runfiles.ProfileMutex+","+runfiles.ProfileBlock+"}", 1)), 2*contention, "in-process strategies")
		add(path.Join(runfiles.ProfilesDir, runfiles.MergedCPUProfile)+", "+path.Join(runfiles.ProfilesDir, runfiles.BreakdownFile), 2, "")
	}
	if !withReport {
		return out
	}
	if c.Workload.Sleep > 0 || c.Workload.Gap > 0 {
		add(runfiles.ArrivalBoundFile, 1, "")
	}
	summaries := []string{runfiles.SummaryText, runfiles.SummaryMarkdown, runfiles.SummaryCSV, runfiles.SummaryJSON}
	if strings.TrimSpace(benchstat) != "" {
		summaries = append(summaries, runfiles.BenchstatText)
	}
	add(strings.Join(summaries, ", "), len(summaries), "")
	add(runfiles.ReportHTML, 1, "the whole report on one page, every chart in it as SVG")
	add("charts: "+strings.Join(chartNames(c), ", "), reportCharts(c)*len(formats), formatsText(formats))
	add(configPattern(runfiles.TimelineName("<strategy>", 0, 0, true))+" charts", timelines*len(formats), formatsText(formats))
	add(runfiles.ReportManifest, 1, "what the report wrote")
	return out
}

// configPattern turns the name of the made-up configuration <strategy>
// on 0 cores into the pattern of every configuration's:
// timeline-<strategy>-<cores>.
func configPattern(name string) string {
	return strings.Replace(name, "<strategy>-0", "<strategy>-<cores>", 1)
}

// chartNames are the charts against cores (and workers) a report of c draws.
func chartNames(c harness.Config) []string {
	var names []string
	if slices.Contains(c.Strategies, report.Baseline) && slices.Contains(c.Cores, 1) {
		names = append(names, runfiles.ChartSpeedup, runfiles.ChartEfficiency)
	}
	names = append(names, runfiles.ChartTime, runfiles.ChartThroughput)
	if len(c.Workers) > 1 {
		names = append(names, runfiles.ChartThroughputWorkers)
	}
	if c.Profile {
		names = append(names, runfiles.ChartOverhead)
	}
	if !c.Unpaired {
		// The losses come from the pairs themselves.
		names = append(names, runfiles.ChartEfficiencyLoss)
	}
	// The per-CPU speed meter's, from every run whose cores are pinned.
	names = append(names, runfiles.ChartCPUSpeed)
	return names
}

// reportCharts counts the charts of chartNames in one format; overhead is
// one chart per worker count when workers were varied.
func reportCharts(c harness.Config) int {
	n := len(chartNames(c))
	if c.Profile && len(c.Workers) > 1 {
		n += len(c.Workers) - 1
	}
	return n
}

func formatsText(formats []plots.Format) string {
	var s []string
	for _, f := range formats {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}

func intsText(ks []int) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = strconv.Itoa(k)
	}
	return strings.Join(s, ",")
}

// calibrationRounds caps the rounds of the synthetic results the report
// is timed on; the time is scaled up to the plan's rounds, so that an
// absurd -count costs the dry run neither time nor memory.
const calibrationRounds = 20

// calibrateReport times the report's computation on synthetic results of
// c's shape and the drawing of its largest chart, so that the report pass
// has an estimate measured here like the others.
func calibrateReport(c harness.Config, jobTime time.Duration, formats []plots.Format) (stats, chart time.Duration, err error) {
	header := append([][2]string{{"host", "dry-run"}, {"cpu", "synthetic"}}, c.WorkloadConfig()...)
	small := c
	small.Count = min(c.Count, calibrationRounds)
	begin := time.Now()
	rep, err := report.FromResults(syntheticResults(small, header, jobTime), nil)
	if err != nil {
		return 0, 0, fmt.Errorf("calibrating the report: %w", err)
	}
	// The statistics are linear in the samples of a configuration, near
	// enough (a bootstrap resample sorts them).
	stats = time.Duration(float64(time.Since(begin)) * float64(c.Count) / float64(small.Count))
	// The speedup chart has every strategy, its fit and its interval at
	// every core count; a timeline at the top count has a bar per job.
	curves := rep.Curves()
	speedup, times := plotSeries(curves.Speedup), plotSeries(curves.Time)
	series := speedup
	if len(series) == 0 {
		series = times
	}
	// Every chart is drawn in each format and once more as SVG for
	// report.html.
	pageFormats := append(slices.Clone(formats), plots.SVG)
	top := slices.Max(c.Cores)
	tl := syntheticTimeline(c.Workload, harness.Trial{Strategy: c.Strategies[len(c.Strategies)-1], Cores: top, Workers: c.WorkersFor(top)[0]}, jobTime)
	spans := make([]plots.Span, len(tl.Jobs))
	for i, j := range tl.Jobs {
		spans[i] = plots.Span{Worker: j.Worker, Job: j.Job, Start: j.Start, End: j.End}
	}
	for _, draw := range []func() (*plots.Figure, error){
		func() (*plots.Figure, error) { return plots.Speedup(plots.Chart{Title: "calibration"}, series) },
		func() (*plots.Figure, error) {
			return plots.Timeline(plots.Chart{Title: "calibration"}, tl.Strategy, spans)
		},
	} {
		begin := time.Now()
		fig, err := draw()
		if err != nil {
			return stats, 0, fmt.Errorf("calibrating the charts: %w", err)
		}
		for _, f := range pageFormats {
			if err := fig.Encode(io.Discard, f, plots.Options{}); err != nil {
				return stats, 0, fmt.Errorf("calibrating the charts: %w", err)
			}
		}
		chart = max(chart, time.Since(begin))
	}
	return stats, chart, nil
}

// dryRun calibrates on this machine and prints the plan of p.
func dryRun(stdout io.Writer, fs *flag.FlagSet, f runFlags, p *runPlan) error {
	if _, _, _, err := precisionBudget(fs); err != nil {
		return err // before the calibration, as any usage error
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := p.c
	cal, err := p.runner.MeasureCosts(ctx, c)
	if err != nil {
		return err
	}
	stats, chart, err := calibrateReport(c, cal.JobTime, p.formats)
	if err != nil {
		return err
	}
	cal.Report, cal.Chart = stats, chart
	files := planFiles(c, p.formats, f.report, f.benchstat)
	est := harness.EstimateRun(c, cal.Costs, chartCount(c), f.report)
	fmt.Fprintf(stdout, "parbench run -dry-run: the plan; nothing was run but the measurement of its costs, nothing written\n\n")
	printMachine(stdout, f, p, cal)
	printSweep(stdout, f, c, p.topo)
	printPasses(stdout, c, est)
	printFiles(stdout, files)
	return printBudget(stdout, fs, c, cal.Costs)
}

// chartCount counts the charts a report of c draws, each in every format
// and once more as SVG for report.html.
func chartCount(c harness.Config) int {
	n := reportCharts(c)
	if c.Timeline {
		n += len(c.TimelineTrials())
	}
	return n
}

func topologyText(t harness.Topology) string {
	if !t.SMT() {
		return fmt.Sprintf("%d CPUs, no SMT", t.CPUs)
	}
	return fmt.Sprintf("%d CPUs on %d physical cores (SMT %d)", t.CPUs, t.Cores, t.CPUs/t.Cores)
}

// printMachine prints the machine planned for and the costs measured on
// this one.
func printMachine(w io.Writer, f runFlags, p *runPlan, cal harness.MeasuredCosts) {
	if p.topo != p.here {
		fmt.Fprintf(w, "machine:      %s, assumed (-assume-cpus %d -assume-smt %d); this one has %s\n",
			topologyText(p.topo), f.plan.assumeCPUs, f.plan.assumeSMT, topologyText(p.here))
	} else {
		fmt.Fprintf(w, "machine:      %s (%s)\n", topologyText(p.topo), p.runner.Enforcement)
	}
	fmt.Fprintf(w, "costs:        on this machine: a serial batch of %d jobs on 1 pinned core took %v (median of %d; %v per job);\n",
		cal.Jobs, cal.Batch.Round(10*time.Microsecond), cal.Batches, cal.JobTime.Round(10*time.Nanosecond))
	fmt.Fprintf(w, "              a measurement process costs %v beyond its batches", cal.ProcessStart.Round(100*time.Microsecond))
	for _, s := range slices.Sorted(maps.Keys(cal.WorkerStart)) {
		fmt.Fprintf(w, "; %s start-up %v per worker", s, cal.WorkerStart[s].Round(10*time.Microsecond))
	}
	fmt.Fprintf(w, ";\n              the report of this plan %v, a chart %v\n", cal.Report.Round(100*time.Microsecond), cal.Chart.Round(time.Millisecond))
}

// printSweep prints the sweep: the workload, the strategies, the core
// and worker counts, the rounds and the untimed passes.
func printSweep(w io.Writer, f runFlags, c harness.Config, topo harness.Topology) {
	wl := c.Workload
	fmt.Fprintf(w, "workload:     %d jobs x N = %d, sleep %v, gap %v (preset %s)\n", wl.Jobs, wl.N, wl.Sleep, wl.Gap, f.preset)
	fmt.Fprintf(w, "strategies:   %s\n", strings.Join(c.Strategies, ", "))
	boundary := ""
	if topo.SMT() {
		boundary = fmt.Sprintf("; SMT boundary %d", topo.Cores)
	}
	fmt.Fprintf(w, "core counts:  %s (%d%s)\n", strings.Join(strings.Split(intsText(c.Cores), ","), " "), len(c.Cores), boundary)
	fmt.Fprintf(w, "workers:      %s\n", f.workers)
	if c.Precision > 0 {
		fmt.Fprintf(w, "rounds:       at least %d, then more of every configuration until all are within ±%.3g%%, within -budget %v; warm-up %d\n",
			c.Count, 100*c.Precision, c.Budget, c.Warmup)
	} else {
		fmt.Fprintf(w, "rounds:       %d, each batch after %d warm-up %s\n", c.Count, c.Warmup, plural(c.Warmup, "batch", "batches"))
	}
	passAt := func(on bool, only []int, flagValue string) string {
		if !on {
			return "off"
		}
		ks := only
		if ks == nil {
			ks = c.Cores
		}
		return fmt.Sprintf("at %s cores (%s)", strings.Join(strings.Split(intsText(ks), ","), " "), flagValue)
	}
	fmt.Fprintf(w, "timelines:    %s\n", passAt(c.Timeline, c.TimelineCores, "-timeline-cpu "+f.plan.timelineCPU))
	prof := passAt(c.Profile, c.ProfileCores, "-profile-cpu "+f.plan.profileCPU)
	if c.Profile {
		prof += fmt.Sprintf(", %v of CPU each", c.ProfileTime)
	}
	fmt.Fprintf(w, "profiles:     %s\n\n", prof)
}

// printPasses prints the estimated time of each pass.
func printPasses(w io.Writer, c harness.Config, est harness.Estimate) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "pass\tconfigurations\tprocesses\tbatches\tideal scaling\tno scaling\t\n")
	for _, p := range est.Passes {
		procs, batches := strconv.Itoa(p.Processes), strconv.FormatInt(p.Batches, 10)
		switch p.Pass {
		case harness.PassReport:
			procs, batches = "-", fmt.Sprintf("%d charts", p.Charts)
		case harness.PassProfile:
			batches = "~" + batches
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t\n", p.Pass, p.Configurations, procs, batches, durationText(p.Ideal), durationText(p.Flat))
	}
	fmt.Fprintf(tw, "total\t\t\t\t%s\t%s\t\n", durationText(est.Ideal), durationText(est.Flat))
	tw.Flush()
	fmt.Fprintf(w, "\nEstimates, not measurements: \"ideal scaling\" if every strategy scaled perfectly from the\n"+
		"calibrated job time, \"no scaling\" if every batch took as long as on one core; a run lands\n"+
		"in between. A strategy's own overhead and benchstat's time are not included.\n")
	if c.Precision > 0 {
		fmt.Fprintf(w, "The sweep row is its first %d rounds; with -precision the sweep may run on until -budget\n"+
			"(%v) is spent, so budget up to %v for it (see the precision budget below).\n", c.Count, c.Budget, max(c.Budget, est.Passes[0].Flat))
	}
	fmt.Fprintln(w)
}

// printFiles prints the files the run writes, by kind.
func printFiles(w io.Writer, files []plannedFiles) {
	total, width := 0, 0
	for _, fl := range files {
		total += fl.count
		width = max(width, len(fl.pattern))
	}
	fmt.Fprintf(w, "files (%d) in <root>/<UTC timestamp>-<host>/:\n", total)
	for _, fl := range files {
		line := fmt.Sprintf("  %-4d %-*s  ", fl.count, width, fl.pattern)
		if fl.note != "" {
			line += "(" + fl.note + ")"
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

// durationText rounds d for a table: 1h02m, 4m17s, 12.3s, 850ms.
func durationText(d time.Duration) string {
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d >= 10*time.Second:
		return fmt.Sprintf("%.0fs", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	default:
		return d.Round(time.Millisecond).String()
	}
}
