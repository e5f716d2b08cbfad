package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"time"
)

// HasArrivalBound reports whether a Report of the set has an arrival
// bound, which WriteArrivalBound writes.
func (s *Set) HasArrivalBound() bool {
	return slices.ContainsFunc(s.Reports, func(r *Report) bool { return len(r.ArrivalBounds()) > 0 })
}

// WriteArrivalBound writes arrival-bound.txt: each machine's arrival
// bound and how close each configuration came, for every workload that
// has one, under a heading that names it where the set has several.
func (s *Set) WriteArrivalBound(w io.Writer) error {
	bw := bufio.NewWriter(w)
	first := true
	for _, r := range s.Reports {
		bounds := r.ArrivalBounds()
		if len(bounds) == 0 {
			continue
		}
		if !first {
			fmt.Fprintln(bw)
		}
		first = false
		if s.Several() {
			fmt.Fprintf(bw, "== %s ==\n\n", r.Label)
		}
		for i, b := range bounds {
			if i > 0 {
				fmt.Fprintln(bw)
			}
			writeArrivalBound(bw, b, len(r.Machines) > 1)
		}
	}
	return bw.Flush()
}

// writeArrivalBound writes one machine's bound and how close each
// configuration came: one table per worker count when the sweep ran
// several (the seed preset runs the article's rule, cores - 1, beside its
// 11), in the order first seen. The bound's compute is the meter's Go
// kernel: an interpreter's slower kernel shows as its distance from it.
func writeArrivalBound(w io.Writer, b ArrivalBound, named bool) {
	on := ""
	if named {
		on = " on " + b.Machine
	}
	fmt.Fprintf(w, "Arrival-schedule lower bound%s: %v (last job released at %v, then %v of compute and %v of sleep)\n",
		on, b.Bound.Round(time.Millisecond), b.LastRelease, b.Compute.Round(time.Microsecond), b.Sleep)
	fmt.Fprintf(w, "compute: one job's XOR-sum pinned to one CPU, the median of the calibration meter's %d readings\n", b.Readings)
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
