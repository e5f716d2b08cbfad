package plots

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/golden"
	"gonum.org/v1/plot/vg"
)

// sampleLossBars are the bars of a sweep at the given cores: each bar's
// parts add up to 1, pool's slowdown grows with cores, procpool has no
// profile (overhead and slowdown as one part) and perjob one part below
// zero.
func sampleLossBars(cores []int) []LossBar {
	var out []LossBar
	for _, c := range cores {
		k := float64(c)
		idle := 0.01 * math.Log2(2*k)
		out = append(out,
			LossBar{Strategy: "pool", Cores: c, Workers: c, Parts: fourParts(idle, 0.01, 0.02*math.Log2(k), 0.005)},
			LossBar{Strategy: "procpool", Cores: c, Workers: c, Parts: []LossPart{
				{"tail", 2 * idle}, {"descheduled", 0.08}, {"runnable", math.NaN()}, {"unexplained", -0.01}}},
			LossBar{Strategy: "perjob", Cores: c, Workers: c, Parts: fourParts(idle, 0.04, 0.02*math.Log2(k), 0.01)},
		)
	}
	for i := range out {
		b := &out[i]
		b.Efficiency = 1
		for _, p := range b.Parts {
			b.Efficiency -= nanZero(p.Value)
		}
	}
	return out
}

// fourParts are four of the loss model's parts: the time no job ran (as
// tail), the CPU between jobs, the jobs' slowdown and the rest.
func fourParts(idle, overhead, slowdown, unexplained float64) []LossPart {
	return []LossPart{{"tail", idle}, {"overhead between jobs", overhead}, {"slowdown", slowdown}, {"unexplained", unexplained}}
}

func nanZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func TestEfficiencyLossGolden(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    Chart
		bars []LossBar
	}{
		{"efficiency-loss", chart, sampleLossBars([]int{1, 2, 4})},
		// Every strategy parbench ships, at every core count it plans on
		// 128 CPUs: the panels, and which cores are labelled.
		{"efficiency-loss-128", chart128, everyLossBars(plannedCores128)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := EfficiencyLoss(tt.c, tt.bars)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			dumpPanels(&b, f)
			golden.Check(t, filepath.Join("testdata", tt.name+".golden"), b.Bytes())
		})
	}
}

func TestEfficiencyLossLayout(t *testing.T) {
	oversub := []LossBar{
		{Strategy: "pool", Cores: 2, Workers: 2, Efficiency: 0.9, Parts: []LossPart{{"idle", 0.1}}},
		{Strategy: "pool", Cores: 2, Workers: 8, Efficiency: 0.8, Parts: []LossPart{{"idle", 0.2}}},
		{Strategy: "perjob", Cores: 2, Workers: 2, Efficiency: 0.85, Parts: []LossPart{{"idle", 0.15}}},
	}
	tests := []struct {
		name       string
		bars       []LossBar
		wantYMax   float64
		wantSlots  string
		wantPanels string
		wantNote   bool // parts below zero left out
	}{
		{"a part below zero left out: axis to the tallest bar", sampleLossBars([]int{1, 2}), 101, "1 2", "perjob pool procpool", true},
		{"efficiency above ideal: axis past 100%", []LossBar{{Strategy: "pool", Cores: 2, Workers: 2, Efficiency: 1.1, Parts: fourParts(0.02, 0, 0, -0.12)}}, 112, "2", "pool", true},
		{"workers varied at one core count: named, in a slot each", oversub, 100, "2 2 w2 2 w8", "perjob pool", false},
		{"parts up to 100%", []LossBar{{Strategy: "pool", Cores: 2, Workers: 2, Efficiency: 0.8, Parts: []LossPart{{"tail", 0.1}, {"overhead between jobs", 0.1}}}}, 100, "2", "pool", false},
		{"a strategy without some core counts: the slots are shared", []LossBar{
			{Strategy: "pool", Cores: 1, Workers: 1, Efficiency: 1}, {Strategy: "pool", Cores: 4, Workers: 4, Efficiency: 0.9},
			{Strategy: "serial", Cores: 1, Workers: 1, Efficiency: 1}, {Strategy: "serial", Cores: 2, Workers: 1, Efficiency: 0.5},
		}, 100, "1 2 4", "serial pool", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bp, err := efficiencyLossChart(Chart{}, tt.bars)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(bp.ymax-tt.wantYMax) > 1e-9 {
				t.Errorf("y axis to %g, want %g", bp.ymax, tt.wantYMax)
			}
			var slots, panels []string
			for _, s := range bp.slots {
				slots = append(slots, s.label)
			}
			for _, p := range bp.panels {
				panels = append(panels, p.title)
			}
			if got := strings.Join(slots, " "); got != tt.wantSlots {
				t.Errorf("slots %q, want %q", got, tt.wantSlots)
			}
			if got := strings.Join(panels, " "); got != tt.wantPanels {
				t.Errorf("panels %q, want %q", got, tt.wantPanels)
			}
			if got := strings.Contains(bp.caption, "not drawn"); got != tt.wantNote {
				t.Errorf("caption %q: note on parts below zero %v, want %v", bp.caption, got, tt.wantNote)
			}
			for _, p := range bp.panels {
				for _, b := range p.bars {
					for part, v := range b.stack {
						if v < 0 || math.IsNaN(v) {
							t.Errorf("%s at %q: %s = %g, want a height of 0 or more", p.title, bp.slots[b.slot].label, bp.parts[part].name, v)
						}
					}
				}
			}
		})
	}
}

