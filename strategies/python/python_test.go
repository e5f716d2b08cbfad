package python

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/internal/childproc"
)

// needPython skips a test where the Python strategies cannot run, as the
// harness skips them.
func needPython(t *testing.T) {
	t.Helper()
	if err := strategies.Available("python-mp"); err != nil {
		t.Skip(err)
	}
}

// fakeInterpreter writes a shell script that answers the identity question
// (any question) with answer.
func fakeInterpreter(t *testing.T, answer string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "python3")
	if err := os.WriteFile(path, []byte("#!/bin/sh\necho '"+answer+"'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestPythonSkippedWithoutInterpreter: with no usable interpreter both
// strategies say why in one line, Available fails (so the harness and the
// conformance suite skip them), and Run fails with the same reason.
func TestPythonSkippedWithoutInterpreter(t *testing.T) {
	if !childproc.Supported {
		t.Skip("no python strategies on this platform")
	}
	tests := []struct {
		name   string
		interp func(t *testing.T) string
		want   string
	}{
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "no-python3") }, "no such interpreter"},
		{"too old", func(t *testing.T) string { return fakeInterpreter(t, "CPython 3.7.17") }, "is CPython 3.7.17; the python strategies need 3.8 or newer"},
		{"python 2", func(t *testing.T) string { return fakeInterpreter(t, "CPython 2.7.18") }, "need 3.8 or newer"},
		{"not python", func(t *testing.T) string { return fakeInterpreter(t, "hello") }, `answered "hello", want Python's implementation and major.minor.micro`},
		{"version alone", func(t *testing.T) string { return fakeInterpreter(t, "3.11.7") }, `answered "3.11.7"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(Env, tt.interp(t))
			for _, name := range []string{"python-mp", "python-pool"} {
				err := strategies.Available(name)
				if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("strategies.Available(%s) = %v; want one line with %q", name, err, tt.want)
				}
				s, _ := strategies.New(name)
				_, runErr := s.Run(context.Background(), strategies.Workload{Jobs: 1, N: 1}, 1)
				if runErr == nil || !strings.Contains(runErr.Error(), tt.want) {
					t.Errorf("%s.Run = %v; want an error with %q", name, runErr, tt.want)
				}
			}
		})
	}
	t.Run("not on PATH", func(t *testing.T) {
		t.Setenv(Env, "")
		t.Setenv("PATH", t.TempDir())
		if err := strategies.Available("python-mp"); err == nil || err.Error() != "python3 not found on PATH (set PARBENCH_PYTHON to an interpreter)" {
			t.Errorf("Available = %v; want python3 not found on PATH", err)
		}
	})
}

func TestParseIdentity(t *testing.T) {
	tests := []struct {
		in            string
		impl, version string
		major, minor  int
		ok            bool
	}{
		{"CPython 3.11.7", "CPython", "3.11.7", 3, 11, true},
		{"PyPy 3.10.14", "PyPy", "3.10.14", 3, 10, true},
		{"CPython 3.8.0", "CPython", "3.8.0", 3, 8, true},
		{"CPython 3.8", "", "", 0, 0, false},
		{"CPython 3.08.1", "", "", 0, 0, false},
		{"CPython 3.-1.0", "", "", 0, 0, false},
		{"CPython 3.13.0rc1", "", "", 0, 0, false},
		{"3.11.7", "", "", 0, 0, false},
		{"CPython  3.11.7", "", "", 0, 0, false},
		{"CPython 3.11.7 extra", "", "", 0, 0, false},
		{" 3.11.7", "", "", 0, 0, false},
		{"2Python 3.11.7", "", "", 0, 0, false},
		{"C-Python 3.11.7", "", "", 0, 0, false},
		{strings.Repeat("P", 33) + " 3.11.7", "", "", 0, 0, false},
		{"", "", "", 0, 0, false},
	}
	for _, tt := range tests {
		impl, version, major, minor, ok := parseIdentity(tt.in)
		if impl != tt.impl || version != tt.version || major != tt.major || minor != tt.minor || ok != tt.ok {
			t.Errorf("parseIdentity(%q) = %q, %q, %d, %d, %v; want %q, %q, %d, %d, %v",
				tt.in, impl, version, major, minor, ok, tt.impl, tt.version, tt.major, tt.minor, tt.ok)
		}
	}
}

// TestRuntimeConfig: the python strategies describe the interpreter they
// would run, as its own identity answer gives it, once for both; and say
// nothing they do not know.
func TestRuntimeConfig(t *testing.T) {
	if !childproc.Supported {
		t.Skip("no python strategies on this platform")
	}
	tests := []struct {
		name   string
		interp func(t *testing.T) string
		names  []string
		want   []strategies.Runtime
	}{
		{"CPython", func(t *testing.T) string { return fakeInterpreter(t, "CPython 3.11.7") },
			[]string{"serial", "python-mp", "python-pool"}, []strategies.Runtime{{Key: "python", Version: "CPython 3.11.7"}}},
		{"PyPy", func(t *testing.T) string { return fakeInterpreter(t, "PyPy 3.10.14") },
			[]string{"python-pool"}, []strategies.Runtime{{Key: "python", Version: "PyPy 3.10.14"}}},
		{"no python strategy", func(t *testing.T) string { return fakeInterpreter(t, "CPython 3.11.7") },
			[]string{"serial", "pool"}, nil},
		{"too old", func(t *testing.T) string { return fakeInterpreter(t, "CPython 3.7.17") },
			[]string{"python-mp"}, []strategies.Runtime{{Key: "python", Version: strategies.UnknownVersion}}},
		{"missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "no-python3") },
			[]string{"python-mp"}, []strategies.Runtime{{Key: "python", Version: strategies.UnknownVersion}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(Env, tt.interp(t))
			got := strategies.Runtimes(context.Background(), tt.names)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Runtimes(%q) = %+v, want %+v", tt.names, got, tt.want)
			}
		})
	}
}

// TestPythonBatches runs both strategies as the harness does (Prepare,
// several batches, Close) and without Prepare: every batch verifies, no
// job starts before its release (pyResultFrom refuses one that does), and
// the workers' CPU time is reported.
func TestPythonBatches(t *testing.T) {
	needPython(t)
	w := strategies.Workload{Jobs: 12, N: 20000, Gap: 2 * time.Millisecond}
	for _, mode := range []string{"mp", "pool"} {
		for _, prepared := range []bool{true, false} {
			name := "python-" + mode
			if !prepared {
				name += "/unprepared"
			}
			t.Run(name, func(t *testing.T) {
				p := &strategy{mode: mode}
				ctx := context.Background()
				if prepared {
					if err := p.Prepare(ctx, w, 3); err != nil {
						t.Fatal(err)
					}
					defer p.Close()
				}
				for b := range 3 {
					results, err := p.Run(ctx, w, 3)
					if err != nil {
						t.Fatalf("batch %d: %v", b, err)
					}
					if err := strategies.Verify(w, results); err != nil {
						t.Fatalf("batch %d: %v", b, err)
					}
					if p.LastBatchWorkerCPU() <= 0 {
						t.Errorf("batch %d: worker CPU %v, want > 0", b, p.LastBatchWorkerCPU())
					}
					for _, r := range results {
						if r.Worker < 0 || r.Worker >= 3 {
							t.Errorf("job %d on worker %d, want 0..2", r.Job, r.Worker)
						}
					}
				}
				if !prepared && p.proc != nil {
					t.Error("Run without Prepare left the program running")
				}
				if err := p.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
		}
	}
}

// TestPythonArticleRaceCaught runs the article's protocol as written, with
// its race made certain (every worker leaves after one job, as if empty()
// had answered True while jobs were still in the feeder thread), and shows
// that verification fails the batch and names the first lost job; the
// same fault under the fixed protocol loses nothing.
func TestPythonArticleRaceCaught(t *testing.T) {
	needPython(t)
	w := strategies.Workload{Jobs: 4, N: 1000}
	tests := []struct {
		name    string
		article bool
		want    string // "" for a batch that verifies
	}{
		{"article", true, "job 1 lost (1 of 4 jobs returned)"},
		{"fixed", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &strategy{mode: "mp", article: tt.article, inject: "leave-early"}
			results, err := p.Run(context.Background(), w, 1)
			if err != nil {
				t.Fatalf("Run: %v (a lost job is verification's to find, not Run's)", err)
			}
			err = strategies.Verify(w, results)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Verify: %v; want the batch to verify", err)
			case tt.want != "" && (err == nil || !errors.Is(err, strategies.ErrUnverified) || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Verify: %v; want it to fail with %q", err, tt.want)
			}
		})
	}
}

var lossBatches = flag.Int("python.lossbatches", 0, "batches of the article's unfixed protocol to count losses over (TestPythonArticleLossRate)")

// TestPythonArticleLossRate counts how often the article's protocol, as
// written and with nothing injected, loses a job at gap 0, and checks that
// the fixed protocol loses none over as many batches. It is a count, not a
// timing; it runs only when asked:
//
//	go test ./strategies/python -run TestPythonArticleLossRate -python.lossbatches 200 -v
func TestPythonArticleLossRate(t *testing.T) {
	if *lossBatches <= 0 {
		t.Skip("set -python.lossbatches N to count the article's losses over N batches")
	}
	needPython(t)
	w := strategies.Workload{Jobs: 8, N: 1000}
	const workers = 2
	for _, article := range []bool{true, false} {
		p := &strategy{mode: "mp", article: article}
		ctx := context.Background()
		if err := p.Prepare(ctx, w, workers); err != nil {
			t.Fatal(err)
		}
		lostBatches, lostJobs := 0, 0
		for b := range *lossBatches {
			results, err := p.Run(ctx, w, workers)
			if err != nil {
				t.Fatalf("batch %d: %v", b, err)
			}
			if err := strategies.Verify(w, results); err != nil {
				lostBatches++
				lostJobs += w.Jobs - len(results)
			}
		}
		p.Close()
		protocol := "fixed"
		if article {
			protocol = "article"
		}
		t.Logf("%s protocol, %d jobs, %d workers, gap 0: %d of %d batches lost jobs (%d jobs of %d)",
			protocol, w.Jobs, workers, lostBatches, *lossBatches, lostJobs, w.Jobs**lossBatches)
		if !article && lostBatches > 0 {
			t.Errorf("the fixed protocol lost jobs in %d of %d batches, want none", lostBatches, *lossBatches)
		}
	}
}
