package harness

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/internal/pairstat"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// BenchFile is a bench.txt in the Go benchmark format, written as the
// run goes: the header once, then one line appended per sample, so that
// writing n samples costs O(n) and the file on disk is readable whenever
// the run stops. Until Finish drops it, the header carries the partial
// mark; Finish rewrites the file once, through a temporary file and a
// rename, without it.
type BenchFile struct {
	path     string
	header   []benchfmt.Config
	headLen  int // bytes of the header as the file holds it
	workload strategies.Workload
	file     *os.File
	buf      bytes.Buffer
	bw       *benchfmt.Writer
	n        int
	final    bool
	givenUp  map[int][]string
}

// CreateBenchFile writes a bench.txt at path holding only the header
// config lines (and the partial mark), and keeps it open for appending.
// The directory must exist.
func CreateBenchFile(path string, header [][2]string, w strategies.Workload) (*BenchFile, error) {
	f := &BenchFile{path: path, workload: w}
	for _, kv := range header {
		f.header = append(f.header, benchfmt.Config{Key: kv[0], Value: []byte(oneLine(kv[1])), File: true})
	}
	config := f.config(true)
	head := f.head(true)
	f.headLen = len(head)
	if err := runfiles.WriteFileAtomic(path, head); err != nil {
		return nil, err
	}
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, err
	}
	f.file = file
	// The writer writes config lines only when they change: prime it
	// with the header already in the file, so that it writes none.
	f.bw = benchfmt.NewWriter(&f.buf)
	prime := &benchfmt.Result{Config: config, Name: benchfmt.Name("X"), Iters: 1, Values: []benchfmt.Value{{Value: 1, Unit: "ns/op"}}}
	if err := f.bw.Write(prime); err != nil {
		file.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.buf.Reset()
	return f, nil
}

func (f *BenchFile) config(partial bool) []benchfmt.Config {
	config := f.header
	if partial {
		config = append(config[:len(config):len(config)], benchfmt.Config{Key: runfiles.KeyPartial, Value: []byte("true"), File: true})
	}
	return config
}

// head is the file's header: its config lines, the given-up core counts
// (known only at the end) and, while partial, the partial mark.
func (f *BenchFile) head(partial bool) []byte {
	var b bytes.Buffer
	for _, c := range f.header {
		fmt.Fprintf(&b, "%s: %s\n", c.Key, c.Value)
	}
	if len(f.givenUp) > 0 {
		var ks []string
		var causes []string
		for _, k := range slices.Sorted(maps.Keys(f.givenUp)) {
			ks = append(ks, strconv.Itoa(k))
			// "; " separates causes and " | " core counts: a cause may
			// hold neither.
			var cs []string
			for _, c := range f.givenUp[k] {
				cs = append(cs, strings.NewReplacer(";", ",", "|", "/").Replace(c))
			}
			causes = append(causes, fmt.Sprintf("%d cores: %s", k, strings.Join(cs, "; ")))
		}
		fmt.Fprintf(&b, "%s: %s\n", runfiles.KeyGivenUpCores, strings.Join(ks, ","))
		fmt.Fprintf(&b, "%s: %s\n", runfiles.KeyGivenUpCauses, oneLine(strings.Join(causes, " | ")))
	}
	if partial {
		fmt.Fprintf(&b, "%s: true\n", runfiles.KeyPartial)
	}
	return b.Bytes()
}

// GiveUp records that the sweep gave up on a core count, and why: the
// header says so from the file's last rewrite on (at once, if the file
// is already final).
func (f *BenchFile) GiveUp(cores int, causes []string) error {
	if f.givenUp == nil {
		f.givenUp = map[int][]string{}
	}
	f.givenUp[cores] = slices.Clone(causes)
	if f.final {
		return f.rewrite(false)
	}
	return nil
}

// Path is where the file is.
func (f *BenchFile) Path() string { return f.path }

// Len is how many samples the file holds.
func (f *BenchFile) Len() int { return f.n }

// Add appends a sample's line, after the meter lines of its baseline
// half.
func (f *BenchFile) Add(s Sample) error {
	for _, sh := range s.Half {
		if err := f.write(meterResult(runfiles.CPUSpeedBaseline, s, sh)); err != nil {
			return err
		}
	}
	if err := f.write(SampleResult(s, f.workload)); err != nil {
		return err
	}
	f.n++
	return nil
}

// AddCalibration appends a calibration round's meter lines.
func (f *BenchFile) AddCalibration(s Sample) error {
	for _, sh := range s.Half {
		if err := f.write(meterResult(runfiles.CPUSpeedCalibration, s, sh)); err != nil {
			return err
		}
	}
	return nil
}

// AddProcessFault appends the line of a measurement process that failed.
func (f *BenchFile) AddProcessFault(pf ProcessFault) error {
	return f.write(processFaultResult(pf))
}

// write appends one result line.
func (f *BenchFile) write(r *benchfmt.Result) error {
	if f.final || f.file == nil {
		return fmt.Errorf("%s: a line after the file was finished", f.path)
	}
	r.Config = f.config(true)
	f.buf.Reset()
	if err := f.bw.Write(r); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if _, err := f.file.Write(f.buf.Bytes()); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	return nil
}

