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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parbench/parbench/strategies"
)

// A session is the parent's side of one measurement process (see
// protocol.go): started pinned to the first k CPUs, asked for one piece of
// work at a time, and ended when the parent closes its input.

// stopGrace is how long a measurement process has to stop after SIGTERM,
// or to exit after its input is closed, before it is killed with its group.
const stopGrace = 500 * time.Millisecond

// A ProcessError is a measurement process that failed as a process: it
// exited or was killed, stopped answering (and the watchdog killed it), or
// sent what the protocol does not allow. The sweep replaces such a
// process. Any other error of a request (a strategy that failed, a batch
// that did not verify) is the strategy's, and ends the run.
type ProcessError struct {
	Cores int
	// What was in flight: "a timed batch of pool cores=2 workers=2", or
	// "between batches" when the process died while idle.
	What string
	// Between is set when the process had died before the request was
	// sent: no batch was in flight.
	Between bool
	Err     error
}

func (e *ProcessError) Error() string {
	return fmt.Sprintf("measurement process for %s, %s: %v", coreCount(e.Cores), e.What, e.Err)
}

func (e *ProcessError) Unwrap() error { return e.Err }

// errStuck marks a request the watchdog gave up on.
var errStuck = errors.New("stuck")

// conn is a measurement process as the sweep uses it: a session, or, in
// tests, a simulation of one.
type conn interface {
	do(ctx context.Context, req request, limit time.Duration) (Sample, error)
	close() error
	kill()
}

var _ conn = (*session)(nil)

// connect starts the sweep's process for cores: a session, unless the
// runner was given another way (tests simulate a machine).
func (r *Runner) connect(ctx context.Context, cores int, w strategies.Workload, checkWithin time.Duration) (conn, error) {
	if r.dial != nil {
		return r.dial(ctx, cores, w)
	}
	return r.startSession(ctx, cores, w, checkWithin)
}

type session struct {
	cores   int
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	enc     *json.Encoder
	answers chan answer
	exited  chan struct{}
	waitErr error
	exitAt  time.Time // when the process was found gone; set before exited closes
	stderr  tailBuffer
	stop    func(graceful bool)
	closed  bool
	quit    chan struct{} // closed by close: read stops handing over answers
	// onFault hears of the worker faults the process reports while it
	// works on a request; nil drops them.
	onFault func(Fault)
}

type answer struct {
	m   message
	err error
}

// startSession starts a measurement process for cores, pinned to the first
// cores CPUs where pinning works, and waits at most checkWithin for its
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
	// A process the child left behind (a worker a strategy forgot) would
	// hold stderr open, and Wait would wait for it for ever.
	cmd.WaitDelay = stopGrace
	wait, err := startPinned(cmd, cpus)
	outW.Close() // the child holds its own copy
	if err != nil {
		outR.Close()
		// Not a process that failed: one that cannot start, which a new
		// one would not do either.
		return nil, fmt.Errorf("starting measurement process: %w", err)
	}
	s.cmd, s.stdin, s.enc = cmd, stdin, json.NewEncoder(stdin)
	go func() {
		s.waitErr = wait()
		s.exitAt = time.Now()
		// Such a process also holds stdout open, and read would never
		// see its end.
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

	fail := func(err error) (*session, error) {
		s.close()
		return nil, err
	}
	if err := s.enc.Encode(hello{Cores: cores, CPUs: cpus, Workload: w}); err != nil {
		return fail(s.gone(ctx, "its hello", time.Now()))
	}
	m, err := s.receive(ctx, checkWithin, "its core check")
	if err != nil {
		return fail(err)
	}
	if m.Check == nil {
		s.stop(false)
		return fail(&ProcessError{Cores: cores, What: "its core check", Err: errors.New("sent something else first")})
	}
	if err := r.checkCores(cores, *m.Check); err != nil {
		return fail(err)
	}
	return s, nil
}

// checkCores fails a process that does not run on the cores asked for:
// the run's settings are wrong, and a new process would be no better.
func (r *Runner) checkCores(cores int, c check) error {
	if c.GOMAXPROCS != cores {
		return fmt.Errorf("measurement process (pid %d) has GOMAXPROCS %d, want %d", c.PID, c.GOMAXPROCS, cores)
	}
	if r.pin && c.CPUs != cores {
		return fmt.Errorf("measurement process (pid %d) may run on %d CPUs, want %d", c.PID, c.CPUs, cores)
	}
	return nil
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
		line, err := readLine(br)
		if len(line) > 0 && !isBlank(line) {
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

// maxMessage bounds one line from a measurement process: the per-job
// results of a timeline batch of MaxJobs jobs fit with room to spare.
const maxMessage = 256 << 20

// readLine reads one line of at most maxMessage bytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxMessage {
			return nil, fmt.Errorf("a message longer than %d bytes", maxMessage)
		}
		if err != bufio.ErrBufferFull {
			return line, err
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
			return message{}, &ProcessError{Cores: s.cores, What: what, Err: s.exitCause()}
		case a.err != nil:
			s.stop(false)
			return message{}, &ProcessError{Cores: s.cores, What: what, Err: a.err}
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
		return message{}, &ProcessError{Cores: s.cores, What: what,
			Err: fmt.Errorf("%w: no answer within %v (killed)", errStuck, limit.Round(time.Millisecond))}
	}
}

