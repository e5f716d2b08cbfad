package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/internal/golden"
	"github.com/parbench/parbench/profiles"
)

// plantedTimeline is a batch on cores whose workers each run n jobs of
// length job, every one after a hand-off gap of gap (the first after the
// batch's start), and then worker 0 alone runs one more job of length
// tail. Its idle time is cores × n × gap in the gaps, plus (cores − 1) ×
// tail once the last job has started; the capacity is cores × (n × (job
// + gap) + tail). Workers beyond cores are left out of neither: pass
// workers = cores.
func plantedTimeline(strategy string, cores, n int, job, gap, tail time.Duration) Timeline {
	tl := Timeline{Strategy: strategy, Cores: cores, Workers: cores}
	for w := range cores {
		for i := range n {
			start := time.Duration(i)*(job+gap) + gap
			tl.Jobs = append(tl.Jobs, Span{Worker: w, Start: start, End: start + job})
		}
	}
	if tail > 0 {
		end := time.Duration(n) * (job + gap)
		tl.Jobs = append(tl.Jobs, Span{Worker: 0, Start: end, End: end + tail})
	}
	return tl
}

func TestTimelineIdle(t *testing.T) {
	const us = time.Microsecond
	tests := []struct {
		name       string
		tl         Timeline
		idle, tail float64
	}{
		// 10 jobs of 86 µs after 6 µs gaps on each of 2 workers, then an
		// 80 µs last job on one: wall 1000 µs, capacity 2000 µs·core,
		// gaps 2 × 10 × 6 = 120, tail 80.
		{"planted gaps and tail", plantedTimeline("pool", 2, 10, 86*us, 6*us, 80*us), 0.10, 0.04},
		{"planted tail only", plantedTimeline("pool", 2, 10, 92*us, 0, 80*us), 0.04, 0.04},
		{"planted gaps only", plantedTimeline("pool", 4, 10, 95*us, 5*us, 0), 0.05, 0},
		{"no idle", plantedTimeline("serial", 1, 10, 100*us, 0, 0), 0, 0},
		{"a core without a worker", Timeline{Strategy: "pool", Cores: 4, Workers: 3, Jobs: []Span{
			{0, 0, 100 * us}, {1, 0, 100 * us}, {2, 0, 100 * us},
		}}, 0.25, 0},
		{"more jobs running than cores", Timeline{Strategy: "perjob", Cores: 2, Workers: 4, Jobs: []Span{
			{0, 0, 100 * us}, {1, 0, 100 * us}, {2, 0, 100 * us}, {3, 0, 100 * us},
		}}, 0, 0},
		// One core: jobs 0-40 and 60-100 µs, a 20 µs wait for a release.
		{"waiting for a release", Timeline{Strategy: "serial", Cores: 1, Workers: 1, Jobs: []Span{
			{0, 0, 40 * us}, {0, 60 * us, 100 * us},
		}}, 0.2, 0},
		// The first job starts 10 µs after the batch: 10 of 2 × 100.
		{"batch start", Timeline{Strategy: "pool", Cores: 2, Workers: 2, Jobs: []Span{
			{0, 0, 100 * us}, {1, 10 * us, 100 * us},
		}}, 0.05, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idle, tail, ok := TimelineIdle(tt.tl)
			if !ok {
				t.Fatal("TimelineIdle: not ok")
			}
			if math.Abs(idle-tt.idle) > 1e-9 || math.Abs(tail-tt.tail) > 1e-9 {
				t.Errorf("idle %.6f, tail %.6f; want %.6f, %.6f", idle, tail, tt.idle, tt.tail)
			}
		})
	}
	for _, bad := range []Timeline{
		{Cores: 2},
		{Cores: 0, Jobs: []Span{{0, 0, 1}}},
		{Cores: 1, Jobs: []Span{{0, 0, 0}}},
		{Cores: 1, Jobs: []Span{{0, 5, 1}}},
	} {
		if _, _, ok := TimelineIdle(bad); ok {
			t.Errorf("TimelineIdle(%+v) ok, want not ok", bad)
		}
	}
}

