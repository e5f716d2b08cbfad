package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/golden"
	"github.com/parbench/parbench/runfiles"
)

// A simRun is a sweep of the own-cpus kind on a simulated machine whose
// CPUs change speed over the run: it writes the bench.txt the harness
// writes (header, calibration meter lines, then per pair the baseline
// half's meter lines and the sample line) without timing anything.
type simRun struct {
	cpus   int
	rounds int
	seed   uint64
	// configs run once per round, in a shuffled order.
	configs []simConfig
	// speed is CPU c's speed at elapsed second t, 1 for full speed; nil
	// is full speed throughout.
	speed func(c int, t float64) float64
	// jitter is the relative noise of every timed job group and batch.
	jitter float64
	// fault, if set, is the step in which the pair of config in round
	// fails ("" for none), the pair then being discarded; "given-up" is
	// a configuration the sweep no longer runs.
	fault func(round int, c simConfig) (step string)
	// betweenBatches lists, per round, core counts whose process
	// failed between batches.
	betweenBatches map[int][]int
	// givenUp are the given-up-cores and given-up-causes header values.
	givenUp, givenUpCauses string
	// workerFaults, if set, is the faults/op of a sample.
	workerFaults func(round int, c simConfig) int
}

// simConfig is one configuration of a simRun.
type simConfig struct {
	strategy       string
	cores, workers int
	// run is how its batch goes: "serial" runs on the mask's first CPU,
	// "dynamic" shares the jobs over every CPU of the mask at its speed,
	// "static" gives each CPU an equal share (waits for the slowest),
	// "bimodal" is a pool that a busy thread leaves one CPU in 38% of
	// its batches (ratio near 1.02) and two in the rest (near 1.95),
	// "ceiling" runs one copy per CPU; "too-fast" is 2.3x its baseline
	// half whatever the CPUs do (it does less than its jobs' work), and
	// "too-fast-bimodal" 2.05x in 30% of its batches and 2.6x in the rest.
	run string
}

// The simulated workload: jobs per batch, and a job's time on a CPU at
// full speed.
const (
	simJobs   = 64
	simJobSec = 250e-6
)

func (s simRun) configLines() string {
	var b strings.Builder
	list := make([]string, s.cpus)
	for i := range list {
		list[i] = strconv.Itoa(i)
	}
	fmt.Fprintf(&b, "goos: linux\ngoarch: amd64\nhost: sim\ngo: go1.26.8\nparbench-version: v0.2.0\ncpu: Simulated CPU\ncpus-online: %d\n", s.cpus)
	b.WriteString("load-avg: 0.01 0.01 0.01\nbusy-cpus: 0.00\ngovernor: performance\nvirtualization: none\n")
	fmt.Fprintf(&b, "jobs: %d\nn: 500000\nsleep: 0s\ngap: 0s\nchecksum: 4194303\n", simJobs)
	b.WriteString("cores-enforcement: affinity+gomaxprocs\nwarmup: 1\n")
	fmt.Fprintf(&b, "baseline: own-cpus\ncpu-list: %s\n", strings.Join(list, ","))
	b.WriteString("pairing: each sample's baseline half ran on the configuration's own CPUs, in its measurement process, just before its batch\n")
	if s.givenUp != "" {
		fmt.Fprintf(&b, "given-up-cores: %s\ngiven-up-causes: %s\n", s.givenUp, s.givenUpCauses)
	}
	return b.String()
}

