package plots

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/parbench/parbench/internal/golden"
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
			LossBar{Strategy: "pool", Cores: c, Workers: c, Idle: idle, Overhead: 0.01, Slowdown: 0.02 * math.Log2(k), Unexplained: 0.005},
			LossBar{Strategy: "procpool", Cores: c, Workers: c, Idle: 2 * idle, Overhead: 0.08, Slowdown: math.NaN(), Unexplained: -0.01, Combined: true},
			LossBar{Strategy: "perjob", Cores: c, Workers: c, Idle: idle, Overhead: 0.04, Slowdown: 0.02 * math.Log2(k), Unexplained: 0.01},
		)
	}
	for i := range out {
		b := &out[i]
		b.Efficiency = 1 - b.Idle - b.Overhead - nanZero(b.Slowdown) - b.Unexplained
	}
	return out
}

func nanZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

func TestEfficiencyLossGolden(t *testing.T) {
	lc, err := efficiencyLossChart(chart, sampleLossBars([]int{1, 2, 4}))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	lc.dump(&b)
	golden.Check(t, filepath.Join("testdata", "efficiency-loss.golden"), b.Bytes())
}

func TestEfficiencyLossLayout(t *testing.T) {
	oversub := []LossBar{
		{Strategy: "pool", Cores: 2, Workers: 2, Efficiency: 0.9, Idle: 0.1},
		{Strategy: "pool", Cores: 2, Workers: 8, Efficiency: 0.8, Idle: 0.2},
	}
	tests := []struct {
		name       string
		bars       []LossBar
		wantYMax   float64
		wantRotate bool
		wantLabels string
		wantNote   bool // parts below zero left out
	}{
		{"a part below zero left out: axis to the tallest bar", sampleLossBars([]int{1, 2}), 101, false, "1 2 1 2 1 2", true},
		{"efficiency above ideal: axis past 100%", []LossBar{{Strategy: "pool", Cores: 2, Workers: 2, Efficiency: 1.1, Idle: 0.02, Unexplained: -0.12}}, 112, false, "2", true},
		{"workers varied at one core count: named", oversub, 100, false, "2 w2 2 w8", false},
		{"many core counts: labels turned", sampleLossBars([]int{1, 2, 4, 8, 16, 32, 64, 128}), 101, true, "", true},
		{"parts up to 100%", []LossBar{{Strategy: "pool", Cores: 2, Workers: 2, Efficiency: 0.8, Idle: 0.1, Overhead: 0.1}}, 100, false, "2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lc, err := efficiencyLossChart(Chart{}, tt.bars)
			if err != nil {
				t.Fatal(err)
			}
			if lc.y.min != 0 || math.Abs(lc.y.max-tt.wantYMax) > 1e-9 {
				t.Errorf("y axis [%g, %g], want [0, %g]", lc.y.min, lc.y.max, tt.wantYMax)
			}
			if lc.rotate != tt.wantRotate {
				t.Errorf("rotate %v, want %v", lc.rotate, tt.wantRotate)
			}
			if tt.wantLabels != "" {
				var labels []string
				for _, b := range lc.bars {
					labels = append(labels, b.label)
				}
				if got := strings.Join(labels, " "); got != tt.wantLabels {
					t.Errorf("labels %q, want %q", got, tt.wantLabels)
				}
			}
			if got := strings.Contains(lc.caption, "not drawn"); got != tt.wantNote {
				t.Errorf("caption %q: note on parts below zero %v, want %v", lc.caption, got, tt.wantNote)
			}
			for _, b := range lc.bars {
				for part, v := range b.stack {
					if v < 0 || math.IsNaN(v) {
						t.Errorf("bar %q: %s = %g, want a height of 0 or more", b.label, lossPartNames[part], v)
					}
				}
			}
		})
	}
}

// TestEfficiencyLossStacks checks that the bars stack the parts in order,
// bottom up, to the bar's total.
func TestEfficiencyLossStacks(t *testing.T) {
	bars := []LossBar{{Strategy: "pool", Cores: 2, Workers: 2, Efficiency: 0.77, Idle: 0.1, Overhead: 0.05, Slowdown: 0.08, Unexplained: 0}}
	lc, err := efficiencyLossChart(Chart{}, bars)
	if err != nil {
		t.Fatal(err)
	}
	want := [numLossParts]float64{lossEfficiency: 77, lossIdle: 10, lossOverhead: 5, lossSlowdown: 8}
	for part, v := range lc.bars[0].stack {
		if math.Abs(v-want[part]) > 1e-9 {
			t.Errorf("%s = %g%%, want %g%%", lossPartNames[part], v, want[part])
		}
	}
	f, err := lc.figure()
	if err != nil {
		t.Fatal(err)
	}
	var legend []string
	for _, e := range f.legend {
		legend = append(legend, e.text)
	}
	if got, want := strings.Join(legend, ", "), "slowdown, overhead, idle, efficiency (measured)"; got != want {
		t.Errorf("legend %q, want %q (top of the stack first, parts no bar has left out)", got, want)
	}
	// The BarCharts drawn stack the parts to the bar's total.
	charts, err := lc.barCharts()
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != numLossParts {
		t.Fatalf("%d bar charts, want one per part: %d", len(charts), numLossParts)
	}
	if top := charts[len(charts)-1].BarHeight(0); math.Abs(top-100) > 1e-9 {
		t.Errorf("stack reaches %g%%, want 100%%", top)
	}
	if mid := charts[lossOverhead].BarHeight(0); math.Abs(mid-92) > 1e-9 {
		t.Errorf("efficiency, idle and overhead reach %g%%, want 92%%", mid)
	}
}

// TestEfficiencyLossBarWidth checks that bars leave a gap between them
// whether the legend sits beside the plot (four parts) or below it (the
// long name of the combined part).
func TestEfficiencyLossBarWidth(t *testing.T) {
	full := lossFigureWidth - 2*figMargin - 45
	for _, tt := range []struct {
		name   string
		bars   []LossBar
		beside bool
	}{
		{"legend beside the plot", []LossBar{
			{Strategy: "pool", Cores: 1, Workers: 1, Efficiency: 0.9, Idle: 0.05, Overhead: 0.03, Slowdown: 0.02},
			{Strategy: "pool", Cores: 2, Workers: 2, Efficiency: 0.8, Idle: 0.1, Overhead: 0.05, Slowdown: 0.05},
		}, true},
		{"legend below the plot", sampleLossBars([]int{1, 2}), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			lc, err := efficiencyLossChart(Chart{}, tt.bars)
			if err != nil {
				t.Fatal(err)
			}
			if got := lc.dataWidth() < full; got != tt.beside {
				t.Errorf("data width %v of %v: legend beside %v, want %v", lc.dataWidth(), full, got, tt.beside)
			}
			charts, err := lc.barCharts()
			if err != nil {
				t.Fatal(err)
			}
			slot := lc.dataWidth() / vg.Length(lc.x.max-lc.x.min)
			if w := charts[0].Width; !(w < slot) || w < slot/2 {
				t.Errorf("bar width %v for a slot of %v: want a bar that leaves a gap and fills half or more", w, slot)
			}
		})
	}
}

func TestEfficiencyLossErrors(t *testing.T) {
	good := func() LossBar { return LossBar{Strategy: "pool", Cores: 4, Workers: 4, Efficiency: 0.9, Idle: 0.1} }
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
		{"infinite loss", with(func(b *LossBar) { b.Slowdown = math.Inf(1) }), "a loss is infinite"},
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
