package report

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parbench/parbench/runfiles"
	"golang.org/x/perf/benchfmt"
)

func TestFindInputs(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	latest := filepath.Join(dir, "latest")
	if err := os.Symlink(mustAbs(t, "testdata/hostA"), latest); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		want    []Input
		wantErr string
	}{
		{"a link and the folder it names", []string{latest, "testdata/hostA"}, nil, "testdata/hostA: given twice (also as " + latest + ")"},
		{"run folder", []string{"testdata/hostA"}, []Input{{"testdata/hostA/bench.txt", "testdata/hostA"}}, ""},
		{"file", []string{"testdata/gotest.txt"}, []Input{{"testdata/gotest.txt", "testdata"}}, ""},
		{"several", []string{"testdata/hostA", "testdata/hostB/"}, []Input{{"testdata/hostA/bench.txt", "testdata/hostA"}, {"testdata/hostB/bench.txt", "testdata/hostB/"}}, ""},
		{"none", nil, nil, "no run folders given"},
		{"missing", []string{"testdata/hostA", "testdata/nope"}, nil, "testdata/nope: no such file or folder"},
		{"folder without bench.txt", []string{empty}, nil, empty + ": no bench.txt in this folder"},
		{"twice", []string{"testdata/hostA", "testdata/hostA/bench.txt"}, nil, "testdata/hostA/bench.txt: given twice (also as testdata/hostA)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FindInputs(tt.args)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("input %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func load(t *testing.T, args ...string) (*Report, error) {
	t.Helper()
	inputs, err := FindInputs(args)
	if err != nil {
		t.Fatal(err)
	}
	return Load(inputs, fastOptions())
}

// fastOptions are the defaults with fewer bootstrap resamples, for tests
// that check anything but the intervals' last digits.
func fastOptions() *Options {
	o := DefaultOptions
	o.Resamples = 1000
	return &o
}

func TestLoadRefusesMixedWorkloads(t *testing.T) {
	_, err := load(t, "testdata/hostA", "testdata/other-workload")
	if err == nil {
		t.Fatal("no error for results of different workloads")
	}
	for _, want := range []string{
		"results of different workloads",
		"n 500000 (testdata/hostA/bench.txt:23) vs 100000 (testdata/other-workload/bench.txt:23)",
		"checksum",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "jobs") {
		t.Errorf("error %q names jobs, which is the same in both", err)
	}
}

func TestLoadBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, content string
		wantErr       string   // from Load
		wantInput     []string // in InputErrors, in order
	}{
		{"empty", "", "no parbench results", nil},
		{"only config", "goos: linux\nhost: x\n", "no parbench results", nil},
		{"other benchmarks", "BenchmarkFoo 10 5 ns/op\n", "no parbench results in " + filepath.Join(dir, "other benchmarks") + " (1 benchmark without /strategy= in the name, such as BenchmarkFoo)", nil},
		{"all lines bad", "BenchmarkXORSum/strategy=pool/workers=1 1 5\n", "1 line unreadable; first: " + filepath.Join(dir, "all lines bad") + ":1: missing units", nil},
		{"bad gomaxprocs", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=1/gomaxprocs=x 1 5 ns/op\n", "", []string{":2: GOMAXPROCS \"x\": want a positive number"}},
		{"no time", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=1 1 5 jobs/s\n", "", []string{":2: no time per batch"}},
		{"infinite time", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=1 1 +Inf ns/op\n", "", []string{":2: time per batch +Inf s"}},
		{"zero workers", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=0 1 5 ns/op\n", "", []string{`:2: workers "0"`}},
		{"truncated", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=po", "", []string{":2: last line is incomplete"}},
		{"truncated in the values", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=1 1 5", "", []string{":2: last line is incomplete"}},
		{"truncated in a unit", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=1 1 5 ns/o", "", []string{":2: last line is incomplete"}},
		{"truncated after a whole value", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=1 1 5 ns/op 7 cpu-ns/o", "", []string{":2: last line is incomplete"}},
		{"NaN time", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=2-2 1 NaN ns/op\n", "", []string{":2: time per batch NaN s"}},
		{"NaN in another unit", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=2-2 1 5 ns/op NaN cpu-ns/op\n", "", []string{":2: cpu-sec/op NaN: want a finite number"}},
		{"absurd time", "BenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=2-2 1 2e6 sec/op\n", "", []string{":2: time per batch 2e+06 s: want at most 1e+06 s"}},
		{"conflicting config lines in a row", "jobs: 32\njobs: 64\nBenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\n", "results of different workloads, not comparable: jobs 32 (", nil},
		{"a config key set again after results", "jobs: 32\nBenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\njobs: 64\nBenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\n", "results of different workloads, not comparable: jobs 32", nil},
		{"the same config line twice", "jobs: 32\njobs: 32\nBenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\n", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := write(tt.name, tt.content)
			rep, err := Load([]Input{{Path: path, Dir: dir}}, fastOptions())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.InputErrors) != len(tt.wantInput) {
				t.Fatalf("input errors %v, want %d", rep.InputErrors, len(tt.wantInput))
			}
			for i, want := range tt.wantInput {
				got := rep.InputErrors[i].Error()
				if !strings.HasPrefix(got, path) || !strings.Contains(got, want) {
					t.Errorf("input error %q, want %s%s...", got, path, want)
				}
				var se *benchfmt.SyntaxError
				if !errors.As(rep.InputErrors[i], &se) {
					t.Errorf("input error %q is not a *benchfmt.SyntaxError", got)
				}
			}
			if len(tt.wantInput) > 0 && !hasWarning(rep, "", CheckInput) {
				t.Errorf("input errors not among the warnings: %v", rep.Warnings)
			}
		})
	}
}

func hasWarning(rep *Report, machine, check string) bool {
	for _, e := range rep.Warnings {
		var w *Warning
		if errors.As(e, &w) && w.Check == check && (machine == "" || w.Machine == machine) {
			return true
		}
	}
	return false
}

// FuzzLoad feeds Load arbitrary files: it may refuse them, but must not
// panic, and what it reports must be consistent.
func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/one-machine/bench.txt", "testdata/corrupt/bench.txt", "testdata/gotest.txt",
		"testdata/own-faults/bench.txt", "testdata/own-bimodal/bench.txt"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("BenchmarkXORSum/strategy=serial/workers=1-1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=2-2 1 3 ns/op\n"))
	f.Add([]byte("n: 1\nBenchmarkXORSum/strategy=serial 1 5 ns/op\nn: 2\nBenchmarkXORSum/strategy=serial 1 5 ns/op\n"))
	// A paired run: baseline-ns/op on each line, the ceiling's k ops, the
	// calibration loop, a precision target.
	f.Add([]byte("precision-target: 0.03\nbudget: 1m0s\n" +
		"BenchmarkXORSum/strategy=calibration/workers=1-1 1 50 ns/op\nBenchmarkXORSum/strategy=calibration/workers=1-1 1 52 ns/op\nBenchmarkXORSum/strategy=calibration/workers=1-1 1 49 ns/op\n" +
		"BenchmarkXORSum/strategy=serial/workers=1-1 1 50 ns/op 51 baseline-ns/op\nBenchmarkXORSum/strategy=pool/workers=2-2 1 26 ns/op 50 baseline-ns/op\n" +
		"BenchmarkXORSum/strategy=ceiling/workers=2-2 2 27 ns/op 0 baseline-ns/op\nBenchmarkXORSum/strategy=pool/workers=2-2 1 26 ns/op NaN baseline-ns/op\n"))
	// The own-cpus kind's lines: meter lines (one with no pair after it,
	// one out of range, one calibration), process faults with and
	// without a configuration, a ceiling with its copies' own time, and
	// the header keys written when the run ends.
	f.Add([]byte("baseline: own-cpus\ncpu-list: 0,1\ngiven-up-cores: 4\ngiven-up-causes: 4 cores: exit status 2; killed\n" +
		"BenchmarkCPUSpeed/source=calibration/cpu=0-2 16 250000 ns/op 0.01 elapsed-sec\n" +
		"BenchmarkCPUSpeed/source=baseline/cpu=0-1 64 250000 ns/op 0.02 elapsed-sec\n" +
		"BenchmarkXORSum/strategy=serial/workers=1-1 1 16000000 ns/op 16000000 baseline-ns/op\n" +
		"BenchmarkCPUSpeed/source=baseline/cpu=0-2 32 250000 ns/op 0.04 elapsed-sec\nBenchmarkCPUSpeed/source=baseline/cpu=1-2 32 600000 ns/op 0.05 elapsed-sec\n" +
		"BenchmarkXORSum/strategy=ceiling/workers=2-2 2 9000000 ns/op 16000000 baseline-ns/op 8000000 copies-ns/op\n" +
		"BenchmarkCPUSpeed/source=baseline/cpu=0-2 32 250000 ns/op 0.06 elapsed-sec\nBenchmarkProcessFault/strategy=pool/workers=2/step=timed-2 1 1 faults/op\n" +
		"BenchmarkProcessFault/step=between-batches-2 1 1 faults/op\nBenchmarkCPUSpeed/source=baseline/cpu=99999-2 1 1 ns/op -1 elapsed-sec\n" +
		"BenchmarkXORSum/strategy=pool/workers=2-2 1 8000000 ns/op 16000000 baseline-ns/op\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), runfiles.BenchFile)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		opts := DefaultOptions
		opts.Resamples = 100
		rep, err := Load([]Input{{Path: path}}, &opts)
		if err != nil {
			return
		}
		if len(rep.Rows) == 0 {
			t.Fatal("report without rows and without error")
		}
		for _, r := range rep.Rows {
			if r.N < 1 || !(r.Median > 0) || r.Cores < 1 {
				t.Errorf("row %s: n %d, median %v", r.Name(), r.N, r.Median)
			}
		}
		if err := rep.WriteText(discard{}); err != nil {
			t.Error(err)
		}
		if err := rep.WriteJSON(discard{}); err != nil {
			t.Error(err)
		}
		if err := rep.WriteCSV(discard{}); err != nil {
			t.Error(err)
		}
		if err := rep.WriteHTML(discard{}, HTMLPage{Dir: t.TempDir()}); err != nil {
			t.Error(err)
		}
		for _, m := range rep.Meters {
			for _, c := range m.CPUs {
				if len(c.Elapsed) != len(c.Relative) || len(c.Relative) != c.Readings {
					t.Errorf("CPU %d: %d readings, %d times, %d speeds", c.CPU, c.Readings, len(c.Elapsed), len(c.Relative))
				}
				for _, v := range c.Relative {
					if !(v > 0) || math.IsInf(v, 0) {
						t.Errorf("CPU %d: relative speed %v", c.CPU, v)
					}
				}
			}
			for _, st := range m.Stretches {
				if st.From > st.To || st.Pairs > st.OfPairs || !(st.Speed < 1) {
					t.Errorf("stretch %+v", st)
				}
			}
		}
		for _, f := range rep.Faults {
			if f.ProcessFaults < 0 || f.FaultedSamples > f.Samples && f.Samples > 0 {
				t.Errorf("fault row %+v", f)
			}
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func mustAbs(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
