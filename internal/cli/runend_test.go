package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

func TestLatestMovesWithTheFirstSample(t *testing.T) {
	root := t.TempDir()
	old, err := newRunDir(root, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	linkLatest(root, old)
	failed, err := newRunDir(root, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	latest := func() string {
		t.Helper()
		target, err := os.Readlink(filepath.Join(root, "latest"))
		if err != nil {
			t.Fatal(err)
		}
		return target
	}
	if got := latest(); got != filepath.Base(old) {
		t.Errorf("a new run folder moved latest to %s before any sample", got)
	}
	add := firstSampleLink(root, failed, func(harness.Sample) error { return errors.New("disk full") })
	if err := add(harness.Sample{}); err == nil {
		t.Fatal("the failing add's error was lost")
	}
	if got := latest(); got != filepath.Base(old) {
		t.Errorf("a sample that could not be written moved latest to %s", got)
	}
	add = firstSampleLink(root, failed, func(harness.Sample) error { return nil })
	if err := add(harness.Sample{}); err != nil {
		t.Fatal(err)
	}
	if got := latest(); got != filepath.Base(failed) {
		t.Errorf("after the first sample latest points at %s, want %s", got, filepath.Base(failed))
	}
}

func TestTimelineNotWrittenIsAWarning(t *testing.T) {
	var stderr bytes.Buffer
	folder := runfiles.Folder{Dir: filepath.Join(t.TempDir(), "gone")} // not there: every write fails
	c := harness.Config{Strategies: []string{"pool"}, Cores: []int{1}}
	save := timelineWarner(&stderr, folder, c)
	s := harness.Sample{Trial: harness.Trial{Strategy: "pool", Cores: 1, Workers: 1}, Wall: time.Millisecond,
		Jobs: []strategies.Result{{Job: 0, End: time.Millisecond}}}
	if err := save(s); err != nil {
		t.Errorf("save: %v, want the run to go on", err)
	}
	if got := stderr.String(); !strings.HasPrefix(got, "parbench: warning: timeline of pool cores=1 workers=1 not written: ") {
		t.Errorf("stderr %q, want a warning naming the timeline", got)
	}
}

func TestRunOutcomeCountsMatchTheFile(t *testing.T) {
	done := runCounts{kept: 34, timed: 30, calibration: 4, complete: true}
	stopped := runCounts{kept: 5, timed: 3, calibration: 2}
	tests := []struct {
		name              string
		runErr, finishErr error
		n                 runCounts
		wantMsg           string // "" for no error
	}{
		{"success", nil, nil, done, ""},
		{"stopped", errors.New("interrupted"), nil, stopped, "interrupted; 5 samples kept in b.txt (marked partial) (3 timed, 2 calibration rounds)"},
		{"later pass failed", errors.New("profiles: x"), nil, done, "profiles: x; 34 samples kept in b.txt (complete) (30 timed, 4 calibration rounds)"},
		{"final rewrite failed", nil, errors.New("no space left on device"), done,
			"finishing b.txt; 34 samples kept in b.txt (still marked partial: rewriting it failed: no space left on device) (30 timed, 4 calibration rounds)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := runOutcome(tt.runErr, tt.finishErr, tt.n, "b.txt")
			switch {
			case tt.wantMsg == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.wantMsg != "" && (err == nil || err.Error() != tt.wantMsg):
				t.Errorf("got %v, want %q", err, tt.wantMsg)
			}
		})
	}
}
