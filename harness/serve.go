package harness

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/trace"
	"slices"
	"time"

	"github.com/parbench/parbench/internal/jobtrace"
	"github.com/parbench/parbench/strategies"
)

// ServeMeasure is the measurement process: it reads the parent's hello and
// then its requests from in, one at a time, and writes its answers to out
// (see protocol.go). It removes the measurement mode's variable from the
// environment first, so that processes it starts inherit an ordinary one.
// It returns nil when in reaches end of file (the parent is done with it),
// and early when ctx is done. An error is also sent to the parent as a
// message before it is returned.
func ServeMeasure(ctx context.Context, in io.Reader, out io.Writer) (err error) {
	// Processes this one starts, such as procpool workers re-executing
	// the same binary, must not take themselves for measurement processes.
	_ = os.Unsetenv(measureEnv)
	enc := json.NewEncoder(out)
	ctx = withFaultSink(ctx, func(f Fault) { _ = enc.Encode(message{Fault: &f}) })
	fail := func(err error) error {
		_ = enc.Encode(message{Error: err.Error()})
		return err
	}
	dec := json.NewDecoder(in)
	var h hello
	if err := dec.Decode(&h); err != nil {
		return fail(fmt.Errorf("reading the hello: %w", err))
	}
	if err := h.check(); err != nil {
		return fail(err)
	}
	runtime.GOMAXPROCS(h.Cores)
	if err := enc.Encode(message{Check: &check{PID: os.Getpid(), GOMAXPROCS: runtime.GOMAXPROCS(0), CPUs: affinityCount()}}); err != nil {
		return err
	}
	m := &measurer{hello: h, made: map[Trial]strategies.Strategy{}}
	defer func() {
		if cerr := m.close(ctx); cerr != nil && err == nil {
			err = fail(cerr)
		}
	}()
	for {
		var req request
		if err := dec.Decode(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return nil // the parent is done with this process
			}
			return fail(fmt.Errorf("reading a request: %w", err))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := checkRequest(req, h.Cores); err != nil {
			return fail(err)
		}
		s, err := m.serve(ctx, req)
		if err != nil {
			return fail(fmt.Errorf("%v: %w", req.Trial, err))
		}
		if err := enc.Encode(message{Sample: &s}); err != nil {
			return err
		}
	}
}

// check refuses a hello this process cannot honour.
func (h hello) check() error {
	if h.Cores < 1 || h.Cores > maxCopies || len(h.CPUs) > maxCopies {
		return fmt.Errorf("hello: %d cores on %d CPUs", h.Cores, len(h.CPUs))
	}
	for _, c := range h.CPUs {
		if c < 0 || c >= maxCPUID {
			return fmt.Errorf("hello: CPU %d", c)
		}
	}
	return h.Workload.Validate()
}

// measurer is a measurement process's state: the strategies it has made,
// one per configuration, each prepared on its first request and kept until
// the end of input, so that procpool's workers stay up for the sweep.
type measurer struct {
	hello
	made     map[Trial]strategies.Strategy
	traceBuf bytes.Buffer // a timeline batch's execution trace, until written
}

// close ends every strategy the process made, on every path.
func (m *measurer) close(ctx context.Context) error {
	var errs []error
	for t, st := range m.made {
		if c, ok := st.(strategies.Closer); ok {
			if err := c.Close(); err != nil {
				errs = append(errs, fmt.Errorf("%v: closing: %w", t, err))
			}
			noteFaults(ctx, st, t, "close")
		}
	}
	return errors.Join(errs...)
}

// strategy returns t's strategy, making and preparing it on first use;
// started is its start-up time then, 0 afterwards.
func (m *measurer) strategy(ctx context.Context, t Trial) (st strategies.Strategy, started time.Duration, err error) {
	if st, ok := m.made[t]; ok {
		return st, 0, nil
	}
	if st, err = strategies.New(t.Strategy); err != nil {
		return nil, 0, err
	}
	m.made[t] = st
	if p, ok := st.(strategies.Preparer); ok {
		begin := time.Now()
		err := p.Prepare(ctx, m.Workload, t.Workers)
		noteFaults(ctx, st, t, "start-up")
		if err != nil {
			return nil, 0, fmt.Errorf("start-up: %w", err)
		}
		started = time.Since(begin)
	}
	return st, started, nil
}

