package plots

import (
	"bytes"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/golden"
)

func TestLineChartsGolden(t *testing.T) {
	linear := chart
	linear.XScale = ScaleLinear
	for _, tc := range []struct {
		name  string
		build func(Chart, []Series) (*lineChart, error)
		c     Chart
		s     []Series
	}{
		{"speedup-8", speedupChart, chart, oneMachine()},
		{"efficiency-8", efficiencyChart, chart, EfficiencyFromSpeedup(oneMachine())},
		{"throughput-8", throughputChart, chart, throughputFrom(oneMachine(), 150)},
		{"throughput-kjobs", throughputChart, chart, throughputFrom(oneMachine()[:2], 25000)},
		{"time-8", timeChart, chart, timesFrom(oneMachine(), 0.42)},
		{"speedup-128", speedupChart, chart128, bigMachine()},
		{"speedup-128-linear", speedupChart, Chart{Title: "forced linear", XScale: ScaleLinear}, bigMachine()[:1]},
		{"efficiency-128", efficiencyChart, chart128, EfficiencyFromSpeedup(bigMachine())},
		{"time-128", timeChart, chart128, timesFrom(bigMachine(), 3.1)},
		{"speedup-2machines", speedupChart, chart, twoMachines()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lc, err := tc.build(tc.c, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			lc.dump(&b)
			golden.Check(t, filepath.Join("testdata", tc.name+".golden"), b.Bytes())
		})
	}
}

func TestSpeedupAxesAndIdeal(t *testing.T) {
	for _, tc := range []struct {
		name      string
		c         Chart
		s         []Series
		scale     axisScale
		idealFrom XY
		idealTo   XY
	}{
		// Linear: from the origin to where y = x leaves the plot at the right.
		{"8 cores", chart, oneMachine(), linearAxis, XY{0, 0}, XY{8, 8}},
		// Log2: from 1 core until y = x leaves at the top (y axis max 50).
		{"128 cores", chart128, bigMachine(), log2Axis, XY{1, 1}, XY{50, 50}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lc, err := speedupChart(tc.c, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			if lc.x.scale != tc.scale {
				t.Errorf("x scale: got %v, want %v", lc.x.scale, tc.scale)
			}
			if lc.y.min != 0 {
				t.Errorf("y axis starts at %g, want 0", lc.y.min)
			}
			if len(lc.refs) != 1 {
				t.Fatalf("got %d reference lines, want 1 (ideal)", len(lc.refs))
			}
			ideal := lc.refs[0].points
			if got := ideal[0]; got != tc.idealFrom {
				t.Errorf("ideal starts at %v, want %v", got, tc.idealFrom)
			}
			if got := ideal[len(ideal)-1]; math.Abs(got.X-tc.idealTo.X) > 1e-9 || math.Abs(got.Y-tc.idealTo.Y) > 1e-9 {
				t.Errorf("ideal ends at %v, want %v", got, tc.idealTo)
			}
			for _, p := range ideal {
				if p.X != p.Y || p.Y > lc.y.max+1e-9 || p.X > lc.x.max+1e-9 {
					t.Errorf("ideal point %v is off y = x or outside the plot", p)
				}
			}
		})
	}
}

func TestEfficiencyMarksOne(t *testing.T) {
	lc, err := efficiencyChart(chart, EfficiencyFromSpeedup(oneMachine()))
	if err != nil {
		t.Fatal(err)
	}
	if lc.y.min != 0 || lc.y.max < 1 {
		t.Errorf("y axis [%g, %g], want from 0 to at least 1", lc.y.min, lc.y.max)
	}
	if len(lc.refs) != 1 || lc.refs[0].points[0].Y != 1 || lc.refs[0].points[1].Y != 1 {
		t.Errorf("reference lines %v, want one at 1.0", lc.refs)
	}
}

