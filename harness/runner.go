package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Progress tells the caller where a sweep is. Done counts timed samples.
type Progress struct {
	Trial   Trial
	Round   int // 0-based; -1 for an extra untimed pass
	Rounds  int
	Done    int
	Total   int
	Elapsed time.Duration
	ETA     time.Duration // 0 until one sample is in
	Sampled bool          // a sample just arrived; otherwise a trial just started
	Pass    string        // "profile" during the profiling pass
	// With a precision target: the target, the budget, and the widest
	// paired half-width so far (NaN before any pair) and whose it is.
	Target     float64
	Budget     time.Duration
	Worst      float64
	WorstTrial Trial
}

// Runner runs sweeps in measurement processes. The zero value is not
// ready; use NewRunner.
type Runner struct {
	// Executable is the binary re-executed in measurement mode; its main
	// must serve MeasureMode. NewRunner sets it to this binary.
	Executable string
	// CPUs are the CPUs to hand out, in order: k cores gets the first k.
	CPUs []int
	// Enforcement says how cores are enforced: "affinity+gomaxprocs" on
	// Linux when pinning works, else "gomaxprocs" with the reason.
	Enforcement string
	pin         bool

	// OnProgress, if set, is called when a trial starts and when a
	// sample arrives.
	OnProgress func(Progress)
	// OnSample receives every configuration's paired sample as it
	// arrives, between batches; an error stops the sweep.
	OnSample func(Sample) error
	// OnCalibration receives the calibration loop's batches (strategy
	// CalibrationStrategy), which bench.txt keeps beside the samples.
	OnCalibration func(Sample) error
	// OnSweepDone, if set, is called once the timed sweep is complete,
	// before the untimed passes (timeline, profile), so that the caller
	// can mark its results complete whatever those passes do.
	OnSweepDone func() error
	// Watchdog bounds the wait for each batch of the sweep; the zero
	// value means DefaultWatchdog.
	Watchdog Watchdog
	// OnTimeline receives the untimed batch of each configuration when
	// Config.Timeline is set.
	OnTimeline func(Sample) error
	// OnFault, if set, hears of every worker fault a strategy met and
	// recovered from, in any batch of any pass, as it is reported.
	OnFault func(Fault)
	// ProfileDir is where the profiling pass writes when Config.Profile
	// or Config.Trace is set; OnProfiles receives what it wrote, once, at
	// its end. A trial that cannot be profiled is a warning in the set,
	// not an error of Run.
	ProfileDir string
	OnProfiles func(ProfileSet) error
}

// NewRunner finds this binary and the CPUs it may use, and checks whether
// it can pin measurement processes to them.
func NewRunner() (*Runner, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this binary to re-execute: %w", err)
	}
	cpus, err := AllowedCPUs()
	if err != nil {
		return nil, err
	}
	r := &Runner{Executable: exe, CPUs: cpus, Enforcement: enforcementPinned, pin: true}
	if err := canPin(cpus); err != nil {
		r.pin = false
		r.Enforcement = "gomaxprocs (no CPU affinity: " + err.Error() + ")"
	}
	return r, nil
}

// Run runs the sweep c. It returns ctx's error, wrapped, when ctx is
// cancelled, after the measurement process in flight has stopped.
func (r *Runner) Run(ctx context.Context, c Config) error {
	if err := c.Validate(len(r.CPUs)); err != nil {
		return err
	}
	if err := r.checkProfiling(c); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(uint64(c.Seed), 0x9e3779b97f4a7c15))
	begin := time.Now()
	sw := r.newSweep(c, rng, begin)
	err := sw.run(ctx)
	if err == nil && r.OnSweepDone != nil {
		err = r.OnSweepDone()
	}
	if err == nil && c.Timeline {
		err = sw.timeline(ctx)
	}
	if cerr := sw.close(); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("interrupted: %w", ctx.Err())
		}
		return err
	}
	return r.profilePass(ctx, c, begin)
}

// stopGrace is how long a measurement process has to stop after SIGTERM
// before it is killed with its group.
const stopGrace = 500 * time.Millisecond