// TestEfficiencyLossParts checks that the parts are the caller's: stacked
// and coloured by name, whatever their order in a bar, with names the
// chart does not know below the unexplained rest in colours of their own.
func TestEfficiencyLossParts(t *testing.T) {
	tests := []struct {
		name   string
		parts  []LossPart
		want   string // the stack, bottom up, with each part's percent
		legend string
	}{
		{"four parts, in any order",
			[]LossPart{{"unexplained", 0.01}, {"slowdown", 0.08}, {"tail", 0.1}, {"overhead between jobs", 0.05}},
			"efficiency (measured)=76 tail=10 overhead between jobs=5 slowdown=8 unexplained=1",
			"unexplained, slowdown, overhead between jobs, tail, efficiency (measured)"},
		{"a part not measured or zero: not in the legend",
			[]LossPart{{"tail", 0.1}, {"overhead between jobs", 0.15}, {"slowdown", math.NaN()}, {"unexplained", 0}},
			"efficiency (measured)=75 tail=10 overhead between jobs=15",
			"overhead between jobs, tail, efficiency (measured)"},
		{"every part of the loss model",
			[]LossPart{{"descheduled", 0.02}, {"runnable", 0.01}, {"blocked", 0.03}, {"preempted", 0.01}, {"ramp-up", 0.01}, {"tail", 0.04},
				{"starved", 0.02}, {"awaiting release", 0.01}, {"overhead between jobs", 0.05}, {"slowdown", 0.03}, {"unexplained", 0.03}},
			"efficiency (measured)=74 descheduled=2 runnable=1 blocked=3 preempted=1 ramp-up=1 starved=2 awaiting release=1 tail=4 overhead between jobs=5 slowdown=3 unexplained=3",
			"unexplained, slowdown, overhead between jobs, tail, awaiting release, starved, ramp-up, preempted, blocked, runnable, descheduled, efficiency (measured)"},
		{"names the chart does not know: below the rest, in the order given",
			[]LossPart{{"unexplained", 0.02}, {"numa", 0.03}, {"tail", 0.1}, {"gc assist", 0.05}},
			"efficiency (measured)=80 tail=10 numa=3 gc assist=5 unexplained=2",
			"unexplained, gc assist, numa, tail, efficiency (measured)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := 1.0
			for _, p := range tt.parts {
				e -= nanZero(p.Value)
			}
			bars := []LossBar{{Strategy: "pool", Cores: 2, Workers: 2, Efficiency: e, Parts: tt.parts}}
			bp, err := efficiencyLossChart(Chart{}, bars)
			if err != nil {
				t.Fatal(err)
			}
			var stack []string
			colors := map[color.RGBA]string{}
			for part, v := range bp.panels[0].bars[0].stack {
				p := bp.parts[part]
				if other, ok := colors[p.color]; ok {
					t.Errorf("%s and %s have the same colour %s", other, p.name, hexColor(p.color))
				}
				colors[p.color] = p.name
				if v != 0 {
					stack = append(stack, fmt.Sprintf("%s=%s", p.name, fmtNum(math.Round(v*1e6)/1e6)))
				}
			}
			if got := strings.Join(stack, " "); got != tt.want {
				t.Errorf("stack %q,\nwant  %q", got, tt.want)
			}
			var legend []string
			for _, e := range lossLegend(bp) {
				legend = append(legend, e.text)
			}
			if got := strings.Join(legend, ", "); got != tt.legend {
				t.Errorf("legend %q,\nwant   %q (top of the stack first, parts no bar has left out)", got, tt.legend)
			}
		})
	}
}

