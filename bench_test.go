package parbench_test

import (
	"context"
	"flag"
	"fmt"
	"runtime"
	"strconv"
	"testing"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/internal/testmain"
	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/procpool"
	_ "github.com/parbench/parbench/strategies/python" // python-mp and python-pool among the strategies
)

var (
	benchJobs = flag.Int("xorsum.jobs", 256, "jobs per batch in BenchmarkXORSum")
	benchN    = flag.Int64("xorsum.n", strategies.DefaultN, "iterations per job in BenchmarkXORSum")
)

// BenchmarkXORSum runs every strategy with workers = cores, one batch per
// op, checking every batch. Its names match parbench run's, so
//
//	for c in 1 2; do go test -run '^$' -bench XORSum -cpu $c -count 10 .; done > gotest.txt
//	go tool benchstat -col /strategy gotest.txt
//
// puts the strategies side by side at each core count.
//
// One -cpu value per go test: testing runs the parents of sub-benchmarks
// once, under the default GOMAXPROCS, so a name that carries the worker
// count can be right for one core count only; and with b.Loop a benchmark's
// first -cpu value is measured under the GOMAXPROCS of before (the first
// run is kept). So cores come from -cpu, and each batch runs with
// GOMAXPROCS set to them.
func BenchmarkXORSum(b *testing.B) {
	cores, err := benchCores()
	if err != nil {
		b.Fatal(err)
	}
	w := strategies.Workload{Jobs: *benchJobs, N: *benchN}
	printWorkload(w)
	for _, name := range strategies.Names() {
		workers := cores
		if name == "serial" {
			workers = 1
		}
		b.Run(fmt.Sprintf("strategy=%s/workers=%d", name, workers), func(b *testing.B) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cores))
			benchBatches(b, name, w, workers)
		})
	}
}

// benchCores is the one core count of -test.cpu, or GOMAXPROCS without it.
func benchCores() (int, error) {
	f := flag.Lookup("test.cpu")
	if f == nil || f.Value.String() == "" {
		return runtime.GOMAXPROCS(0), nil
	}
	v := f.Value.String()
	cores, err := strconv.Atoi(v)
	if err != nil || cores < 1 {
		return 0, fmt.Errorf("-cpu %s: give one core count per go test (for c in 1 2; do go test -bench XORSum -cpu $c ...; done): sub-benchmark names carry workers = cores", v)
	}
	return cores, nil
}

// BenchmarkDispatch measures what a strategy adds per job when the job is
// tiny (N = 1000): compare a strategy's ns/job at workers=1 with serial's,
// which is the kernel plus serial's own release-time check per job.
func BenchmarkDispatch(b *testing.B) {
	cores, err := benchCores()
	if err != nil {
		b.Fatal(err)
	}
	w := strategies.Workload{Jobs: 10000, N: 1000}
	printWorkload(w)
	for _, name := range strategies.Names() {
		for _, workers := range []int{1, cores} {
			if (name == "serial" || cores == 1) && workers > 1 {
				continue
			}
			b.Run(fmt.Sprintf("strategy=%s/workers=%d", name, workers), func(b *testing.B) {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(cores))
				benchBatches(b, name, w, workers)
			})
		}
	}
}

// printWorkload writes the workload as config lines of the benchmark
// format, the same lines parbench run writes, so the results that follow
// say what they measured and parbench report can tell whether they compare
// with a run's (a different workload gets a section of its own).
func printWorkload(w strategies.Workload) {
	for _, kv := range (harness.Config{Workload: w}).WorkloadConfig() {
		fmt.Printf("%s: %s\n", kv[0], kv[1])
	}
}

// benchBatches times batches of one strategy and reports jobs/s and ns/job.
func benchBatches(b *testing.B, name string, w strategies.Workload, workers int) {
	if err := strategies.Available(name); err != nil {
		b.Skip(err) // a strategy that needs a missing program, such as python3
	}
	s, err := strategies.New(name)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if p, ok := s.(strategies.Preparer); ok {
		if err := p.Prepare(ctx, w, workers); err != nil {
			b.Fatal(err)
		}
	}
	if c, ok := s.(strategies.Closer); ok {
		defer func() {
			if err := c.Close(); err != nil {
				b.Error(err)
			}
		}()
	}
	runtime.GC()
	for b.Loop() {
		rs, err := s.Run(ctx, w, workers)
		if err != nil {
			b.Fatal(err)
		}
		// Every batch is checked, off the clock: the check is the
		// harness's serial work, not the strategy's.
		b.StopTimer()
		if err := strategies.Verify(w, rs); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	sec := b.Elapsed().Seconds()
	jobs := float64(b.N) * float64(w.Jobs)
	b.ReportMetric(jobs/sec, "jobs/s")
	b.ReportMetric(sec*1e9/jobs, "ns/job")
}

// TestMain serves procpool's worker mode, so that go test -bench runs
// procpool with real worker processes: this test binary, re-executed.
func TestMain(m *testing.M) {
	testmain.Main(m, testmain.Serve(procpool.WorkerMode, procpool.ServeWorker))
}
