package profiles

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// JobInterval is one job of a batch as the batch reports it: when the job
// could first start and when it started and ended, each an offset from
// the batch start (strategies.Result's Start and End). Release is the
// job's id times the workload's Gap, 0 for every job when there is no gap.
type JobInterval struct {
	Release    time.Duration
	Start, End time.Duration
}

// CoreTime splits the core-time of one k-core batch, k × W, by what the
// cores' job slots held. Every part is in core-seconds (a float64 of
// seconds times cores), the unit in which the parts of a batch add up, so
// that a part's share is the part divided by Total.
//
// With open(t) the number of jobs whose interval holds t, a batch has at
// most k job slots busy at once: Busy = ∫ min(open, k) dt, and the rest,
// NoJob = ∫ max(k − open, 0) dt, is core-time with no job open in it.
// Busy + NoJob.Total() = Total exactly, to float rounding.
type CoreTime struct {
	Cores int           // k: the CPUs the batch ran on
	Wall  time.Duration // W: the batch's wall time
	Jobs  int           // the jobs of the batch

	// Total is k × W.
	Total float64

	// Busy is ∫ min(open, k) dt: job slots with a job open in them. It is
	// the jobs' CPU plus their waiting inside their intervals; which is
	// which needs a CPU meter or a trace, not the intervals.
	Busy float64

	// Oversubscribed is ∫ max(open − k, 0) dt, in job-seconds: the time
	// jobs were open beyond k at once. It is outside Total, since k cores
	// cannot run more than k jobs; those jobs were waiting by construction.
	Oversubscribed float64

	// NoJob splits the core-time with no job open.
	NoJob NoJobTime
}

// NoJobTime splits the core-time with no job open, ∫ max(k − open, 0) dt,
// by the phase of the batch it fell in. The phases are defined on the
// open(t) curve and the release schedule, so that they need nothing but
// the jobs' intervals:
//
//   - R, the end of the ramp, is the first moment open(t) reaches
//     min(k, the most jobs open at once over the batch), counting only
//     moments that last; it marks the slots filling for the first time,
//     so a pool of k workers with one late worker is in its ramp until
//     that worker's first job starts, and a goroutine per job until its
//     first jobs start. When no job is ever open, the ramp lasts until
//     the last job started.
//   - T, the start of the tail, is the last moment a job started. After
//     it no slot can fill again, whatever the strategy does: every empty
//     slot from T to W is the drain.
//   - A released job is waiting at t when its release time is at or
//     before t and it has not started. While one waits, an empty slot is
//     the strategy's cost; while none waits (every job not yet started
//     has not been released either), the slot is empty because the
//     arrival schedule has nothing to run, which no strategy can help.
//
// Each part is the empty core-time of the moments the part names:
type NoJobTime struct {
	// RampUp: before R, while a released job waited.
	RampUp float64
	// Starved: from R to T, while a released job waited. It is the gap
	// between jobs of a strategy that hands jobs out slowly, and the
	// slots that a strategy keeps empty for good when it keeps fewer
	// jobs open than k (fewer workers than cores).
	Starved float64
	// AwaitingRelease: before T, while no released job waited: the
	// arrival schedule's own idle, which only a workload with a gap has.
	AwaitingRelease float64
	// Tail: from T to W, whatever waited.
	Tail float64
	// Overhead: the CPU that non-job work (the collector, the harness,
	// the scheduler) used on empty slots, which only a trace sees; it is
	// taken out of the part its moment fell in, so that the parts still
	// add up. SplitCoreTime leaves it 0.
	Overhead float64
}

// Total is the sum of the parts: the core-time with no job open.
func (n NoJobTime) Total() float64 {
	return n.RampUp + n.Starved + n.AwaitingRelease + n.Tail + n.Overhead
}

