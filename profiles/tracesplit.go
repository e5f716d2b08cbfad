package profiles

import (
	"fmt"
	"io"
	"math"
	"math/bits"
	"time"
)

// TracedCoreTime refines a batch's CoreTime with what only an execution
// trace of it sees: how much of the busy core-time the jobs' goroutines
// ran, why they waited the rest, and how much of the no-job core-time
// non-job work (the collector, the harness, the scheduler) used. Every
// part is in core-seconds, and the parts add up exactly, to float
// rounding:
//
//	Total = JobCPU + Waiting.Total() + NoJob.Total()
//	Busy  = JobCPU + Waiting.Total()
//
// k is the number of Ps (GOMAXPROCS) in the trace, and W the span of the
// BatchTask; the jobs are the JobRegions begun in it. Each moment of the
// batch is divided among the k Ps by what they and the jobs' goroutines
// were doing; the moments then add up. At a moment with o jobs open
// (goroutines inside a JobRegion), a of them running, n Ps running other
// work and the rest idle, there are min(o, k) busy slots and
// k − min(o, k) empty ones:
//   - a busy slots ran jobs: JobCPU.
//   - min(n, empty slots) Ps ran other work in the empty slots:
//     NoJob.Overhead, taken out of the phase the moment is in. The rest
//     of the empty slots go to that phase as CoreTime defines it.
//   - The other min(o, k) − a busy slots waited; Waiting says why.
//
// What counts as what, from the trace: a job is open from its region's
// begin to its end, or to its goroutine's exit; a region inside another
// on the same goroutine is part of it. A P runs from the trace's
// ProcStart to its ProcStop, which includes its time in the scheduler
// between goroutines and a system call that keeps it; "other work" is
// all of that time not spent running a job's goroutine in its region:
// the collector's workers, the harness, workers between jobs, the
// scheduler.
type TracedCoreTime struct {
	CoreTime

	// JobCPU is the time the jobs' goroutines ran on a P inside their
	// job regions.
	JobCPU float64

	// Waiting splits the busy core-time the jobs did not run.
	Waiting WaitingTime

	// OverheadInJobs is the non-job CPU (on Ps running anything but a
	// job's goroutine in its region) that did not fit in the empty slots
	// of its moment, so that it took a P a waiting job might have used.
	// It is not a part of the sum: the waiting it caused is in Waiting.
	// NoJob.Overhead + OverheadInJobs is all the non-job CPU of the Ps,
	// to check against the process's CPU minus JobCPU.
	OverheadInJobs float64

	// Runnable is the time the jobs' goroutines were runnable inside
	// their regions, in goroutine-seconds and not shared out: the queue
	// that more goroutines than Ps build. It is not a part of the sum;
	// the share of it that held a slot is in Waiting.
	Runnable float64
}

// WaitingTime splits the busy core-time the jobs' goroutines did not run,
// ∫ min(o, k) − a dt, by the state of the goroutines of the open jobs that
// were not running. A runnable one waited on one of three things, taken
// in this order, as many goroutines as each has Ps: a P that ran no
// goroutine, idle or in the scheduler (SchedulingDelay), a P that ran a
// non-job goroutine (PreemptedByOverhead), or, with every other P
// running another job, nothing at all (BehindJobs). A blocked one waited
// for its reason.
//
// With more jobs open than k, min(o, k) − a is less than the o − a
// goroutines not running: the moment's waiting is then shared among them
// in proportion, each state's count times (min(o, k) − a)/(o − a), so
// the parts still add up to the waiting and the excess is left to
// CoreTime.Oversubscribed. That is why BehindJobs is small even when
// many more goroutines than Ps are open: while every P runs a job, the
// batch's slots are all running jobs, and nothing waits in them.
type WaitingTime struct {
	SchedulingDelay     float64
	PreemptedByOverhead float64
	BehindJobs          float64
	// Blocked is indexed by BlockReason.
	Blocked [NumBlockReasons]float64
}

// Total is the sum of the parts: the waiting inside the jobs' intervals.
func (w WaitingTime) Total() float64 {
	sum := w.SchedulingDelay + w.PreemptedByOverhead + w.BehindJobs
	for _, b := range w.Blocked {
		sum += b
	}
	return sum
}

