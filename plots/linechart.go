package plots

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// lineChart is the complete content of a metric-against-cores chart, in
// the units shown on its axes. Drawing it adds nothing but pixels.
type lineChart struct {
	title, caption string
	x, y           axis
	refs           []refLine
	layers         []layer
	fitKey         string // legend text for the thin fitted curves; "" without fits
}

// layer is one series as plotted.
type layer struct {
	label  string
	detail string // the fit's label, if any
	style  lineStyle
	points []Point
	fit    []XY
}

// refLine is a reference such as ideal speedup.
type refLine struct {
	label  string
	points []XY
}

// fitSamples is how many points a fitted curve is sampled at.
const fitSamples = 48

// newLineChart lays out prepared series on the given axes. scale converts
// the series' values, and their fits, to the units of the y axis.
func newLineChart(c Chart, p prepared, x, y axis, scale float64) (*lineChart, error) {
	lc := &lineChart{title: c.Title, caption: c.Caption, x: x, y: y}
	for _, s := range p.series {
		l := layer{
			label: p.label(s),
			style: seriesStyle(s.Strategy, p.machineIndex(s.Machine)),
		}
		for _, pt := range s.Points {
			l.points = append(l.points, Point{X: pt.X, Y: pt.Y * scale, Low: pt.Low * scale, High: pt.High * scale})
		}
		if s.Fit != nil {
			lo, hi := s.Points[0].X, s.Points[len(s.Points)-1].X
			for _, xv := range sample(lo, hi, fitSamples, x.scale != linearAxis) {
				yv := s.Fit(xv)
				if math.IsNaN(yv) || math.IsInf(yv, 0) {
					return nil, fmt.Errorf("plots: series %q: fit at cores=%g is %g", s.Name(), xv, yv)
				}
				yv *= scale
				if y.scale != linearAxis && yv <= 0 {
					// Below any log axis: clipped like any value off the plot.
					yv = y.min / 2
				}
				l.fit = append(l.fit, XY{xv, yv})
			}
			l.detail = s.FitLabel
			lc.fitKey = "fitted model"
		}
		lc.layers = append(lc.layers, l)
	}
	return lc, nil
}

// sample returns n values from lo to hi, evenly spaced, or evenly spaced
// in log space when geometric is true. A single point is returned once.
func sample(lo, hi float64, n int, geometric bool) []float64 {
	if lo == hi {
		return []float64{lo}
	}
	xs := make([]float64, n)
	for i := range xs {
		f := float64(i) / float64(n-1)
		if geometric {
			xs[i] = lo * math.Pow(hi/lo, f)
		} else {
			xs[i] = lo + (hi-lo)*f
		}
	}
	xs[n-1] = hi // exactly, whatever the rounding
	return xs
}

// Speedup draws speedup against cores: one line per series with its
// confidence interval as error bars, each series' fit as a thin line in its
// colour, and the ideal speedup y = x dashed, clipped to the plotted range.
// Both axes start at zero on a linear scale.
func Speedup(c Chart, s []Series) (*Figure, error) {
	lc, err := speedupChart(c, s)
	if err != nil {
		return nil, err
	}
	return lc.figure(), nil
}

func speedupChart(c Chart, s []Series) (*lineChart, error) {
	p, err := prepare(s)
	if err != nil {
		return nil, err
	}
	xmin, xmax, _, yhigh := p.bounds()
	x := coresAxis(c, xmin, xmax)
	y := zeroAxis("speedup", yhigh)
	lc, err := newLineChart(c, p, x, y, 1)
	if err != nil {
		return nil, err
	}
	// y = x from the left edge (the origin on a linear axis) until it
	// leaves the plot at the top or the right.
	lo, hi := x.min, math.Min(x.max, y.max)
	if x.scale == linearAxis {
		lo = 0
	}
	var ideal []XY
	if hi > lo {
		for _, v := range sample(lo, hi, 2, false) {
			ideal = append(ideal, XY{v, v})
		}
		if x.scale != linearAxis {
			ideal = ideal[:0]
			for _, v := range sample(lo, hi, fitSamples, true) {
				ideal = append(ideal, XY{v, v})
			}
		}
		lc.refs = append(lc.refs, refLine{label: "ideal (y = x)", points: ideal})
	}
	return lc, nil
}

