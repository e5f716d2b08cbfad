package harness

import (
	"math"
	"slices"
	"time"

	"github.com/parbench/parbench/strategies"
)

// An estimate of a run's wall time is built from a few measured costs
// (Costs, which Calibrate measures on this machine) and the plan alone:
// it walks the configurations, never the samples, so its cost does not
// grow with the number of rounds.
//
// Two figures bracket each pass. Ideal assumes that every strategy scales
// perfectly over min(workers, cores, jobs) from the measured 1-core job
// time: the least a run can take. Flat assumes no strategy scales at all:
// every batch takes as long as on one core. A real run lands in between,
// near ideal for the strategies that scale and near flat for those that
// do not. Neither counts what the calibration did not measure: the time a
// strategy's own machinery adds to a batch (small for the coarse jobs of
// the default workload, see the profiles) and the time benchstat takes.

// Costs are the measured figures an estimate is built from.
type Costs struct {
	// JobTime is the wall time of one job's XOR-sum, without its sleep,
	// in a serial batch on one core in a pinned measurement process.
	JobTime time.Duration
	// ProcessStart is what a measurement process costs beyond its
	// batches: starting it, its check, and its exit.
	ProcessStart time.Duration
	// WorkerStart is each strategy's set-up per worker outside the timed
	// batches (Sample.Startup / workers), such as starting procpool's
	// worker processes; a strategy not in the map costs nothing.
	WorkerStart map[string]time.Duration
	// Report is the report's own computation for this plan (statistics,
	// bootstrap intervals, fits) and Chart the time to draw one chart in
	// every format the report writes it in; the caller measures them on
	// data of the plan's shape.
	Report time.Duration
	Chart  time.Duration
}

// Passes of a run, in the order they run.
const (
	PassSweep    = "sweep"
	PassTimeline = "timeline"
	PassProfile  = "profile"
	PassReport   = "report"
)

// PassEstimate is the estimated cost of one pass of a run.
type PassEstimate struct {
	Pass string
	// Configurations is how many configurations the pass runs; Processes
	// how many measurement processes it starts; Batches how many batches
	// run in them, warm-up included, a pair's baseline half counted as a
	// batch of its own (for the profiling pass, an estimate: profiled
	// batches run until a CPU-time or wall-time budget is spent).
	Configurations int
	Processes      int
	Batches        int64
	// Charts is how many charts the report pass draws, each in every format.
	Charts int
	// Ideal and Flat bracket the pass's wall time (see above).
	Ideal, Flat time.Duration
}

// Estimate is the estimated cost of a whole run, pass by pass.
type Estimate struct {
	Passes      []PassEstimate
	Ideal, Flat time.Duration
}

// Pass returns the estimate of the named pass, and whether the run has it.
func (e Estimate) Pass(name string) (PassEstimate, bool) {
	for _, p := range e.Passes {
		if p.Pass == name {
			return p, true
		}
	}
	return PassEstimate{}, false
}

// EstimateRun estimates the wall time of the run c, pass by pass, from
// costs. charts is the number of chart files the report will draw
// (PlanFiles counts them); with report false there is no report pass.
func EstimateRun(c Config, costs Costs, charts int, report bool) Estimate {
	var e Estimate
	add := func(p PassEstimate) {
		e.Passes = append(e.Passes, p)
		e.Ideal = addDur(e.Ideal, p.Ideal)
		e.Flat = addDur(e.Flat, p.Flat)
	}
	add(estimateSweep(c, costs))
	if c.Timeline {
		add(estimateTimeline(c, costs))
	}
	if c.Profile {
		add(estimateProfile(c, costs))
	}
	if report {
		t := costs.Report + mulDur(int64(charts), costs.Chart)
		add(PassEstimate{Pass: PassReport, Configurations: len(c.Trials()), Charts: charts, Ideal: t, Flat: t})
	}
	return e
}

// estimateSweep follows the paired sweep (sweep.go): one long-lived
// measurement process per core count, started once, with a probe of its
// CPUs; each configuration's warm-up once, before its first pair; the
// calibration meter at the start and at the end; then Count rounds of
// RoundTimes, each pair a batch and a baseline half of about its length.
func estimateSweep(c Config, costs Costs) PassEstimate {
	p := PassEstimate{Pass: PassSweep, Configurations: len(c.Trials())}
	add := func(n int64, ideal, flat time.Duration) {
		p.Batches = addInt(p.Batches, n)
		p.Ideal = addDur(p.Ideal, mulDur(n, ideal))
		p.Flat = addDur(p.Flat, mulDur(n, flat))
	}
	for _, k := range c.Cores {
		p.Processes++
		probe := costs.ProcessStart + mulDur(int64(k), costs.JobTime+c.Workload.Sleep)
		p.Ideal = addDur(p.Ideal, probe)
		p.Flat = addDur(p.Flat, probe)
		for _, t := range trialsAtWithCeiling(c, k) {
			start := costs.start(t)
			p.Ideal = addDur(p.Ideal, start)
			p.Flat = addDur(p.Flat, start)
			ideal, flat := costs.BatchTime(c.Workload, t)
			add(int64(c.Warmup), ideal, flat)
		}
	}
	// Two calibrations: rounds of one share per CPU of the largest mask,
	// at least MinCalibrationRounds, at most CalibrationRounds or
	// CalibrationTime.
	top := int64(slices.Max(c.Cores))
	round := mulDur(top, calibrationShare)
	rounds := int64(MinCalibrationRounds)
	if round > 0 {
		rounds = max(rounds, min(int64(CalibrationRounds), int64(CalibrationTime/round)))
	}
	add(2*rounds, round, round)
	ideal, flat := RoundTimes(c, costs, !c.Unpaired)
	for i := range ideal {
		add(int64(c.Count), ideal[i], flat[i])
	}
	if !c.Unpaired {
		// add counted a pair as one batch; count its half too.
		p.Batches = addInt(p.Batches, mulInt(int64(c.Count), int64(len(ideal))))
	}
	return p
}

