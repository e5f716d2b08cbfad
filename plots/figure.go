package plots

import (
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Figure is a finished chart: a title, the plot, a legend that sits beside
// or below the plot and never over its data, and a caption. It has a
// preferred size, which Encode uses unless Options say otherwise.
//
// A Figure is not safe for concurrent use: encode it from one goroutine at
// a time.
type Figure struct {
	title, caption string
	xLabel, yLabel string
	plot           *plot.Plot
	// panels, where set, is drawn instead of plot: small multiples that
	// lay out their own axes and labels, with the legend below them.
	panels        *barPanels
	legend        []legendEntry
	legendBelow   bool // placeLegend found no room beside the plot
	width, height vg.Length
}

type legendEntry struct {
	text, detail string
	thumb        plot.Thumbnailer
}

// Size returns the preferred width and height of the figure.
func (f *Figure) Size() (w, h vg.Length) { return f.width, f.height }

// Layout, in points.
const (
	figMargin        = 8
	titleSize        = 12
	captionSize      = 8
	axisSize         = 10
	tickSize         = 9
	legendSize       = 8.5
	legendDetailSize = 7.5
	thumbWidth       = 22
	legendGap        = 4  // between thumbnail and text
	legendColGap     = 14 // between legend columns
	legendRowGap     = 2.5
	legendPad        = 8 // between plot and legend
	axisLabelPad     = 3 // between an axis label and its tick labels
	// A legend narrower than this share of the figure goes on the right;
	// a wider one goes below the plot in columns.
	legendRightShare = 0.3
)

// placeLegend decides where the legend goes, and makes the figure taller
// by the height of a legend that goes below the plot, so that many
// entries (a dozen strategies with their fits, several machines) add
// room instead of squeezing the data into a strip or running off the
// figure. A legend goes beside the plot where it is narrow and, in one
// column, no taller than the plot; otherwise below it, in columns.
func (f *Figure) placeLegend() {
	if len(f.legend) == 0 {
		return
	}
	area := vg.Rectangle{Max: vg.Point{X: f.width, Y: f.height}}
	if f.legendBelow = !f.legendBeside(f.plotArea(area)); !f.legendBelow {
		return
	}
	f.height += newLegendLayout(f.legend).belowHeight(f.width-2*figMargin) + legendPad
}

// panelArea is where the panels go at the figure's preferred size.
func (f *Figure) panelArea() vg.Rectangle {
	r := f.plotArea(vg.Rectangle{Max: vg.Point{X: f.width, Y: f.height}})
	if len(f.legend) > 0 {
		r.Min.Y += newLegendLayout(f.legend).belowHeight(f.width-2*figMargin) + legendPad
	}
	return r
}

// legendBeside reports whether the legend goes beside a plot in plotArea.
func (f *Figure) legendBeside(plotArea vg.Rectangle) bool {
	if f.legendBelow || f.panels != nil {
		return false
	}
	legend := newLegendLayout(f.legend)
	// The plot's own padding and tick marks take a little of its top and
	// bottom; the legend starts at the top of the data.
	const plotPadding = 8
	return legend.width <= (f.width-2*figMargin)*legendRightShare &&
		legend.columnHeight() <= plotArea.Max.Y-plotArea.Min.Y-plotPadding
}

// plotArea is the room a figure drawn on the canvas area leaves for its
// plot and legend: all but its margins, title and caption.
func (f *Figure) plotArea(area vg.Rectangle) vg.Rectangle {
	area = vg.Rectangle{Min: area.Min.Add(vg.Point{X: figMargin, Y: figMargin}), Max: area.Max.Sub(vg.Point{X: figMargin, Y: figMargin})}
	width := area.Max.X - area.Min.X
	if f.title != "" {
		sty := textStyle(titleSize)
		area.Max.Y -= sty.Height(wrap(sty, f.title, width)) + 6
	}
	if f.caption != "" {
		sty := textStyle(captionSize)
		area.Min.Y += sty.Height(wrap(sty, f.caption, width)) + 6
	}
	return area
}

// Draw draws the figure on c, filling all of it.
func (f *Figure) Draw(c draw.Canvas) {
	c.SetColor(white)
	c.Fill(c.Rectangle.Path())
	area := draw.Crop(c, figMargin, -figMargin, figMargin, -figMargin)
	width := area.Max.X - area.Min.X

	if f.title != "" {
		sty := textStyle(titleSize)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		c.FillText(sty, vg.Point{X: area.Center().X, Y: area.Max.Y}, wrap(sty, f.title, width))
	}
	if f.caption != "" {
		sty := textStyle(captionSize)
		sty.Color = color.Gray{Y: 0x40}
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
		c.FillText(sty, vg.Point{X: area.Center().X, Y: area.Min.Y}, wrap(sty, f.caption, width))
	}

	plotArea := f.plotArea(c.Rectangle)
	var legend legendLayout
	beside := false
	if len(f.legend) > 0 {
		legend = newLegendLayout(f.legend)
		beside = f.legendBeside(plotArea)
		if beside {
			plotArea.Max.X -= legend.width + legendPad
		} else {
			cols, _ := legend.grid(width)
			total := vg.Length(cols)*(legend.width+legendColGap) - legendColGap
			h := legend.belowHeight(width)
			legend.draw(c, area.Center().X-total/2, plotArea.Min.Y+h, cols)
			plotArea.Min.Y += h + legendPad
		}
	}
	if f.panels != nil {
		f.panels.draw(draw.Canvas{Canvas: c.Canvas, Rectangle: plotArea})
		return
	}

	// Axis labels are drawn here rather than by gonum, which centres them
	// on the arithmetic middle of the data range: on a log axis that is
	// near one end, and it shrinks the plot to make room there.
	axisLabel := textStyle(axisSize)
	lineH := axisLabel.FontExtents().Height
	inner := draw.Canvas{Canvas: c.Canvas, Rectangle: plotArea}
	if f.yLabel != "" {
		inner.Min.X += lineH + axisLabelPad
	}
	if f.xLabel != "" {
		inner.Min.Y += lineH + axisLabelPad
	}
	f.plot.Draw(inner)
	data := f.plot.DataCanvas(inner)
	if f.yLabel != "" {
		sty := axisLabel
		sty.XAlign, sty.YAlign, sty.Rotation = draw.XCenter, draw.YTop, math.Pi/2
		c.FillText(sty, vg.Point{X: plotArea.Min.X, Y: data.Center().Y}, f.yLabel)
	}
	if f.xLabel != "" {
		sty := axisLabel
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YBottom
		c.FillText(sty, vg.Point{X: data.Center().X, Y: plotArea.Min.Y}, f.xLabel)
	}
	if beside {
		legend.draw(c, area.Max.X-legend.width, data.Max.Y, 1)
	}
}

// legendLayout measures legend entries: a thumbnail, a line of text and
// an optional second line of detail in smaller grey type.
type legendLayout struct {
	entries          []legendEntry
	text, detail     text.Style
	width            vg.Length // of the widest entry
	lineH, rowHeight vg.Length
	hasDetail        bool
}

func newLegendLayout(entries []legendEntry) legendLayout {
	l := legendLayout{entries: entries, text: textStyle(legendSize), detail: textStyle(legendDetailSize)}
	l.detail.Color = color.Gray{Y: 0x50}
	for _, e := range entries {
		l.width = max(l.width, l.text.Width(e.text), l.detail.Width(e.detail))
		l.hasDetail = l.hasDetail || e.detail != ""
	}
	l.width += thumbWidth + legendGap
	l.lineH = l.text.FontExtents().Height
	l.rowHeight = l.lineH + legendRowGap
	if l.hasDetail {
		l.rowHeight += l.detail.FontExtents().Height
	}
	return l
}

// grid returns the columns and rows of a legend below a plot of the
// given width, with rows as full as the columns allow and then balanced.
func (l legendLayout) grid(width vg.Length) (cols, rows int) {
	cols = max(1, int((width+legendColGap)/(l.width+legendColGap)))
	rows = (len(l.entries) + cols - 1) / cols
	cols = (len(l.entries) + rows - 1) / rows
	return cols, rows
}

// belowHeight is the height of the legend in columns below a plot of the
// given width.
func (l legendLayout) belowHeight(width vg.Length) vg.Length {
	_, rows := l.grid(width)
	return vg.Length(rows) * l.rowHeight
}

// columnHeight is the height of the legend in a single column.
func (l legendLayout) columnHeight() vg.Length {
	var h vg.Length
	for _, e := range l.entries {
		h += l.height(e)
	}
	return h
}

// height returns the height of one entry in a single column, where
// entries without detail take one line.
func (l legendLayout) height(e legendEntry) vg.Length {
	h := l.lineH + legendRowGap
	if e.detail != "" {
		h += l.detail.FontExtents().Height
	}
	return h
}

// draw draws the entries in rows of cols, left to right, from (left, top).
// Rows of several columns all have the height of the tallest entry.
func (l legendLayout) draw(c draw.Canvas, left, top vg.Length, cols int) {
	text, detail := l.text, l.detail
	text.YAlign, detail.YAlign = draw.YCenter, draw.YTop
	colW := l.width + legendColGap
	y := top
	for i, e := range l.entries {
		if i > 0 && i%cols == 0 {
			if cols == 1 {
				y -= l.height(l.entries[i-1])
			} else {
				y -= l.rowHeight
			}
		}
		x := left + vg.Length(i%cols)*colW
		mid := y - l.lineH/2
		thumb := draw.Canvas{Canvas: c.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: x, Y: mid - l.lineH/2},
			Max: vg.Point{X: x + thumbWidth, Y: mid + l.lineH/2},
		}}
		e.thumb.Thumbnail(&thumb)
		c.FillText(text, vg.Point{X: x + thumbWidth + legendGap, Y: mid}, e.text)
		if e.detail != "" {
			c.FillText(detail, vg.Point{X: x + thumbWidth + legendGap, Y: y - l.lineH}, e.detail)
		}
	}
}

