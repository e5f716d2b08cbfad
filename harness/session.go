package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/parbench/parbench/internal/pairstat"
	"github.com/parbench/parbench/strategies"
)

// A session is one long-lived measurement process, pinned to the first k
// CPUs, that runs batches one at a time on request for a whole sweep. The
// parent sends a batchRequest line and blocks until the answer comes, so
// it is idle while a batch is timed; between two answers the process
// waits on its input, so it is idle while another session's batch runs.

// The kinds of batch a session runs.
const (
	batchWarmup   = "warmup"
	batchTimed    = "timed"
	batchTimeline = "timeline"
)

// Trials that are not strategies of the registry: the ceiling's k copies
// of the serial batch, and the calibration loop's serial batch.
const (
	CeilingStrategy     = pairstat.CeilingName
	CalibrationStrategy = pairstat.CalibrationName
)

// batchRequest asks a session for one batch of a trial.
type batchRequest struct {
	Trial Trial  `json:"trial"`
	Kind  string `json:"kind"`
	// Index counts warm-up batches from 1, for error messages.
	Index int `json:"index,omitempty"`
}

// serveSession is the measurement process side of a session. Strategies
// are made, and prepared, on their first request and kept until end of
// input, so that procpool's workers stay up for the sweep; the first
// answer for a trial carries its start-up time.
func serveSession(ctx context.Context, dec *json.Decoder, enc *json.Encoder, req forkRequest) (err error) {
	fail := func(err error) error {
		_ = enc.Encode(message{Error: err.Error()})
		return err
	}
	runtime.GOMAXPROCS(req.Fork.Cores)
	check := forkCheck{PID: os.Getpid(), GOMAXPROCS: runtime.GOMAXPROCS(0), CPUs: affinityCount()}
	if err := enc.Encode(message{Check: &check}); err != nil {
		return err
	}
	var cpus []int // the ceiling's copies pin to these, where a mask is known
	if affinityCount() > 0 {
		cpus, _ = AllowedCPUs()
	}
	made := map[Trial]strategies.Strategy{}
	defer func() {
		for t, st := range made {
			if c, ok := st.(strategies.Closer); ok {
				if cerr := c.Close(); cerr != nil && err == nil {
					err = fail(fmt.Errorf("%v: closing: %w", t, cerr))
				}
				noteFaults(ctx, st, t, req.Fork.Round, "close")
			}
		}
	}()
	for {
		var br batchRequest
		if err := dec.Decode(&br); err != nil {
			if errors.Is(err, io.EOF) {
				return nil // the parent is done with this session
			}
			return fail(fmt.Errorf("reading batch request: %w", err))
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := checkBatchRequest(br, req.Fork.Cores); err != nil {
			return fail(err)
		}
		s, err := sessionBatch(ctx, req, br, made, cpus)
		if err != nil {
			return fail(fmt.Errorf("%v: %w", br.Trial, err))
		}
		if err := enc.Encode(message{Sample: &s}); err != nil {
			return err
		}
	}
}

// maxCopies bounds the ceiling's copies, far above any machine: each copy
// is an OS thread.
const maxCopies = 1 << 12

// checkBatchRequest refuses a request this process cannot honour before
// anything is made for it.
func checkBatchRequest(br batchRequest, cores int) error {
	t := br.Trial
	switch {
	case br.Kind != batchWarmup && br.Kind != batchTimed && br.Kind != batchTimeline:
		return fmt.Errorf("batch request: unknown kind %q", br.Kind)
	case t.Strategy == "":
		return errors.New("batch request: no strategy")
	case t.Cores != cores:
		return fmt.Errorf("batch request for %v: asked of the measurement process for %d cores", t, cores)
	case t.Workers < 1 || t.Workers > 1<<20:
		return fmt.Errorf("batch request for %v: workers %d", t, t.Workers)
	case t.Strategy == CeilingStrategy && (t.Workers != t.Cores || t.Cores > maxCopies):
		return fmt.Errorf("batch request for %v: the ceiling runs one copy per core", t)
	}
	return nil
}

// sessionBatch runs one requested batch, checked against the closed form
// off the clock.
func sessionBatch(ctx context.Context, req forkRequest, br batchRequest, made map[Trial]strategies.Strategy, cpus []int) (Sample, error) {
	t := br.Trial
	s := Sample{Trial: t, Round: req.Fork.Round}
	w := req.Workload
	if t.Strategy == CeilingStrategy {
		runtime.GC()
		cpu0 := processCPU()
		wall, err := runCopies(ctx, w, t.Cores, cpus)
		s.Wall, s.CPU, s.Copies = wall, processCPU()-cpu0, t.Cores
		if err != nil && br.Kind == batchWarmup {
			err = fmt.Errorf("warm-up batch %d: %w", br.Index, err)
		}
		return s, err
	}
	name := t.Strategy
	if name == CalibrationStrategy {
		name = "serial"
	}
	st, ok := made[t]
	if !ok {
		var err error
		if st, err = strategies.New(name); err != nil {
			return s, err
		}
		made[t] = st
		if p, ok := st.(strategies.Preparer); ok {
			begin := time.Now()
			err := p.Prepare(ctx, w, t.Workers)
			noteFaults(ctx, st, t, s.Round, "start-up")
			if err != nil {
				return s, fmt.Errorf("start-up: %w", err)
			}
			s.Startup = time.Since(begin)
		}
	}
	if br.Kind == batchWarmup {
		begin := time.Now()
		_, err := runBatch(ctx, st, w, t.Workers)
		noteFaults(ctx, st, t, s.Round, fmt.Sprintf("warm-up batch %d", br.Index))
		if err != nil {
			return s, fmt.Errorf("warm-up batch %d: %w", br.Index, err)
		}
		s.Wall = time.Since(begin)
		return s, nil
	}
	runtime.GC() // a comparable heap for every timed batch
	cpu0 := processCPU()
	begin := time.Now()
	results, err := st.Run(ctx, w, t.Workers)
	s.Wall = time.Since(begin)
	s.CPU = processCPU() - cpu0
	noteFaults(ctx, st, t, s.Round, timedStep(br.Kind == batchTimeline))
	if err != nil {
		return s, err
	}
	if err := strategies.Verify(w, results); err != nil {
		return s, err
	}
	if wc, ok := st.(strategies.WorkerCPU); ok {
		s.CPU += wc.LastBatchWorkerCPU()
	}
	if bm, ok := st.(strategies.BatchMetrics); ok {
		s.Metrics = bm.LastBatchMetrics()
	}
	if br.Kind == batchTimeline {
		s.Jobs = results
	}
	return s, nil
}

// A Watchdog bounds how long the parent waits for one batch: a process
// that does not answer in time is stuck (stopped, deadlocked, starved)
// and is killed. The limit comes from the batch times seen so far.
type Watchdog struct {
	// Factor times the slowest batch seen of the same trial, plus Floor,
	// is the limit once one batch of that trial is in.
	Factor float64
	Floor  time.Duration
	// First is the limit for a trial's first batch, which includes its
	// start-up; 0 means DefaultWatchdog's rule: a minute plus what the
	// workload's sleeps and arrival gaps take serially.
	First time.Duration
}

// DefaultWatchdog is generous: on a noisy VM a batch may take a few times
// its usual time, but not twenty.
var DefaultWatchdog = Watchdog{Factor: 20, Floor: 5 * time.Second}

// limit is how long to wait for a batch of t, given the slowest batch of
// each trial seen so far.
func (wd Watchdog) limit(t Trial, w strategies.Workload, slowest map[Trial]time.Duration) time.Duration {
	if d, ok := slowest[t]; ok {
		return time.Duration(wd.Factor*float64(d)) + wd.Floor
	}
	if wd.First > 0 {
		return wd.First
	}
	return time.Minute + time.Duration(w.Jobs)*(w.Sleep+w.Gap)
}

// session is the parent's side of a long-lived measurement process.
type session struct {
	cores   int
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	enc     *json.Encoder
	answers chan answer
	exited  chan struct{}
	waitErr error
	stderr  tailBuffer
	stop    func(graceful bool)
	closed  bool
	quit    chan struct{} // closed by close: read stops handing over answers
	// onFault hears of the worker faults the process reports while it
	// runs a batch; nil drops them.
	onFault func(Fault)
}

type answer struct {
	m   message
	err error
}

// startSession starts the measurement process for cores and waits for its
// core check.
func (r *Runner) startSession(ctx context.Context, cores int, w strategies.Workload, checkWithin time.Duration) (*session, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("interrupted: %w", err)
	}
	var cpus []int
	if r.pin {
		cpus = r.CPUs[:cores]
	}
	s := &session{cores: cores, answers: make(chan answer, 1), exited: make(chan struct{}), quit: make(chan struct{}), onFault: r.OnFault}
	cmd := exec.Command(r.Executable)
	cmd.Env = append(os.Environ(), measureEnv+"=1", "GOMAXPROCS="+strconv.Itoa(cores))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = outW
	cmd.Stderr = &s.stderr
	cmd.WaitDelay = stopGrace
	wait, err := startPinned(cmd, cpus)
	outW.Close()
	if err != nil {
		outR.Close()
		return nil, fmt.Errorf("starting measurement process: %w", err)
	}
	s.cmd, s.stdin, s.enc = cmd, stdin, json.NewEncoder(stdin)
	go func() {
		s.waitErr = wait()
		_ = killGroup(cmd)
		close(s.exited)
	}()
	var stopOnce sync.Once
	s.stop = func(graceful bool) {
		stopOnce.Do(func() {
			if graceful {
				_ = terminate(cmd)
				select {
				case <-s.exited:
				case <-time.After(stopGrace):
				}
			}
			_ = killGroup(cmd)
		})
	}
	go s.read(outR)

	if err := s.enc.Encode(forkRequest{Fork: Fork{Round: 0, Cores: cores}, Workload: w, Session: true}); err != nil {
		s.close()
		return nil, fmt.Errorf("measurement process for %d cores: sending request: %w", cores, err)
	}
	m, err := s.receive(ctx, checkWithin, "its core check")
	if err != nil {
		s.close()
		return nil, err
	}
	if m.Check == nil {
		s.close()
		return nil, fmt.Errorf("measurement process for %d cores sent results before its core check", cores)
	}
	if err := r.checkFork(cores, *m.Check); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// read turns the process's output into answers until it ends.
func (s *session) read(out io.ReadCloser) {
	defer out.Close()
	give := func(a answer) bool {
		select {
		case s.answers <- a:
			return true
		case <-s.quit:
			return false
		}
	}
	br := bufio.NewReader(out)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 && (err == nil || err == io.EOF) && !isBlank(line) {
			m, derr := decodeMessage(line)
			if !give(answer{m: m, err: derr}) || derr != nil {
				return
			}
		}
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			give(answer{err: err})
			return
		}
	}
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// errStuck marks a batch the watchdog gave up on.
var errStuck = errors.New("stuck")

