package cli

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/internal/golden"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// runParbench runs the command in this process, as main does.
func runParbench(t *testing.T, args ...string) (status int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	status = parbench(&out, &errOut, args)
	return status, out.String(), errOut.String()
}

func TestRunBadInput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string // in the one line on stderr
	}{
		{"unknown strategy", []string{"-strategy", "serial,nope"}, `-strategy: unknown strategy "nope"`},
		{"no strategy", []string{"-strategy", ","}, "-strategy: none given"},
		{"cpu 0", []string{"-cpu", "0"}, "-cpu 0: want 1.."},
		{"cpu negative", []string{"-cpu", "-1"}, `-cpu "-1": "-1" is not a number`},
		{"cpu above the machine", []string{"-cpu", "999"}, "-cpu 999: want 1.."},
		{"cpu not a number", []string{"-cpu", "1,x"}, `-cpu "1,x": "x" is not a number`},
		{"cpu backwards range", []string{"-cpu", "2-1"}, `-cpu "2-1": "2-1" is not a range`},
		{"cpu huge range", []string{"-cpu", "9223372036854775806-9223372036854775807"}, `-cpu "9223372036854775806-9223372036854775807": "9223372036854775806-9223372036854775807" is too large`},
		{"cpu missing value", []string{"-cpu"}, "flag needs an argument: -cpu"},
		{"count 0", []string{"-count", "0"}, "-count 0: want at least 1"},
		{"count and precision", []string{"-count", "8", "-precision", "2%"}, "-precision 2% with -count 8: -count runs exactly that many rounds"},
		{"precision not a number", []string{"-precision", "tight"}, `-precision "tight": want a percentage like 3% or a fraction like 0.03`},
		{"precision 100%", []string{"-precision", "100%"}, `-precision "100%": want a half-width between 0% and 100%`},
		{"budget 0", []string{"-budget", "0s"}, "-budget 0s: want a positive duration"},
		{"count not a number", []string{"-count", "x"}, `invalid value "x" for flag -count`},
		{"warmup negative", []string{"-warmup", "-1"}, "-warmup -1: want 0 or more"},
		{"jobs 0", []string{"-jobs", "0"}, "-jobs 0: want 1..16777216"},
		{"jobs too many", []string{"-jobs", "99999999999"}, "-jobs 99999999999: want 1..16777216"},
		{"profiletime 0", []string{"-profiletime", "0s"}, "-profiletime 0s: want a positive duration"},
		{"n 0", []string{"-n", "0"}, "-n 0: want at least 1"},
		{"sleep negative", []string{"-sleep", "-1s"}, "-sleep -1s: want 0 or more"},
		{"sleep not a duration", []string{"-sleep", "2"}, `invalid value "2" for flag -sleep`},
		{"gap negative", []string{"-gap", "-1s"}, "-gap -1s: want 0 or more"},
		{"workers 0", []string{"-workers", "0"}, "-workers 0: want at least 1"},
		{"workers in a list 0", []string{"-workers", "1,0"}, "-workers 0: want at least 1"},
		{"workers cores-x", []string{"-workers", "cores-x"}, `-workers "cores-x": want cores, cores-<d> or a comma list`},
		{"workers cores+1", []string{"-workers", "cores+1"}, `-workers "cores+1"`},
		{"workers cores-x in a list", []string{"-workers", "cores-1,cores-x"}, `-workers "cores-1,cores-x": want cores`},
		{"workers bad count beside cores-1", []string{"-workers", "cores-1,x"}, `-workers "cores-1,x"`},
		{"unknown flag", []string{"-bogus"}, "flag provided but not defined: -bogus"},
		{"extra argument", []string{"-cpu", "1", "extra"}, `unexpected argument "extra"`},
		{"unknown preset", []string{"-preset", "nope"}, `-preset "nope"`},
		{"profiletime negative", []string{"-profiletime", "-1s"}, "-profiletime -1s"},
		{"count a typo", []string{"-jobs", "32", "-count", "100000000", "-cpu", "1,2"}, "-count 100000000: want at most 10000"},
		{"warmup a typo", []string{"-warmup", "100000000"}, "-warmup 100000000: want at most 1000"},
		{"n a typo", []string{"-n", "9223372036854775807"}, "-n 9223372036854775807: jobs x n is more than"},
		{"jobs x n", []string{"-jobs", "1000000", "-n", "10000000"}, "-n 10000000: jobs x n is more than"},
		{"workers huge", []string{"-workers", "1000000"}, "-workers 1000000: want at most 4096"},
		{"profiletime huge", []string{"-profiletime", "1000h"}, "-profiletime 1000h0m0s: want at most 10m0s"},
		{"sleep x jobs", []string{"-jobs", "1024", "-sleep", "1h"}, "-sleep 1h0m0s: jobs x sleep"},
		{"gap x jobs", []string{"-jobs", "1024", "-gap", "1h"}, "-gap 1h0m0s: the last of 1024 jobs"},
		{"cpu empty", []string{"-cpu", ""}, `-cpu "": no core counts given`},
		{"cpu only commas", []string{"-cpu", ","}, `-cpu ",": no core counts given`},
		{"workers empty", []string{"-workers", ""}, `-workers "": "" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkRunRefuses(t, tt.args, tt.want) })
	}
}

// checkOneErrorLine checks that stderr is one "parbench: " line holding
// want.
func checkOneErrorLine(t *testing.T, stderr, want string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !strings.HasPrefix(stderr, "parbench: ") {
		t.Errorf("stderr:\n%s\nwant one line starting with \"parbench: \"", stderr)
	}
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr %q, want it to contain %q", stderr, want)
	}
}

func TestUnknownCommand(t *testing.T) {
	status, stdout, stderr := runParbench(t, "rnu")
	if status != exitUsage || stdout != "" {
		t.Errorf("got status %d, stdout %q, want %d and nothing", status, stdout, exitUsage)
	}
	checkOneErrorLine(t, stderr, `unknown command "rnu"`)
}

func TestRunHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		t.Run(arg, func(t *testing.T) {
			dir := t.TempDir()
			status, stdout, stderr := runParbench(t, "run", "-o", filepath.Join(dir, "results"), arg)
			if status != 0 {
				t.Errorf("exit status %d, want 0", status)
			}
			if stderr != "" {
				t.Errorf("stderr %q, want nothing: the usage asked for goes to stdout", stderr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) > 0 {
				t.Errorf("-h created %s", entries[0].Name())
			}
			if !strings.HasPrefix(stdout, "usage: parbench run [flags]\n") {
				t.Errorf("stdout starts %q, want the usage line", firstLine(stdout))
			}
			for _, name := range strategies.Names() {
				if !strings.Contains(stdout, "\n  "+name+" ") {
					t.Errorf("usage does not list strategy %s", name)
				}
			}
			var f runFlags
			newRunFlagSet(new(bytes.Buffer), &f).VisitAll(func(fl *flag.Flag) {
				if !strings.Contains(stdout, "\n  -"+fl.Name+" ") && !strings.Contains(stdout, "\n  -"+fl.Name+"\n") {
					t.Errorf("usage does not list flag -%s", fl.Name)
				}
			})
			if arg == "-h" {
				golden.Check(t, filepath.Join("testdata", "run-usage.golden"), []byte(usageWithoutRegistry(stdout)))
			}
		})
	}
}

// usageWithoutRegistry puts placeholders where the usage text lists the
// registered strategies, so that adding a strategy leaves the golden file
// as it is; TestRunHelp checks that every strategy is listed.
func usageWithoutRegistry(usage string) string {
	usage = strings.Replace(usage, strategyList(), "  <strategies.Names(), each with its Doc>\n", 1)
	return strings.Replace(usage, `(default "`+strings.Join(strategies.Names(), ",")+`")`,
		`(default "<strategies.Names(), joined by commas>")`, 1)
}

func TestTopLevelUsage(t *testing.T) {
	status, stdout, stderr := runParbench(t, "help")
	if status != 0 || stderr != "" || !strings.Contains(stdout, "parbench run [flags]") {
		t.Errorf("help: got status %d, stdout %q, stderr %q; want 0, the usage, nothing", status, stdout, stderr)
	}
	status, stdout, stderr = runParbench(t)
	if status != exitUsage || stdout != "" || !strings.Contains(stderr, "parbench run [flags]") {
		t.Errorf("no arguments: got status %d, stdout %q, stderr %q; want %d, nothing, the usage", status, stdout, stderr, exitUsage)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func TestRunTiny(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	status, _, stderr := runParbench(t, "run", "-cpu", "1", "-count", "2", "-jobs", "4", "-n", "1000",
		"-strategy", "serial,pool", "-o", root)
	if status != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s", status, stderr)
	}
	dir := latestRun(t, root)

	text, err := os.ReadFile(filepath.Join(dir, "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	all := readBench(t, text)
	// Two rounds of serial, pool and the ceiling, each paired with a
	// baseline half whose share on the one CPU is a meter line, and the
	// calibration meter at both ends.
	var results []*benchfmt.Result
	calibration, meter := 0, 0
	for _, r := range all {
		switch name := r.Name.String(); {
		case strings.HasPrefix(name, "CPUSpeed/source=calibration/cpu=0-1"):
			calibration++
			continue
		case strings.HasPrefix(name, "CPUSpeed/source=baseline/cpu=0-1"):
			meter++
			continue
		}
		results = append(results, r)
		if _, ok := r.Value("baseline-sec/op"); !ok {
			t.Errorf("%s: no baseline-ns/op: not paired", r.Name)
		}
	}
	if len(results) != 6 || calibration < 2*harness.MinCalibrationRounds || meter != 6 {
		t.Errorf("bench.txt has %d samples, %d calibration and %d baseline meter lines; want 6, at least %d and 6:\n%s",
			len(results), calibration, meter, 2*harness.MinCalibrationRounds, text)
	}
	names := map[string]int{}
	for _, r := range results {
		names[r.Name.String()]++
		if got := r.GetConfig(runfiles.KeyPartial); got != "" {
			t.Errorf("%s: %s is %q, want no mark on a complete run", r.Name, runfiles.KeyPartial, got)
		}
		if e := r.GetConfig("cores-enforcement"); e != "affinity+gomaxprocs" && !strings.HasPrefix(e, "gomaxprocs") {
			t.Errorf("%s: cores-enforcement is %q, want affinity+gomaxprocs or gomaxprocs with a reason", r.Name, e)
		}
		for key, want := range map[string]string{"jobs": "4", "n": "1000", "preset": "cpu"} {
			if got := r.GetConfig(key); got != want {
				t.Errorf("%s: config %s is %q, want %q", r.Name, key, got, want)
			}
		}
	}
	for _, name := range []string{"XORSum/strategy=serial/workers=1-1", "XORSum/strategy=pool/workers=1-1", "XORSum/strategy=ceiling/workers=1-1"} {
		if names[name] != 2 {
			t.Errorf("%s: %d samples, want 2 (got %v)", name, names[name], names)
		}
	}
	if strings.Contains(string(text), "partial: true") {
		t.Errorf("bench.txt of a complete run is marked partial:\n%s", text)
	}

	for _, s := range []string{"serial", "pool"} {
		path := filepath.Join(dir, "timeline-"+s+"-1.csv")
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			continue
		}
		tl, err := runfiles.ReadTimelineCSV(f, path)
		f.Close()
		if err != nil {
			t.Error(err)
			continue
		}
		var jobs []int64
		for _, j := range tl.Jobs {
			jobs = append(jobs, j.Job)
		}
		slices.Sort(jobs)
		if want := []int64{0, 1, 2, 3}; !slices.Equal(jobs, want) || tl.Strategy != s || tl.Cores != 1 {
			t.Errorf("%s: %s/%d/%d with jobs %v, want %s at 1 core with jobs %v", path, tl.Strategy, tl.Cores, tl.Workers, jobs, s, want)
		}
	}
	checkNoTempFiles(t, dir)
	if want := fmt.Sprintf("parbench: 6 samples in %s (6 timed, %d calibration rounds)\n", filepath.Join(dir, "bench.txt"), calibration); !strings.Contains(stderr, want) {
		t.Errorf("stderr:\n%s\nwant a line %q", stderr, want)
	}
}

// latestRun checks that root holds one run folder and the latest link to
// it, and returns the folder.
func latestRun(t *testing.T, root string) string {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, e := range entries {
		if e.Name() != "latest" {
			runs = append(runs, e.Name())
		}
	}
	if len(runs) != 1 {
		t.Fatalf("%s holds runs %v, want one", root, runs)
	}
	target, err := os.Readlink(filepath.Join(root, "latest"))
	if err != nil {
		t.Fatalf("latest: %v", err)
	}
	if target != runs[0] {
		t.Errorf("latest points at %q, want %q", target, runs[0])
	}
	return filepath.Join(root, runs[0])
}

// checkNoTempFiles fails if a temporary file was left in dir.
func checkNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || strings.Contains(e.Name(), ".tmp") {
			t.Errorf("%s: temporary file %s left behind", dir, e.Name())
		}
	}
}

// readBench reads a bench.txt as benchstat does and returns its results;
// every syntax error fails the test.
func readBench(t *testing.T, text []byte) []*benchfmt.Result {
	t.Helper()
	var rs []*benchfmt.Result
	r := benchfmt.NewReader(bytes.NewReader(text), "bench.txt")
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		case *benchfmt.Result:
			rs = append(rs, rec.Clone())
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestParseIntList(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr string
	}{
		{in: "1", want: []int{1}},
		{in: "1,2,4", want: []int{1, 2, 4}},
		{in: "1-4", want: []int{1, 2, 3, 4}},
		{in: " 1 , 3-4 ", want: []int{1, 3, 4}},
		{in: "4,1-4,2", want: []int{4, 1, 2, 3}},
		{in: "0", want: []int{0}}, // Validate rejects it, with the setting's name
		{in: "", wantErr: `"" is not a number`},
		{in: "x", wantErr: `"x" is not a number`},
		{in: "1,", wantErr: `"" is not a number`},
		{in: "-1", wantErr: `"-1" is not a number`},
		{in: "3-1", wantErr: `"3-1" is not a range`},
		{in: "1-x", wantErr: `"1-x" is not a range`},
		{in: "1-10000", wantErr: "too long a range"},
		{in: "2000000", wantErr: "too large"},
		{in: "9223372036854775806-9223372036854775807", wantErr: "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseIntList(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got %v, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestParseRunConfigWorkers(t *testing.T) {
	tests := []struct {
		workers   string
		wantList  []int
		wantDelta int
		wantRel   []int
	}{
		{"cores", nil, 0, nil},
		{"cores-1", nil, -1, nil},
		{" cores - 2 ", nil, -2, nil},
		{"1,2,64", []int{1, 2, 64}, 0, nil},
		{"cores-1,11", []int{11}, 0, []int{-1}},
		{"11,cores-1,cores", []int{11}, 0, []int{-1, 0}},
		{"cores-1,cores-2", nil, 0, []int{-1, -2}},
	}
	for _, tt := range tests {
		t.Run(tt.workers, func(t *testing.T) {
			f := runFlags{cpu: "1", count: 1, strategy: "serial", workers: tt.workers, jobs: 1, n: 1, profileTime: harness.DefaultProfileTime}
			c, err := parseRunConfig(f, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(c.Workers, tt.wantList) || c.WorkersDelta != tt.wantDelta || !slices.Equal(c.WorkersRel, tt.wantRel) {
				t.Errorf("got workers %v, delta %d, relative %v; want %v, %d, %v", c.Workers, c.WorkersDelta, c.WorkersRel, tt.wantList, tt.wantDelta, tt.wantRel)
			}
		})
	}
}

func TestNewRunDirNeverReusesAFolder(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	now := time.Date(2026, 11, 25, 15, 4, 5, 0, time.UTC)
	var dirs []string
	for range 3 {
		dir, err := newRunDir(root, now)
		if err != nil {
			t.Fatal(err)
		}
		linkLatest(root, dir)
		dirs = append(dirs, dir)
	}
	host, _ := os.Hostname()
	base := filepath.Join(root, "20261125T150405Z-"+strings.NewReplacer("/", "_", " ", "_").Replace(host))
	if want := []string{base, base + "-2", base + "-3"}; !slices.Equal(dirs, want) {
		t.Errorf("got folders %v, want %v", dirs, want)
	}
	if target, err := os.Readlink(filepath.Join(root, "latest")); err != nil || target != filepath.Base(dirs[2]) {
		t.Errorf("latest points at %q (%v), want %q", target, err, filepath.Base(dirs[2]))
	}
}

func TestLinkLatestLeavesOtherFilesAlone(t *testing.T) {
	root := t.TempDir()
	latest := filepath.Join(root, "latest")
	if err := os.WriteFile(latest, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, err := newRunDir(root, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	linkLatest(root, dir)
	if b, err := os.ReadFile(latest); err != nil || string(b) != "mine" {
		t.Errorf("latest: got %q, %v; want the user's file left as it was", b, err)
	}
	if _, err := os.Stat(dir); err != nil {
		t.Error(err)
	}
}

func TestProgressPrinterPlainLines(t *testing.T) {
	var b bytes.Buffer
	p := newProgressPrinter(&b)
	tr := harness.Trial{Strategy: "pool", Cores: 2, Workers: 2}
	p.update(harness.Progress{Trial: tr, Round: 0, Rounds: 2, Done: 0, Total: 4})                                                                // start: no line
	p.update(harness.Progress{Trial: tr, Round: 0, Rounds: 2, Done: 1, Total: 4, Sampled: true, Elapsed: 3 * time.Second, ETA: 9 * time.Second}) // a line
	p.update(harness.Progress{Trial: tr, Round: -1, Rounds: 2, Done: 4, Total: 4})                                                               // timeline start: a line
	p.finish()
	want := "[1/4] round 1/2 pool cores=2 workers=2                   elapsed 0m03s ETA 0m09s\n" +
		"[4/4] timeline pool cores=2 workers=2                   elapsed 0m00s ETA --\n"
	if got := b.String(); got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestProgressPrinterWorstHalfWidth(t *testing.T) {
	var b bytes.Buffer
	p := newProgressPrinter(&b)
	tr := harness.Trial{Strategy: "pool", Cores: 2, Workers: 2}
	worst := harness.Trial{Strategy: "procpool", Cores: 2, Workers: 2}
	p.update(harness.Progress{Trial: tr, Round: 0, Rounds: 6, Done: 1, Total: 12, Sampled: true, Target: 0.03, Worst: math.NaN()})
	p.update(harness.Progress{Trial: tr, Round: 7, Rounds: 6, Done: 90, Total: 90, Sampled: true, Target: 0.03, Worst: 0.0412, WorstTrial: worst})
	want := "[1/12] round 1/6 pool cores=2 workers=2                   elapsed 0m00s ETA --, target ±3.0%: worst ±--\n" +
		"[90/90] round 8 (extra) pool cores=2 workers=2                   elapsed 0m00s ETA --, target ±3.0%: worst ±4.1% (procpool cores=2 workers=2)\n"
	if got := b.String(); got != want {
		t.Errorf("got:\n%q\nwant:\n%q", got, want)
	}
}

func TestFmtDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0m00s"},
		{1400 * time.Millisecond, "0m01s"},
		{59*time.Second + 600*time.Millisecond, "1m00s"},
		{61 * time.Minute, "1h01m00s"},
		{25*time.Hour + 2*time.Second, "25h00m02s"},
	}
	for _, tt := range tests {
		if got := fmtDuration(tt.d); got != tt.want {
			t.Errorf("fmtDuration(%v): got %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestProgressPrinterDevNullIsNoTerminal(t *testing.T) {
	// /dev/null is a character device, but nothing reads a rewritten line
	// there: it gets the plain lines a log gets.
	f, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if p := newProgressPrinter(f); p.terminal {
		t.Errorf("progress on %s drawn as on a terminal, want plain lines", os.DevNull)
	}
}

// checkRunRefuses runs parbench run with args into a fresh -o folder and
// checks that it is refused as a usage error: exit 2, nothing on stdout,
// one error line containing want, and nothing created.
func checkRunRefuses(t *testing.T, args []string, want string) {
	t.Helper()
	dir := t.TempDir()
	status, stdout, stderr := runParbench(t, append([]string{"run", "-o", filepath.Join(dir, "results")}, args...)...)
	if status != exitUsage {
		t.Errorf("exit status %d, want %d", status, exitUsage)
	}
	if stdout != "" {
		t.Errorf("stdout %q, want nothing", stdout)
	}
	checkOneErrorLine(t, stderr, want)
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("bad input created %s in the -o folder's parent", entries[0].Name())
	}
}
