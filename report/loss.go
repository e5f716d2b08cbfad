package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/parbench/parbench/internal/pairstat"
	"github.com/parbench/parbench/runfiles"
	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"
)

// Where the speedup went. A k-core batch of wall time W has k × W of
// core-time, and every part of the loss accounting is a share of it, taken
// from the timed pair itself: its batch, its jobs' intervals and CPU
// clocks, its threads' run delay, and the baseline half beside it. With
// C the jobs' own CPU time, T the baseline half's time for as many jobs
// and B its thread CPU, I the core-time with no job open (from the jobs'
// intervals), one pair's core-time splits exactly as
//
//	k×W = T + (C − B) + (B − T) + (k×W − I − C) + I
//	      efficiency, slowdown, baseline's own, waiting, no job
//
// Efficiency is the pair's speedup over k. Slowdown is the jobs' CPU
// beyond the baseline's for as many jobs (of it, the machine's share is
// what the ceiling's copies needed beyond their baseline: the CPUs were
// slower with all of them busy); baseline's own is the baseline half's
// time outside its jobs' CPU, a small negative term. Waiting is core-time
// inside jobs' intervals with the job not running, and no-job time is
// split by the phase it fell in: ramp-up, starved, awaiting release,
// tail.
//
// Waiting is the one part computed as a difference, so it is checked
// against what measures it directly: the threads' run delay while the
// batch ran (descheduled: the OS gave the CPU to another process, which
// schedstat sees, at most the core-time the batch's own processes did not
// use; it counts in the waiting up to the waiting, and in the
// no-job time beyond, a thread descheduled between jobs leaving its slot
// empty) and, from the execution trace of the configuration's
// timeline batch, the goroutines that were runnable behind other jobs,
// blocked (with the reason), or preempted by the runtime's and the
// harness's own work. What those do not account for is unexplained. The
// trace also says how much of the no-job time was CPU work between jobs
// (overhead between jobs), which is taken out of the phases. Where the
// jobs run in other processes and no trace sees them, the processes' CPU
// outside jobs by their clocks (process CPU − jobs' CPU) stands for the
// trace's preempted and overhead parts: it ran inside jobs' intervals or
// between them.
//
// A configuration's parts are the means of its pairs' parts over the pairs
// the speedup's trimmed mean keeps (the pairs with all the evidence, cut
// by their ratios as pairstat.TrimmedMean cuts), so that they still add
// up and the efficiency part is the headline speedup over k.

// MaxUnexplained is how far, in fractions of ideal, the part of the
// waiting that neither the OS nor the trace accounts for may reach before
// the report warns.
const MaxUnexplained = 0.02

// A LossPart names one part of a Loss.
type LossPart string

// The parts, in the order they stack in the charts and the tables.
const (
	PartEfficiency    LossPart = "efficiency"
	PartSlowdown      LossPart = "slowdown"
	PartBaselineOwn   LossPart = "baseline_own"
	PartDescheduled   LossPart = "descheduled"
	PartRunnable      LossPart = "runnable"
	PartBlocked       LossPart = "blocked"
	PartPreempted     LossPart = "preempted"
	PartSleepOverlap  LossPart = "sleep_overlap"
	PartRampUp        LossPart = "ramp_up"
	PartStarved       LossPart = "starved"
	PartAwaiting      LossPart = "awaiting_release"
	PartTail          LossPart = "tail"
	PartOverheadNoJob LossPart = "overhead_between_jobs"
	PartUnexplained   LossPart = "unexplained"
)

// LossParts are every part, in order: they add up to 1.
var LossParts = []LossPart{PartEfficiency, PartSlowdown, PartBaselineOwn, PartDescheduled, PartRunnable,
	PartBlocked, PartPreempted, PartSleepOverlap, PartRampUp, PartStarved, PartAwaiting, PartTail, PartOverheadNoJob, PartUnexplained}