// plantedProfile is a CPU profile of the given CPU time per stack, each
// stack its functions leaf first, joined by ";".
func plantedProfile(t *testing.T, cpu map[string]time.Duration) *profile.Profile {
	t.Helper()
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     int64(10 * time.Millisecond),
	}
	locs := map[string]*profile.Location{}
	for _, stack := range slices.Sorted(maps.Keys(cpu)) {
		smp := &profile.Sample{Value: []int64{int64(cpu[stack] / (10 * time.Millisecond)), int64(cpu[stack])}}
		for _, name := range strings.Split(stack, ";") {
			loc, ok := locs[name]
			if !ok {
				fn := &profile.Function{ID: uint64(len(p.Function) + 1), Name: name}
				loc = &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn}}}
				locs[name] = loc
				p.Function = append(p.Function, fn)
				p.Location = append(p.Location, loc)
			}
			smp.Location = append(smp.Location, loc)
		}
		p.Sample = append(p.Sample, smp)
	}
	if err := p.CheckValid(); err != nil {
		t.Fatal(err)
	}
	return p
}

// Stacks of a planted profile: in a job (under strategies.Compute) or
// between jobs.
const (
	kernelInJob    = profiles.KernelFunc + ";" + profiles.ComputeFunc
	preemptedInJob = "runtime.gopreempt_m;" + profiles.ComputeFunc
	loopInJob      = "github.com/parbench/parbench/strategies.Sleep;" + profiles.ComputeFunc
	schedBetween   = "runtime.schedule;runtime.park_m"
	chanBetween    = "runtime.chanrecv;runtime.chanrecv2"
	loopBetween    = "github.com/parbench/parbench/strategies.Serial.Run"
)

// sharesOf runs the profile through the breakdown as parbench report does.
func sharesOf(t *testing.T, strategy string, cores, workers int, cpu map[string]time.Duration) CPUShares {
	t.Helper()
	p := plantedProfile(t, cpu)
	s, err := profiles.Breakdown(p)
	if err != nil {
		t.Fatal(err)
	}
	out, err := profiles.OutsideJobs(p)
	if err != nil {
		t.Fatal(err)
	}
	return CPUShares{Strategy: strategy, Cores: cores, Workers: workers, Kernel: s.Of(profiles.Kernel), OutsideJobs: out}
}

// The planted runs. The baseline: 1.000 s of wall and of CPU time, 0.98 s
// in the kernel and 0.02 s in its own loop between jobs, which its
// timeline shows as 2% without a job.
//
// Pool on 2 cores: 0.625 s of wall, so 1.25 s of capacity and an
// efficiency of 0.8. Planted: 0.125 s idle (10 points), so 1.125 s of
// CPU: 1.040 s in the kernel (0.06 s beyond the baseline's 0.98: a
// slowdown of 4.8 points, kernel per job ×1.0612) and 0.085 s of
// overhead (0.065 s beyond the baseline's: 5.2 points), of which 0.01 s
// is a preempted kernel inside its job and 0.075 s the scheduler and
// channels between jobs. The timeline shows no job for 0.125 + 0.075 s,
// 16% of the capacity: 12 points of hand-off gaps, a 4-point tail.
func plantedBaseline(t *testing.T) (Timeline, CPUShares) {
	return plantedTimeline("serial", 1, 10, 98*time.Microsecond, 2*time.Microsecond, 0),
		sharesOf(t, "serial", 1, 1, map[string]time.Duration{kernelInJob: 980 * time.Millisecond, loopBetween: 20 * time.Millisecond})
}

func plantedPool(t *testing.T) (Timeline, CPUShares) {
	return plantedTimeline("pool", 2, 16, 50*time.Microsecond, 7500*time.Nanosecond, 80*time.Microsecond),
		sharesOf(t, "pool", 2, 2, map[string]time.Duration{
			kernelInJob: 1040 * time.Millisecond, preemptedInJob: 10 * time.Millisecond,
			schedBetween: 40 * time.Millisecond, chanBetween: 35 * time.Millisecond,
		})
}

