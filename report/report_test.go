package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/golden"
	"golang.org/x/perf/benchfmt"
)

// results makes in-memory results as the harness would: config, then
// samples of each configuration, with wall times ns[i] for sample i.
func results(config map[string]string, configs map[string][]float64) []*benchfmt.Result {
	var keys []string
	for k := range config {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var cfg []benchfmt.Config
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
		for _, sec := range configs[name] {
			out = append(out, &benchfmt.Result{
				Config: slices.Clone(cfg),
				Name:   benchfmt.Name("XORSum/" + name),
				Iters:  1,
				Values: []benchfmt.Value{{Value: sec, Unit: "sec/op"}, {Value: 2 * sec, Unit: "cpu-sec/op"}},
			})
		}
	}
	return out
}

// spread returns n times 0.1% apart, symmetric around their median t.
func spread(t float64, n int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = t * (1 + 0.001*(float64(i)-float64(n-1)/2))
	}
	return xs
}

var machineConfig = map[string]string{
	"host": "alpha", "cpu": "Test CPU", "cpus-online": "4", "go": "go1.26.8", "jobs": "100", "n": "1000",
	"load-avg": "0.01 0.01 0.01", "busy-cpus": "0.00", "governor": "performance", "virtualization": "none",
	"cores-enforcement": "affinity+gomaxprocs",
}

func with(base map[string]string, kv ...string) map[string]string {
	m := map[string]string{}
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(m, kv[i])
		} else {
			m[kv[i]] = kv[i+1]
		}
	}
	return m
}

