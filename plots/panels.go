package plots

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// barPanels is a chart of stacked bars drawn as small multiples: a panel
// per strategy, in rows of a grid. The panels share the y axis and the x
// slots, so that a core count sits at the same place in every panel and
// heights compare across panels. One plot with a group of bars per
// strategy needs a slot per configuration: on 128 CPUs with a dozen
// strategies that is about 200 slots, each too narrow for a bar or a
// label.
type barPanels struct {
	title, caption string
	yLabel         string
	ymax           float64   // the y axis runs from 0 to ymax
	parts          []barPart // bottom up
	slots          []barSlot // left to right, shared by every panel
	panels         []barPanel
	cols, rows     int
}

// barPart is one part of the stacks: its legend text and colour.
type barPart struct {
	name  string
	color color.RGBA
}

// barSlot is an x position: a core count, or a core count and a worker
// count where one strategy ran several worker counts on those cores.
type barSlot struct {
	cores int
	label string
}

type barPanel struct {
	title string // the strategy
	bars  []panelBar
}

type panelBar struct {
	slot  int
	stack []float64 // percent, one per part, none negative
}

// stackedBar is one configuration's bar before it has a panel and a slot.
type stackedBar struct {
	strategy       string
	cores, workers int
	stack          []float64
}

// Layout of the panels, in points.
const (
	panelTitleSize  = 9
	panelLabelSize  = 8   // the core labels and the y axis' tick labels
	panelGap        = 12  // between panels side by side
	panelRowGap     = 6   // between a row's core labels and the next row's titles
	panelTitlePad   = 2   // between a panel's title and its data area
	panelTickLen    = 3   // a labelled slot's tick; an unlabelled one's is half
	panelTickPad    = 1.5 // between a tick and its label
	panelLabelGap   = 2   // the least space between two core labels
	panelMaxBar     = 18  // the widest bar, where few share a panel
	panelMinSlot    = 6   // the narrowest slot worth fewer columns of panels
	panelMaxCols    = 5
	panelMaxRows    = 5   // more strategies than panelMaxCols × this get narrower slots
	panelYTickSpace = 2.5 // the least distance between y ticks, in label heights
	panelMaxYTicks  = 10
)

// The figure's height is its title, legend and caption and a row of
// panels of this height each; a single row is taller, since the figure
// would otherwise be a strip.
var panelRowHeights = []vg.Length{2.4 * vg.Inch, 1.7 * vg.Inch, 1.35 * vg.Inch}

func panelRowHeight(rows int) vg.Length {
	return panelRowHeights[min(rows, len(panelRowHeights))-1]
}

// newBarPanels groups bars into a panel per strategy, in the order of the
// other charts, with the bars of a panel ordered by cores and then
// workers, and picks the grid for a figure of the given width.
func newBarPanels(c Chart, yLabel string, ymax float64, parts []barPart, bars []stackedBar, width vg.Length) *barPanels {
	bs := slices.Clone(bars)
	slices.SortFunc(bs, func(a, b stackedBar) int {
		return cmp.Or(compareStrategies(a.strategy, b.strategy), cmp.Compare(a.cores, b.cores), cmp.Compare(a.workers, b.workers))
	})
	// A bar is named by its cores, and by its workers too where its
	// strategy ran several worker counts on those cores.
	type config struct {
		strategy string
		cores    int
	}
	workerCounts := map[config]int{}
	for _, b := range bs {
		workerCounts[config{b.strategy, b.cores}]++
	}
	label := func(b stackedBar) string {
		l := strconv.Itoa(b.cores)
		if workerCounts[config{b.strategy, b.cores}] > 1 {
			l += " w" + strconv.Itoa(b.workers)
		}
		return l
	}
	bp := &barPanels{title: c.Title, caption: c.Caption, yLabel: yLabel, ymax: ymax, parts: parts}
	slotWorkers := map[string]int{} // the fewest workers of the bars in a slot, to order it
	for _, b := range bs {
		l := label(b)
		if w, ok := slotWorkers[l]; !ok || b.workers < w {
			slotWorkers[l] = b.workers
		}
		if !slices.ContainsFunc(bp.slots, func(s barSlot) bool { return s.label == l }) {
			bp.slots = append(bp.slots, barSlot{cores: b.cores, label: l})
		}
	}
	slices.SortFunc(bp.slots, func(a, b barSlot) int {
		return cmp.Or(cmp.Compare(a.cores, b.cores), cmp.Compare(slotWorkers[a.label], slotWorkers[b.label]), strings.Compare(a.label, b.label))
	})
	for _, b := range bs {
		if len(bp.panels) == 0 || bp.panels[len(bp.panels)-1].title != b.strategy {
			bp.panels = append(bp.panels, barPanel{title: b.strategy})
		}
		p := &bp.panels[len(bp.panels)-1]
		l := label(b)
		p.bars = append(p.bars, panelBar{slot: slices.IndexFunc(bp.slots, func(s barSlot) bool { return s.label == l }), stack: b.stack})
	}
	bp.cols, bp.rows = panelGrid(len(bp.panels), len(bp.slots), width-2*figMargin-bp.gutter())
	return bp
}

