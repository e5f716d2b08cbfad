package plots

import (
	"bytes"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/golden"
)

func TestOverheadGolden(t *testing.T) {
	f, err := Overhead(chart, sampleCategories, sampleBreakdowns([]int{1, 4, 8}, true)[:6])
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	dumpPanels(&b, f)
	golden.Check(t, filepath.Join("testdata", "overhead"+".golden"), b.Bytes())
}

func TestOverheadLayout(t *testing.T) {
	for _, tc := range []struct {
		name     string
		b        []Breakdown
		wantYMax float64
	}{
		{"small overheads: axis fits the bars", sampleBreakdowns([]int{1, 2, 4, 8}, false), 40},
		{"whole CPU time: axis to 100%", sampleBreakdowns([]int{1, 2, 4, 8}, true), 100},
		{"8 core counts", sampleBreakdowns([]int{1, 2, 4, 8, 16, 32, 64, 128}, true), 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bp, err := overheadChart(Chart{}, sampleCategories, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if bp.ymax != tc.wantYMax {
				t.Errorf("y axis to %g, want %g", bp.ymax, tc.wantYMax)
			}
			var names []string
			for _, p := range bp.panels {
				names = append(names, p.title)
				if len(p.bars) != len(bp.slots) {
					t.Errorf("%s: %d bars, want one in each of %d slots", p.title, len(p.bars), len(bp.slots))
				}
			}
			if got, want := strings.Join(names, " "), "perjob perjob-unbounded pool procpool"; got != want {
				t.Errorf("panels: got %q, want %q", got, want)
			}
		})
	}
}

func TestOverheadErrors(t *testing.T) {
	good := func() Breakdown {
		return Breakdown{Strategy: "pool", Cores: 4, Share: []float64{0.1, 0.1, 0, 0, 0, 0}}
	}
	with := func(f func(*Breakdown)) []Breakdown {
		b := good()
		f(&b)
		return []Breakdown{b}
	}
	for _, tc := range []struct {
		name string
		in   []Breakdown
		want string
	}{
		{"empty", nil, "overhead: no breakdowns"},
		{"no strategy", with(func(b *Breakdown) { b.Strategy = "" }), "breakdown 0 has no strategy name"},
		{"zero cores", with(func(b *Breakdown) { b.Cores = 0 }), "pool/0: cores must be positive"},
		{"NaN share", with(func(b *Breakdown) { b.Share[catGC] = math.NaN() }), "pool/4: GC share NaN is not in [0, 1]"},
		{"Inf share", with(func(b *Breakdown) { b.Share[catKernel] = math.Inf(1) }), "pool/4: kernel share +Inf is not in [0, 1]"},
		{"negative share", with(func(b *Breakdown) { b.Share[catSyscalls] = -0.1 }), "syscalls/pipe I/O share -0.1 is not in [0, 1]"},
		{"shares over 1", with(func(b *Breakdown) { b.Share[catOther] = 0.9 }), "pool/4: shares add up to 1.1, more than 1"},
		{"twice", []Breakdown{good(), good()}, "pool/4 appears twice"},
		{"more shares than categories", with(func(b *Breakdown) { b.Share = append(b.Share, 0) }), "pool/4: 7 shares for 6 categories"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Overhead(Chart{}, sampleCategories, tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) || f != nil {
				t.Errorf("got %v, %v; want no figure and an error containing %q", f, err, tc.want)
			}
		})
	}
}