func TestFromResults(t *testing.T) {
	rs := results(machineConfig, map[string][]float64{
		"strategy=serial/workers=1-1": spread(1.0, 10),
		"strategy=pool/workers=1-1":   spread(1.02, 10),
		"strategy=pool/workers=2-2":   spread(0.51, 10),
		"strategy=pool/workers=4-4":   spread(0.27, 10),
	})
	rep, err := FromResults(rs, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Benchmark != "XORSum" || len(rep.Machines) != 1 || rep.Machines[0].Label != "alpha" {
		t.Fatalf("benchmark %q, machines %+v", rep.Benchmark, rep.Machines)
	}
	var names []string
	for _, r := range rep.Rows {
		names = append(names, r.Name())
	}
	want := []string{"serial/cores=1/workers=1", "pool/cores=1/workers=1", "pool/cores=2/workers=2", "pool/cores=4/workers=4"}
	if !slices.Equal(names, want) {
		t.Fatalf("rows %v, want %v", names, want)
	}
	pool4 := rep.Rows[3]
	if math.Abs(pool4.Median-0.27) > 1e-9 || pool4.N != 10 {
		t.Errorf("pool at 4 cores: median %v n %d, want 0.27 and 10", pool4.Median, pool4.N)
	}
	if want := 1.0 / 0.27; math.Abs(pool4.Speedup-want) > 1e-9 {
		t.Errorf("speedup %v, want %v", pool4.Speedup, want)
	}
	if !(pool4.SpeedupLow <= pool4.Speedup && pool4.Speedup <= pool4.SpeedupHigh) {
		t.Errorf("speedup %v outside its interval [%v, %v]", pool4.Speedup, pool4.SpeedupLow, pool4.SpeedupHigh)
	}
	if want := 1.0 / 0.27 / 4; math.Abs(pool4.Efficiency-want) > 1e-9 {
		t.Errorf("efficiency %v, want %v", pool4.Efficiency, want)
	}
	if want := 100 / 0.27; math.Abs(pool4.JobsPerSec-want) > 1e-6 {
		t.Errorf("jobs/s %v, want jobs / median = %v", pool4.JobsPerSec, want)
	}
	if math.Abs(pool4.CPUSeconds-0.54) > 1e-9 {
		t.Errorf("CPU seconds %v, want 0.54", pool4.CPUSeconds)
	}
	if s := pool4.Step; s == nil || s.FromCores != 2 || !s.Significant || s.Change >= 0 {
		t.Errorf("step %+v, want a significant drop from 2 cores", s)
	}
	if rep.Rows[0].Speedup != 1 || rep.Rows[0].SpeedupLow != 1 || rep.Rows[0].SpeedupHigh != 1 {
		t.Errorf("baseline speedup %v [%v, %v], want exactly 1", rep.Rows[0].Speedup, rep.Rows[0].SpeedupLow, rep.Rows[0].SpeedupHigh)
	}
	if len(rep.Fits) != 1 || rep.Fits[0].Model != Amdahl || rep.Fits[0].Strategy != "pool" {
		t.Fatalf("fits %+v, want one Amdahl fit of pool", rep.Fits)
	}
	f := rep.Fits[0]
	if len(f.Projections) != 2 || f.Projections[0].Cores != 8 || f.Projections[1].Cores != 16 {
		t.Errorf("projections %+v, want at 2x and 4x the 4 CPUs online", f.Projections)
	}
	if !hasWarning(rep, "alpha", CheckFit) {
		t.Errorf("no warning that USL needs more core counts: %v", rep.Warnings)
	}
	if rep.BenchstatViews() != nil {
		t.Errorf("benchstat views for results from memory")
	}
}

func TestChecks(t *testing.T) {
	few := map[string][]float64{"strategy=serial/workers=1-1": spread(1, 3), "strategy=pool/workers=2-2": spread(0.5, 10)}
	wide := map[string][]float64{"strategy=serial/workers=1-1": {1, 1.2, 0.8, 1.1, 0.9, 1.3, 0.7, 1, 1, 1}}
	ok := map[string][]float64{"strategy=serial/workers=1-1": spread(1, 10), "strategy=serial/workers=1-2": spread(1, 10)}
	tests := []struct {
		name    string
		config  map[string]string
		samples map[string][]float64
		want    []string // checks raised, in any order
		says    string   // one of the messages contains this
	}{
		{"clean", machineConfig, ok, nil, ""},
		{"few samples", machineConfig, few, []string{CheckSamples}, "serial/cores=1/workers=1 (n=3)"},
		{"wide interval", machineConfig, wide, []string{CheckCIWidth}, "serial/cores=1/workers=1 (±"},
		{"load", with(machineConfig, "load-avg", "2.50 1.00 0.50"), ok, []string{CheckLoad}, "load average 2.50"},
		{"busy", with(machineConfig, "busy-cpus", "0.80"), ok, []string{CheckLoad}, "0.80 CPUs' worth busy"},
		{"governor", with(machineConfig, "governor", "powersave"), ok, []string{CheckGovernor}, "governor powersave"},
		{"governor unreadable", with(machineConfig, "governor", "unknown"), ok, nil, ""},
		{"vm", with(machineConfig, "virtualization", "kvm"), ok, []string{CheckVirtualization}, "virtual machine (kvm)"},
		{"gomaxprocs only", with(machineConfig, "cores-enforcement", "gomaxprocs"), ok, []string{CheckCores}, "cores not pinned to CPUs (cores-enforcement: gomaxprocs)"},
		{"cores check", with(machineConfig, "cores-check", "cores=2: affinity 4 CPUs"), ok, []string{CheckCores}, "affinity 4 CPUs"},
		{"more cores than CPUs", with(machineConfig, "cpus-online", "1"), ok, []string{CheckCores}, "up to 2 cores with 1 CPUs online"},
		{"quota", with(machineConfig, "cpu-quota", "1.5"), ok, []string{CheckCores}, "quota of 1.50 CPUs"},
		{"partial", with(machineConfig, "partial", "true"), ok, []string{CheckPartial}, "interrupted"},
		{"go test", with(machineConfig, "load-avg", "", "busy-cpus", "", "governor", "", "virtualization", ""), ok, []string{CheckEnvironment}, "not recorded"},
		{"no baseline", machineConfig, map[string][]float64{"strategy=pool/workers=2-2": spread(1, 10)}, []string{CheckBaseline}, "no serial run on 1 core"},
		{"workload key missing", with(machineConfig, "n", ""), ok, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := FromResults(results(tt.config, tt.samples), fastOptions())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range rep.Warnings {
				if w := e.(*Warning); w.Check != CheckFit && !slices.Contains(got, w.Check) {
					got = append(got, w.Check)
				}
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("checks raised %v, want %v; warnings: %v", got, want, rep.Warnings)
			}
			if tt.says != "" && !strings.Contains(fmt.Sprint(rep.Warnings), tt.says) {
				t.Errorf("warnings %v do not say %q", rep.Warnings, tt.says)
			}
		})
	}
}