// panelFigureWidth is the width of a figure of panels, that of the other
// charts; its height follows the rows of panels.
const panelFigureWidth = 6.5 * vg.Inch

// panelFigure is the figure of a chart of panels, with the legend below
// them, as wide as the other charts and as tall as its rows of panels
// need.
func panelFigure(bp *barPanels, legend []legendEntry) *Figure {
	f := &Figure{title: bp.title, caption: bp.caption, panels: bp, legend: legend,
		width: panelFigureWidth, height: bp.height(panelFigureWidth)}
	f.placeLegend()
	return f
}

// dumpPanels writes the content of a figure of panels, laid out at its
// preferred size, as text for golden tests.
func dumpPanels(w io.Writer, f *Figure) {
	f.panels.dump(w, f.panels.layout(f.panelArea()))
}

// panelGrid returns the columns and rows of panels for n panels of slots
// bars each, side by side in the given width: as many columns as keep a
// slot at least panelMinSlot wide, up to panelMaxCols, and then the rows
// balanced (13 panels in 4 columns are 4 rows of 4, 4, 4 and 1; 5 are 3
// and 2). More than panelMaxRows rows take more columns, and narrower
// slots, instead.
func panelGrid(n, slots int, width vg.Length) (cols, rows int) {
	cols = 1
	for c := min(n, panelMaxCols); c > 1; c-- {
		if panelWidth(width, c)/vg.Length(slots) >= panelMinSlot {
			cols = c
			break
		}
	}
	cols = max(cols, (n+panelMaxRows-1)/panelMaxRows)
	rows = (n + cols - 1) / cols
	cols = (n + rows - 1) / rows
	return cols, rows
}

// panelWidth is the width of each of cols panels side by side in width.
func panelWidth(width vg.Length, cols int) vg.Length {
	return (width - vg.Length(cols-1)*panelGap) / vg.Length(cols)
}

// gutter is the room left of the panels for the y axis label and its
// tick labels, whichever ticks the panels' height takes.
func (bp *barPanels) gutter() vg.Length {
	tick := textStyle(panelLabelSize)
	var widest vg.Length
	for n := 1; n <= panelMaxYTicks; n++ {
		for _, t := range bp.yTicks(n) {
			widest = max(widest, tick.Width(t.Label))
		}
	}
	return textStyle(axisSize).FontExtents().Height + axisLabelPad + widest + panelTickPad + panelTickLen
}

// yTicks labels the y axis in at most n steps.
func (bp *barPanels) yTicks(n int) []plot.Tick {
	return linearTicks(0, bp.ymax, niceStep(bp.ymax, n))
}

// height is the figure's height without a legend: the title, the caption
// and the rows of panels.
func (bp *barPanels) height(width vg.Length) vg.Length {
	h := 2*figMargin + vg.Length(bp.rows)*panelRowHeight(bp.rows)
	w := width - 2*figMargin
	if bp.title != "" {
		sty := textStyle(titleSize)
		h += sty.Height(wrap(sty, bp.title, w)) + 6
	}
	if bp.caption != "" {
		sty := textStyle(captionSize)
		h += sty.Height(wrap(sty, bp.caption, w)) + 6
	}
	return h
}

// panelsLayout is where everything of a barPanels goes in an area:
// computed once, drawn from, and checked by the tests.
type panelsLayout struct {
	data     []vg.Rectangle // each panel's data area
	titles   []string       // each panel's title, shortened to its width
	slot     vg.Length      // the width of a slot
	labelled []bool         // per slot: its core label is drawn
	yTicks   []plot.Tick
	yLabelAt vg.Point // the centre of the y axis label
	xLabelAt vg.Point // the centre of the bottom of the x axis label
}