// Finish closes the file; complete drops the partial mark, by rewriting
// the file once without its line. Once the file is complete, later calls
// do nothing: a run whose timed samples are all in stays complete
// whatever its later passes do.
func (f *BenchFile) Finish(complete bool) error {
	if f.final {
		return nil
	}
	if f.file != nil {
		if err := f.file.Close(); err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
		f.file = nil
	}
	if !complete {
		return nil
	}
	f.final = true
	return f.rewrite(false)
}

// rewrite gives the file a new header, through a temporary file and a
// rename.
func (f *BenchFile) rewrite(partial bool) error {
	data, err := os.ReadFile(f.path)
	if err != nil {
		return err
	}
	if len(data) < f.headLen {
		return fmt.Errorf("%s: shorter than its header", f.path)
	}
	head := f.head(partial)
	out := append(head[:len(head):len(head)], data[f.headLen:]...)
	if err := runfiles.WriteFileAtomic(f.path, out); err != nil {
		return err
	}
	f.headLen = len(head)
	return nil
}

// SampleResult turns a sample into a benchmark result line: one batch is
// one op, so ns/op is the batch's wall time (for the ceiling, its join
// time: its k copies run the batch's jobs between them). A paired sample
// carries its baseline as baseline-ns/op, the time the pair's baseline
// rate gives the batch's jobs, so that baseline-ns/op / ns/op is the
// pair's speedup; a ceiling's also carries copies-ns/op, the time at the
// copies' summed rates.
func SampleResult(s Sample, w strategies.Workload) *benchfmt.Result {
	perOp := float64(s.Wall.Nanoseconds())
	vals := []benchfmt.Value{
		{Value: perOp, Unit: "ns/op"},
		{Value: float64(s.CPU.Nanoseconds()), Unit: "cpu-ns/op"},
		{Value: float64(w.Jobs) / (perOp / 1e9), Unit: "jobs/s"},
		{Value: perOp / float64(w.Jobs), Unit: "ns/job"},
	}
	if s.Baseline > 0 {
		vals = append(vals, benchfmt.Value{Value: float64(s.Baseline.Nanoseconds()), Unit: pairstat.BaselineUnit})
	}
	if s.CopiesTime > 0 {
		vals = append(vals, benchfmt.Value{Value: float64(s.CopiesTime.Nanoseconds()), Unit: runfiles.CopiesUnit})
	}
	if s.JobsCPU > 0 {
		vals = append(vals, benchfmt.Value{Value: float64(s.JobsCPU.Nanoseconds()), Unit: runfiles.JobsCPUUnit})
	}
	if s.BaselineCPU > 0 {
		vals = append(vals, benchfmt.Value{Value: float64(s.BaselineCPU.Nanoseconds()), Unit: runfiles.BaselineCPUUnit})
	}
	if s.Descheduled > 0 {
		vals = append(vals, benchfmt.Value{Value: float64(s.Descheduled.Nanoseconds()), Unit: runfiles.DescheduledUnit})
	}
	if p := s.Idle; p != nil {
		for _, v := range []struct {
			d    time.Duration
			unit string
		}{{p.RampUp, runfiles.IdleRampUpUnit}, {p.Starved, runfiles.IdleStarvedUnit}, {p.AwaitingRelease, runfiles.IdleAwaitingUnit}, {p.Tail, runfiles.IdleTailUnit}} {
			vals = append(vals, benchfmt.Value{Value: float64(v.d.Nanoseconds()), Unit: v.unit})
		}
	}
	if s.Startup > 0 {
		vals = append(vals, benchfmt.Value{Value: float64(s.Startup.Nanoseconds()) / float64(s.Workers), Unit: "startup-ns/worker"})
	}
	for _, m := range s.Metrics {
		vals = append(vals, benchfmt.Value{Value: m.Value, Unit: m.Unit})
	}
	return &benchfmt.Result{Name: benchfmt.Name(s.Name()), Iters: 1, Values: vals}
}

// meterResult is the meter line of one share: its jobs as iterations, the
// wall time per job on its CPU, and when the sample came in.
func meterResult(source string, s Sample, sh ShareTime) *benchfmt.Result {
	name := fmt.Sprintf("%s/source=%s/cpu=%d-%d", runfiles.CPUSpeedBenchmark, source, sh.CPU, s.Cores)
	return &benchfmt.Result{Name: benchfmt.Name(name), Iters: sh.Jobs, Values: []benchfmt.Value{
		{Value: float64(sh.Wall.Nanoseconds()) / float64(sh.Jobs), Unit: "ns/op"},
		{Value: s.Elapsed.Seconds(), Unit: runfiles.ElapsedUnit},
	}}
}

// processFaultResult is the line of one failed measurement process: on
// the configuration whose batch was in flight, or on the core count
// between batches.
func processFaultResult(pf ProcessFault) *benchfmt.Result {
	step := strings.ReplaceAll(pf.Step, " ", "-")
	name := fmt.Sprintf("%s/step=%s-%d", runfiles.ProcessFaultBenchmark, step, pf.Cores)
	if t := pf.Trial; t != nil {
		name = fmt.Sprintf("%s/strategy=%s/workers=%d/step=%s-%d", runfiles.ProcessFaultBenchmark, t.Strategy, t.Workers, step, t.Cores)
	}
	return &benchfmt.Result{Name: benchfmt.Name(name), Iters: 1, Values: []benchfmt.Value{{Value: 1, Unit: runfiles.FaultsUnit}}}
}

// oneLine keeps a config value on its line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
