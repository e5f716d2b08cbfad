package python

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/internal/childproc"
)

// pythonProgram is the Python side of python-mp and python-pool, run with
// python3 -I -c, so that nothing is written to disk and no user site or
// PYTHON* variable changes what runs.
//
//go:embed parbench_python.py
var pythonProgram string

// Env names the environment variable that chooses the interpreter of the
// Python strategies: a path, or a name looked up on PATH. Unset means
// python3.
const Env = "PARBENCH_PYTHON"

func init() {
	for _, s := range []struct{ name, mode, doc string }{
		{"python-mp", "mp", "the article's Python: a multiprocessing.Queue, Process workers polling it, a stop Event (with the one fix that loses no job)"},
		{"python-pool", "pool", "the article's jobs in Python's multiprocessing.Pool, kept across batches"},
	} {
		strategies.Register(strategies.Info{
			Name:         s.name,
			Doc:          s.doc,
			New:          func() strategies.Strategy { return &strategy{mode: s.mode} },
			OutOfProcess: true,
			Available:    func() error { _, err := findInterpreter(context.Background()); return err },
		})
	}
}

// strategy runs the workload in Python 3, in the program embedded above,
// started as a child process with the parent's CPU affinity and, on
// Linux, as the leader of a process group of its own, which is killed
// whole when the strategy closes or the batch fails, and with SIGKILL as
// its parent-death signal; its own workers set the same signal for its
// death (a pool worker forked to replace a dead one watches getppid()
// instead: see die_with_parent in the program). Prepare starts it once per
// configuration in its measurement process, so the interpreter's start-up
// (and python-pool's Pool) count as start-up; Run without Prepare starts
// it and stops it before it returns.
//
// python-mp is the article's design. Its workers leave when the queue
// looks empty and the stop event is set; the article sets the event as
// soon as the last job is queued, but a job put on a multiprocessing.Queue
// reaches the pipe that empty() looks at only when the queue's feeder
// thread writes it, so a worker may see an empty pipe, then the event,
// and go home while jobs are on their way: when every worker has, those
// jobs are lost. The one change made here: the manager sets the event
// only once every queued job's result is in. Workers are forked per
// batch, as the article forks them for its run, so that cost is inside
// the batch; idle workers poll, as the article's do.
//
// python-pool is multiprocessing.Pool: one apply_async per job, at its
// release time. A pool worker that dies is a fault (TakeFaults, and
// faults/op in LastBatchMetrics): the program looks at its workers every
// 50 ms of a batch and reports one it finds dead at once, with its pid and
// how it ended, and runs the job it was running again, so the batch still
// verifies. A death outside a job can leave the Pool stuck for good; the
// batch then fails within about 2 s with an error naming the death (see
// PoolRunner in the program), and the next Run starts a new program.
//
// LastBatchWorkerCPU is the CPU time the Python program reports for the
// batch: the manager's own and its workers' (for python-mp the reaped
// workers' rusage, for python-pool each worker's CPU from one result to the
// next, so a dead worker's last job is not in it), since none of it is in
// the measurement process's rusage.
type strategy struct {
	mode string // "mp" or "pool"

	// Test hooks: article runs the article's protocol unfixed; inject is
	// the program's --inject option; env is added to the child's
	// environment.
	article bool
	inject  string
	env     []string

	proc       *pyProc
	prepared   bool
	lastCPU    time.Duration
	lastFaults int

	mu     sync.Mutex // guards faults, which TakeFaults may read at any time
	faults strategies.Faults
}

var (
	_ strategies.Strategy         = (*strategy)(nil)
	_ strategies.Preparer         = (*strategy)(nil)
	_ strategies.Closer           = (*strategy)(nil)
	_ strategies.WorkerCPU        = (*strategy)(nil)
	_ strategies.FaultLog         = (*strategy)(nil)
	_ strategies.BatchMetrics     = (*strategy)(nil)
	_ strategies.RuntimeDescriber = (*strategy)(nil)
)

// pyProc is the running Python program.
type pyProc struct {
	cmd     *exec.Cmd
	stdin   *os.File
	stdout  *os.File
	r       *bufio.Reader
	stderr  *childproc.HeadBuffer
	workers int // python-pool's pool size; 0 for python-mp, which forks per batch
	version string
}

// pyCloseGrace is how long Close waits for the program to finish after
// its stdin closes, before it is killed.
const pyCloseGrace = 2 * time.Second

// startTimeout bounds the program's start-up: the interpreter, its imports,
// python-pool's Pool and the hello.
const startTimeout = 30 * time.Second

// Name implements strategies.Strategy.
func (p *strategy) Name() string { return "python-" + p.mode }

// LastBatchWorkerCPU implements strategies.WorkerCPU.
func (p *strategy) LastBatchWorkerCPU() time.Duration { return p.lastCPU }