func (bp *barPanels) layout(area vg.Rectangle) panelsLayout {
	tick, axisText, titleText := textStyle(panelLabelSize), textStyle(axisSize), textStyle(panelTitleSize)
	axisH := axisText.FontExtents().Height
	titleH := titleText.FontExtents().Height
	labelH := tick.FontExtents().Height

	left := area.Min.X + bp.gutter()
	width := area.Max.X - left
	pw := panelWidth(width, bp.cols)
	bottom := area.Min.Y + axisH + axisLabelPad // the x axis label under the panels
	rowH := (area.Max.Y - bottom) / vg.Length(bp.rows)
	dataH := rowH - titleH - panelTitlePad - panelTickLen - panelTickPad - labelH - panelRowGap

	var l panelsLayout
	for i, p := range bp.panels {
		row, col := i/bp.cols, i%bp.cols
		top := area.Max.Y - vg.Length(row)*rowH - titleH - panelTitlePad
		x0 := left + vg.Length(col)*(pw+panelGap)
		l.data = append(l.data, vg.Rectangle{Min: vg.Point{X: x0, Y: top - dataH}, Max: vg.Point{X: x0 + pw, Y: top}})
		l.titles = append(l.titles, shorten(titleText, p.title, pw))
	}
	l.slot = pw / vg.Length(len(bp.slots))
	l.labelled = coreLabels(bp.slots, l.slot, tick)
	l.yTicks = bp.yTicks(min(panelMaxYTicks, max(1, int(dataH/(panelYTickSpace*tick.Font.Size)))))
	l.yLabelAt = vg.Point{X: area.Min.X, Y: (l.data[0].Max.Y + l.data[len(l.data)-1].Min.Y) / 2}
	l.xLabelAt = vg.Point{X: left + width/2, Y: area.Min.Y}
	return l
}

// coreLabels decides which slots get their label, the rest a tick only.
// All of them where they fit side by side, at least panelLabelGap apart.
// Otherwise the first slot and the last (the baseline and the whole
// machine) and, between them, every m-th power of two counted down from
// the largest, for the smallest m at which none crowd another; a power of
// two that would crowd an end is left out. Where fewer than two slots
// are powers of two, every m-th slot takes their place.
func coreLabels(slots []barSlot, slot vg.Length, sty text.Style) []bool {
	n := len(slots)
	centre := func(i int) vg.Length { return (vg.Length(i) + 0.5) * slot }
	apart := func(i, j int) bool { // i < j
		return centre(j)-centre(i) >= (sty.Width(slots[i].label)+sty.Width(slots[j].label))/2+panelLabelGap
	}
	fits := func(set []int) bool {
		for k := 1; k < len(set); k++ {
			if !apart(set[k-1], set[k]) {
				return false
			}
		}
		return true
	}
	mark := func(set []int) []bool {
		out := make([]bool, n)
		for _, i := range set {
			out[i] = true
		}
		return out
	}
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	if fits(all) {
		return mark(all)
	}
	last := n - 1
	ends := []int{0, last}
	if !apart(0, last) {
		ends = []int{last}
	}
	var between []int // candidates, largest first
	for i := last - 1; i > 0; i-- {
		if c := slots[i].cores; c&(c-1) == 0 {
			between = append(between, i)
		}
	}
	if len(between) < 2 {
		between = between[:0]
		for i := last - 1; i > 0; i-- {
			between = append(between, i)
		}
	}
	for m := 1; m <= len(between); m++ {
		var picked []int
		for k := 0; k < len(between); k += m {
			i := between[k]
			if (len(ends) == 2 && !apart(0, i)) || !apart(i, last) {
				continue // it would crowd an end
			}
			picked = append(picked, i)
		}
		slices.Reverse(picked)
		set := append(append(ends[:len(ends)-1:len(ends)-1], picked...), last)
		if fits(set) {
			return mark(set)
		}
	}
	return mark(ends)
}

// xLabel names the slots: cores, and workers where a slot's label has
// them.
func (bp *barPanels) xLabel() string {
	if slices.ContainsFunc(bp.slots, func(s barSlot) bool { return strings.Contains(s.label, " w") }) {
		return "cores (w: workers)"
	}
	return "cores"
}