func TestNoBaselineHasNoSpeedups(t *testing.T) {
	rep, err := FromResults(results(machineConfig, map[string][]float64{
		"strategy=pool/workers=1-1": spread(1, 10), "strategy=pool/workers=2-2": spread(0.5, 10),
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Rows {
		if !math.IsNaN(r.Speedup) || !math.IsNaN(r.Efficiency) {
			t.Errorf("%s: speedup %v efficiency %v without a baseline, want NaN", r.Name(), r.Speedup, r.Efficiency)
		}
	}
	if len(rep.Fits) != 0 {
		t.Errorf("fits %v without a baseline", rep.Fits)
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"speedup": null`) {
		t.Errorf("JSON does not hold a NaN speedup as null:\n%s", buf.String())
	}
}

func TestMachinesSideBySide(t *testing.T) {
	samples := map[string][]float64{"strategy=serial/workers=1-1": spread(1, 6), "strategy=pool/workers=2-2": spread(0.5, 6)}
	var rs []*benchfmt.Result
	rs = append(rs, results(with(machineConfig, ".file", "a/bench.txt"), samples)...)
	rs = append(rs, results(with(machineConfig, ".file", "b/bench.txt", "host", "beta"), samples)...)
	rs = append(rs, results(with(machineConfig, ".file", "c/bench.txt"), samples)...) // alpha again, another run
	rep, err := FromResults(rs, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, m := range rep.Machines {
		labels = append(labels, m.Label)
	}
	if want := []string{"alpha [a]", "beta", "alpha [c]"}; !slices.Equal(labels, want) {
		t.Errorf("machine labels %v, want %v", labels, want)
	}
	var order []string
	for _, r := range rep.Rows {
		order = append(order, r.Machine+" "+r.Name())
	}
	want := []string{
		"alpha [a] serial/cores=1/workers=1", "beta serial/cores=1/workers=1", "alpha [c] serial/cores=1/workers=1",
		"alpha [a] pool/cores=2/workers=2", "beta pool/cores=2/workers=2", "alpha [c] pool/cores=2/workers=2",
	}
	if !slices.Equal(order, want) {
		t.Errorf("rows %v, want %v", order, want)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "\nmachine    strategy  cores") {
		t.Errorf("text has no machine column:\n%s", text.String())
	}
}

func TestWorkersSweepAtFixedCores(t *testing.T) {
	rep, err := FromResults(results(machineConfig, map[string][]float64{
		"strategy=serial/workers=1-1": spread(1, 6),
		"strategy=pool/workers=1-1":   spread(1, 6),
		"strategy=pool/workers=2-2":   spread(0.5, 6),
		"strategy=pool/workers=4-2":   spread(0.52, 6),
		"strategy=pool/workers=8-2":   spread(0.55, 6),
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 5 {
		t.Fatalf("%d rows, want one per workers count", len(rep.Rows))
	}
	f := rep.Fits[0]
	if math.Abs(f.Speedup(2)-2) > 1e-9 {
		t.Errorf("fit through S(2) = %v, want 2 from workers = cores", f.Speedup(2))
	}
	if rep.oneWorkerCount() {
		t.Error("oneWorkerCount with three worker counts at 2 cores")
	}
	var curve []string
	for _, r := range rep.Curve("alpha", "pool") {
		curve = append(curve, r.Name())
	}
	if want := []string{"pool/cores=1/workers=1", "pool/cores=2/workers=2"}; !slices.Equal(curve, want) {
		t.Errorf("Curve = %v, want %v", curve, want)
	}
	if got, ok := rep.FitOf("alpha", "pool", Amdahl); !ok || got.Strategy != "pool" {
		t.Errorf("FitOf(alpha, pool, amdahl) = %+v, %v", got, ok)
	}
	if _, ok := rep.FitOf("alpha", "pool", USL); ok {
		t.Error("a USL fit through 2 core counts")
	}
}

func TestWriteCSVAndJSON(t *testing.T) {
	rep, err := load(t, "testdata/hostA", "testdata/hostB")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], CSVHeader) || len(recs) != len(rep.Rows)+1 {
		t.Fatalf("CSV header %v and %d lines, want %v and %d", recs[0], len(recs), CSVHeader, len(rep.Rows)+1)
	}
	for i, rec := range recs[1:] {
		if len(rec) != len(CSVHeader) {
			t.Errorf("line %d has %d fields, want %d", i+2, len(rec), len(CSVHeader))
		}
	}

	buf.Reset()
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Workload map[string]string `json:"workload"`
		Rows     []struct {
			Machine string   `json:"machine"`
			Cores   int      `json:"cores"`
			Median  *float64 `json:"median_s"`
			Speedup *float64 `json:"speedup"`
		} `json:"rows"`
		Fits []struct {
			Model       string   `json:"model"`
			Points      int      `json:"points"`
			Kappa       *float64 `json:"kappa"`
			Peak        *float64 `json:"peak_concurrency"`
			Projections []struct {
				Cores int `json:"cores"`
			} `json:"model_projections"`
		} `json:"fits"`
		Warnings []struct {
			Machine, Check, Message string
		} `json:"warnings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Workload["n"] != "500000" || len(got.Rows) != len(rep.Rows) || len(got.Fits) != len(rep.Fits) {
		t.Fatalf("JSON workload %v, %d rows, %d fits", got.Workload, len(got.Rows), len(got.Fits))
	}
	for _, f := range got.Fits {
		if f.Model == "amdahl" && f.Peak != nil {
			t.Errorf("Amdahl peak %v, want null (it never peaks)", *f.Peak)
		}
		// Two projections from a fit through 3 or more core counts, none
		// from fewer: a line through two points projects nothing.
		want := 0
		if f.Points >= MinProjectionCores {
			want = 2
		}
		if len(f.Projections) != want {
			t.Errorf("fit through %d core counts: %d projections, want %d", f.Points, len(f.Projections), want)
		}
	}
	if len(got.Warnings) != len(rep.Warnings) {
		t.Errorf("%d warnings in JSON, want %d", len(got.Warnings), len(rep.Warnings))
	}
}

func TestBenchstatViews(t *testing.T) {
	rep, err := load(t, "testdata/hostA", "testdata/hostB")
	if err != nil {
		t.Fatal(err)
	}
	views := rep.BenchstatViews()
	if len(views) != 3 {
		t.Fatalf("%d views for two machines, want 3", len(views))
	}
	args := strings.Join(views[0].Args, " ")
	for _, want := range []string{"-col /strategy@(serial perjob pool)", "-row .name,/gomaxprocs@num", "-ignore /workers", "alpha=testdata/hostA/bench.txt", "beta=testdata/hostB/bench.txt"} {
		if !strings.Contains(args, want) {
			t.Errorf("view %q args %q lack %q", views[0].Title, args, want)
		}
	}
	if args := strings.Join(views[2].Args, " "); !strings.Contains(args, "-col .file") {
		t.Errorf("machines view %q does not compare files", args)
	}
	if got := projWord("perjob-unbounded"); got != "perjob-unbounded" {
		t.Errorf("projWord(perjob-unbounded) = %s", got)
	}
	if got := projWord("a b"); got != `"a b"` {
		t.Errorf("projWord(a b) = %s", got)
	}
}

// TestPooledResultsWarn checks that samples of one configuration whose
// other config lines differ (here the Go version changed mid-file) are
// pooled with a warning naming the difference.
func TestPooledResultsWarn(t *testing.T) {
	rs := results(machineConfig, map[string][]float64{"strategy=serial/workers=1-1": spread(1, 6)})
	for _, r := range rs[:3] {
		i, _ := r.ConfigIndex("go")
		r.Config[i].Value = []byte("go1.25.0")
	}
	rep, err := FromResults(rs, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !hasWarning(rep, "alpha", CheckPooled) || !strings.Contains(fmt.Sprint(rep.Warnings), "differ in go") {
		t.Errorf("no warning that pooled results differ in go: %v", rep.Warnings)
	}
}

// The column and key names of summary.csv and summary.json are a contract
// with whatever reads them: a golden file of each makes a renamed, moved
// or swapped field (ci_low_s for ci_high_s) a visible change.
func TestSummaryGolden(t *testing.T) {
	rep, err := load(t, "testdata/hostA", "testdata/hostB")
	if err != nil {
		t.Fatal(err)
	}
	own, err := load(t, "testdata/own-slowed")
	if err != nil {
		t.Fatal(err)
	}
	faults, err := load(t, "testdata/own-faults")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		golden string
		write  func(io.Writer) error
	}{
		{"summary.csv.golden", rep.WriteCSV},
		{"summary.json.golden", rep.WriteJSON},
		{"own-slowed.json.golden", own.WriteJSON},
		{"own-faults.json.golden", faults.WriteJSON},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", tt.golden), buf.Bytes())
		})
	}
}