// exitCause says how the process ended, with the line of its stderr that
// says why. Call it once exited is closed.
func (s *session) exitCause() error {
	cause := "exited"
	if s.waitErr != nil {
		cause = s.waitErr.Error()
	}
	return errors.New(cause + s.stderr.describe())
}

// do sends one request and waits, at most limit, for its answer; the
// faults the process reports on the way go to onFault, and do not move
// the deadline.
func (s *session) do(ctx context.Context, req request, limit time.Duration) (Sample, error) {
	if err := ctx.Err(); err != nil {
		return Sample{}, fmt.Errorf("interrupted: %w", err)
	}
	what := fmt.Sprintf("a %s batch of %v", req.Kind, req.Trial)
	if req.Kind == kindMeter {
		what = "a meter round"
	}
	sent := time.Now()
	select {
	case <-s.exited:
		return Sample{}, s.gone(ctx, what, sent)
	default:
	}
	if err := s.enc.Encode(req); err != nil {
		return Sample{}, s.gone(ctx, what, sent)
	}
	deadline := sent.Add(limit)
	m, err := s.receive(ctx, limit, what)
	for err == nil && m.Fault != nil {
		if s.onFault != nil {
			s.onFault(*m.Fault)
		}
		m, err = s.receive(ctx, max(time.Until(deadline), time.Millisecond), what)
	}
	if pe := (*ProcessError)(nil); errors.As(err, &pe) {
		select {
		case <-s.exited: // exitAt is set
			if s.exitAt.Before(sent) {
				pe.What, pe.Between = "between batches", true
			}
		default:
		}
	}
	if err != nil {
		return Sample{}, err
	}
	switch {
	case m.Sample == nil:
		s.stop(false)
		return Sample{}, &ProcessError{Cores: s.cores, What: what, Err: errors.New("answered with something else")}
	case m.Sample.Trial != req.Trial:
		s.stop(false)
		return Sample{}, &ProcessError{Cores: s.cores, What: what, Err: fmt.Errorf("sent a sample for %v, which was not asked for", m.Sample.Trial)}
	}
	return *m.Sample, nil
}

// gone is the error for a process found dead when a request was to be
// sent at sent: between batches if it was gone before then.
func (s *session) gone(ctx context.Context, what string, sent time.Time) error {
	s.stop(false)
	<-s.exited
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	e := &ProcessError{Cores: s.cores, What: what, Err: s.exitCause()}
	if s.exitAt.Before(sent) {
		e.What, e.Between = "between batches", true
	}
	return e
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
		return fmt.Errorf("measurement process for %s left a process holding its output open (killed)", coreCount(s.cores))
	}
	return nil
}

// kill ends the session at once, for a process that failed.
func (s *session) kill() {
	s.stop(false)
	_ = s.close()
}

// A Watchdog bounds how long the parent waits for one request: a process
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

// limit is how long to wait for a request about t, given the slowest
// batch of each trial seen so far.
func (wd Watchdog) limit(t Trial, w strategies.Workload, slowest map[Trial]time.Duration) time.Duration {
	if d, ok := slowest[t]; ok {
		return time.Duration(wd.Factor*float64(d)) + wd.Floor
	}
	if wd.First > 0 {
		return wd.First
	}
	return time.Minute + time.Duration(w.Jobs)*(w.Sleep+w.Gap)
}

// tailBuffer keeps the last few KiB a measurement process wrote on stderr,
// for the error message when it dies.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 4 << 10

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailMax {
		t.buf = t.buf[len(t.buf)-tailMax:]
	}
	return len(p), nil
}

// describe picks one line of stderr for a one-line error: the panic or
// fatal error if there is one, else the last line.
func (t *tailBuffer) describe() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	lines := strings.Split(strings.TrimSpace(string(t.buf)), "\n")
	pick := lines[len(lines)-1]
	for _, l := range lines {
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") {
			pick = l
			break
		}
	}
	if pick == "" {
		return ""
	}
	return " (stderr: " + pick + ")"
}
