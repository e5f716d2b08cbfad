// Package procpool is the strategy "procpool": a pool of worker processes,
// each the running binary re-executed, fed jobs over pipes. Importing it
// registers the strategy, on platforms that can run it.
//
// Because its workers are the binary itself, every program that runs
// procpool must serve the worker mode first thing in its main (or its test
// binary's TestMain): see WorkerMode. The workers speak the frame protocol
// of strategies/internal/wire.
package procpool

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/internal/childproc"
	"github.com/parbench/parbench/strategies/internal/wire"
)

func init() {
	if childproc.Supported {
		strategies.Register(strategies.Info{
			Name:         "procpool",
			Doc:          "a pool of worker processes (this binary re-executed) fed jobs over pipes",
			New:          func() strategies.Strategy { return &Procpool{} },
			OutOfProcess: true,
		})
	}
}

// Procpool runs jobs in a pool of worker processes, each this binary
// re-executed in worker mode (see WorkerMode) with GOMAXPROCS=1 and the
// parent's CPU affinity. It is the article's multiprocessing.Pool, made
// solid: no job is lost when a worker exits, is killed, writes garbage or
// hangs.
//
// Workers are started by Prepare and live until Close, across batches; Run
// without Prepare starts them itself and stops them before it returns, and
// a Run that fails stops them all. Stopping is SIGKILL and a reap, never a
// request. A worker also exits by itself when its stdin reaches EOF, which
// covers a parent that dies without stopping it.
//
// # Dispatch
//
// The parent sends each worker chunks of jobs over its stdin, at most
// InFlight chunks at a time, so a worker finds its next chunk waiting when
// it finishes one; released jobs wait in the parent for the next worker with
// room. A job is sent no sooner than its release time. A worker answers each
// chunk with one frame of results, carrying its CPU time so far (the process CPU clock),
// from which LastBatchWorkerCPU is taken. The goroutine that reads a
// worker's results sends that worker its next chunk, so a chunk costs the
// parent one wakeup.
//
// # Faults
//
// A worker fails when its stream ends, when it writes a malformed frame or a
// result that does not answer its oldest chunk job for job, or when it has
// not answered a chunk within the chunk's allowance (see HangTimeout). It is
// then killed and reaped, its chunks in flight go back to the front of the
// queue, and a new worker takes its slot. The batch goes on; LastBatchMetrics
// counts the faults. A slot that fails MaxFaults times in a row, or a job
// that was running in MaxFaults failed workers, fails the run with an error
// naming the worker's pid and the job.
//
// # Timing
//
// A Result's Start and End are the worker's own readings of CLOCK_MONOTONIC,
// a clock every process on the machine shares, converted to offsets from the
// parent's batch start: they are when the worker began and finished the
// job, so a job's wait in the pipe shows as time before its Start, and the
// pipe's latency is never inside a job.
//
// A Procpool is driven by one goroutine at a time; only Pids may be called
// concurrently with the others.
type Procpool struct {
	// Chunk is the number of jobs per frame, at most MaxChunk. Zero picks
	// it per batch: enough jobs for about 10ms of work (estimated from a
	// calibration of the XOR-sum, plus the workload's sleep), and fewer as
	// the batch drains, so that no worker is left with a long tail. Each
	// frame costs the parent a wakeup, which on a machine with no spare
	// core takes a worker's CPU; 10ms makes that cost vanish.
	Chunk int
	// InFlight is the number of chunks a worker may hold at once: the one
	// it runs and the ones waiting for it. Zero means 2.
	InFlight int
	// HangTimeout is how long a worker may take over a chunk, beyond the
	// chunk's sleeps, before it is killed as hung. Zero means
	// max(2s, 50 × the chunk's estimated compute time), generous enough for
	// a worker sharing its CPU with many others.
	HangTimeout time.Duration
	// MaxFaults is how many faults in a row a worker slot, or a job, may
	// have before the run fails. Zero means 3.
	MaxFaults int

	// fault is a test hook: the fault a worker injects (see faultPlan).
	fault faultPlan

	// Set once by setup.
	ready  bool
	exe    string
	clock  monoClock
	iterNs float64 // measured cost of one XOR-sum iteration

	// Owned by the goroutine driving the pool.
	prepared   bool  // workers live until Close
	gens       []int // workers started so far, by slot
	profiling  bool
	lastCPU    time.Duration
	lastFaults int

	// mu guards what the workers' reader goroutines touch as well: the
	// slots, the batch in progress, frames that come between batches, and
	// the dynamic fields of each proc.
	mu      sync.Mutex
	procs   []*proc // by slot; nil while a slot has no worker
	started []int   // the pid of every worker ever started, for tests
	batch   *batch  // the Run in progress, or nil
	inbox   []event // frames from workers between batches
	wake    chan struct{}
	lost    int // workers whose profile was lost to a fault
	faults  faultLog
}

