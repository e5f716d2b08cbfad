package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// textCanvas is a canvas that draws nothing and records where each string
// would be drawn: its box in figure coordinates, after the rotations and
// translations in force. A box is the string's advance width by its font
// size, from the descent below the baseline: the glyphs' ink lies inside
// it, and the lines of one wrapped text touch without overlapping.
type textCanvas struct {
	w, h  vg.Length
	m     affine
	stack []affine
	texts []drawnText
}

type drawnText struct {
	text string
	box  vg.Rectangle
}

func (d drawnText) String() string {
	return fmt.Sprintf("%q at (%.1f, %.1f)-(%.1f, %.1f)", d.text, d.box.Min.X, d.box.Min.Y, d.box.Max.X, d.box.Max.Y)
}

// affine maps (x, y) to (a·x + b·y + c, d·x + e·y + f).
type affine struct{ a, b, c, d, e, f float64 }

var identity = affine{a: 1, e: 1}

func (m affine) then(n affine) affine { // m applied after n
	return affine{
		a: m.a*n.a + m.b*n.d, b: m.a*n.b + m.b*n.e, c: m.a*n.c + m.b*n.f + m.c,
		d: m.d*n.a + m.e*n.d, e: m.d*n.b + m.e*n.e, f: m.d*n.c + m.e*n.f + m.f,
	}
}

func (m affine) apply(p vg.Point) vg.Point {
	x, y := float64(p.X), float64(p.Y)
	return vg.Point{X: vg.Length(m.a*x + m.b*y + m.c), Y: vg.Length(m.d*x + m.e*y + m.f)}
}

func newTextCanvas(w, h vg.Length) *textCanvas { return &textCanvas{w: w, h: h, m: identity} }

func (c *textCanvas) Size() (vg.Length, vg.Length)        { return c.w, c.h }
func (c *textCanvas) SetLineWidth(vg.Length)              {}
func (c *textCanvas) SetLineDash([]vg.Length, vg.Length)  {}
func (c *textCanvas) SetColor(color.Color)                {}
func (c *textCanvas) Stroke(vg.Path)                      {}
func (c *textCanvas) Fill(vg.Path)                        {}
func (c *textCanvas) DrawImage(vg.Rectangle, image.Image) {}
func (c *textCanvas) Push()                               { c.stack = append(c.stack, c.m) }
func (c *textCanvas) Pop() {
	c.m = c.stack[len(c.stack)-1]
	c.stack = c.stack[:len(c.stack)-1]
}
func (c *textCanvas) Rotate(rad float64) {
	sin, cos := math.Sincos(rad)
	c.m = c.m.then(affine{a: cos, b: -sin, d: sin, e: cos})
}
func (c *textCanvas) Translate(pt vg.Point) {
	c.m = c.m.then(affine{a: 1, c: float64(pt.X), e: 1, f: float64(pt.Y)})
}
func (c *textCanvas) Scale(x, y float64) { c.m = c.m.then(affine{a: x, e: y}) }

func (c *textCanvas) FillString(f font.Face, pt vg.Point, s string) {
	if f.Font.Size == 0 || s == "" {
		return
	}
	bottom := pt.Y - f.Extents().Descent
	corners := []vg.Point{
		{X: pt.X, Y: bottom}, {X: pt.X + f.Width(s), Y: bottom},
		{X: pt.X, Y: bottom + f.Font.Size}, {X: pt.X + f.Width(s), Y: bottom + f.Font.Size},
	}
	box := vg.Rectangle{Min: vg.Point{X: vg.Length(math.Inf(1)), Y: vg.Length(math.Inf(1))}, Max: vg.Point{X: vg.Length(math.Inf(-1)), Y: vg.Length(math.Inf(-1))}}
	for _, p := range corners {
		q := c.m.apply(p)
		box.Min.X, box.Min.Y = min(box.Min.X, q.X), min(box.Min.Y, q.Y)
		box.Max.X, box.Max.Y = max(box.Max.X, q.X), max(box.Max.Y, q.Y)
	}
	c.texts = append(c.texts, drawnText{s, box})
}

