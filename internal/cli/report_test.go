package cli

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/internal/golden"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
)

// copyRun copies the run folder report/testdata/<name> into dir and returns
// the copy's path, so that reports are written into a temporary folder.
func copyRun(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", name, "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, name)
	if err := os.MkdirAll(run, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(run, "bench.txt"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return run
}

// lastLine is the last line of s, without its newline.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestReportBadInput(t *testing.T) {
	tests := []struct {
		name   string
		args   func(dir string) []string
		status int
		want   string // in the one line on stderr
	}{
		{"no folders", func(string) []string { return nil }, exitUsage, "report: no run folders given"},
		{"unknown flag", func(string) []string { return []string{"-bogus"} }, exitUsage, "flag provided but not defined: -bogus"},
		{"missing folder", func(dir string) []string { return []string{filepath.Join(dir, "nope")} }, exitUsage,
			"nope: no such file or folder"},
		{"folder without bench.txt", func(dir string) []string {
			empty := filepath.Join(dir, "empty")
			_ = os.Mkdir(empty, 0o755)
			return []string{empty}
		}, exitUsage, "empty: no bench.txt in this folder"},
		{"one good, one missing", func(dir string) []string {
			return []string{copyRun(t, dir, "hostA"), filepath.Join(dir, "hostC")}
		}, exitUsage, "hostC: no such file or folder"},
		{"flag after the folders", func(dir string) []string {
			return []string{copyRun(t, dir, "hostA"), "-format", "svg"}
		}, exitUsage, "report: flag -format after the run folders: flags go first"},
		{"same folder twice", func(dir string) []string {
			a := copyRun(t, dir, "hostA")
			return []string{a, a + "/"}
		}, exitUsage, "given twice"},
		{"a run folder that changes its workload", func(dir string) []string {
			run := filepath.Join(dir, "run")
			_ = os.Mkdir(run, 0o755)
			_ = os.WriteFile(filepath.Join(run, "bench.txt"), []byte("n: 10\nBenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nn: 20\nBenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\n"), 0o644)
			return []string{copyRun(t, dir, "other-workload"), run}
		}, 1, "report: results of different workloads, not comparable: n 10 ("},
		{"empty bench.txt", func(dir string) []string {
			run := filepath.Join(dir, "run")
			_ = os.Mkdir(run, 0o755)
			_ = os.WriteFile(filepath.Join(run, "bench.txt"), nil, 0o644)
			return []string{run}
		}, 1, "report: no parbench results in "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"report", "-benchstat", ""}, tt.args(dir)...)
			status, stdout, stderr := runParbench(t, args...)
			if status != tt.status {
				t.Errorf("exit status %d, want %d", status, tt.status)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			checkOneErrorLine(t, stderr, tt.want)
			filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err == nil && strings.HasPrefix(d.Name(), "summary") {
					t.Errorf("bad input wrote %s", path)
				}
				return nil
			})
		})
	}
}

