package harness

import (
	"bytes"
	"fmt"
	"os"
	"strings"

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
	workload strategies.Workload
	file     *os.File
	buf      bytes.Buffer
	bw       *benchfmt.Writer
	n        int
	final    bool
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
	var head bytes.Buffer
	for _, c := range config {
		fmt.Fprintf(&head, "%s: %s\n", c.Key, c.Value)
	}
	if err := runfiles.WriteFileAtomic(path, head.Bytes()); err != nil {
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

// Path is where the file is.
func (f *BenchFile) Path() string { return f.path }

// Len is how many samples the file holds.
func (f *BenchFile) Len() int { return f.n }

// Add appends a sample's line.
func (f *BenchFile) Add(s Sample) error {
	if f.final || f.file == nil {
		return fmt.Errorf("%s: sample after the file was finished", f.path)
	}
	r := SampleResult(s, f.workload)
	r.Config = f.config(true)
	f.buf.Reset()
	if err := f.bw.Write(r); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if _, err := f.file.Write(f.buf.Bytes()); err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	f.n++
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
	data, err := os.ReadFile(f.path)
	if err != nil {
		return err
	}
	mark := []byte(runfiles.KeyPartial + ": true\n")
	if i := bytes.Index(data, mark); i >= 0 && (i == 0 || data[i-1] == '\n') {
		data = append(data[:i:i], data[i+len(mark):]...)
	}
	return runfiles.WriteFileAtomic(f.path, data)
}

// SampleResult turns a sample into a benchmark result line: one batch is
// one op, so ns/op is the batch's wall time. The ceiling's batch of k
// copies is k ops, as b.RunParallel counts them, so its ns/op is the time
// per serial batch's worth of work. A paired sample carries its baseline
// batch's time as baseline-ns/op.
func SampleResult(s Sample, w strategies.Workload) *benchfmt.Result {
	ops := max(1, s.Copies)
	perOp := float64(s.Wall.Nanoseconds()) / float64(ops)
	vals := []benchfmt.Value{
		{Value: perOp, Unit: "ns/op"},
		{Value: float64(s.CPU.Nanoseconds()) / float64(ops), Unit: "cpu-ns/op"},
		{Value: float64(w.Jobs) / (perOp / 1e9), Unit: "jobs/s"},
		{Value: perOp / float64(w.Jobs), Unit: "ns/job"},
	}
	if s.Baseline > 0 {
		vals = append(vals, benchfmt.Value{Value: float64(s.Baseline.Nanoseconds()), Unit: pairstat.BaselineUnit})
	}
	if s.Startup > 0 {
		vals = append(vals, benchfmt.Value{Value: float64(s.Startup.Nanoseconds()) / float64(s.Workers), Unit: "startup-ns/worker"})
	}
	for _, m := range s.Metrics {
		vals = append(vals, benchfmt.Value{Value: m.Value, Unit: m.Unit})
	}
	return &benchfmt.Result{Name: benchfmt.Name(s.Name()), Iters: ops, Values: vals}
}

// oneLine keeps a config value on its line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
