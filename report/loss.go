package report

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"time"
)

// MaxUnexplained is how far, in fractions of ideal, the part of the gap
// that no measurement accounts for may reach before the report warns.
const MaxUnexplained = 0.05

// ceilingRowStrategy names the rows that hold the machine's own ceiling:
// k independent copies of the serial batch. Their Speedup is the
// attainable speedup at their core count.
const ceilingRowStrategy = "ceiling"

// A Loss splits the gap between ideal and measured efficiency of one row,
// in fractions of ideal (of cores × median wall time), so that
// Efficiency + Idle + Overhead + Slowdown + Unexplained = 1.
//
// Each part is measured against the baseline (serial on one core), whose
// own idle time, overhead and kernel time are subtracted: the baseline's
// row has no loss at all, and a part is negative where a configuration
// does better than the baseline at it.
type Loss struct {
	// Idle is core capacity with no job running: the batch's start,
	// waiting for releases, hand-offs between jobs, cores without a
	// worker, and the tail after the last job started. It comes from the
	// timeline batch where there is one (IdleFromTimeline), else from
	// cores × wall − CPU time (IdleCPU), and then Unexplained is NaN.
	// With a profile, the CPU that worked outside jobs (the hand-offs'
	// scheduler, channel and pipe work) is overhead and is taken out of
	// the timeline's idle, so that no time counts twice.
	Idle float64
	// IdleTail is the part of Idle after the last job of the timeline
	// started, when some cores had nothing left to take; NaN without a
	// timeline.
	IdleTail float64
	// IdleCPU is the same capacity from the timed batches: cores × wall
	// − CPU time, beyond the baseline's; NaN without CPU times.
	IdleCPU          float64
	IdleFromTimeline bool

	// Overhead is CPU time outside the kernel, from the CPU profile's
	// kernel share applied to the median CPU time. Without a profile for
	// this row and the baseline (Profiled false), Overhead holds
	// overhead and slowdown together and Slowdown is NaN: CPU time alone
	// cannot tell them apart.
	Overhead float64
	// Slowdown is kernel CPU beyond the baseline's: the kernel running
	// slower than on one core alone.
	Slowdown float64
	Profiled bool
	// KernelRatio is kernel CPU per job here over kernel CPU per job of
	// the baseline (1.08 is 8% slower); NaN without profiles.
	KernelRatio float64
	// CeilingRatio is the machine's own slowdown at this core count, k
	// over the ceiling's attainable speedup; NaN without a ceiling row.
	CeilingRatio float64

	// Unexplained is what remains of the gap; NaN where idle could only be
	// taken from CPU time, which makes the parts add up by construction.
	Unexplained float64
}

// Parts is the losses in the order they are stacked on the chart and
// listed in tables: idle, overhead, slowdown, unexplained. A part not
// measured is NaN.
func (l *Loss) Parts() [4]float64 {
	return [4]float64{l.Idle, l.Overhead, l.Slowdown, l.Unexplained}
}

// LossPartNames names the parts of Loss.Parts.
var LossPartNames = [4]string{"idle", "overhead", "slowdown", "unexplained"}

// Evidence is what the loss accounting reads besides bench.txt, for the
// runs of one machine: the untimed timeline batches and the kernel's share
// of each configuration's CPU profile.
type Evidence struct {
	Machine   string // Machine.Label
	Timelines []Timeline
	Profiles  []CPUShares
}

// A Timeline is one batch's per-job busy intervals, as the harness records
// them in timeline-*.csv.
type Timeline struct {
	Strategy       string
	Cores, Workers int
	Jobs           []Span
}

// A Span is one job: when it started and ended, from the batch's start.
type Span struct {
	Worker     int
	Start, End time.Duration
}

// CPUShares splits one configuration's profiled CPU time, each share from
// 0 to 1.
type CPUShares struct {
	Strategy       string
	Cores, Workers int
	// Kernel is the share spent in the XOR-sum kernel.
	Kernel float64
	// OutsideJobs is the share spent outside any job (profiles.OutsideJobs):
	// work on cores that a timeline shows without a job.
	OutsideJobs float64
}

