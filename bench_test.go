package parbench_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/parbench/parbench/strategies"
)

var (
	benchJobs = flag.Int("xorsum.jobs", 256, "jobs per batch in BenchmarkXORSum")
	benchN    = flag.Int64("xorsum.n", strategies.DefaultN, "iterations per job in BenchmarkXORSum")
)

// BenchmarkXORSum runs every strategy with workers = GOMAXPROCS, one batch
// per op, checking every batch. Its names match parbench run's, so
//
//	go test -bench XORSum -cpu 1,2 -count 10 | go tool benchstat -col /strategy -
//
// puts the strategies side by side at each core count.
func BenchmarkXORSum(b *testing.B) {
	w := strategies.Workload{Jobs: *benchJobs, N: *benchN}
	for _, name := range strategies.Names() {
		b.Run("strategy="+name, func(b *testing.B) {
			workers := runtime.GOMAXPROCS(0)
			if name == "serial" {
				workers = 1
			}
			b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
				benchBatches(b, name, w, workers)
			})
		})
	}
}

// BenchmarkDispatch measures what a strategy adds per job when the job is
// tiny (N = 1000): compare a strategy's ns/job at workers=1 with serial's,
// whose ns/job is the kernel alone.
func BenchmarkDispatch(b *testing.B) {
	w := strategies.Workload{Jobs: 10000, N: 1000}
	for _, name := range strategies.Names() {
		for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
			if name == "serial" && workers > 1 {
				continue
			}
			b.Run(fmt.Sprintf("strategy=%s/workers=%d", name, workers), func(b *testing.B) {
				benchBatches(b, name, w, workers)
			})
		}
	}
}

// benchBatches times batches of one strategy and reports jobs/s and ns/job.
func benchBatches(b *testing.B, name string, w strategies.Workload, workers int) {
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
	if strategies.WorkerMode() {
		if err := strategies.ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	flag.Parse()
	os.Exit(m.Run())
}
