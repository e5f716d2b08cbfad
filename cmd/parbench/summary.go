package main

import (
	"fmt"
	"io"
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
// configuration came.
func printArrivalBound(w io.Writer, b report.ArrivalBound) {
	fmt.Fprintf(w, "\nArrival-schedule lower bound: %v (last job released at %v, then %v of compute and %v of sleep)\n",
		b.Bound.Round(time.Millisecond), b.LastRelease, b.Compute.Round(time.Microsecond), b.Sleep)
	fmt.Fprintf(w, "%-18s %5s %7s %12s %10s\n", "strategy", "cores", "workers", "median", "x bound")
	for _, r := range b.Rows {
		fmt.Fprintf(w, "%-18s %5d %7d %12v %9.2fx\n", r.Strategy, r.Cores, r.Workers, r.Median.Round(time.Millisecond), r.Ratio)
	}
}
