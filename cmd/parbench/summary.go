package main

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

// printArrivalBound prints, for a workload with an arrival schedule or a
// sleep, the shortest time any strategy could take (the last job's release
// plus its compute and sleep) and how close each configuration came: one
// table per worker count when the sweep ran several (the seed preset runs
// the article's rule, cores - 1, beside its 11), in the order first seen.
// compute is this process's Go kernel: an interpreter's slower kernel
// shows as its distance from the bound.
func printArrivalBound(w io.Writer, wl strategies.Workload, compute time.Duration, rep *report.Report) {
	if wl.Sleep <= 0 && wl.Gap <= 0 {
		return
	}
	bound := wl.LowerBound(compute)
	fmt.Fprintf(w, "\nArrival-schedule lower bound: %v (last job released at %v, then %v of compute and %v of sleep)\n",
		bound.Round(time.Millisecond), wl.Release(wl.Jobs-1), compute.Round(time.Microsecond), wl.Sleep)
	var counts []int
	for _, r := range rep.Rows {
		if !slices.Contains(counts, r.Workers) {
			counts = append(counts, r.Workers)
		}
	}
	for _, workers := range counts {
		if len(counts) > 1 {
			fmt.Fprintf(w, "\nworkers = %d:\n", workers)
		}
		fmt.Fprintf(w, "%-18s %5s %7s %12s %10s\n", "strategy", "cores", "workers", "median", "x bound")
		for _, r := range rep.Rows {
			if r.Workers != workers {
				continue
			}
			med := time.Duration(r.Median * float64(time.Second))
			fmt.Fprintf(w, "%-18s %5d %7d %12v %9.2fx\n", r.Strategy, r.Cores, r.Workers, med.Round(time.Millisecond), r.Median/bound.Seconds())
		}
	}
}
