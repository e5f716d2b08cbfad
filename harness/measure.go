package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
	"unicode"

	"github.com/parbench/parbench/strategies"
)

// measureEnv selects the hidden measurement mode of the running binary.
const measureEnv = "PARBENCH_MEASURE"

// MeasureMode reports whether this process was started by a Runner as a
// measurement process. Its main must then call ServeMeasure and exit.
func MeasureMode() bool { return os.Getenv(measureEnv) == "1" }

// forkRequest is what the parent sends a measurement process on stdin.
type forkRequest struct {
	Fork     Fork                `json:"fork"`
	Workload strategies.Workload `json:"workload"`
	Warmup   int                 `json:"warmup"`
	Timeline bool                `json:"timeline"`
	Profile  *profileRequest     `json:"profile,omitempty"`
	// Session keeps the process for a whole sweep: after its check it
	// answers batch requests, one JSON line each, until end of input
	// (see session.go). Fork.Trials is then unused.
	Session bool `json:"session,omitempty"`
}

// forkCheck is the first message of a measurement process: how it found
// itself, so the parent can check that cores were enforced.
type forkCheck struct {
	PID        int `json:"pid"`
	GOMAXPROCS int `json:"gomaxprocs"`
	CPUs       int `json:"cpus"` // CPUs in the affinity mask; 0 where unknown
}

// message is one JSON line from a measurement process. Exactly one field
// is set.
type message struct {
	Check  *forkCheck `json:"check,omitempty"`
	Start  *Trial     `json:"start,omitempty"`
	Sample *Sample    `json:"sample,omitempty"`
	Fault  *Fault     `json:"fault,omitempty"` // see faults.go
	Error  string     `json:"error,omitempty"`
}

// ServeMeasure is the measurement process: it reads one fork request from
// in, runs it, and writes messages to out. It removes the measurement
// mode's variable from the environment first, so that processes it starts
// inherit an ordinary one. It stops early when ctx is done
// or when in reaches end of file (the parent went away). An error is also
// sent to the parent as a message before it is returned.
func ServeMeasure(ctx context.Context, in io.Reader, out io.Writer) error {
	// Processes this one starts, such as procpool workers re-executing
	// the same binary, must not take themselves for measurement processes.
	_ = os.Unsetenv(measureEnv)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	enc := json.NewEncoder(out)
	ctx = withFaultSink(ctx, func(f Fault) { _ = enc.Encode(message{Fault: &f}) })
	fail := func(err error) error {
		_ = enc.Encode(message{Error: err.Error()})
		return err
	}
	dec := json.NewDecoder(in)
	var req forkRequest
	if err := dec.Decode(&req); err != nil {
		return fail(fmt.Errorf("reading fork request: %w", err))
	}
	if req.Session {
		return serveSession(ctx, dec, enc, req)
	}
	go func() {
		// The parent keeps stdin open for the life of the fork.
		_, _ = io.Copy(io.Discard, io.MultiReader(dec.Buffered(), in))
		cancel()
	}()

	runtime.GOMAXPROCS(req.Fork.Cores)
	check := forkCheck{PID: os.Getpid(), GOMAXPROCS: runtime.GOMAXPROCS(0), CPUs: affinityCount()}
	if err := enc.Encode(message{Check: &check}); err != nil {
		return err
	}
	for _, t := range req.Fork.Trials {
		if err := enc.Encode(message{Start: &t}); err != nil {
			return err
		}
		s, err := measureTrial(ctx, req, t)
		if err != nil {
			return fail(fmt.Errorf("%v: %w", t, err))
		}
		if err := enc.Encode(message{Sample: &s}); err != nil {
			return err
		}
	}
	return nil
}

// measureTrial runs one trial: set-up, warm-up batches, then one timed
// batch, each checked against the closed form.
func measureTrial(ctx context.Context, req forkRequest, t Trial) (s Sample, err error) {
	st, err := strategies.New(t.Strategy)
	if err != nil {
		return s, err
	}
	s = Sample{Trial: t, Round: req.Fork.Round}
	if c, ok := st.(strategies.Closer); ok {
		defer func() {
			if cerr := c.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("closing: %w", cerr)
			}
			noteFaults(ctx, st, t, s.Round, "close")
		}()
	}
	if p, ok := st.(strategies.Preparer); ok {
		begin := time.Now()
		if err := p.Prepare(ctx, req.Workload, t.Workers); err != nil {
			return s, fmt.Errorf("start-up: %w", err)
		}
		s.Startup = time.Since(begin)
		noteFaults(ctx, st, t, s.Round, "start-up")
	}
	for i := range req.Warmup {
		_, err := runBatch(ctx, st, req.Workload, t.Workers)
		noteFaults(ctx, st, t, s.Round, fmt.Sprintf("warm-up batch %d", i+1))
		if err != nil {
			return s, fmt.Errorf("warm-up batch %d: %w", i+1, err)
		}
	}
	if req.Profile != nil {
		defer noteFaults(ctx, st, t, s.Round, "profile")
		return profileTrial(ctx, st, req, s)
	}
	runtime.GC() // a comparable heap for every timed batch
	// Only Run is timed: checking the batch is serial work of the harness
	// (a sizeable share of a batch of tiny jobs), not the strategy's.
	cpu0 := processCPU()
	begin := time.Now()
	results, err := st.Run(ctx, req.Workload, t.Workers)
	s.Wall = time.Since(begin)
	s.CPU = processCPU() - cpu0
	noteFaults(ctx, st, t, s.Round, timedStep(req.Timeline))
	if err != nil {
		return s, err
	}
	if err := strategies.Verify(req.Workload, results); err != nil {
		return s, err
	}
	if wc, ok := st.(strategies.WorkerCPU); ok {
		s.CPU += wc.LastBatchWorkerCPU()
	}
	if bm, ok := st.(strategies.BatchMetrics); ok {
		s.Metrics = bm.LastBatchMetrics()
	}
	if req.Timeline {
		s.Jobs = results
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

// decodeMessage parses and checks one line from a measurement process.
func decodeMessage(line []byte) (message, error) {
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		return m, fmt.Errorf("malformed message from measurement process: %w", err)
	}
	set := 0
	for _, present := range []bool{m.Check != nil, m.Start != nil, m.Sample != nil, m.Fault != nil, m.Error != ""} {
		if present {
			set++
		}
	}
	if set != 1 {
		return m, errors.New("malformed message from measurement process: want exactly one of check, start, sample, fault, error")
	}
	if m.Fault != nil {
		if err := m.Fault.check(); err != nil {
			return m, err
		}
	}
	if s := m.Sample; s != nil {
		switch {
		case s.Wall <= 0:
			return m, fmt.Errorf("malformed sample from measurement process: wall time %v", s.Wall)
		case s.CPU < 0 || s.Startup < 0:
			return m, fmt.Errorf("malformed sample from measurement process: negative cpu or start-up time")
		case s.Cores < 1 || s.Workers < 1:
			return m, fmt.Errorf("malformed sample from measurement process: cores %d, workers %d", s.Cores, s.Workers)
		}
		// A unit becomes a word of a bench.txt line; a space or an empty
		// unit would break the line for every reader.
		for _, mt := range s.Metrics {
			if mt.Unit == "" || strings.ContainsFunc(mt.Unit, unicode.IsSpace) {
				return m, fmt.Errorf("malformed sample from measurement process: metric unit %q", mt.Unit)
			}
		}
	}
	return m, nil
}