// lossResults is seven identical batches per configuration, of the given
// wall and CPU seconds, so that every median is exact.
func lossResults(configs map[string][2]float64) []*benchfmt.Result {
	var cfg []benchfmt.Config
	for _, k := range slices.Sorted(maps.Keys(machineConfig)) {
		cfg = append(cfg, benchfmt.Config{Key: k, Value: []byte(machineConfig[k]), File: true})
	}
	var out []*benchfmt.Result
	for _, name := range slices.Sorted(maps.Keys(configs)) {
		v := configs[name]
		for range 7 {
			r := &benchfmt.Result{Config: slices.Clone(cfg), Name: benchfmt.Name("XORSum/" + name), Iters: 1,
				Values: []benchfmt.Value{{Value: v[0], Unit: "sec/op"}}}
			if v[1] > 0 {
				r.Values = append(r.Values, benchfmt.Value{Value: v[1], Unit: "cpu-sec/op"})
			}
			out = append(out, r)
		}
	}
	return out
}

func TestExplainRecoversPlantedLosses(t *testing.T) {
	const (
		us     = time.Microsecond
		ms     = time.Millisecond
		serial = "strategy=serial/workers=1-1"
		pool   = "strategy=pool/workers=2-2"
		nan    = -1 // in want: the part is not measured
	)
	baseTimeline, baseProfile := plantedBaseline(t)
	poolTimeline, poolProfile := plantedPool(t)
	// The same batch, its timeline with 12 points of gaps and no tail:
	// 4 points less idle than the CPU time says.
	gapsOnly := plantedTimeline("pool", 2, 10, 88*us, 12*us, 0)
	// Pool again with the same overhead CPU as the baseline, inside the
	// jobs, and a kernel 20% slower: 1.196 s of CPU, no idle.
	slowTimeline := plantedTimeline("pool", 2, 10, 100*us, 0, 0)
	slowProfile := sharesOf(t, "pool", 2, 2, map[string]time.Duration{kernelInJob: 1176 * ms, loopInJob: 20 * ms})

	type parts struct{ idle, tail, overhead, slowdown, unexplained, kernelRatio, ceilingRatio float64 }
	tests := []struct {
		name     string
		configs  map[string][2]float64 // wall s, CPU s
		evidence Evidence
		want     parts
		profiled bool
		timeline bool
		warn     bool // unexplained beyond 5 points
	}{
		{
			name:     "idle, overhead and slowdown",
			configs:  map[string][2]float64{serial: {1, 1}, pool: {0.625, 1.125}},
			evidence: Evidence{Timelines: []Timeline{baseTimeline, poolTimeline}, Profiles: []CPUShares{baseProfile, poolProfile}},
			want:     parts{0.10, 0.04, 0.052, 0.048, 0, 1.04 / 0.98, nan},
			profiled: true, timeline: true,
		},
		{
			name:    "a ceiling row to compare the slowdown with",
			configs: map[string][2]float64{serial: {1, 1}, pool: {0.625, 1.125}, "strategy=ceiling/workers=2-2": {1 / 1.9, 2}},
			evidence: Evidence{Timelines: []Timeline{baseTimeline, poolTimeline},
				Profiles: []CPUShares{baseProfile, poolProfile}},
			want:     parts{0.10, 0.04, 0.052, 0.048, 0, 1.04 / 0.98, 2 / 1.9},
			profiled: true, timeline: true,
		},
		{
			name:     "a planted slowdown alone",
			configs:  map[string][2]float64{serial: {1, 1}, pool: {0.598, 1.196}},
			evidence: Evidence{Timelines: []Timeline{baseTimeline, slowTimeline}, Profiles: []CPUShares{baseProfile, slowProfile}},
			want:     parts{0, 0, 0, 0.196 / 1.196, 0, 1.2, nan},
			profiled: true, timeline: true,
		},
		{
			// Without a profile the hand-offs' CPU cannot be told from idle
			// time: idle is the timeline's 16 points less the baseline's
			// 2 × 0.8, and they show as 4.4 points counted twice.
			name:     "no profile: overhead and slowdown as one part",
			configs:  map[string][2]float64{serial: {1, 1}, pool: {0.625, 1.125}},
			evidence: Evidence{Timelines: []Timeline{baseTimeline, poolTimeline}},
			want:     parts{0.144, 0.04, 0.10, nan, -0.044, nan, nan},
			timeline: true,
		},
		{
			name:     "a profile of the row but not of the baseline",
			configs:  map[string][2]float64{serial: {1, 1}, pool: {0.625, 1.125}},
			evidence: Evidence{Timelines: []Timeline{baseTimeline, poolTimeline}, Profiles: []CPUShares{poolProfile}},
			want:     parts{0.144, 0.04, 0.10, nan, -0.044, nan, nan},
			timeline: true,
		},
		{
			name:     "no timeline: idle from CPU time, nothing unexplained to measure",
			configs:  map[string][2]float64{serial: {1, 1}, pool: {0.625, 1.125}},
			evidence: Evidence{Profiles: []CPUShares{baseProfile, poolProfile}},
			want:     parts{0.10, nan, 0.052, 0.048, nan, 1.04 / 0.98, nan},
			profiled: true,
		},
		{
			name:     "timeline misses 4 points of idle: unexplained, within bounds",
			configs:  map[string][2]float64{serial: {1, 1}, pool: {0.625, 1.125}},
			evidence: Evidence{Timelines: []Timeline{baseTimeline, gapsOnly}, Profiles: []CPUShares{baseProfile, poolProfile}},
			want:     parts{0.06, 0, 0.052, 0.048, 0.04, 1.04 / 0.98, nan},
			profiled: true, timeline: true,
		},
		{
			// 0.7 s of wall, 1.4 s capacity, E = 1/1.4; CPU 1.05 s, so
			// cores × wall − CPU says 0.35 s idle (25 points), the
			// timeline 12 less the baseline's 2/1.4.
			name:     "timeline misses 14 points of idle: a warning",
			configs:  map[string][2]float64{serial: {1, 1}, pool: {0.7, 1.05}},
			evidence: Evidence{Timelines: []Timeline{baseTimeline, gapsOnly}},
			want:     parts{0.12 - 0.02/1.4, 0, 0.05 / 1.4, nan, 0.37/1.4 - 0.12, nan, nan},
			timeline: true, warn: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := FromResults(lossResults(tt.configs), fastOptions())
			if err != nil {
				t.Fatal(err)
			}
			ev := tt.evidence
			ev.Machine = rep.Machines[0].Label
			rep.Explain([]Evidence{ev})
			base := rep.Rows[0]
			if base.Strategy != Baseline || base.Loss == nil {
				t.Fatalf("baseline row %s has loss %+v", base.Name(), base.Loss)
			}
			for i, v := range base.Loss.Parts() {
				if !math.IsNaN(v) && math.Abs(v) > 1e-9 {
					t.Errorf("baseline's %s = %v, want 0", LossPartNames[i], v)
				}
			}
			i := slices.IndexFunc(rep.Rows, func(r Row) bool { return r.Strategy == "pool" })
			row := rep.Rows[i]
			l := row.Loss
			if l == nil {
				t.Fatalf("%s: no loss", row.Name())
			}
			const tol = 0.001 // a tenth of a point
			for _, c := range []struct {
				name      string
				got, want float64
			}{
				{"idle", l.Idle, tt.want.idle},
				{"idle tail", l.IdleTail, tt.want.tail},
				{"overhead", l.Overhead, tt.want.overhead},
				{"slowdown", l.Slowdown, tt.want.slowdown},
				{"unexplained", l.Unexplained, tt.want.unexplained},
				{"kernel ratio", l.KernelRatio, tt.want.kernelRatio},
				{"ceiling ratio", l.CeilingRatio, tt.want.ceilingRatio},
			} {
				switch {
				case c.want == nan && !math.IsNaN(c.got):
					t.Errorf("%s = %.4f, want not measured (NaN)", c.name, c.got)
				case c.want != nan && !(math.Abs(c.got-c.want) <= tol):
					t.Errorf("%s = %.4f, want %.4f ± %.3f", c.name, c.got, c.want, tol)
				}
			}
			sum := row.Efficiency
			for _, v := range l.Parts() {
				if !math.IsNaN(v) {
					sum += v
				}
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("efficiency %.4f + parts %v = %.6f, want 1", row.Efficiency, l.Parts(), sum)
			}
			if l.Profiled != tt.profiled || l.IdleFromTimeline != tt.timeline {
				t.Errorf("profiled %v, from timeline %v; want %v, %v", l.Profiled, l.IdleFromTimeline, tt.profiled, tt.timeline)
			}
			var warned []string
			for _, e := range rep.Warnings {
				if w, ok := e.(*Warning); ok && w.Check == CheckLoss {
					warned = append(warned, w.Msg)
				}
			}
			if tt.warn != (len(warned) == 1) || tt.warn && !strings.Contains(warned[0], row.Name()) {
				t.Errorf("loss warnings %q, want %v naming %s", warned, tt.warn, row.Name())
			}
			rep.Explain([]Evidence{ev})
			if n := countCheck(rep.Warnings, CheckLoss); n != len(warned) {
				t.Errorf("Explain twice: %d loss warnings, want %d", n, len(warned))
			}
		})
	}
}

