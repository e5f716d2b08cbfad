package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/parbench/parbench/plots"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
)

// FuzzReportInputs runs the whole report on a run folder made of a fuzzed
// bench.txt and a fuzzed timeline CSV, beside a second run folder of a
// fuzzed bench.txt (the same workload or another, which the report then
// puts in a section of its own): it may refuse them, but must not panic,
// and what it allocates and writes stays within a bound set by the size
// of its input, whatever the input says.
func FuzzReportInputs(f *testing.F) {
	bench, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", "one-machine", "bench.txt"))
	if err != nil {
		f.Fatal(err)
	}
	var timeline bytes.Buffer
	s := runfiles.Timeline{Strategy: "pool", Cores: 2, Workers: 2,
		Jobs: []runfiles.Span{{Job: 0, Worker: 0, End: time.Millisecond}, {Job: 1, Worker: 1, Start: time.Millisecond, End: 3 * time.Millisecond}}}
	if err := runfiles.WriteTimelineCSV(&timeline, s); err != nil {
		f.Fatal(err)
	}
	other, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", "other-workload", "bench.txt"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(bench, timeline.Bytes(), other)
	f.Add(bench, timeline.Bytes(), []byte(nil))
	f.Add([]byte("BenchmarkXORSum/strategy=serial/workers=1-1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=2-2 1 NaN ns/op\n"), []byte("job,worker\n"), []byte("n: 3\nBenchmarkXORSum/strategy=serial/workers=1-1 1 5 ns/op\n"))
	f.Add([]byte("jobs: 1\njobs: 2\nBenchmarkXORSum/strategy=serial/workers=1-1 1 5 ns/op 1 faults/op\n"), timeline.Bytes(), []byte("jobs: 3\npreset: x\nBenchmarkXORSum/strategy=serial/workers=1-1 1 5 ns/op\n"))
	f.Fuzz(func(t *testing.T, benchData, timelineData, otherData []byte) {
		dir := t.TempDir()
		run := filepath.Join(dir, "run")
		if err := os.Mkdir(run, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(run, runfiles.BenchFile), benchData, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(run, "timeline-pool-2.csv"), timelineData, 0o644); err != nil {
			t.Fatal(err)
		}
		second := filepath.Join(dir, "second")
		if err := os.Mkdir(second, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(second, runfiles.BenchFile), otherData, 0o644); err != nil {
			t.Fatal(err)
		}
		inputs, err := report.FindInputs([]string{run, second})
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_ = writeReport(context.Background(), io.Discard, io.Discard, inputs, run, "", []plots.Format{plots.SVG}, false)
		runtime.ReadMemStats(&after)
		in := int64(len(benchData) + len(timelineData) + len(otherData))
		// Charts and the bootstrap have a fixed cost; beyond it, what is
		// built grows with the input, never with a number inside it.
		const fixed = 256 << 20
		if got := int64(after.TotalAlloc - before.TotalAlloc); got > fixed+4096*in {
			t.Errorf("report of %d bytes of input allocated %d MiB", in, got>>20)
		}
		var written int64
		filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				written += fi.Size()
			}
			return nil
		})
		if written > 64<<20+1024*in {
			t.Errorf("report of %d bytes of input wrote %d MiB", in, written>>20)
		}
	})
}