// estimateTimeline is one untimed batch per configuration, in the sweep's
// processes.
func estimateTimeline(c Config, costs Costs) PassEstimate {
	p := PassEstimate{Pass: PassTimeline}
	for _, t := range c.TimelineTrials() {
		p.Configurations++
		p.Batches++
		ideal, flat := costs.BatchTime(c.Workload, t)
		p.Ideal = addDur(p.Ideal, ideal)
		p.Flat = addDur(p.Flat, flat)
	}
	return p
}

// estimateProfile follows profileTrial: a process per configuration, its
// warm-up, batches under the CPU profiler until the process has used
// ProfileTime of CPU or twice that of wall time, batches for a third of
// ProfileTime under the contention profiles (in-process strategies), and
// one traced batch.
func estimateProfile(c Config, costs Costs) PassEstimate {
	p := PassEstimate{Pass: PassProfile}
	budget := c.ProfileTime
	if budget <= 0 {
		budget = DefaultProfileTime
	}
	for _, t := range c.ProfileTrials() {
		p.Configurations++
		p.Processes++
		ideal, flat := costs.BatchTime(c.Workload, t)
		cpu := costs.batchCPU(c.Workload, t)
		for i, batch := range []time.Duration{ideal, flat} {
			n := int64(c.Warmup)
			if c.Profile {
				// CPU accrues at cpu per batch; the wall cap stops it first
				// when the batch keeps fewer CPUs busy than one.
				wall := 2 * budget
				if cpu > 0 {
					wall = min(wall, time.Duration(float64(budget)*float64(batch)/float64(cpu)))
				}
				n = addInt(n, batchesFor(wall, batch))
				if !strategies.OutOfProcess(t.Strategy) {
					n = addInt(n, batchesFor(budget/3, batch))
				}
			}
			d := costs.ProcessStart + costs.start(t) + mulDur(n, batch)
			if i == 0 {
				p.Ideal = addDur(p.Ideal, d)
				p.Batches = addInt(p.Batches, n)
			} else {
				p.Flat = addDur(p.Flat, d)
			}
		}
	}
	return p
}

// batchesFor is how many batches of length batch run until wall has
// passed: at least one, as runBatchesFor does.
func batchesFor(wall, batch time.Duration) int64 {
	if batch <= 0 {
		return 1
	}
	return max(1, int64((wall+batch-1)/batch))
}

// parallelism is how many jobs of t run at once: its workers (one for a
// strategy that ignores them), at most the batch's jobs.
func parallelism(w strategies.Workload, t Trial) int {
	p := t.Workers
	if strategies.IgnoresWorkers(t.Strategy) {
		p = 1
	}
	return max(1, min(p, w.Jobs))
}

// BatchTime estimates one batch of t: ideal, with the jobs spread evenly over
// its parallelism and the compute over min(parallelism, cores) CPUs (a
// sleeping job needs no CPU), and flat, as long as on one worker. Neither
// is below what the arrival schedule allows: the last job's release plus
// its own time.
func (c Costs) BatchTime(w strategies.Workload, t Trial) (ideal, flat time.Duration) {
	if t.Strategy == CeilingStrategy {
		// The batch's jobs in k copies, one per CPU: one copy's time
		// when they scale, the whole serial batch's when they do not.
		one, serial := c.BatchTime(w, BaselineTrial)
		k := int64(max(1, min(t.Cores, w.Jobs)))
		return time.Duration((int64(one) + k - 1) / k), serial
	}
	jobs := int64(w.Jobs)
	p := int64(parallelism(w, t))
	cpus := min(p, int64(t.Cores))
	rounds := (jobs + p - 1) / p // jobs per worker, the last one's
	// A job's compute runs p/cpus times slower when p workers share
	// cpus CPUs.
	perJob := time.Duration(float64(c.JobTime)*float64(p)/float64(cpus)) + w.Sleep
	ideal = time.Duration(rounds) * perJob
	flat = time.Duration(jobs) * (c.JobTime + w.Sleep)
	bound := time.Duration(jobs-1)*w.Gap + c.JobTime + w.Sleep
	return max(ideal, bound), max(flat, bound)
}

// batchCPU is the CPU time one batch of t uses: its compute.
func (c Costs) batchCPU(w strategies.Workload, _ Trial) time.Duration {
	return time.Duration(w.Jobs) * c.JobTime
}

// start is t's set-up outside the batches.
func (c Costs) start(t Trial) time.Duration {
	return c.WorkerStart[t.Strategy] * time.Duration(t.Workers)
}

// An absurd plan (-count 1e15) must give an absurd estimate, not a
// negative one: products and sums of durations saturate.
const maxDur = time.Duration(math.MaxInt64)

func mulDur(n int64, d time.Duration) time.Duration {
	if n <= 0 || d <= 0 {
		return 0
	}
	if d > maxDur/time.Duration(n) {
		return maxDur
	}
	return time.Duration(n) * d
}

func addDur(a, b time.Duration) time.Duration {
	if a > maxDur-b {
		return maxDur
	}
	return a + b
}

func mulInt(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

func addInt(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}
