package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// interruptContext is done at the first SIGINT or SIGTERM. That signal
// also restores their default handling, so that a second one ends the
// process at once, whatever it is waiting for.
func interruptContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
}

// untilDone runs f and waits for it or for ctx's end, whichever comes
// first. On ctx's end f is left to finish on its own: for the steps of a
// report (reading, statistics, charts) that do not watch ctx, whose only
// effect is the files they write atomically, and the process exits soon
// after.
func untilDone[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, fmt.Errorf("interrupted: %w", ctx.Err())
	}
}

// loadProgress prints how far the reading of the inputs is, once it has
// taken longer than quiet, at most once a second.
type loadProgress struct {
	w     io.Writer
	start time.Time
	quiet time.Duration

	mu   sync.Mutex
	last time.Time
}

func newLoadProgress(w io.Writer) *loadProgress {
	return &loadProgress{w: w, start: time.Now(), quiet: 3 * time.Second}
}

func (p *loadProgress) update(read, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if now.Sub(p.start) < p.quiet || now.Sub(p.last) < time.Second || total <= 0 {
		return
	}
	p.last = now
	fmt.Fprintf(p.w, "parbench: reading the results: %d of %d lines (%d%%), %s\n",
		read, total, read*100/total, fmtDuration(now.Sub(p.start)))
}

// heartbeat prints, every few seconds once quiet has passed, that the
// report is still at work (the statistics of a large input take a while
// after the reading), until stop is called.
func (p *loadProgress) heartbeat(what string) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				p.mu.Lock()
				if now.Sub(p.start) >= p.quiet && now.Sub(p.last) >= 4*time.Second {
					p.last = now
					fmt.Fprintf(p.w, "parbench: %s, %s\n", what, fmtDuration(now.Sub(p.start)))
				}
				p.mu.Unlock()
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done) }) }
}