// A Loss splits one configuration's core-time into LossParts, each a
// fraction of k × W, averaged over Pairs of its pairs; the parts add up to
// 1. A part no instrument measured is 0 and its absence is said by
// Traced and JobsCPUFrom.
type Loss struct {
	Pairs int
	Parts map[LossPart]float64
	// SlowdownMachine is the part of Slowdown the ceiling's copies showed
	// too: the CPUs slower with all of them busy; NaN without a ceiling
	// with the evidence.
	SlowdownMachine float64
	// Waiting is the whole waiting inside jobs' intervals, of which
	// descheduled, runnable, blocked, preempted and unexplained are the
	// parts.
	Waiting float64
	// BlockedBy splits Blocked by the reason the trace gives.
	BlockedBy map[string]float64
	// OverheadByClock is the process's CPU (its workers' included) beyond
	// the jobs' own, over k × W; OverheadByTrace the trace's non-job CPU
	// (between jobs and preempting them) as a share of its batch. Two
	// instruments of one thing: the table shows both.
	OverheadByClock, OverheadByTrace float64
	// JobsCPUFrom is where the jobs' CPU came from: "clock" (a thread
	// clock per job, in each pair), "trace" (the trace batch's share, for
	// jobs too short for a clock each), or "process" (the process's CPU:
	// overhead then counts as slowdown).
	JobsCPUFrom string
	// Traced says the waiting and the no-job time were split with an
	// execution trace.
	Traced bool
}

// Part is one part, 0 when absent.
func (l *Loss) Part(p LossPart) float64 { return l.Parts[p] }

// Sum is the parts added up: 1 but for float rounding.
func (l *Loss) Sum() float64 {
	var s float64
	for _, p := range LossParts {
		s += l.Parts[p]
	}
	return s
}

// TraceShares is what the execution trace of one configuration's timeline
// batch says, each as a share of that batch's core-time (k × W).
type TraceShares struct {
	Strategy       string
	Cores, Workers int
	// JobCPU is the job goroutines' running time inside their jobs.
	JobCPU float64
	// The waiting inside jobs: runnable behind other jobs' goroutines,
	// runnable while a P ran other work (the runtime's, the harness's),
	// runnable with a P idle (scheduling delay), and blocked by reason.
	Runnable, Preempted, SchedulingDelay float64
	Blocked                              map[string]float64
	// NoJobOverhead is non-job CPU while no job was open in a slot;
	// OverheadInJobs what ran beyond the empty slots.
	NoJobOverhead, OverheadInJobs float64
}

// pairEvidence is one timed pair's loss evidence, in seconds of its batch
// (core-seconds for the idle parts); NaN where not recorded.
type pairEvidence struct {
	wall, base, baseCPU, cpu, jobsCPU, descheduled float64
	idle                                           [4]float64 // ramp-up, starved, awaiting release, tail
}

// complete reports whether the pair has what every part needs: its
// baseline and its no-job time.
func (e pairEvidence) complete() bool {
	if !(e.wall > 0) || !(e.base > 0) {
		return false
	}
	for _, v := range e.idle {
		if math.IsNaN(v) || v < 0 {
			return false
		}
	}
	return true
}

// pairParts splits one pair's core-time; jobsCPUShare, when the pair has
// no clock of its jobs, is the trace's share of it (NaN for none). sleep
// is the batch's sleep by the workload's definition (jobs × sleep, in
// seconds): like the XOR-sum itself, it is the jobs' own work, which the
// baseline half does too, so it counts beside the jobs' CPU in both and
// is no loss; what the jobs waited beyond it is.
func (e pairEvidence) parts(cores int, jobsCPUShare, sleep float64) (parts [numPairParts]float64, from string) {
	kw := float64(cores) * e.wall
	jobs, from := e.jobsCPU, "clock"
	switch {
	case e.jobsCPU > 0 && !(e.cpu > 0 && e.jobsCPU > e.cpu*(1+clockSlack)):
		// The jobs' clocks, unless they add up to more than the
		// process's: then a clock counted another goroutine's CPU
		// that ran on its thread while its job waited.
	case !math.IsNaN(jobsCPUShare):
		jobs, from = jobsCPUShare*kw, "trace"
	default:
		jobs, from = e.cpu, "process"
	}
	baseCPU := e.baseCPU
	if !(baseCPU > 0) {
		baseCPU = e.base // no thread clock: the half's own time is nil
	} else {
		baseCPU = min(e.base, baseCPU+sleep)
	}
	jobs += sleep
	var idle float64
	for _, v := range e.idle {
		idle += v
	}
	parts[ppEfficiency] = e.base / kw
	parts[ppSlowdown] = (jobs - baseCPU) / kw
	parts[ppBaselineOwn] = (baseCPU - e.base) / kw
	parts[ppWaiting] = (kw - idle - jobs) / kw
	for i, v := range e.idle {
		parts[ppRampUp+i] = v / kw
	}
	// A thread's run delay is lost core-time only when the CPU ran
	// another process's work meanwhile, not this batch's own other
	// threads (a worker waiting while its parent dispatches on the one
	// CPU): so it counts at most the core-time the batch's processes did
	// not use.
	desched := nanZero(e.descheduled)
	if e.cpu >= 0 {
		desched = min(desched, max(0, kw-e.cpu))
	}
	parts[ppDescheduled] = desched / kw
	parts[ppBaselineCPU] = (baseCPU - min(sleep, baseCPU)) / kw
	parts[ppSleep] = sleep / kw
	parts[ppOverhead] = math.NaN()
	if e.cpu > 0 && jobs-sleep > 0 {
		parts[ppOverhead] = (e.cpu - (jobs - sleep)) / kw
	}
	return parts, from
}

