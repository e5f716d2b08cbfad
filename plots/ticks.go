package plots

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// axisScale is how an axis maps values to positions.
type axisScale int

const (
	linearAxis axisScale = iota
	log2Axis             // log scale with ticks at powers of two
	log10Axis            // log scale with ticks at 1, 2 and 5 times powers of ten
)

func (s axisScale) String() string {
	return [...]string{"linear", "log2", "log10"}[s]
}

// axis is everything a chart decides about one axis, before drawing.
type axis struct {
	label    string
	scale    axisScale
	inverted bool // values grow downwards (timeline rows)
	min, max float64
	ticks    []plot.Tick
}

// coresAxis is the x axis of the line charts: linear from 0 with integer
// ticks, or log2 from the fewest to the most cores with ticks at powers of
// two.
func coresAxis(c Chart, xmin, xmax float64) axis {
	name := c.XLabel
	if name == "" {
		name = "cores"
	}
	s := c.XScale
	if s == ScaleAuto {
		s = ScaleLinear
		if xmax >= 32*xmin {
			s = ScaleLog2
		}
	}
	if s == ScaleLog2 {
		return axis{label: name + " (log scale)", scale: log2Axis, min: xmin, max: xmax, ticks: log2Ticks(xmin, xmax)}
	}
	return axis{label: name, scale: linearAxis, min: 0, max: xmax, ticks: integerTicks(xmax)}
}

// integerTicks labels 1 and multiples of a power-of-two step up to max,
// with at most about ten labels.
func integerTicks(max float64) []plot.Tick {
	step := 1.0
	for max/step > 10 {
		step *= 2
	}
	ticks := []plot.Tick{{Value: 1, Label: "1"}}
	for v := step; v <= max; v += step {
		if v != 1 {
			ticks = append(ticks, plot.Tick{Value: v, Label: formatInt(v)})
		}
	}
	// Unlabelled marks at every core when they are not too dense.
	if step > 1 && max <= 64 {
		for v := 2.0; v <= max; v++ {
			if math.Mod(v, step) != 0 {
				ticks = append(ticks, plot.Tick{Value: v})
			}
		}
	}
	return ticks
}

// log2Ticks labels the powers of two in [min, max], and the ends when
// they are not powers of two but far enough from one for their labels not
// to collide, as 96 is from 64. A range that holds fewer than two powers
// of two gets its ends labelled.
func log2Ticks(min, max float64) []plot.Tick {
	var ticks []plot.Tick
	for e := math.Ceil(math.Log2(min)); math.Exp2(e) <= max; e++ {
		v := math.Exp2(e)
		ticks = append(ticks, plot.Tick{Value: v, Label: formatTick(v)})
	}
	if len(ticks) < 2 {
		return []plot.Tick{{Value: min, Label: formatTick(min)}, {Value: max, Label: formatTick(max)}}
	}
	const apart = 1.4 // ratio to the nearest power of two
	if min*apart <= ticks[0].Value {
		ticks = append([]plot.Tick{{Value: min, Label: formatTick(min)}}, ticks...)
	}
	if ticks[len(ticks)-1].Value*apart <= max {
		ticks = append(ticks, plot.Tick{Value: max, Label: formatTick(max)})
	}
	return ticks
}

// zeroAxis is a linear axis from 0 to a tick at or just above the largest
// value, with about five labels.
func zeroAxis(label string, top float64) axis {
	if !(top > 0) {
		top = 1
	}
	step := niceStep(top*1.04, 5)
	max := math.Ceil(top*1.04/step-1e-9) * step
	return axis{label: label, scale: linearAxis, min: 0, max: max, ticks: linearTicks(0, max, step)}
}

// niceStep returns 1, 2, 2.5 or 5 times a power of ten, the smallest such
// step that splits span into at most n parts.
func niceStep(span float64, n int) float64 {
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw*(1-1e-9) {
			return m * mag
		}
	}
	return 10 * mag
}

// linearTicks labels the multiples of step in [min, max], all with the
// same number of decimals.
func linearTicks(min, max, step float64) []plot.Tick {
	var ticks []plot.Tick
	d := decimals(step)
	for k := math.Ceil(min/step - 1e-9); k*step <= max*(1+1e-9); k++ {
		v := roundTo(k*step, step)
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', d, 64)})
	}
	return ticks
}

// logAxis spans [lo, hi] with a little room at both ends and labels 1, 2
// and 5 times the powers of ten in it.
func logAxis(label string, lo, hi float64) axis {
	min, max := lo/1.2, hi*1.2
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(min)); math.Pow(10, e) <= max; e++ {
		for m := 1.0; m <= 9; m++ {
			v := roundSig(m * math.Pow(10, e))
			if v < min || v > max {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = formatTick(v)
			}
			ticks = append(ticks, t)
		}
	}
	return axis{label: label, scale: log10Axis, min: min, max: max, ticks: ticks}
}

// roundTo removes the floating-point noise of k*step.
func roundTo(v, step float64) float64 {
	d := math.Pow(10, float64(decimals(step)))
	return math.Round(v*d)/d + 0 // + 0 turns -0 into 0
}

func roundSig(v float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 10, 64), 64)
	return f
}

// decimals is the number of decimals a multiple of step needs.
func decimals(step float64) int {
	for d := 0; d < 12; d++ {
		p := math.Pow(10, float64(d))
		if math.Abs(step*p-math.Round(step*p)) < 1e-9*p {
			return d
		}
	}
	return 12
}

func formatTick(v float64) string { return strconv.FormatFloat(roundSig(v), 'f', -1, 64) }

func formatInt(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }

// unit is a scale for values shown in a more readable unit.
type unit struct {
	name   string
	factor float64 // shown value = value * factor
}

// timeUnit picks s, ms, µs or ns so that max seconds shows as at least 1.
func timeUnit(maxSeconds float64) unit {
	switch {
	case maxSeconds >= 1:
		return unit{"s", 1}
	case maxSeconds >= 1e-3:
		return unit{"ms", 1e3}
	case maxSeconds >= 1e-6:
		return unit{"µs", 1e6}
	}
	return unit{"ns", 1e9}
}

// rateUnit picks jobs/s, k jobs/s or M jobs/s so that tick labels stay short.
func rateUnit(max float64) unit {
	switch {
	case max >= 1e7:
		return unit{"M jobs/s", 1e-6}
	case max >= 1e4:
		return unit{"k jobs/s", 1e-3}
	}
	return unit{"jobs/s", 1}
}
