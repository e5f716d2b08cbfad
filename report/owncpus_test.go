package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parbench/parbench/runfiles"
)

// loadSim writes s as a run folder and loads it.
func loadSim(t *testing.T, s simRun) *Report {
	t.Helper()
	rep, err := Load([]Input{writeSimRun(t, s)}, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// loadDir loads a run folder under testdata.
func loadDir(t *testing.T, name string) *Report {
	t.Helper()
	dir := filepath.Join("testdata", name)
	rep, err := Load([]Input{{Path: filepath.Join(dir, runfiles.BenchFile), Dir: dir}}, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func warningsOf(rep *Report, check string) []string {
	var out []string
	for _, e := range rep.Warnings {
		var w *Warning
		if errors.As(e, &w) && w.Check == check {
			out = append(out, w.Msg)
		}
	}
	return out
}

func outputs(t *testing.T, rep *Report) (text string, js map[string]any, html string) {
	t.Helper()
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	text = b.String()
	b.Reset()
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b.Bytes(), &js); err != nil {
		t.Fatal(err)
	}
	b.Reset()
	if err := rep.WriteHTML(&b, HTMLPage{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	return text, js, b.String()
}

func TestBaselineKind(t *testing.T) {
	tests := []struct {
		dir  string
		want BaselineKind
	}{
		{"own-quiet", OwnCPUs},
		{"one-machine", FirstCPU},
		{"host-slowed-cpu0", FirstCPU},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			rep := loadDir(t, tt.dir)
			if got := rep.Machines[0].Kind; got != tt.want {
				t.Fatalf("kind %q, want %q", got, tt.want)
			}
			text, js, html := outputs(t, rep)
			if !strings.Contains(text, "  "+tt.want.Description()+"\n") {
				t.Errorf("summary.txt does not describe the machine's baseline as %q", tt.want.Description())
			}
			m := js["machines"].([]any)[0].(map[string]any)
			if m["baseline_kind"] != string(tt.want) || m["baseline_meaning"] != tt.want.Meaning() {
				t.Errorf("summary.json machine: kind %v, meaning %v; want %q, %q", m["baseline_kind"], m["baseline_meaning"], tt.want, tt.want.Meaning())
			}
			if !strings.Contains(html, "<tr><th>baseline</th><td>"+strings.ReplaceAll(tt.want.Title(), "'", "&#39;")) {
				t.Errorf("report.html has no baseline row saying %q", tt.want.Title())
			}
		})
	}
	for kind, want := range map[BaselineKind]string{
		OwnCPUs:  "relative to the mean speed of one CPU of that configuration's own CPUs",
		FirstCPU: "relative to a serial batch on the first CPU; a slow first CPU inflates every speedup",
	} {
		if !strings.Contains(kind.Meaning(), want) {
			t.Errorf("%s means %q, want it to say %q", kind, kind.Meaning(), want)
		}
	}
}

// meterPairs counts, in a bench.txt, the pairs (sample lines after a group
// of baseline meter lines) whose baseline half timed cpu at an elapsed
// time in [from, to].
func meterPairs(text string, cpu int, from, to float64) int {
	n := 0
	hit := false
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		switch {
		case strings.HasPrefix(line, "BenchmarkCPUSpeed/source=baseline/cpu="+strconv.Itoa(cpu)+"-"):
			el, _ := strconv.ParseFloat(f[4], 64)
			hit = el >= from && el <= to
		case strings.HasPrefix(line, "BenchmarkXORSum/"):
			if hit {
				n++
			}
			hit = false
		case strings.HasPrefix(line, "BenchmarkProcessFault/"):
			hit = false
		}
	}
	return n
}

func TestMeterStretches(t *testing.T) {
	slowed := func(cpu int, from, to, speed float64) func(int, float64) float64 {
		return func(c int, t float64) float64 {
			if c == cpu && t >= from && t < to {
				return speed
			}
			return 1
		}
	}
	configs := []simConfig{{"serial", 1, 1, "serial"}, {"pool", 2, 2, "dynamic"}, {"ceiling", 2, 2, "ceiling"}}
	type stretch struct {
		cpu, fastest   int
		speed          float64
		from, to       float64 // to 0: to the end
		fromStart, end bool
	}
	tests := []struct {
		name  string
		speed func(int, float64) float64
		want  []stretch
	}{
		{"quiet", nil, nil},
		{"CPU 0 slowed from 1.5 s", slowed(0, 1.5, math.Inf(1), 0.37), []stretch{{0, 1, 0.37, 1.5, 0, false, true}}},
		{"CPU 1 slowed from 1.5 s", slowed(1, 1.5, math.Inf(1), 0.37), []stretch{{1, 0, 0.37, 1.5, 0, false, true}}},
		{"CPU 0 slowed from 1 s to 3 s", slowed(0, 1, 3, 0.5), []stretch{{0, 1, 0.5, 1, 3, false, false}}},
		{"CPU 0 slowed from the start to 2 s", slowed(0, 0, 2, 0.5), []stretch{{0, 1, 0.5, 0, 2, true, false}}},
		{"within the meter's noise", slowed(0, 1.5, math.Inf(1), 0.985), nil},
		{"a blip of a few readings", slowed(0, 1.5, 1.56, 0.37), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := simRun{cpus: 2, rounds: 30, seed: 7, configs: configs, jitter: 0.005, speed: tt.speed}
			rep := loadSim(t, s)
			if len(rep.Meters) != 1 {
				t.Fatalf("%d meters, want 1", len(rep.Meters))
			}
			m := rep.Meters[0]
			if m.Noise != MinSlowdown {
				t.Errorf("noise %v, want the floor %v with jitter of 0.5%%", m.Noise, MinSlowdown)
			}
			if len(m.Stretches) != len(tt.want) {
				t.Fatalf("stretches %+v, want %d", m.Stretches, len(tt.want))
			}
			warnings := warningsOf(rep, CheckCPUSpeed)
			if len(warnings) != len(tt.want) {
				t.Errorf("cpu-speed warnings %q, want %d", warnings, len(tt.want))
			}
			text, _, _ := outputs(t, rep)
			if len(tt.want) == 0 && !strings.Contains(text, "every CPU ran within the meter's noise (±3%) of the fastest throughout") {
				t.Errorf("summary.txt does not say that every CPU ran within noise:\n%s", text)
			}
			for i, w := range tt.want {
				got := m.Stretches[i]
				if got.CPU != w.cpu || got.Fastest != w.fastest || math.Abs(got.Speed-w.speed) > 0.02 || got.FromStart != w.fromStart || got.ToEnd != w.end {
					t.Errorf("stretch %+v, want CPU %d at %vx CPU %d, from the start %v, to the end %v", got, w.cpu, w.speed, w.fastest, w.fromStart, w.end)
				}
				if math.Abs(got.From-w.from) > 0.15 || (!w.end && math.Abs(got.To-w.to) > 0.15) {
					t.Errorf("stretch from %.2f s to %.2f s, want from %v s to %v s (to the end if 0)", got.From, got.To, w.from, w.to)
				}
				if want := meterPairs(string(s.write()), w.cpu, got.From, got.To); got.Pairs != want {
					t.Errorf("stretch holds %d pairs, want %d: those whose baseline half timed CPU %d in it", got.Pairs, want, w.cpu)
				}
				if want := meterPairs(string(s.write()), w.cpu, 0, math.Inf(1)); got.OfPairs != want {
					t.Errorf("stretch of %d pairs in all, want %d", got.OfPairs, want)
				}
				line := got.Text()
				if !strings.Contains(text, "sim: "+line+".\n") {
					t.Errorf("summary.txt does not state %q:\n%s", line, text)
				}
				if !strings.HasPrefix(warnings[i], fmt.Sprintf("CPU %d ran slower than the fastest CPU", w.cpu)) ||
					!strings.Contains(warnings[i], fmt.Sprintf("%sx CPU %d", fmtRatio(got.Speed), w.fastest)) {
					t.Errorf("warning %q does not name CPU %d and its speed", warnings[i], w.cpu)
				}
			}
		})
	}
}

func TestSlowStretchText(t *testing.T) {
	tests := []struct {
		s    SlowStretch
		want string
	}{
		{SlowStretch{CPU: 0, Fastest: 1, Speed: 0.37, From: 70, To: 900, ToEnd: true, Pairs: 620, OfPairs: 900},
			"CPU 0 ran at 0.37x CPU 1 from 1m10s to the end (620 of 900 pairs)"},
		{SlowStretch{CPU: 3, Fastest: 0, Speed: 0.5, From: 0, To: 2.04, FromStart: true, Pairs: 5, OfPairs: 40},
			"CPU 3 ran at 0.50x CPU 0 from the start to 2s (5 of 40 pairs)"},
		{SlowStretch{CPU: 1, Fastest: 0, Speed: 0.81, From: 1.26, To: 3.5, Pairs: 12, OfPairs: 40},
			"CPU 1 ran at 0.81x CPU 0 from 1.3s to 3.5s (12 of 40 pairs)"},
	}
	for _, tt := range tests {
		if got := tt.s.Text(); got != tt.want {
			t.Errorf("Text() = %q, want %q", got, tt.want)
		}
	}
}

func TestBimodalPairs(t *testing.T) {
	rep := loadDir(t, "own-bimodal")
	pool := rowOf(t, rep, "pool", 2)
	m := pool.Modes
	if m == nil || !m.Bimodal {
		t.Fatalf("pool at 2 cores: modes %+v, want bimodal", m)
	}
	if math.Abs(m.Low.Center/1.02-1) > 0.03 || math.Abs(m.High.Center/1.95-1) > 0.03 || m.Low.Share < 0.2 || m.Low.Share > 0.5 {
		t.Errorf("modes %+v, want about a third near 1.02 and the rest near 1.95", m)
	}
	want := fmt.Sprintf("pool/cores=2/workers=2: pairs bimodal: %s near %s, %s near %s", pct(m.Low.Share), fmtRatio(m.Low.Center), pct(m.High.Share), fmtRatio(m.High.Center))
	if got := warningsOf(rep, CheckBimodal); len(got) != 1 || got[0] != want {
		t.Errorf("bimodal warnings %q, want [%q]", got, want)
	}
	text, js, html := outputs(t, rep)
	if !strings.Contains(text, "bimodal pairs") {
		t.Error("the table does not flag the bimodal pairs")
	}
	for _, r := range js["rows"].([]any) {
		row := r.(map[string]any)
		if row["strategy"] != "pool" {
			continue
		}
		modes := row["modes"].(map[string]any)
		if modes["bimodal"] != true || modes["low"].(map[string]any)["pairs"].(float64) != float64(m.Low.Pairs) {
			t.Errorf("summary.json modes %v, want bimodal with %d pairs in the low group", modes, m.Low.Pairs)
		}
	}
	if !strings.Contains(html, "Speedup by each estimator") {
		t.Error("report.html does not fold in every estimator's figure")
	}
	for _, r := range loadDir(t, "own-quiet").Rows {
		if r.Modes != nil && r.Modes.Bimodal {
			t.Errorf("quiet run: %s bimodal (%+v)", r.Name(), r.Modes)
		}
	}
}

func TestEstimatesSideBySide(t *testing.T) {
	rep := loadDir(t, "own-quiet")
	_, js, _ := outputs(t, rep)
	if js["estimator"] != "trimmed-mean-of-ratios" {
		t.Errorf("summary.json estimator %v, want trimmed-mean-of-ratios", js["estimator"])
	}
	for i, r := range js["rows"].([]any) {
		row := r.(map[string]any)
		if row["pairs"].(float64) == 0 || rep.Rows[i].Strategy == Baseline && rep.Rows[i].Cores == 1 {
			continue
		}
		es, ok := row["estimates"].(map[string]any)
		if !ok {
			t.Fatalf("row %d: no estimates in summary.json", i)
		}
		speedup := row["speedup"].(float64)
		for _, name := range []string{"median_of_ratios", "trimmed_mean_of_ratios", "ratio_of_totals"} {
			e := es[name].(map[string]any)
			if v := e["speedup"].(float64); math.Abs(v/speedup-1) > 0.02 {
				t.Errorf("%s: %s %v, want within 2%% of %v on a quiet run", rep.Rows[i].Name(), name, v, speedup)
			}
		}
		if v := es["trimmed_mean_of_ratios"].(map[string]any)["speedup"].(float64); v != speedup {
			t.Errorf("%s: speedup %v is not the trimmed mean's %v", rep.Rows[i].Name(), speedup, v)
		}
	}
}

func TestCeilingFromCopies(t *testing.T) {
	rep := loadDir(t, "own-slowed")
	ceil := rowOf(t, rep, CeilingStrategy, 2)
	// CPU 0 at 0.37x for most of the run: the copies' own rates still
	// sum to k times the mean CPU, while the last copy ends at k x
	// min/mean = 1.08 in that stretch.
	if math.Abs(ceil.Speedup-2) > 0.04 {
		t.Errorf("attainable %v, want about 2", ceil.Speedup)
	}
	if !(ceil.Join < 1.7 && ceil.Join > 1) {
		t.Errorf("join %v, want between 1 and 1.7", ceil.Join)
	}
	if ceil.CPUsAbsent != 0 || len(warningsOf(rep, CheckCPUsAbsent)) != 0 {
		t.Errorf("%d ceiling pairs without 2 CPUs: a slow CPU is not an absent one", ceil.CPUsAbsent)
	}
	for _, r := range rep.Rows {
		if r.Cores != 2 || r.Strategy == CeilingStrategy {
			continue
		}
		if r.Attainable != ceil.Speedup || r.Join != ceil.Join || r.EfficiencyVsCeiling != r.Speedup/ceil.Speedup {
			t.Errorf("%s: attainable %v, join %v, vs ceiling %v; want the ceiling's %v and %v, and %v",
				r.Name(), r.Attainable, r.Join, r.EfficiencyVsCeiling, ceil.Speedup, ceil.Join, r.Speedup/ceil.Speedup)
		}
	}
	text, js, _ := outputs(t, rep)
	if !strings.Contains(text, " join ") || !strings.Contains(text, fmtRatio(ceil.Join)+" "+intervalText(ceil.JoinLow, ceil.JoinHigh)) {
		t.Errorf("summary.txt has no join figure beside the ceiling's")
	}
	for _, r := range js["rows"].([]any) {
		row := r.(map[string]any)
		if row["strategy"] == CeilingStrategy && row["cores"].(float64) == 2 {
			if j, ok := row["ceiling_join"].(map[string]any); !ok || j["speedup"].(float64) != ceil.Join {
				t.Errorf("summary.json ceiling row: ceiling_join %v, want %v", row["ceiling_join"], ceil.Join)
			}
		}
	}

	old := loadDir(t, "host-slowed-cpu0")
	oc := rowOf(t, old, CeilingStrategy, 2)
	if !math.IsNaN(oc.Join) || oc.Speedup != rowOf(t, old, "pool", 2).Attainable {
		t.Errorf("first-cpu ceiling: join %v, want none; attainable %v beside it", oc.Join, oc.Speedup)
	}
}

func TestImpossibleOwnCPUs(t *testing.T) {
	configs := func(run string) []simConfig {
		return []simConfig{{"serial", 1, 1, "serial"}, {"pool", 2, 2, run}, {"ceiling", 2, 2, "ceiling"}}
	}
	tests := []struct {
		name  string
		s     simRun
		want  []string // in pool's flag; none for no flag
		avoid string
	}{
		{"above k, nothing measured", simRun{cpus: 2, rounds: 24, seed: 11, jitter: 0.01, configs: configs("too-fast")},
			[]string{"lies wholly above", "no measured cause"}, "measured cause:"},
		{"above k while CPU 0 slowed", simRun{cpus: 2, rounds: 24, seed: 12, jitter: 0.01, configs: configs("too-fast"),
			speed: func(c int, t float64) float64 {
				if c == 0 && t > 1 {
					return 0.37
				}
				return 1
			}},
			[]string{"measured cause: CPU 0 ran at 0.37x CPU 1 from ", "during ", "outside them give 2.3"}, "no measured cause"},
		{"above k, bimodal", simRun{cpus: 2, rounds: 40, seed: 13, jitter: 0.01, configs: configs("too-fast-bimodal")},
			[]string{"measured cause: its pairs are bimodal ("}, "no measured cause"},
		{"a slow CPU alone is not too fast", simRuns["own-slowed"], nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := loadSim(t, tt.s)
			for _, r := range rep.Rows {
				if r.Impossible != "" && (tt.want == nil || r.Strategy != "pool") {
					t.Errorf("%s flagged: %s", r.Name(), r.Impossible)
				}
			}
			if tt.want == nil {
				return
			}
			flag := rowOf(t, rep, "pool", 2).Impossible
			for _, w := range tt.want {
				if !strings.Contains(flag, w) {
					t.Errorf("flag %q, want it to contain %q", flag, w)
				}
			}
			if tt.avoid != "" && strings.Contains(flag, tt.avoid) {
				t.Errorf("flag %q contains %q", flag, tt.avoid)
			}
		})
	}
}

