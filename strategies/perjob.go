package strategies

import (
	"context"
	"sync"
	"time"
)

func init() {
	Register(Info{Name: "perjob", Doc: "a goroutine per job, at most workers running at once", New: func() Strategy { return PerJob{} }})
	Register(Info{Name: "perjob-unbounded", Doc: "a goroutine per job, all started at their release time", New: func() Strategy { return PerJob{Unbounded: true} }})
}

// PerJob starts a goroutine for every job at its release time. Bounded, a
// job waits for one of workers slots first, and the slot is its Worker;
// unbounded, every job gets its own goroutine at once and Worker is the job
// id, and only GOMAXPROCS limits how many run.
type PerJob struct {
	Unbounded bool
}

var _ Strategy = PerJob{}

// Name implements Strategy.
func (p PerJob) Name() string {
	if p.Unbounded {
		return "perjob-unbounded"
	}
	return "perjob"
}

// Run implements Strategy.
func (p PerJob) Run(ctx context.Context, w Workload, workers int) ([]Result, error) {
	if err := CheckRun(w, workers); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	var slots chan int
	if !p.Unbounded {
		slots = make(chan int, workers)
		for s := range workers {
			slots <- s
		}
	}
	start := time.Now()
	results := make([]Result, w.Jobs)
	var wg sync.WaitGroup
	for j := range w.Jobs {
		if err := WaitRelease(ctx, w, start, j); err != nil {
			break
		}
		worker := j
		if slots != nil {
			select {
			case worker = <-slots:
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		wg.Go(func() {
			if slots != nil {
				defer func() { slots <- worker }()
			}
			if err := RunJob(ctx, w, start, j, worker, results); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}
