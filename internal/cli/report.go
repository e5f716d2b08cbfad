package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/parbench/parbench/plots"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
)

func newReportFlagSet(w io.Writer, out, benchstat, format, faulted *string) *flag.FlagSet {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(out, "o", "", "output folder (default: the run's own folder for one run; for several, a new report-<UTC time> folder beside the first; for files such as go test output, a new one under results/)")
	fs.StringVar(benchstat, "benchstat", "go tool benchstat", `command that runs benchstat, split at spaces; "" skips `+runfiles.BenchstatText)
	fs.StringVar(format, "format", "png", "chart formats, a comma list of png, svg and pdf")
	fs.StringVar(faulted, "faulted", "exclude", `samples whose batch met worker faults (faults/op > 0): "exclude" leaves them out of the statistics, "include" keeps them; either way a warning names them`)
	fs.Usage = func() {
		fmt.Fprintf(w, `usage: parbench report [flags] DIR...

Reads the bench.txt of each run folder DIR (or any file in the Go benchmark
format, such as go test -bench output) and writes %s,
%s (its tables as GitHub Markdown), %s, %s and
%s: median times with 95%% intervals; speedups from the pairs (each
batch beside a serial baseline half on its own CPUs: a 20%%-trimmed mean
with Yuen's interval), beside the unpaired ratio of medians; the
machine's ceiling; each CPU's speed over the run; efficiency and where it
went; Amdahl and USL fits; and warnings about whatever makes the numbers
less trustworthy; and, for a workload with a sleep or a gap, %s. Run
folders of the first-CPU kind (a baseline on the first CPU only) and
unpaired ones are read too, and said to be so.
With several runs, their machines sit side by side in every table. Runs
of different workloads (jobs, n, sleep, gap) get a section each, and a
table that lays each strategy's time per job and speedup in every workload
side by side; nothing is compared across workloads.

Charts: speedup, efficiency, throughput and time against cores (throughput
against workers where a run varied them), where the efficiency went, each
CPU's speed, a timeline per timeline-*.csv in a run folder, and the CPU
overhead breakdown where it has profiles. %s holds all of it on
one self-contained page.

Flags:
`, runfiles.SummaryText, runfiles.SummaryMarkdown, runfiles.SummaryCSV, runfiles.SummaryJSON, runfiles.BenchstatText,
			runfiles.ArrivalBoundFile, runfiles.ReportHTML)
		fs.PrintDefaults()
	}
	return fs
}

func reportMain(stdout, stderr io.Writer, args []string) error {
	var out, benchstat, format, faulted string
	// As for run: a bad flag is one line on stderr, -h prints to stdout.
	var usage bytes.Buffer
	fs := newReportFlagSet(&usage, &out, &benchstat, &format, &faulted)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = usage.WriteTo(stdout)
			return err
		}
		return usageErrorf("%v (run 'parbench report -h' for usage)", err)
	}
	if fs.NArg() == 0 {
		return usageErrorf("report: no run folders given (run 'parbench report -h' for usage)")
	}
	for _, a := range fs.Args() {
		if strings.HasPrefix(a, "-") {
			return usageErrorf("report: flag %s after the run folders: flags go first (parbench report [flags] DIR...)", a)
		}
	}
	if faulted != "exclude" && faulted != "include" {
		return usageErrorf("-faulted %q: want exclude or include", faulted)
	}
	inputs, err := report.FindInputs(fs.Args())
	if err != nil {
		return usageErrorf("report: %v", err)
	}
	formats, err := parseFormats(format)
	if err != nil {
		return err
	}
	if out == "" {
		out = defaultReportDir(stderr, inputs, time.Now())
	}
	ctx, stop := interruptContext()
	defer stop()
	return writeReport(ctx, stdout, stderr, inputs, out, benchstat, formats, faulted == "include")
}

// writeReport loads inputs and writes the summaries, benchstat.txt, the
// charts and report.html into out, the tables on stdout and the warnings
// on stderr. It is parbench report's work, and run's after a sweep.
// Inputs of more than one workload get a section each (report.LoadSet).
func writeReport(ctx context.Context, stdout, stderr io.Writer, inputs []report.Input, out, benchstat string, formats []plots.Format, includeFaulted bool) error {
	set, err := loadReport(ctx, stderr, inputs, includeFaulted)
	if err != nil {
		return err
	}
	manifest, err := runfiles.Folder{Dir: out}.OpenManifest()
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	w := &reportWriter{set: set, out: out, manifest: manifest}
	if err := w.summaries(); err != nil {
		return err
	}
	if err := w.benchstat(ctx, strings.Fields(benchstat)); err != nil {
		return err
	}
	if err := w.charts(ctx, formats); err != nil {
		return err
	}
	w.page()
	if err := w.tell(stdout, stderr); err != nil {
		return err
	}
	if n := len(set.InputErrors()); n > 0 {
		return fmt.Errorf("report: %d unreadable %s in the input (listed above); the report covers the rest", n, plural(n, "line", "lines"))
	}
	return nil
}