// write returns the run's bench.txt.
func (s simRun) write() []byte {
	rng := rand.New(rand.NewPCG(s.seed, 1))
	speed := s.speed
	if speed == nil {
		speed = func(int, float64) float64 { return 1 }
	}
	noise := func() float64 { return math.Exp(s.jitter * rng.NormFloat64()) }
	t := 0.0
	var b strings.Builder
	b.WriteString(s.configLines())
	num := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	maxCores := 0
	for _, c := range s.configs {
		maxCores = max(maxCores, c.cores)
	}
	calibrate := func() {
		for range 5 {
			for c := range s.cpus {
				per := simJobSec / speed(c, t) * noise()
				t += 16 * per
				fmt.Fprintf(&b, "BenchmarkCPUSpeed/source=calibration/cpu=%d-%d 16 %s ns/op %.3f elapsed-sec\n", c, maxCores, num(per*1e9), t)
			}
		}
	}
	calibrate()
	order := make([]int, len(s.configs))
	for i := range order {
		order[i] = i
	}
	for round := range s.rounds {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, cores := range s.betweenBatches[round] {
			fmt.Fprintf(&b, "BenchmarkProcessFault/step=between-batches-%d 1 1 faults/op\n", cores)
		}
		for _, i := range order {
			c := s.configs[i]
			k := c.cores
			step := ""
			if s.fault != nil {
				step = s.fault(round, c)
			}
			if step == "given-up" {
				continue
			}
			// The baseline half: ceil(J/k) jobs on each CPU of the mask.
			per := (simJobs + k - 1) / k
			rate := 0.0
			for cpu := range k {
				perJob := simJobSec / speed(cpu, t) * noise()
				t += float64(per) * perJob
				rate += 1 / perJob
				fmt.Fprintf(&b, "BenchmarkCPUSpeed/source=baseline/cpu=%d-%d %d %s ns/op %.3f elapsed-sec\n", cpu, k, per, num(perJob*1e9), t)
			}
			rate /= float64(k)
			base := simJobs / rate
			if step != "" {
				fmt.Fprintf(&b, "BenchmarkProcessFault/strategy=%s/workers=%d/step=%s-%d 1 1 faults/op\n", c.strategy, c.workers, step, k)
				continue
			}
			var x, copies float64
			iters := 1
			switch c.run {
			case "serial":
				x = simJobs * simJobSec / speed(0, t) * noise()
			case "dynamic":
				sum := 0.0
				for cpu := range k {
					sum += speed(cpu, t)
				}
				x = simJobs * simJobSec / sum * 1.01 * noise()
			case "static":
				slowest := math.Inf(1)
				for cpu := range k {
					slowest = math.Min(slowest, speed(cpu, t))
				}
				x = float64(per) * simJobSec / slowest * noise()
			case "bimodal":
				want := 1.95
				if rng.Float64() < 0.38 {
					want = 1.02
				}
				x = base / want * noise()
			case "too-fast":
				// A batch that did less work than its jobs: 2.3x at 2
				// cores, whatever the CPUs' speeds.
				x = base / 2.3 * noise()
			case "too-fast-bimodal":
				want := 2.6
				if rng.Float64() < 0.3 {
					want = 2.05
				}
				x = base / want * noise()
			case "ceiling":
				iters = k
				join, sumRates := 0.0, 0.0
				for cpu := range k {
					d := simJobs * simJobSec / speed(cpu, t) * noise()
					join = math.Max(join, d)
					sumRates += simJobs / d
				}
				x = join / float64(k)
				copies = simJobs / sumRates
			}
			t += x * float64(iters)
			fmt.Fprintf(&b, "BenchmarkXORSum/strategy=%s/workers=%d-%d %d %s ns/op %s cpu-ns/op %s jobs/s %s ns/job %s baseline-ns/op",
				c.strategy, c.workers, k, iters, num(x*1e9), num(x*1e9*float64(min(c.workers, k))), num(simJobs/x), num(x/simJobs*1e9), num(base*1e9))
			if copies > 0 {
				fmt.Fprintf(&b, " %s copies-ns/op", num(copies*1e9))
			}
			if s.workerFaults != nil {
				fmt.Fprintf(&b, " %d faults/op", s.workerFaults(round, c))
			}
			b.WriteString("\n")
		}
	}
	calibrate()
	return []byte(b.String())
}

// twoCPUConfigs are the configurations of a 2-CPU sweep.
var twoCPUConfigs = []simConfig{
	{"serial", 1, 1, "serial"},
	{"serial", 2, 1, "serial"},
	{"pool", 1, 1, "dynamic"},
	{"pool", 2, 2, "dynamic"},
	{"static", 2, 2, "static"},
	{"ceiling", 1, 1, "ceiling"},
	{"ceiling", 2, 2, "ceiling"},
}

// simRuns are the run folders of the own-cpus kind under testdata,
// written by TestSimRunFixtures.
var simRuns = map[string]simRun{
	// Nothing else running: every CPU at full speed.
	"own-quiet": {cpus: 2, rounds: 24, seed: 1, configs: twoCPUConfigs, jitter: 0.01},
	// The host runs CPU 0 at 0.37x from 2 s on.
	"own-slowed": {cpus: 2, rounds: 24, seed: 2, configs: twoCPUConfigs, jitter: 0.01,
		speed: func(c int, t float64) float64 {
			if c == 0 && t >= 2 {
				return 0.37
			}
			return 1
		}},
	// A busy thread on CPU 1 leaves the pool one CPU in some batches.
	"own-bimodal": {cpus: 2, rounds: 30, seed: 3, jitter: 0.01, configs: []simConfig{
		{"serial", 1, 1, "serial"},
		{"pool", 2, 2, "bimodal"},
		{"ceiling", 2, 2, "ceiling"},
	}},
	// Measurement processes that failed, worker faults, and a core
	// count given up on.
	"own-faults": {cpus: 4, rounds: 12, seed: 4, jitter: 0.01,
		configs: []simConfig{
			{"serial", 1, 1, "serial"},
			{"pool", 2, 2, "dynamic"},
			{"procpool", 2, 2, "dynamic"},
			{"ceiling", 2, 2, "ceiling"},
			{"pool", 4, 4, "dynamic"},
		},
		fault: func(round int, c simConfig) string {
			switch {
			case c.cores == 4 && round < 3:
				return []string{"warmup", "timed", "timed"}[round]
			case c.cores == 4:
				return "given-up"
			case c.strategy == "pool" && round == 3:
				return "timed"
			case c.strategy == "procpool" && round == 7:
				return "warmup"
			}
			return ""
		},
		betweenBatches: map[int][]int{5: {2}},
		workerFaults: func(round int, c simConfig) int {
			if c.strategy == "procpool" && (round == 2 || round == 9) {
				return 1
			}
			return 0
		},
		givenUp:       "4",
		givenUpCauses: "4 cores: exit status 2; signal: killed; watchdog: no reply in 10s",
	},
}

// TestSimRunFixtures keeps the fixtures under testdata what simRuns
// writes; go test -update rewrites them.
func TestSimRunFixtures(t *testing.T) {
	for name, s := range simRuns {
		golden.Check(t, filepath.Join("testdata", name, runfiles.BenchFile), s.write())
	}
}

// writeSimRun writes s into a run folder of its own and returns its
// input.
func writeSimRun(t *testing.T, s simRun) Input {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, runfiles.BenchFile)
	if err := os.WriteFile(path, s.write(), 0o644); err != nil {
		t.Fatal(err)
	}
	return Input{Path: path, Dir: dir}
}
