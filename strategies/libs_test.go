package strategies

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"
)

// libraryStrategies run on a library's pool, which each Run makes and must
// release: their tests below come on top of the conformance suite.
var libraryStrategies = []string{"errgroup", "ants", "ants-func", "pond", "conc"}

func TestLibraryPoolsReleased(t *testing.T) {
	// Every path out of Run releases the library's pool: its workers, and
	// whatever else it starts (ants' purge and clock goroutines), are gone
	// once the goroutine count settles.
	cases := []struct {
		name     string
		w        Workload
		cancelAt time.Duration // 0: never cancelled; <0: cancelled before Run
		wantErr  error
	}{
		{"completed", Workload{Jobs: 200, N: 1000}, 0, nil},
		{"cancelled before Run", Workload{Jobs: 50, N: 1000}, -1, context.Canceled},
		// Every worker asleep in a job and the submitter blocked on a full
		// pool (ants, conc, errgroup) or queueing (pond).
		{"cancelled with workers busy", Workload{Jobs: 50, N: 1000, Sleep: time.Hour}, 30 * time.Millisecond, context.Canceled},
		// The submitter waiting for the next release, workers idle.
		{"cancelled between releases", Workload{Jobs: 50, N: 1000, Gap: time.Hour}, 30 * time.Millisecond, context.Canceled},
	}
	for _, name := range libraryStrategies {
		for _, tc := range cases {
			t.Run(name+"/"+tc.name, func(t *testing.T) {
				before := numGoroutinesSettled()
				s, err := New(name)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				switch {
				case tc.cancelAt < 0:
					cancel()
				case tc.cancelAt > 0:
					time.AfterFunc(tc.cancelAt, cancel)
				}
				rs, err := s.Run(ctx, tc.w, 4)
				if !errors.Is(err, tc.wantErr) || (tc.wantErr != nil) != (err != nil) {
					t.Fatalf("Run = %d results, %v; want %v", len(rs), err, tc.wantErr)
				}
				if err == nil {
					if err := Verify(tc.w, rs); err != nil {
						t.Fatal(err)
					}
				}
				waitGoroutines(t, before)
			})
		}
	}
}

// numGoroutinesSettled is the goroutine count once the test runner's own
// goroutines, such as a finished subtest's, have had a moment to exit, so
// that a count taken before Run is not too high to catch a leak.
func numGoroutinesSettled() int {
	n := -1
	for range 20 {
		m := runtime.NumGoroutine()
		if m == n {
			break
		}
		n = m
		time.Sleep(2 * time.Millisecond)
	}
	return n
}

func TestStaticBlock(t *testing.T) {
	cases := []struct {
		name          string
		jobs, workers int
		want          [][2]int // [lo, hi) per worker
	}{
		{"divisible", 8, 4, [][2]int{{0, 2}, {2, 4}, {4, 6}, {6, 8}}},
		{"two left over", 10, 4, [][2]int{{0, 3}, {3, 6}, {6, 8}, {8, 10}}},
		{"one left over", 7, 3, [][2]int{{0, 3}, {3, 5}, {5, 7}}},
		{"more workers than jobs", 3, 5, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 3}, {3, 3}}},
		{"one worker", 5, 1, [][2]int{{0, 5}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for w, want := range tc.want {
				lo, hi := staticBlock(tc.jobs, tc.workers, w)
				if lo != want[0] || hi != want[1] {
					t.Errorf("staticBlock(%d, %d, %d) = [%d, %d), want [%d, %d)", tc.jobs, tc.workers, w, lo, hi, want[0], want[1])
				}
			}
		})
	}
}

func TestStaticBlocksCoverJobs(t *testing.T) {
	// For every shape: the blocks are contiguous, in order, cover every
	// job once, and differ in size by at most one.
	for jobs := 1; jobs <= 40; jobs++ {
		for workers := 1; workers <= 12; workers++ {
			next, smallest, largest := 0, jobs, 0
			for w := range workers {
				lo, hi := staticBlock(jobs, workers, w)
				if lo != next || hi < lo {
					t.Fatalf("jobs=%d workers=%d: block %d is [%d, %d), want it to start at %d", jobs, workers, w, lo, hi, next)
				}
				next = hi
				smallest, largest = min(smallest, hi-lo), max(largest, hi-lo)
			}
			if next != jobs {
				t.Errorf("jobs=%d workers=%d: blocks end at %d, want %d", jobs, workers, next, jobs)
			}
			if largest-smallest > 1 {
				t.Errorf("jobs=%d workers=%d: block sizes %d..%d, want them to differ by at most 1", jobs, workers, smallest, largest)
			}
		}
	}
}

func TestStaticRunsBlocksInOrder(t *testing.T) {
	// 10 jobs on 4 workers: each job runs on the worker that owns its
	// block, and a worker runs its block in job order.
	w := Workload{Jobs: 10, N: 100, Sleep: time.Millisecond}
	const workers = 4
	rs, err := Static{}.Run(context.Background(), w, workers)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(w, rs); err != nil {
		t.Fatal(err)
	}
	for owner := range workers {
		lo, hi := staticBlock(w.Jobs, workers, owner)
		for j := lo; j < hi; j++ {
			if got := rs[j].Worker; got != owner {
				t.Errorf("job %d ran on worker %d, want %d (block [%d, %d))", j, got, owner, lo, hi)
			}
			if j > lo && rs[j].Start < rs[j-1].End {
				t.Errorf("job %d started at %v, before job %d of the same block ended at %v", j, rs[j].Start, j-1, rs[j-1].End)
			}
		}
	}
}
