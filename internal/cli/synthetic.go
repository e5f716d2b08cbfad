package cli

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/strategies"
)

// Synthetic results have the shape of a planned sweep (its configurations,
// rounds and file names) with made-up times: the dry run builds a report
// of them to time the report pass, and the tests draw charts of machines
// this one is not. Nothing synthetic is ever written into a run folder.

// syntheticSample is the made-up sample of trial t in round r: a batch of
// jobs that each take jobTime on one core, scaling by the Universal
// Scalability Law with a contention and a coherency cost that grow with
// the strategy's place in the registry (serial does not scale), and a few
// percent of deterministic noise.
func syntheticSample(w strategies.Workload, t harness.Trial, round int, jobTime time.Duration) harness.Sample {
	i := slices.Index(strategies.Names(), t.Strategy)
	if i < 0 { // a name made up for a test
		i = len(strategies.Names()) + len(t.Strategy)%3
	}
	n := float64(min(t.Workers, t.Cores))
	speedup := 1.0
	if !strategies.IgnoresWorkers(t.Strategy) {
		sigma, kappa := 0.005*float64(i), 2e-5*float64(i)
		speedup = n / (1 + sigma*(n-1) + kappa*n*(n-1))
	}
	rng := rand.New(rand.NewPCG(uint64(t.Cores)<<32|uint64(t.Workers)<<8|uint64(i), uint64(round)))
	noise := 1 + 0.03*(rng.Float64()-0.5)
	wall := time.Duration(float64(jobTime) * float64(w.Jobs) / speedup * noise)
	return harness.Sample{Trial: t, Round: round, Wall: wall, CPU: time.Duration(float64(wall) * n)}
}

// syntheticResults are count made-up samples of every configuration of c,
// each with the config lines header, in the order a sweep writes them.
// Their number is what the plan asks for; the work is linear in it.
func syntheticResults(c harness.Config, header [][2]string, jobTime time.Duration) []*benchfmt.Result {
	var cfg []benchfmt.Config
	for _, kv := range header {
		cfg = append(cfg, benchfmt.Config{Key: kv[0], Value: []byte(kv[1]), File: true})
	}
	trials := c.Trials()
	out := make([]*benchfmt.Result, 0, c.Count*len(trials))
	for r := range c.Count {
		for _, t := range trials {
			res := harness.SampleResult(syntheticSample(c.Workload, t, r, jobTime), c.Workload)
			res.Config = cfg
			out = append(out, res)
		}
	}
	return out
}

// syntheticTimeline is a made-up timeline batch of t: jobs handed out in
// turn to its workers, each taking its share of the synthetic batch.
func syntheticTimeline(w strategies.Workload, t harness.Trial, jobTime time.Duration) harness.Sample {
	s := syntheticSample(w, t, 0, jobTime)
	p := max(1, min(t.Workers, w.Jobs))
	if strategies.IgnoresWorkers(t.Strategy) {
		p = 1
	}
	perWorker := (w.Jobs + p - 1) / p
	each := s.Wall / time.Duration(perWorker)
	s.Jobs = make([]strategies.Result, w.Jobs)
	for j := range s.Jobs {
		start := time.Duration(j/p) * each
		// A little stagger, so rows do not look machine-made.
		start += time.Duration(float64(each) * 0.1 * math.Sin(float64(j)))
		start = max(start, 0)
		s.Jobs[j] = strategies.Result{Job: int64(j), Sum: strategies.Expected(int64(j), w.N), Worker: j % p, Start: start, End: start + each}
	}
	return s
}