// TestLossPartColors checks that a part has the same colour whatever
// else is in the chart, and that no two parts share one.
func TestLossPartColors(t *testing.T) {
	seen := map[color.RGBA]string{hexToRGBA(t, hexColor(blue)): lossEfficiencyName}
	for _, p := range lossParts {
		if other, ok := seen[p.color]; ok {
			t.Errorf("%s and %s have the same colour %s", other, p.name, hexColor(p.color))
		}
		seen[p.color] = p.name
		alone := lossPartOrder([]string{p.name})
		if len(alone) != 1 || alone[0] != p {
			t.Errorf("%s alone: got %v, want %v", p.name, alone, p)
		}
	}
	for _, c := range otherLossColors {
		if other, ok := seen[c]; ok {
			t.Errorf("a part the chart does not know would look like %s: %s", other, hexColor(c))
		}
	}
}

func hexToRGBA(t *testing.T, s string) color.RGBA {
	t.Helper()
	var c color.RGBA
	if _, err := fmt.Sscanf(s, "#%02x%02x%02x", &c.R, &c.G, &c.B); err != nil {
		t.Fatal(err)
	}
	c.A = 0xff
	return c
}

func TestEfficiencyLossErrors(t *testing.T) {
	good := func() LossBar {
		return LossBar{Strategy: "pool", Cores: 4, Workers: 4, Efficiency: 0.9, Parts: []LossPart{{"idle", 0.1}}}
	}
	with := func(f func(*LossBar)) []LossBar {
		b := good()
		f(&b)
		return []LossBar{b}
	}
	for _, tt := range []struct {
		name string
		in   []LossBar
		want string
	}{
		{"empty", nil, "efficiency loss: no bars"},
		{"no strategy", with(func(b *LossBar) { b.Strategy = "" }), "bar 0 has no strategy name"},
		{"zero cores", with(func(b *LossBar) { b.Cores = 0 }), "pool/0/w4: cores must be positive"},
		{"NaN efficiency", with(func(b *LossBar) { b.Efficiency = math.NaN() }), "efficiency NaN is not a number"},
		{"negative efficiency", with(func(b *LossBar) { b.Efficiency = -1 }), "efficiency -1 is not a number"},
		{"infinite loss", with(func(b *LossBar) { b.Parts = append(b.Parts, LossPart{"slowdown", math.Inf(1)}) }), `pool/4/w4: loss "slowdown" is infinite`},
		{"a part without a name", with(func(b *LossBar) { b.Parts = append(b.Parts, LossPart{"", 0.1}) }), `pool/4/w4: part 1 is named ""`},
		{"a part named as the efficiency", with(func(b *LossBar) { b.Parts[0].Name = lossEfficiencyName }), `part 0 is named "efficiency (measured)"`},
		{"a part twice", with(func(b *LossBar) { b.Parts = append(b.Parts, LossPart{"idle", 0.1}) }), `pool/4/w4: loss "idle" appears twice`},
		{"twice", []LossBar{good(), good()}, "pool/4/w4 appears twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := EfficiencyLoss(Chart{}, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) || f != nil {
				t.Errorf("got %v, %v; want no figure and an error containing %q", f, err, tt.want)
			}
		})
	}
}

func TestEfficiencyLossRender(t *testing.T) {
	for _, tt := range []struct {
		name string
		c    Chart
		bars []LossBar
	}{
		{"efficiency-loss", chart, sampleLossBars([]int{1, 2, 4, 8})},
		{"efficiency-loss-128", chart128, sampleLossBars([]int{1, 2, 4, 8, 16, 32, 64, 128})},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := EfficiencyLoss(tt.c, tt.bars)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := f.Encode(&b, PNG, Options{DPI: testDPI}); err != nil {
				t.Fatal(err)
			}
			w, h := f.Size()
			checkPNG(t, b.Bytes(), int(w/vg.Inch*testDPI+0.5), int(h/vg.Inch*testDPI+0.5), testDPI)
			for _, format := range []Format{SVG, PDF} {
				b.Reset()
				if err := f.Encode(&b, format, Options{}); err != nil || b.Len() == 0 {
					t.Errorf("%s: %d bytes, %v", format, b.Len(), err)
				}
			}
			save(t, f, Filename(tt.name, PNG))
		})
	}
}
