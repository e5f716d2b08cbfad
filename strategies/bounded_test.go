package strategies_test

import (
	"context"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/strategytest"
)

func TestBoundedStrategiesRespectWorkers(t *testing.T) {
	// With sleeping jobs, the number running at once is visible in the
	// intervals: no more than workers may overlap at any instant.
	w := strategies.Workload{Jobs: 12, N: 10, Sleep: 5 * time.Millisecond}
	for _, name := range []string{"serial", "pool", "perjob"} {
		t.Run(name, func(t *testing.T) {
			s, err := strategies.New(name)
			if err != nil {
				t.Fatal(err)
			}
			const workers = 3
			rs, err := s.Run(context.Background(), w, workers)
			if err != nil {
				t.Fatal(err)
			}
			limit := workers
			if name == "serial" {
				limit = 1
			}
			if got := strategytest.MaxConcurrent(rs); got > limit {
				t.Errorf("%d jobs ran at once, want at most %d", got, limit)
			}
		})
	}
}
