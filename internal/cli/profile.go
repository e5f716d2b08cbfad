package cli

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// summaryFile is the overhead breakdown's table, beside the profiles.
const summaryFile = "summary.txt"

// reportProfiles finishes a profiling pass: it prints the pass's warnings,
// computes the overhead breakdown of every CPU profile, writes
// profiles/summary.txt, and returns the breakdown's rows (the data of the
// overhead chart), sorted by strategy, cores and workers.
//
// A profile that cannot be written or read is a warning: the timings are
// complete by now and stay so. It is an error only when the pass was asked
// for and made no file at all: not one CPU profile with -profile.
func reportProfiles(stderr io.Writer, c harness.Config, set harness.ProfileSet) ([]profiles.Row, error) {
	warn := func(err error) { fmt.Fprintf(stderr, "parbench: warning: %v\n", err) }
	for _, w := range set.Warnings {
		warn(w)
	}
	profiled := 0
	var rows []profiles.Row
	for _, tp := range set.Trials {
		if f := tp.Files; f.CPU != "" || f.Mutex != "" || f.Block != "" || f.Heap != "" {
			profiled++
		}
		if tp.Files.CPU == "" {
			continue
		}
		row, err := breakdownRow(tp.Files.CPU, tp.Trial)
		if err != nil {
			warn(fmt.Errorf("overhead breakdown of %v: %w", tp.Trial, err))
			continue
		}
		rows = append(rows, row)
	}
	sortProfileRows(rows)
	summary := false
	if len(rows) > 0 {
		path := filepath.Join(set.Dir, summaryFile)
		if err := writeSummary(path, rows); err != nil {
			warn(fmt.Errorf("overhead breakdown: %w", err))
		} else {
			summary = true
		}
	}

	cpus := set.CPUProfiles()
	if c.Profile && cpus == 0 {
		return nil, errors.New("profiling pass: no profile could be made (the timings in bench.txt are complete)")
	}
	// The counts are of files written: a full disk shows here too.
	if want := len(c.Trials()); profiled < want {
		fmt.Fprintf(stderr, "parbench: profiles of %d of %d configurations in %s (the others: warnings above)", profiled, want, set.Dir)
	} else {
		fmt.Fprintf(stderr, "parbench: profiles of %d configurations in %s", profiled, set.Dir)
	}
	if summary {
		fmt.Fprintf(stderr, ", overhead breakdown in %s", summaryFile)
	}
	fmt.Fprintln(stderr)
	return rows, nil
}

// breakdownRow splits the CPU time of the profile at path by category.
func breakdownRow(path string, t harness.Trial) (profiles.Row, error) {
	p, err := runfiles.ReadProfile(path)
	if err != nil {
		return profiles.Row{}, err
	}
	shares, err := profiles.Breakdown(p)
	if err != nil {
		return profiles.Row{}, fmt.Errorf("%s: %w", path, err)
	}
	return profiles.Row{Strategy: t.Strategy, Cores: t.Cores, Workers: t.Workers, Shares: shares}, nil
}

// sortProfileRows orders breakdown rows as the other tables: strategies
// in registry order, then cores, then workers.
func sortProfileRows(rows []profiles.Row) {
	order := strategies.Names()
	slices.SortStableFunc(rows, func(a, b profiles.Row) int {
		return cmp.Or(
			cmp.Compare(slices.Index(order, a.Strategy), slices.Index(order, b.Strategy)),
			cmp.Compare(a.Strategy, b.Strategy),
			cmp.Compare(a.Cores, b.Cores),
			cmp.Compare(a.Workers, b.Workers))
	})
}

// writeSummary writes summary.txt through a temporary file, so a reader
// never sees half a table.
func writeSummary(path string, rows []profiles.Row) error {
	var b bytes.Buffer
	if err := profiles.WriteSummary(&b, rows); err != nil {
		return err
	}
	return runfiles.WriteFileAtomic(path, b.Bytes())
}