// receive waits for the next message: at most limit, and no longer than
// ctx allows.
func (s *session) receive(ctx context.Context, limit time.Duration, what string) (message, error) {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case a := <-s.answers:
		switch {
		case errors.Is(a.err, io.ErrUnexpectedEOF):
			<-s.exited
			if ctx.Err() != nil {
				return message{}, fmt.Errorf("interrupted: %w", ctx.Err())
			}
			return message{}, fmt.Errorf("measurement process for %d cores exited before %s: %v%s", s.cores, what, s.waitErr, s.stderr.describe())
		case a.err != nil:
			s.stop(false)
			return message{}, fmt.Errorf("measurement process for %d cores: %w", s.cores, a.err)
		case a.m.Error != "":
			s.stop(false)
			return message{}, errors.New(a.m.Error)
		}
		return a.m, nil
	case <-ctx.Done():
		s.stop(true)
		return message{}, fmt.Errorf("interrupted: %w", ctx.Err())
	case <-timer.C:
		s.stop(false)
		return message{}, fmt.Errorf("measurement process for %d cores %w in %s: no answer within %v (killed)", s.cores, errStuck, what, limit.Round(time.Millisecond))
	}
}

// batch runs one batch and waits for its sample.
func (s *session) batch(ctx context.Context, br batchRequest, limit time.Duration) (Sample, error) {
	if err := ctx.Err(); err != nil {
		return Sample{}, fmt.Errorf("interrupted: %w", err)
	}
	what := fmt.Sprintf("a %s batch of %v", br.Kind, br.Trial)
	if err := s.enc.Encode(br); err != nil {
		// The process is gone; say why, as receive does.
		return Sample{}, s.gone(ctx, what)
	}
	// Faults come before the batch's answer, as each step ends; they do
	// not move the watchdog's deadline.
	deadline := time.Now().Add(limit)
	m, err := s.receive(ctx, limit, what)
	for err == nil && m.Fault != nil {
		if s.onFault != nil {
			s.onFault(*m.Fault)
		}
		m, err = s.receive(ctx, max(time.Until(deadline), time.Millisecond), what)
	}
	if err != nil {
		return Sample{}, err
	}
	if m.Sample == nil {
		s.stop(false)
		return Sample{}, fmt.Errorf("measurement process for %d cores answered %s with something else", s.cores, what)
	}
	if m.Sample.Trial != br.Trial {
		s.stop(false)
		return Sample{}, fmt.Errorf("measurement process for %d cores sent a sample for %v, which was not asked for next", s.cores, m.Sample.Trial)
	}
	return *m.Sample, nil
}

func (s *session) gone(ctx context.Context, what string) error {
	s.stop(false)
	<-s.exited
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	return fmt.Errorf("measurement process for %d cores exited before %s: %v%s", s.cores, what, s.waitErr, s.stderr.describe())
}

// close ends the session: end of input asks the process to finish; one
// that does not within the grace period is killed with its group. It
// reports a process the measurement process left holding its output.
func (s *session) close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.quit)
	s.stdin.Close()
	// Longer than WaitDelay (stopGrace), so that a process left holding
	// the output is found by Wait before the group is killed.
	select {
	case <-s.exited:
	case <-time.After(3 * stopGrace):
		s.stop(false)
	}
	<-s.exited
	_ = killGroup(s.cmd)
	if errors.Is(s.waitErr, exec.ErrWaitDelay) {
		return fmt.Errorf("measurement process for %d cores left a process holding its output open (killed)", s.cores)
	}
	return nil
}
