package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parbench/parbench/runfiles"
)

func TestReportNeverOverwritesForeignFiles(t *testing.T) {
	t.Parallel() // reads and writes its own folders only: runs beside the other report tests, after the sweeps
	const foreign = "not parbench's\n"
	writeForeign := func(t *testing.T, dir string, names ...string) {
		t.Helper()
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(foreign), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	checkUntouched := func(t *testing.T, dir string, names ...string) {
		t.Helper()
		for _, n := range names {
			if b, err := os.ReadFile(filepath.Join(dir, n)); err != nil || string(b) != foreign {
				t.Errorf("%s: %q, %v: overwritten", n, b, err)
			}
		}
	}

	t.Run("-o folder with a foreign summary", func(t *testing.T) {
		dir := t.TempDir()
		run := copyRun(t, dir, "one-machine")
		out := filepath.Join(dir, "out")
		os.Mkdir(out, 0o755)
		writeForeign(t, out, runfiles.SummaryText)
		status, _, stderr := runParbench(t, "report", "-benchstat", "", "-format", "svg", "-o", out, run)
		if status == 0 {
			t.Errorf("exit status 0, want an error")
		}
		checkOneErrorLine(t, stderr, filepath.Join(out, runfiles.SummaryText)+" exists and was not written by parbench report")
		checkUntouched(t, out, runfiles.SummaryText)
	})

	t.Run("-o folder with a foreign chart", func(t *testing.T) {
		dir := t.TempDir()
		run := copyRun(t, dir, "one-machine")
		out := filepath.Join(dir, "out")
		os.Mkdir(out, 0o755)
		writeForeign(t, out, "speedup.svg")
		status, _, stderr := runParbench(t, "report", "-benchstat", "", "-format", "svg", "-o", out, run)
		if status != 0 {
			t.Errorf("exit status %d, want 0: a chart not drawn is a warning", status)
		}
		if !strings.Contains(stderr, "chart not drawn: "+filepath.Join(out, "speedup.svg")+" exists and was not written by parbench report") {
			t.Errorf("no warning names speedup.svg:\n%s", stderr)
		}
		checkUntouched(t, out, "speedup.svg")
		if _, err := os.Stat(filepath.Join(out, "efficiency.svg")); err != nil {
			t.Errorf("the other charts were not drawn: %v", err)
		}
	})

	t.Run("run folder with a foreign summary", func(t *testing.T) {
		dir := t.TempDir()
		run := copyRun(t, dir, "one-machine")
		writeForeign(t, run, runfiles.SummaryText)
		status, _, stderr := runParbench(t, "report", "-benchstat", "", "-format", "svg", run)
		if status != 0 {
			t.Fatalf("exit status %d; stderr:\n%s", status, stderr)
		}
		checkUntouched(t, run, runfiles.SummaryText)
		got, _ := filepath.Glob(filepath.Join(run, "report-2*", runfiles.SummaryText))
		if len(got) != 1 {
			t.Errorf("report written to %v, want a new report-* folder in the run folder; stderr:\n%s", got, stderr)
		}
	})

	t.Run("a report overwrites its own files", func(t *testing.T) {
		dir := t.TempDir()
		run := copyRun(t, dir, "one-machine")
		for i := range 2 {
			status, _, stderr := runParbench(t, "report", "-benchstat", "", "-format", "svg", run)
			if status != 0 {
				t.Fatalf("report %d: exit status %d; stderr:\n%s", i+1, status, stderr)
			}
		}
		if got, _ := filepath.Glob(filepath.Join(run, "report-2*")); len(got) > 0 {
			t.Errorf("second report went to %v, want the run folder", got)
		}
		b, err := os.ReadFile(filepath.Join(run, runfiles.ReportManifest))
		if err != nil || !strings.Contains(string(b), runfiles.SummaryText+"\n") || !strings.Contains(string(b), "speedup.svg\n") {
			t.Errorf("%s: %q, %v; want it to list what the report wrote", runfiles.ReportManifest, b, err)
		}
	})
}
