package harness

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

// inProcess are the strategies that run inside the measurement process;
// procpool needs a worker mode this package's test binary does not serve.
var inProcess = []string{"serial", "perjob", "perjob-unbounded", "pool"}

func seq(lo, hi int) []int {
	var s []int
	for i := lo; i <= hi; i++ {
		s = append(s, i)
	}
	return s
}

func seededShuffle(seed uint64) func(int, func(int, int)) {
	return rand.New(rand.NewPCG(seed, 1)).Shuffle
}

func TestPlanRunsEveryConfigurationOncePerRound(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		// perCore is how many configurations each core count has.
		perCore func(cores int) int
	}{
		{
			name:    "one strategy one core",
			c:       Config{Strategies: []string{"pool"}, Cores: []int{1}, Count: 3},
			perCore: func(int) int { return 1 },
		},
		{
			name:    "default workers on 128 cores",
			c:       Config{Strategies: inProcess, Cores: seq(1, 128), Count: 2},
			perCore: func(int) int { return len(inProcess) },
		},
		{
			name: "cores-1 on 128 cores",
			c:    Config{Strategies: inProcess, Cores: seq(1, 128), WorkersDelta: -1, Count: 2},
			perCore: func(int) int {
				return len(inProcess)
			},
		},
		{
			name:    "64 workers at 128 cores",
			c:       Config{Strategies: inProcess, Cores: []int{1, 2, 64, 128}, Workers: seq(1, 64), Count: 2},
			perCore: func(int) int { return 1 + 3*64 }, // serial once, the rest at every worker count
		},
		{
			name:    "duplicate strategies and workers collapse",
			c:       Config{Strategies: []string{"pool", "serial", "pool"}, Cores: []int{1, 2}, Workers: []int{2, 1, 2}, Count: 3},
			perCore: func(int) int { return 3 }, // pool w2, pool w1, serial w1
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all := tt.c.Trials()
			want := 0
			for _, k := range tt.c.Cores {
				want += tt.perCore(k)
			}
			if len(all) != want {
				t.Fatalf("Trials: got %d configurations, want %d", len(all), want)
			}
			rounds := Plan(tt.c, seededShuffle(7))
			if len(rounds) != tt.c.Count {
				t.Fatalf("got %d rounds, want Count %d", len(rounds), tt.c.Count)
			}
			for r, round := range rounds {
				checkRound(t, tt.c, r, round, all)
			}
		})
	}
}

// checkRound checks that a round holds every timed configuration (the
// ceiling's included) exactly once, serial only with one worker.
func checkRound(t *testing.T, c Config, r int, round []Trial, all []Trial) {
	t.Helper()
	seen := map[Trial]int{}
	for _, tr := range round {
		if tr.Strategy == "serial" && tr.Workers != 1 {
			t.Errorf("round %d: %v, want serial only with workers=1", r, tr)
		}
		seen[tr]++
	}
	for _, tr := range c.SweepTrials() {
		if seen[tr] != 1 {
			t.Errorf("round %d: %v runs %d times, want 1", r, tr, seen[tr])
		}
	}
	if len(round) != len(c.SweepTrials()) {
		t.Errorf("round %d: %d batches, want %d", r, len(round), len(c.SweepTrials()))
	}
	if len(all) > len(c.SweepTrials()) {
		t.Errorf("Trials lists %d configurations, SweepTrials %d", len(all), len(c.SweepTrials()))
	}
}

func TestPlanShuffleIsSeededAndVariesByRound(t *testing.T) {
	c := Config{Strategies: inProcess, Cores: seq(1, 8), Count: 10, Ceiling: true}
	a := Plan(c, seededShuffle(42))
	b := Plan(c, seededShuffle(42))
	if !slices.EqualFunc(a, b, slices.Equal) {
		t.Fatal("two plans with the same seed differ")
	}
	other := Plan(c, seededShuffle(43))
	if slices.EqualFunc(a, other, slices.Equal) {
		t.Error("plans with seeds 42 and 43 are the same")
	}
	orders := map[string]bool{}
	firstCores := map[int]bool{}
	for _, round := range a {
		orders[order(round)] = true
		firstCores[round[0].Cores] = true
	}
	// 40 configurations have 40! orders; ten rounds that repeat one would
	// mean the shuffle is not applied per round.
	if len(orders) != c.Count {
		t.Errorf("got %d distinct orders in %d rounds, want %d", len(orders), c.Count, c.Count)
	}
	if len(firstCores) < 2 {
		t.Errorf("every round starts at the same core count; want core counts mixed too")
	}
}

func order(round []Trial) string {
	var b strings.Builder
	for _, t := range round {
		b.WriteString(t.Name())
		b.WriteByte(';')
	}
	return b.String()
}

