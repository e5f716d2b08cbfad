package report

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
)

// CSVHeader names the columns of WriteCSV. Times are seconds.
var CSVHeader = []string{
	"machine", "host", "cpu", "strategy", "cores", "workers", "n",
	"median_s", "ci_low_s", "ci_high_s", "confidence", "cpu_s", "jobs_per_s", "jobs_per_s_low", "jobs_per_s_high",
	"speedup", "speedup_low", "speedup_high", "efficiency",
	"loss_slowdown", "loss_baseline_own", "loss_descheduled", "loss_runnable", "loss_blocked", "loss_preempted", "loss_sleep_overlap",
	"loss_ramp_up", "loss_starved", "loss_awaiting_release", "loss_tail", "loss_overhead_between_jobs", "loss_unexplained",
	"vs_cores", "vs_change", "vs_p",
	"pairs", "unpaired_speedup", "unpaired_speedup_low", "unpaired_speedup_high",
	"attainable", "efficiency_vs_ceiling", "impossible", "more_pairs",
}

// WriteCSV writes one line per row, with CSVHeader first. A figure that is
// NaN or infinite (not computed, or an unbounded interval) is left empty.
// It is summary.csv.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, rec := range r.csvRecords() {
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvRecords are the rows as CSV records, in CSVHeader's columns.
func (r *Report) csvRecords() [][]string {
	machines := map[string]Machine{}
	for _, m := range r.Machines {
		machines[m.Label] = m
	}
	var out [][]string
	for _, row := range r.Rows {
		m := machines[row.Machine]
		rec := []string{
			row.Machine, m.Host, m.CPU, row.Strategy, strconv.Itoa(row.Cores), strconv.Itoa(row.Workers), strconv.Itoa(row.N),
			csvFloat(row.Median), csvFloat(row.Low), csvFloat(row.High), csvFloat(row.Confidence),
			csvFloat(row.CPUSeconds), csvFloat(row.JobsPerSec), csvFloat(row.JobsPerSecLow), csvFloat(row.JobsPerSecHigh),
			csvFloat(row.Speedup), csvFloat(row.SpeedupLow), csvFloat(row.SpeedupHigh), csvFloat(row.Efficiency),
		}
		rec = append(rec, lossCSV(row.Loss)...)
		rec = append(rec, "", "", "")
		if s := row.Step; s != nil {
			rec[len(rec)-3], rec[len(rec)-2], rec[len(rec)-1] = strconv.Itoa(s.FromCores), csvFloat(s.Change), csvFloat(s.P)
		}
		rec = append(rec, strconv.Itoa(row.Pairs), csvFloat(row.UnpairedSpeedup), csvFloat(row.UnpairedLow), csvFloat(row.UnpairedHigh),
			csvFloat(row.Attainable), csvFloat(row.EfficiencyVsCeiling), row.Impossible, strconv.Itoa(row.MorePairs))
		out = append(out, rec)
	}
	return out
}

// lossCSV is the loss columns of a row, each part but efficiency (which
// has its column) in LossParts' order: empty without a loss.
func lossCSV(l *Loss) []string {
	out := make([]string, len(LossParts)-1)
	if l != nil {
		for i, p := range LossParts[1:] {
			out[i] = csvFloat(l.Part(p))
		}
	}
	return out
}

func csvFloat(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// WriteCSV writes summary.csv: a Report's CSV for one workload; for
// several, one table of every Report's rows with a first column,
// "workload", that holds its Label.
func (s *Set) WriteCSV(w io.Writer) error {
	if !s.Several() {
		return s.Reports[0].WriteCSV(w)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"workload"}, CSVHeader...)); err != nil {
		return err
	}
	for _, r := range s.Reports {
		for _, rec := range r.csvRecords() {
			if err := cw.Write(append([]string{r.Label}, rec...)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
