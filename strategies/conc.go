package strategies

import (
	"context"
	"time"

	"github.com/sourcegraph/conc/pool"
)

func init() {
	Register(Info{
		Name:    "conc",
		Doc:     "github.com/sourcegraph/conc pool.New().WithMaxGoroutines(workers), one Go call per job",
		New:     func() Strategy { return Conc{} },
		Modules: []string{"github.com/sourcegraph/conc"},
	})
}

// Conc is sourcegraph/conc's pool as its documentation shows it:
// pool.New().WithMaxGoroutines(workers), one Go call per job at its
// release time, then Wait. The pool starts a goroutine per Go call until
// it has workers of them, and after that Go blocks until one of them takes
// the task from an unbuffered channel.
type Conc struct{}

var _ Strategy = Conc{}

// Name implements Strategy.
func (Conc) Name() string { return "conc" }

// Run implements Strategy.
func (Conc) Run(ctx context.Context, w Workload, workers int) ([]Result, error) {
	if err := CheckRun(w, workers); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	p := pool.New().WithMaxGoroutines(workers)
	start := time.Now()
	results := make([]Result, w.Jobs)
	for j := range w.Jobs {
		if err := WaitRelease(ctx, w, start, j); err != nil {
			break
		}
		if ctx.Err() != nil {
			break
		}
		p.Go(func() {
			if err := RunJob(ctx, w, start, j, 0, results); err != nil {
				cancel(err)
			}
		})
	}
	// Wait on every path: it is what stops the pool's goroutines.
	p.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}
