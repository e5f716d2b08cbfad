package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"maps"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchunit"

	"github.com/parbench/parbench/internal/golden"
	"github.com/parbench/parbench/internal/pairstat"
	"github.com/parbench/parbench/runfiles"
)

// A planted pair: every instrument's reading of a batch whose parts are
// known. Times are seconds; idle parts core-seconds.
type plantedPair struct {
	wall, base, baseCPU, cpu, jobsCPU, desched float64
	idle                                       [4]float64
}

func (p plantedPair) values() []benchfmt.Value {
	vs := []benchfmt.Value{
		{Value: p.wall * 1e9, Unit: "ns/op"},
		{Value: p.cpu * 1e9, Unit: "cpu-ns/op"},
		{Value: p.base * 1e9, Unit: pairstat.BaselineUnit},
		{Value: p.baseCPU * 1e9, Unit: runfiles.BaselineCPUUnit},
		{Value: p.desched * 1e9, Unit: runfiles.DescheduledUnit},
	}
	if p.jobsCPU > 0 {
		vs = append(vs, benchfmt.Value{Value: p.jobsCPU * 1e9, Unit: runfiles.JobsCPUUnit})
	}
	for i, u := range []string{runfiles.IdleRampUpUnit, runfiles.IdleStarvedUnit, runfiles.IdleAwaitingUnit, runfiles.IdleTailUnit} {
		vs = append(vs, benchfmt.Value{Value: p.idle[i] * 1e9, Unit: u})
	}
	// As benchfmt's reader gives them: ns become sec.
	for i, v := range vs {
		vs[i].Value, vs[i].Unit = benchunit.Tidy(v.Value, v.Unit)
	}
	return vs
}

// lossResults are own-cpus results of the planted pairs of each
// configuration, each pair repeated n times, jittered by jitter (relative)
// in every time when jitter > 0.
func lossResults(configs map[string]plantedPair, n int, jitter float64) []*benchfmt.Result {
	return lossResultsOn(machineConfig, configs, n, jitter)
}

// lossResultsOn is lossResults with the file's configuration lines given.
func lossResultsOn(machine map[string]string, configs map[string]plantedPair, n int, jitter float64) []*benchfmt.Result {
	cfg := []benchfmt.Config{{Key: runfiles.KeyBaseline, Value: []byte(runfiles.BaselineOwnCPUs), File: true}}
	for _, k := range slices.Sorted(maps.Keys(machine)) {
		cfg = append(cfg, benchfmt.Config{Key: k, Value: []byte(machine[k]), File: true})
	}
	rng := rand.New(rand.NewPCG(3, 4))
	var out []*benchfmt.Result
	for range n {
		for _, name := range slices.Sorted(maps.Keys(configs)) {
			p := configs[name]
			if jitter > 0 {
				f := 1 + jitter*(rng.Float64()-0.5)
				p.wall, p.cpu, p.jobsCPU, p.desched = p.wall*f, p.cpu*f, p.jobsCPU*f, p.desched*f
				for i := range p.idle {
					p.idle[i] *= f
				}
			}
			out = append(out, &benchfmt.Result{Config: slices.Clone(cfg), Name: benchfmt.Name("XORSum/" + name), Iters: 1, Values: p.values()})
		}
	}
	return out
}

// The planted configurations, on 2 cores: serial on 1 core is the
// baseline; pool's 100 ms batch of 2 × 100 ms of core-time holds 170 ms
// of its jobs' CPU (the baseline's for as many jobs: 160), 10 ms idle in
// its ramp-up and 10 in its tail, and so 10 of waiting, of which the OS
// saw 7 as descheduled.
var plantedLoss = map[string]plantedPair{
	"strategy=serial/workers=1-1": {wall: 0.160, base: 0.160, baseCPU: 0.159, cpu: 0.159, jobsCPU: 0.1585},
	"strategy=pool/workers=2-2": {wall: 0.100, base: 0.160, baseCPU: 0.159, cpu: 0.175, jobsCPU: 0.170, desched: 0.007,
		idle: [4]float64{0.010, 0, 0, 0.010}},
}

