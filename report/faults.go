package report

import "strconv"

// FaultsUnit is the metric of a sample whose batch had workers fail and
// be replaced (procpool): how many faults it met.
const FaultsUnit = "faults/op"

// CheckFaults names the warning about samples with worker faults.
const CheckFaults = "faults"

// faultTally counts the samples of one configuration whose batch met
// worker faults.
type faultTally struct {
	samples int
	faults  float64
	// secs are the times of the samples left out of the statistics;
	// used is set when they were used after all, having no others.
	secs []float64
	used bool
}

// warnFaults names row r's samples with faults, and says what was done
// with them.
func (rep *Report) warnFaults(r *Row, g *group, o Options) {
	ft := g.faults
	if ft.samples == 0 {
		return
	}
	total := len(g.secs)
	what := "included in its statistics"
	switch {
	case ft.used:
		what = "every sample had faults, so they are used"
	case !o.IncludeFaulted:
		total += ft.samples
		what = "left out of its statistics and of benchstat's input (parbench report -faulted include keeps them)"
	}
	n := strconv.FormatFloat(ft.faults, 'f', -1, 64) + " fault"
	if ft.faults != 1 {
		n += "s"
	}
	rep.warn(r.Machine, CheckFaults, "%s: %d of %d samples met worker faults (%s in all), %s",
		r.Name(), ft.samples, total, n, what)
}
