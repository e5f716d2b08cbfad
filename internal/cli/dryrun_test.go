package cli

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/plots"
)

func TestPlanFlagsBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"assume-cpus without dry-run", []string{"-assume-cpus", "128"}, "-assume-cpus: only with -dry-run"},
		{"assume-smt without dry-run", []string{"-assume-smt", "2"}, "-assume-smt: only with -dry-run"},
		{"assume-smt without assume-cpus", []string{"-dry-run", "-assume-smt", "2"}, "-assume-smt 2: only with -assume-cpus"},
		{"assume-cpus 0", []string{"-dry-run", "-assume-cpus", "0"}, "-assume-cpus 0: want 1..8192"},
		{"assume-cpus huge", []string{"-dry-run", "-assume-cpus", "100000"}, "-assume-cpus 100000: want 1..8192"},
		{"assume-smt not dividing", []string{"-dry-run", "-assume-cpus", "6", "-assume-smt", "4"}, "-assume-smt 4: want 1..8 threads per core, dividing -assume-cpus 6"},
		{"assume-smt 0", []string{"-dry-run", "-assume-cpus", "8", "-assume-smt", "0"}, "-assume-smt 0"},
		{"timeline-cpu not swept", []string{"-cpu", "1", "-timeline-cpu", "2"}, "-timeline-cpu 2: not one of the core counts swept (-cpu 1)"},
		{"profile-cpu not a list", []string{"-profile-cpu", "1,x"}, `-profile-cpu "1,x": "x" is not a number`},
		{"cpu beyond an assumed machine", []string{"-dry-run", "-assume-cpus", "8", "-cpu", "16"}, "-cpu 16: want 1..8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkRunRefuses(t, tt.args, tt.want) })
	}
}

func TestParseRunConfigPasses(t *testing.T) {
	smt := harness.Topology{CPUs: 16, Cores: 8}
	tests := []struct {
		name                 string
		cpu, timeline, prof  string
		wantCores            []int
		wantTimeline, wantPr []int
	}{
		{"defaults", "", "", "", []int{1, 2, 3, 4, 6, 8, 12, 16}, []int{1, 8, 16}, []int{1, 8, 16}},
		{"all passes", "", "all", "all", []int{1, 2, 3, 4, 6, 8, 12, 16}, nil, nil},
		{"lists", "", "2,16", "4,6", []int{1, 2, 3, 4, 6, 8, 12, 16}, []int{2, 16}, []int{4, 6}},
		{"every core count", "all", "auto", "auto", seqInts(1, 16), []int{1, 8, 16}, []int{1, 8, 16}},
		{"a given list", "1,4", "auto", "auto", []int{1, 4}, []int{1, 4}, []int{1, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := runFlags{cpu: tt.cpu, count: 1, strategy: "serial", workers: "cores", jobs: 1, n: 1, profileTime: time.Second,
				plan: planFlags{timelineCPU: tt.timeline, profileCPU: tt.prof}}
			c, err := parseRunConfigOn(f, smt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.Cores, tt.wantCores) || !slices.Equal(c.TimelineCores, tt.wantTimeline) || !slices.Equal(c.ProfileCores, tt.wantPr) {
				t.Errorf("got cores %v, timelines %v, profiles %v; want %v, %v, %v",
					c.Cores, c.TimelineCores, c.ProfileCores, tt.wantCores, tt.wantTimeline, tt.wantPr)
			}
		})
	}
}

func seqInts(lo, hi int) []int {
	var s []int
	for i := lo; i <= hi; i++ {
		s = append(s, i)
	}
	return s
}

// bigMachineCosts are the costs the plans of big machines are judged at,
// stated rather than measured so the test does not depend on the machine
// running it: 250 µs per job is slower than any calibration of the default
// workload on this project's 2-vCPU development VM (parbench run -dry-run
// gave 137-204 µs per job there, a shared VM whose speed comes in waves),
// and the other costs are as generous.
var bigMachineCosts = harness.Costs{
	JobTime:      250 * time.Microsecond,
	ProcessStart: 50 * time.Millisecond,
	WorkerStart:  map[string]time.Duration{"procpool": 10 * time.Millisecond},
	Report:       10 * time.Second,
	Chart:        500 * time.Millisecond,
}

