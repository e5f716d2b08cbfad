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
	"strconv"
	"strings"
	"time"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/plots"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
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
	precision              string
	budget                 time.Duration
	ceiling, paired        bool
	countSet               bool      // -count given, by the user or a preset: fixed rounds
	precisionSet           bool      // -precision given, by the user or a preset
	plan                   planFlags // dryrun.go
}

// strategyList is the usage text's list of strategies, one a line, made
// from the registry so that a new strategy file shows up with no edit.
func strategyList() string {
	var b strings.Builder
	for _, n := range strategies.Names() {
		fmt.Fprintf(&b, "  %-18s %s\n", n, strategies.Doc(n))
	}
	return b.String()
}

func newRunFlagSet(stderr io.Writer, f *runFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.cpu, "cpu", "", `core counts to sweep, a comma list or ranges like 1-8, or "all" for every count (default: 1, 2, 4, 8, ... with points between, the SMT boundary and the CPUs this process may use)`)
	fs.IntVar(&f.count, "count", harness.DefaultCount, "fixed repetitions: timed pairs per configuration, no precision target (benchstat wants at least 6); unset, the sweep runs to -precision within -budget")
	fs.StringVar(&f.precision, "precision", "3%", "target half-width of every paired speedup's 95% interval, e.g. 3% or 0.03: after 6 rounds, rounds of every configuration until all of them meet it or -budget is spent (0: run -count rounds)")
	fs.DurationVar(&f.budget, "budget", 3*time.Minute, "with -precision: wall time for the timed sweep; the report names configurations that missed the target")
	fs.BoolVar(&f.paired, "paired", true, "pair every timed batch with a serial baseline half on its own CPUs run right next to it (false: batches alone, for workloads of long sleeps)")
	fs.BoolVar(&f.ceiling, "ceiling", true, "measure the machine's ceiling at every core count: the batch's jobs as k independent serial copies at once, one per CPU")
	fs.StringVar(&f.strategy, "strategy", strings.Join(strategies.Names(), ","), "strategies to run, a comma list")
	fs.StringVar(&f.workers, "workers", "cores", `workers per strategy: "cores", "cores-1" (the article's choice), a comma list of counts run at every core count, or both ("cores-1,11")`)
	fs.IntVar(&f.warmup, "warmup", 1, "untimed batches of each configuration in its measurement process before its first timed pair")
	fs.IntVar(&f.jobs, "jobs", harness.DefaultJobs, "jobs per batch (J)")
	fs.Int64Var(&f.n, "n", strategies.DefaultN, "iterations per job (N)")
	fs.DurationVar(&f.sleep, "sleep", 0, "sleep per job after its XOR-sum, e.g. 2s")
	fs.DurationVar(&f.gap, "gap", 0, "time between job submissions, e.g. 100ms")
	fs.StringVar(&f.out, "o", "results", "results root: the run goes into <root>/<UTC timestamp>-<host>/")
	fs.Int64Var(&f.seed, "seed", 0, "seed for the shuffle of configurations (0: pick one and record it)")
	fs.BoolVar(&f.timeline, "timeline", true, "after the sweep, record one untimed batch per configuration for timeline charts")
	fs.BoolVar(&f.profile, "profile", false, "after the sweep, profile every configuration in an untimed pass: CPU, mutex, block and heap profiles and the overhead breakdown in <run>/"+runfiles.ProfilesDir+"/")
	fs.BoolVar(&f.trace, "trace", true, "record each timeline batch of an in-process strategy with the execution tracer into <run>/"+runfiles.ProfilesDir+"/ (go tool trace), for the split of the losses; needs -timeline")
	fs.DurationVar(&f.profileTime, "profiletime", harness.DefaultProfileTime, "with -profile: CPU time to profile each configuration for (at most twice as much wall time)")
	fs.BoolVar(&f.report, "report", true, "after the run, write the report and charts into the run folder (as parbench report does)")
	fs.StringVar(&f.format, "format", "png", "chart formats, a comma list of png, svg and pdf")
	fs.StringVar(&f.benchstat, "benchstat", "go tool benchstat", `command that runs benchstat for the report, split at spaces; "" skips `+runfiles.BenchstatText)
	fs.StringVar(&f.preset, "preset", "cpu", "a named scenario: "+strings.Join(presetNames(), ", ")+" (see below)")
	addPlanFlags(fs, &f.plan)
	fs.Usage = func() {
		fmt.Fprintf(stderr, `usage: parbench run [flags]

Sweeps strategies x core counts x repetitions. One measurement process per
core count, pinned to that many CPUs, lives for the whole sweep; every timed
batch is paired with a serial baseline half run right next to it on the
configuration's own CPUs, one CPU at a time, so that the machine's slow
waves cancel out of each pair's ratio and a speedup at k is relative to the
mean speed of one of those k CPUs. The halves' shares meter every CPU's
speed. The ceiling (the batch's jobs as k independent copies, one per CPU)
is measured at every core count, and a calibration meter at both ends
measures the machine's own spread. A measurement process that dies is
replaced. Every batch is checked against the closed form, and samples land
in <root>/<run>/bench.txt as they come, in the Go benchmark format (go tool
benchstat reads it).

Strategies:
`)
		io.WriteString(stderr, strategyList())
		fmt.Fprintf(stderr, "\nFlags:\n")
		fs.PrintDefaults()
		printPresets(stderr)
	}
	return fs
}