// SplitCoreTime splits the core-time of a batch of the given jobs, run on
// cores CPUs in wall time wall, from the jobs' intervals alone: it needs
// no trace, so it serves strategies whose workers are other processes
// and report per-job times.
//
// Intervals are clipped to [0, wall]: a job that started or ended after
// the batch's end counts only up to it, and one that started after the
// end is a job that waited for the whole batch. Jobs may come in any
// order, and may have zero length (they count as started, never as
// open). A job that started before its release is taken as released
// when it started. The cost is O(J log J) time and O(J) memory for J
// jobs.
//
// It returns an error for no jobs, cores < 1, a negative wall, a job that
// ends before it starts or has a negative release, and a batch whose
// core-time does not fit in int64 nanoseconds.
func SplitCoreTime(jobs []JobInterval, cores int, wall time.Duration) (CoreTime, error) {
	switch {
	case len(jobs) == 0:
		return CoreTime{}, fmt.Errorf("split core-time: no jobs")
	case cores < 1:
		return CoreTime{}, fmt.Errorf("split core-time: %d cores, want at least 1", cores)
	case wall < 0:
		return CoreTime{}, fmt.Errorf("split core-time: negative wall time %v", wall)
	case wall > 0 && int64(cores) > math.MaxInt64/int64(wall):
		return CoreTime{}, fmt.Errorf("split core-time: %d cores × %v overflows", cores, wall)
	}
	w := int64(wall)
	starts := make([]int64, len(jobs))
	ends := make([]int64, len(jobs))
	releases := make([]int64, len(jobs))
	for i, j := range jobs {
		if j.End < j.Start {
			return CoreTime{}, fmt.Errorf("split core-time: job %d ends at %v, before its start at %v", i, j.End, j.Start)
		}
		if j.Release < 0 {
			return CoreTime{}, fmt.Errorf("split core-time: job %d released at %v, before the batch", i, j.Release)
		}
		starts[i] = clamp(int64(j.Start), 0, w)
		ends[i] = clamp(int64(j.End), starts[i], w)
		releases[i] = min(clamp(int64(j.Release), 0, w), starts[i])
	}
	// Sorted apart, the three lose which job is which, and need not keep
	// it: with every release at or before its job's start, the releases
	// up to t less the starts up to t are the released jobs waiting at t.
	slices.Sort(starts)
	slices.Sort(ends)
	slices.Sort(releases)

	k := int64(cores)
	var (
		sw                      phaseSweep
		busy                    int64
		over                    float64
		open, started, released int64
		cur                     int64
	)
	// segment counts the moment from cur to t, over which nothing changes.
	segment := func(t int64) {
		dt := t - cur
		if dt <= 0 {
			return
		}
		c := min(open, k)
		busy += c * dt
		over += float64(open-c) * float64(dt)
		sw.add(c, (k-c)*dt, released > started)
		cur = t
	}
	n := len(jobs)
	si, ei, ri := 0, 0, 0
	for si < n || ei < n || ri < n {
		t := int64(math.MaxInt64)
		if si < n {
			t = starts[si]
		}
		if ei < n {
			t = min(t, ends[ei])
		}
		if ri < n {
			t = min(t, releases[ri])
		}
		segment(t)
		for ; ri < n && releases[ri] == t; ri++ {
			released++
		}
		for ; ei < n && ends[ei] == t; ei++ {
			open--
		}
		if si < n && starts[si] == t {
			sw.started()
		}
		for ; si < n && starts[si] == t; si++ {
			open++
			started++
		}
	}
	segment(w)
	return CoreTime{
		Cores:          cores,
		Wall:           wall,
		Jobs:           n,
		Total:          seconds(k * w),
		Busy:           seconds(busy),
		Oversubscribed: over / float64(time.Second),
		NoJob:          sw.split(),
	}, nil
}

// phaseSweep sorts the empty slots of a batch, moment by moment in time
// order, into the phases NoJobTime defines, without knowing in advance
// where the ramp ends (that needs the most jobs ever open) or where the
// tail starts (that needs the last start). It can, because the number of
// open jobs rises only when a job starts: between two starts the ramp's
// level is fixed, so it keeps the empty core-time since the last start
// apart (the tail, if no job starts again), and the earlier core-time by
// whether it came before the level last rose (the ramp, if the level
// never rises again). A trace is read the same way, in one pass.
//
// Amounts are integer core-nanoseconds, so that the parts add up exactly.
type phaseSweep struct {
	level int64 // min(k, the most jobs open in a moment so far)
	// Indexed by whether a released job was waiting: 0 no, 1 yes.
	lower   [2]int64 // before the level last rose
	current [2]int64 // since the level last rose, up to the last start
	window  [2]int64 // since the last start
}

// started marks a job start at the current moment, before the moment's
// own empty slots are added.
func (p *phaseSweep) started() {
	for i := range p.window {
		p.current[i] += p.window[i]
		p.window[i] = 0
	}
}

// add counts a moment of positive length with busy slots (open jobs
// capped at k) and empty core-nanoseconds empty.
func (p *phaseSweep) add(busy, empty int64, waiting bool) {
	if busy > p.level {
		for i := range p.current {
			p.lower[i] += p.current[i]
			p.current[i] = 0
		}
		p.level = busy
	}
	w := 0
	if waiting {
		w = 1
	}
	p.window[w] += empty
}

// split ends the sweep at the batch's end.
func (p *phaseSweep) split() NoJobTime {
	ramp, starved := p.lower[1], p.current[1]
	if p.level == 0 { // no job was ever open: the ramp never ended
		ramp, starved = ramp+starved, 0
	}
	return NoJobTime{
		RampUp:          seconds(ramp),
		Starved:         seconds(starved),
		AwaitingRelease: seconds(p.lower[0] + p.current[0]),
		Tail:            seconds(p.window[0] + p.window[1]),
	}
}

// seconds converts core-nanoseconds to core-seconds.
func seconds(ns int64) float64 {
	return float64(ns) / float64(time.Second)
}

func clamp(v, lo, hi int64) int64 {
	return max(lo, min(v, hi))
}