// loadReport reads the inputs, with progress on stderr, and says when they
// hold more than one workload.
func loadReport(ctx context.Context, stderr io.Writer, inputs []report.Input, includeFaulted bool) (*report.Set, error) {
	opts := report.DefaultOptions
	opts.IncludeFaulted = includeFaulted
	progress := newLoadProgress(stderr)
	opts.Progress = progress.update
	stopBeat := progress.heartbeat("still reading the results and computing their statistics")
	set, err := untilDone(ctx, func() (*report.Set, error) { return report.LoadSet(inputs, &opts) })
	stopBeat()
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if set.Several() {
		var labels []string
		for _, rep := range set.Reports {
			labels = append(labels, rep.Label)
		}
		fmt.Fprintf(stderr, "parbench: these results hold %d workloads (%s): a section each, nothing compared across them\n",
			len(set.Reports), strings.Join(labels, ", "))
	}
	return set, nil
}

// A reportWriter writes one report's files into its folder, each through
// the folder's manifest, and keeps what it wrote and the problems that did
// not stop it, for report.html and the last lines on stderr.
type reportWriter struct {
	set       *report.Set
	out       string
	manifest  *runfiles.Manifest
	written   []string
	warnings  []string
	benchText []byte         // benchstat.txt, nil if not written
	svgs      []report.Chart // every chart, for report.html
}

// write claims name and writes what render makes there, through a
// temporary file.
func (w *reportWriter) write(name string, render func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := render(&buf); err != nil {
		return fmt.Errorf("report: %s: %w", name, err)
	}
	path, err := w.manifest.Claim(name)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := runfiles.WriteFileAtomic(path, buf.Bytes()); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	w.written = append(w.written, name)
	return nil
}

// summaries writes summary.txt, .md, .csv and .json, and arrival-bound.txt
// where the workload has an arrival schedule. The arrival bound is written
// beside the summaries but does not stop them: an older run folder may
// hold one its run wrote, which the manifest does not list.
func (w *reportWriter) summaries() error {
	for _, f := range []struct {
		name   string
		render func(io.Writer) error
	}{
		{runfiles.SummaryText, w.set.WriteText},
		{runfiles.SummaryMarkdown, w.set.WriteMarkdown},
		{runfiles.SummaryCSV, w.set.WriteCSV},
		{runfiles.SummaryJSON, w.set.WriteJSON},
	} {
		if err := w.write(f.name, f.render); err != nil {
			return err
		}
	}
	if w.set.HasArrivalBound() {
		if err := w.write(runfiles.ArrivalBoundFile, w.set.WriteArrivalBound); err != nil {
			w.warnings = append(w.warnings, fmt.Sprintf("%s not written: %v", runfiles.ArrivalBoundFile, err))
		}
	}
	return nil
}

// benchstat runs the benchstat command on the report's filtered copies
// of its inputs and writes benchstat.txt; without a command it writes
// nothing. A benchstat that fails is a warning, and takes an older
// benchstat.txt with it, which would pass for this report's.
func (w *reportWriter) benchstat(ctx context.Context, command []string) error {
	if len(command) == 0 {
		return nil
	}
	var views []report.BenchstatView
	for _, rep := range w.set.Reports {
		copies, err := rep.WriteBenchstatInputs(w.manifest.Claim)
		for _, c := range copies {
			w.written = append(w.written, filepath.Base(c))
		}
		if err != nil {
			return fmt.Errorf("report: benchstat input: %w", err)
		}
		for _, v := range rep.BenchstatViews() {
			if w.set.Several() {
				v.Title = rep.Label + ": " + v.Title
			}
			views = append(views, v)
		}
	}
	text, warnings, err := runBenchstat(ctx, command, views)
	w.warnings = append(w.warnings, warnings...)
	if ctx.Err() != nil {
		return fmt.Errorf("report: interrupted: %w", ctx.Err())
	}
	if err != nil || text == nil {
		w.manifest.Remove(runfiles.BenchstatText)
		if err != nil {
			w.warnings = append(w.warnings, fmt.Sprintf("%s skipped: %v", runfiles.BenchstatText, err))
		}
		return nil
	}
	if err := w.write(runfiles.BenchstatText, func(out io.Writer) error { _, err := out.Write(text); return err }); err != nil {
		return err
	}
	w.benchText = text
	return nil
}

