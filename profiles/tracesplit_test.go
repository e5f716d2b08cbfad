package profiles

import (
	"math"
	"strings"
	"testing"
	"time"
)

// script builds a synthetic trace: the events of a batch whose split is
// known, times in milliseconds.
type script []TraceEvent

func (s *script) add(t float64, ev TraceEvent) *script {
	ev.Time = ms(t)
	*s = append(*s, ev)
	return s
}
func (s *script) procs(t float64, n int) *script {
	return s.add(t, TraceEvent{Kind: TraceProcs, Procs: n})
}
func (s *script) batch(t float64) *script    { return s.add(t, TraceEvent{Kind: TraceBatchBegin}) }
func (s *script) batchEnd(t float64) *script { return s.add(t, TraceEvent{Kind: TraceBatchEnd}) }
func (s *script) job(t float64, g int64) *script {
	return s.add(t, TraceEvent{Kind: TraceJobBegin, Goroutine: g})
}
func (s *script) jobEnd(t float64, g int64) *script {
	return s.add(t, TraceEvent{Kind: TraceJobEnd, Goroutine: g})
}
func (s *script) run(t float64, g int64) *script {
	return s.add(t, TraceEvent{Kind: TraceGoroutine, Goroutine: g, State: GoroutineRunning})
}
func (s *script) ready(t float64, g int64) *script {
	return s.add(t, TraceEvent{Kind: TraceGoroutine, Goroutine: g, State: GoroutineRunnable})
}
func (s *script) block(t float64, g int64, r BlockReason) *script {
	return s.add(t, TraceEvent{Kind: TraceGoroutine, Goroutine: g, State: GoroutineBlocked, Blocked: r})
}
func (s *script) gone(t float64, g int64) *script {
	return s.add(t, TraceEvent{Kind: TraceGoroutine, Goroutine: g, State: GoroutineGone})
}
func (s *script) pOn(t float64, p int64) *script {
	return s.add(t, TraceEvent{Kind: TraceProc, Proc: p, Running: true})
}
func (s *script) pOff(t float64, p int64) *script {
	return s.add(t, TraceEvent{Kind: TraceProc, Proc: p})
}

// The goroutines of the scripts: job workers and a non-job one (the
// collector, or the harness).
const (
	g1, g2, g3 = 1, 2, 3
	gOther     = 9
)

// wantTraced is a traced split's planted parts in core-milliseconds.
type wantTraced struct {
	jobCPU                               float64
	delay, preempted, behind             float64
	blocked                              [NumBlockReasons]float64
	rampUp, starved, awaitRelease, tail  float64
	overhead, overheadInJobs, oversubscr float64
	runnable                             float64 // goroutine-milliseconds
}

// poolBatch is two workers on two Ps over 100 ms, with every part the
// trace splits: worker 2 starts 10 ms late (ramp-up), sleeps inside a
// job (blocked, sleep), worker 1 waits 5 ms for the collector's P
// (preempted), worker 2 is slow to get its next job (starved, half of it
// with the harness running: overhead between jobs), waits 2 ms for an
// idle P (scheduling delay), and both finish 30 ms before the batch ends
// (tail).
func poolBatch() script {
	var s script
	s.procs(-1, 2).pOn(-1, 0).run(-1, g1).block(-1, g2, BlockChannel).block(-1, gOther, BlockSync)
	s.batch(0).job(0, g1)
	s.pOn(10, 1).run(10, g2).job(10, g2)
	s.block(20, g2, BlockSleep).pOff(20, 1)
	s.pOn(30, 1).run(30, g2)
	s.jobEnd(40, g1).job(40, g1).ready(40, g1).run(40, gOther)
	s.block(45, gOther, BlockSync).run(45, g1)
	s.jobEnd(50, g2).block(50, g2, BlockChannel).run(50, gOther)
	s.block(55, gOther, BlockSync).pOff(55, 1)
	s.pOn(60, 1).run(60, g2).job(60, g2).ready(60, g2).pOff(60, 1)
	s.pOn(62, 1).run(62, g2)
	s.jobEnd(70, g1).jobEnd(70, g2).block(70, g1, BlockChannel).block(70, g2, BlockChannel).pOff(70, 0).pOff(70, 1)
	s.batchEnd(100)
	return s
}

