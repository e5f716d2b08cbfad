package report

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/parbench/parbench/internal/strategyorder"
	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/runfiles"
)

// Evidence is what the report reads of one input's run folder besides its
// bench file, through runfiles.Folder: what the loss accounting, the
// timeline and overhead charts and report.html's list of profiles need.
// Each kind of file is read once, when the report is loaded; nothing is
// read again while the report is written.
type Evidence struct {
	// Machine is the Label of the machine whose results the input holds,
	// "" if none of its lines was used.
	Machine string
	// Folder is the input's run folder.
	Folder runfiles.Folder
	// Traces are the execution traces of its timeline batches, each
	// split into the shares of its batch's core-time.
	Traces []TraceShares
	// Timelines are its timeline CSVs with their configurations; their
	// jobs are read when their charts are drawn.
	Timelines []runfiles.TimelineFile
	// Breakdown is the breakdown of each of its CPU profiles by
	// category, strategies in the one order, then by cores and workers.
	Breakdown []profiles.Row
	// Profiles are its profiles and traces, as runfiles.Folder lists
	// them; HasBreakdownFile says the profiling pass wrote the breakdown
	// table beside them.
	Profiles         []string
	HasBreakdownFile bool
}

// CheckEvidence names the warnings about a file of a run folder, besides
// its bench file, that could not be read: a trace, a timeline, a CPU
// profile. The report goes on without it.
const CheckEvidence = "evidence"

// ReadRunFolders reads the Evidence of each input's run folder (Input.Dir)
// and explains the rows' losses with its traces (Explain). What cannot be
// read is a warning (CheckEvidence), and the rest is used. Load and
// LoadSet call it; a report of results from memory has no run folders
// until its Inputs are set. Calling it again reads the folders again.
func (r *Report) ReadRunFolders() {
	r.Warnings = slices.DeleteFunc(r.Warnings, func(e error) bool {
		w, ok := e.(*Warning)
		return ok && w.Check == CheckEvidence
	})
	r.Evidence = nil
	for _, in := range r.Inputs {
		ev := Evidence{Folder: runfiles.Folder{Dir: in.Dir}}
		for _, m := range r.Machines {
			if m.File == in.Path {
				ev.Machine = m.Label
			}
		}
		var problems []error
		ev.Timelines, problems = ev.Folder.Timelines()
		for _, err := range problems {
			r.warn(ev.Machine, CheckEvidence, "%v", err)
		}
		ev.Traces = r.readTraces(ev.Machine, ev.Timelines)
		ev.Breakdown, problems = ProfileBreakdown(ev.Folder)
		for _, err := range problems {
			r.warn(ev.Machine, CheckEvidence, "%v", err)
		}
		ev.Profiles = ev.Folder.ProfilePaths()
		ev.HasBreakdownFile = ev.Folder.HasBreakdown()
		r.Evidence = append(r.Evidence, ev)
	}
	r.Explain(r.Evidence)
}

// readTraces splits the execution trace of every timeline batch that has
// one; a trace that cannot be split is a warning.
func (r *Report) readTraces(machine string, timelines []runfiles.TimelineFile) []TraceShares {
	var out []TraceShares
	for _, tf := range timelines {
		if tf.Trace == "" {
			continue
		}
		ts, err := traceShares(tf.Trace, r.Params.Gap)
		if err != nil {
			r.warn(machine, CheckEvidence, "%s: %v; the losses of %s/cores=%d/workers=%d are not split by a trace",
				tf.Trace, err, tf.Strategy, tf.Cores, tf.Workers)
			continue
		}
		ts.Strategy, ts.Cores, ts.Workers = tf.Strategy, tf.Cores, tf.Workers
		out = append(out, ts)
	}
	return out
}

// traceShares splits one trace file into the shares of its batch's
// core-time; gap is the workload's arrival gap, which tells awaiting a
// release from starving.
func traceShares(path string, gap time.Duration) (TraceShares, error) {
	f, err := os.Open(path)
	if err != nil {
		return TraceShares{}, err
	}
	defer f.Close()
	ct, err := profiles.SplitTrace(f, gap, profiles.TraceLimits{})
	if err != nil {
		return TraceShares{}, err
	}
	total := ct.Total
	if !(total > 0) {
		return TraceShares{}, errors.New("a batch of no core-time")
	}
	w := ct.Waiting
	ts := TraceShares{
		JobCPU:          ct.JobCPU / total,
		Runnable:        w.BehindJobs / total,
		Preempted:       w.PreemptedByOverhead / total,
		SchedulingDelay: w.SchedulingDelay / total,
		NoJobOverhead:   ct.NoJob.Overhead / total,
		OverheadInJobs:  ct.OverheadInJobs / total,
		Blocked:         map[string]float64{},
	}
	for i, v := range w.Blocked {
		if v > 0 {
			ts.Blocked[profiles.BlockReason(i).String()] = v / total
		}
	}
	return ts, nil
}

// ProfileBreakdown breaks down every per-configuration CPU profile of a
// run folder, each of which names its configuration in its sample labels:
// the overhead chart's bars, and the rows of the breakdown table that the
// profiling pass leaves beside the profiles (profiles.WriteBreakdown). The
// rows are sorted as the other tables: strategies in the one order, then
// cores, then workers. A profile that cannot be read or broken down is one
// of problems, and left out.
func ProfileBreakdown(f runfiles.Folder) (rows []profiles.Row, problems []error) {
	for _, path := range f.CPUProfilePaths() {
		p, err := runfiles.ReadCPUProfile(path)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		shares, err := profiles.Breakdown(p.Profile)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", path, err))
			continue
		}
		rows = append(rows, profiles.Row{Strategy: p.Strategy, Cores: p.Cores, Workers: p.Workers, Shares: shares})
	}
	slices.SortStableFunc(rows, func(a, b profiles.Row) int {
		return cmp.Or(strategyorder.Compare(a.Strategy, b.Strategy), cmp.Compare(a.Cores, b.Cores), cmp.Compare(a.Workers, b.Workers))
	})
	return rows, problems
}