// shorten cuts s to fit width, ending it with "…" where it had to be cut.
func shorten(sty text.Style, s string, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && sty.Width(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// draw draws the panels in c, filling it.
func (bp *barPanels) draw(c draw.Canvas) {
	l := bp.layout(c.Rectangle)
	tick, axisText, titleText := textStyle(panelLabelSize), textStyle(axisSize), textStyle(panelTitleSize)
	gridStyle := draw.LineStyle{Color: lightGrey, Width: vg.Points(gridLineWidth)}
	axisStyle := draw.LineStyle{Color: black, Width: vg.Points(0.7)}
	tickStyle := draw.LineStyle{Color: black, Width: vg.Points(0.5)}
	y := func(d vg.Rectangle, v float64) vg.Length {
		return d.Min.Y + (d.Max.Y-d.Min.Y)*vg.Length(min(v, bp.ymax)/bp.ymax)
	}
	for i, p := range bp.panels {
		d := l.data[i]
		for _, t := range l.yTicks {
			if t.Value > 0 {
				c.StrokeLine2(gridStyle, d.Min.X, y(d, t.Value), d.Max.X, y(d, t.Value))
			}
		}
		for _, b := range p.bars {
			mid := d.Min.X + (vg.Length(b.slot)+0.5)*l.slot
			half := min(l.slot*barWidth, panelMaxBar) / 2
			x0, x1 := mid-half, mid+half
			base := 0.0
			for part, v := range b.stack {
				if v == 0 || base >= bp.ymax {
					continue
				}
				c.SetColor(bp.parts[part].color)
				c.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: y(d, base)}, Max: vg.Point{X: x1, Y: y(d, base+v)}}.Path())
				base += v
			}
		}
		c.StrokeLine2(axisStyle, d.Min.X, d.Min.Y, d.Max.X, d.Min.Y)
		sty := tick
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		for s := range bp.slots {
			x := d.Min.X + (vg.Length(s)+0.5)*l.slot
			if !l.labelled[s] {
				c.StrokeLine2(tickStyle, x, d.Min.Y, x, d.Min.Y-panelTickLen/2)
				continue
			}
			c.StrokeLine2(tickStyle, x, d.Min.Y, x, d.Min.Y-panelTickLen)
			c.FillText(sty, vg.Point{X: x, Y: d.Min.Y - panelTickLen - panelTickPad}, bp.slots[s].label)
		}
		ts := titleText
		ts.XAlign, ts.YAlign = draw.XCenter, draw.YBottom
		c.FillText(ts, vg.Point{X: (d.Min.X + d.Max.X) / 2, Y: d.Max.Y + panelTitlePad}, l.titles[i])
		if i%bp.cols == 0 { // the y axis, on the first panel of a row
			c.StrokeLine2(axisStyle, d.Min.X, d.Min.Y, d.Min.X, d.Max.Y)
			ys := tick
			ys.XAlign, ys.YAlign = draw.XRight, draw.YCenter
			for _, t := range l.yTicks {
				c.StrokeLine2(tickStyle, d.Min.X-panelTickLen, y(d, t.Value), d.Min.X, y(d, t.Value))
				c.FillText(ys, vg.Point{X: d.Min.X - panelTickLen - panelTickPad, Y: y(d, t.Value)}, t.Label)
			}
		}
	}
	ys := axisText
	ys.XAlign, ys.YAlign, ys.Rotation = draw.XCenter, draw.YTop, math.Pi/2
	c.FillText(ys, l.yLabelAt, bp.yLabel)
	xs := axisText
	xs.XAlign, xs.YAlign = draw.XCenter, draw.YBottom
	c.FillText(xs, l.xLabelAt, bp.xLabel())
}

// dump writes the panels' content, and the layout at the figure's
// preferred size, as text for golden tests.
func (bp *barPanels) dump(w io.Writer, l panelsLayout) {
	fmt.Fprintf(w, "title: %s\ncaption: %s\n", bp.title, bp.caption)
	fmt.Fprintf(w, "y: %q [0, %s] ticks:", bp.yLabel, fmtNum(bp.ymax))
	for _, t := range l.yTicks {
		fmt.Fprintf(w, " %s", t.Label)
	}
	fmt.Fprintf(w, "\npanels: %d in %d columns, %d rows\nslots:", len(bp.panels), bp.cols, bp.rows)
	for i, s := range bp.slots {
		if l.labelled[i] {
			fmt.Fprintf(w, " %q", s.label)
		} else {
			fmt.Fprintf(w, " (%s)", s.label)
		}
	}
	fmt.Fprintln(w)
	for _, p := range bp.panels {
		fmt.Fprintf(w, "panel %q\n", p.title)
		for _, b := range p.bars {
			fmt.Fprintf(w, "\tbar %q:", bp.slots[b.slot].label)
			for part, v := range b.stack {
				if v != 0 {
					fmt.Fprintf(w, " %s=%s", bp.parts[part].name, fmtNum(v))
				}
			}
			fmt.Fprintln(w)
		}
	}
}
