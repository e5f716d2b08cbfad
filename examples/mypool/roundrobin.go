package main

import (
	"context"
	"sync"
	"time"

	"github.com/parbench/parbench/strategies"
)

// RoundRobin deals the jobs to its workers in turn as they are released:
// job j goes to worker j mod workers, on a channel of that worker's own.
// No two workers contend for a job, as pool's do on their one channel;
// the price is balance, since a worker whose jobs run long keeps them
// while the others idle.
type RoundRobin struct{}

var _ strategies.Strategy = RoundRobin{}

// Name implements strategies.Strategy.
func (RoundRobin) Name() string { return "mine" }

// Run implements strategies.Strategy.
func (RoundRobin) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	if err := strategies.CheckRun(w, workers); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	start := time.Now()
	results := make([]strategies.Result, w.Jobs) // job j is written only by the worker dealt j
	// More workers than jobs would idle: one queue per job at most. Each
	// queue has room for its worker's share, so the dealer never waits.
	queues := make([]chan int, min(workers, w.Jobs))
	for i := range queues {
		queues[i] = make(chan int, (w.Jobs+len(queues)-1)/len(queues))
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		defer func() {
			for _, q := range queues {
				close(q)
			}
		}()
		for j := range w.Jobs {
			if strategies.WaitRelease(ctx, w, start, j) != nil {
				return // cancelled: the workers drain what they were dealt
			}
			queues[j%len(queues)] <- j
		}
	})
	for worker, q := range queues {
		wg.Go(func() {
			for j := range q {
				// Once the batch has failed, RunJob returns at once.
				if err := strategies.RunJob(ctx, w, start, j, worker, results); err != nil {
					cancel(err)
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}