// TestMakeBenchPlanAtScale plans make bench (parbench run -profile) on
// synthetic machines of 16 to 192 CPUs, with and without SMT, and checks
// the core counts, the time and the files against stated bounds.
func TestMakeBenchPlanAtScale(t *testing.T) {
	const (
		// The budget for make bench on 128 cores, at the per-job
		// speed of bigMachineCosts, in the worst case (no strategy scales).
		budget = 15 * time.Minute
		// Files in the run folder, all passes and charts together.
		maxFiles = 150
	)
	for _, cpus := range []int{16, 64, 128, 192} {
		for _, threads := range []int{1, 2} {
			topo := harness.Topology{CPUs: cpus, Cores: cpus / threads}
			t.Run(topologyText(topo), func(t *testing.T) {
				var f runFlags
				fs := newRunFlagSet(new(bytes.Buffer), &f)
				if err := fs.Parse(makeBenchFlags(t)); err != nil {
					t.Fatal(err)
				}
				// As parbench run does: the default preset (cpu) sets the
				// batch that make bench runs.
				if err := applyPreset(fs, f.preset, topo.CPUs); err != nil {
					t.Fatal(err)
				}
				c, err := parseRunConfigOn(f, topo)
				if err != nil {
					t.Fatal(err)
				}
				if want := harness.PlanCores(topo); !slices.Equal(c.Cores, want) {
					t.Errorf("cores %v, want PlanCores's %v", c.Cores, want)
				}
				if len(c.Cores) < 6 || len(c.Cores) > 16 {
					t.Errorf("%d core counts, want 6 to 16", len(c.Cores))
				}
				wantPasses := []int{1, cpus}
				if threads > 1 {
					wantPasses = []int{1, cpus / threads, cpus}
				}
				if !slices.Equal(c.TimelineCores, wantPasses) || !slices.Equal(c.ProfileCores, wantPasses) {
					t.Errorf("timelines at %v, profiles at %v; want both at %v", c.TimelineCores, c.ProfileCores, wantPasses)
				}
				files := planFiles(c, []plots.Format{plots.PNG}, f.report, f.benchstat)
				est := harness.EstimateRun(c, bigMachineCosts, chartCount(c), f.report)
				// A precision target may run the sweep on to its -budget.
				sweep, _ := est.Pass(harness.PassSweep)
				worst := est.Flat - sweep.Flat + max(sweep.Flat, c.Budget)
				if worst > budget {
					t.Errorf("make bench takes up to %v (ideal %v), want at most %v", worst, est.Ideal, budget)
				}
				n := 0
				for _, fl := range files {
					n += fl.count
				}
				if n > maxFiles {
					t.Errorf("%d files, want at most %d: %+v", n, maxFiles, files)
				}
				t.Logf("%d core counts, %d configurations, ideal %v, no scaling %v, with the sweep's budget %v, %d files",
					len(c.Cores), len(c.Trials()), est.Ideal.Round(time.Second), est.Flat.Round(time.Second), worst.Round(time.Second), n)
			})
		}
	}
}

// TestPlanFilesAllPasses checks the files of the passes at every core
// count, as -timeline-cpu all -profile-cpu all asks, on 128 CPUs.
func TestPlanFilesAllPasses(t *testing.T) {
	topo := harness.Topology{CPUs: 128, Cores: 64}
	f := runFlags{count: 10, strategy: "serial,pool,procpool", workers: "cores", jobs: 1024, n: 1, profileTime: time.Second, paired: true,
		plan: planFlags{timelineCPU: "all", profileCPU: "all"}, report: true, benchstat: "go tool benchstat"}
	c, err := parseRunConfigOn(f, topo)
	if err != nil {
		t.Fatal(err)
	}
	c.Timeline, c.Profile, c.Trace = true, true, true
	got := map[string]int{}
	for _, fl := range planFiles(c, []plots.Format{plots.PNG, plots.SVG}, true, "go tool benchstat") {
		got[fl.pattern] = fl.count
	}
	// 14 core counts x 3 strategies; mutex, block and traces for the 2 of
	// them that run in the measurement process.
	want := map[string]int{
		"bench.txt":                                                                           1,
		"timeline-<strategy>-<cores>.csv":                                                     42,
		"profiles/trace-<strategy>-<cores>.out":                                               28,
		"profiles/cpu-<strategy>-<cores>.pprof":                                               42,
		"profiles/heap-<strategy>-<cores>.pprof":                                              42,
		"profiles/{mutex,block}-<strategy>-<cores>.pprof":                                     56,
		"profiles/cpu-merged.pprof, profiles/breakdown.txt":                                   2,
		"summary.txt, summary.md, summary.csv, summary.json, benchstat.txt":                   5,
		"charts: speedup, efficiency, time, throughput, overhead, efficiency-loss, cpu-speed": 14,
		"report.html":                        1,
		"timeline-<strategy>-<cores> charts": 84,
		"report-files.txt":                   1,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %d files, want %d", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got kinds %v, want %v", got, want)
	}
}

