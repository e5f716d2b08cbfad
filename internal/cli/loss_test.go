package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// TestReportReadsTimelinesForLosses checks the wiring: a timeline CSV in
// the run folder is where the report takes idle from, and the losses
// reach summary.json and efficiency-loss.png.
func TestReportReadsTimelinesForLosses(t *testing.T) {
	run := copyRun(t, t.TempDir(), "one-machine")
	// pool on 2 cores, 2 workers: jobs of 90 µs after 10 µs gaps, so a
	// tenth of the capacity idle.
	s := harness.Sample{Trial: harness.Trial{Strategy: "pool", Cores: 2, Workers: 2}}
	for w := range 2 {
		for i := range 10 {
			start := time.Duration(i)*100*time.Microsecond + 10*time.Microsecond
			s.Jobs = append(s.Jobs, strategies.Result{Job: int64(10*w + i), Worker: w, Start: start, End: start + 90*time.Microsecond})
		}
	}
	if err := harness.SaveTimeline(filepath.Join(run, runfiles.TimelineName(s.Strategy, s.Cores, s.Workers, true)+".csv"), s); err != nil {
		t.Fatal(err)
	}
	status, _, stderr := runParbench(t, "report", "-benchstat", "", run)
	if status != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", status, stderr)
	}
	data, err := os.ReadFile(filepath.Join(run, summaryJSON))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rows []struct {
			Strategy string   `json:"strategy"`
			Cores    int      `json:"cores"`
			Idle     *float64 `json:"loss_idle"`
			Loss     *struct {
				FromTimeline bool `json:"idle_from_timeline"`
			} `json:"loss"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range doc.Rows {
		if r.Strategy != "pool" || r.Cores != 2 {
			continue
		}
		found = true
		// The serial baseline has no timeline, so its idle counts as none.
		if r.Loss == nil || !r.Loss.FromTimeline || r.Idle == nil || *r.Idle < 0.0999 || *r.Idle > 0.1001 {
			t.Errorf("pool/2: loss_idle %v, loss %+v; want 0.1 from the timeline", r.Idle, r.Loss)
		}
	}
	if !found {
		t.Fatal("no pool row on 2 cores in summary.json")
	}
	if _, err := os.Stat(filepath.Join(run, "efficiency-loss.png")); err != nil {
		t.Errorf("efficiency-loss.png not written: %v", err)
	}
	if !strings.Contains(stderr, "efficiency-loss.png") {
		t.Errorf("stderr does not list efficiency-loss.png:\n%s", stderr)
	}
}
