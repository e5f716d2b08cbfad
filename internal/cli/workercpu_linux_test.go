package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestWorkerCPUWithinTheBatch: three pools of processes (16, 32 and 64
// workers) on 2 cores, each idle while the others run: the CPU recorded
// for a batch, the measurement process's and its workers', is at most the
// cores' capacity over its wall time. The workers' own reports counted
// their runtimes' CPU while they sat idle between batches, which reached
// 1.2x the capacity with 64 workers.
func TestWorkerCPUWithinTheBatch(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("needs 2 CPUs")
	}
	root := filepath.Join(t.TempDir(), "results")
	status, _, stderr := runParbench(t, "run", "-cpu", "2", "-count", "4", "-jobs", "128",
		"-strategy", "procpool", "-workers", "16,32,64", "-report=false", "-o", root)
	if status != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", status, stderr)
	}
	data, err := os.ReadFile(filepath.Join(latestRun(t, root), "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	samples := 0
	for _, r := range readBench(t, data) {
		if !strings.Contains(string(r.Name), "strategy=procpool") {
			continue
		}
		wall, ok1 := r.Value("sec/op") // as benchfmt tidies ns/op
		cpu, ok2 := r.Value("cpu-sec/op")
		if !ok1 || !ok2 || wall <= 0 || cpu <= 0 {
			t.Fatalf("%s: wall %v, cpu %v", r.Name, wall, cpu)
		}
		samples++
		// The slack is two clock reads on either side of the batch.
		if limit := 2*wall*1.02 + 0.002; cpu > limit {
			t.Errorf("%s: %.1f ms of CPU in %.1f ms of wall on 2 cores, above the %.1f ms they could give", r.Name, 1e3*cpu, 1e3*wall, 1e3*limit)
		}
	}
	if samples != 12 {
		t.Errorf("%d procpool samples, want 12", samples)
	}
}
