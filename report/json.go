package report

import (
	"encoding/json"
	"errors"
	"io"
	"math"

	"github.com/parbench/parbench/internal/pairstat"
)

// WriteJSON writes the report as one JSON object: workload, machines,
// rows, fits and warnings. A figure that is NaN or infinite is null. It is
// summary.json; the field names are its contract.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r.jsonReport())
}

// jsonReport is the report as summary.json holds it.
func (r *Report) jsonReport() jsonReport {
	out := jsonReport{
		Label:         r.Label,
		Benchmark:     r.Benchmark,
		Workload:      map[string]string{},
		Confidence:    r.Confidence,
		SpeedupMethod: SpeedupMethod,
		Estimator:     pairstat.DefaultEstimator.String(),
		Resamples:     r.Resamples,
		Machines:      []jsonMachine{},
		Rows:          []jsonRow{},
		Fits:          []jsonFit{},
		Warnings:      []jsonWarning{},
	}
	for _, kv := range r.Workload {
		out.Workload[kv[0]] = kv[1]
	}
	kinds := map[string]BaselineKind{}
	for _, m := range r.Machines {
		kinds[m.Label] = m.Kind
		jm := jsonMachine{
			Label: m.Label, File: m.File, Host: m.Host, CPU: m.CPU, CPUsOnline: m.CPUsOnline,
			Memory: m.Memory, Kernel: m.Kernel, LoadAvg: m.LoadAvg, BusyCPUs: m.BusyCPUs,
			Governor: m.Governor, Virtualization: m.Virtualization, CPUQuota: m.CPUQuota,
			Go: m.GoVersion, Version: m.Version, Commit: m.Commit, Enforcement: m.Enforcement,
			Partial:      m.Partial,
			BaselineKind: string(m.Kind), BaselineMeaning: m.Kind.Meaning(), CPUList: m.CPUList,
		}
		for _, g := range m.GivenUp {
			jm.GivenUp = append(jm.GivenUp, jsonGivenUp{Cores: g.Cores, Causes: g.Causes, Text: g.Text()})
		}
		out.Machines = append(out.Machines, jm)
	}
	for _, row := range r.Rows {
		jr := jsonRow{
			Machine: row.Machine, Strategy: row.Strategy, Cores: row.Cores, Workers: row.Workers, N: row.N,
			Median: num(row.Median), Low: num(row.Low), High: num(row.High), Confidence: num(row.Confidence),
			CPU: num(row.CPUSeconds), JobsPerSec: num(row.JobsPerSec),
			JobsPerSecLow: num(row.JobsPerSecLow), JobsPerSecHigh: num(row.JobsPerSecHigh),
			Speedup: num(row.Speedup), SpeedupLow: num(row.SpeedupLow), SpeedupHigh: num(row.SpeedupHigh),
			Efficiency: num(row.Efficiency),
			Pairs:      row.Pairs, UnpairedSpeedup: num(row.UnpairedSpeedup), UnpairedLow: num(row.UnpairedLow), UnpairedHigh: num(row.UnpairedHigh),
			Attainable: num(row.Attainable), EfficiencyVsCeiling: num(row.EfficiencyVsCeiling), Impossible: row.Impossible, MorePairs: row.MorePairs, CPUsAbsent: row.CPUsAbsent,
		}
		if row.Pairs > 0 {
			es := &jsonEstimates{}
			for _, e := range pairstat.Estimators() {
				sum := row.Estimates.Of(e)
				ji := &jsonInterval{Speedup: num(sum.Speedup), Low: num(sum.Low), High: num(sum.High), Pairs: sum.Pairs}
				switch e {
				case pairstat.MedianOfRatios:
					es.Median = ji
				case pairstat.TrimmedMeanOfRatios:
					es.TrimmedMean = ji
				case pairstat.RatioOfTotals:
					es.Totals = ji
				}
			}
			jr.Estimates = es
		}
		if m := row.Modes; m != nil {
			jr.Modes = &jsonModes{Bimodal: m.Bimodal, AshmanD: num(m.D), BIC: num(m.BIC), Dip: num(m.Dip),
				Low:  jsonMode{Pairs: m.Low.Pairs, Share: num(m.Low.Share), Center: num(m.Low.Center)},
				High: jsonMode{Pairs: m.High.Pairs, Share: num(m.High.Share), Center: num(m.High.Center)}}
		}
		if !math.IsNaN(row.Join) {
			jr.Join = &jsonInterval{Speedup: num(row.Join), Low: num(row.JoinLow), High: num(row.JoinHigh)}
		}
		if kinds[row.Machine] == OwnCPUs && row.Pairs > 0 {
			jr.FirstCPU = &jsonInterval{Speedup: num(row.FirstCPUSpeedup), Low: num(row.FirstCPULow), High: num(row.FirstCPUHigh), Pairs: row.FirstCPUPairs}
		}
		setJSONLoss(&jr, row)
		if s := row.Step; s != nil {
			jr.Step = &jsonStep{FromCores: s.FromCores, FromWorkers: s.FromWorkers, Change: num(s.Change), P: num(s.P), Significant: s.Significant}
		}
		out.Rows = append(out.Rows, jr)
	}
	for _, f := range r.Fits {
		jf := jsonFit{
			Machine: f.Machine, Strategy: f.Strategy, Model: string(f.Model),
			Lambda: num(f.Lambda), Sigma: num(f.Sigma), Kappa: num(f.Kappa), SerialFraction: num(f.SerialFraction),
			R2: num(f.R2), Points: f.Points, MaxCores: f.MaxCores,
			PeakConcurrency: num(f.PeakConcurrency), PeakSpeedup: num(f.PeakSpeedup),
			Projections: []jsonProjection{},
		}
		for _, p := range f.Projections {
			jf.Projections = append(jf.Projections, jsonProjection{Cores: p.Cores, Speedup: num(p.Speedup)})
		}
		out.Fits = append(out.Fits, jf)
	}
	for _, e := range r.Warnings {
		jw := jsonWarning{Message: e.Error()}
		var w *Warning
		if errors.As(e, &w) {
			jw.Machine, jw.Check = w.Machine, w.Check
		}
		out.Warnings = append(out.Warnings, jw)
	}
	out.Calibrations = []jsonCalibration{}
	for _, c := range r.Calibrations {
		jc := jsonCalibration{Machine: c.Machine, Batches: c.Batches, Spread: num(c.Spread), StepSpread: num(c.StepSpread),
			Target: num(c.Target), PairsInBudget: c.PairsInBudget, Allowed: num(c.Allowed)}
		if c.Target == 0 {
			jc.Target = nil
		}
		if c.Budget > 0 {
			jc.Budget = c.Budget.String()
		}
		for _, cc := range c.CPUs {
			jc.CPUs = append(jc.CPUs, jsonCPUCalibration{CPU: cc.CPU, Readings: cc.Readings, Spread: num(cc.Spread), StepSpread: num(cc.StepSpread)})
		}
		out.Calibrations = append(out.Calibrations, jc)
	}
	for _, m := range r.Meters {
		jm := jsonMeter{Machine: m.Machine, Noise: num(m.Noise), Pairs: m.Pairs, End: num(m.End), CPUs: []jsonCPUSpeed{}, Stretches: []jsonStretch{}}
		for _, c := range m.CPUs {
			jm.CPUs = append(jm.CPUs, jsonCPUSpeed{CPU: c.CPU, Readings: c.Readings, Pairs: c.Pairs, StepSpread: num(c.StepSpread),
				MedianRelative: num(c.Median), MinRelative: num(c.Min), SlowPairs: c.SlowPairs})
		}
		for _, st := range m.Stretches {
			jm.Stretches = append(jm.Stretches, jsonStretch{CPU: st.CPU, Fastest: st.Fastest, Speed: num(st.Speed), From: num(st.From), To: num(st.To),
				FromStart: st.FromStart, ToEnd: st.ToEnd, Pairs: st.Pairs, OfPairs: st.OfPairs, Text: st.Text()})
		}
		out.CPUSpeed = append(out.CPUSpeed, jm)
	}
	for _, b := range r.BaselineStretches {
		out.BaselineStretches = append(out.BaselineStretches, jsonBaselineStretch{Machine: b.Machine, FirstLine: b.FirstLine, LastLine: b.LastLine,
			ToEnd: b.ToEnd, Before: num(b.Before), During: num(b.During), Pairs: b.Pairs})
	}
	for _, f := range r.Faults {
		jf := jsonFault{Machine: f.Machine, Strategy: f.Strategy, Cores: f.Cores, Workers: f.Workers, Samples: f.Samples,
			FaultedSamples: f.FaultedSamples, WorkerFaults: f.WorkerFaults, ProcessFaults: f.ProcessFaults, Steps: map[string]int{}}
		for _, st := range f.Steps {
			jf.Steps[st.Step] = st.N
		}
		out.Faults = append(out.Faults, jf)
	}
	return out
}

