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

// The files parbench report writes into the output folder.
const (
	summaryText   = "summary.txt"
	summaryCSV    = "summary.csv"
	summaryJSON   = "summary.json"
	benchstatText = "benchstat.txt"
)

func newReportFlagSet(w io.Writer, out, benchstat, format, faulted *string) *flag.FlagSet {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(w)
	fs.StringVar(out, "o", "", "output folder (default: the run's own folder for one run; for several, a new report-<UTC time> folder beside the first; for files such as go test output, a new one under results/)")
	fs.StringVar(benchstat, "benchstat", "go tool benchstat", `command that runs benchstat, split at spaces; "" skips benchstat.txt`)
	fs.StringVar(format, "format", "png", "chart formats, a comma list of png, svg and pdf")
	fs.StringVar(faulted, "faulted", "exclude", `samples whose batch met worker faults (faults/op > 0): "exclude" leaves them out of the statistics, "include" keeps them; either way a warning names them`)
	fs.Usage = func() {
		fmt.Fprintf(w, `usage: parbench report [flags] DIR...

Reads the bench.txt of each run folder DIR (or any file in the Go benchmark
format, such as go test -bench output) and writes %s, %s,
%s and %s: median times with %s intervals, speedup over
serial on one core with a bootstrap interval, efficiency, Amdahl and USL
fits, and warnings about whatever makes the numbers less trustworthy. With
several runs, their machines sit side by side in every table. Runs of
different workloads (jobs, n, sleep, gap) get a section each, and a table
that lays each strategy's time per job and speedup in every workload side
by side; nothing is compared across workloads.

Charts: speedup, efficiency, throughput and time against cores (throughput
against workers where a run varied them), a timeline per timeline-*.csv in
a run folder, and the CPU overhead breakdown where it has profiles/.
report.html holds all of it on one self-contained page.

Flags:
`, summaryText, summaryCSV, summaryJSON, benchstatText, "95%")
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
		out = defaultReportDir(inputs, time.Now())
		// A run folder holding summaries that no report of this version
		// recorded gets its report in a folder of its own instead.
		if folder, err := openOutFolder(out); err == nil {
			if c := folder.conflicts([]string{summaryText, summaryCSV, summaryJSON, benchstatText}); len(c) > 0 {
				old := out
				out = freshDir(filepath.Join(out, "report-"+time.Now().UTC().Format("20060102T150405Z")))
				fmt.Fprintf(stderr, "parbench: %s has a %s that parbench report did not record writing: reporting into %s instead\n", old, c[0], out)
			}
		}
	}
	ctx, stop := interruptContext()
	defer stop()
	_, err = writeReport(ctx, stdout, stderr, inputs, out, benchstat, formats, faulted == "include")
	return err
}