// drawnTexts draws f at its preferred size and returns every string it
// draws, with its box.
func drawnTexts(f *Figure) []drawnText {
	w, h := f.Size()
	c := newTextCanvas(w, h)
	f.Draw(draw.New(c))
	return c.texts
}

// overlap reports whether two boxes share more than a hair of area.
func overlap(a, b vg.Rectangle) bool {
	const hair = 0.05 // points: rounding, not a collision
	return a.Min.X < b.Max.X-hair && b.Min.X < a.Max.X-hair && a.Min.Y < b.Max.Y-hair && b.Min.Y < a.Max.Y-hair
}

// checkTextLayout checks that every string f draws lies inside the
// figure and that no two strings overlap.
func checkTextLayout(t *testing.T, f *Figure) {
	t.Helper()
	w, h := f.Size()
	texts := drawnTexts(f)
	if len(texts) == 0 {
		t.Fatal("no text drawn")
	}
	const hair = 0.05
	for _, d := range texts {
		if d.box.Min.X < -hair || d.box.Min.Y < -hair || d.box.Max.X > w+hair || d.box.Max.Y > h+hair {
			t.Errorf("%v: outside the %.1f × %.1f figure", d, w.Points(), h.Points())
		}
	}
	overlaps := 0
	for i, a := range texts {
		for _, b := range texts[i+1:] {
			if overlap(a.box, b.box) {
				if overlaps++; overlaps <= 10 {
					t.Errorf("%v overlaps %v", a, b)
				}
			}
		}
	}
	if overlaps > 10 {
		t.Errorf("... %d overlaps in all", overlaps)
	}
}

// plannedCores128 are the core counts parbench plans on 128 CPUs with 64
// physical cores.
var plannedCores128 = []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128}

// shippedStrategies are the names of every strategy parbench ships.
func shippedStrategies() []string {
	var out []string
	for _, k := range knownStrategies {
		out = append(out, k.name)
	}
	return out
}

// everyStrategy is a speedup series with a fit for every strategy
// parbench ships, at the given cores.
func everyStrategy(cores []int) []Series {
	var xs []float64
	for _, c := range cores {
		xs = append(xs, float64(c))
	}
	var out []Series
	for i, name := range shippedStrategies() {
		sigma, kappa := 0.005*float64(i), 2e-5*float64(i)
		s := sampleSpeedup(name, "", xs, usl(sigma, kappa), 0.02)
		s.FitLabel = fmt.Sprintf("USL σ=%.2g κ=%.2g", sigma, kappa)
		if name == "serial" {
			s = sampleSpeedup(name, "", xs, func(float64) float64 { return 1 }, 0.01)
			s.Fit = nil
		}
		out = append(out, s)
	}
	return out
}

