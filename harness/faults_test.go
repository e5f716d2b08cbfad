package harness

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

func init() {
	strategies.Register(strategies.Info{Name: "test-faulty", Doc: "serial, with one recovered worker fault in every batch", New: func() strategies.Strategy { return &faulty{} }})
}

// faulty runs serially and claims one recovered fault per batch.
type faulty struct{ batches int }

var _ strategies.FaultLog = (*faulty)(nil)

func (*faulty) Name() string { return "test-faulty" }

func (f *faulty) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	f.batches++
	return strategies.Serial{}.Run(ctx, w, workers)
}

func (f *faulty) TakeFaults() strategies.Faults {
	n := f.batches
	f.batches = 0
	if n == 0 {
		return strategies.Faults{}
	}
	return strategies.Faults{N: n, Causes: []string{fmt.Sprintf("test fault %d", n)}}
}

// TestRunnerReportsEveryFault checks that faults in every step reach the
// parent: warm-up, timed and timeline batches alike.
func TestRunnerReportsEveryFault(t *testing.T) {
	r := newTestRunner(t)
	c := Config{
		Strategies: []string{"test-faulty", "serial"},
		Cores:      []int{1},
		Count:      2,
		Warmup:     2,
		Workload:   tinyWorkload,
		Seed:       1,
		Timeline:   true,
	}
	var faults []Fault
	r.OnFault = func(f Fault) { faults = append(faults, f) }
	if err := runWithin(t, 30*time.Second, context.Background(), r, c, &groupRecorder{}); err != nil {
		t.Fatal(err)
	}
	var steps []string
	total := 0
	for _, f := range faults {
		if f.Trial.Strategy != "test-faulty" {
			t.Errorf("fault for %v, which has none", f.Trial)
		}
		steps = append(steps, f.Step)
		total += f.N
	}
	// The sweep's long-lived process warms each configuration up once,
	// before its first pair; then two rounds and the timeline batch.
	want := []string{
		"warm-up batch 1", "warm-up batch 2", "timed batch", "timed batch", "timeline batch",
	}
	if !slices.Equal(steps, want) {
		t.Errorf("faults reported in steps %q, want %q", steps, want)
	}
	if total != len(want) {
		t.Errorf("%d faults reported, want %d", total, len(want))
	}
	if len(faults) > 0 && !strings.Contains(faults[0].String(), "test-faulty cores=1 workers=1, warm-up batch 1: 1 worker fault (test fault 1)") {
		t.Errorf("fault reads %q", faults[0])
	}
}

func TestDecodeFaultMessage(t *testing.T) {
	tests := []struct {
		name, line, wantErr string
	}{
		{"good", `{"fault":{"trial":{"strategy":"procpool","cores":2,"workers":2},"step":"timed batch","n":2,"causes":["a","b"]}}`, ""},
		{"no faults", `{"fault":{"step":"timed batch","n":0}}`, "malformed fault"},
		{"more causes than faults", `{"fault":{"step":"x","n":1,"causes":["a","b"]}}`, "malformed fault"},
		{"huge cause", `{"fault":{"step":"x","n":1,"causes":["` + strings.Repeat("a", 2000) + `"]}}`, "a cause of 2000 bytes"},
		{"with a sample", `{"fault":{"step":"x","n":1},"error":"e"}`, "want exactly one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeMessage([]byte(tt.line))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