// Efficiency draws parallel efficiency, speedup divided by cores, against
// cores, with a dashed line at 1.0 (ideal). The series hold efficiencies;
// EfficiencyFromSpeedup makes them from speedup series. The y axis starts
// at zero and reaches at least 1.0.
func Efficiency(c Chart, s []Series) (*Figure, error) {
	lc, err := efficiencyChart(c, s)
	if err != nil {
		return nil, err
	}
	return lc.figure(), nil
}

func efficiencyChart(c Chart, s []Series) (*lineChart, error) {
	p, err := prepare(s)
	if err != nil {
		return nil, err
	}
	xmin, xmax, _, yhigh := p.bounds()
	x := coresAxis(c, xmin, xmax)
	y := zeroAxis("efficiency (speedup / cores)", math.Max(yhigh, 1))
	lc, err := newLineChart(c, p, x, y, 1)
	if err != nil {
		return nil, err
	}
	lc.refs = append(lc.refs, refLine{label: "ideal (1.0)", points: []XY{{x.min, 1}, {x.max, 1}}})
	return lc, nil
}

// EfficiencyFromSpeedup returns copies of speedup series divided by their
// cores, fits included. Dividing by a constant keeps the confidence
// interval exact.
func EfficiencyFromSpeedup(speedup []Series) []Series {
	out := make([]Series, len(speedup))
	for i, s := range speedup {
		e := s
		e.Points = make([]Point, len(s.Points))
		for j, p := range s.Points {
			e.Points[j] = Point{X: p.X, Y: p.Y / p.X, Low: p.Low / p.X, High: p.High / p.X}
		}
		if f := s.Fit; f != nil {
			e.Fit = func(cores float64) float64 { return f(cores) / cores }
		}
		out[i] = e
	}
	return out
}

// Throughput draws jobs per second against cores, from zero. Values are in
// jobs/s; the axis shows k or M jobs/s when the numbers grow long.
func Throughput(c Chart, s []Series) (*Figure, error) {
	lc, err := throughputChart(c, s)
	if err != nil {
		return nil, err
	}
	return lc.figure(), nil
}

func throughputChart(c Chart, s []Series) (*lineChart, error) {
	p, err := prepare(s)
	if err != nil {
		return nil, err
	}
	xmin, xmax, _, yhigh := p.bounds()
	u := rateUnit(yhigh)
	return newLineChart(c, p, coresAxis(c, xmin, xmax), zeroAxis("throughput ("+u.name+")", yhigh*u.factor), u.factor)
}

// Time draws the median batch time against cores. Values are in seconds;
// the axis shows s, ms, µs or ns as fits. The axis is linear from zero,
// unless the intervals span a factor of 20 or more, as they do over many
// doublings of cores: then it is logarithmic so the fast end stays
// readable.
func Time(c Chart, s []Series) (*Figure, error) {
	lc, err := timeChart(c, s)
	if err != nil {
		return nil, err
	}
	return lc.figure(), nil
}

func timeChart(c Chart, s []Series) (*lineChart, error) {
	p, err := prepare(s)
	if err != nil {
		return nil, err
	}
	xmin, xmax, ylow, yhigh := p.bounds()
	u := timeUnit(yhigh)
	label := "median batch time (" + u.name + ")"
	y := zeroAxis(label, yhigh*u.factor)
	if ylow > 0 && yhigh >= 20*ylow {
		// Short: gonum shrinks the plot to fit a label longer than its axis.
		y = logAxis("median batch time ("+u.name+", log)", ylow*u.factor, yhigh*u.factor)
	}
	return newLineChart(c, p, coresAxis(c, xmin, xmax), y, u.factor)
}