func TestTrialNames(t *testing.T) {
	tr := Trial{Strategy: "pool", Cores: 4, Workers: 3}
	if got, want := tr.Name(), "XORSum/strategy=pool/workers=3-4"; got != want {
		t.Errorf("Name: got %q, want %q", got, want)
	}
	if got, want := tr.String(), "pool cores=4 workers=3"; got != want {
		t.Errorf("String: got %q, want %q", got, want)
	}
}

func validConfig() Config {
	return Config{
		Strategies: []string{"serial", "pool"},
		Cores:      []int{1, 2},
		Count:      1,
		Workload:   strategies.Workload{Jobs: 8, N: 1000},
	}
}

func TestValidate(t *testing.T) {
	const maxCores = 2
	tests := []struct {
		name   string
		change func(*Config)
		want   string // a substring of the error; "" for no error
	}{
		{"valid", func(*Config) {}, ""},
		{"valid workers list", func(c *Config) { c.Workers = []int{1, 64} }, ""},
		{"valid warmup 0", func(c *Config) { c.Warmup = 0 }, ""},
		{"no strategies", func(c *Config) { c.Strategies = nil }, "strategy: none"},
		{"unknown strategy", func(c *Config) { c.Strategies = []string{"pool", "nope"} }, `strategy: unknown strategy "nope"`},
		{"no cores", func(c *Config) { c.Cores = nil }, "cpu: no core counts"},
		{"cores 0", func(c *Config) { c.Cores = []int{0} }, "cpu 0: want 1..2"},
		{"cores negative", func(c *Config) { c.Cores = []int{1, -3} }, "cpu -3: want 1..2"},
		{"cores above max", func(c *Config) { c.Cores = []int{1, 3} }, "cpu 3: want 1..2"},
		{"cores repeated", func(c *Config) { c.Cores = []int{1, 2, 1} }, "cpu 1: given twice"},
		{"workers 0", func(c *Config) { c.Workers = []int{2, 0} }, "workers 0: want at least 1"},
		{"workers negative", func(c *Config) { c.Workers = []int{-1} }, "workers -1: want at least 1"},
		{"count 0", func(c *Config) { c.Count = 0 }, "count 0: want at least 1"},
		{"warmup -1", func(c *Config) { c.Warmup = -1 }, "warmup -1: want 0 or more"},
		{"jobs 0", func(c *Config) { c.Workload.Jobs = 0 }, "jobs 0: want 1..16777216"},
		{"jobs too many", func(c *Config) { c.Workload.Jobs = 1<<24 + 1 }, "jobs 16777217: want 1..16777216"},
		{"n 0", func(c *Config) { c.Workload.N = 0 }, "n 0: want at least 1"},
		{"sleep negative", func(c *Config) { c.Workload.Sleep = -time.Second }, "sleep -1s: want 0 or more"},
		{"gap negative", func(c *Config) { c.Workload.Gap = -time.Millisecond }, "gap -1ms: want 0 or more"},
		{"count at the bound", func(c *Config) { c.Count = MaxCount }, ""},
		{"count above the bound", func(c *Config) { c.Count = 100000000 }, "count 100000000: want at most 10000"},
		{"count x configurations", func(c *Config) { c.Count = MaxCount; c.Workers = []int{1, 2, 3, 4, 5, 6} }, "is more than 100000 samples"},
		{"warmup above the bound", func(c *Config) { c.Warmup = MaxWarmup + 1 }, "warmup 1001: want at most 1000"},
		{"workers above the bound", func(c *Config) { c.Workers = []int{1, 1 << 20} }, "workers 1048576: want at most 4096"},
		{"too many worker counts", func(c *Config) {
			c.Workers = nil
			for w := 1; w <= MaxWorkerCounts+1; w++ {
				c.Workers = append(c.Workers, w)
			}
		}, "257 worker counts, want at most 256"},
		{"n huge", func(c *Config) { c.Workload.N = math.MaxInt64 }, "n 9223372036854775807: jobs x n is more than"},
		{"jobs x n huge", func(c *Config) { c.Workload.Jobs = 1 << 20; c.Workload.N = 1 << 21 }, "n 2097152: jobs x n is more than"},
		{"jobs x n at the bound", func(c *Config) { c.Workload.Jobs = 1 << 20; c.Workload.N = 1 << 20 }, ""},
		{"sleep x jobs", func(c *Config) { c.Workload.Sleep = time.Hour }, "sleep 1h0m0s: jobs x sleep"},
		{"gap x jobs", func(c *Config) { c.Workload.Gap = math.MaxInt64 }, "gap 2562047h47m16.854775807s: the last of 8 jobs"},
		{"profiletime above the bound", func(c *Config) { c.ProfileTime = time.Hour }, "profiletime 1h0m0s: want at most 10m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			tt.change(&c)
			err := c.Validate(maxCores)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate: got %v, want no error", err)
			case tt.want != "" && err == nil:
				t.Errorf("Validate: got no error, want one containing %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("Validate: got %q, want it to contain %q", err, tt.want)
			}
		})
	}
}