// The parts of one pair, as pairParts returns them.
const (
	ppEfficiency = iota
	ppSlowdown
	ppBaselineOwn
	ppWaiting
	ppRampUp // then starved, awaiting release, tail
	ppStarved
	ppAwaiting
	ppTail
	ppDescheduled
	ppBaselineCPU // for the machine's share of slowdown
	ppOverhead    // process CPU beyond the jobs', NaN without both
	ppSleep       // the workload's sleep, jobs × sleep
	numPairParts
)

// Explain gives every row with per-pair evidence its Loss, from its pairs
// and, where evidence holds its configuration's trace, the trace's
// shares; it warns about each configuration whose unexplained part is
// beyond MaxUnexplained. Rows of run folders written before pairs carried
// their evidence get none. Calling it again replaces the losses and their
// warnings.
func (r *Report) Explain(evidence []Evidence) {
	r.Warnings = slices.DeleteFunc(r.Warnings, func(e error) bool {
		w, ok := e.(*Warning)
		return ok && w.Check == CheckLoss
	})
	traces := map[string][]TraceShares{}
	for _, ev := range evidence {
		traces[ev.Machine] = append(traces[ev.Machine], ev.Traces...)
	}
	for _, m := range r.Machines {
		var rows []*Row
		for i := range r.Rows {
			if r.Rows[i].Machine == m.Label {
				rows = append(rows, &r.Rows[i])
				r.Rows[i].Loss = nil
			}
		}
		trace := func(row *Row) (TraceShares, bool) {
			for _, t := range traces[m.Label] {
				if t.Strategy == row.Strategy && t.Cores == row.Cores && t.Workers == row.Workers {
					return t, true
				}
			}
			return TraceShares{}, false
		}
		machine := map[int]float64{} // the ceiling's copies' slowdown ratio, by cores
		for _, row := range rows {
			if row.Strategy == CeilingStrategy {
				if v, ok := row.copiesSlowdown(); ok {
					machine[row.Cores] = v
				}
			}
		}
		for _, row := range rows {
			if row.Strategy == CeilingStrategy {
				continue
			}
			tr, traced := trace(row)
			l := row.explain(tr, traced, machine, float64(r.Params.Jobs)*r.Params.Sleep.Seconds())
			if l == nil {
				continue
			}
			row.Loss = l
			if u := l.Part(PartUnexplained); math.Abs(u) > MaxUnexplained {
				r.warn(m.Label, CheckLoss, "%s: %s points of the waiting inside jobs unexplained: %s",
					row.Name(), fmtPoints(u), unexplainedCause(l))
			}
		}
	}
}

// unexplainedCause says what a configuration's unexplained part is the
// gap between, and what it means.
func unexplainedCause(l *Loss) string {
	measured := l.Part(PartDescheduled) + l.Part(PartRunnable) + l.Part(PartBlocked) + l.Part(PartPreempted)
	s := fmt.Sprintf("the pairs' jobs waited %s points inside their intervals (core-time minus their CPU and the no-job time), the OS's run delay and the trace account for %s",
		fmtPoints(l.Waiting), fmtPoints(measured))
	switch {
	case !l.Traced:
		s += "; no execution trace split it (the strategy's workers are other processes, or -trace was off)"
	case l.JobsCPUFrom != "clock":
		s += fmt.Sprintf("; the jobs' CPU came from the %s, not a clock in each pair", l.JobsCPUFrom)
	default:
		s += "; the trace's batch waited differently from the timed ones"
	}
	return s
}

