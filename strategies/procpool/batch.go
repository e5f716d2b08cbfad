package procpool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/internal/wire"
)

// batch is the state of one Run.
type batch struct {
	p       *Procpool
	w       strategies.Workload
	workers int
	depth   int
	maxJobs int // largest chunk: Chunk, or the automatic size
	fixed   bool
	compute time.Duration // estimated compute time of one job
	start   time.Time
	t0      int64         // start on the raw clock
	wake    chan struct{} // poked when the Run goroutine has work

	// Guarded by p.mu.
	results  []strategies.Result
	done     int
	next     int     // the next job never sent
	retry    []int64 // jobs to send again after a fault, ascending
	faults   int
	inARow   []int // faults in a row, by slot
	attempts map[int64]int
	failed   []*proc // marked dead, to be stopped and replaced
	fatal    error
	deadCPU  time.Duration // CPU of workers that failed in this batch

	// Owned by the Run goroutine.
	startCtx context.Context
	cancel   context.CancelFunc
	startc   chan startResult
	starting int
}

type startResult struct {
	slot int
	proc *proc
	err  error
}

func (p *Procpool) newBatch(ctx context.Context, w strategies.Workload, workers int) *batch {
	b := &batch{
		p:        p,
		w:        w,
		workers:  workers,
		depth:    positiveOr(p.InFlight, defaultInFlight),
		wake:     make(chan struct{}, 1),
		results:  make([]strategies.Result, w.Jobs),
		inARow:   make([]int, workers),
		attempts: map[int64]int{},
		startc:   make(chan startResult, workers),
	}
	b.startCtx, b.cancel = context.WithCancel(ctx)
	var total time.Duration
	b.compute, total = jobTime(p.iterNs, w)
	if p.Chunk > 0 {
		b.maxJobs, b.fixed = min(p.Chunk, MaxChunk), true
	} else {
		b.maxJobs = autoChunk(total)
	}
	return b
}