// parseRunConfig turns flags into a checked sweep on a machine of cpus
// CPUs without SMT; see parseRunConfigOn.
func parseRunConfig(f runFlags, cpus int) (harness.Config, error) {
	return parseRunConfigOn(f, harness.Topology{CPUs: cpus, Cores: cpus})
}

// parseRunConfigOn turns flags into a checked sweep on topo. Every error
// names the flag and the value and is a usage error.
func parseRunConfigOn(f runFlags, topo harness.Topology) (harness.Config, error) {
	cpus := topo.CPUs
	c := harness.Config{
		Count:    f.count,
		Ceiling:  f.ceiling,
		Unpaired: !f.paired,
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
	if f.countSet && f.precisionSet {
		return c, usageErrorf("-precision %s with -count %d: -count runs exactly that many rounds, -precision runs until the target; give one", f.precision, f.count)
	}
	if !f.countSet && f.paired && f.precision != "" {
		p, err := parsePrecision(f.precision)
		if err != nil {
			return c, usageErrorf("-precision %q: %v", f.precision, err)
		}
		if p > 0 {
			if f.budget <= 0 {
				return c, usageErrorf("-budget %v: want a positive duration", f.budget)
			}
			c.Precision, c.Budget, c.Count = p, f.budget, harness.MinRounds
		}
	}
	var err error
	if f.cpu == "" {
		c.Cores = harness.PlanCores(topo)
	} else if f.cpu == "all" {
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
	if err := applyPassFlags(&c, f.plan, topo); err != nil {
		return c, err
	}
	if err := c.Validate(cpus); err != nil {
		return c, usageErrorf("-%v", err)
	}
	return c, nil
}

// parsePrecision reads "3%" or "0.03" as 0.03; "0" turns the target off.
func parsePrecision(s string) (float64, error) {
	t := strings.TrimSpace(s)
	scale := 1.0
	if strings.HasSuffix(t, "%") {
		t, scale = strings.TrimSpace(strings.TrimSuffix(t, "%")), 0.01
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, errors.New("want a percentage like 3% or a fraction like 0.03")
	}
	v *= scale
	if !(v >= 0 && v < 1) {
		return 0, errors.New("want a half-width between 0% and 100%")
	}
	return v, nil
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
	_, err := runSweep(stdout, stderr, args)
	return err
}

// runSweep is parbench run: it returns the run folder it made, "" where
// it made none (a dry run, nothing left to run, a preset of parts).
func runSweep(stdout, stderr io.Writer, args []string) (dir string, err error) {
	f, fs, err := parseRunFlags(stdout, args)
	if err != nil {
		return "", err
	}
	if parts := presetParts(f.preset); parts != nil {
		return "", runPresetParts(stdout, stderr, args, *f, parts)
	}
	p, err := planRun(stderr, fs, f)
	if err != nil || p == nil {
		return "", err
	}
	if f.plan.dryRun {
		return "", dryRun(stdout, fs, *f, p)
	}
	r := &sweepRun{runPlan: p, f: *f}
	ctx, stopSignals := interruptContext() // a second Ctrl-C exits at once
	defer stopSignals()
	r.lock = takeRunLock(f.out, time.Now())
	defer r.lock.release()
	if err := r.create(stderr); err != nil {
		return r.folder.Dir, err
	}
	if err := r.sweep(ctx, stderr); err != nil {
		return r.folder.Dir, err
	}
	if f.report {
		inputs, err := report.FindInputs([]string{r.folder.Dir})
		if err != nil {
			return r.folder.Dir, err
		}
		if err := writeReport(ctx, stdout, stderr, inputs, r.folder.Dir, f.benchstat, p.formats, false); err != nil {
			return r.folder.Dir, err
		}
	}
	if r.gaveUp != nil {
		// A sweep that gave up on some core counts is complete for the
		// others: it is reported, and the run still fails.
		return r.folder.Dir, fmt.Errorf("%w; the report covers the other core counts", r.gaveUp)
	}
	return r.folder.Dir, nil
}

// parseRunFlags parses parbench run's flags into f, whose fields the flag
// set keeps setting (a preset's flags, in planRun). What the flag package
// prints goes to a buffer: a bad flag is one line on stderr like every
// other error, not that line and the whole usage, and the usage that -h
// asks for goes to stdout.
func parseRunFlags(stdout io.Writer, args []string) (f *runFlags, fs *flag.FlagSet, err error) {
	f = new(runFlags)
	var usage bytes.Buffer
	fs = newRunFlagSet(&usage, f)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, _ = usage.WriteTo(stdout)
			return f, fs, err
		}
		return f, fs, usageErrorf("%v (run 'parbench run -h' for usage)", err)
	}
	if fs.NArg() > 0 {
		return f, fs, usageErrorf("run: unexpected argument %q (run 'parbench run -h' for usage)", fs.Arg(0))
	}
	return f, fs, checkSetFlags(fs, f)
}

