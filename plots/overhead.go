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
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// categoryColors colour the categories of an overhead chart by position,
// bottom up: fixed, and distinct from one another in greyscale order as
// well as in hue. The categories themselves are the caller's (profiles'),
// so that there is one list of them.
var categoryColors = []color.RGBA{
	vermillion,
	orange,
	reddishPurple,
	skyBlue,
	bluishGreen,
	{0xb0, 0xb0, 0xb0, 0xff},
}

// Breakdown is where the CPU time of one configuration went.
type Breakdown struct {
	Strategy string
	Cores    int
	// Share is each category's fraction of the configuration's CPU time,
	// in the order of the chart's categories; missing ones are 0. Each is
	// in [0, 1] and together they add up to at most 1; what is left is not
	// drawn.
	Share []float64
}

// Overhead draws a stacked bar per configuration, grouped by strategy (in
// the order of the other charts) and ordered by cores within a group, each
// bar split into the categories' shares of CPU time in percent. The y axis
// starts at zero and ends at 100% or, when no bar comes near it, just above
// the tallest bar, so that small overheads stay visible. categories name
// the parts of every bar, bottom up, and the legend's entries; there may be
// up to six.
func Overhead(c Chart, categories []string, b []Breakdown) (*Figure, error) {
	oc, err := overheadChart(c, categories, b)
	if err != nil {
		return nil, err
	}
	return oc.figure(), nil
}

// barChart is the content of an overhead chart: bars at x positions, each
// a stack of percentages from the bottom up in Category order.
type barChart struct {
	title, caption string
	categories     []string
	x, y           axis
	bars           []stackedBar
	groups         []groupLabel // strategy names under their bars
	rotate         bool         // cores labels turned a quarter turn
}

type stackedBar struct {
	x     float64
	label string
	stack []float64 // percent, one per category
}

const sumSlack = 1e-6

func overheadChart(c Chart, categories []string, in []Breakdown) (*barChart, error) {
	if len(in) == 0 {
		return nil, errors.New("plots: overhead: no breakdowns")
	}
	if len(categories) == 0 || len(categories) > len(categoryColors) {
		return nil, fmt.Errorf("plots: overhead: %d categories, want 1 to %d", len(categories), len(categoryColors))
	}
	seen := make(map[string]bool)
	for i, b := range in {
		name := b.Strategy + "/" + strconv.Itoa(b.Cores)
		switch {
		case b.Strategy == "":
			return nil, fmt.Errorf("plots: overhead: breakdown %d has no strategy name", i)
		case b.Cores <= 0:
			return nil, fmt.Errorf("plots: overhead: %s: cores must be positive", name)
		case seen[name]:
			return nil, fmt.Errorf("plots: overhead: %s appears twice", name)
		}
		seen[name] = true
		if len(b.Share) > len(categories) {
			return nil, fmt.Errorf("plots: overhead: %s: %d shares for %d categories", name, len(b.Share), len(categories))
		}
		sum := 0.0
		for cat, v := range b.Share {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1 {
				return nil, fmt.Errorf("plots: overhead: %s: %s share %g is not in [0, 1]", name, categories[cat], v)
			}
			sum += v
		}
		if sum > 1+sumSlack {
			return nil, fmt.Errorf("plots: overhead: %s: shares add up to %g, more than 1", name, sum)
		}
	}
	bs := slices.Clone(in)
	slices.SortFunc(bs, func(a, b Breakdown) int {
		return cmp.Or(compareStrategies(a.Strategy, b.Strategy), cmp.Compare(a.Cores, b.Cores))
	})

	oc := &barChart{title: c.Title, caption: c.Caption, categories: categories}
	var ticks []plot.Tick
	x, top := 0.0, 0.0
	for i := 0; i < len(bs); {
		j := i
		for j < len(bs) && bs[j].Strategy == bs[i].Strategy {
			j++
		}
		oc.groups = append(oc.groups, groupLabel{x: x + float64(j-i-1)/2, text: bs[i].Strategy})
		for _, b := range bs[i:j] {
			bar := stackedBar{x: x, label: strconv.Itoa(b.Cores), stack: make([]float64, len(categories))}
			sum := 0.0
			for cat, v := range b.Share {
				bar.stack[cat] = 100 * v
				sum += 100 * v
			}
			top = max(top, sum)
			oc.bars = append(oc.bars, bar)
			ticks = append(ticks, plot.Tick{Value: x, Label: bar.label})
			x++
		}
		x++ // a gap between strategies
		i = j
	}
	oc.x = axis{scale: linearAxis, min: -0.6, max: x - 2 + 0.6, ticks: ticks}
	oc.y = zeroAxis("share of CPU time (%)", min(top, 100))
	if top >= 80 {
		oc.y = axis{label: oc.y.label, scale: linearAxis, min: 0, max: 100, ticks: linearTicks(0, 100, 20)}
	}
	// Rotate the cores when they would not fit side by side. The data
	// area is about the figure less the y axis and the legend.
	const dataWidth = (6.5*72 - 2*figMargin - 45 - 95) // points
	slot := dataWidth / (oc.x.max - oc.x.min)
	widest := 0.0
	for _, t := range ticks {
		widest = max(widest, float64(textStyle(tickSize).Width(t.Label)))
	}
	oc.rotate = widest+3 > slot
	return oc, nil
}

