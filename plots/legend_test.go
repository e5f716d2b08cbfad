package plots

import (
	"fmt"
	"testing"

	"gonum.org/v1/plot/vg"
)

// TestLegendBelowGrowsFigure: a legend too wide for the right side goes
// below the plot, and the figure grows by its height instead of squeezing
// the data area.
func TestLegendBelowGrowsFigure(t *testing.T) {
	series := func(machines int) []Series {
		var out []Series
		for m := range machines {
			for _, s := range []string{"serial", "pool", "perjob", "procpool"} {
				out = append(out, Series{Strategy: s, Machine: fmt.Sprintf("a-rather-long-machine-name-%d", m),
					Points: []Point{{X: 1, Y: 1, Low: 1, High: 1}, {X: 2, Y: 1.8, Low: 1.7, High: 1.9}}})
			}
		}
		return out
	}
	tests := []struct {
		name     string
		machines int
		taller   bool
	}{
		{"one machine, legend on the right", 1, false},
		{"three machines, legend below", 3, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := series(tt.machines)
			if tt.machines == 1 {
				for i := range s {
					s[i].Machine = ""
				}
			}
			fig, err := Speedup(Chart{Title: "t"}, s)
			if err != nil {
				t.Fatal(err)
			}
			_, h := fig.Size()
			if got := h > 4*vg.Inch; got != tt.taller {
				t.Errorf("height %v: taller than 4in = %v, want %v", h, got, tt.taller)
			}
		})
	}
}

// TestLegendPlacement: a legend goes beside the plot only where it is
// narrow and, in one column, no taller than the plot; otherwise below it,
// and the figure grows by its height.
func TestLegendPlacement(t *testing.T) {
	for _, tt := range []struct {
		name   string
		series []Series
		below  bool
	}{
		{"five strategies with fits: beside", oneMachine(), false},
		{"every strategy, no fits: beside", timesFrom(everyStrategy(plannedCores128), 1), false},
		{"every strategy with fits: too tall, below", everyStrategy(plannedCores128), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Speedup(chart128, tt.series)
			if err != nil {
				t.Fatal(err)
			}
			if f.legendBelow != tt.below {
				t.Errorf("legend below: got %v, want %v", f.legendBelow, tt.below)
			}
			_, h := f.Size()
			if got := h > 4*vg.Inch; got != tt.below {
				t.Errorf("height %v: taller than 4in = %v, want %v", h, got, tt.below)
			}
			if tt.below {
				return
			}
			plot := f.plotArea(vg.Rectangle{Max: vg.Point{X: f.width, Y: f.height}})
			if lh := newLegendLayout(f.legend).columnHeight(); lh > plot.Max.Y-plot.Min.Y {
				t.Errorf("legend beside the plot %.1f pt tall in a plot area %.1f pt tall", lh.Points(), (plot.Max.Y - plot.Min.Y).Points())
			}
		})
	}
}
