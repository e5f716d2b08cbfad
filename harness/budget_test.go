package harness

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

func TestSpreadBudget(t *testing.T) {
	rounds := func(n int, d time.Duration) []time.Duration {
		ts := make([]time.Duration, n)
		for i := range ts {
			ts[i] = d
		}
		return ts
	}
	tests := []struct {
		name string
		in   BudgetInput
		want BudgetSpread
	}{
		{
			// 10 configurations x 100 ms a round: 6 rounds cost 6 s and
			// the 54 s left buy 54 more rounds of all of them.
			name: "room to spare, spread unknown",
			in:   BudgetInput{RoundTime: rounds(10, 100*time.Millisecond), MinRounds: 6, Budget: time.Minute, Precision: 0.03},
			want: BudgetSpread{Configurations: 10, Minimum: 6 * time.Second, Left: 54 * time.Second, ExtraRounds: 54},
		},
		{
			// (1.96 * 1.2533 * 0.05 / 0.03)^2 = 16.7: 17 rounds, 17 s.
			name: "5% spread, 3% target",
			in:   BudgetInput{RoundTime: rounds(10, 100*time.Millisecond), MinRounds: 6, Budget: time.Minute, Precision: 0.03, Spread: 0.05},
			want: BudgetSpread{Configurations: 10, Minimum: 6 * time.Second, Left: 54 * time.Second, ExtraRounds: 54,
				NeededRounds: 17, NeededTime: 17 * time.Second, Reachable: medianCI95 * 0.05 / 7.745966692414834},
		},
		{
			name: "minimum alone over the budget",
			in:   BudgetInput{RoundTime: rounds(70, time.Second), MinRounds: 6, Budget: 5 * time.Minute, Precision: 0.03},
			want: BudgetSpread{Configurations: 70, Minimum: 420 * time.Second, Left: -120 * time.Second},
		},
		{
			name: "a spread so small that the minimum is enough",
			in:   BudgetInput{RoundTime: rounds(2, time.Second), MinRounds: 6, Budget: time.Minute, Precision: 0.03, Spread: 0.001},
			want: BudgetSpread{Configurations: 2, Minimum: 12 * time.Second, Left: 48 * time.Second, ExtraRounds: 24,
				NeededRounds: 6, NeededTime: 12 * time.Second, Reachable: medianCI95 * 0.001 / 5.477225575051661},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SpreadBudget(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got.Configurations != tt.want.Configurations || got.Minimum != tt.want.Minimum || got.Left != tt.want.Left ||
				got.ExtraRounds != tt.want.ExtraRounds || got.NeededRounds != tt.want.NeededRounds || got.NeededTime != tt.want.NeededTime ||
				!nearly(got.Reachable, tt.want.Reachable) {
				t.Errorf("got %+v,\nwant %+v", got, tt.want)
			}
		})
	}
}

func nearly(a, b float64) bool { return a == b || (a-b < 1e-12 && b-a < 1e-12) }

func TestSpreadBudgetBadInput(t *testing.T) {
	ok := BudgetInput{RoundTime: []time.Duration{time.Second}, MinRounds: 6, Budget: time.Minute, Precision: 0.03}
	tests := []struct {
		name   string
		change func(*BudgetInput)
		want   string
	}{
		{"no configurations", func(in *BudgetInput) { in.RoundTime = nil }, "no configurations"},
		{"no minimum", func(in *BudgetInput) { in.MinRounds = 0 }, "minimum rounds 0"},
		{"no budget", func(in *BudgetInput) { in.Budget = 0 }, "budget 0s"},
		{"precision 3 (not 3%)", func(in *BudgetInput) { in.Precision = 3 }, "precision 3"},
		{"precision NaN", func(in *BudgetInput) { in.Precision = nan() }, "precision NaN"},
		{"negative spread", func(in *BudgetInput) { in.Spread = -1 }, "spread -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok
			tt.change(&in)
			if _, err := SpreadBudget(in); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func nan() float64 { return math.NaN() }

func TestRoundTimes(t *testing.T) {
	c := Config{Strategies: []string{"serial", "pool"}, Cores: []int{1, 4}, Count: 1, Warmup: 1,
		Workload: strategies.Workload{Jobs: 1000, N: 1}}
	ideal, flat := RoundTimes(c, testCosts, true)
	// serial@1, pool@1, serial@4, pool@4; each with a baseline half of
	// its own length beside it. Warm-ups run once per sweep, not in every
	// round.
	wantIdeal := []time.Duration{200, 200, 200, 50}
	wantFlat := []time.Duration{200, 200, 200, 200}
	for i := range wantIdeal {
		if ideal[i] != wantIdeal[i]*time.Millisecond || flat[i] != wantFlat[i]*time.Millisecond {
			t.Errorf("configuration %d: got %v, %v; want %vms, %vms", i, ideal[i], flat[i], wantIdeal[i], wantFlat[i])
		}
	}
	if unpaired, _ := RoundTimes(c, testCosts, false); unpaired[3] != 25*time.Millisecond {
		t.Errorf("pool@4 unpaired: got %v, want 25ms", unpaired[3])
	}
	// The ceiling's k copies split the batch's jobs: a k-th of the serial
	// batch when they scale and all of it when they do not, each beside a
	// half as long.
	c.Ceiling = true
	ideal, flat = RoundTimes(c, testCosts, true)
	if len(ideal) != 6 || ideal[5] != 50*time.Millisecond || flat[5] != 200*time.Millisecond {
		t.Errorf("with the ceiling: got %v, %v; want 6 configurations, the last (ceiling@4) 50ms, 200ms", ideal, flat)
	}
	// A half is never shorter than a share: a batch of microseconds still
	// pairs with a 2 ms half.
	tiny := c
	tiny.Workload.Jobs = 1
	if i, _ := RoundTimes(tiny, testCosts, true); i[0] != 100*time.Microsecond+minShareTime {
		t.Errorf("serial@1 of one job: got %v, want %v", i[0], 100*time.Microsecond+minShareTime)
	}
}
