package procpool

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/parbench/parbench/strategies/internal/childproc"
	"github.com/parbench/parbench/strategies/internal/wire"
)

// proc is the parent's handle on one worker process.
type proc struct {
	slot   int
	pid    int
	cmd    *exec.Cmd
	stdin  *os.File // the parent's end of the worker's stdin
	stdout *os.File // the parent's end of the worker's stdout
	stderr *childproc.HeadBuffer
	w      *wire.Writer
	done   chan struct{} // closed when the reader has returned

	// Guarded by the pool's mu, as the reader goroutines read and write
	// them too.
	dead      bool          // failed or stopping: its frames are ignored
	inflight  []chunk       // sent and not answered, oldest first
	answered  time.Time     // when the worker last answered, or started
	cpu       time.Duration // the worker's CPU time in its latest frame
	cpuBase   time.Duration // cpu when the current batch began, then when its first chunk here did
	chunked   bool          // a chunk of the current batch was answered
	profiling bool          // a ProfileStart was sent and not stopped
	ackDue    bool          // a replacement's ProfileStart is not yet acknowledged

	// Owned by the goroutine that stops it.
	stopped bool
	waitErr error // from cmd.Wait, once stopped
}

// chunk is one Jobs frame in flight.
type chunk struct {
	ids       []int64
	sent      time.Time
	allowance time.Duration // how long the worker may take once it starts it
}

// deliverFunc takes a frame, or the end of the stream (err), from a worker.
// It runs on the worker's reader goroutine and must not block for long.
type deliverFunc func(pr *proc, m wire.Message, err error)

// startProc starts the executable exe as the worker in slot, waits for its
// hello and then passes everything it writes to deliver until it is
// stopped.
func startProc(ctx context.Context, exe string, slot int, env []string, deliver deliverFunc) (*proc, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("procpool: starting worker: %w", err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, fmt.Errorf("procpool: starting worker: %w", err)
	}
	cmd := exec.Command(exe)
	cmd.Env = env
	cmd.Stdin = inR
	cmd.Stdout = outW
	stderr := &childproc.HeadBuffer{Limit: 4 << 10}
	cmd.Stderr = stderr
	cmd.SysProcAttr = workerSysProcAttr()
	cmd.WaitDelay = time.Second // a grandchild holding stderr open must not hang Wait
	err = cmd.Start()
	inR.Close() // the worker has its own copies now
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, fmt.Errorf("procpool: starting worker: %w", err)
	}
	pr := &proc{
		slot:     slot,
		pid:      cmd.Process.Pid,
		cmd:      cmd,
		stdin:    inW,
		stdout:   outR,
		stderr:   stderr,
		w:        wire.NewWriter(inW),
		done:     make(chan struct{}),
		answered: time.Now(),
	}
	r := wire.NewReader(outR)
	hello, err := pr.handshake(ctx, r)
	if err != nil {
		close(pr.done) // no reader was started
		pr.stop()
		return nil, fmt.Errorf("procpool: starting worker %d: %w%s", pr.pid, err, pr.stderrNote())
	}
	pr.cpu, pr.cpuBase = hello.CPU, hello.CPU
	go pr.readLoop(r, deliver)
	return pr, nil
}

// handshake reads the worker's hello within childproc.StartTimeout or until ctx is
// done.
func (pr *proc) handshake(ctx context.Context, r *wire.Reader) (wire.Hello, error) {
	if err := pr.stdout.SetReadDeadline(time.Now().Add(childproc.StartTimeout)); err != nil {
		return wire.Hello{}, err
	}
	stop := context.AfterFunc(ctx, func() { pr.stdout.SetReadDeadline(time.Now()) })
	m, err := r.Read()
	if !stop() {
		return wire.Hello{}, ctx.Err()
	}
	if err := pr.stdout.SetReadDeadline(time.Time{}); err != nil {
		return wire.Hello{}, err
	}
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return wire.Hello{}, fmt.Errorf("no hello within %v", childproc.StartTimeout)
	case errors.Is(err, wire.ErrMalformed):
		return wire.Hello{}, fmt.Errorf("%w (does the program's main serve procpool.WorkerMode?)", err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return wire.Hello{}, errors.New("exited before its hello (does the program's main serve procpool.WorkerMode?)")
	case err != nil:
		return wire.Hello{}, err
	}
	h, ok := m.(wire.Hello)
	if !ok {
		return wire.Hello{}, fmt.Errorf("first frame is %v, want hello", m.Type())
	}
	if h.Version != wire.Version {
		return wire.Hello{}, fmt.Errorf("worker speaks protocol version %d, want %d", h.Version, wire.Version)
	}
	return h, nil
}

// readLoop passes frames on until the stream ends, as it does when the
// worker is stopped.
func (pr *proc) readLoop(r *wire.Reader, deliver deliverFunc) {
	defer close(pr.done)
	for {
		m, err := r.Read()
		deliver(pr, m, err)
		if err != nil {
			return
		}
	}
}

// send writes a frame to the worker; a worker that does not take it within
// timeout is treated as hung.
func (pr *proc) send(m wire.Message, timeout time.Duration) error {
	if err := pr.stdin.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	return pr.w.Write(m)
}

// stop kills the worker (SIGKILL), reaps it and waits for its reader to
// return. It is idempotent and quick: nothing here waits on the worker's
// cooperation. The caller must have marked pr dead, so that no one writes
// to it any more, and must not hold the pool's mu, which the reader may be
// waiting for.
func (pr *proc) stop() {
	if pr.stopped {
		return
	}
	pr.stopped = true
	pr.cmd.Process.Kill() // fails only if it has already exited, which is fine
	pr.stdin.Close()
	pr.waitErr = pr.cmd.Wait()
	pr.stdout.Close() // ends a Read the reader may still be in
	<-pr.done
}

// totalCPU is the worker's whole user+system time, known once stopped.
func (pr *proc) totalCPU() time.Duration {
	ps := pr.cmd.ProcessState
	if ps == nil {
		return pr.cpu
	}
	return max(ps.UserTime()+ps.SystemTime(), pr.cpu)
}

// stderrNote is what the worker wrote to stderr, for an error message.
func (pr *proc) stderrNote() string {
	s := strings.TrimSpace(pr.stderr.String())
	if s == "" {
		return ""
	}
	return fmt.Sprintf("; its stderr: %q", s)
}
