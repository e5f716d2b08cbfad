package harness

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/internal/golden"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

var benchWorkload = strategies.Workload{Jobs: 8, N: 1000}

// benchHeader is a fixed header: Header itself reads the host and the Go
// version, which a golden file cannot hold.
var benchHeader = [][2]string{
	{"goos", "linux"},
	{"goarch", "amd64"},
	{"cpu", "Test CPU  @ 1.00GHz"},
	{"note", "a value\nover two lines"},
	{"jobs", "8"},
	{"n", "1000"},
	{"cores-enforcement", "affinity+gomaxprocs"},
}

var benchSamples = []Sample{
	{Trial: Trial{Strategy: "serial", Cores: 1, Workers: 1}, Round: 0, Wall: 2 * time.Second, CPU: 2 * time.Second},
	{Trial: Trial{Strategy: "pool", Cores: 2, Workers: 2}, Round: 0, Wall: time.Second, CPU: 1900 * time.Millisecond},
	{Trial: Trial{Strategy: "procpool", Cores: 2, Workers: 4}, Round: 1, Wall: 1250 * time.Millisecond, CPU: 2 * time.Second,
		Startup: 40 * time.Millisecond, Metrics: []strategies.Metric{{Unit: "faults/op", Value: 3}}},
	// A paired sample with its baseline half's two shares, whose meter
	// lines come before it, and the ceiling's two copies: one op of the
	// batch's jobs, with the time at the copies' summed rates.
	{Trial: Trial{Strategy: "pool", Cores: 2, Workers: 2}, Round: 1, Wall: 1100 * time.Millisecond, CPU: 2 * time.Second, Baseline: 2100 * time.Millisecond,
		Elapsed: 71250 * time.Millisecond, Half: []ShareTime{
			{Share: Share{CPU: 0, Jobs: 2}, Wall: 700 * time.Millisecond, CPUTime: 690 * time.Millisecond},
			{Share: Share{CPU: 1, Jobs: 2}, Wall: 350 * time.Millisecond},
		}},
	{Trial: Trial{Strategy: "ceiling", Cores: 2, Workers: 2}, Round: 1, Wall: 1100 * time.Millisecond, CPU: 2 * time.Second, Baseline: 2 * time.Second, Copies: 2,
		CopiesTime: 1000 * time.Millisecond},
}

// writeBenchFile writes samples to a fresh bench.txt and returns its text;
// finish is "complete", "partial" or "" for not finished.
func writeBenchFile(t *testing.T, dir string, samples []Sample, finish string) []byte {
	t.Helper()
	path := filepath.Join(dir, "bench.txt")
	f, err := CreateBenchFile(path, benchHeader, benchWorkload)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Path(); got != path {
		t.Errorf("Path: got %q, want %q", got, path)
	}
	before := readFile(t, path)
	for i, s := range samples {
		if err := f.Add(s); err != nil {
			t.Fatal(err)
		}
		// Append-only: what was on disk stays, byte for byte, and
		// exactly one line is added, after a meter line per share.
		now := readFile(t, path)
		if !bytes.HasPrefix(now, before) || bytes.Count(now[len(before):], []byte("\n")) != 1+len(s.Half) {
			t.Errorf("sample %d: the file was not appended %d lines to:\nbefore:\n%s\nafter:\n%s", i+1, 1+len(s.Half), before, now)
		}
		before = now
		if got := f.Len(); got != i+1 {
			t.Errorf("Len after %d samples: got %d", i+1, got)
		}
		// Every state on disk is whole, partial and readable.
		checkBenchText(t, readFile(t, path), samples[:i+1], true)
	}
	switch finish {
	case "complete":
		err = f.Finish(true)
	case "partial":
		err = f.Finish(false)
	}
	if err != nil {
		t.Fatal(err)
	}
	checkOnlyFiles(t, dir, "bench.txt")
	return readFile(t, path)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBenchFileGolden(t *testing.T) {
	tests := []struct {
		golden  string
		samples []Sample
		finish  string
		partial bool
	}{
		{"bench.golden", benchSamples, "complete", false},
		{"bench-partial.golden", benchSamples, "partial", true},
		{"bench-unfinished.golden", benchSamples, "", true},
		{"bench-empty.golden", nil, "", true},
		{"bench-empty-complete.golden", nil, "complete", false},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			got := writeBenchFile(t, t.TempDir(), tt.samples, tt.finish)
			golden.Check(t, filepath.Join("testdata", tt.golden), got)
			checkBenchText(t, got, tt.samples, tt.partial)
		})
	}
}

