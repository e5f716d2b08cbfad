//go:build unix

package procpool

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/internal/wire"
)

// workerConn runs serveWorker in this process over pipes, as a parent
// would see it.
type workerConn struct {
	t    *testing.T
	in   *io.PipeWriter // the worker's stdin
	outR *io.PipeReader // the worker's stdout
	out  *wire.Reader
	w    *wire.Writer
	done chan error
}

func startWorkerConn(t *testing.T, ctx context.Context, f fault) *workerConn {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	c := &workerConn{t: t, in: inW, outR: outR, out: wire.NewReader(outR), w: wire.NewWriter(inW), done: make(chan error, 1)}
	go func() {
		err := serveWorker(ctx, inR, outW, f)
		outW.Close()
		inR.Close()
		c.done <- err
	}()
	t.Cleanup(func() { inW.Close(); outR.Close() })
	m, err := c.out.Read()
	if err != nil {
		t.Fatalf("reading hello: %v", err)
	}
	h, ok := m.(wire.Hello)
	if !ok || h.Version != wire.Version || h.PID != int64(os.Getpid()) {
		t.Fatalf("hello = %#v, want version %d and pid %d", m, wire.Version, os.Getpid())
	}
	return c
}

func (c *workerConn) send(m wire.Message) {
	c.t.Helper()
	if err := c.w.Write(m); err != nil {
		c.t.Fatalf("writing %v: %v", m.Type(), err)
	}
}

func (c *workerConn) read() wire.Message {
	c.t.Helper()
	m, err := c.out.Read()
	if err != nil {
		c.t.Fatalf("reading: %v", err)
	}
	return m
}

// wait returns serveWorker's result, failing the test if it takes long.
func (c *workerConn) wait() error {
	c.t.Helper()
	select {
	case err := <-c.done:
		return err
	case <-time.After(10 * time.Second):
		c.t.Fatal("serveWorker did not return")
		return nil
	}
}

func TestServeWorkerRunsJobs(t *testing.T) {
	c := startWorkerConn(t, context.Background(), fault{})
	clock, err := newMonoClock()
	if err != nil {
		t.Fatal(err)
	}
	before := clock.now()
	c.send(wire.Jobs{N: 1000, Sleep: time.Millisecond, IDs: []int64{5, 3, 9}})
	m, ok := c.read().(wire.Results)
	if !ok {
		t.Fatalf("answer is %T, want results", m)
	}
	after := clock.now()
	if len(m.Results) != 3 {
		t.Fatalf("%d results, want 3", len(m.Results))
	}
	prevEnd := before
	for i, id := range []int64{5, 3, 9} {
		r := m.Results[i]
		if r.Job != id || r.Sum != strategies.Expected(id, 1000) {
			t.Errorf("result %d = job %d sum %d, want job %d sum %d", i, r.Job, r.Sum, id, strategies.Expected(id, 1000))
		}
		if r.Start < prevEnd || r.End-r.Start < int64(time.Millisecond) || r.End > after {
			t.Errorf("job %d ran %d..%d, want in order within %d..%d and at least the 1ms sleep", id, r.Start, r.End, before, after)
		}
		prevEnd = r.End
	}
	if m.CPU <= 0 {
		t.Errorf("CPU = %v, want the process's CPU time so far", m.CPU)
	}
	c.in.Close()
	if err := c.wait(); err != nil {
		t.Errorf("serveWorker after stdin closed = %v, want nil", err)
	}
}

