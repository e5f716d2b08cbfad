package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"sync"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/runfiles"
)

// firstSampleLink moves <root>/latest to a run folder when its first
// sample is in, not when the folder is made: a run that fails before it
// measured anything leaves latest at the last run that did.
func firstSampleLink(root, dir string, add func(harness.Sample) error) func(harness.Sample) error {
	var once sync.Once
	return func(s harness.Sample) error {
		if err := add(s); err != nil {
			return err
		}
		once.Do(func() { linkLatest(root, dir) })
		return nil
	}
}

// timelineWarner saves each timeline batch; one that cannot be written
// (a full disk, say) is a warning naming the file, and the run goes on.
func timelineWarner(stderr io.Writer, folder runfiles.Folder, c harness.Config) func(harness.Sample) error {
	return func(s harness.Sample) error {
		path := folder.TimelinePath(s.Strategy, s.Cores, s.Workers, c.DefaultWorkers(s.Trial))
		if err := harness.SaveTimeline(path, s); err != nil {
			fmt.Fprintf(stderr, "parbench: warning: timeline of %v not written: %v\n", s.Trial, err)
		}
		return nil
	}
}

// runCounts is what bench.txt holds at the end of a run.
type runCounts struct {
	kept        int  // sample lines in the file
	timed       int  // paired (or fixed-round) samples
	calibration int  // rounds of the calibration meter
	complete    bool // the timed sweep finished
}

// runOutcome is the run's last error, if any, with counts that say what
// bench.txt holds: finishErr is bench.txt's last rewrite failing, which
// leaves it marked partial whatever was measured.
func runOutcome(runErr, finishErr error, n runCounts, path string) error {
	if runErr == nil && finishErr == nil {
		return nil
	}
	mark := " (complete)"
	switch {
	case finishErr != nil:
		mark = fmt.Sprintf(" (still marked partial: rewriting it failed: %v)", finishErr)
	case !n.complete:
		mark = " (marked partial)"
	}
	err := runErr
	if err == nil {
		err = fmt.Errorf("finishing %s", filepath.Base(path))
	}
	return fmt.Errorf("%w; %d samples kept in %s%s (%d timed, %d calibration rounds)", err, n.kept, path, mark, n.timed, n.calibration)
}