// SplitTrace reads a runtime/trace file of a measurement process that
// traced one batch, with ReadTrace and lim, and splits the batch's
// core-time. gap is the workload's arrival gap: job i is released i×gap
// after the batch began, which says whether an empty slot was starved or
// awaiting a release.
func SplitTrace(r io.Reader, gap time.Duration, lim TraceLimits) (TracedCoreTime, error) {
	s := NewTraceSplitter(gap)
	if err := ReadTrace(r, lim, s.Add); err != nil {
		return TracedCoreTime{}, err
	}
	return s.Result()
}

// maxTraceProcs bounds GOMAXPROCS: more Ps than any machine has CPUs is a
// corrupt trace.
const maxTraceProcs = 1 << 20

// TraceSplitter folds a stream of TraceEvents into a TracedCoreTime, one
// event at a time: its memory is one entry per live goroutine and per
// running P, whatever the length of the trace. Its zero value is not
// ready; make one with NewTraceSplitter.
type TraceSplitter struct {
	gap int64

	procs      int64 // GOMAXPROCS as last reported
	goroutines map[int64]goroutineState
	running    map[int64]bool // the Ps that run
	runningPs  int64

	// The goroutines inside a job region, by state, and the running
	// goroutines outside one.
	open, jobsRunning, jobsRunnable int64
	jobsBlocked                     [NumBlockReasons]int64
	othersRunning                   int64

	phase      splitPhase
	seen       bool          // whether an event came
	now        time.Duration // the time of the last event
	begin, end time.Duration // the batch's
	k          int64
	jobs       int64 // job regions begun in the batch

	// Integer core-nanoseconds, so that the parts add up exactly.
	jobCPU, waitDelay, waitPreempted, waitBehind int64
	waitBlocked                                  [NumBlockReasons]int64
	overheadEmpty, overheadInJobs                int64
	oversubscribed, runnable                     float64 // job-nanoseconds, goroutine-nanoseconds
	sweep                                        phaseSweep

	err error // the first error; every later Add returns it
}

type splitPhase uint8

const (
	beforeBatch splitPhase = iota
	inBatch
	afterBatch
)

// goroutineState is what the splitter keeps of a goroutine.
type goroutineState struct {
	state  GoroutineState
	reason BlockReason
	jobs   int32 // job regions open on it
}

// NewTraceSplitter returns a splitter for a batch of a workload with
// arrival gap gap (0 for none).
func NewTraceSplitter(gap time.Duration) *TraceSplitter {
	return &TraceSplitter{
		gap:        max(int64(gap), 0),
		goroutines: make(map[int64]goroutineState),
		running:    make(map[int64]bool),
	}
}

// Add takes the next event of the trace. It returns an error, the same
// one from then on, when the events cannot describe one traced batch:
// events out of time order, no GOMAXPROCS before the batch, a second
// batch, GOMAXPROCS changing during the batch. Events before the batch
// set the state the batch starts from; events after it are ignored.
func (s *TraceSplitter) Add(ev TraceEvent) error {
	if s.err != nil {
		return s.err
	}
	if err := s.add(ev); err != nil {
		s.err = err
	}
	return s.err
}

