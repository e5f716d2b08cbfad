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

// build makes the report of records read one at a time: a result is used
// while it is yielded and not kept, so memory grows with the number of
// samples, not with the size of the inputs. Syntax errors among the records
// are input errors. It reads every record (builder.add), checks what was
// read (builder.settle), makes a row per configuration and machine
// (builder.rows), then analyses each machine's rows (builder.analyze) and
// runs the trust checks.
func build(records iter.Seq[benchfmt.Record], inputs []Input, o Options) (*Report, error) {
	b, err := newBuilder(inputs, o)
	if err != nil {
		return nil, err
	}
	for rec := range records {
		b.add(rec)
	}
	if err := b.settle(); err != nil {
		return nil, err
	}
	rows, byRow := b.rows()
	for mi := range b.machines {
		b.analyze(mi, rows, byRow)
	}
	for _, r := range rows {
		b.rep.Rows = append(b.rep.Rows, *r)
	}
	b.rep.check(o)
	return b.rep, nil
}

// A builder is what build has read so far: the report it fills, the
// projections that sort a result onto a machine, a configuration and a
// workload, the samples of each configuration on each machine, and what
// each machine recorded besides.
type builder struct {
	rep *Report
	o   Options

	machineProj, configProj, workProj, residue *benchproc.Projection
	cf, wf                                     []*benchproc.Field

	groups     map[groupKey]*group
	order      []*group // in the order first seen
	machineIdx map[benchproc.Key]int
	machines   []Machine
	perMachine []*machineData
	names      []seenValue   // benchmark names
	work       [][]seenValue // the values of each workload key
	missing    [][]string    // where each workload key was not recorded
	skipped    []string      // benchmarks without /strategy=
}

// groupKey is a configuration on a machine.
type groupKey struct{ machine, config benchproc.Key }

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

func newBuilder(inputs []Input, o Options) (*builder, error) {
	b := &builder{
		rep:        &Report{Confidence: o.Confidence, Resamples: o.Resamples, Inputs: inputs},
		o:          o,
		groups:     map[groupKey]*group{},
		machineIdx: map[benchproc.Key]int{},
	}
	var pp benchproc.ProjectionParser
	var err error
	if b.machineProj, err = pp.Parse(".file,"+runfiles.KeyHost+","+runfiles.KeyCPU, nil); err != nil {
		return nil, err
	}
	if b.configProj, err = pp.Parse(".name,/strategy,/gomaxprocs,/workers", nil); err != nil {
		return nil, err
	}
	if b.workProj, err = pp.Parse(strings.Join(runfiles.WorkloadKeys, ","), nil); err != nil {
		return nil, err
	}
	b.residue = pp.Residue()
	b.cf, b.wf = b.configProj.Fields(), b.workProj.Fields()
	b.work = make([][]seenValue, len(b.wf))
	b.missing = make([][]string, len(b.wf))
	return b, nil
}

// machineOf is the machine of r, added when first seen.
func (b *builder) machineOf(r *benchfmt.Result) (benchproc.Key, int) {
	mk := b.machineProj.Project(r)
	mi, ok := b.machineIdx[mk]
	if !ok {
		mi = len(b.machines)
		b.machineIdx[mk] = mi
		b.machines = append(b.machines, newMachine(r))
		md := &machineData{}
		md.cal.noteRunSettings(r)
		b.perMachine = append(b.perMachine, md)
	}
	return mk, mi
}

// bad notes r as an unusable line, with why.
func (b *builder) bad(r *benchfmt.Result, format string, args ...any) {
	b.rep.reject(r)
	b.rep.InputErrors = append(b.rep.InputErrors, errorAt(r, fmt.Sprintf(format, args...)))
}

// add reads one record: a syntax error, a meter line, a process fault, or
// a sample.
func (b *builder) add(rec benchfmt.Record) {
	r, ok := rec.(*benchfmt.Result)
	if !ok {
		if se, ok := rec.(*benchfmt.SyntaxError); ok {
			b.rep.rejectAt(se.FileName, se.Line)
			b.rep.InputErrors = append(b.rep.InputErrors, se)
		}
		return
	}
	switch string(r.Name.Base()) {
	case runfiles.CPUSpeedBenchmark:
		// Kept in benchstat's input: it shows them as a table of
		// their own (see BenchstatViews).
		rd, err := readMeter(r)
		if err != nil {
			b.bad(r, "%v", err)
			return
		}
		_, mi := b.machineOf(r)
		b.perMachine[mi].meter.add(rd)
	case runfiles.ProcessFaultBenchmark:
		// Not a sample: left out of the statistics and of
		// benchstat's input, which would show it as a benchmark.
		b.rep.reject(r)
		pf, err := readProcessFault(r)
		if err != nil {
			b.rep.InputErrors = append(b.rep.InputErrors, errorAt(r, err.Error()))
			return
		}
		_, mi := b.machineOf(r)
		b.perMachine[mi].faults = append(b.perMachine[mi].faults, pf)
		b.perMachine[mi].meter.abandon()
	default:
		b.addSample(r)
	}
}

