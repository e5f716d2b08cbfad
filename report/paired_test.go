package report

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/internal/pairstat"
)

// pairedResults makes in-memory results of a paired sweep: for each name,
// pairs of (time, adjacent baseline time) in seconds; iters > 1 only for
// the ceiling, whose time is per copy.
type pair struct{ sec, base float64 }

func pairedResults(config map[string]string, configs map[string][]pair) []*benchfmt.Result {
	var cfg []benchfmt.Config
	var keys []string
	for k := range config {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		cfg = append(cfg, benchfmt.Config{Key: k, Value: []byte(config[k]), File: true})
	}
	var names []string
	for n := range configs {
		names = append(names, n)
	}
	slices.Sort(names)
	var out []*benchfmt.Result
	for _, name := range names {
		for _, p := range configs[name] {
			vals := []benchfmt.Value{{Value: p.sec, Unit: "sec/op"}}
			if p.base > 0 {
				vals = append(vals, benchfmt.Value{Value: p.base * 1e9, Unit: pairstat.BaselineUnit})
			}
			out = append(out, &benchfmt.Result{Config: slices.Clone(cfg), Name: benchfmt.Name("XORSum/" + name), Iters: 1, Values: vals})
		}
	}
	return out
}

// drifting is n pairs of a configuration with true speedup s whose
// baseline takes base seconds while the machine's speed drifts by a
// factor that both halves of each pair share.
func drifting(n int, base, s float64) []pair { return jittered(n, base, s, 0.002) }

// jittered is drifting with a jitter of up to ±amp on each pair's ratio.
func jittered(n int, base, s, amp float64) []pair {
	ps := make([]pair, n)
	for i := range ps {
		f := 1 + 0.3*math.Sin(float64(i)) // the wave, shared by the pair
		j := 1 + amp*(float64(i%5)-2)/2   // the jitter
		ps[i] = pair{sec: base * f * j / s, base: base * f}
	}
	return ps
}

func rowOf(t *testing.T, rep *Report, strategy string, cores int) Row {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Strategy == strategy && r.Cores == cores {
			return r
		}
	}
	t.Fatalf("no row %s at %d cores", strategy, cores)
	return Row{}
}