// TestTextLayout draws every chart, and the charts of every shipped
// strategy on 2, 8 and 128 CPUs, and checks that no text overlaps other
// text or leaves the figure.
func TestTextLayout(t *testing.T) {
	type build func() (*Figure, error)
	cases := []struct {
		name  string
		build build
	}{}
	for _, f := range figures(t) {
		cases = append(cases, struct {
			name  string
			build build
		}{f.name, func() (*Figure, error) { return f.fig, nil }})
	}
	for _, cores := range [][]int{{1, 2}, {1, 2, 3, 4, 6, 8}, plannedCores128} {
		every := everyStrategy(cores)
		n := cores[len(cores)-1]
		for _, b := range []struct {
			name  string
			build build
		}{
			{fmt.Sprintf("speedup-every-%d", n), func() (*Figure, error) { return Speedup(chart128, every) }},
			{fmt.Sprintf("efficiency-every-%d", n), func() (*Figure, error) { return Efficiency(chart128, EfficiencyFromSpeedup(every)) }},
			{fmt.Sprintf("time-every-%d", n), func() (*Figure, error) { return Time(chart128, timesFrom(every, 3.1)) }},
			{fmt.Sprintf("efficiency-loss-every-%d", n), func() (*Figure, error) { return EfficiencyLoss(chart128, everyLossBars(cores)) }},
			{fmt.Sprintf("efficiency-loss-kinds-every-%d", n), func() (*Figure, error) { return EfficiencyLoss(chart128, idleKinds(everyLossBars(cores))) }},
			{fmt.Sprintf("overhead-every-%d", n), func() (*Figure, error) {
				return Overhead(chart128, sampleCategories, everyBreakdown(cores))
			}},
		} {
			cases = append(cases, b)
		}
	}
	for _, b := range []struct {
		name  string
		build build
	}{
		{"overhead, no overhead", func() (*Figure, error) {
			return Overhead(Chart{}, sampleCategories, []Breakdown{{Strategy: "pool", Cores: 1}})
		}},
		{"overhead, small shares", func() (*Figure, error) {
			return Overhead(chart, sampleCategories, []Breakdown{{Strategy: "pool", Cores: 1, Share: []float64{0.003, 0.001}}})
		}},
		{"efficiency loss, one bar", func() (*Figure, error) {
			return EfficiencyLoss(Chart{}, []LossBar{{Strategy: "serial", Cores: 1, Workers: 1, Efficiency: 1}})
		}},
		{"efficiency loss, long names and varied workers", func() (*Figure, error) {
			var bars []LossBar
			for _, s := range []string{"my-own-strategy-with-a-long-name", "pool", "perjob", "procpool", "perjob-unbounded", "static"} {
				for _, w := range []int{1, 2, 4, 8, 16} {
					bars = append(bars, LossBar{Strategy: s, Cores: 4, Workers: w, Efficiency: 0.5, Parts: []LossPart{{"idle", 0.5}}})
				}
			}
			return EfficiencyLoss(Chart{Title: strings.Repeat("a long workload description ", 8)}, bars)
		}},
	} {
		cases = append(cases, b)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			checkTextLayout(t, f)
			save(t, f, Filename(strings.ReplaceAll(tc.name, " ", "-"), PNG))
		})
	}
}

// everyLossBars are loss bars of every shipped strategy at the given
// cores, from the every-strategy speedups.
func everyLossBars(cores []int) []LossBar {
	var out []LossBar
	for _, s := range everyStrategy(cores) {
		for _, p := range s.Points {
			e := p.Y / p.X
			gap := 1 - e
			parts := fourParts(gap*0.3, gap*0.2, gap*0.4, gap*0.1)
			if s.Strategy == "serial" { // one worker: all idle but one core
				parts = fourParts(gap, 0, 0, 0)
			}
			out = append(out, LossBar{Strategy: s.Strategy, Cores: int(p.X), Workers: int(p.X), Efficiency: e, Parts: parts})
		}
	}
	return out
}

// everyBreakdown is a CPU-time breakdown of every shipped strategy at the
// given cores.
func everyBreakdown(cores []int) []Breakdown {
	var out []Breakdown
	for i, name := range shippedStrategies() {
		for _, c := range cores {
			k := math.Log2(float64(c)) + float64(i)/4
			out = append(out, Breakdown{Strategy: name, Cores: c,
				Share: []float64{0.9 - 0.02*k, 0.01 * k, 0.002 * k, 0.003 * k, 0.004 * k, 0.001 * k}})
		}
	}
	return out
}

// idleKinds splits each bar's idle part into the kinds of time no job
// ran, as a finer loss model would.
func idleKinds(bars []LossBar) []LossBar {
	kinds := []struct {
		name  string
		share float64
	}{{"ramp-up", 0.1}, {"starved", 0.2}, {"blocked", 0.15}, {"runnable", 0.15}, {"descheduled", 0.1}, {"awaiting release", 0.3}}
	out := make([]LossBar, len(bars))
	for i, b := range bars {
		out[i] = b
		out[i].Parts = nil
		for _, p := range b.Parts {
			if p.Name != "tail" {
				out[i].Parts = append(out[i].Parts, p)
				continue
			}
			for _, k := range kinds {
				out[i].Parts = append(out[i].Parts, LossPart{k.name, p.Value * k.share})
			}
		}
	}
	return out
}