// writeReport loads inputs and writes the summaries, benchstat.txt and
// the charts into out, the tables on stdout and the warnings on stderr.
// It is parbench report's work, and run's after a sweep. Inputs of more
// than one workload get a section each (report.LoadSet), and each
// section's charts carry its slug.
func writeReport(ctx context.Context, stdout, stderr io.Writer, inputs []report.Input, out, benchstat string, formats []plots.Format, includeFaulted bool) (*report.Set, error) {
	opts := report.DefaultOptions
	opts.IncludeFaulted = includeFaulted
	progress := newLoadProgress(stderr)
	opts.Progress = progress.update
	stopBeat := progress.heartbeat("still reading the results and computing their statistics")
	set, err := untilDone(ctx, func() (*report.Set, error) { return report.LoadSet(inputs, &opts) })
	stopBeat()
	if err != nil {
		return set, fmt.Errorf("report: %w", err)
	}
	if set.Several() {
		var labels []string
		for _, rep := range set.Reports {
			labels = append(labels, rep.Label)
		}
		fmt.Fprintf(stderr, "parbench: these results hold %d workloads (%s): a section each, nothing compared across them\n",
			len(set.Reports), strings.Join(labels, ", "))
	}
	for _, rep := range set.Reports {
		explainLosses(stderr, rep, rep.Params.Gap)
	}
	folder, err := openOutFolder(out)
	if err != nil {
		return set, fmt.Errorf("report: %w", err)
	}
	var written []string
	for _, f := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{summaryText, set.WriteText},
		{summaryCSV, set.WriteCSV},
		{summaryJSON, set.WriteJSON},
	} {
		name, write := f.name, f.write
		var buf bytes.Buffer
		if err := write(&buf); err != nil {
			return set, fmt.Errorf("report: %s: %w", name, err)
		}
		path, err := folder.claim(name)
		if err != nil {
			return set, fmt.Errorf("report: %w", err)
		}
		if err := runfiles.WriteFileAtomic(path, buf.Bytes()); err != nil {
			return set, fmt.Errorf("report: %w", err)
		}
		written = append(written, name)
	}

	var warnings []string
	var benchstatOut []byte
	if cmd := strings.Fields(benchstat); len(cmd) > 0 {
		var views []report.BenchstatView
		for _, rep := range set.Reports {
			copies, err := rep.WriteBenchstatInputs(folder.claim)
			for _, c := range copies {
				written = append(written, filepath.Base(c))
			}
			if err != nil {
				return set, fmt.Errorf("report: benchstat input: %w", err)
			}
			for _, v := range rep.BenchstatViews() {
				if set.Several() {
					v.Title = rep.Label + ": " + v.Title
				}
				views = append(views, v)
			}
		}
		text, bsWarnings, err := runBenchstat(ctx, cmd, views)
		warnings = append(warnings, bsWarnings...)
		if ctx.Err() != nil {
			return set, fmt.Errorf("report: interrupted: %w", ctx.Err())
		}
		switch {
		case err != nil || text == nil:
			// An older benchstat.txt beside the new summaries would pass
			// for this report's.
			folder.remove(benchstatText)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("%s skipped: %v", benchstatText, err))
			}
		case text != nil:
			path, err := folder.claim(benchstatText)
			if err != nil {
				return set, fmt.Errorf("report: %w", err)
			}
			if err := runfiles.WriteFileAtomic(path, text); err != nil {
				return set, fmt.Errorf("report: %w", err)
			}
			written = append(written, benchstatText)
			benchstatOut = text
		}
	}
	type drawn struct {
		files []string
		svgs  []report.Chart
	}
	d, err := untilDone(ctx, func() (drawn, error) {
		var d drawn
		var errs []error
		for _, rep := range set.Reports {
			files, svgs, err := writeCharts(out, rep, formats, folder.claim)
			d.files, d.svgs = append(d.files, files...), append(d.svgs, svgs...)
			errs = append(errs, err)
		}
		return d, errors.Join(errs...)
	})
	if ctx.Err() != nil {
		return set, fmt.Errorf("report: %w", err)
	}
	charts, svgs := d.files, d.svgs
	if err != nil {
		for _, e := range strings.Split(err.Error(), "\n") {
			warnings = append(warnings, "chart not drawn: "+e)
		}
	}
	written = append(written, charts...)
	if _, err := folder.claim(report.HTMLFile); err != nil {
		warnings = append(warnings, fmt.Sprintf("%s not written: %v", report.HTMLFile, err))
	} else if err := writeHTML(out, set, report.HTMLPage{Dir: out, Charts: svgs, Benchstat: benchstatOut, Notes: warnings, Files: written}); err != nil {
		warnings = append(warnings, fmt.Sprintf("%s not written: %v", report.HTMLFile, err))
	} else {
		written = append(written, report.HTMLFile)
	}

	if err := set.WriteTables(stdout); err != nil {
		return set, err
	}
	for _, w := range set.Warnings() {
		fmt.Fprintf(stderr, "parbench: warning: %v\n", w)
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "parbench: warning: %s\n", w)
	}
	fmt.Fprintf(stderr, "parbench: wrote %s in %s\n", strings.Join(written, ", "), out)
	if n := len(set.InputErrors()); n > 0 {
		return set, fmt.Errorf("report: %d unreadable %s in the input (listed above); the report covers the rest", n, plural(n, "line", "lines"))
	}
	return set, nil
}

// defaultReportDir is where a report goes without -o: the run's own folder
// for one run folder (a folder, or a file named bench.txt); otherwise (files
// such as go test output, or several inputs) a new folder named for the
// time: beside the first run folder, or under results/ for files, so that
// no report writes beside files it did not make or overwrites another.
func defaultReportDir(inputs []report.Input, now time.Time) string {
	runFolder := inputs[0].Path == filepath.Join(inputs[0].Dir, report.BenchFile)
	if len(inputs) == 1 && runFolder {
		return inputs[0].Dir
	}
	parent := defaultResultsRoot
	if runFolder {
		parent = filepath.Dir(filepath.Clean(inputs[0].Dir))
	}
	return freshDir(filepath.Join(parent, "report-"+now.UTC().Format("20060102T150405Z")))
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
