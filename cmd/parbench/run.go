package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/strategies"
)

// runFlags are parbench run's settings, parsed but not yet checked.
type runFlags struct {
	cpu, strategy, workers string
	count, warmup, jobs    int
	n                      int64
	sleep, gap             time.Duration
	out                    string
	seed                   int64
	timeline               bool
	profile, trace         bool
	profileTime            time.Duration
	preset                 string
	report                 bool
	format, benchstat      string
}

func newRunFlagSet(stderr io.Writer, f *runFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.cpu, "cpu", "", "core counts to sweep, a comma list or ranges like 1-8 (default 1..the CPUs this process may use)")
	fs.IntVar(&f.count, "count", harness.DefaultCount, "repetitions: timed batches per configuration (benchstat wants at least 6)")
	fs.StringVar(&f.strategy, "strategy", strings.Join(strategies.Names(), ","), "strategies to run, a comma list")
	fs.StringVar(&f.workers, "workers", "cores", `workers per strategy: "cores", "cores-1" (the article's choice), a comma list of counts run at every core count, or both ("cores-1,11")`)
	fs.IntVar(&f.warmup, "warmup", 1, "untimed batches before each timed batch")
	fs.IntVar(&f.jobs, "jobs", harness.DefaultJobs, "jobs per batch (J)")
	fs.Int64Var(&f.n, "n", strategies.DefaultN, "iterations per job (N)")
	fs.DurationVar(&f.sleep, "sleep", 0, "sleep per job after its XOR-sum, e.g. 2s")
	fs.DurationVar(&f.gap, "gap", 0, "time between job submissions, e.g. 100ms")
	fs.StringVar(&f.out, "o", "results", "results root: the run goes into <root>/<UTC timestamp>-<host>/")
	fs.Int64Var(&f.seed, "seed", 0, "seed for the shuffle of configurations (0: pick one and record it)")
	fs.BoolVar(&f.timeline, "timeline", true, "after the sweep, record one untimed batch per configuration for timeline charts")
	fs.BoolVar(&f.profile, "profile", false, "after the sweep, profile every configuration in an untimed pass: CPU, mutex, block and heap profiles and the overhead breakdown in <run>/profiles/")
	fs.BoolVar(&f.trace, "trace", false, "after the sweep, record one batch per configuration with the execution tracer into <run>/profiles/ (go tool trace)")
	fs.DurationVar(&f.profileTime, "profiletime", harness.DefaultProfileTime, "with -profile: CPU time to profile each configuration for (at most twice as much wall time)")
	fs.BoolVar(&f.report, "report", true, "after the run, write the report and charts into the run folder (as parbench report does)")
	fs.StringVar(&f.format, "format", "png", "chart formats, a comma list of png, svg and pdf")
	fs.StringVar(&f.benchstat, "benchstat", "go tool benchstat", `command that runs benchstat for the report, split at spaces; "" skips benchstat.txt`)
	fs.StringVar(&f.preset, "preset", "cpu", "a named scenario: "+strings.Join(presetNames(), ", ")+" (see below)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: parbench run [flags]

Sweeps strategies x core counts x repetitions. Each (core count, round) runs
in a fresh process pinned to that many CPUs, every batch is checked against
the closed form, and samples land in <root>/<run>/bench.txt as they come, in
the Go benchmark format (go tool benchstat reads it).

Strategies:
`)
		for _, n := range strategies.Names() {
			fmt.Fprintf(stderr, "  %-18s %s\n", n, strategies.Doc(n))
		}
		fmt.Fprintf(stderr, "\nFlags:\n")
		fs.PrintDefaults()
		printPresets(stderr)
	}
	return fs
}

// parseRunConfig turns flags into a checked sweep. Every error names the
// flag and the value and is a usage error.
func parseRunConfig(f runFlags, cpus int) (harness.Config, error) {
	c := harness.Config{
		Count:    f.count,
		Warmup:   f.warmup,
		Workload: strategies.Workload{Jobs: f.jobs, N: f.n, Sleep: f.sleep, Gap: f.gap},
		Seed:     f.seed,
		Timeline: f.timeline,
		Profile:  f.profile,
		Trace:    f.trace,
		// 0, from a runFlags made in code, means the default.
		ProfileTime: f.profileTime,
	}
	if f.profileTime <= 0 {
		return c, usageErrorf("-profiletime %v: want a positive duration", f.profileTime)
	}
	var err error
	if f.cpu == "" {
		for k := 1; k <= cpus; k++ {
			c.Cores = append(c.Cores, k)
		}
	} else if c.Cores, err = parseIntList(f.cpu); err != nil {
		return c, usageErrorf("-cpu %q: %v", f.cpu, err)
	}
	for _, s := range strings.Split(f.strategy, ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.Strategies = append(c.Strategies, s)
		}
	}
	if err := parseWorkers(&c, f.workers); err != nil {
		return c, err
	}
	if err := c.Validate(cpus); err != nil {
		return c, usageErrorf("-%v", err)
	}
	return c, nil
}

// maxListValue bounds core and worker counts, far above any machine.
const maxListValue = 1 << 20

// parseIntList reads "1,2,4" and ranges "1-8"; duplicates are dropped.
func parseIntList(s string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("%q is not a range", part)
			}
		}
		if b-a > 4096 {
			return nil, fmt.Errorf("%q is too long a range", part)
		}
		// The bound also keeps v++ below from wrapping around.
		if b > maxListValue {
			return nil, fmt.Errorf("%q is too large (want at most %d)", part, maxListValue)
		}
		for v := a; v <= b; v++ {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out, nil
}

func runMain(stdout, stderr io.Writer, args []string) error {
	var f runFlags
	// What the flag package prints goes to a buffer: a bad flag is one line
	// on stderr like every other error, not that line and the whole usage,
	// and the usage that -h asks for goes to stdout.
	var usage bytes.Buffer
	fs := newRunFlagSet(&usage, &f)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = usage.WriteTo(stdout)
			return err
		}
		return usageErrorf("%v (run 'parbench run -h' for usage)", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("run: unexpected argument %q (run 'parbench run -h' for usage)", fs.Arg(0))
	}
	if parts := presetParts(f.preset); parts != nil {
		return runPresetParts(stdout, stderr, args, f.preset, parts)
	}
	runner, err := harness.NewRunner()
	if err != nil {
		return err
	}
	if err := applyPreset(fs, f.preset, len(runner.CPUs)); err != nil {
		return err
	}
	c, err := parseRunConfig(f, len(runner.CPUs))
	if err != nil {
		return err
	}
	if c.Strategies = skipUnavailable(stderr, c.Strategies); len(c.Strategies) == 0 {
		fmt.Fprintln(stderr, "parbench: no strategy left to run on this machine")
		return nil
	}
	if c.Seed == 0 {
		c.Seed = time.Now().UnixNano()
	}
	formats, err := parseFormats(f.format)
	if err != nil {
		return err
	}
	var jobCompute time.Duration
	if c.Workload.Sleep > 0 || c.Workload.Gap > 0 {
		jobCompute = measureJobCompute(c.Workload.N)
	}

	ctx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopSignals()
	go func() {
		// A second Ctrl-C gets the default behaviour: exit at once.
		<-ctx.Done()
		stopSignals()
	}()

	// The header (its checksum is a pass over every job) comes before the
	// run folder, so nothing is created for a run that cannot start.
	env := append(harness.ProbeEnv().Config(), [2]string{"preset", f.preset})
	header := harness.Header(c, runner, version, commit, env)
	dir, err := newRunDir(f.out, time.Now())
	if err != nil {
		return err
	}
	bf, err := harness.CreateBenchFile(filepath.Join(dir, "bench.txt"), header, c.Workload)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "parbench: %d configurations x %d rounds, %s, into %s\n",
		len(c.Trials()), c.Count, runner.Enforcement, bf.Path())

	prog := newProgressPrinter(stderr)
	runner.OnProgress = prog.update
	runner.OnSample = bf.Add
	runner.OnTimeline = func(s harness.Sample) error {
		name := harness.TimelineName(s.Trial, c.DefaultWorkers(s.Trial))
		return harness.SaveTimeline(filepath.Join(dir, name+".csv"), s)
	}
	var profileSet *harness.ProfileSet
	runner.ProfileDir = filepath.Join(dir, "profiles")
	runner.OnProfiles = func(s harness.ProfileSet) error { profileSet = &s; return nil }
	runErr := runner.Run(ctx, c)
	prog.finish()
	// The timings are complete once every timed sample is in, even if the
	// run stopped in a later, untimed pass.
	want := c.Count * len(c.Trials())
	if err := bf.Finish(bf.Len() == want); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		mark := ""
		if bf.Len() < want {
			mark = " (marked partial)"
		}
		return fmt.Errorf("%w; %d of %d samples kept in %s%s", runErr, bf.Len(), want, bf.Path(), mark)
	}
	fmt.Fprintf(stderr, "parbench: %d samples in %s\n", bf.Len(), bf.Path())
	if profileSet != nil {
		if _, err := reportProfiles(stderr, c, *profileSet); err != nil {
			return err
		}
	}
	if !f.report {
		return nil
	}
	inputs, err := report.FindInputs([]string{dir})
	if err != nil {
		return err
	}
	rep, err := writeReport(stdout, stderr, inputs, dir, f.benchstat, formats)
	if err != nil {
		return err
	}
	if c.Workload.Sleep > 0 || c.Workload.Gap > 0 {
		// The bound needs the compute time measured here, which
		// bench.txt does not hold: keep the table beside the report.
		var b bytes.Buffer
		printArrivalBound(&b, c.Workload, jobCompute, rep)
		stdout.Write(b.Bytes())
		if err := harness.WriteFileAtomic(filepath.Join(dir, "arrival-bound.txt"), bytes.TrimLeft(b.Bytes(), "\n")); err != nil {
			return err
		}
	}
	return nil
}

// newRunDir makes results/<UTC timestamp>-<host>/, never reusing one.
func newRunDir(root string, now time.Time) (string, error) {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	host = strings.NewReplacer("/", "_", " ", "_").Replace(host)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("results root: %w", err)
	}
	base := filepath.Join(root, now.UTC().Format("20060102T150405Z")+"-"+host)
	dir := base
	for i := 2; ; i++ {
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			linkLatest(root, dir)
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) || i > 100 {
			return "", fmt.Errorf("results folder: %w", err)
		}
		dir = fmt.Sprintf("%s-%d", base, i)
	}
}

// linkLatest points <root>/latest at dir, so scripts and the Makefile find
// the newest run. It is a convenience: failing to make it is not an error.
func linkLatest(root, dir string) {
	link := filepath.Join(root, "latest")
	if fi, err := os.Lstat(link); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		return // something else is there; leave it alone
	}
	tmp := link + ".tmp"
	os.Remove(tmp)
	if err := os.Symlink(filepath.Base(dir), tmp); err == nil {
		_ = os.Rename(tmp, link)
	}
}
