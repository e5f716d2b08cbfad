package report

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/parbench/parbench/internal/strategyorder"
)

// The table across workloads of a Set, as summary.txt, summary.md and
// report.html show it.

// acrossNotes say what the across-workloads table holds.
func (s *Set) acrossNotes() []string {
	conf := pct(s.Reports[0].Confidence)
	return []string{
		"Each strategy in every workload: the time per job (median time per batch / jobs, ± the half-width of its",
		fmt.Sprintf("%s interval) and the speedup against %s on 1 core of the same workload with its interval, on 1 core", conf, Baseline),
		"and at the most cores measured (workers = cores where the strategy uses them), with the efficiency and the share of the ceiling there.",
	}
}

// acrossTable is a row per machine, strategy and workload, strategies
// in report order: the workloads of a strategy sit together.
func (s *Set) acrossTable() *table {
	multi := false
	var strategies []string
	for _, r := range s.Reports {
		multi = multi || len(r.Machines) > 1
		for _, st := range r.Strategies() {
			if st != CeilingStrategy && !slices.Contains(strategies, st) {
				strategies = append(strategies, st)
			}
		}
	}
	slices.SortStableFunc(strategies, strategyorder.Compare)
	conf := pct(s.Reports[0].Confidence)
	t := &table{align: "llrrrrrrrr"}
	head := []string{"strategy", "workload", "per job, 1 core", "speedup, 1 core [" + conf + "]", "cores", "workers", "per job", "speedup [" + conf + "]", "efficiency", "vs ceiling"}
	if multi {
		t.align = "l" + t.align
		head = append([]string{"machine"}, head...)
	}
	t.add(head...)
	for _, st := range strategies {
		for _, r := range s.Reports {
			for _, m := range r.Machines {
				one, top := r.acrossRows(m.Label, st)
				if one == nil && top == nil {
					continue
				}
				cells := []string{st, r.Label, r.perJobText(one), speedupText(one)}
				if top == nil {
					cells = append(cells, "-", "-", "-", "-", "-", "-")
				} else {
					cells = append(cells, strconv.Itoa(top.Cores), workersText(top.Workers), r.perJobText(top),
						speedupText(top), fmtPercent(top.Efficiency), fmtPercent(top.EfficiencyVsCeiling))
				}
				if multi {
					cells = append([]string{m.Label}, cells...)
				}
				t.add(cells...)
			}
		}
	}
	return t
}

// perJobText is a row's median time per job and the relative half-width
// of its interval, "-" where the row or the jobs per batch are unknown.
func (r *Report) perJobText(row *Row) string {
	if row == nil || r.Params.Jobs <= 0 {
		return "-"
	}
	return fmtSeconds(row.Median/float64(r.Params.Jobs)) + " ±" + pct(row.CIHalfWidth())
}

// speedupText is a row's speedup and its interval, "-" for no row.
func speedupText(row *Row) string {
	if row == nil {
		return "-"
	}
	return fmtRatio(row.Speedup) + " " + intervalText(row.SpeedupLow, row.SpeedupHigh)
}