// A runPlan is a checked sweep and what runs it: the runner, this
// machine's topology and the one planned for (another with -assume-cpus),
// and the chart formats.
type runPlan struct {
	c          harness.Config
	runner     *harness.Runner
	here, topo harness.Topology
	formats    []plots.Format
}

// planRun sets the preset's flags that the user did not set, and turns
// the flags into the sweep on this machine; nil with no error where no
// strategy is left to run here.
func planRun(stderr io.Writer, fs *flag.FlagSet, f *runFlags) (*runPlan, error) {
	runner, err := harness.NewRunner()
	if err != nil {
		return nil, err
	}
	p := &runPlan{runner: runner, here: harness.MachineTopology(runner.CPUs)}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	if p.topo, err = f.plan.topology(p.here, set); err != nil {
		return nil, err
	}
	if err := applyPreset(fs, f.preset, p.topo.CPUs); err != nil {
		return nil, err
	}
	fs.Visit(func(fl *flag.Flag) {
		f.countSet = f.countSet || fl.Name == "count"
		f.precisionSet = f.precisionSet || fl.Name == "precision"
	})
	if p.c, err = parseRunConfigOn(*f, p.topo); err != nil {
		return nil, err
	}
	if p.c.Strategies = skipUnavailable(stderr, p.c.Strategies); len(p.c.Strategies) == 0 {
		fmt.Fprintln(stderr, "parbench: no strategy left to run on this machine")
		return nil, nil
	}
	if p.c.Seed == 0 {
		p.c.Seed = time.Now().UnixNano()
	}
	if p.formats, err = parseFormats(f.format); err != nil {
		return nil, err
	}
	return p, nil
}

// A sweepRun is one run of the timed sweep and its untimed passes into a
// run folder of its own.
type sweepRun struct {
	*runPlan
	f      runFlags
	lock   *runLock
	folder runfiles.Folder
	bench  *harness.BenchFile
	counts runCounts
	// gaveUp is set when the sweep gave up on some core counts: the run
	// fails, after its report of the others.
	gaveUp *harness.GiveUpError
}

