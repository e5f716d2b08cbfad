package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
)

// reportProfiles finishes a profiling pass: it prints the pass's warnings,
// writes the breakdown table of the run folder's CPU profiles
// (profiles/breakdown.txt, as report.ProfileBreakdown breaks them down),
// and says what the pass left.
//
// A profile that cannot be written or read is a warning: the timings are
// complete by now and stay so. It is an error only when the pass was asked
// for and made no file at all: not one CPU profile with -profile.
func reportProfiles(stderr io.Writer, c harness.Config, folder runfiles.Folder, set harness.ProfileSet) error {
	warn := func(err error) { fmt.Fprintf(stderr, "parbench: warning: %v\n", err) }
	for _, w := range set.Warnings {
		warn(w)
	}
	breakdown, err := writeBreakdown(folder, warn)
	if err != nil {
		warn(fmt.Errorf("overhead breakdown: %w", err))
	}
	if c.Profile && set.CPUProfiles() == 0 {
		return errors.New("profiling pass: no profile could be made (the timings in bench.txt are complete)")
	}
	profiled := 0
	for _, tp := range set.Trials {
		if f := tp.Files; f.CPU != "" || f.Mutex != "" || f.Block != "" || f.Heap != "" {
			profiled++
		}
	}
	// The counts are of files written: a full disk shows here too.
	if want := len(c.Trials()); profiled < want {
		fmt.Fprintf(stderr, "parbench: profiles of %d of %d configurations in %s (the others: warnings above)", profiled, want, set.Dir)
	} else {
		fmt.Fprintf(stderr, "parbench: profiles of %d configurations in %s", profiled, set.Dir)
	}
	if breakdown {
		fmt.Fprintf(stderr, ", overhead breakdown in %s", runfiles.BreakdownFile)
	}
	fmt.Fprintln(stderr)
	return nil
}

// writeBreakdown writes the breakdown table of the folder's CPU profiles
// through a temporary file, so that a reader never sees half a table; a
// profile that cannot be broken down is a warning. written is false where
// there was nothing to write.
func writeBreakdown(folder runfiles.Folder, warn func(error)) (written bool, err error) {
	rows, problems := report.ProfileBreakdown(folder)
	for _, p := range problems {
		warn(fmt.Errorf("overhead breakdown: %w", p))
	}
	if len(rows) == 0 {
		return false, nil
	}
	var b bytes.Buffer
	if err := profiles.WriteBreakdown(&b, rows); err != nil {
		return false, err
	}
	if err := runfiles.WriteFileAtomic(folder.BreakdownPath(), b.Bytes()); err != nil {
		return false, err
	}
	return true, nil
}