func (s *TraceSplitter) add(ev TraceEvent) error {
	if !s.seen {
		s.seen, s.now = true, ev.Time
	}
	if ev.Time < s.now {
		return fmt.Errorf("%v event at %v, before the previous event at %v", ev.Kind, ev.Time, s.now)
	}
	if err := s.advance(ev.Time); err != nil {
		return err
	}
	switch ev.Kind {
	case TraceProcs:
		if ev.Procs < 1 || ev.Procs > maxTraceProcs {
			return fmt.Errorf("GOMAXPROCS %d, want 1 to %d", ev.Procs, maxTraceProcs)
		}
		if s.phase == inBatch && int64(ev.Procs) != s.k {
			return fmt.Errorf("GOMAXPROCS changed from %d to %d during the batch", s.k, ev.Procs)
		}
		s.procs = int64(ev.Procs)
	case TraceBatchBegin:
		if s.phase != beforeBatch {
			return fmt.Errorf("a second %s task at %v", BatchTask, ev.Time)
		}
		if s.procs == 0 {
			return fmt.Errorf("no GOMAXPROCS in the trace before the %s task", BatchTask)
		}
		s.phase, s.begin, s.k = inBatch, ev.Time, s.procs
		// A job already open counts as started when the batch began.
		s.jobs = s.open
		s.sweep.started()
	case TraceBatchEnd:
		if s.phase != inBatch {
			return fmt.Errorf("the %s task ended at %v, but it had not begun", BatchTask, ev.Time)
		}
		s.phase, s.end = afterBatch, ev.Time
	case TraceJobBegin:
		g := s.uncount(ev.Goroutine)
		g.jobs++
		if g.jobs == 1 && s.phase == inBatch {
			s.jobs++
			s.sweep.started()
		}
		s.count(ev.Goroutine, g)
	case TraceJobEnd:
		g := s.uncount(ev.Goroutine)
		g.jobs = max(g.jobs-1, 0) // a region begun before the trace
		s.count(ev.Goroutine, g)
	case TraceGoroutine:
		if ev.State > GoroutineBlocked || int(ev.Blocked) >= NumBlockReasons {
			return fmt.Errorf("goroutine %d: state %v, reason %v", ev.Goroutine, ev.State, ev.Blocked)
		}
		g := s.uncount(ev.Goroutine)
		g.state, g.reason = ev.State, ev.Blocked
		if g.state == GoroutineGone {
			g.jobs = 0 // an exit ends the goroutine's regions
		}
		s.count(ev.Goroutine, g)
	case TraceProc:
		if s.running[ev.Proc] != ev.Running {
			if ev.Running {
				s.running[ev.Proc] = true
				s.runningPs++
			} else {
				delete(s.running, ev.Proc)
				s.runningPs--
			}
		}
	default:
		return fmt.Errorf("event of unknown kind %v at %v", ev.Kind, ev.Time)
	}
	return nil
}

// uncount takes goroutine id out of the tallies and returns its state.
func (s *TraceSplitter) uncount(id int64) goroutineState {
	g := s.goroutines[id]
	s.tally(g, -1)
	return g
}

// count puts goroutine id back into the tallies in state g, and forgets
// it when it is gone with no region open.
func (s *TraceSplitter) count(id int64, g goroutineState) {
	s.tally(g, 1)
	if g.state == GoroutineGone && g.jobs == 0 {
		delete(s.goroutines, id)
		return
	}
	s.goroutines[id] = g
}

// tally adds d to the counters g is in. Every goroutine inside a job is
// in exactly one of running, runnable and blocked, so that o − a is the
// sum of the states waiting splits; one the trace never showed running
// (it cannot begin a region unless it runs) counts as blocked, other.
func (s *TraceSplitter) tally(g goroutineState, d int64) {
	if g.jobs == 0 {
		if g.state == GoroutineRunning {
			s.othersRunning += d
		}
		return
	}
	s.open += d
	switch g.state {
	case GoroutineRunning:
		s.jobsRunning += d
	case GoroutineRunnable:
		s.jobsRunnable += d
	case GoroutineBlocked:
		s.jobsBlocked[g.reason] += d
	default:
		s.jobsBlocked[BlockOther] += d
	}
}

// advance counts the moment from the last event to t, over which
// nothing changed, splitting it where a release makes a job wait.
func (s *TraceSplitter) advance(t time.Duration) error {
	t0, t1 := int64(s.now-s.begin), int64(t-s.begin)
	s.now = t
	if s.phase != inBatch || t1 <= t0 {
		return nil
	}
	if t1 > math.MaxInt64/s.k {
		return fmt.Errorf("batch longer than %v on %d Ps: its core-time overflows", time.Duration(t1), s.k)
	}
	// Job i is released at i × gap; with `jobs` started, one waits from
	// the release of job number `jobs` on.
	release := int64(0)
	if s.gap > 0 {
		release = math.MaxInt64
		if s.jobs < math.MaxInt64/s.gap {
			release = s.jobs * s.gap
		}
	}
	if t0 < release {
		s.moment(min(t1, release)-t0, false)
	}
	if t1 > release {
		s.moment(t1-max(t0, release), true)
	}
	return nil
}