// LastBatchMetrics implements strategies.BatchMetrics: for python-pool,
// faults/op is how many pool workers the last Run found dead, including
// those that died between batches. python-mp, whose workers live for one
// batch, reports none: a worker it loses shows as lost jobs.
func (p *strategy) LastBatchMetrics() []strategies.Metric {
	if p.mode != "pool" {
		return nil
	}
	return []strategies.Metric{{Unit: "faults/op", Value: float64(p.lastFaults)}}
}

// TakeFaults implements strategies.FaultLog.
func (p *strategy) TakeFaults() strategies.Faults {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.faults
	p.faults = strategies.Faults{}
	return f
}

// noteFault counts one worker fault, described by cause.
func (p *strategy) noteFault(cause string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults.N++
	if len(p.faults.Causes) < strategies.MaxFaultCauses {
		p.faults.Causes = append(p.faults.Causes, cause)
	}
}

// DescribeRuntime implements strategies.RuntimeDescriber: the interpreter
// Prepare would start now, such as "CPython 3.11.7".
func (p *strategy) DescribeRuntime(ctx context.Context) (strategies.Runtime, error) {
	r := strategies.Runtime{Key: "python"}
	in, err := findInterpreter(ctx)
	if err != nil {
		return r, err
	}
	r.Version = in.implementation + " " + in.version
	return r, nil
}

// Prepare starts the Python program (and python-pool's Pool) and waits for
// its hello.
func (p *strategy) Prepare(ctx context.Context, w strategies.Workload, workers int) error {
	if err := strategies.CheckRun(w, workers); err != nil {
		return err
	}
	if p.prepared && p.proc != nil {
		if p.mode == "pool" && p.proc.workers != workers {
			return fmt.Errorf("%s: already prepared with %d workers, want %d", p.Name(), p.proc.workers, workers)
		}
		return nil
	}
	if err := p.start(ctx, workers); err != nil {
		return err
	}
	p.prepared = true
	return nil
}

// Close asks the program to finish (EOF on its stdin), waits for it a
// short while and kills it if it has not gone. It is safe to call more
// than once, and without Prepare.
func (p *strategy) Close() error {
	p.prepared = false
	pp := p.proc
	p.proc = nil
	if pp == nil {
		return nil
	}
	return pp.finish(pyCloseGrace)
}

// Run implements strategies.Strategy.
func (p *strategy) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	p.lastCPU, p.lastFaults = 0, 0
	if err := strategies.CheckRun(w, workers); err != nil {
		return nil, err
	}
	if p.prepared && p.proc != nil && p.mode == "pool" && p.proc.workers != workers {
		return nil, fmt.Errorf("%s: prepared with %d workers, Run wants %d", p.Name(), p.proc.workers, workers)
	}
	if p.proc == nil {
		if err := p.start(ctx, workers); err != nil {
			return nil, err
		}
	}
	if !p.prepared {
		defer p.Close()
	}
	results, err := p.batch(ctx, w, workers)
	if err != nil {
		// The program's state is unknown: it goes, with its workers.
		p.proc.kill()
		p.proc = nil
		return nil, err
	}
	return results, nil
}

// batch sends one request and reads its answer.
func (p *strategy) batch(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	pp := p.proc
	stop := context.AfterFunc(ctx, func() { pp.stdout.SetReadDeadline(time.Now()) })
	defer stop()
	t0, err := childproc.RawMonotonic()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.Name(), err)
	}
	req := fmt.Sprintf("batch %d %d %d %d %d %d\n", w.Jobs, w.N, w.Sleep.Nanoseconds(), w.Gap.Nanoseconds(), t0, workers)
	if _, err := pp.stdin.WriteString(req); err != nil {
		return nil, fmt.Errorf("%s: sending the batch: %w%s", p.Name(), err, pp.stderrNote())
	}
	results := make([]strategies.Result, 0, w.Jobs)
	for {
		l, err := pp.read()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.Name(), err)
		}
		switch l.Kind {
		case pyResult:
			if len(results) == w.Jobs {
				return nil, fmt.Errorf("%s: %w: more results than the batch's %d jobs", p.Name(), errPyMalformed, w.Jobs)
			}
			r, err := pyResultFrom(l, w, workers, t0)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name(), err)
			}
			results = append(results, r)
		case pyFault:
			if p.mode != "pool" {
				return nil, fmt.Errorf("%s: %w: %q from a program that watches no pool", p.Name(), errPyMalformed, l.format())
			}
			cause, err := pyFaultCause(l, w)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p.Name(), err)
			}
			p.lastFaults++
			p.noteFault(cause)
		case pyDone:
			if l.Count != int64(len(results)) || l.CPU < 0 {
				return nil, fmt.Errorf("%s: %w: done %d %d after %d results", p.Name(), errPyMalformed, l.Count, l.CPU, len(results))
			}
			// Lost jobs are not an error here: verification names them.
			p.lastCPU = time.Duration(l.CPU)
			return results, nil
		case pyError:
			return nil, fmt.Errorf("%s: the python program: %s", p.Name(), l.Text)
		default:
			return nil, fmt.Errorf("%s: %w: %q in a batch", p.Name(), errPyMalformed, l.format())
		}
	}
}

