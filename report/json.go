package report

import (
	"encoding/json"
	"errors"
	"io"
	"math"
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
		Resamples:     r.Resamples,
		Machines:      []jsonMachine{},
		Rows:          []jsonRow{},
		Fits:          []jsonFit{},
		Warnings:      []jsonWarning{},
	}
	for _, kv := range r.Workload {
		out.Workload[kv[0]] = kv[1]
	}
	for _, m := range r.Machines {
		out.Machines = append(out.Machines, jsonMachine{
			Label: m.Label, File: m.File, Host: m.Host, CPU: m.CPU, CPUsOnline: m.CPUsOnline,
			Memory: m.Memory, Kernel: m.Kernel, LoadAvg: m.LoadAvg, BusyCPUs: m.BusyCPUs,
			Governor: m.Governor, Virtualization: m.Virtualization, CPUQuota: m.CPUQuota,
			Go: m.GoVersion, Version: m.Version, Commit: m.Commit, Enforcement: m.Enforcement,
			Partial: m.Partial,
		})
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
		setJSONLoss(&jr, row.Loss)
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
		out.Calibrations = append(out.Calibrations, jc)
	}
	return out
}

// SpeedupMethod says how speedup intervals are computed, for readers of
// summary.json.
const SpeedupMethod = "paired where pairs > 0: median of the ratios T(serial, 1 core) / T(strategy, k cores) of each batch and the serial batch run next to it, distribution-free interval of that median (benchmath); unpaired (unpaired_speedup, and speedup where pairs = 0): ratio of medians, percentile bootstrap, both sample sets resampled independently"

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

	// Pairs > 0: speedup is paired (the median of per-pair ratios).
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
}

// jsonLossParts are the losses next to the efficiency, null where not
// measured; Loss says how they were measured.
type jsonLossParts struct {
	LossIdle        *float64  `json:"loss_idle"`
	LossOverhead    *float64  `json:"loss_overhead"`
	LossSlowdown    *float64  `json:"loss_slowdown"`
	LossUnexplained *float64  `json:"loss_unexplained"`
	Loss            *jsonLoss `json:"loss,omitempty"`
}

type jsonLoss struct {
	IdleTail         *float64 `json:"idle_tail"`
	IdleCPU          *float64 `json:"idle_cpu"`
	IdleFromTimeline bool     `json:"idle_from_timeline"`
	// Profiled false: loss_overhead holds overhead and slowdown together.
	Profiled     bool     `json:"profiled"`
	KernelRatio  *float64 `json:"kernel_per_job_ratio"`
	CeilingRatio *float64 `json:"ceiling_slowdown_ratio"`
}

func setJSONLoss(jr *jsonRow, l *Loss) {
	if l == nil {
		return
	}
	jr.LossIdle, jr.LossOverhead, jr.LossSlowdown, jr.LossUnexplained = num(l.Idle), num(l.Overhead), num(l.Slowdown), num(l.Unexplained)
	jr.Loss = &jsonLoss{
		IdleTail: num(l.IdleTail), IdleCPU: num(l.IdleCPU), IdleFromTimeline: l.IdleFromTimeline,
		Profiled: l.Profiled, KernelRatio: num(l.KernelRatio), CeilingRatio: num(l.CeilingRatio),
	}
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
