package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/parbench/parbench/internal/pairstat"
	"github.com/parbench/parbench/strategies"
)

// The sweep on a simulated machine: no real timing, a virtual clock, CPUs
// whose speeds differ and change in phases, and whole-machine waves. The
// sweep itself (its rounds, the meter, the baseline halves, the ceiling)
// runs as it does on a real machine; only the measurement processes are
// replaced by a model of what their batches would take.

// The simulated strategies: never run by a real process.
func init() {
	for _, name := range []string{simDynamic, simStatic} {
		strategies.Register(strategies.Info{Name: name, Doc: "a model for the simulated machine", New: func() strategies.Strategy { return simOnly{name} }})
	}
}

const (
	// simDynamic is a perfect dynamic pool: every CPU busy until the
	// batch's last job, whatever their speeds.
	simDynamic = "test-sim-dynamic"
	// simStatic splits the jobs evenly, one part per CPU, and waits for
	// the slowest.
	simStatic = "test-sim-static"
)

type simOnly struct{ name string }

func (s simOnly) Name() string { return s.name }

func (s simOnly) Run(context.Context, strategies.Workload, int) ([]strategies.Result, error) {
	return nil, errors.New(s.name + " runs on the simulated machine only")
}

// simMachine is the machine: a virtual clock, a job's time on a CPU of
// speed 1, each CPU's speed at a time, and a relative noise on every
// duration.
type simMachine struct {
	now     time.Duration
	jobTime time.Duration
	speed   func(cpu int, now time.Duration) float64
	noise   float64
	rng     *rand.Rand
}

// take advances the clock by d, noised, and returns it.
func (m *simMachine) take(d float64) time.Duration {
	t := time.Duration(d * math.Max(0.5, 1+m.noise*m.rng.NormFloat64()))
	m.now += t
	return t
}

// serial is the time of jobs serial jobs on cpu from now.
func (m *simMachine) serial(cpu, jobs int) float64 {
	return float64(jobs) * float64(m.jobTime) / m.speed(cpu, m.now)
}

// batch is the time of t's batch of jobs on CPUs 0..k-1, and for the
// ceiling, the time at the copies' summed rates.
func (m *simMachine) batch(t Trial, jobs int) (wall, copies float64) {
	k := t.Cores
	var sum, slowest float64
	for cpu := range k {
		sum += m.speed(cpu, m.now)
		slowest = math.Max(slowest, m.serial(cpu, jobs/k))
	}
	switch t.Strategy {
	case simDynamic:
		return float64(jobs) * float64(m.jobTime) / sum, 0
	case simStatic:
		return slowest, 0
	case CeilingStrategy:
		return slowest, float64(jobs) * float64(m.jobTime) / sum
	}
	panic("simulated machine: no model of " + t.Strategy)
}

// simConn is a measurement process on the simulated machine.
type simConn struct {
	m     *simMachine
	cores int
	w     strategies.Workload
}

func (s *simConn) close() error { return nil }
func (s *simConn) kill()        {}

func (s *simConn) do(_ context.Context, req request, _ time.Duration) (Sample, error) {
	out := Sample{Trial: req.Trial}
	half := func(shares []Share) []ShareTime {
		var ts []ShareTime
		for _, sh := range shares {
			ts = append(ts, ShareTime{Share: sh, Wall: s.m.take(s.m.serial(sh.CPU, sh.Jobs))})
		}
		return ts
	}
	switch req.Kind {
	case kindMeter:
		out.Half = half(req.Meter)
		out.Wall = time.Millisecond
		return out, nil
	case kindWarmup, kindTimed:
	default:
		return out, fmt.Errorf("simulated machine: no %s requests", req.Kind)
	}
	if req.First {
		out.Half = half(req.Half)
	}
	wall, copies := s.m.batch(req.Trial, s.w.Jobs)
	noised := s.m.take(wall)
	out.Wall = noised
	if req.Trial.Strategy == CeilingStrategy {
		out.Copies = req.Trial.Cores
		out.CopiesTime = time.Duration(copies * float64(noised) / wall)
	}
	if len(req.Half) > 0 && !req.First {
		out.Half = half(req.Half)
	}
	return out, nil
}

