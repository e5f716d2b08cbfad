package report

import (
	"cmp"
	"errors"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchproc"

	"github.com/parbench/parbench/internal/strategyorder"
	"github.com/parbench/parbench/runfiles"
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

// machineData is what the report reads of one machine besides its
// configurations' samples.
type machineData struct {
	cal   calibrationOf
	meter meterLog
	// baseline is every pair's baseline time in file order, for the
	// first-cpu kind's baseline stretches.
	baseline []linedValue
	// faults are its measurement processes' failures.
	faults []processFault
}

// seenValue is a value of a workload key and where it was first seen.
type seenValue struct{ value, where string }

// build makes the report of records read one at a time: a result is used
// while it is yielded and not kept, so memory grows with the number of
// samples, not with the size of the inputs. Syntax errors among the records
// are input errors.
func build(records iter.Seq[benchfmt.Record], inputs []Input, o Options) (*Report, error) {
	rep := &Report{Confidence: o.Confidence, Resamples: o.Resamples, Inputs: inputs}

	var pp benchproc.ProjectionParser
	machineProj, err := pp.Parse(".file,"+runfiles.KeyHost+","+runfiles.KeyCPU, nil)
	if err != nil {
		return nil, err
	}
	configProj, err := pp.Parse(".name,/strategy,/gomaxprocs,/workers", nil)
	if err != nil {
		return nil, err
	}
	workProj, err := pp.Parse(strings.Join(runfiles.WorkloadKeys, ","), nil)
	if err != nil {
		return nil, err
	}
	residue := pp.Residue()
	cf, wf := configProj.Fields(), workProj.Fields()

	type groupKey struct{ machine, config benchproc.Key }
	groups := map[groupKey]*group{}
	var order []*group
	machineIdx := map[benchproc.Key]int{}
	var machines []Machine
	var names []seenValue
	work := make([][]seenValue, len(wf))
	missing := make([][]string, len(wf)) // where each workload key was not recorded
	var skipped []string
	var perMachine []*machineData
	machineOf := func(r *benchfmt.Result) (benchproc.Key, int) {
		mk := machineProj.Project(r)
		mi, ok := machineIdx[mk]
		if !ok {
			mi = len(machines)
			machineIdx[mk] = mi
			machines = append(machines, newMachine(r))
			md := &machineData{}
			md.cal.noteRunSettings(r)
			perMachine = append(perMachine, md)
		}
		return mk, mi
	}

	for rec := range records {
		r, ok := rec.(*benchfmt.Result)
		if !ok {
			if se, ok := rec.(*benchfmt.SyntaxError); ok {
				rep.rejectAt(se.FileName, se.Line)
				rep.InputErrors = append(rep.InputErrors, se)
			}
			continue
		}
		bad := func(format string, args ...any) {
			rep.reject(r)
			rep.InputErrors = append(rep.InputErrors, errorAt(r, fmt.Sprintf(format, args...)))
		}
		switch string(r.Name.Base()) {
		case runfiles.CPUSpeedBenchmark:
			// Kept in benchstat's input: it shows them as a table of
			// their own (see BenchstatViews).
			rd, err := readMeter(r)
			if err != nil {
				bad("%v", err)
				continue
			}
			_, mi := machineOf(r)
			perMachine[mi].meter.add(rd)
			continue
		case runfiles.ProcessFaultBenchmark:
			// Not a sample: left out of the statistics and of
			// benchstat's input, which would show it as a benchmark.
			rep.reject(r)
			pf, err := readProcessFault(r)
			if err != nil {
				rep.InputErrors = append(rep.InputErrors, errorAt(r, err.Error()))
				continue
			}
			_, mi := machineOf(r)
			perMachine[mi].faults = append(perMachine[mi].faults, pf)
			perMachine[mi].meter.abandon()
			continue
		}
		ck := configProj.Project(r)
		strategy := ck.Get(cf[1])
		if strategy == "" {
			rep.reject(r)
			if name := "Benchmark" + r.Name.String(); !slices.Contains(skipped, name) {
				skipped = append(skipped, name)
			}
			continue
		}
		var meter []cpuTime
		elapsed := math.NaN()
		if mi, ok := machineIdx[machineProj.Project(r)]; ok && strategy != CalibrationStrategy {
			// This line ends its pair, whether or not it can be used.
			meter, elapsed = perMachine[mi].meter.takePair()
		}
		secs, ok := r.Value("sec/op")
		if ns, isNS := r.Value("ns/op"); !ok && isNS {
			secs, ok = ns/1e9, true // benchfmt tidies only finite values
		}
		if !ok {
			bad("no time per batch (ns/op)")
			continue
		}
		if !(secs > 0) || math.IsInf(secs, 0) {
			bad("time per batch %v s: want a positive number", secs)
			continue
		}
		if secs > MaxBatchSeconds {
			bad("time per batch %v s: want at most %v s", secs, float64(MaxBatchSeconds))
			continue
		}
		if u, v, ok := nonFinite(r); ok {
			bad("%s %v: want a finite number", u, v)
			continue
		}
		cores := 1 // go test leaves out the -1 suffix
		if g := ck.Get(cf[2]); g != "" {
			if cores, err = strconv.Atoi(g); err != nil || cores < 1 {
				bad("GOMAXPROCS %q: want a positive number", g)
				continue
			}
		}
		workers := 0
		if w := ck.Get(cf[3]); w != "" {
			if workers, err = strconv.Atoi(w); err != nil || workers < 1 {
				bad("workers %q: want a positive number", w)
				continue
			}
		}

		where := position(r)
		names = addSeen(names, ck.Get(cf[0]), where)
		wk := workProj.Project(r)
		for i, f := range wf {
			if v := wk.Get(f); v != "" {
				work[i] = addSeen(work[i], v, where)
			} else if file := r.GetConfig(".file"); !slices.Contains(missing[i], file) {
				missing[i] = append(missing[i], file)
			}
		}

		mk, mi := machineOf(r)
		md := perMachine[mi]
		if strategy == CalibrationStrategy {
			md.cal.secs = append(md.cal.secs, secs)
			continue
		}
		_, line := r.Pos()
		base := baselineOf(r)
		if !math.IsNaN(base) {
			md.baseline = append(md.baseline, linedValue{line, base})
		}
		gk := groupKey{mk, ck}
		g := groups[gk]
		if g == nil {
			g = &group{machine: mi, name: ck.Get(cf[0]), strategy: strategy, cores: cores, workers: workers}
			groups[gk] = g
			order = append(order, g)
		}
		if f, ok := r.Value(FaultsUnit); ok && f > 0 {
			g.faults.samples++
			g.faults.faults += f
			if !o.IncludeFaulted {
				g.faults.secs = append(g.faults.secs, secs)
				rep.reject(r)
				continue
			}
		}
		g.secs = append(g.secs, secs)
		g.baseSecs = append(g.baseSecs, base)
		copies := math.NaN()
		if strategy == CeilingStrategy {
			copies = copiesOf(r)
		}
		g.copies = append(g.copies, copies)
		g.lines = append(g.lines, line)
		g.elapsed = append(g.elapsed, elapsed)
		g.meter = append(g.meter, meter)
		if v, ok := r.Value("cpu-sec/op"); ok {
			g.cpuSecs = append(g.cpuSecs, v)
		}
		g.evidence = append(g.evidence, evidenceOf(r, secs, base))
		if v, ok := r.Value("jobs/s"); ok {
			g.jobsRate = append(g.jobsRate, v)
		}
		if rk := residue.Project(r); !slices.Contains(g.residues, rk) {
			g.residues = append(g.residues, rk)
		}
	}

	sortByPosition(rep.InputErrors)
	for _, e := range rep.InputErrors {
		rep.warn("", CheckInput, "%v", e)
	}
	if len(skipped) > 0 {
		rep.warn("", CheckInput, "skipped %s not run by strategy (no /strategy= in the name): %s",
			plural(len(skipped), "benchmark"), strings.Join(firstFew(skipped, 3), ", "))
	}
	if len(order) == 0 {
		msg := "no parbench results"
		if len(inputs) > 0 {
			var paths []string
			for _, in := range inputs {
				paths = append(paths, in.Path)
			}
			msg += " in " + strings.Join(paths, ", ")
		}
		if len(skipped) > 0 {
			msg += fmt.Sprintf(" (%s without /strategy= in the name, such as %s)", plural(len(skipped), "benchmark"), skipped[0])
		}
		if len(rep.InputErrors) > 0 {
			msg += fmt.Sprintf(" (%s unreadable; first: %v)", plural(len(rep.InputErrors), "line"), rep.InputErrors[0])
		}
		return nil, errors.New(msg)
	}
	if err := sameWorkload(names, wf, work); err != nil {
		return nil, err
	}
	rep.Benchmark = names[0].value
	for i, f := range wf {
		if len(work[i]) == 0 {
			continue
		}
		rep.Workload = append(rep.Workload, [2]string{f.Name, work[i][0].value})
		if len(missing[i]) > 0 {
			rep.warn("", CheckWorkload, "workload parameter %s not recorded in %s: assumed to be %s as elsewhere",
				f.Name, filesText(missing[i]), work[i][0].value)
		}
	}

	labelMachines(machines)
	rep.Machines = machines
	params, err := parseWorkload(rep.Workload)
	if err != nil {
		rep.warn("", CheckWorkload, "%v", err)
	}
	rep.Params = params
	jobs := math.NaN()
	if rep.Params.Jobs > 0 {
		jobs = float64(rep.Params.Jobs)
	}
	slices.SortStableFunc(order, func(a, b *group) int {
		return cmp.Or(strategyorder.Compare(a.strategy, b.strategy), cmp.Compare(a.cores, b.cores),
			cmp.Compare(a.workers, b.workers), cmp.Compare(a.machine, b.machine))
	})
	rows := make([]*Row, len(order))
	byRow := map[*Row]*group{}
	for i, g := range order {
		r := &Row{Machine: machines[g.machine].Label, Strategy: g.strategy, Cores: g.cores, Workers: g.workers}
		if len(g.secs) == 0 {
			// Every sample had a fault: a row from them, with a warning,
			// beats no row.
			g.secs, g.faults.used = g.faults.secs, true
		}
		r.summarize(g.secs, g.cpuSecs, g.jobsRate, jobs, o.Confidence)
		if !g.faults.used {
			r.pairs = g.evidence
		}
		rep.warnFaults(r, g, o)
		rows[i] = r
		byRow[r] = g
		if len(g.residues) > 1 {
			var fields []string
			for _, f := range benchproc.NonSingularFields(g.residues) {
				fields = append(fields, f.Name)
			}
			rep.warn(r.Machine, CheckPooled, "%s pools results that differ in %s", r.Name(), strings.Join(fields, ", "))
		}
	}

	for mi, m := range machines {
		md := perMachine[mi]
		for _, p := range m.headerProblems {
			rep.warn(m.Label, CheckInput, "%s", p)
		}
		meter := analyzeMeter(m.Label, &md.meter)
		if meter != nil {
			rep.Meters = append(rep.Meters, *meter)
			rep.warnCPUSpeed(meter)
		}
		var stretches []BaselineStretch
		if m.Kind == FirstCPU {
			stretches = baselineStretches(md.baseline)
			for i := range stretches {
				stretches[i].Machine = m.Label
			}
			rep.BaselineStretches = append(rep.BaselineStretches, stretches...)
		}
		mrows := rowsWhere(rows, func(r *Row) bool { return r.Machine == m.Label })
		rep.addFaults(m, mrows, byRow, md.faults)
		setSteps(mrows)
		base := baselineRow(mrows)
		if base == nil {
			rep.warn(m.Label, CheckBaseline, "no %s run on 1 core: no speedups, efficiencies or fits", Baseline)
			continue
		}
		setSpeedups(mrows, base, o)
		first := firstCPU(m, md.meter.readings)
		for _, r := range mrows {
			if r != base {
				r.setPaired(byRow[r], first, jobs, o)
			} else {
				r.UnpairedSpeedup, r.UnpairedLow, r.UnpairedHigh = 1, 1, 1
			}
			if r.Modes != nil && r.Modes.Bimodal {
				rep.warn(m.Label, CheckBimodal, "%s: pairs bimodal: %s", r.Name(), modesText(*r.Modes))
			}
		}
		rep.setCeilings(m, mrows, byRow, meter, stretches, o)
		rep.calibrate(m, mrows, &md.cal, md.meter.readings, o)
		rep.fitMachine(m, mrows, o)
	}
	for _, r := range rows {
		rep.Rows = append(rep.Rows, *r)
	}
	rep.check(o)
	return rep, nil
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

func filesText(files []string) string {
	var out []string
	for _, f := range files {
		if f == "" {
			f = "results from memory"
		}
		out = append(out, f)
	}
	return strings.Join(out, ", ")
}

func firstFew(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(xs[:n:n], "...")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
