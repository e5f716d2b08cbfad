package strategytest_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/strategytest"
)

// batch is the results of a right batch of w, one job after another on
// worker 0, each taking a millisecond plus its sleep from its release.
func batch(w strategies.Workload) []strategies.Result {
	rs := make([]strategies.Result, w.Jobs)
	for j := range rs {
		start := w.Release(j)
		rs[j] = strategies.Result{Job: int64(j), Sum: strategies.Expected(int64(j), w.N), Start: start, End: start + time.Millisecond + w.Sleep}
	}
	return rs
}

func TestCheckResults(t *testing.T) {
	w := strategies.Workload{Jobs: 6, N: 100, Sleep: time.Millisecond, Gap: 2 * time.Millisecond}
	pool := strategies.Info{Name: "pool"}
	serial := strategies.Info{Name: "serial", IgnoresWorkers: true}
	tests := []struct {
		name    string
		info    strategies.Info
		workers int
		change  func(rs []strategies.Result) []strategies.Result
		want    []string // in the error; none: no error
		// unverified: strategies.Verify found it, and the error wraps
		// strategies.ErrUnverified.
		unverified bool
	}{
		{"a right batch", pool, 2, nil, nil, false},
		{"a job lost", pool, 2, func(rs []strategies.Result) []strategies.Result { return rs[1:] },
			[]string{"job 0 lost (5 of 6 jobs returned)"}, true},
		{"a wrong sum", pool, 2, func(rs []strategies.Result) []strategies.Result { rs[3].Sum++; return rs },
			[]string{"job 3: sum"}, true},
		{"a job started before its release", pool, 2, func(rs []strategies.Result) []strategies.Result { rs[4].Start = time.Millisecond; return rs },
			[]string{"release times broken by 1 of the batch's jobs", "job 4 started at 1ms, before its release at 8ms"}, false},
		{"a job shorter than its sleep", pool, 2, func(rs []strategies.Result) []strategies.Result { rs[2].End = rs[2].Start; return rs },
			[]string{"job times broken by 1 of the batch's jobs", "job 2 ended at 4ms, before its start at 4ms plus the sleep of 1ms"}, false},
		{"a worker id out of range", pool, 2, func(rs []strategies.Result) []strategies.Result { rs[0].Worker = 6; return rs },
			[]string{"worker ids broken by 1 of the batch's jobs", "job 0 ran on worker 6, want 0..5"}, false},
		{"a goroutine per job numbered by job", pool, 2, func(rs []strategies.Result) []strategies.Result {
			for i := range rs {
				rs[i].Worker = i
			}
			return rs
		}, nil, false},
		{"a worker count ignored, on worker 1", serial, 2, func(rs []strategies.Result) []strategies.Result { rs[5].Worker = 1; return rs },
			[]string{"worker ids broken", "job 5 ran on worker 1, want 0..0"}, false},
		{"every job early: the first few named", pool, 2, func(rs []strategies.Result) []strategies.Result {
			for i := range rs {
				rs[i].Start, rs[i].End = 0, 2*time.Millisecond
			}
			return rs
		}, []string{"release times broken by 5 of the batch's jobs", "job 1 started", "job 3 started", "(and 2 more)"}, false},
		{"two promises broken", pool, 2, func(rs []strategies.Result) []strategies.Result { rs[1].Start = 0; rs[1].Worker = -1; return rs },
			[]string{"release times broken", "worker ids broken"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := batch(w)
			if tt.change != nil {
				rs = tt.change(rs)
			}
			err := strategytest.CheckResults(tt.info, w, tt.workers, rs)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("CheckResults = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckResults = nil, want an error with %q", tt.want)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("CheckResults = %q, want it to say %q", err, want)
				}
			}
			if got := errors.Is(err, strategies.ErrUnverified); got != tt.unverified {
				t.Errorf("errors.Is(CheckResults, ErrUnverified) = %v, want %v", got, tt.unverified)
			}
		})
	}
}

func TestMaxConcurrent(t *testing.T) {
	ms := func(d int) time.Duration { return time.Duration(d) * time.Millisecond }
	job := func(start, end int) strategies.Result { return strategies.Result{Start: ms(start), End: ms(end)} }
	tests := []struct {
		name string
		rs   []strategies.Result
		want int
	}{
		{"no jobs", nil, 0},
		{"one job", []strategies.Result{job(0, 5)}, 1},
		{"one after another, touching", []strategies.Result{job(0, 5), job(5, 10), job(10, 15)}, 1},
		{"two overlapping", []strategies.Result{job(0, 5), job(4, 10)}, 2},
		{"three at one instant", []strategies.Result{job(0, 10), job(2, 6), job(5, 8), job(9, 12)}, 3},
		{"in any order", []strategies.Result{job(9, 12), job(5, 8), job(0, 10), job(2, 6)}, 3},
		{"a job of no length overlaps nothing", []strategies.Result{job(0, 10), job(3, 3)}, 1},
	}
	for _, tt := range tests {
		if got := strategytest.MaxConcurrent(tt.rs); got != tt.want {
			t.Errorf("%s: MaxConcurrent = %d, want %d", tt.name, got, tt.want)
		}
	}
}