// simSweep runs a fixed-count sweep of the models and the ceiling at k
// cores on m, of jobs jobs per batch, and returns each configuration's pair ratios: for the
// ceiling, the attainable figure (baseline over copies time) under
// "ceiling" and the join under "join".
func simSweep(t *testing.T, m *simMachine, k, jobs, rounds int, seed int64) map[string][]float64 {
	t.Helper()
	cpus := make([]int, k)
	for i := range cpus {
		cpus[i] = i
	}
	r := &Runner{CPUs: cpus, pin: true, Enforcement: enforcementPinned,
		dial: func(_ context.Context, cores int, w strategies.Workload) (conn, error) {
			return &simConn{m: m, cores: cores, w: w}, nil
		}}
	ratios := map[string][]float64{}
	r.OnSample = func(s Sample) error {
		if s.Strategy == CeilingStrategy {
			ratios["ceiling"] = append(ratios["ceiling"], float64(s.Baseline)/float64(s.CopiesTime))
			ratios["join"] = append(ratios["join"], pairRatio(s))
			return nil
		}
		ratios[s.Strategy] = append(ratios[s.Strategy], pairRatio(s))
		return nil
	}
	c := Config{Strategies: []string{simDynamic, simStatic}, Cores: []int{k}, Count: rounds, Warmup: 1, Ceiling: true,
		Workload: strategies.Workload{Jobs: jobs, N: 1}, Seed: seed}
	if err := r.Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	return ratios
}

// waves is a whole-machine speed of 1 ± 30%, in waves of a few seconds,
// which pairing must cancel.
func waves(now time.Duration) float64 {
	return 1 + 0.3*math.Sin(2*math.Pi*now.Seconds()/3)
}

// slowCPU is a machine whose CPU slow runs at factor of the others while
// slowFrom(now) holds, under the waves.
func slowCPU(slow int, factor float64, slowFrom func(time.Duration) bool) func(int, time.Duration) float64 {
	return func(cpu int, now time.Duration) float64 {
		s := waves(now)
		if cpu == slow && slowFrom(now) {
			s *= factor
		}
		return s
	}
}

func always(time.Duration) bool { return true }

// TestSimulatedSlowCPU: on a machine one of whose CPUs runs at 0.37x the
// others, under whole-machine waves of ±30% and 2% noise on every batch,
// the paired speedup of a perfect dynamic pool covers k, a static split's
// covers k × min/mean, the ceiling's attainable figure covers k and its
// join the static split's; and which CPU is the slow one changes none of
// it. With 8 CPUs, each baseline half is short enough to visit only some
// of them (16 jobs per CPU: a batch of a few ms, and a half of one or two
// shares), so the rotating meter's correction is on trial too. Coverage is
// counted over seeds, as a 95% interval's should be.
func TestSimulatedSlowCPU(t *testing.T) {
	const factor, seeds = 0.37, 20
	for _, k := range []int{2, 8} {
		jobs := 128 // make bench's batch
		if k == 8 {
			jobs = 16 * k
		}
		minMean := factor / ((float64(k-1) + factor) / float64(k))
		truth := map[string]float64{simDynamic: float64(k), simStatic: float64(k) * minMean, "ceiling": float64(k), "join": float64(k) * minMean}
		estimates := map[int]map[string][]float64{}
		for _, slow := range []int{0, k - 1} {
			t.Run(fmt.Sprintf("%d CPUs, CPU %d slow", k, slow), func(t *testing.T) {
				covered := map[string]int{}
				estimates[slow] = map[string][]float64{}
				for seed := range seeds {
					m := &simMachine{jobTime: 150 * time.Microsecond, speed: slowCPU(slow, factor, always), noise: 0.02,
						rng: rand.New(rand.NewPCG(uint64(seed), 7))}
					for name, rs := range simSweep(t, m, k, jobs, 30, int64(seed)+1) {
						s := pairstat.Summarize(rs, 0.95)
						if s.Low <= truth[name] && truth[name] <= s.High {
							covered[name]++
						}
						estimates[slow][name] = append(estimates[slow][name], s.Speedup)
					}
				}
				for name, want := range truth {
					if covered[name] < seeds*8/10 {
						t.Errorf("%s: the interval covered %.3g in %d of %d sweeps, want at least %d", name, want, covered[name], seeds, seeds*8/10)
					}
					if mean := meanOf(estimates[slow][name]); math.Abs(mean/want-1) > 0.01 {
						t.Errorf("%s: mean estimate %.4g over %d sweeps, want %.4g within 1%%", name, mean, seeds, want)
					}
				}
			})
		}
		for name := range truth {
			a, b := meanOf(estimates[0][name]), meanOf(estimates[k-1][name])
			if math.Abs(a/b-1) > 0.01 {
				t.Errorf("%d CPUs, %s: %.4g with CPU 0 slow, %.4g with CPU %d slow; want the same within 1%%", k, name, a, b, k-1)
			}
		}
	}
}