func TestReportOneRun(t *testing.T) {
	t.Parallel() // reads and writes its own folders only: runs beside the other report tests, after the sweeps
	run := copyRun(t, t.TempDir(), "one-machine")
	status, stdout, stderr := runParbench(t, "report", "-benchstat", "", run)
	if status != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", status, stderr)
	}
	text, err := os.ReadFile(filepath.Join(run, runfiles.SummaryText))
	if err != nil {
		t.Fatal(err)
	}
	body, _, _ := strings.Cut(string(text), "\nWarnings:\n")
	if stdout != body {
		t.Errorf("stdout is not summary.txt without its warnings:\n%s", stdout)
	}
	for _, name := range []string{runfiles.SummaryCSV, runfiles.SummaryJSON} {
		if fi, err := os.Stat(filepath.Join(run, name)); err != nil || fi.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(run, runfiles.BenchstatText)); err == nil {
		t.Errorf("%s written with -benchstat \"\"", runfiles.BenchstatText)
	}
	if !strings.Contains(stderr, "parbench: warning: alpha: USL fits need at least 6 core counts") {
		t.Errorf("stderr does not warn that USL was not fitted:\n%s", stderr)
	}
	// A run folder written before pairs carried their loss evidence has
	// no losses, so no efficiency-loss chart.
	charts := []string{"speedup.png", "efficiency.png", "time.png", "throughput.png"}
	for _, name := range charts {
		if _, err := os.Stat(filepath.Join(run, name)); err != nil {
			t.Errorf("chart %s not written: %v", name, err)
		}
	}
	if want := "parbench: wrote summary.txt, summary.md, summary.csv, summary.json, " + strings.Join(charts, ", ") + ", report.html in " + run; lastLine(stderr) != want {
		t.Errorf("last line of stderr %q, want %q", lastLine(stderr), want)
	}
	entries, _ := os.ReadDir(run)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestReportCorruptInput(t *testing.T) {
	t.Parallel() // reads and writes its own folders only: runs beside the other report tests, after the sweeps
	run := copyRun(t, t.TempDir(), "corrupt")
	status, stdout, stderr := runParbench(t, "report", "-benchstat", "", run)
	if status != 1 {
		t.Errorf("exit status %d, want 1", status)
	}
	for _, want := range []string{
		"parbench: warning: " + filepath.Join(run, "bench.txt") + ":29: missing units\n",
		"parbench: warning: " + filepath.Join(run, "bench.txt") + ":62: last line is incomplete (file truncated?)\n",
		"parbench: warning: delta: the run was interrupted: results are partial\n",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if want := "parbench: report: 3 unreadable lines in the input (listed above); the report covers the rest"; lastLine(stderr) != want {
		t.Errorf("last line of stderr %q, want %q", lastLine(stderr), want)
	}
	if !strings.Contains(stdout, "pool          2        2  6") {
		t.Errorf("the readable samples are not reported:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(run, runfiles.SummaryText)); err != nil {
		t.Errorf("no summary for the readable rest: %v", err)
	}
}

func TestReportSeveralMachines(t *testing.T) {
	t.Parallel() // reads and writes its own folders only: runs beside the other report tests, after the sweeps
	results := filepath.Join(t.TempDir(), "results")
	a, b := copyRun(t, results, "hostA"), copyRun(t, results, "hostB")
	t.Run("default folder", func(t *testing.T) {
		status, stdout, stderr := runParbench(t, "report", "-benchstat", "", a, b)
		if status != 0 {
			t.Fatalf("exit status %d, stderr:\n%s", status, stderr)
		}
		reports, _ := filepath.Glob(filepath.Join(results, "report-*", runfiles.SummaryText))
		if len(reports) != 1 {
			t.Fatalf("summaries %v, want one in a new report-* folder beside the runs", reports)
		}
		if last := lastLine(stderr); !strings.HasPrefix(last, "parbench: wrote summary.txt, summary.md, summary.csv, summary.json, ") ||
			!strings.Contains(last, " in "+filepath.Join(results, "report-")) {
			t.Errorf("stderr does not say where the report went: %q", lastLine(stderr))
		}
		for _, want := range []string{"machine  strategy", "\nalpha    pool          2", "\nbeta     pool          2"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, stdout)
			}
		}
		for _, run := range []string{a, b} {
			if _, err := os.Stat(filepath.Join(run, runfiles.SummaryText)); err == nil {
				t.Errorf("a report of several runs wrote into the run folder %s", run)
			}
		}
	})
	t.Run("-o", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "paper", "tables")
		if status, _, stderr := runParbench(t, "report", "-benchstat", "", "-o", out, a, b); status != 0 {
			t.Fatalf("exit status %d, stderr:\n%s", status, stderr)
		}
		if _, err := os.Stat(filepath.Join(out, runfiles.SummaryJSON)); err != nil {
			t.Error(err)
		}
		page, err := os.ReadFile(filepath.Join(out, runfiles.ReportHTML))
		if err != nil {
			t.Fatal(err)
		}
		// Both machines, their charts, and links that reach each run's
		// bench.txt from the report folder.
		for _, want := range []string{"<th>alpha</th><th>beta</th>", `<img class="chart" src="data:image/svg&#43;xml;base64,`} {
			if !strings.Contains(string(page), want) {
				t.Errorf("%s lacks %q", runfiles.ReportHTML, want)
			}
		}
		for _, run := range []string{a, b} {
			rel, _ := filepath.Rel(out, filepath.Join(run, "bench.txt"))
			if !strings.Contains(string(page), `href="`+filepath.ToSlash(rel)+`"`) {
				t.Errorf("%s does not link %s as %s", runfiles.ReportHTML, run, rel)
			}
		}
	})
}

