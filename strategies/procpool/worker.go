package procpool

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/internal/childproc"
	"github.com/parbench/parbench/strategies/internal/wire"
)

// Environment variables between procpool and its workers.
const (
	// workerEnv marks a process started as a procpool worker.
	workerEnv = "PARBENCH_PROCPOOL_WORKER"
	// faultEnv is a test hook: a fault for the worker to inject, such as
	// "exit-after:2". Only tests set it, through Procpool.fault.
	faultEnv = "PARBENCH_PROCPOOL_FAULT"
)

// WorkerMode reports whether this process was started as a procpool
// worker. A main function that can run procpool (cmd/parbench, a test
// binary's TestMain) must check it first thing and then serve:
//
//	if procpool.WorkerMode() {
//		if err := procpool.ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
//			os.Exit(1)
//		}
//		os.Exit(0)
//	}
func WorkerMode() bool {
	return os.Getenv(workerEnv) == "1"
}

// ServeWorker runs jobs for a procpool parent: it reads frames from in (the
// worker's stdin) and writes its hello and results to out (its stdout). It
// returns nil when in reaches EOF, which is how a parent that closes its end
// or dies tells a worker to go, and ctx's error when ctx is done. Any
// malformed input is an error. Nothing else may read in or write out while
// it runs.
//
// If in is an *os.File it is read through a non-blocking duplicate, which
// ServeWorker closes before it returns. Any other reader may still have a
// Read pending when ServeWorker returns on ctx; it ends when the caller
// closes in. A job's sleep ends early when in closes, but its XOR-sum runs
// to the end.
func ServeWorker(ctx context.Context, in io.Reader, out io.Writer) error {
	f, err := parseFault(os.Getenv(faultEnv))
	if err != nil {
		return err
	}
	return serveWorker(ctx, in, out, f)
}

// errStdinClosed ends a worker's serving loop without an error.
var errStdinClosed = errors.New("stdin closed")

func serveWorker(ctx context.Context, in io.Reader, out io.Writer, f fault) (err error) {
	if !childproc.Supported {
		return errProcpoolUnsupported
	}
	clock, err := newMonoClock()
	if err != nil {
		return fmt.Errorf("procpool worker: %w", err)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	in, closeIn, closable := pollable(in)

	wk := &worker{out: wire.NewWriter(out), raw: out, clock: clock, fault: f}
	if err := wk.out.Write(wire.Hello{Version: wire.Version, PID: int64(os.Getpid()), CPU: selfCPU()}); err != nil {
		closeIn()
		return fmt.Errorf("procpool worker: writing hello: %w", err)
	}

	// The reader runs beside the jobs so that the parent closing stdin
	// ends a job's sleep at once. Frames wait in the pipe, not here, so a
	// small channel is enough to keep the next chunk ready.
	frames := make(chan wire.Message, 2)
	var wg sync.WaitGroup
	wg.Go(func() {
		r := wire.NewReader(in)
		for {
			m, err := r.Read()
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = errStdinClosed
				} else {
					err = fmt.Errorf("procpool worker: reading stdin: %w", err)
				}
				cancel(err)
				return
			}
			select {
			case frames <- m:
			case <-ctx.Done():
				return
			}
		}
	})
	defer func() {
		cancel(nil)
		closeIn()
		if closable {
			wg.Wait()
		}
		if wk.profiling {
			pprof.StopCPUProfile()
		}
	}()

	for {
		select {
		case m := <-frames:
			if err := wk.handle(ctx, m); err != nil {
				return workerExit(ctx, err)
			}
		case <-ctx.Done():
			return workerExit(ctx, ctx.Err())
		}
	}
}

// workerExit maps the reason a worker stops to ServeWorker's result.
func workerExit(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	switch {
	case errors.Is(cause, errStdinClosed):
		return nil
	case cause != nil && !errors.Is(cause, context.Canceled):
		return cause // a read error
	}
	return err
}

// worker is the serving state of one worker process.
type worker struct {
	out       *wire.Writer
	raw       io.Writer // under out, for the garbage fault
	clock     monoClock
	fault     fault
	jobsDone  int
	results   []wire.Result
	profiling bool
	profile   bytes.Buffer
}

// handle serves one frame from the parent.
func (wk *worker) handle(ctx context.Context, m wire.Message) error {
	switch m := m.(type) {
	case wire.Jobs:
		return wk.runJobs(ctx, m)
	case wire.ProfileStart:
		if wk.profiling {
			return wk.out.Write(wire.Failure{Msg: "cpu profile already started"})
		}
		wk.profile.Reset()
		if err := pprof.StartCPUProfile(&wk.profile); err != nil {
			return wk.out.Write(wire.Failure{Msg: err.Error()})
		}
		wk.profiling = true
		return wk.out.Write(wire.ProfileStarted{})
	case wire.ProfileStop:
		if !wk.profiling {
			return wk.out.Write(wire.Failure{Msg: "cpu profile not started"})
		}
		pprof.StopCPUProfile()
		wk.profiling = false
		return wk.out.Write(wire.Profile{Data: wk.profile.Bytes()})
	}
	return fmt.Errorf("procpool worker: unexpected %v frame from the parent", m.Type())
}

