package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// CPUSpeedSeries is one CPU's speed relative to the fastest CPU over a
// run: X is seconds into the run, Y the relative speed (1 for the
// fastest).
type CPUSpeedSeries struct {
	CPU    int
	Points []XY
	// Slow marks a CPU that ran slower than the meter's noise allows
	// somewhere in the run: it gets a colour and a legend entry of its
	// own, and the other CPUs are drawn together in grey.
	Slow bool
}

// slowCPUColors are the colours of slow CPUs, in order: the Okabe-Ito
// palette without the strategies' pale ceiling slate.
var slowCPUColors = []color.RGBA{vermillion, blue, bluishGreen, reddishPurple, orange, skyBlue, brown, black}

// otherCPUColor draws the CPUs within noise.
var otherCPUColor = color.RGBA{0xa8, 0xa8, 0xa8, 0xff}

// speedChart is the content of a per-CPU speed chart.
type speedChart struct {
	title, caption string
	x, y           axis
	floor          []XY // 1 - noise across the run; nil without a noise
	floorLabel     string
	layers         []speedLayer
	others         int // CPUs drawn in grey
}

type speedLayer struct {
	label  string
	color  color.RGBA
	dashes []vg.Length
	slow   bool
	points []XY
}

// CPUSpeed draws each CPU's speed relative to the fastest CPU at the same
// moment, over the seconds of the run: a line per CPU, the slow ones in
// colours of their own (dashed after the eighth), the others in grey
// under them, and the meter's noise floor (1 - noise) dashed, below which
// a CPU counts as slow. noise is a fraction (0.03 is 3%); NaN draws no
// floor. Every CPU needs points, each a finite time of 0 or more and a
// finite speed above 0; a CPU may appear once.
func CPUSpeed(c Chart, cpus []CPUSpeedSeries, noise float64) (*Figure, error) {
	sc, err := cpuSpeedChart(c, cpus, noise)
	if err != nil {
		return nil, err
	}
	return sc.figure(), nil
}

func cpuSpeedChart(c Chart, in []CPUSpeedSeries, noise float64) (*speedChart, error) {
	if len(in) == 0 {
		return nil, fmt.Errorf("plots: cpu speed: no CPUs")
	}
	if math.IsInf(noise, 0) || noise < 0 || noise >= 1 {
		return nil, fmt.Errorf("plots: cpu speed: noise %g: want a fraction in [0, 1), or NaN for none", noise)
	}
	cpus := slices.Clone(in)
	slices.SortFunc(cpus, func(a, b CPUSpeedSeries) int { return cmp.Compare(a.CPU, b.CPU) })
	tmax, ymax := 0.0, 1.0
	for i, s := range cpus {
		switch {
		case i > 0 && cpus[i-1].CPU == s.CPU:
			return nil, fmt.Errorf("plots: cpu speed: CPU %d appears twice", s.CPU)
		case len(s.Points) == 0:
			return nil, fmt.Errorf("plots: cpu speed: CPU %d has no points", s.CPU)
		}
		for _, p := range s.Points {
			if math.IsNaN(p.X) || math.IsInf(p.X, 0) || p.X < 0 || math.IsNaN(p.Y) || math.IsInf(p.Y, 0) || p.Y <= 0 {
				return nil, fmt.Errorf("plots: cpu speed: CPU %d: point (%g, %g): want a time of 0 or more and a speed above 0", s.CPU, p.X, p.Y)
			}
			tmax, ymax = math.Max(tmax, p.X), math.Max(ymax, p.Y)
		}
	}
	sc := &speedChart{title: c.Title, caption: c.Caption}
	sc.x = zeroAxis("seconds into the run", tmax)
	sc.y = zeroAxis("speed relative to the fastest CPU", ymax)
	if !math.IsNaN(noise) {
		sc.floor = []XY{{sc.x.min, 1 - noise}, {sc.x.max, 1 - noise}}
		sc.floorLabel = fmt.Sprintf("meter's noise (1 - %s)", trimFloat(100*noise)+"%")
	}
	slow := 0
	for _, s := range cpus {
		pts := slices.Clone(s.Points)
		slices.SortStableFunc(pts, func(a, b XY) int { return cmp.Compare(a.X, b.X) })
		l := speedLayer{label: fmt.Sprintf("CPU %d", s.CPU), color: otherCPUColor, points: pts, slow: s.Slow}
		if s.Slow {
			l.color = slowCPUColors[slow%len(slowCPUColors)]
			if slow >= len(slowCPUColors) {
				l.dashes = machineDashes[1+(slow/len(slowCPUColors)-1)%(len(machineDashes)-1)]
			}
			slow++
		} else {
			sc.others++
		}
		sc.layers = append(sc.layers, l)
	}
	// Grey first, so that the slow CPUs are drawn over them.
	slices.SortStableFunc(sc.layers, func(a, b speedLayer) int { return cmp.Compare(boolInt(a.slow), boolInt(b.slow)) })
	return sc, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// trimFloat prints v with at most one decimal, none when it is whole.
func trimFloat(v float64) string {
	return fmt.Sprint(math.Round(v*10) / 10)
}

func (sc *speedChart) figure() *Figure {
	p := newPlot()
	p.Add(grid())
	f := &Figure{title: sc.title, caption: sc.caption, xLabel: sc.x.label, yLabel: sc.y.label, plot: p, width: 6.5 * vg.Inch, height: 4 * vg.Inch}
	if sc.floor != nil {
		l := &plotter.Line{XYs: xys(sc.floor), LineStyle: refStyle}
		p.Add(l)
		f.legend = append(f.legend, legendEntry{text: sc.floorLabel, thumb: l})
	}
	otherInLegend := false
	for _, l := range sc.layers {
		line := &plotter.Line{XYs: xys(l.points), LineStyle: draw.LineStyle{Color: l.color, Width: vg.Points(dataLineWidth), Dashes: l.dashes}}
		if !l.slow {
			line.LineStyle.Width = vg.Points(refLineWidth)
		}
		p.Add(line)
		switch {
		case l.slow:
			f.legend = append(f.legend, legendEntry{text: l.label, thumb: line})
		case !otherInLegend:
			otherInLegend = true
			text := l.label + " (within noise)"
			if sc.others > 1 {
				text = fmt.Sprintf("%d other CPUs (within noise)", sc.others)
				if sc.others == len(sc.layers) {
					text = fmt.Sprintf("all %d CPUs (within noise)", sc.others)
				}
			}
			f.legend = append(f.legend, legendEntry{text: text, thumb: line})
		}
	}
	setAxes(p, sc.x, sc.y)
	f.placeLegend()
	return f
}

// dump writes the chart's content as text for golden tests.
func (sc *speedChart) dump(w io.Writer) {
	fmt.Fprintf(w, "title: %s\ncaption: %s\n", sc.title, sc.caption)
	dumpAxis(w, "x", sc.x)
	dumpAxis(w, "y", sc.y)
	if sc.floor != nil {
		fmt.Fprintf(w, "ref %q:%s\n", sc.floorLabel, fmtXYs(sc.floor))
	}
	for _, l := range sc.layers {
		dash := "solid"
		if len(l.dashes) > 0 {
			dash = fmt.Sprint(l.dashes)
		}
		fmt.Fprintf(w, "cpu %q color=%s slow=%v dash=%s:%s\n", l.label, hexColor(l.color), l.slow, dash, fmtXYs(l.points))
	}
}