// firstCPURun is a first-cpu bench.txt: each round a serial pair and a
// pool pair at 2 cores, the baseline batch taking base(round) and the
// pool's batch pool(round) seconds. It returns the text and the line of
// round 0's first sample.
func firstCPURun(rounds int, base, pool func(round int) float64) string {
	var b strings.Builder
	b.WriteString("host: old\ncpus-online: 2\njobs: 64\nn: 1000\nload-avg: 0.01 0.01 0.01\ngovernor: performance\nvirtualization: none\ncores-enforcement: affinity+gomaxprocs\n")
	for r := range rounds {
		wobble := 1 + 0.004*float64(r%5-2)
		fmt.Fprintf(&b, "BenchmarkXORSum/strategy=serial/workers=1-1 1 %.0f ns/op %.0f baseline-ns/op\n", base(r)*1e9*wobble, base(r)*1e9)
		fmt.Fprintf(&b, "BenchmarkXORSum/strategy=pool/workers=2-2 1 %.0f ns/op %.0f baseline-ns/op\n", pool(r)*1e9/wobble, base(r)*1e9*wobble)
	}
	return b.String()
}

func TestImpossibleFirstCPU(t *testing.T) {
	const header = 8 // config lines before the first sample
	step := func(at int, before, after float64) func(int) float64 {
		return func(r int) float64 {
			if r >= at {
				return after
			}
			return before
		}
	}
	tests := []struct {
		name     string
		text     string
		want     []string // in pool's flag; none for no flag
		wantLine int      // where the baseline's stretch starts, 0 for none
	}{
		{"the first CPU slowed under the baseline", firstCPURun(60, step(20, 0.019, 0.05), step(0, 0.01, 0.01)),
			[]string{"measured cause: the baseline ran on the first CPU only; its batches went from 19.0", "to 50.0", "while this configuration's went from 10.0", "outside them give 1.9"},
			header + 2*20 + 1},
		{"the whole machine slowed: no flag", firstCPURun(60, step(20, 0.019, 0.05), step(20, 0.01, 0.0263)), nil, header + 2*20 + 1},
		{"too fast with a steady baseline", firstCPURun(60, step(0, 0.019, 0.019), step(0, 0.008, 0.008)),
			[]string{"lies wholly above the 2 cores it ran on", "no measured cause"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, runfiles.BenchFile)
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err := Load([]Input{{Path: path, Dir: dir}}, fastOptions())
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.wantLine == 0 && len(rep.BaselineStretches) != 0:
				t.Errorf("baseline stretches %+v, want none", rep.BaselineStretches)
			case tt.wantLine != 0 && (len(rep.BaselineStretches) != 1 || abs(rep.BaselineStretches[0].FirstLine-tt.wantLine) > 6 || !rep.BaselineStretches[0].ToEnd):
				t.Errorf("baseline stretches %+v, want one from about line %d to the end", rep.BaselineStretches, tt.wantLine)
			}
			flag := rowOf(t, rep, "pool", 2).Impossible
			if tt.want == nil {
				if flag != "" {
					t.Errorf("flagged: %s", flag)
				}
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(flag, w) {
					t.Errorf("flag %q, want it to contain %q", flag, w)
				}
			}
		})
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// TestHostSlowedCPU0 runs the real run of testdata/host-slowed-cpu0,
// where the host ran CPU 0, the baseline's, at about 0.4x from about line
// 430 to line 1570, through the first-cpu kind's impossibility check:
// every flagged row must name that slowdown with its figures.
func TestHostSlowedCPU0(t *testing.T) {
	rep := loadDir(t, "host-slowed-cpu0")
	if len(rep.BaselineStretches) == 0 {
		t.Fatal("no slow stretch of the baseline found")
	}
	main := rep.BaselineStretches[mainStretch(rep.BaselineStretches)]
	if main.FirstLine < 300 || main.FirstLine > 500 || main.LastLine < 1500 || main.LastLine > 1650 {
		t.Errorf("main stretch from line %d to %d, want from about 430 to about 1570", main.FirstLine, main.LastLine)
	}
	if main.Before < 0.018 || main.Before > 0.021 || main.During < 0.045 || main.During > 0.056 {
		t.Errorf("baseline from %v s to %v s, want from about 19 ms to about 50 ms", main.Before, main.During)
	}
	figures := fmt.Sprintf("its batches went from %s to %s at line %d", fmtSeconds(main.Before), fmtSeconds(main.During), main.FirstLine)
	flagged := 0
	for _, r := range rep.Rows {
		if r.Impossible == "" {
			continue
		}
		flagged++
		if !strings.Contains(r.Impossible, "measured cause: the baseline ran on the first CPU only; "+figures) {
			t.Errorf("%s: flag %q does not name the baseline CPU's slowdown (%q)", r.Name(), r.Impossible, figures)
		}
	}
	if flagged == 0 {
		t.Error("no row flagged: the trimmed mean puts pool, perjob and perjob-unbounded at 2 cores above the ceiling")
	}
	text, _, _ := outputs(t, rep)
	if !strings.Contains(text, "vm: the baseline, all on the first CPU, slowed beyond its noise: "+figures) {
		t.Errorf("summary.txt does not state the baseline's slowdown (%q)", figures)
	}
}

