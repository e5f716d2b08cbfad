package strategies

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"
)

func TestBoundedStrategiesRespectWorkers(t *testing.T) {
	// With sleeping jobs, the number running at once is visible in the
	// intervals: no more than workers may overlap at any instant.
	w := Workload{Jobs: 12, N: 10, Sleep: 5 * time.Millisecond}
	for _, name := range []string{"serial", "pool", "perjob"} {
		t.Run(name, func(t *testing.T) {
			s, _ := New(name)
			const workers = 3
			rs, err := s.Run(context.Background(), w, workers)
			if err != nil {
				t.Fatal(err)
			}
			limit := workers
			if name == "serial" {
				limit = 1
			}
			if got := maxOverlap(rs); got > limit {
				t.Errorf("%d jobs ran at once, want at most %d", got, limit)
			}
		})
	}
}

func maxOverlap(rs []Result) int {
	type edge struct {
		at    time.Duration
		delta int
	}
	var edges []edge
	for _, r := range rs {
		edges = append(edges, edge{r.Start, +1}, edge{r.End, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if a.at != b.at {
			return int(a.at - b.at)
		}
		return a.delta - b.delta // an end before a start at the same instant
	})
	cur, most := 0, 0
	for _, e := range edges {
		cur += e.delta
		most = max(most, cur)
	}
	return most
}

func TestRegistry(t *testing.T) {
	names := Names()
	if len(names) == 0 || names[0] != "serial" {
		t.Fatalf("Names() = %v, want serial first", names)
	}
	for _, want := range names {
		if !Known(want) {
			t.Errorf("strategy %q not registered", want)
		}
		if Doc(want) == "" {
			t.Errorf("strategy %q has no description", want)
		}
		s, err := New(want)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name() != want {
			t.Errorf("New(%q).Name() = %q", want, s.Name())
		}
	}
	if _, err := New("nope"); err == nil {
		t.Error(`New("nope") succeeded, want an error`)
	}
}

// waitGoroutines fails the test unless the goroutine count returns to
// before within a second: a strategy must leave nothing running.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left running, want %d:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}