// positiveOr is v, or def when v is not positive.
func positiveOr[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

// jobTime estimates one job: its XOR-sum at the calibrated speed, and that
// plus its sleep.
func jobTime(iterNs float64, w strategies.Workload) (compute, total time.Duration) {
	compute = time.Duration(iterNs*float64(w.N)) + jobOverhead
	return compute, compute + w.Sleep
}

// autoChunk is the chunk size for about targetChunkTime of work per frame,
// for jobs that each take total.
func autoChunk(total time.Duration) int {
	return int(max(1, min(MaxChunk, targetChunkTime/max(total, 1))))
}

// allowance is how long a worker may take over a chunk of n jobs.
func (b *batch) allowance(n int) time.Duration {
	sleeps := time.Duration(n) * b.w.Sleep
	if b.p.HangTimeout > 0 {
		return b.p.HangTimeout + sleeps
	}
	return max(minHangTimeout, hangFactor*time.Duration(n)*b.compute) + sleeps
}

func (b *batch) maxFaults() int { return positiveOr(b.p.MaxFaults, defaultMaxFaults) }

func (b *batch) run(ctx context.Context) ([]strategies.Result, error) {
	p := b.p
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	p.mu.Lock()
	b.start = time.Now()
	b.t0 = p.clock.at(b.start)
	for _, pr := range p.procs {
		pr.cpuBase, pr.chunked = pr.cpu, false
		pr.answered = b.start
	}
	p.batch = b
	p.mu.Unlock()
	for {
		p.mu.Lock()
		now := time.Now()
		b.checkHangsLocked(now)
		b.dispatchLocked(now)
		failed, fatal := b.failed, b.fatal
		b.failed = nil
		finished := b.done == b.w.Jobs
		wakeAt, timed := b.nextWakeLocked()
		p.mu.Unlock()

		for _, pr := range failed {
			b.retireFailed(pr)
		}
		if fatal != nil {
			return nil, b.abort(fatal)
		}
		for _, pr := range failed {
			b.replace(pr.slot)
		}
		if finished && b.starting == 0 {
			break
		}
		var wake <-chan time.Time
		if timed && !finished {
			timer.Reset(time.Until(wakeAt))
			wake = timer.C
		}
		select {
		case <-b.wake:
		case <-wake:
		case sr := <-b.startc:
			// A replacement still starting when the last job is done is
			// waited for, so the next batch finds its slot filled.
			if err := b.started(sr); err != nil {
				return nil, b.abort(err)
			}
		case <-ctx.Done():
			return nil, b.abort(ctx.Err())
		}
	}

	p.mu.Lock()
	p.batch = nil
	late := b.failed // failed after the last job was in: next Run replaces them
	b.failed = nil
	p.mu.Unlock()
	for _, pr := range late {
		b.retireFailed(pr)
	}
	p.mu.Lock()
	cpu := b.deadCPU
	for _, pr := range p.procs {
		if pr != nil {
			cpu += pr.cpu - pr.cpuBase
		}
	}
	p.lastCPU, p.lastFaults = cpu, b.faults
	p.mu.Unlock()
	return b.results, nil
}

// abort stops everything the batch started and returns err.
func (b *batch) abort(err error) error {
	p := b.p
	p.mu.Lock()
	p.batch = nil
	p.lastFaults = b.faults
	p.mu.Unlock()
	b.cancel()
	for ; b.starting > 0; b.starting-- {
		if sr := <-b.startc; sr.proc != nil {
			p.kill(sr.proc)
		}
	}
	p.stopAll()
	return err
}

// released is how many jobs from b.next on have reached their release time
// by now.
func (b *batch) released(now time.Time) int {
	if b.w.Gap <= 0 {
		return b.w.Jobs - b.next
	}
	upTo := int(now.Sub(b.start)/b.w.Gap) + 1 // jobs 0..upTo-1 are released
	return max(0, min(b.w.Jobs, upTo)-b.next)
}

// dispatchLocked sends released jobs to workers with room.
func (b *batch) dispatchLocked(now time.Time) {
	for b.fatal == nil {
		avail := len(b.retry) + b.released(now)
		if avail == 0 {
			return
		}
		pr := b.pickWorkerLocked()
		if pr == nil {
			return
		}
		n := min(avail, b.chunkSize())
		ids := make([]int64, 0, n)
		k := min(n, len(b.retry))
		ids = append(ids, b.retry[:k]...)
		b.retry = b.retry[k:]
		for len(ids) < n {
			ids = append(ids, int64(b.next))
			b.next++
		}
		c := chunk{ids: ids, sent: now, allowance: b.allowance(len(ids))}
		pr.inflight = append(pr.inflight, c)
		if err := pr.send(wire.Jobs{N: b.w.N, Sleep: b.w.Sleep, JobCPU: b.w.JobCPU, IDs: ids}, c.allowance); err != nil {
			b.failLocked(pr, fmt.Errorf("sending jobs: %w", err))
		}
	}
}

// chunkSize is the size of the next chunk: fixed, or guided (a share of
// what is left, so the last chunks are small) up to the automatic size.
func (b *batch) chunkSize() int {
	if b.fixed {
		return b.maxJobs
	}
	unsent := len(b.retry) + b.w.Jobs - b.next
	parts := 2 * b.workers * b.depth
	return max(1, min(b.maxJobs, (unsent+parts-1)/parts))
}

// pickWorkerLocked is the live worker with room that holds the fewest
// chunks; among equals, the one whose current chunk began first, as it
// should be the first to be free. Nil if none has room.
func (b *batch) pickWorkerLocked() *proc {
	var best *proc
	var bestSince time.Time
	for _, pr := range b.p.procs {
		if pr == nil || pr.dead || len(pr.inflight) >= b.depth {
			continue
		}
		since := pr.busySince()
		if best == nil || len(pr.inflight) < len(best.inflight) ||
			len(pr.inflight) == len(best.inflight) && since.Before(bestSince) {
			best, bestSince = pr, since
		}
	}
	return best
}

// busySince is when the worker began its oldest chunk in flight: when it
// was sent, or when the worker answered the one before, whichever is later.
func (pr *proc) busySince() time.Time {
	if len(pr.inflight) == 0 {
		return time.Time{}
	}
	if s := pr.inflight[0].sent; s.After(pr.answered) {
		return s
	}
	return pr.answered
}

// deadline is when the worker must have answered its oldest chunk.
func (pr *proc) deadline() (time.Time, bool) {
	if len(pr.inflight) == 0 {
		return time.Time{}, false
	}
	return pr.busySince().Add(pr.inflight[0].allowance), true
}

// nextWakeLocked is the next time the Run goroutine must act without being
// poked: a job's release or a worker's deadline.
func (b *batch) nextWakeLocked() (time.Time, bool) {
	var at time.Time
	ok := false
	earliest := func(t time.Time) {
		if !ok || t.Before(at) {
			at, ok = t, true
		}
	}
	// A release already past needs no timer: the job waits for a worker
	// with room, and a worker gets room only by answering a frame, which
	// wakes this goroutine anyway. Waking for it would spin.
	if b.next < b.w.Jobs && b.w.Gap > 0 {
		if at := b.start.Add(b.w.Release(b.next)); time.Until(at) > 0 {
			earliest(at)
		}
	}
	for _, pr := range b.p.procs {
		if pr == nil || pr.dead {
			continue
		}
		if d, has := pr.deadline(); has {
			earliest(d)
		}
	}
	return at, ok
}

// checkHangsLocked fails every worker past its deadline.
func (b *batch) checkHangsLocked(now time.Time) {
	for _, pr := range b.p.procs {
		if pr == nil || pr.dead {
			continue
		}
		if d, ok := pr.deadline(); ok && now.After(d) {
			b.failLocked(pr, fmt.Errorf("no answer within %v", pr.inflight[0].allowance))
		}
	}
}

// frameLocked takes one frame, or the end of the stream, from a live
// worker during the batch, and sends out whatever can go.
func (b *batch) frameLocked(pr *proc, m wire.Message, err error) {
	switch m := m.(type) {
	case nil:
		b.failLocked(pr, streamError(err))
	case wire.Results:
		if err := b.acceptLocked(pr, m); err != nil {
			b.failLocked(pr, err)
			break
		}
		b.inARow[pr.slot] = 0
	case wire.Failure:
		b.failLocked(pr, fmt.Errorf("reported a failure in a batch: %s", m.Msg))
	default:
		b.failLocked(pr, fmt.Errorf("unexpected %v frame in a batch", m.Type()))
	}
	b.dispatchLocked(time.Now())
	if b.done == b.w.Jobs {
		poke(b.wake)
	}
}

// acceptLocked checks that m answers pr's oldest chunk, job for job in
// order, and records the results.
func (b *batch) acceptLocked(pr *proc, m wire.Results) error {
	if len(pr.inflight) == 0 {
		return errors.New("results with no jobs in flight")
	}
	c := pr.inflight[0]
	if len(m.Results) != len(c.ids) {
		return fmt.Errorf("%d results for a chunk of %d jobs", len(m.Results), len(c.ids))
	}
	for i, r := range m.Results {
		if r.Job != c.ids[i] {
			return fmt.Errorf("result %d is for job %d, want job %d", i, r.Job, c.ids[i])
		}
		if r.End < r.Start {
			return fmt.Errorf("job %d ended at %d, before its start at %d", r.Job, r.End, r.Start)
		}
	}
	for _, r := range m.Results {
		b.results[r.Job] = strategies.Result{
			Job:    r.Job,
			Sum:    r.Sum,
			Worker: pr.slot,
			Start:  time.Duration(r.Start - b.t0),
			End:    time.Duration(r.End - b.t0),
			CPU:    time.Duration(r.CPU),
		}
	}
	b.done += len(m.Results)
	pr.inflight = pr.inflight[1:]
	pr.answered = time.Now()
	if !pr.chunked {
		// The batch's CPU of this worker starts with its first chunk:
		// what it spent idle since its last one is no batch's.
		pr.cpuBase, pr.chunked = m.CPUStart, true
	}
	pr.cpu = m.CPU
	return nil
}

// failLocked marks a worker failed: its jobs in flight go back to the
// queue, and the Run goroutine stops it and starts another in its slot,
// unless this fault is one too many.
func (b *batch) failLocked(pr *proc, cause error) {
	pr.dead = true
	b.faults++
	var head, lost []int64
	if len(pr.inflight) > 0 {
		head = pr.inflight[0].ids
	}
	for _, c := range pr.inflight {
		lost = append(lost, c.ids...)
	}
	pr.inflight = nil
	b.retry = mergeSorted(b.retry, lost)
	b.failed = append(b.failed, pr)
	poke(b.wake)

	f := &workerFault{proc: pr, jobs: head, cause: cause}
	b.p.noteFaultLocked(faultText(f.Error))
	limit := b.maxFaults()
	b.inARow[pr.slot]++
	if b.fatal == nil && b.inARow[pr.slot] >= limit {
		b.fatal = &giveUp{fmt.Sprintf("after %d faults in a row in worker slot %d", b.inARow[pr.slot], pr.slot), f}
	}
	for _, id := range head {
		b.attempts[id]++
		if b.fatal == nil && b.attempts[id] >= limit {
			b.fatal = &giveUp{fmt.Sprintf("after job %d was running in %d failed workers", id, b.attempts[id]), f}
		}
	}
}

// retireFailed stops a failed worker and counts the CPU it used.
func (b *batch) retireFailed(pr *proc) {
	b.p.retire(pr)
	b.p.mu.Lock()
	defer b.p.mu.Unlock()
	b.deadCPU += pr.totalCPU() - pr.cpuBase
}

// replace starts a worker for slot in the background.
func (b *batch) replace(slot int) {
	b.starting++
	env := b.p.workerEnv(slot)
	go func() {
		pr, err := startProc(b.startCtx, b.p.exe, slot, env, b.p.deliver)
		b.startc <- startResult{slot: slot, proc: pr, err: err}
	}()
}

// started installs a replacement, or counts its failure to start as a fault
// of its slot.
func (b *batch) started(sr startResult) error {
	b.starting--
	p := b.p
	if sr.err != nil {
		if err := b.startCtx.Err(); err != nil {
			return err
		}
		p.mu.Lock()
		b.faults++
		startErr := fmt.Errorf("worker slot %d: starting a replacement: %w", sr.slot, sr.err)
		p.noteFaultLocked(faultText(startErr.Error))
		b.inARow[sr.slot]++
		n := b.inARow[sr.slot]
		p.mu.Unlock()
		if n >= b.maxFaults() {
			return fmt.Errorf("procpool: giving up after %d faults in a row in worker slot %d: %w", n, sr.slot, sr.err)
		}
		b.replace(sr.slot)
		return nil
	}
	pr := sr.proc
	p.mu.Lock()
	defer p.mu.Unlock()
	p.installLocked(pr)
	pr.answered = time.Now()
	if p.profiling {
		pr.profiling, pr.ackDue = true, true
		if err := pr.send(wire.ProfileStart{}, minHangTimeout); err != nil {
			b.failLocked(pr, fmt.Errorf("starting its profile: %w", err))
			return nil
		}
	}
	b.dispatchLocked(time.Now())
	return nil
}

// streamError describes the end of a worker's stream.
func streamError(err error) error {
	switch {
	case errors.Is(err, wire.ErrMalformed):
		return fmt.Errorf("wrote garbage: %w", err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errExited
	}
	return fmt.Errorf("reading its results: %w", err)
}

// errBetweenBatches is the cause of a fault of a worker that wrote or
// ended its stream while no batch ran.
var errBetweenBatches = errors.New("died or wrote out of turn between batches")

// errExited is the cause of a fault whose worker's stream ended.
var errExited = errors.New("exited")

// giveUp is the error of a run that met too many faults.
type giveUp struct {
	why   string
	fault *workerFault
}

func (g *giveUp) Error() string { return "procpool: giving up " + g.why + ": " + g.fault.Error() }
func (g *giveUp) Unwrap() error { return g.fault }

// workerFault is one failed worker, for the error that ends a run. Its
// message is made when it is read, after the worker has been reaped, so it
// can say how the worker exited.
type workerFault struct {
	proc  *proc
	jobs  []int64 // the chunk it was running
	cause error
}

func (f *workerFault) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "worker pid %d", f.proc.pid)
	switch len(f.jobs) {
	case 0:
		b.WriteString(" (no job in flight)")
	case 1:
		fmt.Fprintf(&b, " running job %d", f.jobs[0])
	default:
		fmt.Fprintf(&b, " running job %d (first of a chunk of %d)", f.jobs[0], len(f.jobs))
	}
	fmt.Fprintf(&b, ": %v", f.cause)
	if errors.Is(f.cause, errExited) && f.proc.stopped && f.proc.waitErr != nil {
		fmt.Fprintf(&b, " (%v)", f.proc.waitErr) // otherwise it was our own SIGKILL
	}
	b.WriteString(f.proc.stderrNote())
	return b.String()
}

func (f *workerFault) Unwrap() error { return f.cause }

// mergeSorted merges two ascending lists of job ids.
func mergeSorted(a, b []int64) []int64 {
	if len(b) == 0 {
		return a
	}
	out := make([]int64, 0, len(a)+len(b))
	out = append(append(out, a...), b...)
	slices.Sort(out)
	return out
}
