//go:build unix

package procpool

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

// BenchmarkDispatch runs whole batches of tiny (n=1000) and coarse
// (n=500000) jobs with pool and procpool, workers = GOMAXPROCS, and reports
// ns/job, wall time per job, and cpu-ns/job, the CPU time of this process
// and of the workers per job, so dispatch overhead shows against the kernel
// (about 0.85ns an iteration on a current x86 core). CPU time is the
// steadier figure on a machine shared with other work. Procpool's workers
// are started outside the timed loop, as the harness does.
func BenchmarkDispatch(b *testing.B) {
	workers := runtime.GOMAXPROCS(0)
	for _, w := range []strategies.Workload{
		{Jobs: 20000, N: 1000},
		{Jobs: 200, N: strategies.DefaultN},
	} {
		for _, name := range []string{"pool", "procpool"} {
			b.Run(fmt.Sprintf("n=%d/strategy=%s", w.N, name), func(b *testing.B) {
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
					defer c.Close()
				}
				faults := 0.0
				var workerCPU time.Duration
				cpu0 := selfCPU()
				for b.Loop() {
					rs, err := s.Run(ctx, w, workers)
					if err != nil {
						b.Fatal(err)
					}
					if len(rs) != w.Jobs {
						b.Fatalf("got %d results, want %d", len(rs), w.Jobs)
					}
					if wc, ok := s.(strategies.WorkerCPU); ok {
						workerCPU += wc.LastBatchWorkerCPU()
					}
					if bm, ok := s.(strategies.BatchMetrics); ok {
						for _, m := range bm.LastBatchMetrics() {
							if m.Unit == "faults/op" {
								faults += m.Value
							}
						}
					}
				}
				cpu := selfCPU() - cpu0 + workerCPU
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*w.Jobs), "ns/job")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*w.Jobs), "cpu-ns/job")
				if name == "procpool" {
					b.ReportMetric(faults/float64(b.N), "faults/op")
				}
			})
		}
	}
}