// TestPairPartsClose: one pair's parts add up to its core-time, to 1e-9,
// whichever instrument gave its jobs' CPU.
func TestPairPartsClose(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 1000 {
		e := pairEvidence{wall: 0.01 + rng.Float64(), base: rng.Float64(), baseCPU: rng.Float64(), cpu: rng.Float64(),
			jobsCPU: rng.Float64(), descheduled: rng.Float64()}
		if i%3 == 0 {
			e.jobsCPU = math.NaN()
		}
		for j := range e.idle {
			e.idle[j] = rng.Float64()
		}
		share := math.NaN()
		if i%2 == 0 {
			share = rng.Float64()
		}
		var sleep float64
		if i%5 == 0 {
			sleep = rng.Float64()
		}
		p, _ := e.parts(1+rng.IntN(64), share, sleep)
		sum := p[ppEfficiency] + p[ppSlowdown] + p[ppBaselineOwn] + p[ppWaiting] + p[ppRampUp] + p[ppStarved] + p[ppAwaiting] + p[ppTail]
		if math.Abs(sum-1) > 1e-9 {
			t.Fatalf("pair %+v: parts sum to %v, want 1", e, sum)
		}
	}
}

// TestExplainRecoversPlantedLosses: planted pairs and a planted trace give
// back their parts, which add up to 1.
func TestExplainRecoversPlantedLosses(t *testing.T) {
	rep, err := FromResults(lossResults(plantedLoss, 10, 0), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	trace := TraceShares{Strategy: "pool", Cores: 2, Workers: 2, JobCPU: 0.85, Runnable: 0.01, Preempted: 0.003,
		SchedulingDelay: 0.002, Blocked: map[string]float64{"channel": 0.004}, NoJobOverhead: 0.02, OverheadInJobs: 0.003}
	rep.Explain([]Evidence{{Machine: rep.Machines[0].Label, Traces: []TraceShares{trace}}})
	pool := rowOf(t, rep, "pool", 2)
	l := pool.Loss
	if l == nil {
		t.Fatal("pool: no loss")
	}
	want := map[LossPart]float64{
		PartEfficiency:    0.8,                          // 160 / (2 × 100)
		PartSlowdown:      (0.170 - 0.159) / 0.2,        // its jobs' CPU beyond the baseline's
		PartBaselineOwn:   (0.159 - 0.160) / 0.2,        // the half's time outside its jobs
		PartDescheduled:   0.035,                        // 7 of 200
		PartRunnable:      0.01,                         // the trace's
		PartBlocked:       0.004,                        //
		PartPreempted:     0.005,                        // preempted and scheduling delay
		PartRampUp:        0.05 - 0.02*0.5,              // 10 of 200, less half the trace's 2 points of overhead
		PartTail:          0.05 - 0.02*0.5,              //
		PartOverheadNoJob: 0.02,                         //
		PartUnexplained:   (0.2-0.02-0.170)/0.2 - 0.054, // waiting (5 points) less what the OS and trace saw
	}
	for p, w := range want {
		if got := l.Part(p); math.Abs(got-w) > 1e-9 {
			t.Errorf("pool %s = %v, want %v", p, got, w)
		}
	}
	if s := l.Sum(); math.Abs(s-1) > 1e-9 {
		t.Errorf("pool's parts sum to %v, want 1", s)
	}
	if math.Abs(l.OverheadByClock-0.025) > 1e-9 || math.Abs(l.OverheadByTrace-0.023) > 1e-9 {
		t.Errorf("pool overhead by clock %v, by trace %v; want 0.025, 0.023", l.OverheadByClock, l.OverheadByTrace)
	}
	if l.JobsCPUFrom != "clock" || !l.Traced || l.BlockedBy["channel"] != 0.004 {
		t.Errorf("pool: jobs' CPU from %q, traced %v, blocked by %v", l.JobsCPUFrom, l.Traced, l.BlockedBy)
	}
	// The same efficiency as the headline speedup: the parts average over
	// the pairs the trimmed mean keeps.
	if math.Abs(l.Part(PartEfficiency)-pool.Speedup/2) > 1e-9 {
		t.Errorf("pool efficiency part %v, headline speedup %v over 2 cores", l.Part(PartEfficiency), pool.Speedup)
	}
}

// TestExplainUsesTheTrimmedPairs: with jittered pairs, the efficiency part
// is the trimmed mean of the ratios over cores, and the parts still add up.
func TestExplainUsesTheTrimmedPairs(t *testing.T) {
	rep, err := FromResults(lossResults(plantedLoss, 25, 0.4), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	rep.Explain(nil)
	pool := rowOf(t, rep, "pool", 2)
	if pool.Loss == nil {
		t.Fatal("pool: no loss")
	}
	if got, want := pool.Loss.Part(PartEfficiency), pool.Estimates.TrimmedMean.Speedup/2; math.Abs(got-want) > 1e-9 {
		t.Errorf("efficiency part %v, want the trimmed mean over 2 cores, %v", got, want)
	}
	if s := pool.Loss.Sum(); math.Abs(s-1) > 1e-9 {
		t.Errorf("parts sum to %v, want 1", s)
	}
	if n := len(pool.pairs); pool.Loss.Pairs != n-2*trimCount(n) {
		t.Errorf("averaged over %d pairs of %d, want %d", pool.Loss.Pairs, n, n-2*trimCount(n))
	}
}

// TestExplainWithoutTrace: no trace leaves the waiting beyond the OS's
// share unexplained, warned about past MaxUnexplained; old run folders,
// whose samples carry no evidence, get no loss.
func TestExplainWithoutTrace(t *testing.T) {
	rep, err := FromResults(lossResults(plantedLoss, 10, 0), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	rep.Explain(nil)
	l := rowOf(t, rep, "pool", 2).Loss
	// Without a trace, the clocks' overhead (2.5 points: 175 ms of the
	// process against 170 of its jobs) goes into the waiting left after
	// the run delay (1.5 points), the rest (1.0) into the no-job phases.
	if l == nil || l.Traced || l.Part(PartRunnable) != 0 {
		t.Fatalf("pool without a trace: %+v; nothing from a trace", l)
	}
	for part, want := range map[LossPart]float64{PartPreempted: 0.015, PartOverheadNoJob: 0.01, PartRampUp: 0.045, PartTail: 0.045, PartUnexplained: 0} {
		if got := l.Part(part); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", part, got, want)
		}
	}
	if n := countCheck(rep.Warnings, CheckLoss); n != 0 {
		t.Errorf("%d loss warnings, want none", n)
	}
	planted := maps.Clone(plantedLoss)
	p := planted["strategy=pool/workers=2-2"]
	p.desched = 0
	planted["strategy=pool/workers=2-2"] = p
	rep, err = FromResults(lossResults(planted, 10, 0), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	rep.Explain(nil)
	// Without the run delay, 2.5 of the 5 points of waiting are left.
	if n := countCheck(rep.Warnings, CheckLoss); n != 1 {
		t.Errorf("%d loss warnings for 2.5 points unexplained, want 1: %v", n, rep.Warnings)
	}

	old, err := FromResults(oldResults(), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	old.Explain(nil)
	for _, r := range old.Rows {
		if r.Loss != nil {
			t.Errorf("%s: a loss from a run without evidence", r.Name())
		}
	}
}

// oldResults are samples with nothing but their times: a run folder
// written before pairs carried their evidence.
func oldResults() []*benchfmt.Result {
	var out []*benchfmt.Result
	for range 7 {
		for name, secs := range map[string]float64{"strategy=serial/workers=1-1": 1, "strategy=pool/workers=2-2": 0.6} {
			out = append(out, &benchfmt.Result{Name: benchfmt.Name("XORSum/" + name), Iters: 1,
				Values: []benchfmt.Value{{Value: secs, Unit: "sec/op"}, {Value: 1, Unit: "baseline-sec/op"}}})
		}
	}
	return out
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

func TestLossOutputs(t *testing.T) {
	rep, err := FromResults(lossResults(plantedLoss, 10, 0), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	trace := TraceShares{Strategy: "pool", Cores: 2, Workers: 2, Runnable: 0.01, Preempted: 0.005,
		Blocked: map[string]float64{"channel": 0.004}, NoJobOverhead: 0.02, OverheadInJobs: 0.003}
	rep.Explain([]Evidence{{Machine: rep.Machines[0].Label, Traces: []TraceShares{trace}}})

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
	for _, want := range []string{"<th class=\"num\" scope=\"col\">unexplained</th>", "<td>pool</td>", "descheduled: waiting inside jobs while the OS ran another thread"} {
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
	for i, p := range LossParts[1:] {
		if got := recs[0][e+1+i]; got != "loss_"+string(p) {
			t.Errorf("CSV column %d after efficiency %q, want loss_%s", i+1, got, p)
		}
	}

	var j bytes.Buffer
	if err := rep.WriteJSON(&j); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Rows []struct {
			Strategy string `json:"strategy"`
			Loss     *struct {
				Parts map[string]float64 `json:"parts"`
				Where string             `json:"where_it_went"`
			} `json:"loss"`
		} `json:"rows"`
	}
	if err := json.Unmarshal(j.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Rows {
		if r.Strategy != "pool" {
			continue
		}
		if r.Loss == nil || len(r.Loss.Parts) != len(LossParts) {
			t.Fatalf("pool's loss in summary.json: %+v, want every part", r.Loss)
		}
		var sum float64
		for _, v := range r.Loss.Parts {
			sum += v
		}
		if math.Abs(sum-1) > 1e-9 || !strings.Contains(r.Loss.Where, "pool/cores=2/workers=2: 80.0% efficient") {
			t.Errorf("pool's parts in summary.json sum to %v, where it went %q", sum, r.Loss.Where)
		}
	}
}

// TestExplainDescheduledBetweenJobs: run delay beyond the waiting fell
// while no job was open (a thread descheduled between jobs): it comes out
// of the no-job phases, and nothing is left unexplained; so does the
// clocks' overhead, with no waiting left for it.
func TestExplainDescheduledBetweenJobs(t *testing.T) {
	planted := maps.Clone(plantedLoss)
	p := planted["strategy=pool/workers=2-2"]
	p.desched = 0.012 // 6 points: the 5 of waiting, and 1 between jobs
	planted["strategy=pool/workers=2-2"] = p
	rep, err := FromResults(lossResults(planted, 10, 0), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	rep.Explain(nil)
	l := rowOf(t, rep, "pool", 2).Loss
	for part, want := range map[LossPart]float64{PartDescheduled: 0.06, PartOverheadNoJob: 0.025, PartRampUp: 0.0325, PartTail: 0.0325, PartUnexplained: 0} {
		if got := l.Part(part); math.Abs(got-want) > 1e-9 {
			t.Errorf("%s = %v, want %v", part, got, want)
		}
	}
	if s := l.Sum(); math.Abs(s-1) > 1e-9 {
		t.Errorf("parts sum to %v, want 1", s)
	}
}

// TestSpeedupAboveKUnderContention: with a busy thread the guest sees on
// its one CPU, the baseline's thread ran 78% of its time, and a
// configuration whose threads took more of the CPU passes 1 core without
// passing the machine: a contended warning, not an impossible flag.
func TestSpeedupAboveKUnderContention(t *testing.T) {
	planted := map[string]plantedPair{
		"strategy=serial/workers=1-1":           {wall: 0.160, base: 0.160, baseCPU: 0.125, cpu: 0.125, jobsCPU: 0.124},
		"strategy=perjob-unbounded/workers=1-1": {wall: 0.150, base: 0.160, baseCPU: 0.125, cpu: 0.130, jobsCPU: 0.125},
	}
	rep, err := FromResults(lossResults(planted, 20, 0.01), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	row := rowOf(t, rep, "perjob-unbounded", 1)
	if row.SpeedupLow <= 1 {
		t.Fatalf("planted speedup interval [%v, %v], want it above 1", row.SpeedupLow, row.SpeedupHigh)
	}
	if row.Impossible != "" || countCheck(rep.Warnings, CheckImpossible) != 0 {
		t.Errorf("flagged impossible: %q", row.Impossible)
	}
	if countCheck(rep.Warnings, CheckContended) != 1 {
		t.Errorf("warnings %v, want one %s", rep.Warnings, CheckContended)
	}
	// Without the baseline's lost time, the same speedup is impossible.
	for name, p := range planted {
		p.baseCPU = p.base
		planted[name] = p
	}
	rep, err = FromResults(lossResults(planted, 20, 0.01), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if countCheck(rep.Warnings, CheckImpossible) != 1 {
		t.Errorf("an uncontended baseline: warnings %v, want the impossible flag", rep.Warnings)
	}
}

// TestPairJobsCPUFrom: the jobs' CPU comes from their clocks, unless the
// clocks add up to more than the process's CPU (a clock that counted
// another goroutine's work on its thread); then from the trace's share,
// or the process's CPU.
func TestPairJobsCPUFrom(t *testing.T) {
	tests := []struct {
		name         string
		jobsCPU, cpu float64
		share        float64
		from         string
		wantSlowdown float64 // (jobs' CPU − baseline's) / k × W
	}{
		{"clocks", 0.170, 0.175, math.NaN(), "clock", (0.170 - 0.159) / 0.2},
		{"clocks within the slack", 0.176, 0.175, math.NaN(), "clock", (0.176 - 0.159) / 0.2},
		{"clocks beyond the process, trace", 0.250, 0.175, 0.8, "trace", (0.8*0.2 - 0.159) / 0.2},
		{"clocks beyond the process, no trace", 0.250, 0.175, math.NaN(), "process", (0.175 - 0.159) / 0.2},
		{"no clocks", math.NaN(), 0.175, math.NaN(), "process", (0.175 - 0.159) / 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := pairEvidence{wall: 0.1, base: 0.160, baseCPU: 0.159, cpu: tt.cpu, jobsCPU: tt.jobsCPU}
			p, from := e.parts(2, tt.share, 0)
			if from != tt.from || math.Abs(p[ppSlowdown]-tt.wantSlowdown) > 1e-12 {
				t.Errorf("got slowdown %v from %s, want %v from %s", p[ppSlowdown], from, tt.wantSlowdown, tt.from)
			}
		})
	}
}

// TestSleepIsTheJobsWork: jobs that sleep by the workload's definition
// (8 jobs of 2 ms of CPU and a 10 ms sleep) lose nothing to the sleep,
// which the baseline sleeps too; four workers on 2 cores overlap the
// sleeps, and the sleep the trace did not find inside the cores' slots is
// the negative sleep-overlap part. The baseline sleeps 80 ms beside 16 ms
// of CPU; the batch takes 30 ms on 2 cores (60 ms of core-time), 2 of
// them idle at the tail, and the trace finds 42 ms of sleep in the slots.
func TestSleepIsTheJobsWork(t *testing.T) {
	machine := with(machineConfig, "jobs", "8", "sleep", "10ms")
	planted := map[string]plantedPair{
		"strategy=serial/workers=1-1": {wall: 0.096, base: 0.096, baseCPU: 0.016, cpu: 0.016, jobsCPU: 0.016},
		"strategy=pool/workers=4-2":   {wall: 0.030, base: 0.096, baseCPU: 0.016, cpu: 0.017, jobsCPU: 0.016, idle: [4]float64{0, 0, 0, 0.002}},
		// A goroutine per job: all 8 sleeps at once, a speedup of 8 on
		// 2 cores, which sleeping jobs allow.
		"strategy=perjob-unbounded/workers=2-2": {wall: 0.012, base: 0.096, baseCPU: 0.016, cpu: 0.017, jobsCPU: 0.016},
	}
	rep, err := FromResults(lossResultsOn(machine, planted, 10, 0), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	trace := TraceShares{Strategy: "pool", Cores: 2, Workers: 4, JobCPU: 0.016 / 0.06,
		Blocked: map[string]float64{BlockedSleep: 0.042 / 0.06, "channel": 0}}
	unbounded := TraceShares{Strategy: "perjob-unbounded", Cores: 2, Workers: 2, JobCPU: 0.016 / 0.024,
		Blocked: map[string]float64{BlockedSleep: 0.008 / 0.024}}
	rep.Explain([]Evidence{{Machine: rep.Machines[0].Label, Traces: []TraceShares{trace, unbounded}}})
	if u := rowOf(t, rep, "perjob-unbounded", 2); u.Loss == nil || math.Abs(u.Loss.Part(PartSleepOverlap)+0.072/0.024) > 1e-9 {
		t.Errorf("perjob-unbounded: loss %+v, want a sleep overlap of -300 points", u.Loss)
	}
	l := rowOf(t, rep, "pool", 2).Loss
	if l == nil {
		t.Fatal("pool: no loss")
	}
	want := map[LossPart]float64{
		PartEfficiency:   0.096 / 0.06,
		PartSlowdown:     0,
		PartBaselineOwn:  0,
		PartBlocked:      0,
		PartSleepOverlap: -(0.080 - 0.042) / 0.06,
		PartTail:         0.002 / 0.06,
		PartUnexplained:  0,
	}
	checkParts(t, l, want)
	for _, e := range rep.Warnings {
		if w, ok := e.(*Warning); ok && (w.Check == CheckLoss || w.Check == CheckContended || w.Check == CheckImpossible) {
			t.Errorf("warning: %v", w)
		}
	}
}

// TestProcessCPUBetweenJobs: with neither the jobs' clocks nor a trace
// (tiny jobs in other processes), the jobs' CPU is the processes', and what
// of it exceeds the core-time with a job open ran between jobs: overhead,
// not slowdown, and not a negative unexplained. A 100 ms batch on 2 cores
// with 40 ms of it idle (starved) and 190 ms of the processes' CPU: at
// least 30 ms of that CPU ran while no job was open.
func TestProcessCPUBetweenJobs(t *testing.T) {
	planted := map[string]plantedPair{
		"strategy=serial/workers=1-1":   {wall: 0.150, base: 0.150, baseCPU: 0.149, cpu: 0.149},
		"strategy=procpool/workers=2-2": {wall: 0.100, base: 0.150, baseCPU: 0.149, cpu: 0.190, idle: [4]float64{0, 0.040, 0, 0}},
	}
	rep, err := FromResults(lossResults(planted, 10, 0), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	rep.Explain(nil)
	l := rowOf(t, rep, "procpool", 2).Loss
	if l == nil {
		t.Fatal("procpool: no loss")
	}
	if l.JobsCPUFrom != "process" {
		t.Fatalf("jobs' CPU from %q, want the process's", l.JobsCPUFrom)
	}
	want := map[LossPart]float64{
		PartEfficiency:    0.75,
		PartSlowdown:      (0.190 - 0.030 - 0.149) / 0.2,
		PartStarved:       0.010 / 0.2,
		PartOverheadNoJob: 0.030 / 0.2,
		PartUnexplained:   0,
	}
	checkParts(t, l, want)
}

// checkParts fails unless l has the parts wanted, to 1e-9, and its parts
// add up to 1.
func checkParts(t *testing.T, l *Loss, want map[LossPart]float64) {
	t.Helper()
	for p, w := range want {
		if got := l.Part(p); math.Abs(got-w) > 1e-9 {
			t.Errorf("%s: got %.4f, want %.4f", p, got, w)
		}
	}
	if sum := l.Sum(); math.Abs(sum-1) > 1e-9 {
		t.Errorf("parts sum to %v, want 1", sum)
	}
}
