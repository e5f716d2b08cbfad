package report

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// A Model is a scalability law fitted to speedups.
type Model string

const (
	// Amdahl is S(N) = λN / (1 + σ(N-1)): σ is the serial fraction.
	Amdahl Model = "amdahl"
	// USL is Gunther's Universal Scalability Law,
	// S(N) = λN / (1 + σ(N-1) + κN(N-1)).
	USL Model = "usl"
)

// A Fit is a model fitted by least squares to one strategy's median
// speedups on one machine, one point per core count.
type Fit struct {
	Machine  string
	Strategy string
	Model    Model

	// Lambda is the speedup of one core over the baseline. Sigma is
	// contention (for Amdahl the serial fraction); Kappa is coherency,
	// 0 for Amdahl.
	Lambda, Sigma, Kappa float64
	// SerialFraction is Sigma for Amdahl, NaN for USL.
	SerialFraction float64
	// R2 is the coefficient of determination of the fit on the points;
	// NaN when the speedups are all equal, so there is nothing to explain.
	R2 float64
	// Points is how many core counts were fitted, up to MaxCores.
	Points   int
	MaxCores int

	// PeakConcurrency is where the model's speedup peaks,
	// sqrt((1-σ)/κ); +Inf when κ is 0 (Amdahl never peaks).
	// PeakSpeedup is the speedup there, or the model's limit λ/σ.
	PeakConcurrency float64
	PeakSpeedup     float64

	// Projections are the model's speedups at 2x and 4x the machine's
	// cores: extrapolations, not measurements; none for a fit through
	// fewer than MinProjectionCores core counts.
	Projections []Projection
}

// MinProjectionCores is the fewest core counts a fit must go through
// before the report projects it past the cores measured.
const MinProjectionCores = 3

// A Projection is a fitted model evaluated past the cores measured.
type Projection struct {
	Cores   int
	Speedup float64
}

// Speedup evaluates the fitted curve at cores, which may be any positive
// number, so a chart can draw it.
func (f Fit) Speedup(cores float64) float64 {
	return uslSpeedup(cores, f.Lambda, f.Sigma, f.Kappa)
}

func uslSpeedup(n, lambda, sigma, kappa float64) float64 {
	return lambda * n / (1 + sigma*(n-1) + kappa*n*(n-1))
}

// FitModel fits model to speedups measured at cores and fills the fit's
// parameters, R2, Points, MaxCores and peak. Core counts must be distinct
// and at least 1, speedups positive and finite; Amdahl needs 2 points and
// USL 3 (parbench asks USL for more, see Options.MinUSLCores).
//
// Both models are linear after a change of variables:
// N/S = 1/λ + (σ/λ)(N-1) + (κ/λ)N(N-1). FitModel solves that by weighted
// linear least squares (gonum/mat) with weights (S²/N)², which makes each
// residual count as its error in the speedup itself (to first order), and
// keeps the parameters in range, λ > 0, 0 <= σ <= 1, κ >= 0, by solving on
// every face of that region and keeping the best feasible solution: the
// exact constrained minimum, since the objective is a convex quadratic.
func FitModel(model Model, cores, speedups []float64) (Fit, error) {
	f := Fit{Model: model, Points: len(cores)}
	params := 0
	switch model {
	case Amdahl:
		params = 2
	case USL:
		params = 3
	default:
		return f, fmt.Errorf("unknown model %q", model)
	}
	if len(cores) != len(speedups) {
		return f, fmt.Errorf("%d core counts but %d speedups", len(cores), len(speedups))
	}
	if len(cores) < params {
		return f, fmt.Errorf("%s fit needs at least %d core counts, have %d", model, params, len(cores))
	}
	for i, n := range cores {
		s := speedups[i]
		if !(n >= 1) || math.IsInf(n, 0) || !(s > 0) || math.IsInf(s, 0) {
			return f, fmt.Errorf("cannot fit speedup %v at %v cores", s, n)
		}
		if slices.Contains(cores[:i], n) {
			return f, fmt.Errorf("core count %v given twice", n)
		}
		f.MaxCores = max(f.MaxCores, int(n))
	}

	a, ok := fitFaces(cores, speedups, params == 3)
	if !ok {
		return f, fmt.Errorf("%s fit failed: no solution with λ > 0", model)
	}
	f.Lambda = 1 / a[0]
	f.Sigma = clamp(a[1]/a[0], 0, 1)
	f.Kappa = math.Max(a[2]/a[0], 0)
	f.SerialFraction = math.NaN()
	if model == Amdahl {
		f.SerialFraction = f.Sigma
	}

	est := make([]float64, len(cores))
	for i, n := range cores {
		est[i] = f.Speedup(n)
	}
	f.R2 = stat.RSquaredFrom(est, speedups, nil)
	if math.IsInf(f.R2, 0) {
		f.R2 = math.NaN()
	}

	switch {
	case f.Kappa > 0:
		f.PeakConcurrency = math.Max(1, math.Sqrt((1-f.Sigma)/f.Kappa))
		f.PeakSpeedup = f.Speedup(f.PeakConcurrency)
	case f.Sigma > 0:
		f.PeakConcurrency, f.PeakSpeedup = math.Inf(1), f.Lambda/f.Sigma
	default:
		f.PeakConcurrency, f.PeakSpeedup = math.Inf(1), math.Inf(1)
	}
	return f, nil
}