func TestFirstCPUFigure(t *testing.T) {
	quiet, slowed := loadDir(t, "own-quiet"), loadDir(t, "own-slowed")
	for _, r := range quiet.Rows {
		if r.Pairs == 0 {
			continue
		}
		if r.FirstCPUPairs != r.Pairs || math.Abs(r.FirstCPUSpeedup/r.Speedup-1) > 0.03 {
			t.Errorf("quiet %s: against the first CPU %v from %d pairs, want within 3%% of %v from %d", r.Name(), r.FirstCPUSpeedup, r.FirstCPUPairs, r.Speedup, r.Pairs)
		}
	}
	// With CPU 0 at 0.37x for most of the run, a baseline on it alone
	// makes pool at 2 cores look much faster than it is.
	if p := rowOf(t, slowed, "pool", 2); !(p.FirstCPUSpeedup > 1.3*p.Speedup) {
		t.Errorf("slowed pool at 2 cores: against the first CPU %v, want well above its %v", p.FirstCPUSpeedup, p.Speedup)
	}

	// The same pairs without their meter lines: nothing to compare with.
	text, err := os.ReadFile(filepath.Join("testdata", "own-quiet", runfiles.BenchFile))
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(string(text), "\n") {
		if !strings.HasPrefix(l, "Benchmark"+runfiles.CPUSpeedBenchmark) {
			kept = append(kept, l)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, runfiles.BenchFile)
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Load([]Input{{Path: path, Dir: dir}}, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, js, _ := outputs(t, rep)
	for i, r := range js["rows"].([]any) {
		row := r.(map[string]any)
		if row["pairs"].(float64) == 0 {
			continue
		}
		if f, ok := row["first_cpu_speedup"].(map[string]any); !ok || f["speedup"] != nil || !math.IsNaN(rep.Rows[i].FirstCPUSpeedup) {
			t.Errorf("%s without meter lines: first_cpu_speedup %v, want a null speedup", rep.Rows[i].Name(), row["first_cpu_speedup"])
		}
	}
}

func TestProcessFaultsAndGivenUp(t *testing.T) {
	rep := loadDir(t, "own-faults")
	want := []FaultRow{
		{Machine: "sim", Strategy: "pool", Cores: 2, Workers: 2, Samples: 11, ProcessFaults: 1, Steps: []StepCount{{"timed", 1}}},
		{Machine: "sim", Strategy: "pool", Cores: 4, Workers: 4, ProcessFaults: 3, Steps: []StepCount{{"warmup", 1}, {"timed", 2}}},
		{Machine: "sim", Strategy: "procpool", Cores: 2, Workers: 2, Samples: 11, FaultedSamples: 2, WorkerFaults: 2, ProcessFaults: 1, Steps: []StepCount{{"warmup", 1}}},
		{Machine: "sim", Cores: 2, ProcessFaults: 1, Steps: []StepCount{{"between-batches", 1}}},
	}
	if got, w := fmt.Sprintf("%+v", rep.Faults), fmt.Sprintf("%+v", want); got != w {
		t.Errorf("fault table\n got %s\nwant %s", got, w)
	}
	m := rep.Machines[0]
	if m.Partial || len(warningsOf(rep, CheckPartial)) > 0 || len(rep.InputErrors) > 0 {
		t.Errorf("partial %v, input errors %v: a run with a given-up core count is complete for the others", m.Partial, rep.InputErrors)
	}
	const given = "4 cores: given up after 3 failures (exit status 2; signal: killed; watchdog: no reply in 10s)"
	if g := warningsOf(rep, CheckGivenUp); len(g) != 1 || !strings.HasPrefix(g[0], given) {
		t.Errorf("given-up warnings %q, want one saying %q", g, given)
	}
	text, js, html := outputs(t, rep)
	for _, w := range []string{given + "\n", "pool/cores=4/workers=4", "3 (warmup 1, timed 2)", "2 cores, between batches", "2 of 11"} {
		if !strings.Contains(text, w) {
			t.Errorf("summary.txt does not show %q", w)
		}
		if w = strings.TrimSuffix(w, "\n"); !strings.Contains(html, w) {
			t.Errorf("report.html does not show %q", w)
		}
	}
	if faults, ok := js["faults"].([]any); !ok || len(faults) != len(want) {
		t.Errorf("summary.json faults %v, want %d rows", js["faults"], len(want))
	}

	// benchstat reads the meter lines, as a view of their own, and not
	// the process faults.
	paths, err := rep.WriteBenchstatInputs(func(name string) (string, error) { return filepath.Join(t.TempDir(), name), nil })
	if err != nil || len(paths) != 1 {
		t.Fatalf("benchstat inputs %v, %v; want one filtered copy", paths, err)
	}
	copy, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(copy), "ProcessFault") || !strings.Contains(string(copy), "BenchmarkCPUSpeed/source=baseline/cpu=0-2") {
		t.Errorf("benchstat's copy keeps process faults or drops the meter:\n%s", copy)
	}
	views := rep.BenchstatViews()
	last := views[len(views)-1]
	if !strings.HasPrefix(last.Title, "Per-CPU speed meter") || !strings.Contains(strings.Join(last.Args, " "), "-filter .name:CPUSpeed .unit:ns/op -col /cpu@num -row /source") {
		t.Errorf("last benchstat view %+v, want the meter's", last)
	}
}

func TestUnreadableNewLines(t *testing.T) {
	base := "host: h\nbaseline: own-cpus\n"
	sample := "BenchmarkXORSum/strategy=serial/workers=1-1 1 100 ns/op 100 baseline-ns/op\n"
	tests := []struct {
		name, text, want string
	}{
		{"meter without a CPU", "BenchmarkCPUSpeed/source=baseline-1 1 100 ns/op 1 elapsed-sec\n", "no cpu= in the name"},
		{"meter of another source", "BenchmarkCPUSpeed/source=magic/cpu=0-1 1 100 ns/op 1 elapsed-sec\n", "source=magic"},
		{"meter without elapsed", "BenchmarkCPUSpeed/source=baseline/cpu=0-1 1 100 ns/op\n", "elapsed-sec"},
		{"meter with a negative time", "BenchmarkCPUSpeed/source=baseline/cpu=0-1 1 -100 ns/op 1 elapsed-sec\n", "time per job"},
		{"fault without a step", "BenchmarkProcessFault/strategy=pool/workers=2-2 1 1 faults/op\n", "without a step"},
		{"a cpu-list that is not one", "cpu-list: 0,a\n", "cpu-list \"0,a\""},
		{"causes of a core count not given up", "given-up-cores: 2\ngiven-up-causes: 4 cores: boom\n", "causes for 4 cores"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, runfiles.BenchFile)
			if err := os.WriteFile(path, []byte(base+tt.text+sample), 0o644); err != nil {
				t.Fatal(err)
			}
			rep, err := Load([]Input{{Path: path, Dir: dir}}, fastOptions())
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(warningsOf(rep, CheckInput)); !strings.Contains(got, tt.want) {
				t.Errorf("input warnings %s, want one containing %q", got, tt.want)
			}
		})
	}
}

