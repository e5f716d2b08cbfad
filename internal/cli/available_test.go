package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/python"
)

// TestRunSkipsStrategiesWithoutTheirProgram: with no python3 the Python
// strategies are skipped with one line each, and the run goes on with the
// rest (or, with nothing left, ends cleanly without a run folder).
func TestRunSkipsStrategiesWithoutTheirProgram(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-python3")
	t.Setenv(python.Env, missing)
	tests := []struct {
		name       string
		strategy   string
		wantSkips  int
		wantSample int // serial's samples in bench.txt; 0 for no run folder
	}{
		{"beside serial", "serial,python-mp,python-pool", 2, 2},
		{"alone", "python-mp", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "results")
			status, _, stderr := runParbench(t, "run", "-cpu", "1", "-count", "2", "-jobs", "4", "-n", "1000",
				"-strategy", tt.strategy, "-o", root)
			if status != 0 {
				t.Fatalf("exit status %d, want 0; stderr:\n%s", status, stderr)
			}
			want := "parbench: skipping python-mp: " + python.Env + "=" + missing + ": no such interpreter\n"
			if !strings.Contains(stderr, want) || strings.Count(stderr, "parbench: skipping ") != tt.wantSkips {
				t.Errorf("stderr:\n%s\nwant %d skip lines, one of them %q", stderr, tt.wantSkips, want)
			}
			if tt.wantSample == 0 {
				if _, err := os.Stat(root); !os.IsNotExist(err) {
					t.Errorf("a run with nothing to run made %s (%v)", root, err)
				}
				return
			}
			text, err := os.ReadFile(filepath.Join(latestRun(t, root), "bench.txt"))
			if err != nil {
				t.Fatal(err)
			}
			// Besides its rounds, a paired run holds calibration and
			// ceiling lines; none of the skipped strategies' may be there.
			serial := 0
			for _, r := range readBench(t, text) {
				name := string(r.Name)
				if strings.Contains(name, "strategy=python") {
					t.Errorf("bench.txt has a sample of a skipped strategy: %s", name)
				}
				if strings.Contains(name, "strategy=serial/") {
					serial++
				}
			}
			if serial != tt.wantSample {
				t.Errorf("bench.txt has %d samples of serial, want %d:\n%s", serial, tt.wantSample, text)
			}
		})
	}
}

// TestRunPythonStrategies runs both Python strategies through the harness,
// in its measurement process, where python3 is there.
func TestRunPythonStrategies(t *testing.T) {
	if err := strategies.Available("python-mp"); err != nil {
		t.Skip(err)
	}
	root := filepath.Join(t.TempDir(), "results")
	status, _, stderr := runParbench(t, "run", "-cpu", "1", "-count", "1", "-jobs", "4", "-n", "1000",
		"-gap", "1ms", "-strategy", "python-mp,python-pool", "-o", root)
	if status != 0 {
		t.Fatalf("exit status %d, want 0; stderr:\n%s", status, stderr)
	}
	text, err := os.ReadFile(filepath.Join(latestRun(t, root), "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, r := range readBench(t, text) {
		got[r.Name.String()] = true
	}
	for _, name := range []string{"XORSum/strategy=python-mp/workers=1-1", "XORSum/strategy=python-pool/workers=1-1"} {
		if !got[name] {
			t.Errorf("bench.txt lacks %s:\n%s", name, text)
		}
	}
	// The interpreter that ran them is on record, once.
	rt := strategies.Runtimes(context.Background(), []string{"python-pool"})
	if len(rt) != 1 || rt[0].Version == strategies.UnknownVersion {
		t.Fatalf("python-pool's runtime: %+v, want one known", rt)
	}
	line := "\npython: " + rt[0].Version + "\n"
	if n := strings.Count(string(text), line); n != 1 {
		t.Errorf("bench.txt has %q %d times, want once:\n%s", line[1:], n, text)
	}
}
