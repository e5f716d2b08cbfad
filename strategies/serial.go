package strategies

import (
	"context"
	"time"
)

func init() {
	Register(Info{
		Name:           "serial",
		Doc:            "one job after another on the calling goroutine (the baseline)",
		New:            func() Strategy { return Serial{} },
		IgnoresWorkers: true,
	})
}

// Serial runs the jobs one after another on the calling goroutine. It
// ignores the worker count: it is the baseline every speedup is taken from.
type Serial struct{}

var _ Strategy = Serial{}

// Name implements Strategy.
func (Serial) Name() string { return "serial" }

// Run implements Strategy.
func (Serial) Run(ctx context.Context, w Workload, workers int) ([]Result, error) {
	if err := CheckRun(w, workers); err != nil {
		return nil, err
	}
	start := time.Now()
	results := make([]Result, w.Jobs)
	for j := range w.Jobs {
		if err := WaitRelease(ctx, w, start, j); err != nil {
			return nil, err
		}
		if err := RunJob(ctx, w, start, j, 0, results); err != nil {
			return nil, err
		}
	}
	return results, nil
}
