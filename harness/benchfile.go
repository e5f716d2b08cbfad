package harness

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// BenchFile is a bench.txt in the Go benchmark format, rewritten whole
// after every sample through a temporary file and a rename, so that the
// file on disk is always complete and readable: marked partial until
// Finish, and never half-written, whenever the run stops.
type BenchFile struct {
	path     string
	header   []benchfmt.Config
	workload strategies.Workload
	results  []*benchfmt.Result
}

// CreateBenchFile writes a bench.txt at path holding only the header
// config lines (and the partial mark). The directory must exist.
func CreateBenchFile(path string, header [][2]string, w strategies.Workload) (*BenchFile, error) {
	f := &BenchFile{path: path, workload: w}
	for _, kv := range header {
		f.header = append(f.header, benchfmt.Config{Key: kv[0], Value: []byte(oneLine(kv[1])), File: true})
	}
	return f, f.write(true)
}

// Path is where the file is.
func (f *BenchFile) Path() string { return f.path }

// Len is how many samples the file holds.
func (f *BenchFile) Len() int { return len(f.results) }

// Results are the samples written so far, as benchmark results. The caller
// must not modify them.
func (f *BenchFile) Results() []*benchfmt.Result { return f.results }

// Add appends a sample and rewrites the file, still marked partial.
func (f *BenchFile) Add(s Sample) error {
	f.results = append(f.results, SampleResult(s, f.workload))
	return f.write(true)
}

// Finish rewrites the file one last time; complete drops the partial mark.
func (f *BenchFile) Finish(complete bool) error {
	return f.write(!complete)
}

// SampleResult turns a sample into a benchmark result line: one batch is
// one op, so ns/op is the batch's wall time.
func SampleResult(s Sample, w strategies.Workload) *benchfmt.Result {
	sec := s.Wall.Seconds()
	vals := []benchfmt.Value{
		{Value: float64(s.Wall.Nanoseconds()), Unit: "ns/op"},
		{Value: float64(s.CPU.Nanoseconds()), Unit: "cpu-ns/op"},
		{Value: float64(w.Jobs) / sec, Unit: "jobs/s"},
		{Value: float64(s.Wall.Nanoseconds()) / float64(w.Jobs), Unit: "ns/job"},
	}
	if s.Startup > 0 {
		vals = append(vals, benchfmt.Value{Value: float64(s.Startup.Nanoseconds()) / float64(s.Workers), Unit: "startup-ns/worker"})
	}
	for _, m := range s.Metrics {
		vals = append(vals, benchfmt.Value{Value: m.Value, Unit: m.Unit})
	}
	return &benchfmt.Result{Name: benchfmt.Name(s.Name()), Iters: 1, Values: vals}
}

func (f *BenchFile) write(partial bool) error {
	config := f.header
	if partial {
		config = append(config[:len(config):len(config)], benchfmt.Config{Key: runfiles.KeyPartial, Value: []byte("true"), File: true})
	}
	var buf bytes.Buffer
	if len(f.results) == 0 {
		for _, c := range config {
			fmt.Fprintf(&buf, "%s: %s\n", c.Key, c.Value)
		}
	}
	bw := benchfmt.NewWriter(&buf)
	for _, r := range f.results {
		r.Config = config
		if err := bw.Write(r); err != nil {
			return fmt.Errorf("%s: %w", f.path, err)
		}
	}
	return runfiles.WriteFileAtomic(f.path, buf.Bytes())
}

// oneLine keeps a config value on its line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