func TestReportBenchstat(t *testing.T) {
	t.Parallel() // reads and writes its own folders only: runs beside the other report tests, after the sweeps
	if testing.Short() {
		t.Skip("builds and runs go tool benchstat")
	}
	results := t.TempDir()
	a, b := copyRun(t, results, "hostA"), copyRun(t, results, "hostB")
	out := filepath.Join(results, "out")
	status, _, stderr := runParbench(t, "report", "-o", out, a, b)
	if status != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", status, stderr)
	}
	text, err := os.ReadFile(filepath.Join(out, runfiles.BenchstatText))
	if err != nil {
		t.Fatalf("%v; stderr:\n%s", err, stderr)
	}
	for _, want := range []string{
		"# Strategies side by side at each core count\n# go tool benchstat -col '/strategy@(serial perjob pool)'",
		"# Each strategy across core counts",
		"# Machines side by side",
		"vs base",
		"host: beta",
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("benchstat.txt lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("benchstat.txt:\n%s", text)
	}
}

func TestReportBenchstatUnavailable(t *testing.T) {
	t.Parallel() // reads and writes its own folders only: runs beside the other report tests, after the sweeps
	run := copyRun(t, t.TempDir(), "one-machine")
	status, _, stderr := runParbench(t, "report", "-benchstat", filepath.Join(t.TempDir(), "no-benchstat"), run)
	if status != 0 {
		t.Errorf("exit status %d, want 0: benchstat is optional", status)
	}
	if !strings.Contains(stderr, "parbench: warning: benchstat.txt skipped: ") {
		t.Errorf("stderr does not say benchstat.txt was skipped:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(run, runfiles.BenchstatText)); err == nil {
		t.Errorf("%s written without benchstat", runfiles.BenchstatText)
	}
}

func TestReportHelp(t *testing.T) {
	status, stdout, stderr := runParbench(t, "report", "-h")
	if status != 0 || stderr != "" {
		t.Errorf("exit status %d, stderr %q, want 0 and nothing", status, stderr)
	}
	golden.Check(t, filepath.Join("testdata", "report-usage.golden"), []byte(stdout))
}

func TestDefaultReportDir(t *testing.T) {
	root := t.TempDir()
	now := time.Date(2026, 11, 25, 16, 0, 0, 0, time.UTC)
	runA, runB := filepath.Join(root, "results", "a"), filepath.Join(root, "results", "b")
	fileA, fileB := filepath.Join(root, "gt", "a.txt"), filepath.Join(root, "gt", "b.txt")
	tests := []struct {
		name   string
		inputs []report.Input
		want   string
	}{
		{"one run: its own folder", []report.Input{{Path: filepath.Join(runA, "bench.txt"), Dir: runA}}, runA},
		{"runs: beside the first", []report.Input{
			{Path: filepath.Join(runA, "bench.txt"), Dir: runA},
			{Path: filepath.Join(runB, "bench.txt"), Dir: runB},
		}, filepath.Join(root, "results", "report-20261125T160000Z")},
		{"files: a new folder under results", []report.Input{
			{Path: fileA, Dir: filepath.Dir(fileA)},
			{Path: fileB, Dir: filepath.Dir(fileB)},
		}, filepath.Join("results", "report-20261125T160000Z")},
		{"one file: a new folder under results, not beside it", []report.Input{
			{Path: fileA, Dir: filepath.Dir(fileA)},
		}, filepath.Join("results", "report-20261125T160000Z")},
		{"one bench.txt: its run folder", []report.Input{
			{Path: filepath.Join(runA, "bench.txt"), Dir: runA},
		}, runA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr strings.Builder
			if got := defaultReportDir(&stderr, tt.inputs, now); got != tt.want || stderr.Len() > 0 {
				t.Errorf("defaultReportDir = %s, said %q; want %s, nothing said", got, stderr.String(), tt.want)
			}
		})
	}
	// A second report in the same second gets a folder of its own.
	taken := filepath.Join(root, "results", "report-20261125T160000Z")
	if err := os.MkdirAll(taken, 0o755); err != nil {
		t.Fatal(err)
	}
	got := defaultReportDir(io.Discard, tests[1].inputs, now)
	if want := taken + "-2"; got != want {
		t.Errorf("with %s taken: defaultReportDir = %s, want %s", taken, got, want)
	}
	// A run folder with a summary that no report wrote gets its report in
	// a folder of its own inside it, and says so.
	if err := os.WriteFile(filepath.Join(runA, runfiles.SummaryMarkdown), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	got = defaultReportDir(&stderr, tests[0].inputs, now)
	if want := filepath.Join(runA, "report-20261125T160000Z"); got != want || !strings.Contains(stderr.String(), "has a summary.md that parbench report did not record writing") {
		t.Errorf("with a foreign summary.md: defaultReportDir = %s, said %q; want %s, and why", got, stderr.String(), want)
	}
}

// TestReportTwoWorkloads reports run folders of two workloads together:
// one report, a section per workload, each with its own machines and
// charts, and the table across them; every file says which workload a
// row is.
func TestReportTwoWorkloads(t *testing.T) {
	t.Parallel() // reads and writes its own folders only: runs beside the other report tests, after the sweeps
	results := filepath.Join(t.TempDir(), "results")
	a, other, b := copyRun(t, results, "hostA"), copyRun(t, results, "other-workload"), copyRun(t, results, "hostB")
	out := filepath.Join(t.TempDir(), "both")
	status, stdout, stderr := runParbench(t, "report", "-benchstat", "", "-format", "svg", "-o", out, a, other, b)
	if status != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", status, stderr)
	}
	if want := "parbench: these results hold 2 workloads (n=500000, n=100000): a section each, nothing compared across them\n"; !strings.HasPrefix(stderr, want) {
		t.Errorf("stderr does not start with %q:\n%s", want, stderr)
	}
	if !strings.Contains(stderr, "parbench: warning: n=100000: gamma: ") {
		t.Errorf("warnings do not name their workload:\n%s", stderr)
	}
	text, err := os.ReadFile(filepath.Join(out, runfiles.SummaryText))
	if err != nil {
		t.Fatal(err)
	}
	body, _, _ := strings.Cut(string(text), "\nWarnings:\n")
	if !strings.HasPrefix(stdout, body) {
		t.Errorf("stdout does not start as summary.txt does:\n%s", stdout)
	}
	first, second, found := strings.Cut(string(text), "\n== n=100000 ==\n")
	if !found || !strings.Contains(first, "\n== n=500000 ==\n") {
		t.Fatalf("summary.txt lacks a section per workload:\n%s", text)
	}
	if !strings.Contains(first, "\nbeta     pool          8") || strings.Contains(second, "alpha") || !strings.Contains(second, "gamma: ") {
		t.Errorf("a section holds another workload's machines:\n%s", text)
	}
	if !strings.Contains(first, "gamma    pool      n=100000") {
		t.Errorf("the across table lacks pool in n=100000:\n%s", first)
	}

	var doc struct {
		Workloads []struct{ Label string } `json:"workloads"`
	}
	data, err := os.ReadFile(filepath.Join(out, runfiles.SummaryJSON))
	if err == nil {
		err = json.Unmarshal(data, &doc)
	}
	if err != nil || len(doc.Workloads) != 2 || doc.Workloads[0].Label != "n=500000" || doc.Workloads[1].Label != "n=100000" {
		t.Errorf("summary.json workloads %+v (%v), want n=500000 and n=100000", doc.Workloads, err)
	}
	csvText, err := os.ReadFile(filepath.Join(out, runfiles.SummaryCSV))
	if err != nil || !strings.HasPrefix(string(csvText), "workload,machine,") || !strings.Contains(string(csvText), "\nn=100000,gamma,") {
		t.Errorf("summary.csv does not name each row's workload (%v):\n%.300s", err, csvText)
	}
	for _, chart := range []string{"n_500000-speedup.svg", "n_100000-speedup.svg", "n_500000-efficiency.svg", "n_100000-time.svg"} {
		if _, err := os.Stat(filepath.Join(out, chart)); err != nil {
			t.Errorf("chart %s: %v", chart, err)
		}
	}
	page, err := os.ReadFile(filepath.Join(out, runfiles.ReportHTML))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<section id="across">`, `id="n_500000-summary"`, `id="n_100000-summary"`, `id="chart-n_100000-speedup"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("%s lacks %s", runfiles.ReportHTML, want)
		}
	}
}

