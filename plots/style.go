package plots

import (
	"fmt"
	"hash/fnv"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/parbench/parbench/internal/strategyorder"
)

// Marker is the shape drawn at each measured point of a series.
type Marker int

const (
	MarkerCircle Marker = iota
	MarkerSquare
	MarkerTriangleUp
	MarkerTriangleDown
	MarkerDiamond
	numMarkers
)

func (m Marker) String() string {
	switch m {
	case MarkerCircle:
		return "circle"
	case MarkerSquare:
		return "square"
	case MarkerTriangleUp:
		return "triangle-up"
	case MarkerTriangleDown:
		return "triangle-down"
	case MarkerDiamond:
		return "diamond"
	}
	return fmt.Sprintf("Marker(%d)", int(m))
}

// Style is how a strategy is drawn in every chart.
type Style struct {
	Color  color.RGBA
	Marker Marker
}

// The colours come from the Okabe-Ito palette, which stays distinct for
// readers with colour-vision deficiencies and in greyscale print. Its
// yellow is left out: it vanishes on white paper.
var (
	black         = color.RGBA{0x00, 0x00, 0x00, 0xff}
	orange        = color.RGBA{0xe6, 0x9f, 0x00, 0xff}
	skyBlue       = color.RGBA{0x56, 0xb4, 0xe9, 0xff}
	bluishGreen   = color.RGBA{0x00, 0x9e, 0x73, 0xff}
	blue          = color.RGBA{0x00, 0x72, 0xb2, 0xff}
	vermillion    = color.RGBA{0xd5, 0x5e, 0x00, 0xff}
	reddishPurple = color.RGBA{0xcc, 0x79, 0xa7, 0xff}
	brown         = color.RGBA{0x8c, 0x56, 0x4b, 0xff}
	grey          = color.RGBA{0x80, 0x80, 0x80, 0xff}
	slate         = color.RGBA{0x9a, 0xa5, 0xb1, 0xff}
	lightGrey     = color.RGBA{0xe0, 0xe0, 0xe0, 0xff}
	white         = color.RGBA{0xff, 0xff, 0xff, 0xff}
)

// knownStrategies are the strategies parbench ships, each with a fixed
// style that no other name can take: the first five keep the colours of
// their own, the rest share the remaining colours with distinct markers.
var knownStrategies = []struct {
	name  string
	style Style
}{
	{"serial", Style{black, MarkerCircle}},
	{"pool", Style{blue, MarkerSquare}},
	{"perjob", Style{vermillion, MarkerTriangleUp}},
	{"perjob-unbounded", Style{reddishPurple, MarkerTriangleDown}},
	{"procpool", Style{bluishGreen, MarkerDiamond}},
	{"static", Style{grey, MarkerSquare}},
	{"errgroup", Style{orange, MarkerCircle}},
	{"conc", Style{orange, MarkerTriangleDown}},
	{"ants", Style{skyBlue, MarkerSquare}},
	{"ants-func", Style{skyBlue, MarkerTriangleUp}},
	{"pond", Style{brown, MarkerDiamond}},
	{"python-mp", Style{brown, MarkerCircle}},
	{"python-pool", Style{brown, MarkerTriangleUp}},
	// The machine's ceiling (k copies of the serial batch at once): the
	// yardstick, drawn in a pale slate so that it reads as a reference line.
	{"ceiling", Style{slate, MarkerCircle}},
}

// lossParts are the parts of the gap to ideal efficiency that parbench's
// loss model names (report.LossParts, under their titles), bottom up as
// an efficiency-loss chart stacks them above the measured efficiency,
// each with a colour of its own: the waiting inside jobs in slates and
// greens, the time no job was open in blues and greys, the CPU between
// jobs in orange, the jobs' slowdown in vermillion, and the rest that no
// instrument accounts for on top in purple. A new part of the model takes
// a line here; the drawing code does not change.
var lossParts = []barPart{
	{"descheduled", slate},
	{"runnable", lighten(bluishGreen, 0.55)},
	{"blocked", bluishGreen},
	{"preempted", lighten(slate, 0.55)},
	{"sleep overlap", lighten(bluishGreen, 0.8)},
	{"ramp-up", lighten(skyBlue, 0.55)},
	{"starved", skyBlue},
	{"awaiting release", color.RGBA{0xc8, 0xc8, 0xc8, 0xff}},
	{"tail", grey},
	{"overhead between jobs", orange},
	{"slowdown", vermillion},
	{"baseline's own", lighten(vermillion, 0.55)},
	{"unexplained", reddishPurple},
}

