package report

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"
)

// A Report is the analysis of one or more runs: a row per machine x
// strategy x cores x workers, fits per machine x strategy, and warnings.
// Rows are ordered by strategy (Baseline first, then by name), cores,
// workers and machine, so that the machines of one configuration sit
// side by side.
type Report struct {
	// Benchmark is the base name, such as "XORSum".
	Benchmark string
	// Label names the workload among the others of a Set, and Slug is
	// Label made fit for file names and HTML ids; both are "" in a
	// report of one workload.
	Label, Slug string
	// Workload is the recorded workload, as key/value pairs in
	// runfiles.WorkloadKeys order; keys not recorded are left out.
	Workload [][2]string
	// Params is Workload, typed.
	Params Workload
	// Confidence is the level of every interval; Resamples is the
	// number of bootstrap resamples behind each speedup interval.
	Confidence float64
	Resamples  int

	Inputs []Input // nil for results from memory
	// Evidence is what each input's run folder holds besides its bench
	// file, in the order of Inputs (see ReadRunFolders).
	Evidence []Evidence
	Machines []Machine
	Rows     []Row
	Fits     []Fit
	// Calibrations are the machines' calibration loops, where recorded.
	Calibrations []Calibration
	// Meters are the machines' per-CPU speed meters, where recorded (the
	// own-cpus kind).
	Meters []Meter
	// BaselineStretches are, in the first-cpu kind, the stretches in
	// which the baseline batches (all on the first CPU) slowed.
	BaselineStretches []BaselineStretch
	// Faults is the fault table: worker faults and failed measurement
	// processes, by configuration and core count.
	Faults []FaultRow

	// Warnings are reasons to doubt parts of the report, each a
	// *Warning; they include InputErrors.
	Warnings []error
	// InputErrors are the lines of the inputs that could not be used,
	// each "file:line: message".
	InputErrors []error

	// rejected holds, per input file, the lines of results that the
	// report did not use, so that benchstat gets only the others.
	rejected map[string]map[int]bool
	// benchstatPaths maps an input to the filtered copy benchstat reads
	// instead; see WriteBenchstatInputs.
	benchstatPaths map[string]string
	// inputNumbers are the positions (from 1) of Inputs among all the
	// inputs of a Set, which name their filtered copies; nil means 1, 2...
	inputNumbers []int
}

// Strategies lists the strategies in the report, in row order.
func (r *Report) Strategies() []string {
	var names []string
	for _, row := range r.Rows {
		if !slices.Contains(names, row.Strategy) {
			names = append(names, row.Strategy)
		}
	}
	return names
}

// FromResults builds the report of results held in memory, such as a run
// that just finished; see Load for files. The results are not modified.
// The error is for what stops the report: no usable results, or results of
// different workloads.
func FromResults(results []*benchfmt.Result, opts *Options) (*Report, error) {
	o := opts.orDefault()
	if err := o.validate(); err != nil {
		return nil, err
	}
	return build(func(yield func(benchfmt.Record) bool) {
		for _, r := range results {
			if !yield(r) {
				return
			}
		}
	}, nil, o)
}

// group collects the samples of one configuration on one machine.
type group struct {
	machine                 int
	name, strategy          string
	cores, workers          int
	secs, cpuSecs, jobsRate []float64
	baseSecs                []float64 // the adjacent baseline batch of each of secs, NaN if none
	// Of each of secs: the copies' own time (copies-ns/op, a ceiling of
	// the own-cpus kind; NaN otherwise), its line, the elapsed time of
	// its pair's meter lines (NaN without) and their CPUs' times.
	copies   []float64
	lines    []int
	elapsed  []float64
	meter    [][]cpuTime
	residues []benchproc.Key
	faults   faultTally
	// evidence is each of secs' loss evidence.
	evidence []pairEvidence
}

// speedSecs are the times the row's speedup divides into its baseline
// halves: the copies' own times for a ceiling that has them, else the
// batch times.
func (g *group) speedSecs() []float64 {
	if g.hasCopies() {
		return g.copies
	}
	return g.secs
}

func (g *group) hasCopies() bool {
	return slices.ContainsFunc(g.copies, func(v float64) bool { return v > 0 })
}

// MaxBatchSeconds is the longest time per batch a report accepts: no
// parbench batch comes near it (harness.MaxBatchWork), so a longer one is
// a corrupt line, and values like it make benchstat's work explode.
const MaxBatchSeconds = 1e6