func TestTimeScale(t *testing.T) {
	for _, tc := range []struct {
		name      string
		s         []Series
		wantScale axisScale
		wantLabel string
	}{
		{"8 cores, 8x range: linear from 0", timesFrom(oneMachine(), 0.42), linearAxis, "median batch time (ms)"},
		{"128 cores, 50x range: log", timesFrom(bigMachine(), 3.1), log10Axis, "median batch time (s, log)"},
		{"microseconds", timesFrom(oneMachine()[:1], 420e-6), linearAxis, "median batch time (µs)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lc, err := timeChart(Chart{}, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			if lc.y.scale != tc.wantScale || lc.y.label != tc.wantLabel {
				t.Errorf("got %v %q, want %v %q", lc.y.scale, lc.y.label, tc.wantScale, tc.wantLabel)
			}
			if tc.wantScale == linearAxis && lc.y.min != 0 {
				t.Errorf("linear time axis starts at %g, want 0", lc.y.min)
			}
		})
	}
}

func TestFitSampling(t *testing.T) {
	for _, tc := range []struct {
		name      string
		c         Chart
		cores     []float64
		geometric bool
	}{
		{"linear axis: even steps", chart, []float64{2, 4, 6, 8}, false},
		{"log2 axis: even steps in log", chart128, cores128, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := amdahl(0.9)
			lc, err := speedupChart(tc.c, []Series{sampleSpeedup("pool", "", tc.cores, f, 0.01)})
			if err != nil {
				t.Fatal(err)
			}
			fit := lc.layers[0].fit
			if len(fit) != fitSamples {
				t.Fatalf("got %d samples, want %d", len(fit), fitSamples)
			}
			lo, hi := tc.cores[0], tc.cores[len(tc.cores)-1]
			if fit[0].X != lo || fit[len(fit)-1].X != hi {
				t.Errorf("fit spans [%g, %g], want the series' cores [%g, %g]", fit[0].X, fit[len(fit)-1].X, lo, hi)
			}
			for i, p := range fit {
				if p.Y != f(p.X) {
					t.Errorf("sample %d: got f(%g) = %g, want %g", i, p.X, p.Y, f(p.X))
				}
			}
			// Even steps: constant difference, or constant ratio in log.
			step := func(i int) float64 {
				if tc.geometric {
					return fit[i+1].X / fit[i].X
				}
				return fit[i+1].X - fit[i].X
			}
			for i := 1; i < len(fit)-1; i++ {
				if math.Abs(step(i)-step(0)) > 1e-9*step(0) {
					t.Fatalf("step %d is %g, want %g like the first", i, step(i), step(0))
				}
			}
		})
	}
}