// A face is part of the boundary (or the inside) of the parameter region
// a = (1/λ, σ/λ, κ/λ): some parameters are tied to bounds (σ = 0 is
// a1 = 0, σ = 1 is a1 = a0, κ = 0 is a2 = 0) and the rest are free.
// columns gives the regressors of the free ones at N; expand maps their
// solution back to a.
type face struct {
	columns func(n float64) []float64
	expand  func(x []float64) [3]float64
}

var (
	amdahlFaces = []face{
		{func(n float64) []float64 { return []float64{1, n - 1} }, func(x []float64) [3]float64 { return [3]float64{x[0], x[1], 0} }},
		{func(n float64) []float64 { return []float64{1} }, func(x []float64) [3]float64 { return [3]float64{x[0], 0, 0} }},
		{func(n float64) []float64 { return []float64{n} }, func(x []float64) [3]float64 { return [3]float64{x[0], x[0], 0} }},
	}
	uslFaces = append([]face{
		{func(n float64) []float64 { return []float64{1, n - 1, n * (n - 1)} }, func(x []float64) [3]float64 { return [3]float64{x[0], x[1], x[2]} }},
		{func(n float64) []float64 { return []float64{1, n * (n - 1)} }, func(x []float64) [3]float64 { return [3]float64{x[0], 0, x[1]} }},
		{func(n float64) []float64 { return []float64{n, n * (n - 1)} }, func(x []float64) [3]float64 { return [3]float64{x[0], x[0], x[1]} }},
	}, amdahlFaces...)
)

// fitFaces solves the weighted least squares on every face and returns
// the feasible solution with the smallest weighted residual.
func fitFaces(cores, speedups []float64, usl bool) (best [3]float64, ok bool) {
	faces := amdahlFaces
	if usl {
		faces = uslFaces
	}
	bestSSE := math.Inf(1)
	for _, fc := range faces {
		p := len(fc.columns(1))
		if p > len(cores) {
			continue
		}
		x := mat.NewDense(len(cores), p, nil)
		y := mat.NewVecDense(len(cores), nil)
		for i, n := range cores {
			w := speedups[i] * speedups[i] / n // sqrt of the weight
			for j, c := range fc.columns(n) {
				x.Set(i, j, w*c)
			}
			y.SetVec(i, w*n/speedups[i])
		}
		var sol mat.VecDense
		if err := sol.SolveVec(x, y); err != nil {
			continue // singular: another face covers it
		}
		a := fc.expand(sol.RawVector().Data)
		const tol = 1e-12
		if !(a[0] > 0) || a[1] < -tol*a[0] || a[1] > a[0]*(1+tol) || a[2] < -tol*a[0] {
			continue
		}
		var res mat.VecDense
		res.MulVec(x, &sol)
		res.SubVec(&res, y)
		if sse := mat.Dot(&res, &res); sse < bestSSE {
			best, bestSSE, ok = a, sse, true
		}
	}
	return best, ok
}