func TestPairedSpeedupAndCeiling(t *testing.T) {
	const base = 0.03
	res := pairedResults(machineConfig, map[string][]pair{
		"strategy=serial/workers=1-1":      drifting(10, base, 1),
		"strategy=pool/workers=2-2":        drifting(10, base, 1.8),
		"strategy=ceiling/workers=2-2":     drifting(10, base, 1.9), // per copy: k copies in 2x that
		"strategy=ceiling/workers=1-1":     drifting(10, base, 1),
		"strategy=calibration/workers=1-1": {{base, 0}, {base * 1.02, 0}, {base * 0.98, 0}, {base, 0}},
	})
	rep, err := FromResults(res, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	pool := rowOf(t, rep, "pool", 2)
	ceil := rowOf(t, rep, CeilingStrategy, 2)
	// Pairs cancel the ±30% drift: the speedup is 1.8 within the jitter.
	if pool.Pairs != 10 || math.Abs(pool.Speedup-1.8) > 0.01 || pool.SpeedupHalfWidth() > 0.01 {
		t.Errorf("pool: %d pairs, speedup %v [%v, %v], want 10 pairs, 1.80 within ±1%%", pool.Pairs, pool.Speedup, pool.SpeedupLow, pool.SpeedupHigh)
	}
	// The unpaired figure divides medians taken at different moments: it
	// is kept beside the paired one, and is wider.
	if math.IsNaN(pool.UnpairedSpeedup) || pool.UnpairedHigh-pool.UnpairedLow <= pool.SpeedupHigh-pool.SpeedupLow {
		t.Errorf("pool unpaired %v [%v, %v], want a wider interval than paired [%v, %v]",
			pool.UnpairedSpeedup, pool.UnpairedLow, pool.UnpairedHigh, pool.SpeedupLow, pool.SpeedupHigh)
	}
	// attainable(2) = 2 x T(one copy) / T(two copies together); the
	// ceiling's sec/op is per copy, T(together)/2.
	if math.Abs(ceil.Speedup-1.9) > 0.01 {
		t.Errorf("ceiling at 2 cores: %v, want 1.9", ceil.Speedup)
	}
	if want := 1.8 / 1.9; math.Abs(pool.Attainable-ceil.Speedup) > 1e-12 || math.Abs(pool.EfficiencyVsCeiling-want) > 0.01 {
		t.Errorf("pool: attainable %v, efficiency vs ceiling %v; want %v and %.3f", pool.Attainable, pool.EfficiencyVsCeiling, ceil.Speedup, want)
	}
	if math.Abs(pool.Efficiency-0.9) > 0.01 {
		t.Errorf("pool efficiency %v, want 0.90", pool.Efficiency)
	}
	if pool.Impossible != "" || hasWarning(rep, "alpha", CheckImpossible) {
		t.Errorf("pool below its ceiling flagged: %q", pool.Impossible)
	}
	if slices.Contains(rep.Strategies(), CalibrationStrategy) {
		t.Error("the calibration loop shows as a strategy")
	}
	if c, ok := rep.CalibrationOf("alpha"); !ok || c.Batches != 4 || !(c.Spread > 0 && c.Spread < 0.1) {
		t.Errorf("calibration %+v (found %v), want 4 batches and a spread of a few percent", c, ok)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "batch times on this machine vary ±") {
		t.Errorf("the text does not state the machine's spread:\n%s", text.String())
	}
	if fit, ok := rep.FitOf("alpha", CeilingStrategy, Amdahl); ok {
		t.Errorf("the ceiling was fitted: %+v", fit)
	}
}

func TestImpossibleSpeedupFlagged(t *testing.T) {
	const base = 0.03
	tests := []struct {
		name    string
		configs map[string][]pair
		want    string // in the row's flag; "" for none
	}{
		{"above the ceiling", map[string][]pair{
			"strategy=serial/workers=1-1":  drifting(10, base, 1),
			"strategy=pool/workers=2-2":    drifting(10, base, 2.05),
			"strategy=ceiling/workers=2-2": drifting(10, base, 1.85),
		}, "lies wholly above the machine's ceiling of 1.85 at 2 cores"},
		{"above k without a ceiling", map[string][]pair{
			"strategy=serial/workers=1-1": drifting(10, base, 1),
			"strategy=pool/workers=2-2":   drifting(10, base, 2.2),
		}, "lies wholly above the 2 cores it ran on"},
		// Above the ceiling by less than the noise: the intervals overlap.
		{"near the ceiling is not flagged", map[string][]pair{
			"strategy=serial/workers=1-1":  drifting(10, base, 1),
			"strategy=pool/workers=2-2":    jittered(10, base, 1.86, 0.02),
			"strategy=ceiling/workers=2-2": drifting(10, base, 1.85),
		}, ""},
		{"unpaired above k", map[string][]pair{
			"strategy=serial/workers=1-1": {{0.1, 0}, {0.1001, 0}, {0.0999, 0}, {0.1, 0}, {0.1002, 0}, {0.0998, 0}},
			"strategy=pool/workers=2-2":   {{0.04, 0}, {0.0401, 0}, {0.0399, 0}, {0.04, 0}, {0.0402, 0}, {0.0398, 0}},
		}, "no measured cause (unpaired samples"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := FromResults(pairedResults(machineConfig, tt.configs), fastOptions())
			if err != nil {
				t.Fatal(err)
			}
			pool := rowOf(t, rep, "pool", 2)
			if tt.want == "" {
				if pool.Impossible != "" {
					t.Errorf("flagged: %s", pool.Impossible)
				}
				return
			}
			if !strings.Contains(pool.Impossible, tt.want) {
				t.Errorf("flag %q, want it to contain %q", pool.Impossible, tt.want)
			}
			if !hasWarning(rep, "alpha", CheckImpossible) {
				t.Error("no impossible-speedup warning")
			}
			var text bytes.Buffer
			if err := rep.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), "IMPOSSIBLE: faster than the machine allows") {
				t.Errorf("the table does not flag it:\n%s", text.String())
			}
		})
	}
}