// A sample is what build takes from one result line of a configuration.
type sample struct {
	strategy       string
	cores, workers int
	secs           float64
	// meter are the CPUs' times of its pair's baseline half, elapsed the
	// seconds into the run of their last reading (NaN without).
	meter   []cpuTime
	elapsed float64
}

// addSample reads a result line of a configuration into its group, or
// notes why it cannot be used.
func (b *builder) addSample(r *benchfmt.Result) {
	ck := b.configProj.Project(r)
	s, ok := b.readSample(r, ck)
	if !ok {
		return
	}
	b.noteWorkload(r, ck)
	mk, mi := b.machineOf(r)
	md := b.perMachine[mi]
	if s.strategy == CalibrationStrategy {
		md.cal.secs = append(md.cal.secs, s.secs)
		return
	}
	_, line := r.Pos()
	base := baselineOf(r)
	if !math.IsNaN(base) {
		md.baseline = append(md.baseline, linedValue{line, base})
	}
	gk := groupKey{mk, ck}
	g := b.groups[gk]
	if g == nil {
		g = &group{machine: mi, name: ck.Get(b.cf[0]), strategy: s.strategy, cores: s.cores, workers: s.workers}
		b.groups[gk] = g
		b.order = append(b.order, g)
	}
	if f, ok := r.Value(FaultsUnit); ok && f > 0 {
		g.faults.samples++
		g.faults.faults += f
		if !b.o.IncludeFaulted {
			g.faults.secs = append(g.faults.secs, s.secs)
			b.rep.reject(r)
			return
		}
	}
	g.add(r, s, base, line)
	if rk := b.residue.Project(r); !slices.Contains(g.residues, rk) {
		g.residues = append(g.residues, rk)
	}
}

// readSample reads the strategy, cores, workers and time of a result line
// of a configuration, and takes its pair's meter lines; ok is false, with
// the line noted, for a line that cannot be used.
func (b *builder) readSample(r *benchfmt.Result, ck benchproc.Key) (s sample, ok bool) {
	s = sample{strategy: ck.Get(b.cf[1]), elapsed: math.NaN(), cores: 1} // go test leaves out the -1 suffix
	if s.strategy == "" {
		b.rep.reject(r)
		if name := "Benchmark" + r.Name.String(); !slices.Contains(b.skipped, name) {
			b.skipped = append(b.skipped, name)
		}
		return s, false
	}
	if mi, ok := b.machineIdx[b.machineProj.Project(r)]; ok && s.strategy != CalibrationStrategy {
		// This line ends its pair, whether or not it can be used.
		s.meter, s.elapsed = b.perMachine[mi].meter.takePair()
	}
	secs, ok := r.Value("sec/op")
	if ns, isNS := r.Value("ns/op"); !ok && isNS {
		secs, ok = ns/1e9, true // benchfmt tidies only finite values
	}
	switch {
	case !ok:
		b.bad(r, "no time per batch (ns/op)")
		return s, false
	case !(secs > 0) || math.IsInf(secs, 0):
		b.bad(r, "time per batch %v s: want a positive number", secs)
		return s, false
	case secs > MaxBatchSeconds:
		b.bad(r, "time per batch %v s: want at most %v s", secs, float64(MaxBatchSeconds))
		return s, false
	}
	if u, v, ok := nonFinite(r); ok {
		b.bad(r, "%s %v: want a finite number", u, v)
		return s, false
	}
	s.secs = secs
	var err error
	if g := ck.Get(b.cf[2]); g != "" {
		if s.cores, err = strconv.Atoi(g); err != nil || s.cores < 1 {
			b.bad(r, "GOMAXPROCS %q: want a positive number", g)
			return s, false
		}
	}
	if w := ck.Get(b.cf[3]); w != "" {
		if s.workers, err = strconv.Atoi(w); err != nil || s.workers < 1 {
			b.bad(r, "workers %q: want a positive number", w)
			return s, false
		}
	}
	return s, true
}

// noteWorkload notes the benchmark name and the workload a usable line
// records, and which workload keys its file leaves out.
func (b *builder) noteWorkload(r *benchfmt.Result, ck benchproc.Key) {
	where := position(r)
	b.names = addSeen(b.names, ck.Get(b.cf[0]), where)
	wk := b.workProj.Project(r)
	for i, f := range b.wf {
		if v := wk.Get(f); v != "" {
			b.work[i] = addSeen(b.work[i], v, where)
		} else if file := r.GetConfig(".file"); !slices.Contains(b.missing[i], file) {
			b.missing[i] = append(b.missing[i], file)
		}
	}
}

// add appends one usable sample of the group's configuration.
func (g *group) add(r *benchfmt.Result, s sample, base float64, line int) {
	g.secs = append(g.secs, s.secs)
	g.baseSecs = append(g.baseSecs, base)
	copies := math.NaN()
	if s.strategy == CeilingStrategy {
		copies = copiesOf(r)
	}
	g.copies = append(g.copies, copies)
	g.lines = append(g.lines, line)
	g.elapsed = append(g.elapsed, s.elapsed)
	g.meter = append(g.meter, s.meter)
	if v, ok := r.Value("cpu-sec/op"); ok {
		g.cpuSecs = append(g.cpuSecs, v)
	}
	g.evidence = append(g.evidence, evidenceOf(r, s.secs, base))
	if v, ok := r.Value("jobs/s"); ok {
		g.jobsRate = append(g.jobsRate, v)
	}
}