// copiesSlowdown is, for a ceiling row, how much more CPU per job its
// copies used than their baseline halves: the machine's own slowdown with
// every CPU busy.
func (row *Row) copiesSlowdown() (float64, bool) {
	var sum float64
	n := 0
	for _, i := range row.trimmedPairs(func(e pairEvidence) bool { return e.wall > 0 && e.base > 0 && e.jobsCPU > 0 && e.baseCPU > 0 }) {
		e := row.pairs[i]
		sum += e.jobsCPU/e.baseCPU - 1
		n++
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// trimmedPairs are the indices of the row's pairs that have the evidence
// (use), cut as the trimmed mean cuts their ratios.
func (row *Row) trimmedPairs(use func(pairEvidence) bool) []int {
	type ratio struct {
		i int
		v float64
	}
	var rs []ratio
	for i, e := range row.pairs {
		if use(e) {
			rs = append(rs, ratio{i, e.base / e.wall})
		}
	}
	slices.SortFunc(rs, func(a, b ratio) int { return cmp.Or(cmp.Compare(a.v, b.v), cmp.Compare(a.i, b.i)) })
	g := trimCount(len(rs))
	var out []int
	for _, r := range rs[g : len(rs)-g] {
		out = append(out, r.i)
	}
	slices.Sort(out)
	return out
}

// explain is one row's Loss, nil without a pair that has the evidence.
func (row *Row) explain(tr TraceShares, traced bool, machine map[int]float64, sleep float64) *Loss {
	kept := row.trimmedPairs(pairEvidence.complete)
	if len(kept) == 0 {
		return nil
	}
	jobsShare := math.NaN()
	if traced && tr.JobCPU > 0 {
		jobsShare = tr.JobCPU
	}
	var mean [numPairParts]float64
	overheadPairs := 0
	froms := map[string]int{}
	for _, i := range kept {
		p, from := row.pairs[i].parts(row.Cores, jobsShare, sleep)
		froms[from]++
		for j, v := range p {
			if j == ppOverhead {
				if !math.IsNaN(v) {
					mean[j] += v
					overheadPairs++
				}
				continue
			}
			mean[j] += v
		}
	}
	n := float64(len(kept))
	for j := range mean {
		if j == ppOverhead {
			continue
		}
		mean[j] /= n
	}
	l := &Loss{Pairs: len(kept), Parts: map[LossPart]float64{}, SlowdownMachine: math.NaN(),
		OverheadByClock: math.NaN(), OverheadByTrace: math.NaN(), Traced: traced, Waiting: mean[ppWaiting]}
	if overheadPairs > 0 {
		l.OverheadByClock = mean[ppOverhead] / float64(overheadPairs)
	}
	l.JobsCPUFrom = "clock"
	for _, f := range []string{"process", "trace"} {
		if froms[f] > 0 {
			l.JobsCPUFrom = f
		}
	}
	l.Parts[PartEfficiency] = mean[ppEfficiency]
	l.Parts[PartSlowdown] = mean[ppSlowdown]
	l.Parts[PartBaselineOwn] = mean[ppBaselineOwn]
	if v, ok := machine[row.Cores]; ok && row.Cores > 1 {
		l.SlowdownMachine = v * mean[ppBaselineCPU]
	}
	phases := []LossPart{PartRampUp, PartStarved, PartAwaiting, PartTail}
	var noJob float64
	for i, p := range phases {
		l.Parts[p] = mean[ppRampUp+i]
		noJob += mean[ppRampUp+i]
	}
	// carve takes v out of the no-job phases, in proportion to them.
	carve := func(v float64) {
		if v <= 0 || noJob <= 0 {
			return
		}
		for _, p := range phases {
			l.Parts[p] -= v * l.Parts[p] / noJob
		}
		noJob -= v
	}
	// With neither the jobs' clocks nor a trace, the jobs' CPU is the
	// processes' CPU, and a negative waiting says some of it ran while no
	// job was open: a job cannot use more CPU than its own interval. That
	// much, at least, is overhead between jobs, not the jobs' slowdown.
	if l.JobsCPUFrom == "process" && l.Waiting < 0 {
		x := min(-l.Waiting, noJob)
		carve(x)
		l.Parts[PartSlowdown] -= x
		l.Parts[PartOverheadNoJob] += x
		l.Waiting += x
	}
	// The run delay of the batch's threads fell mostly inside jobs (a
	// thread descheduled while it ran one), and the rest while no job was
	// open (a thread descheduled between jobs): it is waiting up to the
	// waiting, then no-job time. What exceeds both is the instruments'
	// disagreement, and unexplained.
	desched := mean[ppDescheduled]
	inJobs := min(desched, max(0, l.Waiting))
	between := min(desched-inJobs, noJob)
	carve(between)
	l.Parts[PartDescheduled] = desched
	waitingMeasured := inJobs + (desched - inJobs - between)
	if traced {
		l.Parts[PartRunnable] = tr.Runnable
		l.Parts[PartPreempted] = tr.Preempted + tr.SchedulingDelay
		l.BlockedBy = map[string]float64{}
		// The workload's sleep is the jobs' own work: the trace's
		// sleeping up to it is no loss, and what the trace did not
		// find of it inside the jobs' slots ran beyond them, at once
		// with other jobs (more jobs open than cores).
		sleepLeft := mean[ppSleep]
		for reason, v := range tr.Blocked {
			if reason == BlockedSleep {
				own := min(v, sleepLeft)
				v -= own
				sleepLeft -= own
			}
			l.Parts[PartBlocked] += v
			l.BlockedBy[reason] = v
		}
		l.Parts[PartSleepOverlap] = -sleepLeft
		waitingMeasured += tr.Runnable + tr.Preempted + tr.SchedulingDelay + l.Parts[PartBlocked] - sleepLeft
		l.OverheadByTrace = tr.NoJobOverhead + tr.OverheadInJobs
		// The trace's CPU work between jobs comes out of the no-job
		// phases too.
		if over := min(tr.NoJobOverhead, noJob); over > 0 {
			carve(over)
			l.Parts[PartOverheadNoJob] += over
		}
	}
	if !traced && l.OverheadByClock > 0 {
		// No trace (the jobs ran in other processes): the CPU the
		// processes spent outside jobs, by their clocks, ran somewhere in
		// the core-time: while a job was open, preempting it, or while
		// none was. Inside jobs first, since a worker's next job waits in
		// its pipe while its parent dispatches; what exceeds both is the
		// clocks' disagreement with the intervals, shown beside.
		inJobs := min(l.OverheadByClock, max(0, l.Waiting-waitingMeasured))
		l.Parts[PartPreempted] = inJobs
		waitingMeasured += inJobs
		between := min(l.OverheadByClock-inJobs, noJob)
		carve(between)
		l.Parts[PartOverheadNoJob] += between
	}
	l.Parts[PartUnexplained] = l.Waiting - waitingMeasured
	return l
}

// BlockedSleep is the trace's reason for a goroutine blocked in a sleep.
const BlockedSleep = "sleep"

// clockSlack is how far the jobs' clocks may add up beyond the process's
// CPU (two clocks read at different moments) before they are taken to
// have counted other work.
const clockSlack = 0.01

// trimCount is how many values the trimmed mean cuts off each end of n.
func trimCount(n int) int { return int(pairstat.Trim * float64(n)) }

// PartTitle is a part's name in prose, tables and charts.
func PartTitle(p LossPart) string {
	switch p {
	case PartBaselineOwn:
		return "baseline's own"
	case PartAwaiting:
		return "awaiting release"
	case PartOverheadNoJob:
		return "overhead between jobs"
	case PartRampUp:
		return "ramp-up"
	case PartSleepOverlap:
		return "sleep overlap"
	}
	return string(p)
}

// CheckLoss names the warnings of Explain: a configuration whose waiting
// the instruments do not account for.
const CheckLoss = "loss"

func nanZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// evidenceOf reads a sample's loss evidence; secs and base are its batch
// and its baseline, already read.
func evidenceOf(r *benchfmt.Result, secs, base float64) pairEvidence {
	get := func(unit string) float64 {
		v, ok := r.Value(tidyUnit(unit))
		if !ok {
			// benchfmt leaves a zero in its own unit, untidied.
			if raw, isRaw := r.Value(unit); isRaw {
				v, _ = benchunit.Tidy(raw, unit)
				ok = true
			}
		}
		if ok && v >= 0 && !math.IsInf(v, 0) {
			return v
		}
		return math.NaN()
	}
	e := pairEvidence{wall: secs, base: base, baseCPU: get(runfiles.BaselineCPUUnit), cpu: math.NaN(),
		jobsCPU: get(runfiles.JobsCPUUnit), descheduled: get(runfiles.DescheduledUnit)}
	if v, ok := r.Value("cpu-sec/op"); ok && v >= 0 {
		e.cpu = v
	}
	for i, unit := range []string{runfiles.IdleRampUpUnit, runfiles.IdleStarvedUnit, runfiles.IdleAwaitingUnit, runfiles.IdleTailUnit} {
		e.idle[i] = get(unit)
	}
	return e
}

// tidyUnit is a unit as benchfmt reads it: ns become sec.
func tidyUnit(unit string) string {
	_, u := benchunit.Tidy(1, unit)
	return u
}
