package cli

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/strategies"
)

// measureJobCompute is the compute time of one job, the shortest of a few
// runs of the kernel: the part of the arrival bound no schedule can hide.
func measureJobCompute(n int64) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 5 {
		begin := time.Now()
		strategies.XORSum(1, n)
		best = min(best, time.Since(begin))
	}
	return best
}

// printArrivalBound prints the arrival bound and how close each
// configuration came: one table per worker count when the sweep ran
// several (the seed preset runs the article's rule, cores - 1, beside its
// 11), in the order first seen. The bound's compute is this process's Go
// kernel: an interpreter's slower kernel shows as its distance from it.
func printArrivalBound(w io.Writer, b report.ArrivalBound) {
	fmt.Fprintf(w, "\nArrival-schedule lower bound: %v (last job released at %v, then %v of compute and %v of sleep)\n",
		b.Bound.Round(time.Millisecond), b.LastRelease, b.Compute.Round(time.Microsecond), b.Sleep)
	var counts []int
	for _, r := range b.Rows {
		if !slices.Contains(counts, r.Workers) {
			counts = append(counts, r.Workers)
		}
	}
	for _, workers := range counts {
		if len(counts) > 1 {
			fmt.Fprintf(w, "\nworkers = %d:\n", workers)
		}
		fmt.Fprintf(w, "%-18s %5s %7s %12s %10s\n", "strategy", "cores", "workers", "median", "x bound")
		for _, r := range b.Rows {
			if r.Workers != workers {
				continue
			}
			fmt.Fprintf(w, "%-18s %5d %7d %12v %9.2fx\n", r.Strategy, r.Cores, r.Workers, r.Median.Round(time.Millisecond), r.Ratio)
		}
	}
}
