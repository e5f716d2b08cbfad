package plots

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// LossBar is one configuration's measured efficiency and the losses that
// bring it up to ideal, each a fraction of ideal (0.05 is 5 points).
type LossBar struct {
	Strategy       string
	Cores, Workers int
	Efficiency     float64
	// Parts are the losses, by name, in any order: every chart stacks and
	// colours a name the same way (see EfficiencyLoss). A part may be
	// missing, or NaN where it was not measured: it is drawn as nothing.
	Parts []LossPart
}

// LossPart is one named part of the gap between a configuration's
// efficiency and ideal, a fraction of ideal. Its name is the legend's
// text.
type LossPart struct {
	Name  string
	Value float64
}

// lossEfficiencyName is the legend's name for the measured efficiency, the
// bottom of every bar.
const lossEfficiencyName = "efficiency (measured)"

// EfficiencyLoss draws, for each configuration, a stacked bar of its
// measured efficiency at the bottom and its losses above it, up to 100%
// of ideal, in a panel per strategy (in the order of the other charts),
// the bars of a panel ordered by cores and then workers.
//
// The parts are whatever the caller names. A name parbench's loss model
// uses has a fixed place in the stack and a fixed colour, the same in
// every chart: the time no job ran (idle, or its kinds: ramp-up, starved,
// blocked, runnable, descheduled, tail) lowest, then overhead and
// slowdown (or "overhead + slowdown (no profile)", the two that CPU time
// alone cannot tell apart), and the unexplained rest on top. Any other name is stacked
// below the unexplained rest, in the order the bars first name it, in a
// colour no known part has. The legend lists the parts some bar has, top
// of the stack first. A part below zero, where a configuration did better
// than the baseline at it, cannot be stacked: it is left out, and the
// caption says so.
func EfficiencyLoss(c Chart, bars []LossBar) (*Figure, error) {
	bp, err := efficiencyLossChart(c, bars)
	if err != nil {
		return nil, err
	}
	return panelFigure(bp, lossLegend(bp)), nil
}

func efficiencyLossChart(c Chart, in []LossBar) (*barPanels, error) {
	if len(in) == 0 {
		return nil, errors.New("plots: efficiency loss: no bars")
	}
	type key struct {
		strategy       string
		cores, workers int
	}
	seen := map[key]bool{}
	var names []string // every part's name, in the order first seen
	for i, b := range in {
		name := fmt.Sprintf("%s/%d/w%d", b.Strategy, b.Cores, b.Workers)
		switch {
		case b.Strategy == "":
			return nil, fmt.Errorf("plots: efficiency loss: bar %d has no strategy name", i)
		case b.Cores <= 0:
			return nil, fmt.Errorf("plots: efficiency loss: %s: cores must be positive", name)
		case seen[key{b.Strategy, b.Cores, b.Workers}]:
			return nil, fmt.Errorf("plots: efficiency loss: %s appears twice", name)
		case math.IsNaN(b.Efficiency) || math.IsInf(b.Efficiency, 0) || b.Efficiency < 0:
			return nil, fmt.Errorf("plots: efficiency loss: %s: efficiency %g is not a number of 0 or more", name, b.Efficiency)
		}
		seen[key{b.Strategy, b.Cores, b.Workers}] = true
		for j, p := range b.Parts {
			switch {
			case p.Name == "" || p.Name == lossEfficiencyName:
				return nil, fmt.Errorf("plots: efficiency loss: %s: part %d is named %q", name, j, p.Name)
			case math.IsInf(p.Value, 0):
				return nil, fmt.Errorf("plots: efficiency loss: %s: loss %q is infinite", name, p.Name)
			case slices.ContainsFunc(b.Parts[:j], func(q LossPart) bool { return q.Name == p.Name }):
				return nil, fmt.Errorf("plots: efficiency loss: %s: loss %q appears twice", name, p.Name)
			}
			if !slices.Contains(names, p.Name) {
				names = append(names, p.Name)
			}
		}
	}
	parts := append([]barPart{{name: lossEfficiencyName, color: blue}}, lossPartOrder(names)...)
	index := map[string]int{}
	for i, p := range parts {
		index[p.name] = i
	}

	bars := make([]stackedBar, len(in))
	top, negative := 100.0, false
	for i, b := range in {
		bar := stackedBar{strategy: b.Strategy, cores: b.Cores, workers: b.Workers, stack: make([]float64, len(parts))}
		values := append([]LossPart{{lossEfficiencyName, b.Efficiency}}, b.Parts...)
		sum := 0.0
		for _, p := range values {
			switch {
			case math.IsNaN(p.Value) || p.Value == 0:
				continue
			case p.Value < 0:
				negative = true
				continue
			}
			bar.stack[index[p.Name]] = 100 * p.Value
			sum += 100 * p.Value
		}
		top = max(top, sum)
		bars[i] = bar
	}
	caption := c.Caption
	if negative {
		note := "Parts below zero (better than serial on 1 core at it) are not drawn; summary.txt has them."
		if caption != "" {
			caption += " · "
		}
		caption += note
	}
	// To 100%, or to the tallest bar where one is taller: efficiency
	// above ideal, or a part below zero left out.
	ymax := 100.0
	if top > 100+sumSlack {
		ymax = top
	}
	c.Caption = caption
	return newBarPanels(c, "share of ideal (%)", ymax, parts, bars, panelFigureWidth), nil
}

// lossLegend is the legend of an efficiency-loss chart: the parts some bar
// has, top of the stack first.
func lossLegend(bp *barPanels) []legendEntry {
	var out []legendEntry
	for part := len(bp.parts) - 1; part >= 0; part-- {
		used := slices.ContainsFunc(bp.panels, func(p barPanel) bool {
			return slices.ContainsFunc(p.bars, func(b panelBar) bool { return b.stack[part] != 0 })
		})
		if used {
			out = append(out, legendEntry{text: bp.parts[part].name, thumb: swatch{bp.parts[part].color}})
		}
	}
	return out
}