// TestSimulatedSlowCPUInPhases: the slow CPU changes in phases (CPU 0 for
// the first stretch, none for the next, CPU 1 for the last): the dynamic
// pool still comes out at k, and so does the ceiling.
func TestSimulatedSlowCPUInPhases(t *testing.T) {
	phase := func(now time.Duration) int { return int(now/(400*time.Millisecond)) % 3 }
	speed := func(cpu int, now time.Duration) float64 {
		s := waves(now)
		if p := phase(now); (p == 0 && cpu == 0) || (p == 2 && cpu == 1) {
			s *= 0.37
		}
		return s
	}
	var dynamic, ceiling []float64
	for seed := range 10 {
		m := &simMachine{jobTime: 150 * time.Microsecond, speed: speed, noise: 0.02, rng: rand.New(rand.NewPCG(uint64(seed), 9))}
		rs := simSweep(t, m, 2, 128, 60, int64(seed)+1)
		dynamic = append(dynamic, pairstat.Summarize(rs[simDynamic], 0.95).Speedup)
		ceiling = append(ceiling, pairstat.Summarize(rs["ceiling"], 0.95).Speedup)
		if m.now < 2*time.Second {
			t.Fatalf("the sweep took %v of virtual time: it did not reach every phase", m.now)
		}
	}
	for name, es := range map[string][]float64{"dynamic pool": dynamic, "ceiling": ceiling} {
		if mean := meanOf(es); math.Abs(mean/2-1) > 0.01 {
			t.Errorf("%s: mean estimate %.4g, want 2 within 1%%", name, mean)
		}
	}
}

// TestMeterRotates: a half too short to visit every CPU of a large mask
// visits the next ones in turn, at least minShareTime each.
func TestMeterRotates(t *testing.T) {
	m := newMeter([]int{4, 5, 6, 7, 8, 9, 10, 11})
	rate := 1000.0 // jobs/s: minShareTime holds 2 jobs
	for i := range m.rate {
		m.rate[i] = rate
	}
	var visits []int
	for range 4 {
		shares := m.plan(6 * time.Millisecond) // 6 jobs: 3 shares of 2
		for _, s := range shares {
			if s.Jobs < 2 {
				t.Errorf("share %+v below minShareTime's 2 jobs", s)
			}
			visits = append(visits, s.CPU)
		}
	}
	want := []int{4, 5, 6, 7, 8, 9, 10, 11, 4, 5, 6, 7}
	if !slices.Equal(visits, want) {
		t.Errorf("visits %v, want %v", visits, want)
	}
	// A half as long as it takes gives every CPU a share.
	if shares := m.plan(time.Second); len(shares) != 8 {
		t.Errorf("a 1s half: %d shares, want 8", len(shares))
	}
}

func TestMeterBaseline(t *testing.T) {
	share := func(cpu, jobs int, wall time.Duration) ShareTime {
		return ShareTime{Share: Share{CPU: cpu, Jobs: jobs}, Wall: wall}
	}
	m := newMeter([]int{0, 1, 2, 3})
	// Every CPU visited: the plain mean of the rates, 100, 50, 100, 50.
	got, err := m.baseline([]ShareTime{share(0, 10, 100*time.Millisecond), share(1, 5, 100*time.Millisecond),
		share(2, 10, 100*time.Millisecond), share(3, 5, 100*time.Millisecond)})
	if err != nil || got != 75 {
		t.Fatalf("all visited: got %v, %v; want 75", got, err)
	}
	// The whole machine is now twice as fast, and the half visits the two
	// fast CPUs only: their fresh rates, 200 each, scaled by what the
	// others ran at relative to them, give a mean of 150.
	got, err = m.baseline([]ShareTime{share(0, 20, 100*time.Millisecond), share(2, 20, 100*time.Millisecond)})
	if err != nil || math.Abs(got-150) > 1e-9 {
		t.Fatalf("half visited after a wave: got %v, %v; want 150", got, err)
	}
	// The skipped CPUs' rates follow the wave, for sizing the next half.
	if math.Abs(m.rate[1]-100) > 1e-9 || math.Abs(m.rate[3]-100) > 1e-9 {
		t.Errorf("skipped CPUs' rates %v, %v; want 100, 100", m.rate[1], m.rate[3])
	}
	for _, bad := range [][]ShareTime{nil, {share(9, 1, time.Millisecond)}, {share(0, 1, time.Millisecond), share(0, 1, time.Millisecond)}, {share(0, 1, 0)}} {
		if _, err := m.baseline(bad); err == nil {
			t.Errorf("baseline(%v): no error", bad)
		}
	}
}

func meanOf(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
