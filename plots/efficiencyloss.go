package plots

import (
	"cmp"
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LossBar is one configuration's measured efficiency and the losses that
// bring it up to ideal, each a fraction of ideal (0.05 is 5 points).
type LossBar struct {
	Strategy       string
	Cores, Workers int
	Efficiency     float64
	// The losses; NaN is a part not measured, drawn as nothing.
	Idle, Overhead, Slowdown, Unexplained float64
	// Combined says Overhead holds overhead and slowdown together (no
	// profile to tell them apart); Slowdown is then not drawn.
	Combined bool
}

// The stacked parts of a loss bar, bottom up.
const (
	lossEfficiency = iota
	lossIdle
	lossOverhead
	lossCombined
	lossSlowdown
	lossUnexplained
	numLossParts
)

var lossPartNames = [numLossParts]string{
	"efficiency (measured)", "idle", "overhead", "overhead + slowdown (no profile)", "slowdown", "unexplained",
}

var lossPartColors = [numLossParts]color.RGBA{
	lossEfficiency:  blue,
	lossIdle:        color.RGBA{0xc8, 0xc8, 0xc8, 0xff},
	lossOverhead:    orange,
	lossCombined:    lighten(orange, 0.55),
	lossSlowdown:    vermillion,
	lossUnexplained: reddishPurple,
}

// lossChart is the content of an efficiency-loss chart: bars at x
// positions, each a stack of percentages in lossPart order.
type lossChart struct {
	title, caption string
	x, y           axis
	bars           []lossStack
	groups         []groupLabel
	rotate         bool
	parts          [numLossParts]bool // the parts some bar has
}

type lossStack struct {
	x     float64
	label string
	stack [numLossParts]float64 // percent, none negative
}

// EfficiencyLoss draws a stacked bar per configuration, grouped by
// strategy in the order of the other charts and ordered by cores (then
// workers) within a group: the measured efficiency at the bottom, then
// idle, overhead, slowdown and the unexplained rest, up to 100%. A part
// below zero, where a configuration did better than the baseline at it,
// cannot be stacked: it is left out, and the caption says so.
func EfficiencyLoss(c Chart, bars []LossBar) (*Figure, error) {
	lc, err := efficiencyLossChart(c, bars)
	if err != nil {
		return nil, err
	}
	return lc.figure()
}

func efficiencyLossChart(c Chart, in []LossBar) (*lossChart, error) {
	if len(in) == 0 {
		return nil, errors.New("plots: efficiency loss: no bars")
	}
	type key struct {
		strategy       string
		cores, workers int
	}
	seen := map[key]bool{}
	workerCounts := map[[2]string]map[int]bool{} // strategy, cores: workers
	for i, b := range in {
		name := fmt.Sprintf("%s/%d/w%d", b.Strategy, b.Cores, b.Workers)
		switch {
		case b.Strategy == "":
			return nil, fmt.Errorf("plots: efficiency loss: bar %d has no strategy name", i)
		case b.Cores <= 0:
			return nil, fmt.Errorf("plots: efficiency loss: %s: cores must be positive", name)
		case seen[key{b.Strategy, b.Cores, b.Workers}]:
			return nil, fmt.Errorf("plots: efficiency loss: %s appears twice", name)
		case math.IsNaN(b.Efficiency) || math.IsInf(b.Efficiency, 0) || b.Efficiency < 0:
			return nil, fmt.Errorf("plots: efficiency loss: %s: efficiency %g is not a number of 0 or more", name, b.Efficiency)
		}
		for _, v := range []float64{b.Idle, b.Overhead, b.Slowdown, b.Unexplained} {
			if math.IsInf(v, 0) {
				return nil, fmt.Errorf("plots: efficiency loss: %s: a loss is infinite", name)
			}
		}
		seen[key{b.Strategy, b.Cores, b.Workers}] = true
		ck := [2]string{b.Strategy, strconv.Itoa(b.Cores)}
		if workerCounts[ck] == nil {
			workerCounts[ck] = map[int]bool{}
		}
		workerCounts[ck][b.Workers] = true
	}
	bs := slices.Clone(in)
	slices.SortFunc(bs, func(a, b LossBar) int {
		return cmp.Or(compareStrategies(a.Strategy, b.Strategy), cmp.Compare(a.Cores, b.Cores), cmp.Compare(a.Workers, b.Workers))
	})

	lc := &lossChart{title: c.Title, caption: c.Caption}
	var ticks []plot.Tick
	x, top, negative := 0.0, 100.0, false
	for i := 0; i < len(bs); {
		j := i
		for j < len(bs) && bs[j].Strategy == bs[i].Strategy {
			j++
		}
		lc.groups = append(lc.groups, groupLabel{x: x + float64(j-i-1)/2, text: bs[i].Strategy})
		for _, b := range bs[i:j] {
			bar := lossStack{x: x, label: strconv.Itoa(b.Cores)}
			if len(workerCounts[[2]string{b.Strategy, strconv.Itoa(b.Cores)}]) > 1 {
				bar.label += " w" + strconv.Itoa(b.Workers)
			}
			over := lossOverhead
			if b.Combined {
				over = lossCombined
			}
			var parts [numLossParts]float64
			parts[lossEfficiency], parts[lossIdle], parts[over], parts[lossUnexplained] = b.Efficiency, b.Idle, b.Overhead, b.Unexplained
			if !b.Combined {
				parts[lossSlowdown] = b.Slowdown
			}
			sum := 0.0
			for p, v := range parts {
				switch {
				case math.IsNaN(v) || v == 0:
					continue
				case v < 0:
					negative = true
					continue
				}
				bar.stack[p] = 100 * v
				lc.parts[p] = true
				sum += 100 * v
			}
			top = max(top, sum)
			lc.bars = append(lc.bars, bar)
			ticks = append(ticks, plot.Tick{Value: x, Label: bar.label})
			x++
		}
		x++ // a gap between strategies
		i = j
	}
	if negative {
		note := "Parts below zero (better than serial on 1 core at it) are not drawn; summary.txt has them."
		if lc.caption != "" {
			lc.caption += " · "
		}
		lc.caption += note
	}
	lc.x = axis{scale: linearAxis, min: -0.6, max: x - 2 + 0.6, ticks: ticks}
	// To 100%, or to the tallest bar where one is taller: efficiency
	// above ideal, or a part below zero left out.
	ymax := 100.0
	if top > 100+sumSlack {
		ymax = top
	}
	lc.y = axis{label: "share of ideal (%)", scale: linearAxis, min: 0, max: ymax, ticks: linearTicks(0, ymax, 20)}
	widest := 0.0
	for _, t := range ticks {
		widest = max(widest, float64(textStyle(tickSize).Width(t.Label)))
	}
	lc.rotate = widest+3 > float64(lc.dataWidth())/(lc.x.max-lc.x.min)
	return lc, nil
}

const lossFigureWidth = 6.5 * vg.Inch

// legend is the chart's legend, top of the stack first, with only the
// parts some bar has.
func (lc *lossChart) legend() []legendEntry {
	var out []legendEntry
	for part := numLossParts - 1; part >= 0; part-- {
		if lc.parts[part] {
			out = append(out, legendEntry{text: lossPartNames[part], thumb: swatch{lossPartColors[part]}})
		}
	}
	return out
}

// dataWidth is about the width of the data area: the figure less its
// margins and the y axis, and less the legend where it fits beside the
// plot (Figure puts it there when it is narrow enough).
func (lc *lossChart) dataWidth() vg.Length {
	w := lossFigureWidth - 2*figMargin - 45
	if l := newLegendLayout(lc.legend()); l.width <= (lossFigureWidth-2*figMargin)*legendRightShare {
		w -= l.width + legendPad
	}
	return w
}

func (lc *lossChart) figure() (*Figure, error) {
	p := newPlot()
	p.X.Tick.Length = 0
	if lc.rotate {
		p.X.Tick.Label.Rotation = math.Pi / 2
		p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	}
	g := grid()
	g.Vertical.Color = nil
	p.Add(g)
	charts, err := lc.barCharts()
	if err != nil {
		return nil, err
	}
	for _, bc := range charts {
		p.Add(bc)
	}
	setAxes(p, lc.x, lc.y)
	f := &Figure{title: lc.title, caption: lc.caption, yLabel: lc.y.label, groups: lc.groups, plot: p,
		width: lossFigureWidth, height: 4 * vg.Inch, legend: lc.legend()}
	return f, nil
}

// barCharts is one plotter.BarChart per part and strategy group, each
// stacked on the part below it, in drawing order; a group's bars are
// consecutive, so XMin places them.
func (lc *lossChart) barCharts() ([]*plotter.BarChart, error) {
	var out []*plotter.BarChart
	width := vg.Length(barWidth * float64(lc.dataWidth()) / (lc.x.max - lc.x.min))
	for i := 0; i < len(lc.bars); {
		j := i
		for j < len(lc.bars) && lc.bars[j].x == lc.bars[i].x+float64(j-i) {
			j++
		}
		var below *plotter.BarChart
		for part := range numLossParts {
			vs := make(plotter.Values, j-i)
			for k, b := range lc.bars[i:j] {
				vs[k] = b.stack[part]
			}
			bc, err := plotter.NewBarChart(vs, width)
			if err != nil {
				return nil, fmt.Errorf("plots: efficiency loss: %w", err)
			}
			bc.XMin = lc.bars[i].x
			bc.Color = lossPartColors[part]
			bc.LineStyle.Width = 0
			if below != nil {
				bc.StackOn(below)
			}
			out = append(out, bc)
			below = bc
		}
		i = j
	}
	return out, nil
}

func (lc *lossChart) dump(w io.Writer) {
	fmt.Fprintf(w, "title: %s\ncaption: %s\n", lc.title, lc.caption)
	dumpAxis(w, "x", lc.x)
	dumpAxis(w, "y", lc.y)
	fmt.Fprintf(w, "rotate cores: %v\n", lc.rotate)
	for _, g := range lc.groups {
		fmt.Fprintf(w, "group %q at %s\n", g.text, fmtNum(g.x))
	}
	for _, b := range lc.bars {
		fmt.Fprintf(w, "bar %s %q:", fmtNum(b.x), b.label)
		for part, v := range b.stack {
			if v != 0 {
				fmt.Fprintf(w, " %s=%s", lossPartNames[part], fmtNum(v))
			}
		}
		fmt.Fprintln(w)
	}
}
