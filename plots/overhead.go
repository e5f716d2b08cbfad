package plots

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

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

// Overhead draws a stacked bar per configuration, in a panel per strategy
// (in the order of the other charts) and ordered by cores within a panel,
// each bar split into the categories' shares of CPU time in percent. The y
// axis starts at zero and ends at 100% or, when no bar comes near it, just
// above the tallest bar, so that small overheads stay visible. categories
// name the parts of every bar, bottom up, and the legend's entries; there
// may be up to six.
func Overhead(c Chart, categories []string, b []Breakdown) (*Figure, error) {
	bp, err := overheadChart(c, categories, b)
	if err != nil {
		return nil, err
	}
	// Top of the legend is top of the stack.
	var legend []legendEntry
	for cat := len(bp.parts) - 1; cat >= 0; cat-- {
		legend = append(legend, legendEntry{text: bp.parts[cat].name, thumb: swatch{bp.parts[cat].color}})
	}
	return panelFigure(bp, legend), nil
}

const sumSlack = 1e-6

func overheadChart(c Chart, categories []string, in []Breakdown) (*barPanels, error) {
	if len(in) == 0 {
		return nil, errors.New("plots: overhead: no breakdowns")
	}
	if len(categories) == 0 || len(categories) > len(categoryColors) {
		return nil, fmt.Errorf("plots: overhead: %d categories, want 1 to %d", len(categories), len(categoryColors))
	}
	seen := make(map[string]bool)
	bars := make([]stackedBar, len(in))
	top := 0.0
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
		bar := stackedBar{strategy: b.Strategy, cores: b.Cores, stack: make([]float64, len(categories))}
		sum := 0.0
		for cat, v := range b.Share {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 1 {
				return nil, fmt.Errorf("plots: overhead: %s: %s share %g is not in [0, 1]", name, categories[cat], v)
			}
			bar.stack[cat] = 100 * v
			sum += v
		}
		if sum > 1+sumSlack {
			return nil, fmt.Errorf("plots: overhead: %s: shares add up to %g, more than 1", name, sum)
		}
		top = max(top, 100*sum)
		bars[i] = bar
	}
	parts := make([]barPart, len(categories))
	for i, name := range categories {
		parts[i] = barPart{name: name, color: categoryColors[i]}
	}
	ymax := zeroAxis("", min(top, 100)).max
	if top >= 80 {
		ymax = 100
	}
	return newBarPanels(c, "share of CPU time (%)", ymax, parts, bars, panelFigureWidth), nil
}

// barWidth is a bar's width as a fraction of the distance between bars.
const barWidth = 0.75

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