func TestLegendLabels(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    []Series
		want []string
	}{
		{"one machine: serial first, then by name, as strategies.Names()", oneMachine(),
			[]string{"serial", "perjob", "perjob-unbounded", "pool", "procpool"}},
		{"one machine named: no machine in the legend",
			[]Series{sampleSpeedup("pool", "box", cores8, amdahl(.9), 0), sampleSpeedup("serial", "box", cores8, amdahl(0), 0)},
			[]string{"serial", "pool"}},
		{"two machines: strategy @ machine, machines in order of appearance", twoMachines(),
			[]string{"perjob @ laptop", "perjob @ server", "pool @ laptop", "pool @ server"}},
		{"unknown strategies by name among the known ones",
			[]Series{sampleSpeedup("zeta", "", cores8, amdahl(.9), 0), sampleSpeedup("alpha", "", cores8, amdahl(.9), 0), sampleSpeedup("procpool", "", cores8, amdahl(.9), 0)},
			[]string{"alpha", "procpool", "zeta"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lc, err := speedupChart(Chart{}, tc.s)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range lc.layers {
				got = append(got, l.label)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMachinesLookDifferent(t *testing.T) {
	lc, err := speedupChart(Chart{}, twoMachines())
	if err != nil {
		t.Fatal(err)
	}
	laptop, server := lc.layers[0].style, lc.layers[1].style // both pool
	if laptop.Style != server.Style {
		t.Errorf("pool's colour and marker differ between machines: %v and %v", laptop, server)
	}
	if laptop.String() == server.String() {
		t.Errorf("both machines drawn alike: %v", laptop)
	}
}

func TestChartsDoNotChangeTheirInput(t *testing.T) {
	in := oneMachine()
	slices.Reverse(in[1].Points) // unsorted input is allowed
	before := make([][]Point, len(in))
	order := make([]string, len(in))
	for i, s := range in {
		before[i] = slices.Clone(s.Points)
		order[i] = s.Strategy
	}
	if _, err := Speedup(chart, in); err != nil {
		t.Fatal(err)
	}
	for i, s := range in {
		if s.Strategy != order[i] || !slices.Equal(s.Points, before[i]) {
			t.Errorf("series %d changed: got %s %v, want %s %v", i, s.Strategy, s.Points, order[i], before[i])
		}
	}
}

func TestEfficiencyFromSpeedup(t *testing.T) {
	s := []Series{{Strategy: "pool", Points: []Point{{X: 4, Y: 3, Low: 2.8, High: 3.2}}, Fit: func(n float64) float64 { return n / 2 }}}
	e := EfficiencyFromSpeedup(s)
	if got, want := e[0].Points[0], (Point{X: 4, Y: 0.75, Low: 0.7, High: 0.8}); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := e[0].Fit(8); got != 0.5 {
		t.Errorf("fit(8): got %g, want 0.5", got)
	}
	if s[0].Points[0].Y != 3 {
		t.Errorf("input changed: %v", s[0].Points[0])
	}
}

func TestBadFit(t *testing.T) {
	for _, tc := range []struct {
		name string
		fit  func(float64) float64
		want string
	}{
		{"NaN", func(float64) float64 { return math.NaN() }, `series "pool": fit at cores=1 is NaN`},
		{"Inf past 4 cores", func(n float64) float64 {
			if n > 4 {
				return math.Inf(1)
			}
			return n
		}, `fit at cores=4.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sampleSpeedup("pool", "", cores8, amdahl(.9), 0)
			s.Fit = tc.fit
			_, err := Speedup(chart, []Series{s})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestAxesIgnoreWildFits: a fit far off the data is clipped at the edge of
// the plot; it neither stretches the axes nor breaks a log axis.
func TestAxesIgnoreWildFits(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(Chart, []Series) (*lineChart, error)
		s     Series
	}{
		{"speedup fit 100x too high", speedupChart, func() Series {
			s := sampleSpeedup("pool", "", cores8, amdahl(.9), 0.01)
			s.Fit = func(n float64) float64 { return 100 * n }
			return s
		}()},
		{"time fit negative on a log axis", timeChart, func() Series {
			s := timesFrom([]Series{sampleSpeedup("pool", "", cores128, amdahl(.99), 0.01)}, 1)[0]
			s.Fit = func(n float64) float64 { return 1 - n/64 } // <= 0 from 64 cores
			return s
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lc, err := tc.build(Chart{}, []Series{tc.s})
			if err != nil {
				t.Fatal(err)
			}
			f := lc.figure()
			if f.plot.X.Min != lc.x.min || f.plot.X.Max != lc.x.max || f.plot.Y.Min != lc.y.min || f.plot.Y.Max != lc.y.max {
				t.Errorf("plot axes x [%g, %g] y [%g, %g], want the chart's x [%g, %g] y [%g, %g]",
					f.plot.X.Min, f.plot.X.Max, f.plot.Y.Min, f.plot.Y.Max, lc.x.min, lc.x.max, lc.y.min, lc.y.max)
			}
			if err := f.Encode(io.Discard, PNG, Options{DPI: testDPI}); err != nil {
				t.Error(err)
			}
		})
	}
}