// figure draws the chart.
func (lc *lineChart) figure() *Figure {
	p := newPlot()
	p.Add(grid())
	f := &Figure{title: lc.title, caption: lc.caption, xLabel: lc.x.label, yLabel: lc.y.label, plot: p, width: 6.5 * vg.Inch, height: 4 * vg.Inch}

	for _, r := range lc.refs {
		l := &plotter.Line{XYs: xys(r.points), LineStyle: refStyle}
		p.Add(l)
		f.legend = append(f.legend, legendEntry{text: r.label, thumb: l})
	}
	for _, l := range lc.layers {
		if len(l.fit) > 0 {
			p.Add(&plotter.Line{XYs: xys(l.fit), LineStyle: l.style.fit()})
		}
	}
	for _, l := range lc.layers {
		pts := make(plotter.XYs, len(l.points))
		errs := make(plotter.YErrors, len(l.points))
		for i, pt := range l.points {
			pts[i] = plotter.XY{X: pt.X, Y: pt.Y}
			errs[i].Low, errs[i].High = pt.Y-pt.Low, pt.High-pt.Y
		}
		bars := &plotter.YErrorBars{XYs: pts, YErrors: errs, CapWidth: vg.Points(errCapWidth)}
		bars.LineStyle = l.style.line()
		bars.LineStyle.Width, bars.LineStyle.Dashes = vg.Points(errBarWidth), nil
		line := &plotter.Line{XYs: pts, LineStyle: l.style.line()}
		marks := &plotter.Scatter{XYs: pts, GlyphStyle: l.style.glyph()}
		p.Add(bars, line, marks)
		f.legend = append(f.legend, legendEntry{text: l.label, detail: l.detail, thumb: seriesThumb{l.style}})
	}
	if lc.fitKey != "" {
		f.legend = append(f.legend, legendEntry{text: lc.fitKey, thumb: &plotter.Line{LineStyle: lineStyle{Style: Style{Color: grey}}.fit()}})
	}
	setAxes(p, lc.x, lc.y)
	f.placeLegend()
	return f
}

func xys(pts []XY) plotter.XYs {
	out := make(plotter.XYs, len(pts))
	for i, p := range pts {
		out[i] = plotter.XY{X: p.X, Y: p.Y}
	}
	return out
}

// dump writes the chart's content as text for golden tests.
func (lc *lineChart) dump(w io.Writer) {
	fmt.Fprintf(w, "title: %s\ncaption: %s\n", lc.title, lc.caption)
	dumpAxis(w, "x", lc.x)
	dumpAxis(w, "y", lc.y)
	for _, r := range lc.refs {
		fmt.Fprintf(w, "ref %q:%s\n", r.label, fmtXYs(r.points))
	}
	for _, l := range lc.layers {
		fmt.Fprintf(w, "series %q %s\n", l.label, l.style)
		if l.detail != "" {
			fmt.Fprintf(w, "\tdetail %q\n", l.detail)
		}
		for _, p := range l.points {
			fmt.Fprintf(w, "\t%s %s [%s, %s]\n", fmtNum(p.X), fmtNum(p.Y), fmtNum(p.Low), fmtNum(p.High))
		}
		if len(l.fit) > 0 {
			fmt.Fprintf(w, "\tfit:%s\n", fmtXYs(l.fit))
		}
	}
	if lc.fitKey != "" {
		fmt.Fprintf(w, "key %q\n", lc.fitKey)
	}
}

func dumpAxis(w io.Writer, name string, a axis) {
	inv := ""
	if a.inverted {
		inv = " inverted"
	}
	fmt.Fprintf(w, "%s: %q %s%s [%s, %s] ticks:", name, a.label, a.scale, inv, fmtNum(a.min), fmtNum(a.max))
	for _, t := range a.ticks {
		if t.Label == "" {
			fmt.Fprintf(w, " (%s)", fmtNum(t.Value))
		} else if t.Label == fmtNum(t.Value) {
			fmt.Fprintf(w, " %s", t.Label)
		} else {
			fmt.Fprintf(w, " %s=%q", fmtNum(t.Value), t.Label)
		}
	}
	fmt.Fprintln(w)
}

func fmtXYs(pts []XY) string {
	var b strings.Builder
	for _, p := range pts {
		fmt.Fprintf(&b, " (%s, %s)", fmtNum(p.X), fmtNum(p.Y))
	}
	return b.String()
}

// fmtNum prints six significant digits, enough to catch a wrong value and
// few enough to ignore the last bit of floating-point noise.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