func TestDryRun(t *testing.T) {
	if testing.Short() {
		t.Skip("calibrates in a measurement process")
	}
	root := filepath.Join(t.TempDir(), "results")
	args := append([]string{"run", "-dry-run", "-assume-cpus", "128", "-assume-smt", "2", "-n", "2000", "-o", root}, makeBenchFlags(t)...)
	status, stdout, stderr := runParbench(t, args...)
	if status != 0 {
		t.Fatalf("exit status %d, stderr %s", status, stderr)
	}
	if stderr != "" {
		t.Errorf("stderr %q, want nothing", stderr)
	}
	for _, want := range []string{
		"machine:      128 CPUs on 64 physical cores (SMT 2), assumed (-assume-cpus 128 -assume-smt 2)",
		"costs:        on this machine: a serial batch of 128 jobs on 1 pinned core took ", // the cpu preset's jobs
		"; procpool start-up ",
		"core counts:  1 2 3 4 6 8 12 16 24 32 48 64 96 128 (14; SMT boundary 64)",
		"timelines:    at 1 64 128 cores (-timeline-cpu auto)",
		"profiles:     at 1 64 128 cores (-profile-cpu auto), 500ms of CPU each",
		// One process per core count for the whole sweep; 84 warm-ups (70
		// configurations and 14 ceiling rows), 2 calibrations of 3 meter
		// rounds (128 CPUs take 1.28s a round), and the 6 rounds a
		// precision target starts with, of 84 pairs of a batch and a half.
		"\n     sweep              70         14       1098 ",
		// In the sweep's processes, one batch each.
		"\n  timeline              15          0         15 ",
		"\n   profile              15         15 ",
		"\n    report              70          -  22 charts ",
		"\n     total ",
		"files (113) in <root>/<UTC timestamp>-<host>/:", // with summary.md and report-files.txt
		"precision budget: -precision 3% -budget 4m0s over 84 timed configurations",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("the dry run made %s (%v), want nothing written", root, err)
	}
}

// TestDryRunBudget checks the seam for the paired sweep's -precision and
// -budget: with flags of those names in the flag set, the dry run divides
// the budget; without them it says so.
func TestDryRunBudget(t *testing.T) {
	bench := makeBenchFlags(t)
	plan := func(t *testing.T, args ...string) (string, error) {
		t.Helper()
		var f runFlags
		fs := newRunFlagSet(new(bytes.Buffer), &f)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		fs.Visit(func(fl *flag.Flag) {
			f.countSet = f.countSet || fl.Name == "count"
			f.precisionSet = f.precisionSet || fl.Name == "precision"
		})
		c, err := parseRunConfigOn(f, harness.Topology{CPUs: 2, Cores: 2})
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err = printBudget(&out, fs, c, bigMachineCosts)
		return out.String(), err
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"make bench", bench, []string{
			// 5 strategies at 1 and 2 cores, and the ceiling at each.
			"precision budget: -precision 3% -budget 4m0s over 12 timed configurations",
			"extra rounds (worst case)", "at ±5% per pair",
			"17 rounds", // (1.96 * 1.2533 * 5% / 3%)^2 = 16.7
		}},
		{"a budget of its own", append(slices.Clone(bench), "-precision", "2%", "-budget", "10m"), []string{"-precision 2% -budget 10m0s"}},
		{"a fixed count", []string{"-strategy", "serial,pool", "-count", "10"}, []string{"precision budget: none set (-precision and -budget); the sweep runs -count 10 fixed rounds"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := plan(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("got:\n%s\nwant %q", got, w)
				}
			}
		})
	}
}

// makeBenchFlags are the flags make bench gives parbench run: its
// strategies, as the Makefile names them in BENCH_STRATEGIES, and its
// BENCHFLAGS.
func makeBenchFlags(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	var strats string
	var flags []string
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "BENCH_STRATEGIES :="); ok {
			strats = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "BENCHFLAGS ?="); ok {
			flags = strings.Fields(v)
		}
	}
	if strats == "" || flags == nil {
		t.Fatal("Makefile: no BENCH_STRATEGIES or BENCHFLAGS")
	}
	return append([]string{"-strategy", strats}, flags...)
}