// runFork runs one measurement process to the end.
func (r *Runner) runFork(ctx context.Context, req forkRequest, onStart func(Trial), onSample func(Sample) error) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	var cpus []int
	if r.pin {
		cpus = r.CPUs[:req.Fork.Cores]
	}
	cmd := exec.Command(r.Executable)
	cmd.Env = append(os.Environ(), measureEnv+"=1", "GOMAXPROCS="+strconv.Itoa(req.Fork.Cores))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer outR.Close()
	cmd.Stdout = outW
	var stderr tailBuffer
	cmd.Stderr = &stderr
	// A process the child left behind (a worker a strategy forgot) would
	// hold stderr open, and Wait would wait for it for ever.
	cmd.WaitDelay = stopGrace
	wait, err := startPinned(cmd, cpus)
	outW.Close() // the child holds its own copy
	if err != nil {
		return fmt.Errorf("starting measurement process: %w", err)
	}

	// Whatever happens below, the process and its group are gone when
	// runFork returns: asked to stop on cancel, killed after the grace
	// period or on any error.
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = wait()
		// Such a process also holds stdout open, and readMessages would
		// never see its end.
		_ = killGroup(cmd)
		close(exited)
	}()
	var stopOnce sync.Once
	stop := func(graceful bool) {
		stopOnce.Do(func() {
			if graceful {
				_ = terminate(cmd)
				select {
				case <-exited:
				case <-time.After(stopGrace):
				}
			}
			_ = killGroup(cmd)
		})
	}
	defer func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(stopGrace):
			stop(false)
		}
		<-exited
		_ = killGroup(cmd) // stray workers the process may have left
	}()
	watchDone := make(chan struct{})
	defer close(watchDone)
	go func() {
		select {
		case <-ctx.Done():
			stop(true)
		case <-watchDone:
		}
	}()

	if err := json.NewEncoder(stdin).Encode(req); err != nil {
		return fmt.Errorf("sending fork request: %w", err)
	}
	got, err := r.readMessages(outR, req, onStart, onSample)
	if ctx.Err() != nil {
		<-exited
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if err != nil {
		stop(false)
		return err
	}
	<-exited
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if errors.Is(waitErr, exec.ErrWaitDelay) {
		return fmt.Errorf("measurement process for %d cores left a process holding its output open (killed)", req.Fork.Cores)
	}
	if waitErr != nil || got < len(req.Fork.Trials) {
		// Trials run in order, so the one in progress is the first
		// without a sample.
		in := ""
		if got < len(req.Fork.Trials) {
			in = fmt.Sprintf(" in %v,", req.Fork.Trials[got])
		}
		return fmt.Errorf("measurement process for %d cores exited%s after %d of %d trials: %v%s",
			req.Fork.Cores, in, got, len(req.Fork.Trials), waitErr, stderr.describe())
	}
	return nil
}

// readMessages reads a measurement process's messages until end of file,
// checking each against the request. It returns how many samples came.
func (r *Runner) readMessages(out io.Reader, req forkRequest, onStart func(Trial), onSample func(Sample) error) (int, error) {
	br := bufio.NewReader(out)
	got := 0
	checked := false
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) == 0 {
			if err == io.EOF {
				return got, nil
			}
			if err != nil {
				return got, fmt.Errorf("reading measurement process: %w", err)
			}
			continue
		}
		m, derr := decodeMessage(line)
		if derr != nil {
			return got, derr
		}
		switch {
		case m.Error != "":
			return got, errors.New(m.Error)
		case m.Check != nil:
			if err := r.checkFork(req.Fork.Cores, *m.Check); err != nil {
				return got, err
			}
			checked = true
		case !checked:
			return got, errors.New("measurement process sent results before its core check")
		case m.Start != nil:
			onStart(*m.Start)
		case m.Fault != nil:
			if r.OnFault != nil {
				r.OnFault(*m.Fault)
			}
		case m.Sample != nil:
			if got >= len(req.Fork.Trials) || m.Sample.Trial != req.Fork.Trials[got] {
				return got, fmt.Errorf("measurement process sent a sample for %v, which was not asked for next", m.Sample.Trial)
			}
			got++
			if err := onSample(*m.Sample); err != nil {
				return got, err
			}
		}
	}
}

// checkFork fails a fork whose process does not run on the cores asked for.
func (r *Runner) checkFork(cores int, c forkCheck) error {
	if c.GOMAXPROCS != cores {
		return fmt.Errorf("measurement process (pid %d) has GOMAXPROCS %d, want %d", c.PID, c.GOMAXPROCS, cores)
	}
	if r.pin && c.CPUs != cores {
		return fmt.Errorf("measurement process (pid %d) may run on %d CPUs, want %d", c.PID, c.CPUs, cores)
	}
	return nil
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