// SpeedupMethod says how speedup intervals are computed, for readers of
// summary.json.
var SpeedupMethod = "paired where pairs > 0: " + pairstat.DefaultEstimator.Method() + ", over the ratios T(baseline) / T(strategy, k cores) of each batch and the baseline batch run next to it (estimates holds every estimator's figure); unpaired (unpaired_speedup, and speedup where pairs = 0): ratio of medians, percentile bootstrap, both sample sets resampled independently"

// num is v, or nil for NaN and infinities, which JSON cannot hold.
func num(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

type jsonReport struct {
	// Label names the workload in a Set of several; absent otherwise.
	Label         string            `json:"label,omitempty"`
	Benchmark     string            `json:"benchmark"`
	Workload      map[string]string `json:"workload"`
	Confidence    float64           `json:"confidence"`
	SpeedupMethod string            `json:"speedup_method"`
	Resamples     int               `json:"bootstrap_resamples"`
	Machines      []jsonMachine     `json:"machines"`
	Rows          []jsonRow         `json:"rows"`
	Fits          []jsonFit         `json:"fits"`
	Warnings      []jsonWarning     `json:"warnings"`
	Calibrations  []jsonCalibration `json:"calibrations"`
	// Estimator names the estimator of every paired speedup.
	Estimator string `json:"estimator"`
	// CPUSpeed is each machine's per-CPU speed meter (own-cpus kind).
	CPUSpeed []jsonMeter `json:"cpu_speed,omitempty"`
	// BaselineStretches are the first-cpu kind's slow stretches of the
	// baseline's CPU.
	BaselineStretches []jsonBaselineStretch `json:"baseline_stretches,omitempty"`
	// Faults is the fault table.
	Faults []jsonFault `json:"faults,omitempty"`
}

// jsonInterval is a speedup and its interval by one estimator.
type jsonInterval struct {
	Speedup *float64 `json:"speedup"`
	Low     *float64 `json:"low"`
	High    *float64 `json:"high"`
	Pairs   int      `json:"pairs,omitempty"`
}

type jsonEstimates struct {
	Median      *jsonInterval `json:"median_of_ratios"`
	TrimmedMean *jsonInterval `json:"trimmed_mean_of_ratios"`
	Totals      *jsonInterval `json:"ratio_of_totals"`
}

type jsonMode struct {
	Pairs  int      `json:"pairs"`
	Share  *float64 `json:"share"`
	Center *float64 `json:"center"`
}

type jsonModes struct {
	Bimodal bool     `json:"bimodal"`
	AshmanD *float64 `json:"ashman_d"`
	BIC     *float64 `json:"bic"`
	Dip     *float64 `json:"dip"`
	Low     jsonMode `json:"low"`
	High    jsonMode `json:"high"`
}

type jsonGivenUp struct {
	Cores  int      `json:"cores"`
	Causes []string `json:"causes"`
	Text   string   `json:"text"`
}

type jsonMeter struct {
	Machine   string         `json:"machine"`
	Noise     *float64       `json:"noise"`
	Pairs     int            `json:"pairs"`
	End       *float64       `json:"end_s"`
	CPUs      []jsonCPUSpeed `json:"cpus"`
	Stretches []jsonStretch  `json:"slow_stretches"`
}

type jsonCPUSpeed struct {
	CPU            int      `json:"cpu"`
	Readings       int      `json:"readings"`
	Pairs          int      `json:"pairs"`
	StepSpread     *float64 `json:"step_spread"`
	MedianRelative *float64 `json:"median_relative_speed"`
	MinRelative    *float64 `json:"min_relative_speed"`
	SlowPairs      int      `json:"slow_pairs"`
}

type jsonStretch struct {
	CPU       int      `json:"cpu"`
	Fastest   int      `json:"fastest_cpu"`
	Speed     *float64 `json:"relative_speed"`
	From      *float64 `json:"from_s"`
	To        *float64 `json:"to_s"`
	FromStart bool     `json:"from_start"`
	ToEnd     bool     `json:"to_end"`
	Pairs     int      `json:"pairs"`
	OfPairs   int      `json:"of_pairs"`
	Text      string   `json:"text"`
}

type jsonBaselineStretch struct {
	Machine   string   `json:"machine"`
	FirstLine int      `json:"first_line"`
	LastLine  int      `json:"last_line"`
	ToEnd     bool     `json:"to_end"`
	Before    *float64 `json:"baseline_before_s"`
	During    *float64 `json:"baseline_during_s"`
	Pairs     int      `json:"pairs"`
}

type jsonFault struct {
	Machine        string         `json:"machine"`
	Strategy       string         `json:"strategy,omitempty"`
	Cores          int            `json:"cores"`
	Workers        int            `json:"workers,omitempty"`
	Samples        int            `json:"samples"`
	FaultedSamples int            `json:"samples_with_worker_faults"`
	WorkerFaults   float64        `json:"worker_faults"`
	ProcessFaults  int            `json:"process_faults"`
	Steps          map[string]int `json:"process_faults_by_step"`
}

type jsonCPUCalibration struct {
	CPU        int      `json:"cpu"`
	Readings   int      `json:"readings"`
	Spread     *float64 `json:"spread"`
	StepSpread *float64 `json:"step_spread"`
}

type jsonMachine struct {
	Label          string `json:"label"`
	File           string `json:"file,omitempty"`
	Host           string `json:"host,omitempty"`
	CPU            string `json:"cpu,omitempty"`
	CPUsOnline     int    `json:"cpus_online,omitempty"`
	Memory         string `json:"memory,omitempty"`
	Kernel         string `json:"kernel,omitempty"`
	LoadAvg        string `json:"load_avg,omitempty"`
	BusyCPUs       string `json:"busy_cpus,omitempty"`
	Governor       string `json:"governor,omitempty"`
	Virtualization string `json:"virtualization,omitempty"`
	CPUQuota       string `json:"cpu_quota,omitempty"`
	Go             string `json:"go,omitempty"`
	Version        string `json:"parbench_version,omitempty"`
	Commit         string `json:"parbench_commit,omitempty"`
	Enforcement    string `json:"cores_enforcement,omitempty"`
	Partial        bool   `json:"partial,omitempty"`
	// BaselineKind is "own-cpus" or "first-cpu", and BaselineMeaning
	// what a speedup of that kind is relative to.
	BaselineKind    string        `json:"baseline_kind"`
	BaselineMeaning string        `json:"baseline_meaning"`
	CPUList         []int         `json:"cpu_list,omitempty"`
	GivenUp         []jsonGivenUp `json:"given_up,omitempty"`
}

type jsonRow struct {
	Machine     string   `json:"machine"`
	Strategy    string   `json:"strategy"`
	Cores       int      `json:"cores"`
	Workers     int      `json:"workers"`
	N           int      `json:"n"`
	Median      *float64 `json:"median_s"`
	Low         *float64 `json:"ci_low_s"`
	High        *float64 `json:"ci_high_s"`
	Confidence  *float64 `json:"confidence"`
	CPU         *float64 `json:"cpu_s"`
	JobsPerSec  *float64 `json:"jobs_per_s"`
	Speedup     *float64 `json:"speedup"`
	SpeedupLow  *float64 `json:"speedup_low"`
	SpeedupHigh *float64 `json:"speedup_high"`
	Efficiency  *float64 `json:"efficiency"`
	jsonLossParts
	Step *jsonStep `json:"vs_fewer_cores"`

	// The interval of jobs_per_s that [ci_low_s, ci_high_s] gives.
	JobsPerSecLow  *float64 `json:"jobs_per_s_low"`
	JobsPerSecHigh *float64 `json:"jobs_per_s_high"`

	// Pairs > 0: speedup is paired (the estimator over per-pair ratios).
	Pairs               int      `json:"pairs"`
	UnpairedSpeedup     *float64 `json:"unpaired_speedup"`
	UnpairedLow         *float64 `json:"unpaired_speedup_low"`
	UnpairedHigh        *float64 `json:"unpaired_speedup_high"`
	Attainable          *float64 `json:"attainable"`
	EfficiencyVsCeiling *float64 `json:"efficiency_vs_ceiling"`
	Impossible          string   `json:"impossible,omitempty"`
	MorePairs           int      `json:"more_pairs,omitempty"`
	// CPUsAbsent, on a ceiling row: its pairs in which the k copies took
	// at least report.AbsentFactor times one copy's time.
	CPUsAbsent int `json:"cpus_absent,omitempty"`
	// Estimates is the paired speedup by every estimator; Modes the
	// pairs' split into two groups.
	Estimates *jsonEstimates `json:"estimates,omitempty"`
	Modes     *jsonModes     `json:"modes,omitempty"`
	// Join is the ceiling's join figure (own-cpus kind): what a static
	// split can reach, beside attainable.
	Join *jsonInterval `json:"ceiling_join,omitempty"`
	// FirstCPU, in the own-cpus kind, is the speedup against the first
	// CPU's rate alone, the first-cpu kind's figure, for comparison.
	FirstCPU *jsonInterval `json:"first_cpu_speedup,omitempty"`
}

// jsonLossParts are a row's losses: Loss, null where the row has none.
type jsonLossParts struct {
	Loss *jsonLoss `json:"loss,omitempty"`
}

// jsonLoss is a row's Loss: every part as a fraction of k × W under its
// LossPart name (they add up to 1), with what they were measured by.
type jsonLoss struct {
	Pairs           int                `json:"pairs"`
	Parts           map[string]float64 `json:"parts"`
	SlowdownMachine *float64           `json:"slowdown_machine"`
	Waiting         *float64           `json:"waiting"`
	BlockedBy       map[string]float64 `json:"blocked_by,omitempty"`
	OverheadByClock *float64           `json:"overhead_by_clock"`
	OverheadByTrace *float64           `json:"overhead_by_trace"`
	JobsCPUFrom     string             `json:"jobs_cpu_from"`
	Traced          bool               `json:"traced"`
	Where           string             `json:"where_it_went"`
}

func setJSONLoss(jr *jsonRow, row Row) {
	l := row.Loss
	if l == nil {
		return
	}
	jl := &jsonLoss{Pairs: l.Pairs, Parts: map[string]float64{}, SlowdownMachine: num(l.SlowdownMachine), Waiting: num(l.Waiting),
		BlockedBy: l.BlockedBy, OverheadByClock: num(l.OverheadByClock), OverheadByTrace: num(l.OverheadByTrace),
		JobsCPUFrom: l.JobsCPUFrom, Traced: l.Traced, Where: row.WhereItWent()}
	for _, p := range LossParts {
		jl.Parts[string(p)] = l.Part(p)
	}
	jr.Loss = jl
}

type jsonCalibration struct {
	Machine       string   `json:"machine"`
	Batches       int      `json:"batches"`
	Spread        *float64 `json:"spread"`
	StepSpread    *float64 `json:"step_spread"`
	Target        *float64 `json:"precision_target"`
	Budget        string   `json:"budget,omitempty"`
	PairsInBudget int      `json:"pairs_in_budget,omitempty"`
	Allowed       *float64 `json:"allowed_half_width"`
	// CPUs are the own-cpus kind's calibration figures per CPU.
	CPUs []jsonCPUCalibration `json:"cpus,omitempty"`
}

type jsonStep struct {
	FromCores   int      `json:"cores"`
	FromWorkers int      `json:"workers"`
	Change      *float64 `json:"change"`
	P           *float64 `json:"p"`
	Significant bool     `json:"significant"`
}

type jsonFit struct {
	Machine         string           `json:"machine"`
	Strategy        string           `json:"strategy"`
	Model           string           `json:"model"`
	Lambda          *float64         `json:"lambda"`
	Sigma           *float64         `json:"sigma"`
	Kappa           *float64         `json:"kappa"`
	SerialFraction  *float64         `json:"serial_fraction"`
	R2              *float64         `json:"r2"`
	Points          int              `json:"points"`
	MaxCores        int              `json:"max_cores"`
	PeakConcurrency *float64         `json:"peak_concurrency"`
	PeakSpeedup     *float64         `json:"peak_speedup"`
	Projections     []jsonProjection `json:"model_projections"`
}

type jsonProjection struct {
	Cores   int      `json:"cores"`
	Speedup *float64 `json:"speedup"`
}

type jsonWarning struct {
	Machine string `json:"machine,omitempty"`
	Check   string `json:"check,omitempty"`
	Message string `json:"message"`
}

// WriteJSON writes summary.json: a Report's object for one workload; for
// several, {"workloads": [...]}, each element a Report's object with its
// "label".
func (s *Set) WriteJSON(w io.Writer) error {
	if !s.Several() {
		return s.Reports[0].WriteJSON(w)
	}
	out := struct {
		Workloads []jsonReport `json:"workloads"`
	}{}
	for _, r := range s.Reports {
		out.Workloads = append(out.Workloads, r.jsonReport())
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