// fitMachine fits every strategy but the baseline of one machine, one point per core
// count: the row with workers = cores, or the only row at that count.
// What could not be fitted, and why, becomes warnings.
func (rep *Report) fitMachine(m Machine, rows []*Row, o Options) {
	machineCores := m.CPUsOnline
	for _, r := range rows {
		if m.CPUsOnline == 0 {
			machineCores = max(machineCores, r.Cores)
		}
	}
	var oneCount, twoCounts, noUSL []string
	for _, strategy := range strategiesOf(rows) {
		if strategy == Baseline || strategy == CeilingStrategy {
			// The baseline is one thread by design: its curve is flat,
			// with nothing to fit. The ceiling is the machine's, the
			// yardstick of the fits rather than one of them.
			continue
		}
		var xs, ys []float64
		points, ambiguous := curveRows(rows, strategy)
		for _, r := range points {
			xs, ys = append(xs, float64(r.Cores)), append(ys, r.Speedup)
		}
		if len(ambiguous) > 0 {
			rep.warn(m.Label, CheckFit, "%s: core counts %v left out of the fits: several worker counts, none equal to cores", strategy, ambiguous)
		}
		label := fmt.Sprintf("%s (%d)", strategy, len(xs))
		switch {
		case len(xs) < 2:
			oneCount = append(oneCount, strategy)
			continue
		}
		models := []Model{Amdahl}
		if len(xs) >= o.MinUSLCores {
			models = append(models, USL)
		} else {
			noUSL = append(noUSL, label)
		}
		for _, model := range models {
			f, err := FitModel(model, xs, ys)
			if err != nil {
				rep.warn(m.Label, CheckFit, "%s: %v", strategy, err)
				continue
			}
			f.Machine, f.Strategy = m.Label, strategy
			// A curve through two points is whatever the points say:
			// extrapolating it would print a guess as a figure.
			if len(xs) >= MinProjectionCores {
				for _, k := range []int{2 * machineCores, 4 * machineCores} {
					f.Projections = append(f.Projections, Projection{Cores: k, Speedup: f.Speedup(float64(k))})
				}
			}
			switch {
			case len(xs) == 2 && f.R2 >= exactR2:
				twoCounts = append(twoCounts, strategy)
			case len(xs) == 2 && f.Sigma >= 1:
				// The line through two points falls: σ is held at its
				// bound and the model says nothing but "no scaling".
				rep.warn(m.Label, CheckFit, "%s: speedup fell from %d to %d cores; Amdahl cannot fit a slowdown (σ held at 1), so its projections mean nothing", strategy, int(xs[0]), int(xs[1]))
			case f.R2 < o.MinR2:
				rep.warn(m.Label, CheckFit, "%s: %s fit is poor (R² %.2f): its parameters and projections explain little", strategy, model, f.R2)
			}
			rep.Fits = append(rep.Fits, f)
		}
	}
	if len(oneCount) > 0 {
		rep.warn(m.Label, CheckFit, "no fit for %s: measured at one core count", strings.Join(oneCount, ", "))
	}
	if len(twoCounts) > 0 {
		rep.warn(m.Label, CheckFit, "Amdahl fits through 2 core counts are exact, so their R² says nothing: %s", strings.Join(twoCounts, ", "))
	}
	if len(noUSL) > 0 {
		rep.warn(m.Label, CheckFit, "USL fits need at least %d core counts, Amdahl only for %s", o.MinUSLCores, strings.Join(noUSL, ", "))
	}
}

// curveRows picks one row per core count of a strategy, ascending: the
// row with workers = cores, or the only row at that count. ambiguous lists
// the core counts with several rows and none with workers = cores.
func curveRows(rows []*Row, strategy string) (picked []*Row, ambiguous []int) {
	for _, cores := range coreCounts(rows, strategy) {
		var at []*Row
		for _, r := range rows {
			if r.Strategy == strategy && r.Cores == cores {
				at = append(at, r)
			}
		}
		i := slices.IndexFunc(at, func(r *Row) bool { return r.Workers == r.Cores })
		switch {
		case i >= 0:
			picked = append(picked, at[i])
		case len(at) == 1:
			picked = append(picked, at[0])
		default:
			ambiguous = append(ambiguous, cores)
		}
	}
	return picked, ambiguous
}

// Curve is one strategy on one machine as charts draw it and fits see it:
// one row per core count, ascending, the row with workers = cores or the
// only row at that count.
func (r *Report) Curve(machine, strategy string) []Row {
	var rows []*Row
	for i := range r.Rows {
		if r.Rows[i].Machine == machine {
			rows = append(rows, &r.Rows[i])
		}
	}
	picked, _ := curveRows(rows, strategy)
	out := make([]Row, len(picked))
	for i, p := range picked {
		out[i] = *p
	}
	return out
}

// FitOf returns the fit of a model to one strategy on one machine, if
// there is one.
func (r *Report) FitOf(machine, strategy string, model Model) (Fit, bool) {
	for _, f := range r.Fits {
		if f.Machine == machine && f.Strategy == strategy && f.Model == model {
			return f, true
		}
	}
	return Fit{}, false
}

// strategiesOf lists the strategies of rows in row order.
func strategiesOf(rows []*Row) []string {
	var out []string
	for _, r := range rows {
		if !slices.Contains(out, r.Strategy) {
			out = append(out, r.Strategy)
		}
	}
	return out
}

// coreCounts lists the core counts a strategy was measured at, ascending.
func coreCounts(rows []*Row, strategy string) []int {
	var out []int
	for _, r := range rows {
		if r.Strategy == strategy && !slices.Contains(out, r.Cores) {
			out = append(out, r.Cores)
		}
	}
	slices.Sort(out)
	return out
}

// exactR2 is the R² above which a fit through as many points as it has
// parameters counts as exact, not as evidence for the model.
const exactR2 = 0.999

func clamp(x, lo, hi float64) float64 { return math.Min(math.Max(x, lo), hi) }
