package report

import "time"

// ArrivalBound is the shortest wall time any strategy could take on one
// machine on a workload with an arrival schedule or a sleep, however many
// workers it had: the last job is released at LastRelease and then needs
// its own Compute and Sleep. Rows say how close each of the machine's
// configurations came.
type ArrivalBound struct {
	Machine                            string
	Bound, LastRelease, Compute, Sleep time.Duration
	// Readings is how many calibration readings Compute is the median of.
	Readings int
	Rows     []BoundRow
}

// BoundRow is one configuration against the arrival bound.
type BoundRow struct {
	Machine, Strategy string
	Cores, Workers    int
	Median            time.Duration
	// Ratio is Median over the bound: 1 is as fast as the schedule allows.
	Ratio float64
}

// ArrivalBounds gives, for each machine whose calibration meter timed the
// workload's kernel (Calibration.KernelPerJob), the bound with that
// compute and every row of the machine against it. It is empty for a
// workload with neither a gap nor a sleep, where the bound says nothing
// the speedup does not, and for runs without the meter's calibration.
func (r *Report) ArrivalBounds() []ArrivalBound {
	w := r.Params
	if w.Sleep <= 0 && w.Gap <= 0 {
		return nil
	}
	var out []ArrivalBound
	for _, c := range r.Calibrations {
		if c.KernelPerJob <= 0 {
			continue
		}
		b := ArrivalBound{Machine: c.Machine, LastRelease: w.LastRelease(), Compute: c.KernelPerJob, Sleep: w.Sleep, Readings: c.KernelReadings}
		b.Bound = b.LastRelease + b.Compute + w.Sleep
		for _, row := range r.Rows {
			if row.Machine != c.Machine {
				continue
			}
			b.Rows = append(b.Rows, BoundRow{
				Machine: row.Machine, Strategy: row.Strategy, Cores: row.Cores, Workers: row.Workers,
				Median: time.Duration(row.Median * float64(time.Second)),
				Ratio:  row.Median / b.Bound.Seconds(),
			})
		}
		out = append(out, b)
	}
	return out
}