var (
	_ strategies.Strategy       = (*Procpool)(nil)
	_ strategies.Preparer       = (*Procpool)(nil)
	_ strategies.Closer         = (*Procpool)(nil)
	_ strategies.WorkerCPU      = (*Procpool)(nil)
	_ strategies.BatchMetrics   = (*Procpool)(nil)
	_ strategies.WorkerProfiler = (*Procpool)(nil)
)

// faultPlan is a test hook: workers in slot (every slot if slot < 0) start
// with faultEnv set to spec; only the first worker of a slot, unless every.
type faultPlan struct {
	spec  string
	slot  int
	every bool
}

// event is a frame, or the end of the stream, from a worker between
// batches.
type event struct {
	proc *proc
	msg  wire.Message
	err  error
}

// MaxChunk is the largest Procpool.Chunk: a frame of jobs and its answer
// stay well inside a pipe's buffer.
const MaxChunk = wire.MaxJobs

var errProcpoolUnsupported = errors.New("procpool: not supported on " + runtime.GOOS)

// Defaults for the zero values of Procpool's fields, and the sizing rules.
const (
	defaultInFlight  = 2
	defaultMaxFaults = 3
	targetChunkTime  = 10 * time.Millisecond
	minHangTimeout   = 2 * time.Second
	hangFactor       = 50
	jobOverhead      = 50 * time.Nanosecond // clock reads and bookkeeping per job
)

// Name implements Strategy.
func (*Procpool) Name() string { return "procpool" }

// Prepare starts the workers and waits for their hellos. The harness times
// it as the strategy's start-up cost.
func (p *Procpool) Prepare(ctx context.Context, w strategies.Workload, workers int) error {
	if err := strategies.CheckRun(w, workers); err != nil {
		return err
	}
	if p.prepared {
		if len(p.procs) != workers {
			return fmt.Errorf("procpool: already prepared with %d workers, want %d", len(p.procs), workers)
		}
		return nil
	}
	if err := p.fill(ctx, workers); err != nil {
		p.stopAll()
		return err
	}
	p.prepared = true
	return nil
}

// Close stops every worker and waits for it. It is safe to call more than
// once, and without Prepare.
func (p *Procpool) Close() error {
	// A worker that died after the last batch is a fault too.
	p.drainInbox()
	p.stopAll()
	p.prepared = false
	p.profiling = false
	return nil
}

// LastBatchWorkerCPU implements WorkerCPU: the user+system time the workers
// spent during the last Run, from the CPU time they report with every
// chunk of results (from the moment the worker began its first chunk of
// the batch to its last) and, for a worker that failed, the kernel's
// account of it. A worker's CPU while it sat idle between batches (its
// runtime's own, which with dozens of workers idling through other
// configurations' batches was more than the CPUs could give a batch) and
// its start-up do not count. Where the kernel keeps schedstat, the harness
// reads the workers' CPU around the batch instead.
func (p *Procpool) LastBatchWorkerCPU() time.Duration { return p.lastCPU }

// LastBatchMetrics implements BatchMetrics: faults/op is how many worker
// faults the last Run met, including workers found dead when it began.
func (p *Procpool) LastBatchMetrics() []strategies.Metric {
	return []strategies.Metric{{Unit: "faults/op", Value: float64(p.lastFaults)}}
}

// Pids lists the running workers' process ids by slot, 0 for a slot whose
// worker is being replaced. It is safe to call while Run runs.
func (p *Procpool) Pids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	pids := make([]int, len(p.procs))
	for i, pr := range p.procs {
		if pr != nil {
			pids[i] = pr.pid
		}
	}
	return pids
}

// startedPids is every worker pid ever started, for tests.
func (p *Procpool) startedPids() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.started)
}

// Run implements Strategy.
func (p *Procpool) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	p.lastCPU, p.lastFaults = 0, 0
	if err := strategies.CheckRun(w, workers); err != nil {
		return nil, err
	}
	if p.prepared && len(p.procs) != workers {
		return nil, fmt.Errorf("procpool: prepared with %d workers, Run wants %d", len(p.procs), workers)
	}
	if !p.prepared {
		defer p.stopAll()
	}
	dead := p.drainInbox()
	if err := p.fill(ctx, workers); err != nil {
		p.stopAll()
		return nil, err
	}
	b := p.newBatch(ctx, w, workers)
	defer b.cancel()
	b.faults = dead
	return b.run(ctx)
}

// setup finds the executable and measures the kernel, once.
func (p *Procpool) setup() error {
	if p.ready {
		return nil
	}
	if !childproc.Supported {
		return errProcpoolUnsupported
	}
	if WorkerMode() {
		// Starting workers from here would start workers of workers.
		return errors.New("procpool: this process is itself a procpool worker: its main must call procpool.ServeWorker when procpool.WorkerMode() is true")
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("procpool: finding this program to re-execute: %w", err)
	}
	clock, err := newMonoClock()
	if err != nil {
		return fmt.Errorf("procpool: %w", err)
	}
	p.exe, p.clock = exe, clock
	p.wake = make(chan struct{}, 1)
	p.iterNs = calibrate()
	p.ready = true
	return nil
}