// barWidth is a bar's width as a fraction of the distance between bars.
const barWidth = 0.75

func (oc *barChart) figure() *Figure {
	p := newPlot()
	p.X.Tick.Length = 0
	if oc.rotate {
		p.X.Tick.Label.Rotation = math.Pi / 2
		p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	}
	g := grid()
	g.Vertical.Color = nil
	p.Add(g, &stacks{bars: oc.bars})
	setAxes(p, oc.x, oc.y)
	f := &Figure{title: oc.title, caption: oc.caption, yLabel: oc.y.label, groups: oc.groups, plot: p,
		width: 6.5 * vg.Inch, height: 4 * vg.Inch}
	// Top of the legend is top of the stack.
	for cat := len(oc.categories) - 1; cat >= 0; cat-- {
		f.legend = append(f.legend, legendEntry{text: oc.categories[cat], thumb: swatch{categoryColors[cat]}})
	}
	return f
}

// stacks draws stacked bars.
type stacks struct{ bars []stackedBar }

func (s *stacks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, b := range s.bars {
		x0, x1 := trX(b.x-barWidth/2), trX(b.x+barWidth/2)
		base := 0.0
		for cat, v := range b.stack {
			if v == 0 {
				continue
			}
			y0, y1 := trY(base), trY(min(base+v, p.Y.Max))
			base += v
			c.SetColor(categoryColors[cat])
			c.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x1, Y: y1}}.Path())
		}
	}
}

// swatch is a filled square legend thumbnail.
type swatch struct{ color color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	side := min(c.Max.Y-c.Min.Y, c.Max.X-c.Min.X) * 0.8
	mid := c.Center()
	c.SetColor(s.color)
	c.Fill(vg.Rectangle{ // at the right, beside its text
		Min: vg.Point{X: c.Max.X - side, Y: mid.Y - side/2},
		Max: vg.Point{X: c.Max.X, Y: mid.Y + side/2},
	}.Path())
}

func (oc *barChart) dump(w io.Writer) {
	fmt.Fprintf(w, "title: %s\ncaption: %s\n", oc.title, oc.caption)
	dumpAxis(w, "x", oc.x)
	dumpAxis(w, "y", oc.y)
	fmt.Fprintf(w, "rotate cores: %v\n", oc.rotate)
	for _, g := range oc.groups {
		fmt.Fprintf(w, "group %q at %s\n", g.text, fmtNum(g.x))
	}
	for _, b := range oc.bars {
		fmt.Fprintf(w, "bar %s %q:", fmtNum(b.x), b.label)
		for cat, v := range b.stack {
			fmt.Fprintf(w, " %s=%s", oc.categories[cat], fmtNum(v))
		}
		fmt.Fprintln(w)
	}
}