// wrap breaks s into lines no wider than width, at spaces; existing line
// breaks are kept. A word wider than width gets a line of its own.
func wrap(sty text.Style, s string, width vg.Length) string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			if line == "" {
				line = word
				continue
			}
			if sty.Width(line+" "+word) <= width {
				line += " " + word
				continue
			}
			out = append(out, line)
			line = word
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}

// newPlot returns a plot with parbench's fonts and no title or legend of
// its own: the Figure draws those outside the data area.
func newPlot() *plot.Plot {
	p := plot.New()
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Tick.Label.Font = textStyle(tickSize).Font
		a.Padding = vg.Points(4)
	}
	return p
}

// setAxes sets the plot's axes from what the chart decided. It must come
// after every p.Add, which widens the axes to the data of what it adds: a
// fitted curve far above the data would otherwise stretch the y axis.
func setAxes(p *plot.Plot, x, y axis) {
	applyAxis(&p.X, x)
	applyAxis(&p.Y, y)
}

func applyAxis(a *plot.Axis, spec axis) {
	a.Min, a.Max = spec.min, spec.max
	var scale plot.Normalizer = plot.LinearScale{}
	if spec.scale != linearAxis {
		scale = plot.LogScale{}
	}
	if spec.inverted {
		scale = plot.InvertedScale{Normalizer: scale}
	}
	a.Scale = scale
	a.Tick.Marker = plot.ConstantTicks(spec.ticks)
}

func grid() *plotter.Grid {
	g := plotter.NewGrid()
	g.Vertical = draw.LineStyle{Color: lightGrey, Width: vg.Points(gridLineWidth)}
	g.Horizontal = g.Vertical
	return g
}

// seriesThumb is a series' legend thumbnail: its line with its marker.
type seriesThumb struct{ style lineStyle }

func (t seriesThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(t.style.line(), c.Min.X, y, c.Max.X, y)
	c.DrawGlyphNoClip(t.style.glyph(), c.Center())
}