func countCheck(errs []error, check string) int {
	n := 0
	for _, e := range errs {
		if w, ok := e.(*Warning); ok && w.Check == check {
			n++
		}
	}
	return n
}

func TestExplainWithoutEvidence(t *testing.T) {
	// Without CPU times or a timeline there is nothing to split with;
	// with CPU times alone, idle and overhead+slowdown still are.
	tests := []struct {
		name    string
		cpu     float64
		hasLoss bool
	}{
		{"no CPU times", 0, false},
		{"CPU times only", 1.125, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := 0.0
			if tt.cpu > 0 {
				base = 1
			}
			rep, err := FromResults(lossResults(map[string][2]float64{
				"strategy=serial/workers=1-1": {1, base}, "strategy=pool/workers=2-2": {0.625, tt.cpu},
			}), fastOptions())
			if err != nil {
				t.Fatal(err)
			}
			rep.Explain(nil)
			for _, row := range rep.Rows {
				if (row.Loss != nil) != tt.hasLoss {
					t.Errorf("%s: loss %+v, want one: %v", row.Name(), row.Loss, tt.hasLoss)
				}
			}
		})
	}
}

// TestLossOutputs checks that the losses reach summary.txt, summary.csv
// and summary.json next to the efficiency.
func TestLossOutputs(t *testing.T) {
	rep, err := FromResults(lossResults(map[string][2]float64{
		"strategy=serial/workers=1-1": {1, 1},
		"strategy=pool/workers=2-2":   {0.625, 1.125},
		"strategy=perjob/workers=2-2": {0.7, 1.05},
	}), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	baseTimeline, baseProfile := plantedBaseline(t)
	poolTimeline, poolProfile := plantedPool(t)
	rep.Explain([]Evidence{{
		Machine:   rep.Machines[0].Label,
		Timelines: []Timeline{baseTimeline, poolTimeline},
		Profiles:  []CPUShares{baseProfile, poolProfile},
	}})

	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "loss.golden"), text.Bytes())

	// report.html carries the same table, with its legend.
	var page bytes.Buffer
	if err := rep.WriteHTML(&page, HTMLPage{Dir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	i := strings.Index(html, `<section id="losses">`)
	if i < 0 {
		t.Fatalf("report.html has no loss section:\n%s", html)
	}
	section := html[i : i+strings.Index(html[i:], "</section>")]
	for _, want := range []string{"Where the efficiency went", "<th class=\"num\" scope=\"col\">unexplained</th>", "<td>pool</td>", "idle: cores with no job running in the timeline batch, less the CPU work between jobs that the profile counts"} {
		if !strings.Contains(section, want) {
			t.Errorf("report.html's loss section lacks %q:\n%s", want, section)
		}
	}

	var c bytes.Buffer
	if err := rep.WriteCSV(&c); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	e := slices.Index(recs[0], "efficiency")
	if got, want := recs[0][e+1:e+5], []string{"loss_idle", "loss_overhead", "loss_slowdown", "loss_unexplained"}; !slices.Equal(got, want) {
		t.Fatalf("columns after efficiency %q, want %q", got, want)
	}
	wantCSV := map[string][]string{
		"serial": {"0", "0", "0", "0"},
		"pool":   {"0.1", "0.052", "0.048", "0"},
		"perjob": {"0.25", "0.0357", "", ""}, // no timeline, no profile
	}
	for _, rec := range recs[1:] {
		want := wantCSV[rec[3]]
		for i, w := range want {
			if !csvNear(rec[e+1+i], w) {
				t.Errorf("%s %s = %q, want %q", rec[3], recs[0][e+1+i], rec[e+1+i], w)
			}
		}
	}

	var j bytes.Buffer
	if err := rep.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rows []map[string]any `json:"rows"`
	}
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	pool := doc.Rows[slices.IndexFunc(doc.Rows, func(r map[string]any) bool { return r["strategy"] == "pool" })]
	for key, want := range map[string]float64{"efficiency": 0.8, "loss_idle": 0.1, "loss_overhead": 0.052, "loss_slowdown": 0.048, "loss_unexplained": 0} {
		if got, ok := pool[key].(float64); !ok || math.Abs(got-want) > 1e-6 {
			t.Errorf("pool %s = %v, want %v", key, pool[key], want)
		}
	}
	perjob := doc.Rows[slices.IndexFunc(doc.Rows, func(r map[string]any) bool { return r["strategy"] == "perjob" })]
	if perjob["loss_slowdown"] != nil || perjob["loss"].(map[string]any)["profiled"] != false {
		t.Errorf("perjob without a profile: loss_slowdown %v, loss %v; want null and profiled false", perjob["loss_slowdown"], perjob["loss"])
	}
}