// calibrate measures one XOR-sum iteration: the best of many short runs,
// so that a run slowed by another process sharing the core does not count.
// It takes well under a millisecond.
func calibrate() float64 {
	const n = 1 << 14
	best := time.Duration(1<<63 - 1)
	var sink int64
	for range 20 {
		t := time.Now()
		sink += strategies.XORSum(int64(n), n)
		best = min(best, time.Since(t))
	}
	runtime.KeepAlive(sink)
	return max(float64(best)/n, 0.01)
}

// fill starts a worker in every empty slot, in parallel, and waits for
// their hellos. On error, the workers it started stay in their slots for
// the caller to stop.
func (p *Procpool) fill(ctx context.Context, workers int) error {
	if err := p.setup(); err != nil {
		return err
	}
	p.mu.Lock()
	for len(p.procs) < workers {
		p.procs = append(p.procs, nil)
	}
	empty := []int{}
	for slot, pr := range p.procs {
		if pr == nil {
			empty = append(empty, slot)
		}
	}
	p.mu.Unlock()
	for len(p.gens) < workers {
		p.gens = append(p.gens, 0)
	}
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for _, slot := range empty {
		env := p.workerEnv(slot)
		wg.Go(func() {
			pr, err := startProc(ctx, p.exe, slot, env, p.deliver)
			if err != nil {
				errs[slot] = err
				return
			}
			p.mu.Lock()
			p.installLocked(pr)
			p.mu.Unlock()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// workerEnv is the environment of the next worker in slot.
func (p *Procpool) workerEnv(slot int) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		for _, k := range []string{"GOMAXPROCS=", workerEnv + "=", faultEnv + "="} {
			if strings.HasPrefix(kv, k) {
				return true
			}
		}
		return false
	})
	env = append(env, "GOMAXPROCS=1", workerEnv+"=1")
	if f := p.fault; f.spec != "" && (f.slot < 0 || f.slot == slot) && (f.every || p.gens[slot] == 0) {
		env = append(env, faultEnv+"="+f.spec)
	}
	p.gens[slot]++
	return env
}

// installLocked puts a started worker in its slot.
func (p *Procpool) installLocked(pr *proc) {
	p.procs[pr.slot] = pr
	p.started = append(p.started, pr.pid)
}

// currentLocked reports whether pr is the live worker in its slot; frames
// from a worker that failed or was replaced are ignored.
func (p *Procpool) currentLocked(pr *proc) bool {
	return !pr.dead && pr.slot < len(p.procs) && p.procs[pr.slot] == pr
}

// deliver takes a worker's frame on its reader goroutine: to the batch in
// progress, or to the inbox between batches.
func (p *Procpool) deliver(pr *proc, m wire.Message, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.currentLocked(pr) {
		return
	}
	if pr.ackDue {
		// A replacement started in a batch with profiling on answers its
		// ProfileStart whenever it gets to it, batch or not.
		switch m.(type) {
		case wire.ProfileStarted:
			pr.ackDue = false
			return
		case wire.Failure:
			pr.ackDue, pr.profiling = false, false
			p.lost++
			return
		}
	}
	if b := p.batch; b != nil {
		b.frameLocked(pr, m, err)
		return
	}
	p.inbox = append(p.inbox, event{proc: pr, msg: m, err: err})
	poke(p.wake)
}

// drainInbox retires every worker that wrote anything between batches: it
// died, or is out of step. It returns how many.
func (p *Procpool) drainInbox() int {
	p.mu.Lock()
	var bad []*proc
	for _, ev := range p.inbox {
		if p.currentLocked(ev.proc) {
			ev.proc.dead = true
			bad = append(bad, ev.proc)
			f := &workerFault{proc: ev.proc, cause: errBetweenBatches}
			p.noteFaultLocked(faultText(f.Error))
		}
	}
	p.inbox = nil
	p.mu.Unlock()
	for _, pr := range bad {
		p.retire(pr)
	}
	return len(bad)
}

// kill marks pr dead and stops it.
func (p *Procpool) kill(pr *proc) {
	p.mu.Lock()
	pr.dead = true
	p.mu.Unlock()
	p.retire(pr)
}

// retire stops a worker already marked dead and empties its slot. It must
// be called without mu held.
func (p *Procpool) retire(pr *proc) {
	pr.stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	if pr.profiling {
		pr.profiling = false
		p.lost++
	}
	if pr.slot < len(p.procs) && p.procs[pr.slot] == pr {
		p.procs[pr.slot] = nil
	}
}

// stopAll stops every worker and drops their slots.
func (p *Procpool) stopAll() {
	p.mu.Lock()
	var procs []*proc
	for _, pr := range p.procs {
		if pr != nil {
			pr.dead = true
			procs = append(procs, pr)
		}
	}
	// No slots are kept: the next fill makes as many as it is asked for,
	// which may be fewer than before.
	p.procs = p.procs[:0]
	p.inbox = nil
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, pr := range procs {
		wg.Go(pr.stop)
	}
	wg.Wait()
}

// poke wakes whoever waits on c, without blocking.
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
