package strategies

import (
	"context"
	"time"

	"golang.org/x/sync/errgroup"
)

func init() {
	Register(Info{
		Name:    "errgroup",
		Doc:     "golang.org/x/sync/errgroup with SetLimit(workers), one Go call per job",
		New:     func() Strategy { return ErrGroup{} },
		Modules: []string{"golang.org/x/sync"},
	})
}

// ErrGroup is what most Go code reaches for first: an errgroup.Group
// from WithContext, SetLimit(workers), and one Go call per job at its
// release time. Go blocks while workers goroutines are running, so at
// most workers jobs run at once, each on a goroutine of its own; the
// first error cancels the group's context and Wait returns it.
type ErrGroup struct{}

var _ Strategy = ErrGroup{}

// Name implements Strategy.
func (ErrGroup) Name() string { return "errgroup" }

// Run implements Strategy.
func (ErrGroup) Run(ctx context.Context, w Workload, workers int) ([]Result, error) {
	if err := CheckRun(w, workers); err != nil {
		return nil, err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)

	start := time.Now()
	results := make([]Result, w.Jobs)
	for j := range w.Jobs {
		if err := WaitRelease(gctx, w, start, j); err != nil {
			break
		}
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return RunJob(gctx, w, start, j, 0, results) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// The loop also stops when ctx is cancelled before any job failed.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return results, nil
}
