package report

import "time"

// ArrivalBound is the shortest wall time any strategy could take on a
// workload with an arrival schedule or a sleep, however many workers it
// had: the last job is released at LastRelease and then needs its own
// Compute and Sleep. Rows say how close each configuration came.
type ArrivalBound struct {
	Bound, LastRelease, Compute, Sleep time.Duration
	Rows                               []BoundRow
}

// BoundRow is one configuration against the arrival bound.
type BoundRow struct {
	Machine, Strategy string
	Cores, Workers    int
	Median            time.Duration
	// Ratio is Median over the bound: 1 is as fast as the schedule allows.
	Ratio float64
}

// ArrivalBound gives the bound for compute, the time of one job's XOR-sum
// (which bench.txt does not hold: the caller measures it), and every row
// against it. ok is false for a workload with neither a gap nor a sleep,
// where the bound says nothing the speedup does not.
func (r *Report) ArrivalBound(compute time.Duration) (b ArrivalBound, ok bool) {
	w := r.Params
	if w.Sleep <= 0 && w.Gap <= 0 {
		return ArrivalBound{}, false
	}
	b = ArrivalBound{LastRelease: w.LastRelease(), Compute: compute, Sleep: w.Sleep}
	b.Bound = b.LastRelease + compute + w.Sleep
	for _, row := range r.Rows {
		b.Rows = append(b.Rows, BoundRow{
			Machine: row.Machine, Strategy: row.Strategy, Cores: row.Cores, Workers: row.Workers,
			Median: time.Duration(row.Median * float64(time.Second)),
			Ratio:  row.Median / b.Bound.Seconds(),
		})
	}
	return b, true
}
