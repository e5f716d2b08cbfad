package plots

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Point is one measured configuration: X is the number of cores, Y the
// median of the metric and Low and High the bounds of its confidence
// interval (95% in parbench's reports). A point without an interval has
// Low == Y == High.
type Point struct {
	X, Y      float64
	Low, High float64
}

// XY is one point of a sampled curve.
type XY struct{ X, Y float64 }

// Series is what one strategy measured on one machine.
type Series struct {
	// Strategy names the strategy; it picks the colour and marker.
	Strategy string
	// Machine names the machine. It is shown in the legend only when the
	// series of one chart come from more than one machine.
	Machine string
	// Points are the measurements, in any order; their X values must be
	// distinct and positive.
	Points []Point
	// Fit, if not nil, is the fitted model (USL or Amdahl) in the chart's
	// units as a function of cores. The chart samples it over the series'
	// own range of cores (densely enough to look smooth on either axis
	// scale) and draws it thin in the series' colour; it must return finite
	// values there. Values outside the plotted range are clipped.
	Fit func(cores float64) float64
	// FitLabel describes the fit in the legend, e.g. "USL σ=0.02 κ=0.001".
	FitLabel string
}

// Name returns "strategy" or, with a machine, "strategy @ machine".
func (s Series) Name() string {
	if s.Machine == "" {
		return s.Strategy
	}
	return s.Strategy + " @ " + s.Machine
}

// Validate reports the first problem that makes s impossible to draw: no
// strategy name, no points, a value that is NaN or infinite, cores that are
// not positive or appear twice, a negative value, or an interval that does
// not contain its median. The error names the series and the point.
func (s Series) Validate() error {
	if s.Strategy == "" {
		return errors.New("plots: series has no strategy name")
	}
	if len(s.Points) == 0 {
		return fmt.Errorf("plots: series %q: no points", s.Name())
	}
	seen := make(map[float64]int, len(s.Points))
	for i, p := range s.Points {
		if err := checkPoint(p); err != nil {
			return fmt.Errorf("plots: series %q: point %d (cores=%g): %w", s.Name(), i, p.X, err)
		}
		if j, dup := seen[p.X]; dup {
			return fmt.Errorf("plots: series %q: points %d and %d both have cores=%g", s.Name(), j, i, p.X)
		}
		seen[p.X] = i
	}
	return nil
}

func checkPoint(p Point) error {
	for _, v := range []struct {
		name string
		v    float64
	}{{"cores", p.X}, {"value", p.Y}, {"low", p.Low}, {"high", p.High}} {
		if math.IsNaN(v.v) {
			return fmt.Errorf("%s is NaN", v.name)
		}
		if math.IsInf(v.v, 0) {
			return fmt.Errorf("%s is infinite", v.name)
		}
	}
	switch {
	case p.X <= 0:
		return fmt.Errorf("cores must be positive")
	case p.Low < 0:
		return fmt.Errorf("low %g is negative", p.Low)
	case !(p.Low <= p.Y && p.Y <= p.High):
		return fmt.Errorf("interval [%g, %g] does not contain value %g", p.Low, p.High, p.Y)
	}
	return nil
}

// Scale is the scale of the cores axis.
type Scale int

const (
	// ScaleAuto, the zero value, picks ScaleLog2 when the largest number of
	// cores is 32 or more times the smallest, and ScaleLinear otherwise.
	ScaleAuto Scale = iota
	// ScaleLinear starts the cores axis at zero, so the ideal speedup line
	// runs through the origin.
	ScaleLinear
	// ScaleLog2 spaces powers of two evenly: ticks 1, 2, 4, ..., 128.
	ScaleLog2
)

func (s Scale) String() string {
	switch s {
	case ScaleAuto:
		return "auto"
	case ScaleLinear:
		return "linear"
	case ScaleLog2:
		return "log2"
	}
	return fmt.Sprintf("Scale(%d)", int(s))
}

// Chart holds what every chart is labelled with. Title should name the
// workload and Caption the machine (CPU model, CPUs, OS and Go version), so
// that a chart copied out of its report still says what it shows. Long
// titles and captions are wrapped.
type Chart struct {
	Title   string
	Caption string
	// XScale is the scale of the cores axis; it does not apply to timelines
	// or overhead charts.
	XScale Scale
	// XLabel names the x axis of the charts against cores when X is
	// something else, such as workers at a fixed core count; "" means
	// "cores". Point.X keeps its rules (positive, distinct).
	XLabel string
}

// prepared is a validated copy of the input series, in legend order, with
// each series' points sorted by cores.
type prepared struct {
	series   []Series
	machines []string // distinct machines in order of first appearance
}

// multiMachine reports whether the legend must name machines.
func (p prepared) multiMachine() bool { return len(p.machines) > 1 }

func (p prepared) label(s Series) string {
	if p.multiMachine() {
		return s.Name()
	}
	return s.Strategy
}

func (p prepared) machineIndex(m string) int { return slices.Index(p.machines, m) }

// prepare validates in and returns a copy that the caller cannot change
// behind the chart's back.
func prepare(in []Series) (prepared, error) {
	if len(in) == 0 {
		return prepared{}, errors.New("plots: no series to draw")
	}
	var p prepared
	seen := make(map[[2]string]bool, len(in))
	for i, s := range in {
		if err := s.Validate(); err != nil {
			return prepared{}, err
		}
		key := [2]string{s.Strategy, s.Machine}
		if seen[key] {
			return prepared{}, fmt.Errorf("plots: series %d: %q appears twice", i, s.Name())
		}
		seen[key] = true
		if !slices.Contains(p.machines, s.Machine) {
			p.machines = append(p.machines, s.Machine)
		}
		s.Points = slices.Clone(s.Points)
		slices.SortFunc(s.Points, func(a, b Point) int { return cmp.Compare(a.X, b.X) })
		p.series = append(p.series, s)
	}
	slices.SortStableFunc(p.series, func(a, b Series) int {
		if c := compareStrategies(a.Strategy, b.Strategy); c != 0 {
			return c
		}
		return cmp.Compare(p.machineIndex(a.Machine), p.machineIndex(b.Machine))
	})
	return p, nil
}

// bounds returns the smallest and largest cores and the smallest low and
// largest high over all series.
func (p prepared) bounds() (xmin, xmax, ylow, yhigh float64) {
	xmin, ylow = math.Inf(1), math.Inf(1)
	xmax, yhigh = math.Inf(-1), math.Inf(-1)
	for _, s := range p.series {
		for _, pt := range s.Points {
			xmin, xmax = min(xmin, pt.X), max(xmax, pt.X)
			ylow, yhigh = min(ylow, pt.Low), max(yhigh, pt.High)
		}
	}
	return xmin, xmax, ylow, yhigh
}