// start runs the program and waits for its hello, within startTimeout or
// until ctx is done.
func (p *strategy) start(ctx context.Context, workers int) error {
	in, err := findInterpreter(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s: %w", p.Name(), err)
	}
	interp := in.path
	args := []string{"-I", "-c", pythonProgram, p.mode}
	if p.mode == "pool" {
		args = append(args, "--workers="+strconv.Itoa(workers))
	}
	if p.article {
		args = append(args, "--article")
	}
	if p.inject != "" {
		args = append(args, "--inject="+p.inject)
	}
	inR, inW, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("%s: starting python: %w", p.Name(), err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return fmt.Errorf("%s: starting python: %w", p.Name(), err)
	}
	cmd := exec.Command(interp, args...)
	cmd.Env = append(os.Environ(), p.env...)
	cmd.Stdin, cmd.Stdout = inR, outW
	stderr := &childproc.HeadBuffer{Limit: 4 << 10}
	cmd.Stderr = stderr
	cmd.SysProcAttr = pythonSysProcAttr()
	cmd.WaitDelay = time.Second
	err = cmd.Start()
	inR.Close()
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return fmt.Errorf("%s: starting %s: %w", p.Name(), interp, err)
	}
	pp := &pyProc{cmd: cmd, stdin: inW, stdout: outR, r: bufio.NewReaderSize(outR, pyMaxLine+1), stderr: stderr}
	if p.mode == "pool" {
		pp.workers = workers
	}
	if err := pp.hello(ctx); err != nil {
		pp.kill()
		return fmt.Errorf("%s: starting %s (pid %d): %w%s", p.Name(), interp, cmd.Process.Pid, err, pp.stderrNote())
	}
	p.proc = pp
	return nil
}

func (pp *pyProc) hello(ctx context.Context) error {
	if err := pp.stdout.SetReadDeadline(time.Now().Add(startTimeout)); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { pp.stdout.SetReadDeadline(time.Now()) })
	l, err := pp.read()
	if !stop() {
		return ctx.Err()
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("no hello within %v", startTimeout)
	}
	if err != nil {
		return err
	}
	if err := pp.stdout.SetReadDeadline(time.Time{}); err != nil {
		return err
	}
	switch {
	case l.Kind == pyError:
		return errors.New(l.Text)
	case l.Kind != pyHello:
		return fmt.Errorf("%w: first line %q, want hello", errPyMalformed, l.format())
	case l.Proto != pyProtocol:
		return fmt.Errorf("the program speaks protocol %d, want %d", l.Proto, pyProtocol)
	}
	pp.version = l.Version
	return nil
}

// read returns the next line, decoded. A line longer than pyMaxLine is an
// error, never a bigger buffer.
func (pp *pyProc) read() (pyLine, error) {
	line, err := pp.r.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull):
		return pyLine{}, fmt.Errorf("%w: a line longer than %d bytes", errPyMalformed, pyMaxLine)
	case err != nil && len(line) > 0:
		return pyLine{}, fmt.Errorf("%w: output ends inside a line: %w%s", errPyMalformed, err, pp.stderrNote())
	case err != nil:
		return pyLine{}, fmt.Errorf("the python program's output ended: %w%s", err, pp.stderrNote())
	}
	return parsePyLine(line[:len(line)-1])
}

// kill ends the program and its workers at once (SIGKILL to its group)
// and reaps it.
func (pp *pyProc) kill() {
	killGroup(pp.cmd.Process.Pid)
	pp.stdin.Close()
	pp.cmd.Wait()
	pp.stdout.Close()
}

// finish closes the program's stdin, which asks it to stop its workers and
// exit, and kills it if it has not within grace.
func (pp *pyProc) finish(grace time.Duration) error {
	pp.stdin.Close()
	exited := make(chan error, 1)
	go func() { exited <- pp.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-time.After(grace):
		killGroup(pp.cmd.Process.Pid)
		<-exited
		err = fmt.Errorf("did not exit within %v of its stdin closing; killed", grace)
	}
	// A worker the program could not stop (one a dead worker's lock
	// left stuck) is still in its group.
	killGroup(pp.cmd.Process.Pid)
	pp.stdout.Close()
	if err != nil {
		return fmt.Errorf("python program (pid %d): %w%s", pp.cmd.Process.Pid, err, pp.stderrNote())
	}
	return nil
}

func (pp *pyProc) stderrNote() string {
	s := strings.TrimSpace(pp.stderr.String())
	if s == "" {
		return ""
	}
	return fmt.Sprintf("; its stderr: %q", s)
}