// nonFinite finds a value of r that is NaN or infinite, in any unit.
func nonFinite(r *benchfmt.Result) (unit string, v float64, ok bool) {
	for _, val := range r.Values {
		if math.IsNaN(val.Value) || math.IsInf(val.Value, 0) {
			return val.Unit, val.Value, true
		}
	}
	return "", 0, false
}

// reject notes that r is not used, by its place in its file.
func (rep *Report) reject(r *benchfmt.Result) {
	rep.rejectAt(r.Pos())
}

func (rep *Report) rejectAt(file string, line int) {
	if file == "" {
		return
	}
	if rep.rejected == nil {
		rep.rejected = map[string]map[int]bool{}
	}
	if rep.rejected[file] == nil {
		rep.rejected[file] = map[int]bool{}
	}
	rep.rejected[file][line] = true
}

// sameWorkload refuses results of different benchmarks or workloads,
// naming each parameter that differs and where each value came from.
func sameWorkload(names []seenValue, wf []*benchproc.Field, work [][]seenValue) error {
	var diffs []string
	describe := func(key string, vs []seenValue) string {
		var parts []string
		for _, v := range vs {
			p := v.value
			if v.where != "" {
				p += " (" + v.where + ")"
			}
			parts = append(parts, p)
		}
		return key + " " + strings.Join(parts, " vs ")
	}
	if len(names) > 1 {
		diffs = append(diffs, describe("benchmark", names))
	}
	for i, f := range wf {
		if len(work[i]) > 1 {
			diffs = append(diffs, describe(f.Name, work[i]))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("results of different workloads, not comparable: %s", strings.Join(diffs, "; "))
	}
	return nil
}

func addSeen(vs []seenValue, value, where string) []seenValue {
	for _, v := range vs {
		if v.value == value {
			return vs
		}
	}
	return append(vs, seenValue{value, where})
}

func rowsWhere(rows []*Row, keep func(*Row) bool) []*Row {
	var out []*Row
	for _, r := range rows {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

// baselineRow is the baseline strategy on one core, preferring one worker.
func baselineRow(rows []*Row) *Row {
	var base *Row
	for _, r := range rows {
		if r.Strategy == Baseline && r.Cores == 1 && (base == nil || r.Workers == 1) {
			base = r
		}
	}
	return base
}

// setSteps compares each row with the same strategy on the nearest smaller
// core count: with the same workers-minus-cores offset where there is one
// (workers = cores, cores-1, ...), else with the same workers.
func setSteps(rows []*Row) {
	for _, r := range rows {
		var prev *Row
		for _, same := range []func(p *Row) bool{
			func(p *Row) bool { return p.Workers-p.Cores == r.Workers-r.Cores },
			func(p *Row) bool { return p.Workers == r.Workers },
		} {
			for _, p := range rows {
				if p.Strategy == r.Strategy && p.Cores < r.Cores && same(p) && (prev == nil || p.Cores > prev.Cores) {
					prev = p
				}
			}
			if prev != nil {
				break
			}
		}
		if prev != nil {
			r.compare(prev)
		}
	}
}

// errorAt is msg at the position of r in its file, as benchfmt reports
// syntax errors.
func errorAt(r *benchfmt.Result, msg string) error {
	file, line := r.Pos()
	if file == "" {
		return fmt.Errorf("%s: %s", r.Name, msg)
	}
	return &benchfmt.SyntaxError{FileName: file, Line: line, Msg: msg}
}

// sortByPosition orders errors that carry a file and line by file, in the
// order first seen, then by line.
func sortByPosition(errs []error) {
	var files []string
	pos := func(err error) (int, int) {
		var se *benchfmt.SyntaxError
		if !errors.As(err, &se) {
			return -1, 0
		}
		i := slices.Index(files, se.FileName)
		if i < 0 {
			i = len(files)
			files = append(files, se.FileName)
		}
		return i, se.Line
	}
	for _, e := range errs {
		pos(e)
	}
	slices.SortStableFunc(errs, func(a, b error) int {
		fa, la := pos(a)
		fb, lb := pos(b)
		return cmp.Or(cmp.Compare(fa, fb), cmp.Compare(la, lb))
	})
}

// position is "file:line" for a result read from a file, else "".
func position(r *benchfmt.Result) string {
	file, line := r.Pos()
	if file == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", file, line)
}
