package plots

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"
)

// TestPanelGrid checks the grid of panels for the sweeps parbench plans:
// one row where every panel keeps slots of panelMinSlot or more, else
// fewer columns and balanced rows.
func TestPanelGrid(t *testing.T) {
	const width = panelFigureWidth - 2*figMargin - 40 // about the room beside the y axis
	for _, tt := range []struct {
		name              string
		panels, slots     int
		wantCols, wantRow int
	}{
		{"one strategy", 1, 14, 1, 1},
		{"make bench on 2 CPUs: one row", 5, 2, 5, 1},
		{"make bench on 8 CPUs: one row", 5, 6, 5, 1},
		{"make bench on 128 CPUs: 3 and 2", 5, 14, 3, 2},
		{"every strategy on 8 CPUs", 14, 6, 5, 3},
		{"every strategy on 128 CPUs: 4 columns", 14, 14, 4, 4},
		{"13 strategies on 128 CPUs", 13, 14, 4, 4},
		{"every core count of 32 CPUs: at most 5 rows", 15, 32, 3, 5},
		{"every core count of 128 CPUs: at most 5 rows", 14, 128, 3, 5},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cols, rows := panelGrid(tt.panels, tt.slots, width)
			if cols != tt.wantCols || rows != tt.wantRow {
				t.Errorf("%d panels of %d slots: %d columns × %d rows, want %d × %d", tt.panels, tt.slots, cols, rows, tt.wantCols, tt.wantRow)
			}
			if cols*rows < tt.panels || cols*(rows-1) >= tt.panels {
				t.Errorf("%d × %d for %d panels: want every panel placed and no empty row", cols, rows, tt.panels)
			}
		})
	}
}

func slotsOf(cores ...int) []barSlot {
	out := make([]barSlot, len(cores))
	for i, c := range cores {
		out[i] = barSlot{cores: c, label: strconv.Itoa(c)}
	}
	return out
}

func everyCore(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// labelled lists the labels coreLabels draws.
func labelled(slots []barSlot, on []bool) string {
	var out []string
	for i, s := range slots {
		if on[i] {
			out = append(out, s.label)
		}
	}
	return strings.Join(out, " ")
}

func TestCoreLabels(t *testing.T) {
	sty := textStyle(panelLabelSize)
	for _, tt := range []struct {
		name  string
		slots []barSlot
		slot  vg.Length
		want  string
	}{
		{"8 CPUs: all fit", slotsOf(1, 2, 3, 4, 6, 8), 12, "1 2 3 4 6 8"},
		{"128 CPUs, 4 columns: the powers of two", slotsOf(plannedCores128...), 6.7, "1 2 4 8 16 32 64 128"},
		{"128 CPUs, narrower: one crowding an end left out", slotsOf(plannedCores128...), 6, "1 4 8 16 32 128"},
		{"128 CPUs, narrower still: every other power of two", slotsOf(plannedCores128...), 3.5, "1 4 16 128"},
		{"96 CPUs: 64 crowds the end", slotsOf(1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96), 7, "1 2 4 8 16 32 96"},
		{"every core of 32", slotsOf(everyCore(32)...), 4, "1 4 8 16 32"},
		{"no powers of two between the ends: every m-th slot", slotsOf(1, 3, 5, 6, 7, 9, 10, 11), 4, "1 5 7 11"},
		{"too narrow for both ends: the last", slotsOf(1, 128), 5, "128"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := labelled(tt.slots, coreLabels(tt.slots, tt.slot, sty)); got != tt.want {
				t.Errorf("slots %v wide: labelled %q, want %q", tt.slot, got, tt.want)
			}
		})
	}
}

// TestCoreLabelsApart checks coreLabels' promise at every slot width from
// 1 to 30 points: the labels it picks are panelLabelGap or more apart,
// the last slot is labelled, and where every label fits they all are.
func TestCoreLabelsApart(t *testing.T) {
	sty := textStyle(panelLabelSize)
	workers := []barSlot{{1, "1"}, {2, "2 w2"}, {2, "2 w8"}, {4, "4 w4"}, {4, "4 w16"}, {8, "8"}}
	for _, slots := range [][]barSlot{slotsOf(plannedCores128...), slotsOf(everyCore(32)...), slotsOf(everyCore(128)...), slotsOf(1, 2), workers} {
		for slot := vg.Length(1); slot <= 30; slot += 0.25 {
			t.Run(fmt.Sprintf("%d slots %v wide", len(slots), slot), func(t *testing.T) {
				on := coreLabels(slots, slot, sty)
				if !on[len(on)-1] {
					t.Errorf("last slot %q not labelled", slots[len(slots)-1].label)
				}
				prev, fitsAll, drawn := -1, true, 0
				for i := range slots {
					if i > 0 && slot < (sty.Width(slots[i-1].label)+sty.Width(slots[i].label))/2+panelLabelGap {
						fitsAll = false
					}
					if !on[i] {
						continue
					}
					if prev >= 0 {
						gap := vg.Length(i-prev)*slot - (sty.Width(slots[prev].label)+sty.Width(slots[i].label))/2
						if gap < panelLabelGap-1e-9 {
							t.Errorf("%q and %q %.2f pt apart, want %v or more (%s)", slots[prev].label, slots[i].label, gap, panelLabelGap, labelled(slots, on))
						}
					}
					prev = i
					drawn++
				}
				if fitsAll && drawn != len(slots) {
					t.Errorf("every label fits, but only %q are drawn", labelled(slots, on))
				}
			})
		}
	}
}

// TestPanelLayout checks the layout of the panels of every shipped
// strategy on 128 CPUs at the figure's size: the panels lie inside the
// area, side by side without touching, and every data area is tall
// enough to read.
func TestPanelLayout(t *testing.T) {
	f, err := EfficiencyLoss(chart128, everyLossBars(plannedCores128))
	if err != nil {
		t.Fatal(err)
	}
	area := f.panelArea()
	l := f.panels.layout(area)
	if len(l.data) != len(f.panels.panels) {
		t.Fatalf("%d data areas for %d panels", len(l.data), len(f.panels.panels))
	}
	for i, d := range l.data {
		if d.Min.X < area.Min.X || d.Max.X > area.Max.X+1e-9 || d.Min.Y < area.Min.Y || d.Max.Y > area.Max.Y {
			t.Errorf("panel %d at %v: outside the area %v", i, d, area)
		}
		if h := d.Max.Y - d.Min.Y; h < 0.8*vg.Inch {
			t.Errorf("panel %d: %.1f pt tall, want 0.8 in or more", i, h.Points())
		}
		for j, e := range l.data[:i] {
			if overlap(d, e) {
				t.Errorf("panels %d and %d overlap: %v, %v", j, i, e, d)
			}
		}
	}
}
