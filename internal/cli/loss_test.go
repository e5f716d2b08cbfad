package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/parbench/parbench/runfiles"
)

// TestRunExplainsItsLosses: a real sweep's report splits every paired
// configuration's core-time from its own pairs, the trace of its timeline
// batch splitting the waiting of the in-process ones, into parts that add
// up to 1; it draws the efficiency-loss chart from them.
func TestRunExplainsItsLosses(t *testing.T) {
	root := filepath.Join(t.TempDir(), "results")
	status, _, stderr := runParbench(t, "run", "-cpu", "1", "-count", "3", "-jobs", "16", "-strategy", "serial,pool,procpool",
		"-benchstat", "", "-o", root)
	if status != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", status, stderr)
	}
	dir := latestRun(t, root)
	data, err := os.ReadFile(filepath.Join(dir, runfiles.SummaryJSON))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rows []struct {
			Strategy string `json:"strategy"`
			Loss     *struct {
				Pairs       int                `json:"pairs"`
				Parts       map[string]float64 `json:"parts"`
				Traced      bool               `json:"traced"`
				JobsCPUFrom string             `json:"jobs_cpu_from"`
			} `json:"loss"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range doc.Rows {
		if r.Strategy == "ceiling" {
			continue
		}
		l := r.Loss
		if l == nil {
			t.Errorf("%s: no loss", r.Strategy)
			continue
		}
		seen[r.Strategy] = true
		var sum float64
		for _, v := range l.Parts {
			sum += v
		}
		if math.Abs(sum-1) > 1e-9 || l.Pairs < 1 {
			t.Errorf("%s: parts sum to %v over %d pairs, want 1", r.Strategy, sum, l.Pairs)
		}
		// Jobs of 150 µs get a clock each; the in-process strategies'
		// timeline batches are traced, procpool's workers are not.
		if wantTraced := r.Strategy != "procpool"; l.Traced != wantTraced || l.JobsCPUFrom != "clock" {
			t.Errorf("%s: traced %v, jobs' CPU from %q; want traced %v, from the clock", r.Strategy, l.Traced, l.JobsCPUFrom, wantTraced)
		}
	}
	if len(seen) != 3 {
		t.Errorf("losses of %v, want serial, pool and procpool", seen)
	}
	for _, name := range []string{"efficiency-loss.png", "profiles/trace-pool-1.out", "profiles/trace-serial-1.out"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
