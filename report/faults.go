package report

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/internal/strategyorder"
	"github.com/parbench/parbench/runfiles"
)

// FaultsUnit is the metric of a sample whose batch had workers fail and
// be replaced (procpool): how many faults it met.
const FaultsUnit = runfiles.FaultsUnit

// CheckFaults names the warning about samples with worker faults.
const CheckFaults = "faults"

// faultTally counts the samples of one configuration whose batch met
// worker faults.
type faultTally struct {
	samples int
	faults  float64
	// secs are the times of the samples left out of the statistics;
	// used is set when they were used after all, having no others.
	secs []float64
	used bool
}

// warnFaults names row r's samples with faults, and says what was done
// with them.
func (rep *Report) warnFaults(r *Row, g *group, o Options) {
	ft := g.faults
	if ft.samples == 0 {
		return
	}
	total := len(g.secs)
	what := "included in its statistics"
	switch {
	case ft.used:
		what = "every sample had faults, so they are used"
	case !o.IncludeFaulted:
		total += ft.samples
		what = "left out of its statistics and of benchstat's input (parbench report -faulted include keeps them)"
	}
	n := strconv.FormatFloat(ft.faults, 'f', -1, 64) + " fault"
	if ft.faults != 1 {
		n += "s"
	}
	rep.warn(r.Machine, CheckFaults, "%s: %d of %d samples met worker faults (%s in all), %s",
		r.Name(), ft.samples, total, n, what)
}

// CheckGivenUp names the warning about core counts the sweep gave up on.
const CheckGivenUp = "given-up"

// processFault is one BenchmarkProcessFault line: a measurement process
// that failed in a step of a configuration's batch, or (strategy "")
// between batches of a core count.
type processFault struct {
	strategy       string
	cores, workers int
	step           string
}

// readProcessFault reads a BenchmarkProcessFault line's name.
func readProcessFault(r *benchfmt.Result) (processFault, error) {
	pf := processFault{cores: 1}
	_, parts := r.Name.Parts()
	for _, p := range parts {
		s := string(p)
		if g, ok := strings.CutPrefix(s, "-"); ok {
			k, err := strconv.Atoi(g)
			if err != nil || k < 1 {
				return pf, fmt.Errorf("GOMAXPROCS %q: want a positive number", g)
			}
			pf.cores = k
			continue
		}
		key, value, _ := strings.Cut(strings.TrimPrefix(s, "/"), "=")
		switch key {
		case "strategy":
			pf.strategy = value
		case "workers":
			w, err := strconv.Atoi(value)
			if err != nil || w < 1 {
				return pf, fmt.Errorf("workers %q: want a positive number", value)
			}
			pf.workers = w
		case "step":
			pf.step = value
		}
	}
	if pf.step == "" {
		return pf, errors.New("process fault without a step= in its name")
	}
	return pf, nil
}

// A FaultRow is one line of the fault table: a configuration's worker
// faults (its strategy's own, faults/op on its samples) beside its
// measurement processes' failures, or (Strategy "") a core count's
// failures between batches. Each failed process lost the pair in flight.
type FaultRow struct {
	Machine        string
	Strategy       string
	Cores, Workers int
	// Samples is the configuration's samples, FaultedSamples those with
	// worker faults, WorkerFaults their faults.
	Samples, FaultedSamples int
	WorkerFaults            float64
	// ProcessFaults counts the failed processes, Steps them by step.
	ProcessFaults int
	Steps         []StepCount
}

// A StepCount is how many processes failed in one step.
type StepCount struct {
	Step string
	N    int
}

// Name is the configuration, or "2 cores, between batches".
func (f FaultRow) Name() string {
	if f.Strategy == "" {
		return plural(f.Cores, "core") + ", between batches"
	}
	return fmt.Sprintf("%s/cores=%d/workers=%d", f.Strategy, f.Cores, f.Workers)
}

// addFaults makes the fault table's rows of one machine: every
// configuration with worker faults or failed processes, and every core
// count with failures between batches; and warns of the core counts the
// sweep gave up on.
func (rep *Report) addFaults(m Machine, rows []*Row, byRow map[*Row]*group, faults []processFault) {
	var out []FaultRow
	find := func(strategy string, cores, workers int) *FaultRow {
		for i := range out {
			if out[i].Strategy == strategy && out[i].Cores == cores && out[i].Workers == workers {
				return &out[i]
			}
		}
		out = append(out, FaultRow{Machine: m.Label, Strategy: strategy, Cores: cores, Workers: workers})
		return &out[len(out)-1]
	}
	for _, r := range rows {
		g := byRow[r]
		if g == nil || g.faults.samples == 0 {
			continue
		}
		f := find(r.Strategy, r.Cores, r.Workers)
		f.FaultedSamples, f.WorkerFaults = g.faults.samples, g.faults.faults
	}
	for _, pf := range faults {
		workers := pf.workers
		if pf.strategy == "" {
			workers = 0
		}
		f := find(pf.strategy, pf.cores, workers)
		f.ProcessFaults++
		if i := slices.IndexFunc(f.Steps, func(s StepCount) bool { return s.Step == pf.step }); i >= 0 {
			f.Steps[i].N++
		} else {
			f.Steps = append(f.Steps, StepCount{pf.step, 1})
		}
	}
	for i := range out {
		for _, r := range rows {
			if r.Strategy == out[i].Strategy && r.Cores == out[i].Cores && r.Workers == out[i].Workers {
				out[i].Samples = r.N
				if g := byRow[r]; g != nil && !g.faults.used {
					out[i].Samples = len(g.secs) + g.faults.samples
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b FaultRow) int {
		return cmp.Or(cmp.Compare(boolRank(a.Strategy == ""), boolRank(b.Strategy == "")),
			strategyorder.Compare(a.Strategy, b.Strategy), cmp.Compare(a.Cores, b.Cores), cmp.Compare(a.Workers, b.Workers))
	})
	rep.Faults = append(rep.Faults, out...)
	for _, g := range m.GivenUp {
		rep.warn(m.Label, CheckGivenUp, "%s; the other core counts are complete", g.Text())
	}
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