// settle checks what was read once every record is in: it warns of the
// unusable lines and skipped benchmarks, refuses no results and results of
// different workloads, and sets the report's workload and machines.
func (b *builder) settle() error {
	rep := b.rep
	sortByPosition(rep.InputErrors)
	for _, e := range rep.InputErrors {
		rep.warn("", CheckInput, "%v", e)
	}
	if len(b.skipped) > 0 {
		rep.warn("", CheckInput, "skipped %s not run by strategy (no /strategy= in the name): %s",
			plural(len(b.skipped), "benchmark"), strings.Join(firstFew(b.skipped, 3), ", "))
	}
	if len(b.order) == 0 {
		return b.noResults()
	}
	if err := sameWorkload(b.names, b.wf, b.work); err != nil {
		return err
	}
	rep.Benchmark = b.names[0].value
	for i, f := range b.wf {
		if len(b.work[i]) == 0 {
			continue
		}
		rep.Workload = append(rep.Workload, [2]string{f.Name, b.work[i][0].value})
		if len(b.missing[i]) > 0 {
			rep.warn("", CheckWorkload, "workload parameter %s not recorded in %s: assumed to be %s as elsewhere",
				f.Name, filesText(b.missing[i]), b.work[i][0].value)
		}
	}
	labelMachines(b.machines)
	rep.Machines = b.machines
	params, err := parseWorkload(rep.Workload)
	if err != nil {
		rep.warn("", CheckWorkload, "%v", err)
	}
	rep.Params = params
	return nil
}

// noResults is the error of inputs without a usable result, with what
// was found instead.
func (b *builder) noResults() error {
	msg := "no parbench results"
	if len(b.rep.Inputs) > 0 {
		var paths []string
		for _, in := range b.rep.Inputs {
			paths = append(paths, in.Path)
		}
		msg += " in " + strings.Join(paths, ", ")
	}
	if len(b.skipped) > 0 {
		msg += fmt.Sprintf(" (%s without /strategy= in the name, such as %s)", plural(len(b.skipped), "benchmark"), b.skipped[0])
	}
	if n := len(b.rep.InputErrors); n > 0 {
		msg += fmt.Sprintf(" (%s unreadable; first: %v)", plural(n, "line"), b.rep.InputErrors[0])
	}
	return errors.New(msg)
}

// jobs is the jobs per batch, NaN where not recorded.
func (b *builder) jobs() float64 {
	if b.rep.Params.Jobs > 0 {
		return float64(b.rep.Params.Jobs)
	}
	return math.NaN()
}

// rows summarizes each configuration on each machine into its row, in
// the report's order, and remembers each row's group.
func (b *builder) rows() ([]*Row, map[*Row]*group) {
	slices.SortStableFunc(b.order, func(x, y *group) int {
		return cmp.Or(strategyorder.Compare(x.strategy, y.strategy), cmp.Compare(x.cores, y.cores),
			cmp.Compare(x.workers, y.workers), cmp.Compare(x.machine, y.machine))
	})
	rows := make([]*Row, len(b.order))
	byRow := map[*Row]*group{}
	for i, g := range b.order {
		r := &Row{Machine: b.machines[g.machine].Label, Strategy: g.strategy, Cores: g.cores, Workers: g.workers}
		if len(g.secs) == 0 {
			// Every sample had a fault: a row from them, with a warning,
			// beats no row.
			g.secs, g.faults.used = g.faults.secs, true
		}
		r.summarize(g.secs, g.cpuSecs, g.jobsRate, b.jobs(), b.o.Confidence)
		if !g.faults.used {
			r.pairs = g.evidence
		}
		b.rep.warnFaults(r, g, b.o)
		rows[i] = r
		byRow[r] = g
		if len(g.residues) > 1 {
			var fields []string
			for _, f := range benchproc.NonSingularFields(g.residues) {
				fields = append(fields, f.Name)
			}
			b.rep.warn(r.Machine, CheckPooled, "%s pools results that differ in %s", r.Name(), strings.Join(fields, ", "))
		}
	}
	return rows, byRow
}

// analyze works out what one machine's rows say: its meter, its baseline
// stretches and faults, the speedups against its baseline, the paired
// figures, the ceilings, its calibration and its fits.
func (b *builder) analyze(mi int, rows []*Row, byRow map[*Row]*group) {
	rep, m, md, o := b.rep, b.machines[mi], b.perMachine[mi], b.o
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
		return
	}
	setSpeedups(mrows, base, o)
	first := firstCPU(m, md.meter.readings)
	for _, r := range mrows {
		if r != base {
			r.setPaired(byRow[r], first, b.jobs(), o)
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