// moment counts dt nanoseconds with the tallies as they are.
func (s *TraceSplitter) moment(dt int64, waiting bool) {
	k := s.k
	c := min(s.open, k)                      // busy slots
	a := min(s.jobsRunning, k)               // Ps running jobs; a ≤ c, since jobsRunning ≤ open
	others := min(s.othersRunning, k-a)      // Ps running non-job goroutines
	n := clamp(s.runningPs, a+others, k) - a // Ps running non-job work, the scheduler's included
	empty := k - c

	s.jobCPU += a * dt
	inEmpty := min(n, empty)
	s.overheadEmpty += inEmpty * dt
	s.overheadInJobs += (n - inEmpty) * dt
	s.sweep.add(c, (empty-inEmpty)*dt, waiting)
	s.oversubscribed += float64(s.open-c) * float64(dt)
	s.runnable += float64(s.jobsRunnable) * float64(dt)

	w := c - a
	if w == 0 {
		return
	}
	// The o − a goroutines not running, by what they waited on.
	u := s.jobsRunnable
	delay := min(u, k-a-others)
	preempted := min(u-delay, others)
	counts := [waitParts]int64{delay, preempted, u - delay - preempted}
	copy(counts[3:], s.jobsBlocked[:])
	var parts [waitParts]int64
	shareOut(&parts, &counts, s.open-a, w*dt)
	s.waitDelay += parts[0]
	s.waitPreempted += parts[1]
	s.waitBehind += parts[2]
	for r := range s.jobsBlocked {
		s.waitBlocked[r] += parts[3+r]
	}
}

// waitParts is the number of parts WaitingTime has: scheduling delay,
// preempted, behind jobs, and one per block reason.
const waitParts = 3 + NumBlockReasons

// shareOut divides amount among parts in proportion to counts, whose sum
// is total, in whole units that add up to amount exactly: each part gets
// its share rounded down, and the largest count the units left over.
func shareOut(parts, counts *[waitParts]int64, total, amount int64) {
	if total <= 0 {
		return
	}
	left, largest := amount, 0
	for i, c := range counts {
		hi, lo := bits.Mul64(uint64(amount), uint64(c))
		q, _ := bits.Div64(hi, lo, uint64(total)) // c ≤ total, so q ≤ amount
		parts[i] = int64(q)
		left -= parts[i]
		if c > counts[largest] {
			largest = i
		}
	}
	parts[largest] += left
}

// Result is the split of the batch the events described. It is an error
// when there was no batch, it never ended, or no job region began in it.
func (s *TraceSplitter) Result() (TracedCoreTime, error) {
	switch {
	case s.err != nil:
		return TracedCoreTime{}, s.err
	case s.phase == beforeBatch:
		return TracedCoreTime{}, fmt.Errorf("no %s task in the trace", BatchTask)
	case s.phase == inBatch:
		return TracedCoreTime{}, fmt.Errorf("the %s task began at %v and never ended: is the trace cut short?", BatchTask, s.begin)
	case s.jobs == 0:
		return TracedCoreTime{}, fmt.Errorf("no %s region began in the %s task: does the strategy emit it?", JobRegion, BatchTask)
	}
	noJob := s.sweep.split()
	noJob.Overhead = seconds(s.overheadEmpty)
	wait := WaitingTime{
		SchedulingDelay:     seconds(s.waitDelay),
		PreemptedByOverhead: seconds(s.waitPreempted),
		BehindJobs:          seconds(s.waitBehind),
	}
	busy := s.jobCPU + s.waitDelay + s.waitPreempted + s.waitBehind
	for r, b := range s.waitBlocked {
		wait.Blocked[r] = seconds(b)
		busy += b
	}
	wall := s.end - s.begin
	return TracedCoreTime{
		CoreTime: CoreTime{
			Cores:          int(s.k),
			Wall:           wall,
			Jobs:           int(s.jobs),
			Total:          seconds(s.k * int64(wall)),
			Busy:           seconds(busy),
			Oversubscribed: s.oversubscribed / float64(time.Second),
			NoJob:          noJob,
		},
		JobCPU:         seconds(s.jobCPU),
		Waiting:        wait,
		OverheadInJobs: seconds(s.overheadInJobs),
		Runnable:       s.runnable / float64(time.Second),
	}, nil
}