func TestParseCPUList(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		err  string
	}{
		{"0,1", []int{0, 1}, ""},
		{"2,0-1,8", []int{2, 0, 1, 8}, ""},
		{"0,0", nil, "CPU 0 twice"},
		{"1-0", nil, "not a range"},
		{"", nil, "not a CPU id"},
		{"-1", nil, "not a CPU id"},
		{"0-99999999", nil, "not a range"},
	}
	for _, tt := range tests {
		got, err := parseCPUList(tt.in)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("parseCPUList(%q) = %v, %v; want %v, %q", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseGivenUp(t *testing.T) {
	tests := []struct {
		cores, causes string
		want          string // GivenUp texts joined by " | "
		err           string
	}{
		{"", "", "", ""},
		{"2", "", "2 cores: given up (no causes recorded)", ""},
		{"2,4", "2 cores: exit status 1; killed | 4 cores: watchdog", "2 cores: given up after 2 failures (exit status 1; killed) | 4 cores: given up after 1 failure (watchdog)", ""},
		{"1", "1 core: crash", "1 core: given up after 1 failure (crash)", ""},
		{"", "2 cores: boom", "", "without given-up-cores"},
		{"two", "", "", "not a core count"},
		{"2,2", "", "", "2 twice"},
		{"2", "two cores: boom", "", "does not start with"},
	}
	for _, tt := range tests {
		got, err := parseGivenUp(tt.cores, tt.causes)
		var texts []string
		for _, g := range got {
			texts = append(texts, g.Text())
		}
		if strings.Join(texts, " | ") != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("parseGivenUp(%q, %q) = %q, %v; want %q, %q", tt.cores, tt.causes, texts, err, tt.want, tt.err)
		}
	}
}

func FuzzParseCPUList(f *testing.F) {
	for _, s := range []string{"0,1", "0-3,8", "", "1-0", "0,0", "4294967296"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		list, err := parseCPUList(s)
		if err != nil {
			return
		}
		seen := map[int]bool{}
		for _, c := range list {
			if c < 0 || c > maxCPUID || seen[c] {
				t.Fatalf("parseCPUList(%q) = %v: an id out of range or twice", s, list)
			}
			seen[c] = true
		}
	})
}

func FuzzParseGivenUp(f *testing.F) {
	f.Add("2,4", "2 cores: exit status 1; killed | 4 cores: watchdog")
	f.Add("1", "1 core: crash")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, cores, causes string) {
		got, err := parseGivenUp(cores, causes)
		if err != nil {
			return
		}
		for _, g := range got {
			if g.Cores < 1 {
				t.Fatalf("parseGivenUp(%q, %q): %d cores", cores, causes, g.Cores)
			}
			_ = g.Text()
		}
	})
}