// create makes the run folder and its bench.txt with the header, and says
// what the run is about to do. The header (its checksum is a pass over
// every job) comes before the folder, so that nothing is created for a
// run that cannot start.
func (r *sweepRun) create(stderr io.Writer) error {
	env := append(harness.ProbeEnv().Config(), [2]string{runfiles.KeyPreset, r.f.preset})
	if msg, ok := checkRunning(r.lock, startedWhen); ok {
		fmt.Fprintln(stderr, msg)
		env = append(env, [2]string{runfiles.KeyOtherRuns, othersText(r.lock.others())})
	}
	header := harness.Header(r.c, r.runner, describeProgram(readBuildInfo(), version, commit).config(), env)
	dir, err := newRunDir(r.f.out, time.Now())
	if err != nil {
		return err
	}
	r.folder = runfiles.Folder{Dir: dir}
	if r.bench, err = harness.CreateBenchFile(r.folder.BenchPath(), header, r.c.Workload); err != nil {
		return err
	}
	rounds := fmt.Sprintf("%d rounds", r.c.Count)
	if r.c.Precision > 0 {
		rounds = fmt.Sprintf("at least %d rounds, to ±%s within %v", r.c.Count, fmtPct(r.c.Precision), r.c.Budget)
	}
	pairing := "each paired with a baseline half on its own CPUs"
	if r.c.Unpaired {
		pairing = "unpaired (-paired=false)"
	}
	fmt.Fprintf(stderr, "parbench: %d configurations x %s, %s, %s, into %s\n",
		len(r.c.SweepTrials()), rounds, pairing, r.runner.Enforcement, r.bench.Path())
	return nil
}

// sweep runs the sweep and its untimed passes with progress and faults on
// stderr, and finishes bench.txt. Its error says what bench.txt holds; a
// sweep that gave up on some core counts is not an error here (gaveUp).
func (r *sweepRun) sweep(ctx context.Context, stderr io.Writer) error {
	prog := newProgressPrinter(stderr)
	faults := &faultReporter{w: stderr, prog: prog}
	var profileSet *harness.ProfileSet
	r.wire(prog, faults, stderr, func(s harness.ProfileSet) { profileSet = &s })
	runErr := r.runner.Run(ctx, r.c)
	prog.finish()
	if msg, ok := checkRunning(r.lock, duringWhen); ok {
		fmt.Fprintln(stderr, msg)
	}
	if s := faults.summary(); s != "" {
		fmt.Fprintln(stderr, s)
	}
	// The timings are complete once the timed sweep is done (OnSweepDone
	// finished the file then), even if the run stopped in a later,
	// untimed pass.
	finishErr := r.bench.Finish(r.counts.complete)
	r.counts.kept = r.bench.Len()
	// What the profiling pass could not write is said even when the run
	// failed later.
	var profileErr error
	if profileSet != nil {
		profileErr = reportProfiles(stderr, r.c, r.folder, *profileSet)
	}
	if errors.As(runErr, &r.gaveUp) {
		runErr = nil
	}
	if err := runOutcome(runErr, finishErr, r.counts, r.bench.Path()); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "parbench: %d samples in %s (%d timed, %d calibration rounds)\n", r.counts.kept, r.bench.Path(), r.counts.timed, r.counts.calibration)
	return profileErr
}

// wire hands the runner what it reports to: progress and faults to stderr,
// samples to bench.txt (the first of either kind, the first thing
// measured, moves results/latest to this run), timelines and profiles
// into the run folder.
func (r *sweepRun) wire(prog *progressPrinter, faults *faultReporter, stderr io.Writer, onProfiles func(harness.ProfileSet)) {
	rn, bf := r.runner, r.bench
	rn.OnProgress = prog.update
	rn.OnFault = faults.note
	rn.OnProcessFault = func(pf harness.ProcessFault) error {
		faults.noteProcess(pf)
		return bf.AddProcessFault(pf)
	}
	rn.OnGiveUp = func(cores int, causes []string) error {
		faults.noteGiveUp(cores, causes)
		return bf.GiveUp(cores, causes)
	}
	addSample := firstSampleLink(r.f.out, r.folder.Dir, bf.Add)
	addCalibration := firstSampleLink(r.f.out, r.folder.Dir, bf.AddCalibration)
	rn.OnSample = func(s harness.Sample) error { r.counts.timed++; return addSample(s) }
	rn.OnCalibration = func(s harness.Sample) error { r.counts.calibration++; return addCalibration(s) }
	rn.OnSweepDone = func() error { r.counts.complete = true; return bf.Finish(true) }
	rn.OnTimeline = timelineWarner(stderr, r.folder, r.c)
	rn.Folder = r.folder
	rn.OnProfiles = func(s harness.ProfileSet) error { onProfiles(s); return nil }
}

// newRunDir makes results/<UTC timestamp>-<host>/, never reusing one.
// <root>/latest moves to it with the first sample (firstSampleLink).
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