// otherLossColors are for loss parts lossParts does not name, in turn.
var otherLossColors = []color.RGBA{{0xf0, 0xe4, 0x42, 0xff}, brown, lighten(blue, 0.55), lighten(reddishPurple, 0.55), black}

// lossPartOrder returns the parts named, bottom up, with their colours:
// the known ones in the order of lossParts, and the others, in the order
// given, below the unexplained rest and in colours of their own.
func lossPartOrder(names []string) []barPart {
	var out, others []barPart
	for _, p := range lossParts {
		if slices.Contains(names, p.name) {
			out = append(out, p)
		}
	}
	for _, n := range names {
		if !slices.ContainsFunc(lossParts, func(p barPart) bool { return p.name == n }) {
			others = append(others, barPart{n, otherLossColors[len(others)%len(otherLossColors)]})
		}
	}
	rest := len(out)
	if rest > 0 && out[rest-1].name == "unexplained" {
		rest--
	}
	return slices.Concat(out[:rest], others, out[rest:])
}

// otherColors are for strategies parbench does not know.
var otherColors = []color.RGBA{orange, skyBlue, brown, grey}

// freeStyles are the colour and marker pairs of otherColors that no known
// strategy has, in a fixed order: a strategy parbench does not know takes
// one of them, so it never looks like one that parbench ships.
var freeStyles = func() []Style {
	var free []Style
	for _, c := range otherColors {
		for m := range numMarkers {
			st := Style{c, m}
			if !slices.ContainsFunc(knownStrategies, func(k struct {
				name  string
				style Style
			}) bool {
				return k.style == st
			}) {
				free = append(free, st)
			}
		}
	}
	return free
}()

// StrategyStyle returns the colour and marker of a strategy. The strategies
// parbench ships have fixed styles; any other name gets one of the free
// styles, chosen by a hash of the name, so the result depends on the name
// alone and is the same in every chart and every run.
func StrategyStyle(name string) Style {
	if i := knownIndex(name); i >= 0 {
		return knownStrategies[i].style
	}
	h := fnv.New32a()
	h.Write([]byte(name))
	return freeStyles[h.Sum32()%uint32(len(freeStyles))]
}

func knownIndex(name string) int {
	return slices.IndexFunc(knownStrategies, func(k struct {
		name  string
		style Style
	}) bool {
		return k.name == name
	})
}

// compareStrategies is the one order of strategies, the same in the
// legends as in the tables and in strategies.Names().
func compareStrategies(a, b string) int { return strategyorder.Compare(a, b) }

// machineDashes tell machines apart in one chart; the first machine is
// drawn solid with filled markers, the second dashed with open markers, and
// so on.
var machineDashes = [][]vg.Length{
	nil,
	{vg.Points(5), vg.Points(2.5)},
	{vg.Points(1.5), vg.Points(1.5)},
	{vg.Points(6), vg.Points(2), vg.Points(1.5), vg.Points(2)},
}

// lineStyle is the complete look of one plotted series.
type lineStyle struct {
	Style
	open   bool
	dashes []vg.Length
}

func seriesStyle(strategy string, machine int) lineStyle {
	return lineStyle{
		Style:  StrategyStyle(strategy),
		open:   machine%2 == 1,
		dashes: machineDashes[machine%len(machineDashes)],
	}
}

