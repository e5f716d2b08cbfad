package strategies

import (
	"bytes"
	"context"
	"runtime"
	"runtime/trace"
	"testing"
	"time"
)

// TestRunJobCPU: RunJob measures a job's thread CPU time when the
// workload asks for it, at most the job's interval, and not otherwise.
func TestRunJobCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a thread's CPU clock is read on Linux only")
	}
	for _, ask := range []bool{true, false} {
		w := Workload{Jobs: 4, N: 400_000, JobCPU: ask}
		results := make([]Result, w.Jobs)
		start := time.Now()
		for j := range w.Jobs {
			if err := RunJob(context.Background(), w, start, j, 0, results); err != nil {
				t.Fatal(err)
			}
		}
		if err := Verify(w, results); err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			switch {
			case !ask && r.CPU != 0:
				t.Errorf("job %d: CPU %v without asking", r.Job, r.CPU)
			case ask && (r.CPU <= 0 || r.CPU > r.End-r.Start+time.Millisecond):
				t.Errorf("job %d: CPU %v in an interval of %v", r.Job, r.CPU, r.End-r.Start)
			}
		}
	}
}

// TestRunJobTraceRegion: under the execution tracer, every job is a
// region of its own, which is how the trace split finds the jobs.
func TestRunJobTraceRegion(t *testing.T) {
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Skip("the execution tracer is in use:", err)
	}
	w := Workload{Jobs: 3, N: 1000}
	if _, err := (Pool{}).Run(context.Background(), w, 2); err != nil {
		trace.Stop()
		t.Fatal(err)
	}
	trace.Stop()
	if n := bytes.Count(buf.Bytes(), []byte("parbench.job")); n < 1 {
		t.Errorf("the trace names no parbench.job region")
	}
}