// TestReportRebuildsArrivalBound: a run of a workload with a sleep writes
// arrival-bound.txt as part of its report, from the calibration meter's
// lines in bench.txt, so that parbench report of the run folder writes
// the same file again.
func TestReportRebuildsArrivalBound(t *testing.T) {
	t.Parallel() // reads and writes its own folders only: runs beside the other report tests, after the sweeps
	root := filepath.Join(t.TempDir(), "results")
	status, stdout, stderr := runParbench(t, "run", "-cpu", "1", "-count", "2", "-jobs", "4", "-n", "1000", "-sleep", "1ms",
		"-strategy", "serial", "-benchstat", "", "-format", "svg", "-o", root)
	if status != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s", status, stderr)
	}
	dir := latestRun(t, root)
	folder := runfiles.Folder{Dir: dir}
	first, err := os.ReadFile(folder.Path(runfiles.ArrivalBoundFile))
	if err != nil {
		t.Fatalf("run wrote no %s: %v", runfiles.ArrivalBoundFile, err)
	}
	if !strings.HasPrefix(string(first), "Arrival-schedule lower bound: ") || !strings.Contains(string(first), "median of the calibration meter's") {
		t.Errorf("%s:\n%s\nwant the bound, its compute from the calibration meter", runfiles.ArrivalBoundFile, first)
	}
	if !strings.Contains(stdout, string(first)) {
		t.Errorf("stdout lacks the arrival bound:\n%s", stdout)
	}
	manifest, _ := os.ReadFile(folder.Path(runfiles.ReportManifest))
	for _, name := range []string{runfiles.ArrivalBoundFile, runfiles.SummaryMarkdown} {
		if !strings.Contains(string(manifest), name+"\n") {
			t.Errorf("%s lacks %s:\n%s", runfiles.ReportManifest, name, manifest)
		}
	}
	if err := os.Remove(folder.Path(runfiles.ArrivalBoundFile)); err != nil {
		t.Fatal(err)
	}
	status, _, stderr = runParbench(t, "report", "-benchstat", "", "-format", "svg", dir)
	if status != 0 {
		t.Fatalf("report: exit status %d, want 0; stderr:\n%s", status, stderr)
	}
	again, err := os.ReadFile(folder.Path(runfiles.ArrivalBoundFile))
	if err != nil || string(again) != string(first) {
		t.Errorf("parbench report wrote %s:\n%s\n(%v); want what the run wrote:\n%s", runfiles.ArrivalBoundFile, again, err, first)
	}
}