// TimelineIdle is how much of the core capacity of a timeline batch, cores
// × its wall time, had no job running: at each moment, the cores beyond
// the number of jobs running, over [0, the last job's end]. tail is the
// part of it after the last job started, counted against the most jobs
// that ever ran at once (capped at the cores): capacity that was staffed
// but had nothing left to take. A core that never had a job, as with
// fewer workers than cores, is idle but not tail. Both are fractions of
// the capacity; ok is false for a batch without jobs or time.
func TimelineIdle(tl Timeline) (idle, tail float64, ok bool) {
	if tl.Cores < 1 || len(tl.Jobs) == 0 {
		return 0, 0, false
	}
	type event struct {
		at    time.Duration
		delta int
	}
	events := make([]event, 0, 2*len(tl.Jobs))
	var wall, lastStart time.Duration
	for _, j := range tl.Jobs {
		if j.End < j.Start || j.Start < 0 {
			return 0, 0, false
		}
		events = append(events, event{j.Start, +1}, event{j.End, -1})
		wall = max(wall, j.End)
		lastStart = max(lastStart, j.Start)
	}
	if wall <= 0 {
		return 0, 0, false
	}
	// Ends before starts at the same moment: a hand-off without a gap is
	// no idle time, and never more than the jobs that ran.
	slices.SortFunc(events, func(a, b event) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.delta, b.delta)) })
	peak, running := 0, 0
	for _, e := range events {
		running += e.delta
		peak = max(peak, running)
	}
	k := float64(tl.Cores)
	staffed := min(k, float64(peak))
	var idleNS, tailNS float64
	prev := time.Duration(0)
	for _, e := range events {
		if e.at > prev {
			idleNS += max(0, k-float64(running)) * float64(e.at-prev)
			if e.at > lastStart {
				tailNS += max(0, staffed-float64(running)) * float64(e.at-max(prev, lastStart))
			}
		}
		running += e.delta
		prev = e.at
	}
	capacity := k * float64(wall)
	return idleNS / capacity, tailNS / capacity, true
}

// Explain splits every row's gap to ideal efficiency into its losses
// (Row.Loss) from the evidence of each machine, and warns about each
// configuration whose unexplained part is beyond MaxUnexplained. A row
// needs a speedup, so a machine without a baseline gets no losses; a
// ceiling row gets none either, being the machine's measure, not a
// strategy's. Calling it again replaces the losses and their warnings.
func (r *Report) Explain(evidence []Evidence) {
	r.Warnings = slices.DeleteFunc(r.Warnings, func(e error) bool {
		w, ok := e.(*Warning)
		return ok && w.Check == CheckLoss
	})
	byMachine := map[string][]Evidence{}
	for _, ev := range evidence {
		byMachine[ev.Machine] = append(byMachine[ev.Machine], ev)
	}
	for _, m := range r.Machines {
		var rows []*Row
		for i := range r.Rows {
			if r.Rows[i].Machine == m.Label {
				rows = append(rows, &r.Rows[i])
				r.Rows[i].Loss = nil
			}
		}
		base := baselineRow(rows)
		if base == nil {
			continue
		}
		ev := byMachine[m.Label]
		timeline := func(row *Row) (idle, tail float64, ok bool) {
			for _, e := range ev {
				for _, tl := range e.Timelines {
					if tl.Strategy == row.Strategy && tl.Cores == row.Cores && tl.Workers == row.Workers {
						return TimelineIdle(tl)
					}
				}
			}
			return 0, 0, false
		}
		shares := func(row *Row) (CPUShares, bool) {
			for _, e := range ev {
				for _, p := range e.Profiles {
					if p.Strategy == row.Strategy && p.Cores == row.Cores && p.Workers == row.Workers &&
						p.Kernel >= 0 && p.Kernel <= 1 && p.OutsideJobs >= 0 && p.OutsideJobs <= 1 {
						return p, true
					}
				}
			}
			return CPUShares{}, false
		}
		ceiling := map[int]float64{}
		for _, row := range rows {
			if row.Strategy == ceilingRowStrategy && row.Speedup > 0 && !math.IsInf(row.Speedup, 0) {
				ceiling[row.Cores] = float64(row.Cores) / row.Speedup
			}
		}

		baseIdle, baseTail, baseTimeline := timeline(base)
		baseShares, baseProfiled := shares(base)
		for _, row := range rows {
			if row.Strategy == ceilingRowStrategy || math.IsNaN(row.Efficiency) {
				continue
			}
			in := lossInput{
				efficiency: row.Efficiency, capacity: float64(row.Cores) * row.Median, cpu: row.CPUSeconds,
				baseWall: base.Median, baseCPU: base.CPUSeconds,
				baseIdle: baseIdle, baseTail: baseTail,
			}
			in.idle, in.tail, in.timeline = timeline(row)
			if !baseTimeline {
				in.baseIdle, in.baseTail = 0, 0 // a serial loop hands off without gaps
			}
			if sh, ok := shares(row); ok && baseProfiled {
				in.kernel, in.baseKernel, in.profiled = sh.Kernel, baseShares.Kernel, true
				in.outside, in.baseOutside = sh.OutsideJobs, baseShares.OutsideJobs
			}
			l := in.loss()
			if l == nil {
				continue
			}
			l.CeilingRatio = math.NaN()
			if c, ok := ceiling[row.Cores]; ok && row.Cores > 1 {
				l.CeilingRatio = c
			}
			row.Loss = l
			if math.Abs(l.Unexplained) > MaxUnexplained {
				cause := "jobs that wait inside their interval (descheduled among more workers than cores, or sleeping where the baseline did not), overhead that preempted jobs instead of filling the gaps between them, or a timeline batch faster than the timed ones"
				switch {
				case row.Efficiency > 1:
					cause = "an efficiency above ideal, which no loss can explain: jobs that sleep overlapped their sleeps beyond the cores, or the baseline was timed in a slow moment"
				case l.Unexplained < 0 && !l.Profiled:
					cause = "CPU work between jobs (hand-offs: scheduler, channels, pipes) counted both as idle and as overhead, which a profile (-profile) would tell apart, or a timeline batch slower than the timed ones"
				case l.Unexplained < 0:
					cause = "a timeline batch that waited more than the timed ones (noise between one untimed batch and the medians)"
				}
				r.warn(m.Label, CheckLoss, "%s: %s points of the gap to ideal efficiency unexplained: idle is %s points from the timeline but %s from cores × wall − CPU time; likely %s",
					row.Name(), fmtPoints(l.Unexplained), fmtPoints(l.Idle), fmtPoints(l.IdleCPU), cause)
			}
		}
	}
}