func TestTraceSplitter(t *testing.T) {
	var oversubscribed script
	// Three goroutines in jobs on two Ps for 10 ms, and the collector.
	oversubscribed.procs(-1, 2).pOn(-1, 0).pOn(-1, 1)
	oversubscribed.batch(0).run(0, g1).job(0, g1).run(0, g2).job(0, g2).run(0, g3).job(0, g3)
	oversubscribed.ready(0, g2).ready(0, g3).run(0, gOther) // g1 runs, the collector has P1
	oversubscribed.block(4, gOther, BlockOther).run(4, g2)  // both Ps run jobs: nothing waits in a slot
	oversubscribed.block(6, g2, BlockSleep).pOff(6, 1)      // g3 runnable with P1 idle
	oversubscribed.pOn(7, 1).run(7, g3)
	oversubscribed.jobEnd(10, g1).jobEnd(10, g2).jobEnd(10, g3).batchEnd(10)

	var gap script
	// One worker, a job released every 20 ms; the third starts 5 ms
	// after its release.
	gap.procs(-1, 2).block(-1, g1, BlockChannel).batch(0)
	for _, j := range [][2]float64{{0, 10}, {20, 30}, {45, 50}} {
		gap.pOn(j[0], 0).run(j[0], g1).job(j[0], g1)
		gap.jobEnd(j[1], g1).block(j[1], g1, BlockSleep).pOff(j[1], 0)
	}
	gap.batchEnd(50)

	var exits script
	// A goroutine per job: the second exits inside its region, which
	// ends its job; the third is begun by a goroutine the trace never
	// showed running, and counts as blocked.
	exits.procs(-1, 2).pOn(-1, 0).pOn(-1, 1)
	exits.batch(0).run(0, g1).job(0, g1).run(0, g2).job(0, g2)
	exits.gone(5, g2).job(5, g3).pOff(5, 1)
	exits.jobEnd(8, g1).jobEnd(8, g3).gone(8, g1).pOff(8, 0).batchEnd(10)

	tests := []struct {
		name   string
		events script
		gap    float64 // milliseconds
		wall   float64
		jobs   int
		want   wantTraced
	}{
		{
			name: "pool", events: poolBatch(), wall: 100, jobs: 4,
			want: wantTraced{jobCPU: 103, preempted: 5, delay: 2, blocked: [NumBlockReasons]float64{BlockSleep: 10},
				rampUp: 10, starved: 5, overhead: 5, tail: 60, overheadInJobs: 5, runnable: 7},
		},
		{
			// Where 3 jobs are open on 2 Ps with one running, 1 slot waits
			// and 2 goroutines share it: half each.
			name: "more jobs than Ps", events: oversubscribed, wall: 10, jobs: 3,
			want: wantTraced{jobCPU: 15, preempted: 2, behind: 2, delay: 0.5, blocked: [NumBlockReasons]float64{BlockSleep: 0.5},
				overheadInJobs: 4, oversubscr: 10, runnable: 11},
		},
		{
			name: "gap workload", events: gap, gap: 20, wall: 50, jobs: 3,
			want: wantTraced{jobCPU: 25, awaitRelease: 60, starved: 10, tail: 5},
		},
		{
			name: "goroutines exit", events: exits, wall: 10, jobs: 3,
			want: wantTraced{jobCPU: 13, blocked: [NumBlockReasons]float64{BlockOther: 3}, tail: 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewTraceSplitter(ms(tt.gap))
			for _, ev := range tt.events {
				if err := s.Add(ev); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Result()
			if err != nil {
				t.Fatal(err)
			}
			if got.Cores != 2 || got.Wall != ms(tt.wall) || got.Jobs != tt.jobs {
				t.Errorf("got %d Ps, wall %v, %d jobs; want 2, %v, %d", got.Cores, got.Wall, got.Jobs, ms(tt.wall), tt.jobs)
			}
			checkTraced(t, got, tt.want)
			checkTracedClosure(t, got)
		})
	}
}

// checkTraced compares a traced split with planted parts.
func checkTraced(t *testing.T, got TracedCoreTime, want wantTraced) {
	t.Helper()
	parts := []struct {
		name      string
		got, want float64
	}{
		{"job CPU", got.JobCPU, want.jobCPU},
		{"scheduling delay", got.Waiting.SchedulingDelay, want.delay},
		{"preempted by overhead", got.Waiting.PreemptedByOverhead, want.preempted},
		{"behind jobs", got.Waiting.BehindJobs, want.behind},
		{"ramp-up", got.NoJob.RampUp, want.rampUp},
		{"starved", got.NoJob.Starved, want.starved},
		{"awaiting release", got.NoJob.AwaitingRelease, want.awaitRelease},
		{"tail", got.NoJob.Tail, want.tail},
		{"overhead between jobs", got.NoJob.Overhead, want.overhead},
		{"overhead in jobs", got.OverheadInJobs, want.overheadInJobs},
		{"oversubscribed", got.Oversubscribed, want.oversubscr},
		{"runnable", got.Runnable, want.runnable},
	}
	for r := range NumBlockReasons {
		parts = append(parts, struct {
			name      string
			got, want float64
		}{"blocked on " + BlockReason(r).String(), got.Waiting.Blocked[r], want.blocked[r]})
	}
	for _, p := range parts {
		if w := p.want / 1e3; math.Abs(p.got-w) > partTolerance {
			t.Errorf("%s = %.9f core-s, want %.9f", p.name, p.got, w)
		}
	}
}

// checkTracedClosure checks that the traced parts add up to k × W and to
// the busy core-time, and that none is negative.
func checkTracedClosure(t *testing.T, got TracedCoreTime) {
	t.Helper()
	checkClosure(t, got.CoreTime)
	if sum := got.JobCPU + got.Waiting.Total(); math.Abs(sum-got.Busy) > closureTolerance*got.Total {
		t.Errorf("job CPU %v + waiting %v = %v core-s, want busy %v", got.JobCPU, got.Waiting.Total(), sum, got.Busy)
	}
	neg := map[string]float64{"job CPU": got.JobCPU, "scheduling delay": got.Waiting.SchedulingDelay,
		"preempted": got.Waiting.PreemptedByOverhead, "behind jobs": got.Waiting.BehindJobs, "overhead in jobs": got.OverheadInJobs}
	for r, b := range got.Waiting.Blocked {
		neg["blocked on "+BlockReason(r).String()] = b
	}
	for name, v := range neg {
		if v < 0 {
			t.Errorf("%s = %v core-s, want at least 0", name, v)
		}
	}
}

// TestTraceSplitterAgreesWithIntervals checks that a trace refines the
// split from intervals: the same busy, oversubscribed and no-job
// core-time, with the overhead between jobs taken out of the phases.
func TestTraceSplitterAgreesWithIntervals(t *testing.T) {
	s := NewTraceSplitter(0)
	for _, ev := range poolBatch() {
		if err := s.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	traced, err := s.Result()
	if err != nil {
		t.Fatal(err)
	}
	jobs := []JobInterval{iv(0, 0, 40), iv(0, 10, 50), iv(0, 40, 70), iv(0, 60, 70)}
	fromIntervals, err := SplitCoreTime(jobs, 2, ms(100))
	if err != nil {
		t.Fatal(err)
	}
	tn, jn := traced.NoJob, fromIntervals.NoJob
	for _, p := range []struct {
		name      string
		got, want float64
	}{
		{"busy", traced.Busy, fromIntervals.Busy},
		{"oversubscribed", traced.Oversubscribed, fromIntervals.Oversubscribed},
		{"no-job", tn.Total(), jn.Total()},
		{"starved + overhead between jobs", tn.Starved + tn.Overhead, jn.Starved}, // the overhead fell in a starved gap
		{"ramp-up", tn.RampUp, jn.RampUp},
		{"tail", tn.Tail, jn.Tail},
	} {
		if math.Abs(p.got-p.want) > partTolerance {
			t.Errorf("%s: traced %.9f core-s, from intervals %.9f", p.name, p.got, p.want)
		}
	}
}

func TestTraceSplitterErrors(t *testing.T) {
	valid := func() script { return poolBatch() }
	tests := []struct {
		name   string
		events func() script
		want   string
	}{
		{"no batch", func() script { var s script; s.procs(0, 2).run(1, g1); return s }, "no parbench.batch task"},
		{"batch never ended", func() script { s := valid(); return s[:len(s)-1] }, "never ended"},
		{"no jobs", func() script { var s script; s.procs(0, 2).batch(1).batchEnd(2); return s }, "no parbench.job region"},
		{"no GOMAXPROCS", func() script { var s script; s.batch(1); return s }, "no GOMAXPROCS"},
		{"zero GOMAXPROCS", func() script { var s script; s.procs(0, 0); return s }, "GOMAXPROCS 0"},
		{"GOMAXPROCS changes", func() script { var s script; s.procs(0, 2).batch(1).procs(2, 4); return s }, "changed from 2 to 4"},
		{"two batches", func() script { s := valid(); s.batch(200); return s }, "a second parbench.batch"},
		{"end before begin", func() script { var s script; s.procs(0, 2).batchEnd(1); return s }, "had not begun"},
		{"out of order", func() script { var s script; s.procs(5, 2).run(4, g1); return s }, "before the previous event"},
		{"unknown kind", func() script { var s script; s.add(1, TraceEvent{Kind: 99}); return s }, "unknown kind"},
		{"unknown state", func() script { var s script; s.add(1, TraceEvent{Kind: TraceGoroutine, State: 9}); return s }, "state GoroutineState(9)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewTraceSplitter(0)
			var err error
			for _, ev := range tt.events() {
				if err = s.Add(ev); err != nil {
					// The error sticks, for Add and Result.
					if again := s.Add(TraceEvent{Time: ms(1000), Kind: TraceProcs, Procs: 2}); again != err {
						t.Errorf("Add after error %q: got %v, want the same error", err, again)
					}
					break
				}
			}
			_, resultErr := s.Result()
			if err != nil && resultErr != err {
				t.Errorf("Result after error %q: got %v, want the same error", err, resultErr)
			}
			if resultErr == nil || !strings.Contains(resultErr.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", resultErr, tt.want)
			}
		})
	}
}

// TestShareOut checks the rounding that keeps the waiting's parts whole
// nanoseconds adding up to the waiting.
func TestShareOut(t *testing.T) {
	tests := []struct {
		counts        [waitParts]int64
		amount, total int64
	}{
		{[waitParts]int64{1, 1, 1}, 10, 3},
		{[waitParts]int64{0, 2, 0, 5}, 7, 7},
		{[waitParts]int64{3}, math.MaxInt64, 3},
		{[waitParts]int64{1, 0, 0, 0, 0, 0, 0, 999_999}, int64(time.Hour), 1_000_000},
	}
	for _, tt := range tests {
		var parts [waitParts]int64
		shareOut(&parts, &tt.counts, tt.total, tt.amount)
		var sum int64
		for i, p := range parts {
			sum += p
			exact := float64(tt.amount) * float64(tt.counts[i]) / float64(tt.total)
			if math.Abs(float64(p)-exact) > float64(waitParts)+1e-9*exact {
				t.Errorf("counts %v: part %d = %d, want about %.1f", tt.counts, i, p, exact)
			}
		}
		if sum != tt.amount {
			t.Errorf("counts %v: parts %v add up to %d, want %d", tt.counts, parts, sum, tt.amount)
		}
	}
}
