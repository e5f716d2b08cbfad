package plots

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/golden"
)

// sampleSpeeds is a 2-CPU run of 90 s in which CPU 0 runs at 0.37x CPU 1
// from 30 s on, read every 3 s.
func sampleSpeeds() []CPUSpeedSeries {
	var cpu0, cpu1 []XY
	for t := 0.0; t <= 90; t += 3 {
		s := 1.0
		if t >= 30 {
			s = 0.37
		}
		cpu0 = append(cpu0, XY{t, s})
		cpu1 = append(cpu1, XY{t + 1, 1 - 0.01*math.Sin(t)})
	}
	return []CPUSpeedSeries{{CPU: 1, Points: cpu1}, {CPU: 0, Points: cpu0, Slow: true}}
}

func TestCPUSpeedGolden(t *testing.T) {
	sc, err := cpuSpeedChart(chart, sampleSpeeds(), 0.03)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	sc.dump(&b)
	golden.Check(t, filepath.Join("testdata", "cpu-speed.golden"), b.Bytes())
}

func TestCPUSpeedLayout(t *testing.T) {
	many := make([]CPUSpeedSeries, 12)
	for i := range many {
		many[i] = CPUSpeedSeries{CPU: i, Points: []XY{{0, 1}, {10, 0.5}}, Slow: i < 10}
	}
	tests := []struct {
		name       string
		cpus       []CPUSpeedSeries
		noise      float64
		wantFloor  bool
		wantLegend []string
		wantYMax   float64
	}{
		{"a slow CPU over the other", sampleSpeeds(), 0.03, true, []string{"meter's noise (1 - 3%)", "CPU 1 (within noise)", "CPU 0"}, 1.25},
		{"no noise measured: no floor", sampleSpeeds(), math.NaN(), false, []string{"CPU 1 (within noise)", "CPU 0"}, 1.25},
		{"every CPU within noise", []CPUSpeedSeries{{CPU: 0, Points: []XY{{0, 1}}}, {CPU: 1, Points: []XY{{0, 0.99}}}}, 0.05, true,
			[]string{"meter's noise (1 - 5%)", "all 2 CPUs (within noise)"}, 1.25},
		{"more slow CPUs than colours", many, 0.03, true, nil, 1.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := cpuSpeedChart(Chart{}, tt.cpus, tt.noise)
			if err != nil {
				t.Fatal(err)
			}
			if (sc.floor != nil) != tt.wantFloor {
				t.Errorf("noise floor drawn %v, want %v", sc.floor != nil, tt.wantFloor)
			}
			if sc.y.min != 0 || sc.y.max != tt.wantYMax {
				t.Errorf("y axis [%g, %g], want [0, %g]", sc.y.min, sc.y.max, tt.wantYMax)
			}
			if tt.wantLegend != nil {
				var got []string
				for _, e := range sc.figure().legend {
					got = append(got, e.text)
				}
				if strings.Join(got, "|") != strings.Join(tt.wantLegend, "|") {
					t.Errorf("legend %q, want %q", got, tt.wantLegend)
				}
			}
			seen := map[string]bool{}
			for _, l := range sc.layers {
				if !l.slow {
					continue
				}
				key := hexColor(l.color) + fmt.Sprint(l.dashes)
				if seen[key] {
					t.Errorf("%s: the same colour and dash as another slow CPU", l.label)
				}
				seen[key] = true
			}
			for i := 1; i < len(sc.layers); i++ {
				if sc.layers[i-1].slow && !sc.layers[i].slow {
					t.Errorf("grey %s drawn over slow %s", sc.layers[i].label, sc.layers[i-1].label)
				}
			}
		})
	}
}

func TestCPUSpeedRefusesBadInput(t *testing.T) {
	good := []XY{{0, 1}}
	tests := []struct {
		name  string
		cpus  []CPUSpeedSeries
		noise float64
		want  string
	}{
		{"no CPUs", nil, 0.03, "no CPUs"},
		{"a CPU twice", []CPUSpeedSeries{{CPU: 1, Points: good}, {CPU: 1, Points: good}}, 0.03, "CPU 1 appears twice"},
		{"no points", []CPUSpeedSeries{{CPU: 2}}, 0.03, "CPU 2 has no points"},
		{"NaN speed", []CPUSpeedSeries{{CPU: 0, Points: []XY{{1, math.NaN()}}}}, 0.03, "CPU 0: point (1, NaN)"},
		{"negative time", []CPUSpeedSeries{{CPU: 0, Points: []XY{{-1, 1}}}}, 0.03, "CPU 0: point (-1, 1)"},
		{"zero speed", []CPUSpeedSeries{{CPU: 0, Points: []XY{{1, 0}}}}, 0.03, "CPU 0: point (1, 0)"},
		{"infinite noise", []CPUSpeedSeries{{CPU: 0, Points: good}}, math.Inf(1), "noise +Inf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fig, err := CPUSpeed(Chart{}, tt.cpus, tt.noise)
			if err == nil || fig != nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CPUSpeed: %v, %v; want no figure and an error containing %q", fig, err, tt.want)
			}
		})
	}
}