// CheckLoss names the warnings of Explain: a configuration whose losses do
// not account for its gap to ideal.
const CheckLoss = "loss"

// lossInput is what one row's losses are computed from. Times are seconds
// of one batch; idle and tail are fractions of a timeline's capacity.
type lossInput struct {
	efficiency float64 // T(baseline) / (cores × wall)
	capacity   float64 // cores × median wall time
	cpu        float64 // median CPU time; NaN if not recorded
	baseWall   float64 // the baseline's median wall time
	baseCPU    float64

	idle, tail, baseIdle, baseTail float64
	timeline                       bool

	kernel, baseKernel   float64 // the kernel's shares of CPU time
	outside, baseOutside float64 // the shares outside any job
	profiled             bool
}

// loss applies the accounting to one row; nil when there is nothing to
// split it with.
//
// With C the CPU time, K its kernel share and I the idle core time, the
// configuration's capacity is k·T = I + C + X and the baseline's is
// T₁ = I₁ + C₁ + X₁, X being whatever no measurement sees. So
//
//	1 − E = (k·T − T₁)/(k·T) = [(I−I₁) + (C(1−K) − C₁(1−K₁)) + (CK − C₁K₁) + (X−X₁)] / (k·T)
//
// idle, overhead, slowdown and unexplained in that order. The timeline
// gives the capacity with no job as a fraction of its own batch's, which
// is scaled to the timed batches'; with a profile, the CPU spent outside
// jobs (C·outside) is taken out of it, being overhead, to give I. Then X
// is what the timeline's idle misses against cores × wall − CPU.
func (in lossInput) loss() *Loss {
	if !(in.capacity > 0) || !(in.baseWall > 0) {
		return nil
	}
	cpuKnown := in.cpu > 0 && in.baseCPU > 0
	if !cpuKnown && !in.timeline {
		return nil
	}
	l := &Loss{Idle: math.NaN(), IdleTail: math.NaN(), IdleCPU: math.NaN(), Overhead: math.NaN(),
		Slowdown: math.NaN(), KernelRatio: math.NaN(), CeilingRatio: math.NaN(), Unexplained: math.NaN()}
	// The baseline's idle time I₁ = baseIdle·T₁, over k·T, is baseIdle·E.
	if in.timeline {
		idle, baseIdle := in.idle, in.baseIdle*in.efficiency
		if in.profiled && cpuKnown {
			// CPU that works outside jobs does so while the timeline
			// shows no job: it is overhead, so it is not idle as well.
			// What is left is capacity with neither a job nor work.
			idle = max(0, idle-in.cpu*in.outside/in.capacity)
			baseIdle = max(0, baseIdle-in.baseCPU*in.baseOutside/in.capacity)
		}
		l.Idle = idle - baseIdle
		l.IdleTail = min(in.tail-in.baseTail*in.efficiency, max(0, l.Idle))
		l.IdleFromTimeline = true
	}
	if cpuKnown {
		l.IdleCPU = ((in.capacity - in.cpu) - (in.baseWall - in.baseCPU)) / in.capacity
		if !in.timeline {
			l.Idle = l.IdleCPU
		}
		if in.profiled {
			l.Profiled = true
			l.Overhead = (in.cpu*(1-in.kernel) - in.baseCPU*(1-in.baseKernel)) / in.capacity
			l.Slowdown = (in.cpu*in.kernel - in.baseCPU*in.baseKernel) / in.capacity
			if in.baseKernel > 0 {
				l.KernelRatio = in.cpu * in.kernel / (in.baseCPU * in.baseKernel)
			}
		} else {
			l.Overhead = (in.cpu - in.baseCPU) / in.capacity
		}
	}
	if in.timeline && cpuKnown {
		l.Unexplained = 1 - in.efficiency - l.Idle - l.Overhead - nanZero(l.Slowdown)
	}
	return l
}

func nanZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// fmtPoints formats a fraction of ideal in points of efficiency: 0.073 is
// "7.3".
func fmtPoints(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	s := fmt.Sprintf("%.1f", 100*v)
	if s == "-0.0" {
		s = "0.0"
	}
	return s
}

// lossTable is the text table of the losses, nil if no row has any.
func (r *Report) lossTable() (*table, []string) {
	multi := len(r.Machines) > 1
	t := &table{align: "lrrrrrrrrrrr"}
	head := []string{"strategy", "cores", "workers", "efficiency", "idle", "of it tail", "by CPU", "overhead", "slowdown", "unexplained", "kernel/job", "ceiling"}
	if multi {
		t.align = "l" + t.align
		head = append([]string{"machine"}, head...)
	}
	t.add(head...)
	var notes []string
	combined, cpuIdle, found := false, false, false
	for _, row := range r.Rows {
		l := row.Loss
		if l == nil {
			continue
		}
		found = true
		over, slow := fmtPoints(l.Overhead), fmtPoints(l.Slowdown)
		if !l.Profiled && !math.IsNaN(l.Overhead) {
			over += "†"
			slow = "in overhead"
			combined = true
		}
		idle := fmtPoints(l.Idle)
		if !l.IdleFromTimeline && !math.IsNaN(l.Idle) {
			idle += "‡"
			cpuIdle = true
		}
		cells := []string{
			row.Strategy, fmt.Sprint(row.Cores), workersText(row.Workers),
			fmtPoints(row.Efficiency), idle, fmtPoints(l.IdleTail), fmtPoints(l.IdleCPU), over, slow, fmtPoints(l.Unexplained),
			ratioText(l.KernelRatio), ratioText(l.CeilingRatio),
		}
		if multi {
			cells = append([]string{row.Machine}, cells...)
		}
		t.add(cells...)
	}
	if !found {
		return nil, nil
	}
	if combined {
		notes = append(notes, "† no CPU profile of this configuration or of the baseline: overhead and slowdown cannot be told apart and are shown as one part (run with -profile).")
	}
	if cpuIdle {
		notes = append(notes, "‡ no timeline of this configuration: idle is cores × wall − CPU time, and nothing is left to be unexplained (run with -timeline).")
	}
	return t, notes
}

// ratioText is a slowdown ratio such as "×1.08".
func ratioText(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return "×" + fmtRatio(v)
}

// writeLoss writes the loss table with its explanation, if there is one.
func (r *Report) writeLoss(w io.Writer) error {
	t, notes := r.lossTable()
	if t == nil {
		return nil
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Where the efficiency went, in points of ideal: efficiency + idle + overhead + slowdown + unexplained = 100,")
	fmt.Fprintf(w, "each part beyond %s on 1 core's own.\n", Baseline)
	for _, p := range lossParts() {
		fmt.Fprintf(w, "  %-12s %s\n", p[0], strings.ReplaceAll(p[1], "\n", "\n"+strings.Repeat(" ", 15)))
	}
	if err := t.write(w); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	return nil
}

// lossParts names each column of the loss table with what it holds, for
// summary.txt and report.html alike; a newline is where summary.txt wraps.
func lossParts() [][2]string {
	return [][2]string{
		{"idle", "cores with no job running in the timeline batch, less the CPU work between jobs that the\nprofile counts as overhead; by CPU: the same from cores × wall − CPU time (the check)"},
		{"overhead", "CPU outside the kernel: the profile's share of it applied to the median CPU time"},
		{"slowdown", "kernel CPU beyond 1 core's; kernel/job: kernel CPU per job over 1 core's"},
		{"ceiling", "the machine's own slowdown at these cores: cores / the ceiling's attainable speedup"},
		{"unexplained", fmt.Sprintf("what no measurement accounts for; warned about past ±%s points", fmtPoints(MaxUnexplained))},
	}
}

// lossLegend is the loss table's explanation for report.html.
func lossLegend() []string {
	legend := []string{fmt.Sprintf("In points of ideal: efficiency + idle + overhead + slowdown + unexplained = 100, each part beyond %s on 1 core's own.", Baseline)}
	for _, p := range lossParts() {
		legend = append(legend, p[0]+": "+strings.ReplaceAll(p[1], "\n", " ")+".")
	}
	return legend
}
