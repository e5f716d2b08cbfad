package strategies

import (
	"context"
	"fmt"
	"time"

	"github.com/alitto/pond/v2"
)

func init() {
	Register(Info{
		Name:    "pond",
		Doc:     "a github.com/alitto/pond/v2 pool of at most workers goroutines, one Go call per job",
		New:     func() Strategy { return Pond{} },
		Modules: []string{"github.com/alitto/pond/v2"},
	})
}

// Pond runs each batch on pond.NewPool(workers), made for the batch and
// stopped with StopAndWait before Run returns, as pond's documentation
// shows. A job is submitted with Go at its release time: pond's queue is
// unbounded, so Go never blocks, and the pool runs at most workers
// goroutines, started as tasks arrive. Go rather than Submit, since Run
// has no use for the future Submit makes for every task.
type Pond struct{}

var _ Strategy = Pond{}

// Name implements Strategy.
func (Pond) Name() string { return "pond" }

// Run implements Strategy.
func (Pond) Run(ctx context.Context, w Workload, workers int) ([]Result, error) {
	if err := CheckRun(w, workers); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	p := pond.NewPool(workers)
	start := time.Now()
	results := make([]Result, w.Jobs)
	for j := range w.Jobs {
		if err := WaitRelease(ctx, w, start, j); err != nil {
			break
		}
		if ctx.Err() != nil {
			break
		}
		task := func() {
			if err := RunJob(ctx, w, start, j, 0, results); err != nil {
				cancel(err)
			}
		}
		if err := p.Go(task); err != nil {
			cancel(fmt.Errorf("pond: job %d: %w", j, err))
			break
		}
	}
	// On every path: it waits for the queued tasks (which return at once
	// once ctx is done) and the pool's goroutines.
	p.StopAndWait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}