func TestNoProjectionFromTwoCoreCounts(t *testing.T) {
	tests := []struct {
		cores []int
		want  int // projections per fit
	}{
		{[]int{1, 2}, 0},
		{[]int{1, 2, 4}, 2},
	}
	for _, tt := range tests {
		configs := map[string][]float64{"strategy=serial/workers=1-1": spread(1, 10)}
		for _, k := range tt.cores {
			configs["strategy=pool/workers="+itoa(k)+"-"+itoa(k)] = spread(1/(0.9*float64(k)+0.1), 10)
		}
		rep, err := FromResults(results(machineConfig, configs), fastOptions())
		if err != nil {
			t.Fatal(err)
		}
		fit, ok := rep.FitOf("alpha", "pool", Amdahl)
		if !ok {
			t.Fatalf("%v: no Amdahl fit", tt.cores)
		}
		if len(fit.Projections) != tt.want {
			t.Errorf("%v: %d projections, want %d", tt.cores, len(fit.Projections), tt.want)
		}
		var text bytes.Buffer
		if err := rep.WriteText(&text); err != nil {
			t.Fatal(err)
		}
		says := strings.Contains(text.String(), "none: 2 core counts, need 3")
		if says != (tt.want == 0) {
			t.Errorf("%v: the table says why there is no projection: %v, want %v\n%s", tt.cores, says, tt.want == 0, text.String())
		}
	}
}

func TestPrecisionTargetMissed(t *testing.T) {
	const base = 0.03
	cfg := with(machineConfig, KeyPrecisionTarget, "0.03", KeyBudget, "1m0s")
	wide := make([]pair, 8)
	for i := range wide {
		wide[i] = pair{sec: base / (1.8 * (1 + 0.08*(float64(i%4)-1.5))), base: base}
	}
	rep, err := FromResults(pairedResults(cfg, map[string][]pair{
		"strategy=serial/workers=1-1": drifting(8, base, 1),
		"strategy=pool/workers=2-2":   wide,
		"strategy=perjob/workers=2-2": drifting(8, base, 1.7),
	}), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	pool, perjob := rowOf(t, rep, "pool", 2), rowOf(t, rep, "perjob", 2)
	hw := pool.SpeedupHalfWidth()
	if want := pairstat.MorePairs(8, hw, 0.03); pool.MorePairs != want || want < 1 {
		t.Errorf("pool (±%.1f%% after 8 pairs): %d more pairs, want %d", 100*hw, pool.MorePairs, want)
	}
	if perjob.MorePairs != 0 {
		t.Errorf("perjob reached the target yet asks for %d more pairs", perjob.MorePairs)
	}
	found := false
	for _, w := range rep.Warnings {
		if strings.Contains(w.Error(), "pool/cores=2/workers=2") && strings.Contains(w.Error(), "more pairs") {
			found = true
			if strings.Contains(w.Error(), "perjob") {
				t.Errorf("the warning names perjob, which met the target: %v", w)
			}
		}
	}
	if !found {
		t.Errorf("no warning names pool with the pairs it needs: %v", rep.Warnings)
	}
}

func itoa(k int) string { return strconv.Itoa(k) }

func TestCeilingWithoutItsCPUsWarned(t *testing.T) {
	const base = 0.03
	// absent(n, m): n ceiling pairs at 2 cores, the first m of them with
	// the copies taking turns (two copies in twice one copy's time, a
	// per-copy time equal to the baseline's), the rest side by side.
	absent := func(n, m int) []pair {
		ps := drifting(n, base, 1.9)
		for i := range m {
			ps[i].sec = ps[i].base
		}
		return ps
	}
	tests := []struct {
		name    string
		ceiling []pair
		want    string // in the warning; "" for none
	}{
		{"side by side", absent(20, 0), ""},
		{"one pair in twenty is noise", absent(20, 1), ""},
		{"a third without the second CPU", absent(21, 7), "ceiling at 2 cores: in 7 of 21 pairs (33%) the 2 copies took at least 1.5x as long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := pairedResults(machineConfig, map[string][]pair{
				"strategy=serial/workers=1-1":  drifting(10, base, 1),
				"strategy=ceiling/workers=2-2": tt.ceiling,
			})
			rep, err := FromResults(res, fastOptions())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range rep.Warnings {
				var w *Warning
				if errors.As(e, &w) && w.Check == CheckCPUsAbsent {
					got = append(got, w.Msg)
				}
			}
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("warned %q, want no warning", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("warnings %q, want one containing %q", got, tt.want)
			}
		})
	}
}