func (s lineStyle) String() string {
	fill := "filled"
	if s.open {
		fill = "open"
	}
	dash := "solid"
	if len(s.dashes) > 0 {
		dash = fmt.Sprint(s.dashes)
	}
	return fmt.Sprintf("color=%s marker=%s %s dash=%s", hexColor(s.Color), s.Marker, fill, dash)
}

func hexColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// Line widths and sizes, in points, chosen to survive printing a 6.5 inch
// chart at half size.
const (
	dataLineWidth = 1.6
	fitLineWidth  = 0.8
	refLineWidth  = 1
	errBarWidth   = 0.9
	errCapWidth   = 4
	markerRadius  = 3
	gridLineWidth = 0.5
)

func (s lineStyle) line() draw.LineStyle {
	return draw.LineStyle{Color: s.Color, Width: vg.Points(dataLineWidth), Dashes: s.dashes}
}

func (s lineStyle) fit() draw.LineStyle {
	return draw.LineStyle{Color: s.Color, Width: vg.Points(fitLineWidth), Dashes: s.dashes}
}

func (s lineStyle) glyph() draw.GlyphStyle {
	return draw.GlyphStyle{Color: s.Color, Radius: vg.Points(markerRadius), Shape: glyph{s.Marker, s.open}}
}

// refStyle is for reference lines: ideal speedup and efficiency.
var refStyle = draw.LineStyle{Color: grey, Width: vg.Points(refLineWidth), Dashes: []vg.Length{vg.Points(4), vg.Points(3)}}

// glyph draws a Marker, filled or as an outline over a white fill so that
// lines behind an open marker do not show through it.
type glyph struct {
	marker Marker
	open   bool
}

var _ draw.GlyphDrawer = glyph{}

func (g glyph) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	r := sty.Radius
	var p vg.Path
	switch g.marker {
	case MarkerCircle:
		p.Move(vg.Point{X: pt.X + r, Y: pt.Y})
		p.Arc(pt, r, 0, 2*math.Pi)
	case MarkerSquare:
		polygon(&p, pt, r*1.2, 4, math.Pi/4)
	case MarkerTriangleUp:
		polygon(&p, pt, r*1.3, 3, math.Pi/2)
	case MarkerTriangleDown:
		polygon(&p, pt, r*1.3, 3, -math.Pi/2)
	case MarkerDiamond:
		polygon(&p, pt, r*1.3, 4, 0)
	}
	p.Close()
	if !g.open {
		c.SetColor(sty.Color)
		c.Fill(p)
		return
	}
	c.SetColor(white)
	c.Fill(p)
	c.SetLineStyle(draw.LineStyle{Color: sty.Color, Width: vg.Points(1.1)})
	c.Stroke(p)
}

// polygon adds a regular polygon with n corners on a circle of radius r,
// the first at angle phase.
func polygon(p *vg.Path, center vg.Point, r vg.Length, n int, phase float64) {
	for i := range n {
		a := phase + 2*math.Pi*float64(i)/float64(n)
		pt := vg.Point{X: center.X + r*vg.Length(math.Cos(a)), Y: center.Y + r*vg.Length(math.Sin(a))}
		if i == 0 {
			p.Move(pt)
		} else {
			p.Line(pt)
		}
	}
}

// Fonts: Liberation Sans, built into gonum, so no system font is needed.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

// There is no bold: gonum's PDF backend registers every font under the
// plain style and then asks for bold by style, which fails ("undefined
// font").
func textStyle(size float64) text.Style {
	f := sans
	f.Size = vg.Points(size)
	return text.Style{
		Color:   black,
		Font:    f,
		XAlign:  draw.XLeft,
		YAlign:  draw.YBottom,
		Handler: text.Plain{Fonts: font.DefaultCache},
	}
}

// lighten mixes c with white; f = 0 is c, f = 1 is white.
func lighten(c color.RGBA, f float64) color.RGBA {
	mix := func(v uint8) uint8 { return uint8(math.Round(float64(v) + (255-float64(v))*f)) }
	return color.RGBA{mix(c.R), mix(c.G), mix(c.B), 0xff}
}
