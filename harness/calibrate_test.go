package harness

import (
	"context"
	"testing"

	"github.com/parbench/parbench/strategies"
)

func TestMeasureCosts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a measurement process")
	}
	r := newTestRunner(t)
	called := false
	r.OnSample = func(Sample) error { called = true; return nil }
	c := Config{Strategies: []string{"serial", "pool"}, Cores: []int{1}, Count: 10,
		Workload: strategies.Workload{Jobs: 5000, N: 200, Sleep: 1 << 40, Gap: 1 << 40}}
	cal, err := r.MeasureCosts(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	// The batch is capped and runs without the sleep and gap (which
	// would take hours); the estimate adds them.
	if cal.Jobs != costJobs || cal.Batches != costBatches {
		t.Errorf("measured %d batches of %d jobs, want %d of %d", cal.Batches, cal.Jobs, costBatches, costJobs)
	}
	if cal.Batch <= 0 || cal.JobTime <= 0 || cal.JobTime > cal.Batch || cal.ProcessStart <= 0 || cal.Total < cal.Batch {
		t.Errorf("got batch %v, job %v, process %v, total %v: want positive, job < batch < total",
			cal.Batch, cal.JobTime, cal.ProcessStart, cal.Total)
	}
	if len(cal.WorkerStart) != 0 {
		t.Errorf("start-up per worker %v, want none for in-process strategies", cal.WorkerStart)
	}
	if called {
		t.Error("MeasureCosts called the runner's OnSample")
	}
}
