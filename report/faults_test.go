package report

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parbench/parbench/runfiles"
)

func TestFaultedSamples(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, runfiles.BenchFile)
	var b strings.Builder
	b.WriteString("host: h\n")
	for range 6 {
		b.WriteString("BenchmarkXORSum/strategy=serial/workers=1-1 1 100 ns/op\n")
		b.WriteString("BenchmarkXORSum/strategy=procpool/workers=1-1 1 100 ns/op 0 faults/op\n")
		b.WriteString("BenchmarkXORSum/strategy=pool/workers=1-1 1 100 ns/op 2 faults/op\n")
	}
	// Seven slow procpool samples, each with a fault.
	for range 7 {
		b.WriteString("BenchmarkXORSum/strategy=procpool/workers=1-1 1 1700 ns/op 1 faults/op\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		include    bool
		wantN      int      // samples behind the procpool row
		wantMedian float64  // of the procpool row, in seconds
		wantWarn   []string // in the fault warnings
	}{
		{"excluded by default", false, 6, 100e-9, []string{
			"procpool/cores=1/workers=1: 7 of 13 samples met worker faults (7 faults in all), left out of its statistics",
			"pool/cores=1/workers=1: 6 of 6 samples met worker faults (12 faults in all), every sample had faults, so they are used",
		}},
		{"included", true, 13, 1700e-9, []string{
			"procpool/cores=1/workers=1: 7 of 13 samples met worker faults (7 faults in all), included in its statistics",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := fastOptions()
			o.IncludeFaulted = tt.include
			rep, err := Load([]Input{{Path: path, Dir: dir}}, o)
			if err != nil {
				t.Fatal(err)
			}
			var warns []string
			for _, e := range rep.Warnings {
				var w *Warning
				if errors.As(e, &w) && w.Check == CheckFaults {
					warns = append(warns, w.Msg)
				}
			}
			for _, want := range tt.wantWarn {
				found := false
				for _, w := range warns {
					found = found || strings.Contains(w, want)
				}
				if !found {
					t.Errorf("no fault warning with %q in %q", want, warns)
				}
			}
			for _, r := range rep.Rows {
				if r.Strategy == "procpool" && (r.N != tt.wantN || math.Abs(r.Median/tt.wantMedian-1) > 1e-9) {
					t.Errorf("procpool row: n %d, median %v; want %d and %v", r.N, r.Median, tt.wantN, tt.wantMedian)
				}
				if r.Strategy == "serial" && len(warns) > 0 && strings.Contains(strings.Join(warns, " "), "serial/") {
					t.Errorf("serial, which had no faults, is named: %q", warns)
				}
			}
		})
	}
}

func TestOtherRunsWarning(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, runfiles.BenchFile)
	text := "host: h\nother-runs: pid 42 (started 2026-12-01T20:00:00Z)\nBenchmarkXORSum/strategy=serial/workers=1-1 1 100 ns/op\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Load([]Input{{Path: path, Dir: dir}}, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rep.Warnings {
		var w *Warning
		if errors.As(e, &w) && w.Check == CheckLoad && strings.Contains(w.Msg, "another parbench was measuring on this machine when the run started (pid 42") {
			return
		}
	}
	t.Errorf("no warning about the other run in %v", rep.Warnings)
}