// serve runs one checked request.
func (m *measurer) serve(ctx context.Context, req request) (Sample, error) {
	t := req.Trial
	s := Sample{Trial: t}
	switch {
	case req.Kind == kindMeter:
		w := m.Workload
		if req.Bare {
			w.Sleep, w.Gap = 0, 0
		}
		runtime.GC()
		begin := time.Now()
		half, err := runShares(ctx, w, req.Meter)
		s.Wall, s.Half = time.Since(begin), half
		return s, err
	case t.Strategy == CeilingStrategy:
		return m.ceiling(ctx, req)
	}
	st, started, err := m.strategy(ctx, t)
	if err != nil {
		return s, err
	}
	s.Startup = started
	switch req.Kind {
	case kindWarmup:
		begin := time.Now()
		_, err := runBatch(ctx, st, m.Workload, t.Workers)
		noteFaults(ctx, st, t, fmt.Sprintf("warm-up batch %d", req.Index))
		if err != nil {
			return s, fmt.Errorf("warm-up batch %d: %w", req.Index, err)
		}
		s.Wall = time.Since(begin)
		return s, nil
	case kindProfile:
		defer noteFaults(ctx, st, t, "profile")
		return profileTrial(ctx, st, m.Workload, req.Profile, s)
	}
	w := m.Workload
	w.JobCPU = req.JobCPU
	runtime.GC() // a comparable heap for every timed batch and its half
	if req.First {
		if s.Half, err = runShares(ctx, w, req.Half); err != nil {
			return s, fmt.Errorf("baseline half: %w", err)
		}
	}
	var pids []int
	wp, hasPIDs := st.(workerPIDs)
	if hasPIDs {
		pids = wp.Pids()
	}
	delay0, delayKnown := runDelay(pids)
	onCPU0, onCPUKnown := workersOnCPU(pids)
	tracing, warn := startTrace(&m.traceBuf, req.Trace)
	runCtx := ctx
	var task *trace.Task
	if tracing {
		runCtx, task = trace.NewTask(ctx, jobtrace.Batch)
	}
	// Only Run is timed: checking the batch is serial work of the harness
	// (a sizeable share of a batch of tiny jobs), not the strategy's.
	cpu0 := processCPU()
	begin := time.Now()
	results, err := st.Run(runCtx, w, t.Workers)
	s.Wall = time.Since(begin)
	s.CPU = processCPU() - cpu0
	if tracing {
		task.End()
		warn = stopTrace(&m.traceBuf, req.Trace)
	}
	delay1, ok := runDelay(pids)
	onCPU1, onCPUOK := workersOnCPU(pids)
	noteFaults(ctx, st, t, timedStep(req.Kind == kindTimeline))
	if err != nil {
		return s, err
	}
	if delayKnown && ok && delay1 >= delay0 {
		s.Descheduled = delay1 - delay0
	}
	if len(req.Half) > 0 && !req.First {
		if s.Half, err = runShares(ctx, w, req.Half); err != nil {
			return s, fmt.Errorf("baseline half: %w", err)
		}
	}
	if err := strategies.Verify(m.Workload, results); err != nil {
		return s, err
	}
	if req.Split {
		if idle, ok := splitIdle(m.Workload, results, t.Cores, s.Wall); ok {
			s.Idle = &idle
		}
	}
	if req.JobCPU {
		s.JobsCPU = jobsCPU(results)
	}
	if wc, ok := st.(strategies.WorkerCPU); ok {
		// The workers' CPU inside the batch's window, where the kernel
		// keeps it and the same workers ran the whole batch; else their
		// own reports.
		if onCPUKnown && onCPUOK && onCPU1 >= onCPU0 && hasPIDs && slices.Equal(pids, wp.Pids()) {
			s.CPU += onCPU1 - onCPU0
		} else {
			s.CPU += wc.LastBatchWorkerCPU()
		}
	}
	if bm, ok := st.(strategies.BatchMetrics); ok {
		s.Metrics = bm.LastBatchMetrics()
	}
	if req.Kind == kindTimeline {
		s.Jobs = results
		if req.Trace != "" {
			s.Trace = &TraceFile{Path: req.Trace, Warning: warn}
			if warn != "" {
				s.Trace.Path = ""
			}
		}
	}
	return s, nil
}

// ceiling runs one batch of the ceiling (see ceiling.go).
func (m *measurer) ceiling(ctx context.Context, req request) (Sample, error) {
	t := req.Trial
	s := Sample{Trial: t, Copies: t.Cores}
	runtime.GC()
	if req.First {
		half, err := runShares(ctx, m.Workload, req.Half)
		if err != nil {
			return s, fmt.Errorf("baseline half: %w", err)
		}
		s.Half = half
	}
	cpu0 := processCPU()
	run, err := runCopies(ctx, m.Workload, t.Cores, m.CPUs)
	s.Wall, s.CopiesTime, s.CPU = run.join, run.copiesTime(m.Workload.Jobs), processCPU()-cpu0
	s.JobsCPU = run.cpu
	if err != nil {
		if req.Kind == kindWarmup {
			err = fmt.Errorf("warm-up batch %d: %w", req.Index, err)
		}
		return s, err
	}
	if len(req.Half) > 0 && !req.First {
		if s.Half, err = runShares(ctx, m.Workload, req.Half); err != nil {
			return s, fmt.Errorf("baseline half: %w", err)
		}
	}
	return s, nil
}

// runBatch runs and verifies one batch.
func runBatch(ctx context.Context, st strategies.Strategy, w strategies.Workload, workers int) ([]strategies.Result, error) {
	results, err := st.Run(ctx, w, workers)
	if err != nil {
		return nil, err
	}
	if err := strategies.Verify(w, results); err != nil {
		return nil, err
	}
	return results, nil
}