func TestBenchFileFinishTwice(t *testing.T) {
	// A run that fails after finishing, or finishes twice, must still
	// leave one clean file.
	dir := t.TempDir()
	path := filepath.Join(dir, "bench.txt")
	f, err := CreateBenchFile(path, benchHeader, benchWorkload)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range benchSamples {
		if err := f.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	for _, complete := range []bool{false, true, true} {
		if err := f.Finish(complete); err != nil {
			t.Fatal(err)
		}
		checkBenchText(t, readFile(t, path), benchSamples, !complete)
	}
	// Once complete, a later pass's failure does not mark it partial again.
	if err := f.Finish(false); err != nil {
		t.Fatal(err)
	}
	checkBenchText(t, readFile(t, path), benchSamples, false)
	if err := f.Add(benchSamples[0]); err == nil {
		t.Error("Add after the file was finished: no error")
	}
	checkOnlyFiles(t, dir, "bench.txt")
}

func TestBenchFileMode(t *testing.T) {
	dir := t.TempDir()
	writeBenchFile(t, dir, benchSamples[:1], "complete")
	fi, err := os.Stat(filepath.Join(dir, "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// Results are for sharing; the temporary file's 0600 must not stay.
	if got := fi.Mode().Perm(); got&0o044 != 0o044 {
		t.Errorf("bench.txt mode %v, want it readable by group and others", got)
	}
}

func TestCreateBenchFileMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "bench.txt")
	if _, err := CreateBenchFile(path, benchHeader, benchWorkload); err == nil {
		t.Errorf("CreateBenchFile(%s): got no error, want one for the missing folder", path)
	}
}

// checkBenchText reads a bench.txt with benchfmt, as benchstat does, and
// checks the names, the units after benchfmt tidies them, the meter lines
// of each sample's shares, the header and the partial mark.
func checkBenchText(t *testing.T, text []byte, samples []Sample, partial bool) {
	t.Helper()
	var lines []string
	for l := range strings.Lines(string(text)) {
		if strings.HasPrefix(l, "Benchmark") {
			lines = append(lines, l)
		}
	}
	want := 0
	for _, s := range samples {
		want += 1 + len(s.Half)
	}
	if len(lines) != want {
		t.Fatalf("got %d benchmark lines, want %d:\n%s", len(lines), want, text)
	}
	r := benchfmt.NewReader(bytes.NewReader(text), "bench.txt")
	i, line := 0, 0
	share := 0
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		case *benchfmt.Result:
			if i >= len(samples) {
				t.Fatalf("benchfmt read more results than the %d samples", len(samples))
			}
			s := samples[i]
			if share < len(s.Half) {
				checkMeterLine(t, lines[line], rec, s, s.Half[share])
				share++
				line++
				continue
			}
			wantLine := fmt.Sprintf("Benchmark%s 1 ", s.Name())
			if !strings.HasPrefix(lines[line], wantLine) {
				t.Errorf("line %q, want it to start with %q", lines[line], wantLine)
			}
			if got, want := rec.Name.String(), s.Name(); got != want {
				t.Errorf("name: got %q, want %q", got, want)
			}
			if got, want := string(rec.Name.Base()), "XORSum"; got != want {
				t.Errorf("base name: got %q, want %q", got, want)
			}
			checkValues(t, rec, s)
			if got, want := rec.GetConfig(runfiles.KeyPartial), map[bool]string{true: "true"}[partial]; got != want {
				t.Errorf("%s: config %q is %q, want %q", s.Name(), runfiles.KeyPartial, got, want)
			}
			if got, want := rec.GetConfig("note"), "a value over two lines"; got != want {
				t.Errorf("config note: got %q, want %q", got, want)
			}
			i++
			line++
			share = 0
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if i != len(samples) {
		t.Errorf("benchfmt read %d results, want %d", i, len(samples))
	}
	if len(samples) == 0 {
		hasPartial := slices.Contains(strings.Split(string(text), "\n"), "partial: true")
		if hasPartial != partial {
			t.Errorf("header-only file has partial mark %v, want %v:\n%s", hasPartial, partial, text)
		}
	}
}

// checkMeterLine checks the meter line of one share of s: its CPU, its
// jobs as iterations, the time per job and when the sample came in.
func checkMeterLine(t *testing.T, line string, rec *benchfmt.Result, s Sample, sh ShareTime) {
	t.Helper()
	wantName := fmt.Sprintf("CPUSpeed/source=baseline/cpu=%d-%d", sh.CPU, s.Cores)
	if got := rec.Name.String(); got != wantName || rec.Iters != sh.Jobs {
		t.Errorf("meter line %q: name %q, %d iterations; want %q, %d", line, got, rec.Iters, wantName, sh.Jobs)
	}
	perJob, ok := rec.Value("sec/op")
	if !ok || !near(perJob, sh.Wall.Seconds()/float64(sh.Jobs)) {
		t.Errorf("meter line %q: %v sec/op, want %v", line, perJob, sh.Wall.Seconds()/float64(sh.Jobs))
	}
	if el, ok := rec.Value(runfiles.ElapsedUnit); !ok || !near(el, s.Elapsed.Seconds()) {
		t.Errorf("meter line %q: %v %s, want %v", line, el, runfiles.ElapsedUnit, s.Elapsed.Seconds())
	}
}

func checkValues(t *testing.T, rec *benchfmt.Result, s Sample) {
	t.Helper()
	type value struct {
		unit string
		v    float64
	}
	perOp := s.Wall.Seconds()
	want := []value{
		{"sec/op", perOp},
		{"cpu-sec/op", s.CPU.Seconds()},
		{"jobs/s", float64(benchWorkload.Jobs) / perOp},
		{"sec/job", perOp / float64(benchWorkload.Jobs)},
	}
	if s.Baseline > 0 {
		want = append(want, value{"baseline-sec/op", s.Baseline.Seconds()})
	}
	if s.CopiesTime > 0 {
		want = append(want, value{"copies-sec/op", s.CopiesTime.Seconds()})
	}
	if s.Startup > 0 {
		want = append(want, value{"startup-sec/worker", s.Startup.Seconds() / float64(s.Workers)})
	}
	for _, m := range s.Metrics {
		want = append(want, value{m.Unit, m.Value})
	}
	var got []value
	for _, v := range rec.Values {
		got = append(got, value{v.Unit, v.Value})
	}
	if len(got) != len(want) {
		t.Fatalf("%s: got values %v, want %v", s.Name(), got, want)
	}
	for i := range want {
		if got[i].unit != want[i].unit || !near(got[i].v, want[i].v) {
			t.Errorf("%s: value %d: got %v %s, want %v %s", s.Name(), i, got[i].v, got[i].unit, want[i].v, want[i].unit)
		}
	}
}

func near(a, b float64) bool {
	d := a - b
	return d < 1e-12*max(1, a, b) && -d < 1e-12*max(1, a, b)
}

func TestBenchFileProcessFaultsAndGiveUp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bench.txt")
	f, err := CreateBenchFile(path, benchHeader, benchWorkload)
	if err != nil {
		t.Fatal(err)
	}
	pool := Trial{Strategy: "pool", Cores: 2, Workers: 2}
	faults := []ProcessFault{
		{Cores: 2, Trial: &pool, Step: "timed", Cause: "signal: killed"},
		{Cores: 2, Step: "between batches", Cause: "signal: killed"},
	}
	for _, pf := range faults {
		if err := f.AddProcessFault(pf); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Add(benchSamples[0]); err != nil {
		t.Fatal(err)
	}
	// A core count given up on before the file is final, and one after:
	// the header says both, and the file stays complete.
	if err := f.GiveUp(4, []string{"exit status 2", "signal: killed", "stuck: no answer within 1s (killed)"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Finish(true); err != nil {
		t.Fatal(err)
	}
	if err := f.GiveUp(2, []string{"a; b", "c | d", "e"}); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, path)
	golden.Check(t, filepath.Join("testdata", "bench-faults.golden"), got)
	r := benchfmt.NewReader(bytes.NewReader(got), "bench.txt")
	var names []string
	for r.Scan() {
		rec, ok := r.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("benchfmt: %v", r.Result())
		}
		names = append(names, rec.Name.String())
		if got, want := rec.GetConfig(runfiles.KeyGivenUpCores), "2,4"; got != want {
			t.Errorf("%s: %s %q, want %q", rec.Name, runfiles.KeyGivenUpCores, got, want)
		}
		if rec.GetConfig(runfiles.KeyPartial) != "" {
			t.Errorf("%s: marked partial", rec.Name)
		}
	}
	want := []string{"ProcessFault/strategy=pool/workers=2/step=timed-2", "ProcessFault/step=between-batches-2", benchSamples[0].Name()}
	if !slices.Equal(names, want) {
		t.Errorf("results %q, want %q", names, want)
	}
}