// runJobs runs a chunk in order and answers with one Results frame. Jobs
// run back to back, so one clock reading ends a job and starts the next.
//
// With m.JobCPU, each job's thread CPU time goes with its result: the
// chunk runs on one locked thread, so that the thread's clock is the
// job's.
func (wk *worker) runJobs(ctx context.Context, m wire.Jobs) error {
	cpuStart := selfCPU()
	w := strategies.Workload{N: m.N, Sleep: m.Sleep}
	wk.results = wk.results[:0]
	if m.JobCPU {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
	}
	start := wk.clock.now()
	var cpu time.Duration
	if m.JobCPU {
		cpu = childproc.ThreadCPU()
	}
	for _, id := range m.IDs {
		if err := wk.injectFault(ctx); err != nil {
			return err
		}
		sum, err := strategies.Compute(ctx, w, id)
		if err != nil {
			return err
		}
		end := wk.clock.now()
		r := wire.Result{Job: id, Sum: sum, Start: start, End: end}
		if m.JobCPU {
			now := childproc.ThreadCPU()
			r.CPU = int64(max(0, now-cpu))
			cpu = now
		}
		wk.results = append(wk.results, r)
		start = end
		wk.jobsDone++
	}
	return wk.out.Write(wire.Results{CPUStart: cpuStart, CPU: selfCPU(), Results: wk.results})
}

// fault is a test hook: a misbehaviour a worker shows once it has run
// after jobs.
type fault struct {
	kind  string // "", "exit", "garbage" or "hang"
	after int
	fired bool
}

// garbage is what a worker with the garbage fault writes: a header that
// claims an impossible length, then text.
const garbage = "\xff\xff\xff\xff\x03garbage from an injected fault\n"

// injectFault fires the worker's fault before its job number after+1.
func (wk *worker) injectFault(ctx context.Context) error {
	f := &wk.fault
	if f.kind == "" || f.fired || wk.jobsDone < f.after {
		return nil
	}
	f.fired = true
	switch f.kind {
	case "exit":
		return fmt.Errorf("procpool worker: injected exit after %d jobs", wk.jobsDone)
	case "garbage":
		_, err := io.WriteString(wk.raw, garbage)
		return err
	case "hang":
		<-ctx.Done()
		return ctx.Err()
	}
	return nil
}

// parseFault reads a fault hook such as "hang-after:1"; "" is no fault.
func parseFault(s string) (fault, error) {
	if s == "" {
		return fault{}, nil
	}
	kind, n, ok := strings.Cut(s, "-after:")
	after, err := strconv.Atoi(n)
	if !ok || err != nil || after < 0 {
		return fault{}, fmt.Errorf("procpool worker: %s=%q: want KIND-after:JOBS", faultEnv, s)
	}
	switch kind {
	case "exit", "garbage", "hang":
		return fault{kind: kind, after: after}, nil
	}
	return fault{}, fmt.Errorf("procpool worker: %s=%q: unknown fault %q (want exit, garbage or hang)", faultEnv, s, kind)
}

// monoClock reads CLOCK_MONOTONIC cheaply: it pairs one raw reading with a
// time.Time once, then reads Go's own monotonic clock (vDSO, no system
// call), which differs from the raw clock by a constant offset per process.
type monoClock struct {
	base time.Time
	raw  int64
}

// newMonoClock pairs the clocks in the narrowest of a few windows, so the
// offset is known to within half a system call.
func newMonoClock() (monoClock, error) {
	var best monoClock
	width := int64(math.MaxInt64)
	for range 5 {
		r1, err := childproc.RawMonotonic()
		if err != nil {
			return monoClock{}, err
		}
		t := time.Now()
		r2, err := childproc.RawMonotonic()
		if err != nil {
			return monoClock{}, err
		}
		if r2-r1 < width {
			width = r2 - r1
			best = monoClock{base: t, raw: r1 + (r2-r1)/2}
		}
	}
	return best, nil
}

// at is t on the raw clock, in nanoseconds.
func (c monoClock) at(t time.Time) int64 { return c.raw + int64(t.Sub(c.base)) }

// now is the raw clock now, in nanoseconds.
func (c monoClock) now() int64 { return c.at(time.Now()) }
