// Package mine is a strategy kept outside parbench's strategies, written
// against their exported API only, as a user's module would hold it.
package mine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/parbench/parbench/strategies"
)

func init() {
	strategies.Register(strategies.Info{Name: "mine", Doc: "workers taking the next job from a shared counter", New: func() strategies.Strategy { return Counter{} }})
}

// Counter runs workers goroutines that take job ids from a shared
// counter, each waiting for its job's release before it runs it.
type Counter struct{}

var _ strategies.Strategy = Counter{}

// Name implements strategies.Strategy.
func (Counter) Name() string { return "mine" }

// Run implements strategies.Strategy.
func (Counter) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	if err := strategies.CheckRun(w, workers); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	start := time.Now()
	results := make([]strategies.Result, w.Jobs)
	var next atomic.Int64
	var wg sync.WaitGroup
	for worker := range workers {
		wg.Go(func() {
			for j := int(next.Add(1) - 1); j < w.Jobs; j = int(next.Add(1) - 1) {
				err := strategies.WaitRelease(ctx, w, start, j)
				if err == nil {
					err = strategies.RunJob(ctx, w, start, j, worker, results)
				}
				if err != nil {
					cancel(err)
					return
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
