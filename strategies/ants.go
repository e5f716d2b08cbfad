package strategies

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/panjf2000/ants/v2"
)

func init() {
	Register(Info{
		Name:    "ants",
		Doc:     "a github.com/panjf2000/ants/v2 Pool of workers, one Submit per job",
		New:     func() Strategy { return Ants{} },
		Modules: []string{"github.com/panjf2000/ants/v2"},
	})
	Register(Info{
		Name:    "ants-func",
		Doc:     "a github.com/panjf2000/ants/v2 PoolWithFunc of workers, one Invoke per job",
		New:     func() Strategy { return Ants{Func: true} },
		Modules: []string{"github.com/panjf2000/ants/v2"},
	})
}

// antsRelease bounds how long Run waits for an ants pool's goroutines (its
// workers, and the purge and clock goroutines every pool starts) to exit
// after Release. They exit as soon as they see the pool closed; a pool that
// takes longer than this is reported as an error rather than left running
// unseen.
const antsRelease = 5 * time.Second

// Ants runs each batch on an ants pool of workers goroutines, made for the
// batch and released before Run returns, as ants' documentation shows:
// a sync.WaitGroup counts the tasks, Submit blocks while every worker is
// busy, and ReleaseTimeout waits for the pool's goroutines to exit.
//
// With Func, the pool is a PoolWithFunc: one function for the whole pool,
// and Invoke passes each job its id as an argument. It is a separate code
// path in ants (its workers take arguments, not closures, from their
// channel), with its own cost per job: no closure, but an id boxed into an
// interface.
type Ants struct {
	Func bool
}

var _ Strategy = Ants{}

// Name implements Strategy.
func (a Ants) Name() string {
	if a.Func {
		return "ants-func"
	}
	return "ants"
}

// Run implements Strategy.
func (a Ants) Run(ctx context.Context, w Workload, workers int) (rs []Result, err error) {
	if err := CheckRun(w, workers); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	start := time.Now()
	results := make([]Result, w.Jobs)
	var wg sync.WaitGroup
	var submit func(j int) error
	var release func(time.Duration) error
	if a.Func {
		p, err := ants.NewPoolWithFunc(workers, func(arg any) {
			defer wg.Done()
			if err := RunJob(ctx, w, start, arg.(int), 0, results); err != nil {
				cancel(err)
			}
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Name(), err)
		}
		submit = func(j int) error { return p.Invoke(j) }
		release = p.ReleaseTimeout
	} else {
		p, err := ants.NewPool(workers)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", a.Name(), err)
		}
		submit = func(j int) error {
			return p.Submit(func() {
				defer wg.Done()
				if err := RunJob(ctx, w, start, j, 0, results); err != nil {
					cancel(err)
				}
			})
		}
		release = p.ReleaseTimeout
	}
	defer func() {
		if rerr := release(antsRelease); rerr != nil && err == nil {
			rs, err = nil, fmt.Errorf("%s: release: %w", a.Name(), rerr)
		}
	}()

	for j := range w.Jobs {
		if err := WaitRelease(ctx, w, start, j); err != nil {
			break
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		if err := submit(j); err != nil {
			wg.Done()
			cancel(fmt.Errorf("%s: job %d: %w", a.Name(), j, err))
			break
		}
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return results, nil
}