func TestServeWorkerRejects(t *testing.T) {
	tests := []struct {
		name string
		send func(c *workerConn)
		want string
	}{
		{"garbage", func(c *workerConn) { io.WriteString(c.in, "hello, worker\n") }, "malformed frame"},
		{"a frame only workers send", func(c *workerConn) { c.send(wire.Results{}) }, "unexpected results frame"},
		{"stdin cut mid-frame", func(c *workerConn) { c.in.Write([]byte{40, 0, 0, 0, byte(wire.TypeJobs), 1}); c.in.Close() }, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := startWorkerConn(t, context.Background(), fault{})
			tt.send(c)
			err := c.wait()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("serveWorker = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestServeWorkerProfileRequests(t *testing.T) {
	c := startWorkerConn(t, context.Background(), fault{})
	c.send(wire.ProfileStop{})
	if f, ok := c.read().(wire.Failure); !ok || !strings.Contains(f.Msg, "not started") {
		t.Errorf("stop before start answered %#v, want a failure", f)
	}
	c.send(wire.ProfileStart{})
	if m := c.read(); m.Type() != wire.TypeProfileStarted {
		t.Fatalf("start answered %v, want profile-started", m.Type())
	}
	c.send(wire.ProfileStart{})
	if f, ok := c.read().(wire.Failure); !ok || !strings.Contains(f.Msg, "already started") {
		t.Errorf("second start answered %#v, want a failure", f)
	}
	c.send(wire.ProfileStop{})
	if p, ok := c.read().(wire.Profile); !ok || len(p.Data) == 0 {
		t.Errorf("stop answered %#v, want a profile", p)
	}
	c.in.Close()
	if err := c.wait(); err != nil {
		t.Errorf("serveWorker = %v, want nil", err)
	}
}

func TestServeWorkerStopsSleeping(t *testing.T) {
	tests := []struct {
		name string
		stop func(c *workerConn, cancel context.CancelFunc)
		want error
	}{
		{"stdin closes", func(c *workerConn, _ context.CancelFunc) { c.in.Close() }, nil},
		{"ctx is cancelled", func(_ *workerConn, cancel context.CancelFunc) { cancel() }, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := startWorkerConn(t, ctx, fault{})
			c.send(wire.Jobs{N: 10, Sleep: time.Hour, IDs: []int64{1}})
			time.Sleep(20 * time.Millisecond)
			begin := time.Now()
			tt.stop(c, cancel)
			if err := c.wait(); !errors.Is(err, tt.want) {
				t.Errorf("serveWorker = %v, want %v", err, tt.want)
			}
			if took := time.Since(begin); took > 5*time.Second {
				t.Errorf("serveWorker took %v to stop sleeping, want prompt", took)
			}
		})
	}
}

func TestServeWorkerFaults(t *testing.T) {
	tests := []struct {
		spec string
		want string // in serveWorker's error, or in what the parent reads
	}{
		{"exit-after:1", "injected exit after 1 jobs"},
		{"garbage-after:1", "malformed frame"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			f, err := parseFault(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			c := startWorkerConn(t, context.Background(), f)
			c.send(wire.Jobs{N: 10, IDs: []int64{0}})
			c.read() // the first job is fine
			c.send(wire.Jobs{N: 10, IDs: []int64{1}})
			_, readErr := c.out.Read()
			c.in.Close()
			c.outR.Close() // as a parent that kills the worker stops reading
			err = c.wait()
			if !strings.Contains(errors.Join(err, readErr).Error(), tt.want) {
				t.Errorf("worker error %v, parent read error %v; want one to contain %q", err, readErr, tt.want)
			}
		})
	}
}

func TestParseFault(t *testing.T) {
	tests := []struct {
		in   string
		want fault
		err  string
	}{
		{"", fault{}, ""},
		{"exit-after:2", fault{kind: "exit", after: 2}, ""},
		{"garbage-after:0", fault{kind: "garbage"}, ""},
		{"hang-after:10", fault{kind: "hang", after: 10}, ""},
		{"explode-after:1", fault{}, "unknown fault"},
		{"exit", fault{}, "want KIND-after:JOBS"},
		{"exit-after:-1", fault{}, "want KIND-after:JOBS"},
	}
	for _, tt := range tests {
		got, err := parseFault(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parseFault(%q) = %v, %v; want an error containing %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseFault(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestAutoChunk(t *testing.T) {
	tests := []struct {
		name string
		job  time.Duration
		want int
	}{
		{"tiny jobs fill the largest frame", 400 * time.Nanosecond, MaxChunk},
		{"short jobs", 100 * time.Microsecond, 100},
		{"coarse jobs", 424 * time.Microsecond, 23},
		{"jobs longer than a chunk", 30 * time.Millisecond, 1},
		{"sleeping jobs", 2 * time.Second, 1},
		{"free jobs", 0, MaxChunk},
	}
	for _, tt := range tests {
		if got := autoChunk(tt.job); got != tt.want {
			t.Errorf("%s: autoChunk(%v) = %d, want %d", tt.name, tt.job, got, tt.want)
		}
	}
}

func TestChunkSizeShrinksAsBatchDrains(t *testing.T) {
	b := &batch{w: strategies.Workload{Jobs: 10000}, workers: 2, depth: 2, maxJobs: 1024}
	prev := b.maxJobs
	for b.next < b.w.Jobs {
		n := b.chunkSize()
		if n < 1 || n > prev {
			t.Fatalf("chunk of %d after one of %d with %d jobs unsent, want 1..%d", n, prev, b.w.Jobs-b.next, prev)
		}
		prev = n
		b.next += min(n, b.w.Jobs-b.next)
	}
	if prev != 1 {
		t.Errorf("last chunk has %d jobs, want 1", prev)
	}
	fixed := &batch{w: strategies.Workload{Jobs: 10}, workers: 2, depth: 2, maxJobs: 7, fixed: true}
	if got := fixed.chunkSize(); got != 7 {
		t.Errorf("fixed chunk size = %d, want 7", got)
	}
}

func TestAllowance(t *testing.T) {
	tests := []struct {
		name string
		pool *Procpool
		w    strategies.Workload
		n    int
		want time.Duration
	}{
		{"small jobs get the floor", &Procpool{iterNs: 1}, strategies.Workload{N: 1000}, 4, minHangTimeout},
		{"long jobs get 50 times their estimate", &Procpool{iterNs: 1}, strategies.Workload{N: 100_000_000}, 2, 2 * hangFactor * (100*time.Millisecond + jobOverhead)},
		{"sleeps are added", &Procpool{iterNs: 1}, strategies.Workload{N: 1000, Sleep: time.Second}, 3, minHangTimeout + 3*time.Second},
		{"HangTimeout replaces the estimate", &Procpool{iterNs: 1, HangTimeout: time.Second}, strategies.Workload{N: 100_000_000, Sleep: time.Second}, 2, 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.pool.newBatch(context.Background(), tt.w, 1)
			defer b.cancel()
			if got := b.allowance(tt.n); got != tt.want {
				t.Errorf("allowance(%d) = %v, want %v", tt.n, got, tt.want)
			}
		})
	}
}