// charts draws every section's charts; a chart that cannot be drawn is a
// warning.
func (w *reportWriter) charts(ctx context.Context, formats []plots.Format) error {
	cw, err := untilDone(ctx, func() (*chartWriter, error) {
		cw := &chartWriter{formats: formats, claim: w.manifest.Claim}
		for _, rep := range w.set.Reports {
			cw.drawReport(rep)
		}
		cw.flush()
		return cw, nil
	})
	if ctx.Err() != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, p := range cw.problems {
		w.warnings = append(w.warnings, "chart not drawn: "+p.Error())
	}
	w.written = append(w.written, cw.written...)
	w.svgs = cw.pages
	return nil
}

// page writes report.html, which holds the other files' news: what was
// written and every warning so far. A page that cannot be written is a
// warning.
func (w *reportWriter) page() {
	page := report.HTMLPage{Dir: w.out, Charts: w.svgs, Benchstat: w.benchText, Notes: w.warnings, Files: w.written}
	err := w.write(runfiles.ReportHTML, func(out io.Writer) error { return w.set.WriteHTML(out, page) })
	if err != nil {
		w.warnings = append(w.warnings, fmt.Sprintf("%s not written: %v", runfiles.ReportHTML, err))
	}
}

// tell prints the tables and the arrival bound on stdout, and the
// warnings and what was written on stderr.
func (w *reportWriter) tell(stdout, stderr io.Writer) error {
	if err := w.set.WriteTables(stdout); err != nil {
		return err
	}
	if w.set.HasArrivalBound() {
		fmt.Fprintln(stdout)
		if err := w.set.WriteArrivalBound(stdout); err != nil {
			return err
		}
	}
	for _, e := range w.set.Warnings() {
		fmt.Fprintf(stderr, "parbench: warning: %v\n", e)
	}
	for _, e := range w.warnings {
		fmt.Fprintf(stderr, "parbench: warning: %s\n", e)
	}
	fmt.Fprintf(stderr, "parbench: wrote %s in %s\n", strings.Join(w.written, ", "), w.out)
	return nil
}

// defaultReportDir is where a report goes without -o: the run's own folder
// for one run folder (a folder, or a file named bench.txt), unless it
// holds summaries that no report recorded writing (said on stderr);
// otherwise (files such as go test output, several inputs, or such a run
// folder) a new folder named for the time: beside the first run folder,
// under results/ for files, or inside the run folder, so that no report
// writes beside files it did not make or overwrites another.
func defaultReportDir(stderr io.Writer, inputs []report.Input, now time.Time) string {
	stamp := "report-" + now.UTC().Format("20060102T150405Z")
	run := runfiles.Folder{Dir: inputs[0].Dir}
	runFolder := inputs[0].Path == run.BenchPath()
	if len(inputs) == 1 && runFolder {
		m, err := run.OpenManifest()
		if err != nil {
			return run.Dir
		}
		c := m.Conflicts([]string{runfiles.SummaryText, runfiles.SummaryMarkdown, runfiles.SummaryCSV, runfiles.SummaryJSON, runfiles.BenchstatText})
		if len(c) == 0 {
			return run.Dir
		}
		out := freshDir(filepath.Join(run.Dir, stamp))
		fmt.Fprintf(stderr, "parbench: %s has a %s that parbench report did not record writing: reporting into %s instead\n", run.Dir, c[0], out)
		return out
	}
	parent := defaultResultsRoot
	if runFolder {
		parent = filepath.Dir(filepath.Clean(inputs[0].Dir))
	}
	return freshDir(filepath.Join(parent, stamp))
}

// defaultResultsRoot is run's default -o, where reports of files go.
const defaultResultsRoot = "results"

// freshDir is base, or base-2, base-3, ... whichever does not exist yet.
func freshDir(base string) string {
	dir := base
	for i := 2; i < 1000; i++ {
		if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
			break
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
	return dir
}

// shellQuote writes args as one shell command line that can be pasted.
func shellQuote(args []string) string {
	quoted := make([]string, len(args))
	for i, a := range args {
		if a != "" && !strings.ContainsAny(a, " \t\n\"'\\$`()*?[]{}<>|&;#~!") {
			quoted[i] = a
		} else {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
