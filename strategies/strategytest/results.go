package strategytest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parbench/parbench/strategies"
)

// maxReported bounds the jobs each broken promise of a batch names, so
// that a strategy that breaks one for every job of a large batch gets a
// message that can be read.
const maxReported = 3

// CheckResults checks one batch's results the way the suite does, and
// says which promises they break: every job of w once with the right sum
// (strategies.Verify, whose error names the first bad job), no job started
// before its release time, End no earlier than Start plus the sleep, and
// worker ids from 0 and below workers, or below the job count for a
// strategy that starts a goroutine per job (1 for one that ignores the
// worker count). It is for a strategy author's own tests, such as of the
// batches a strategy runs after one of its workers failed.
func CheckResults(info strategies.Info, w strategies.Workload, workers int, rs []strategies.Result) error {
	if err := strategies.Verify(w, rs); err != nil {
		return err
	}
	maxWorker := max(workers, w.Jobs)
	if info.IgnoresWorkers {
		maxWorker = 1
	}
	var early, short, ids []error
	for _, r := range rs {
		if release := w.Release(int(r.Job)); r.Start < release {
			early = append(early, fmt.Errorf("job %d started at %v, before its release at %v", r.Job, r.Start, release))
		}
		if r.End < r.Start+w.Sleep {
			short = append(short, fmt.Errorf("job %d ended at %v, before its start at %v plus the sleep of %v", r.Job, r.End, r.Start, w.Sleep))
		}
		if r.Worker < 0 || r.Worker >= maxWorker {
			ids = append(ids, fmt.Errorf("job %d ran on worker %d, want 0..%d", r.Job, r.Worker, maxWorker-1))
		}
	}
	return errors.Join(
		promise("release times", early),
		promise("job times", short),
		promise("worker ids", ids),
	)
}

// promise is the error of a broken promise: its name, and the first few
// of the jobs that break it.
func promise(name string, broken []error) error {
	if len(broken) == 0 {
		return nil
	}
	shown := broken[:min(len(broken), maxReported)]
	msg := fmt.Sprintf("%s broken by %d of the batch's jobs: %v", name, len(broken), errors.Join(shown...))
	if len(broken) > len(shown) {
		msg += fmt.Sprintf("\n(and %d more)", len(broken)-len(shown))
	}
	return errors.New(msg)
}

// MaxConcurrent is the most jobs of rs that ran at one instant, by their
// Start and End; a job that ends when another starts does not overlap it.
// A strategy that runs at most workers jobs at once, as most do, can check
// that its batches never exceed that.
func MaxConcurrent(rs []strategies.Result) int {
	type edge struct {
		at    time.Duration
		delta int
	}
	edges := make([]edge, 0, 2*len(rs))
	for _, r := range rs {
		edges = append(edges, edge{r.Start, +1}, edge{r.End, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return a.delta - b.delta // an end before a start at the same instant
	})
	cur, most := 0, 0
	for _, e := range edges {
		cur += e.delta
		most = max(most, cur)
	}
	return most
}
