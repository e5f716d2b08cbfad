package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Point is one measured figure at X (cores or workers) with its interval,
// as a chart draws it. An interval that is not finite or does not contain
// Y (too few samples for one) is given as Low = High = Y.
type Point struct {
	X, Y      float64
	Low, High float64
}

// Series is what one strategy measured on one machine, as a chart draws
// it. Machine is empty when every series of the chart comes from one
// machine, so the legend need not name it.
type Series struct {
	Strategy string
	Machine  string
	Points   []Point
	// Fit is the model a speedup chart draws through the points (see
	// BestFit); nil if there is none, and always nil for other charts.
	Fit *Fit
}

// Curves are the series of the charts against cores, one per machine and
// strategy: from Curve, one row per core count.
type Curves struct {
	// Speedup holds the strategies whose every point has a speedup; it
	// is empty without a serial baseline on one core.
	Speedup []Series
	// Time is the median batch time in seconds, Throughput the jobs/s.
	Time, Throughput []Series
}

// Curves builds the series of the charts against cores.
func (r *Report) Curves() Curves {
	var c Curves
	for _, m := range r.Machines {
		for _, s := range r.Strategies() {
			rows := r.Curve(m.Label, s)
			if len(rows) == 0 {
				continue
			}
			machine := ""
			if len(r.Machines) > 1 {
				machine = m.Label
			}
			sp := Series{Strategy: s, Machine: machine}
			tm := Series{Strategy: s, Machine: machine}
			tp := Series{Strategy: s, Machine: machine}
			for _, row := range rows {
				x := float64(row.Cores)
				tm.Points = append(tm.Points, point(x, row.Median, row.Low, row.High))
				tp.Points = append(tp.Points, point(x, row.JobsPerSec, row.JobsPerSecLow, row.JobsPerSecHigh))
				if finite(row.Speedup) {
					sp.Points = append(sp.Points, point(x, row.Speedup, row.SpeedupLow, row.SpeedupHigh))
				}
			}
			if f, ok := r.BestFit(m.Label, s); ok {
				sp.Fit = &f
			}
			if len(sp.Points) == len(rows) {
				c.Speedup = append(c.Speedup, sp)
			}
			c.Time = append(c.Time, tm)
			c.Throughput = append(c.Throughput, tp)
		}
	}
	return c
}

// WorkerSeries is throughput against workers for every machine, strategy
// and core count measured with more than one worker count. The machine
// and core count name a series when more than one of either is charted.
func (r *Report) WorkerSeries() []Series {
	type key struct {
		machine, strategy string
		cores             int
	}
	byKey := map[key][]Row{}
	var order []key
	for _, row := range r.Rows {
		if row.Workers < 1 {
			continue
		}
		k := key{row.Machine, row.Strategy, row.Cores}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], row)
	}
	cores := map[string]bool{}
	for _, k := range order {
		if len(byKey[k]) > 1 {
			cores[k.machine+"/"+strconv.Itoa(k.cores)] = true
		}
	}
	var out []Series
	for _, k := range order {
		rows := byKey[k]
		if len(rows) < 2 {
			continue
		}
		s := Series{Strategy: k.strategy}
		if len(r.Machines) > 1 || len(cores) > 1 {
			s.Machine = fmt.Sprintf("%s %d cores", k.machine, k.cores)
		}
		for _, row := range rows {
			s.Points = append(s.Points, point(float64(row.Workers), row.JobsPerSec, row.JobsPerSecLow, row.JobsPerSecHigh))
		}
		out = append(out, s)
	}
	return out
}

// point makes a Point, dropping an interval that is not finite or does not
// contain y.
func point(x, y, lo, hi float64) Point {
	if !finite(lo) || !finite(hi) || lo > y || hi < y {
		lo, hi = y, y
	}
	return Point{X: x, Y: y, Low: lo, High: hi}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// BestFit is the fit a chart draws for one strategy on one machine: the
// USL, which needs six core counts, over Amdahl.
func (r *Report) BestFit(machine, strategy string) (Fit, bool) {
	if f, ok := r.FitOf(machine, strategy, USL); ok {
		return f, true
	}
	return r.FitOf(machine, strategy, Amdahl)
}

// Label describes the fit in a legend: "USL σ=0.02 κ=0.001" or "Amdahl
// serial fraction 0.05".
func (f Fit) Label() string {
	if f.Model == USL {
		return fmt.Sprintf("USL σ=%.2g κ=%.2g", f.Sigma, f.Kappa)
	}
	return fmt.Sprintf("Amdahl serial fraction %.2g", f.SerialFraction)
}

// Caption names each machine as the charts do: CPU model, CPUs, Go
// version and how cores were held.
func (r *Report) Caption() string {
	var parts []string
	for _, m := range r.Machines {
		p := m.CPU
		if p == "" {
			p = "unknown CPU"
		}
		if m.CPUsOnline > 0 {
			p += fmt.Sprintf(", %d CPUs", m.CPUsOnline)
		}
		if len(r.Machines) > 1 {
			p = m.Label + ": " + p
		}
		if m.GoVersion != "" {
			p += " · " + m.GoVersion
		}
		if m.Enforcement != "" {
			p += " · cores by " + m.Enforcement
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}