// csvNear compares a CSV number with a wanted one to 4 decimals; "" with "".
func csvNear(got, want string) bool {
	if got == "" || want == "" {
		return got == want
	}
	g, err1 := strconv.ParseFloat(got, 64)
	w, err2 := strconv.ParseFloat(want, 64)
	return err1 == nil && err2 == nil && math.Abs(g-w) < 1e-4
}

// FuzzTimelineIdle checks the bounds of TimelineIdle on any spans: idle
// and tail are fractions of the capacity, and the tail is part of idle.
func FuzzTimelineIdle(f *testing.F) {
	f.Add(uint8(2), []byte{0, 10, 0, 20, 5, 30})
	f.Add(uint8(1), []byte{0, 0})
	f.Add(uint8(4), []byte{3, 1, 200, 7, 7, 9, 0, 255})
	f.Fuzz(func(t *testing.T, cores uint8, data []byte) {
		tl := Timeline{Strategy: "pool", Cores: int(cores%16) + 1, Workers: 2}
		for i := 0; i+1 < len(data); i += 2 {
			start := time.Duration(data[i])
			tl.Jobs = append(tl.Jobs, Span{Worker: i % 3, Start: start, End: start + time.Duration(data[i+1])})
		}
		idle, tail, ok := TimelineIdle(tl)
		if !ok {
			return
		}
		const eps = 1e-9
		if idle < -eps || idle > 1+eps || tail < -eps || tail > idle+eps {
			t.Fatalf("idle %v, tail %v: want 0 <= tail <= idle <= 1", idle, tail)
		}
	})
}
