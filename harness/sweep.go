package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/parbench/parbench/internal/pairstat"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// The paired sweep. One measurement process per core count lives for the
// whole sweep; the parent asks them for one batch at a time. Every timed
// batch of a configuration is paired with a baseline half run right before
// or right after it in the same process, on the configuration's own CPUs,
// the order drawn per pair (baseline.go), so that a slow wave of the
// machine, which lasts seconds, hits both halves of a pair alike and
// cancels out of its ratio, and a CPU that the host slows alone slows the
// baseline exactly as much as it slows the configuration's share of work.
// The speedup is the pairs' ratios summarised by internal/pairstat. The
// sweep is:
//
//  1. start the processes, warm each configuration up (Config.Warmup
//     batches, after its set-up: procpool's workers stay up for the sweep);
//  2. calibrate: the meter visits every CPU of the largest mask in turn,
//     CalibrationRounds times, timing the same pinned work on each;
//  3. rounds: every configuration once per round, in an order shuffled per
//     round, each as one pair; after Config.Count rounds, with a Precision
//     target, further rounds of every configuration until all of them are
//     within the target or the Budget is spent. Every configuration is
//     sampled until the sweep ends, so that no two are compared across
//     different stretches of a machine whose speed moves;
//  4. calibrate again, and then the untimed timeline batches in the same
//     processes.
//
// A process that dies, is killed or stops answering is replaced: the pair
// in flight is discarded and counted as a fault on its configuration (or
// on the core count, between batches), a new process for that core count
// is started, pinned the same way, with its warm-ups, and the sweep goes
// on. After MaxProcessFailures failures in a row at one core count the
// sweep gives up on that core count and finishes the rest.
//
// Samples go to OnSample between batches, never while one is timed.

// BaselineTrial is the configuration whose speedup is 1 by definition:
// serial on one core. Its pairs measure only the noise of pairing.
var BaselineTrial = Trial{Strategy: "serial", Cores: 1, Workers: 1}

// CalibrationRounds is how many times, at most, the calibration meter
// visits every CPU at the start and at the end of a sweep; it stops after
// CalibrationTime once it has MinCalibrationRounds, so that a machine of
// many CPUs still gets a few readings of each.
const (
	CalibrationRounds    = 10
	MinCalibrationRounds = 3
	CalibrationTime      = 2 * time.Second
)

// calibrationShare is the wall time of one calibration share: long enough
// to read a CPU's speed to well under a percent.
const calibrationShare = 10 * time.Millisecond

// MaxProcessFailures is how many measurement-process failures in a row a
// core count may have before the sweep gives up on it.
const MaxProcessFailures = 3

// Trials that are not strategies of the registry: the ceiling's k copies
// of the serial batch, and the calibration meter's shares.
const (
	CeilingStrategy     = pairstat.CeilingName
	CalibrationStrategy = pairstat.CalibrationName
)

// ceilingTrial is the ceiling at k cores: k copies, so workers = k.
func ceilingTrial(k int) Trial { return Trial{Strategy: CeilingStrategy, Cores: k, Workers: k} }

// calibrationTrial names the calibration meter's requests and samples.
func calibrationTrial(k int) Trial { return Trial{Strategy: CalibrationStrategy, Cores: k, Workers: 1} }

// SweepTrials is every configuration the timed sweep pairs: Trials, then
// the ceiling at each core count if measured.
func (c Config) SweepTrials() []Trial {
	ts := c.Trials()
	if c.Ceiling {
		for _, k := range c.Cores {
			ts = append(ts, ceilingTrial(k))
		}
	}
	return ts
}

// A PassCount says what one pass of a sweep runs, for a planner that
// wants to know how many batches and how long before anything runs.
type PassCount struct {
	Pass string // "warmup", "calibration", "timed", "timeline", "profile"
	// Processes is how many measurement processes the pass starts; the
	// sweep's processes are started once, by the warm-up pass, and kept.
	Processes int
	// Batches is how many batches the pass runs at least, MaxBatches at
	// most; they differ only for a timed pass with a precision target. A
	// pair counts as two (its batch and its baseline half), a calibration
	// round as one.
	Batches, MaxBatches int
	// MaxWall bounds the pass's wall time where it is bounded by time
	// rather than by batches (the budget of an adaptive timed pass, the
	// profile time); 0 otherwise.
	MaxWall time.Duration
}

// Passes lists the passes of sweep c with their batch counts.
func (c Config) Passes() []PassCount {
	trials := c.SweepTrials()
	warm := c.Warmup * len(trials)
	perPair := 2
	if c.Unpaired {
		perPair = 1
	}
	timed := perPair * c.Count * len(trials)
	maxTimed := timed
	var budget time.Duration
	if c.Precision > 0 {
		maxTimed = perPair * max(c.Count, MaxRounds) * len(trials)
		budget = c.Budget
	}
	ps := []PassCount{
		{Pass: "warmup", Processes: len(c.Cores), Batches: warm, MaxBatches: warm},
		{Pass: "calibration", Batches: 2 * MinCalibrationRounds, MaxBatches: 2 * CalibrationRounds, MaxWall: 2 * CalibrationTime},
		{Pass: "timed", Batches: timed, MaxBatches: maxTimed, MaxWall: budget},
	}
	if c.Timeline {
		n := len(c.TimelineTrials())
		ps = append(ps, PassCount{Pass: "timeline", Batches: n, MaxBatches: n})
	}
	if c.Profile {
		pt := c.ProfileTime
		if pt <= 0 {
			pt = DefaultProfileTime
		}
		n := len(c.ProfileTrials())
		ps = append(ps, PassCount{Pass: "profile", Processes: n, Batches: c.Warmup * n, MaxBatches: c.Warmup * n,
			MaxWall: time.Duration(n) * 2 * pt})
	}
	return ps
}

// A ProcessFault is a measurement process that failed and was replaced (or
// given up on): what was in flight, and why.
type ProcessFault struct {
	Cores int
	// Trial is the configuration whose batch was in flight; nil when the
	// process died between batches or while starting.
	Trial *Trial
	// Step is "start-up", "warm-up", "timed", "timeline", "calibration",
	// "profile" or "between batches".
	Step    string
	Cause   string
	Elapsed time.Duration
}

func (f ProcessFault) String() string {
	cores := coreCount(f.Cores)
	where := cores
	if f.Trial != nil {
		where = f.Trial.String()
	}
	return fmt.Sprintf("measurement process for %s failed (%s, %s): %s", cores, where, f.Step, f.Cause)
}

// coreCount is k with its noun: "1 core", "2 cores".
func coreCount(k int) string {
	if k == 1 {
		return "1 core"
	}
	return fmt.Sprintf("%d cores", k)
}

// A GiveUpError is a sweep that finished without some of its core counts,
// each given up after MaxProcessFailures process failures in a row. The
// samples of every other core count are complete.
type GiveUpError struct {
	Causes map[int][]string // by core count
}

func (e *GiveUpError) Error() string {
	var parts []string
	for _, k := range e.Cores() {
		parts = append(parts, fmt.Sprintf("%s after %d failures (%s)", coreCount(k), len(e.Causes[k]), strings.Join(e.Causes[k], "; ")))
	}
	return "gave up on " + strings.Join(parts, ", and on ")
}

// Cores lists the core counts given up on, ascending.
func (e *GiveUpError) Cores() []int {
	var ks []int
	for k := range e.Causes {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// sweep is the state of one paired sweep.
type sweep struct {
	r        *Runner
	c        Config
	rng      *rand.Rand
	begin    time.Time
	wd       Watchdog
	sessions map[int]conn
	meters   map[int]*meter
	// slowest is each trial's slowest batch, for the watchdog; last its
	// latest, to size the next baseline half.
	slowest map[Trial]time.Duration
	last    map[Trial]time.Duration
	startup map[Trial]time.Duration
	ratios  map[Trial][]float64
	// failures are the causes of the process failures in a row at each
	// core count; givenUp the core counts the sweep gave up on.
	failures map[int][]string
	givenUp  map[int][]string
	// speed is the calibration meter's relative speed of each CPU.
	speed map[int]float64
	done  int
}

func (r *Runner) newSweep(c Config, rng *rand.Rand, begin time.Time) *sweep {
	wd := r.Watchdog
	if wd.Factor <= 0 {
		wd = DefaultWatchdog
	}
	return &sweep{r: r, c: c, rng: rng, begin: begin, wd: wd, sessions: map[int]conn{}, meters: map[int]*meter{},
		slowest: map[Trial]time.Duration{}, last: map[Trial]time.Duration{}, startup: map[Trial]time.Duration{},
		ratios: map[Trial][]float64{}, failures: map[int][]string{}, givenUp: map[int][]string{}, speed: map[int]float64{}}
}

// close ends every session; the first error is a process left behind.
func (sw *sweep) close() error {
	var errs []error
	for _, k := range sw.c.Cores {
		if s := sw.sessions[k]; s != nil {
			errs = append(errs, s.close())
			delete(sw.sessions, k)
		}
	}
	return errors.Join(errs...)
}

// giveUpError is the sweep's GiveUpError, nil if it gave up on nothing.
func (sw *sweep) giveUpError() error {
	if len(sw.givenUp) == 0 {
		return nil
	}
	return &GiveUpError{Causes: sw.givenUp}
}

// live are the trials whose core count the sweep has not given up on.
func (sw *sweep) live(ts []Trial) []Trial {
	return slices.DeleteFunc(slices.Clone(ts), func(t Trial) bool { return sw.givenUp[t.Cores] != nil })
}

// request runs one request in k's session under the watchdog, and notes
// the batch's time and its start-up.
func (sw *sweep) request(ctx context.Context, k int, req request) (Sample, error) {
	s := sw.sessions[k]
	if s == nil {
		return Sample{}, &ProcessError{Cores: k, What: "a request", Err: errors.New("no process")}
	}
	t := req.Trial
	limit := sw.wd.limit(t, sw.c.Workload, sw.slowest)
	if req.Kind == kindMeter {
		limit = sw.wd.limit(Trial{}, sw.c.Workload, nil)
	}
	got, err := s.do(ctx, req, limit)
	if err != nil {
		return got, err
	}
	got.Elapsed = time.Since(sw.begin)
	if req.Kind != kindMeter {
		sw.slowest[t] = max(sw.slowest[t], got.Wall)
		sw.last[t] = got.Wall
	}
	if got.Startup > 0 {
		sw.startup[t] = got.Startup
		got.Startup = 0
	}
	return got, nil
}

// failed handles an error of a request at k cores: a process failure is
// counted, its process ended, and, after MaxProcessFailures in a row, the
// core count given up on. It returns the error when it is not a process
// failure (or the run was interrupted): the run ends with it.
func (sw *sweep) failed(ctx context.Context, k int, t *Trial, step string, err error) error {
	var pe *ProcessError
	if !errors.As(err, &pe) || ctx.Err() != nil {
		return err
	}
	if pe.Between {
		t, step = nil, "between batches"
	}
	if s := sw.sessions[k]; s != nil {
		s.kill()
		delete(sw.sessions, k)
	}
	cause := pe.Err.Error()
	f := ProcessFault{Cores: k, Trial: t, Step: step, Cause: cause, Elapsed: time.Since(sw.begin)}
	if sw.r.OnProcessFault != nil {
		if err := sw.r.OnProcessFault(f); err != nil {
			return err
		}
	}
	sw.failures[k] = append(sw.failures[k], cause)
	if len(sw.failures[k]) >= MaxProcessFailures {
		sw.givenUp[k] = sw.failures[k]
		if sw.r.OnGiveUp != nil {
			return sw.r.OnGiveUp(k, sw.failures[k])
		}
	}
	return nil
}

// open starts k's session and warms it up, replacing a process that fails
// on the way; it returns nil with no session when it gives up on k.
func (sw *sweep) open(ctx context.Context, k int) error {
	for sw.givenUp[k] == nil {
		err := sw.start(ctx, k)
		if err == nil {
			return nil
		}
		var t *Trial
		step := "start-up"
		if we, ok := err.(*warmupError); ok {
			t, step, err = &we.trial, "warm-up", we.err
		}
		if err := sw.failed(ctx, k, t, step, err); err != nil {
			return err
		}
	}
	return nil
}

// warmupError names the configuration whose warm-up failed.
type warmupError struct {
	trial Trial
	err   error
}

func (e *warmupError) Error() string { return e.err.Error() }
func (e *warmupError) Unwrap() error { return e.err }

// start starts k's process: the meter's first round over its CPUs (which
// also warms the baseline's code up), then every configuration's warm-up.
func (sw *sweep) start(ctx context.Context, k int) error {
	c := sw.c
	s, err := sw.r.connect(ctx, k, c.Workload, sw.wd.limit(Trial{}, c.Workload, nil))
	if err != nil {
		return err
	}
	sw.sessions[k] = s
	if sw.meters[k] == nil {
		var cpus []int
		if sw.r.pin {
			cpus = sw.r.CPUs[:k]
		}
		sw.meters[k] = newMeter(cpus)
	}
	if !c.Unpaired {
		m := sw.meters[k]
		probe := make([]Share, m.size())
		for i := range probe {
			probe[i] = Share{CPU: m.cpuAt(i), Jobs: 1}
		}
		got, err := sw.request(ctx, k, request{Kind: kindMeter, Trial: calibrationTrial(k), Meter: probe})
		if err != nil {
			return err
		}
		if m.meanRate() == 0 {
			if _, err := m.baseline(got.Half); err != nil {
				return err
			}
		}
	}
	for _, t := range trialsAtWithCeiling(c, k) {
		for i := range c.Warmup {
			if _, err := sw.request(ctx, k, request{Kind: kindWarmup, Trial: t, Index: i + 1}); err != nil {
				return &warmupError{t, err}
			}
		}
	}
	return nil
}

// trialsAtWithCeiling is the sweep's configurations at k: the strategies',
// then the ceiling's.
func trialsAtWithCeiling(c Config, k int) []Trial {
	ts := trialsAt(c, k)
	if c.Ceiling {
		ts = append(ts, ceilingTrial(k))
	}
	return ts
}

// run is steps 1 to 3 and the closing calibration.
func (sw *sweep) run(ctx context.Context) error {
	c := sw.c
	for _, k := range c.Cores {
		if err := sw.open(ctx, k); err != nil {
			return err
		}
	}
	if err := sw.calibrate(ctx); err != nil {
		return err
	}
	for round := 0; ; round++ {
		for _, t := range shuffled(sw.live(c.SweepTrials()), sw.rng.Shuffle) {
			if round >= c.Count && time.Since(sw.begin) >= c.Budget {
				return sw.calibrate(ctx)
			}
			if sw.givenUp[t.Cores] != nil {
				continue
			}
			if err := sw.pair(ctx, t, round); err != nil {
				return err
			}
		}
		if round+1 < c.Count {
			continue
		}
		if c.Precision <= 0 || round+1 >= MaxRounds || len(sw.short(sw.live(c.SweepTrials()))) == 0 {
			break
		}
	}
	return sw.calibrate(ctx)
}

// pair runs one pair of t, its baseline half first or last as drawn, and
// hands the sample, which carries the baseline, to OnSample. A process
// that fails on the way is replaced, the pair in flight discarded, and the
// pair run again in the new process, until the sweep gives up on t's core
// count.
func (sw *sweep) pair(ctx context.Context, t Trial, round int) error {
	sw.progress(t, round, false)
	k := t.Cores
	m := sw.meters[k]
	var s Sample
	for {
		if sw.givenUp[k] != nil {
			return nil
		}
		if sw.sessions[k] == nil {
			if err := sw.open(ctx, k); err != nil {
				return err
			}
			continue
		}
		req := request{Kind: kindTimed, Trial: t, Split: round%max(1, (sw.c.Workload.Jobs+splitEvery-1)/splitEvery) == 0,
			JobCPU: m.meanRate() > 0 && time.Duration(float64(time.Second)/m.meanRate()) >= jobCPUFrom && jobClocksHold(t)}
		if !sw.c.Unpaired {
			req.Half = m.plan(sw.last[t])
			req.First = sw.rng.IntN(2) == 0
		}
		got, err := sw.request(ctx, k, req)
		if err == nil {
			s = got
			break
		}
		if err := sw.failed(ctx, k, &t, "timed", err); err != nil {
			return err
		}
	}
	sw.failures[k] = nil
	s.Round = round
	if !sw.c.Unpaired {
		rate, err := m.baseline(s.Half)
		if err != nil {
			return fmt.Errorf("%v: %w", t, err)
		}
		s.Baseline = time.Duration(float64(sw.c.Workload.Jobs) / rate * 1e9)
		s.BaselineCPU = halfCPU(s.Half, s.Baseline)
		sw.ratios[t] = append(sw.ratios[t], pairRatio(s))
	}
	if d, ok := sw.startup[t]; ok {
		s.Startup = d
		delete(sw.startup, t)
	}
	sw.done++
	if sw.r.OnSample != nil {
		if err := sw.r.OnSample(s); err != nil {
			return err
		}
	}
	sw.progress(t, round, true)
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted: %w", err)
	}
	return nil
}

// halfCPU is the baseline half's thread CPU time at the scale of
// baseline: baseline times the mean of its shares' CPU over wall time,
// each CPU weighing as it does in the baseline rate (the mean of the
// per-CPU rates). Where the host slows a CPU, its share's CPU time tracks
// its wall time and the ratio stays 1; where another thread took the CPU
// (the OS's descheduling), it falls. 0 where the system does not tell a
// thread's CPU time.
func halfCPU(half []ShareTime, baseline time.Duration) time.Duration {
	var ratio float64
	for _, s := range half {
		if s.CPUTime <= 0 || s.Wall <= 0 {
			return 0
		}
		ratio += min(1, float64(s.CPUTime)/float64(s.Wall))
	}
	if len(half) == 0 {
		return 0
	}
	return time.Duration(float64(baseline) * ratio / float64(len(half)))
}

// pairRatio is a pair's speedup: the baseline's time for the batch's jobs
// over the batch's.
func pairRatio(s Sample) float64 {
	return float64(s.Baseline) / float64(s.Wall)
}

// short lists the trials whose paired interval is still wider than the
// target. The baseline against itself is left out: its speedup is 1 by
// definition, and its pairs measure only the noise.
func (sw *sweep) short(trials []Trial) []Trial {
	return shortOfTarget(trials, sw.ratios, sw.c.Precision)
}

// shortOfTarget is the stop rule: the trials, in their order, whose
// pairs' ratios give a 95% interval with a relative half-width above
// target (an unbounded one included), the baseline left out.
func shortOfTarget(trials []Trial, ratios map[Trial][]float64, target float64) []Trial {
	var out []Trial
	for _, t := range trials {
		if t == BaselineTrial {
			continue
		}
		hw := pairstat.Summarize(ratios[t], 0.95).HalfWidth()
		if !(hw <= target) {
			out = append(out, t)
		}
	}
	return out
}

// worst is the widest current paired half-width and whose it is.
func (sw *sweep) worst() (float64, Trial) {
	w, who := math.NaN(), Trial{}
	for t, rs := range sw.ratios {
		if t == BaselineTrial || sw.givenUp[t.Cores] != nil {
			continue
		}
		hw := pairstat.Summarize(rs, 0.95).HalfWidth()
		if math.IsNaN(w) || hw > w || (hw == w && t.String() < who.String()) {
			w, who = hw, t
		}
	}
	return w, who
}

// calibrate runs the calibration meter in the process with the most
// cores: rounds that visit each of its CPUs in turn with the same pinned
// work (the workload's XOR-sum without its sleeps and gaps: the meter
// measures the CPUs), each share about calibrationShare long, until
// CalibrationRounds rounds or, past MinCalibrationRounds, CalibrationTime.
// A first round of one job per CPU sizes the shares and is not kept. The
// first calibration also seeds every core count's meter with the CPUs'
// speeds. A process that fails is replaced, as in a pair; if the sweep
// gives up on that core count, the next largest calibrates.
func (sw *sweep) calibrate(ctx context.Context) error {
	for {
		k := 0
		for _, kk := range sw.c.Cores {
			if sw.givenUp[kk] == nil {
				k = max(k, kk)
			}
		}
		if k == 0 {
			return nil
		}
		ok, err := sw.calibrateAt(ctx, k)
		if err != nil || ok {
			return err
		}
	}
}

// calibrateAt is calibrate in k's process; ok is false when the sweep gave
// up on k on the way.
func (sw *sweep) calibrateAt(ctx context.Context, k int) (ok bool, err error) {
	cal := newMeter(nil)
	if sw.r.pin {
		cal = newMeter(sw.r.CPUs[:k])
	}
	begin := time.Now()
	var rates map[int]float64
	for round := -1; round < CalibrationRounds && (round < MinCalibrationRounds || time.Since(begin) < CalibrationTime); round++ {
		shares := make([]Share, cal.size())
		for i := range shares {
			jobs := 1
			if r := cal.rate[i]; round >= 0 && r > 0 {
				jobs = max(1, int(math.Round(r*calibrationShare.Seconds())))
			}
			shares[i] = Share{CPU: cal.cpuAt(i), Jobs: jobs}
		}
		got, ok, err := sw.meterRound(ctx, k, shares)
		if err != nil || !ok {
			return false, err
		}
		if _, err := cal.baseline(got.Half); err != nil {
			return false, err
		}
		if round < 0 {
			continue // the probe only sizes the shares
		}
		if sw.r.OnCalibration != nil {
			if err := sw.r.OnCalibration(got); err != nil {
				return false, err
			}
		}
		rates = map[int]float64{}
		for _, s := range got.Half {
			rates[s.CPU] = s.Rate()
		}
	}
	if len(sw.speed) == 0 && rates != nil {
		sw.seedMeters(rates)
	}
	return true, nil
}

// meterRound runs one round of the calibration meter at k cores, replacing
// a process that fails; ok is false when the sweep gave up on k.
func (sw *sweep) meterRound(ctx context.Context, k int, shares []Share) (s Sample, ok bool, err error) {
	for sw.givenUp[k] == nil {
		if sw.sessions[k] == nil {
			if err := sw.open(ctx, k); err != nil {
				return s, false, err
			}
			continue
		}
		got, err := sw.request(ctx, k, request{Kind: kindMeter, Trial: calibrationTrial(k), Meter: shares, Bare: true})
		if err == nil {
			sw.failures[k] = nil
			return got, true, nil
		}
		if err := sw.failed(ctx, k, nil, "calibration", err); err != nil {
			return s, false, err
		}
	}
	return s, false, nil
}

// seedMeters gives every core count's meter the CPUs' speeds relative to
// each other from the calibration, converted to rates of the workload
// (its sleeps and gaps included) so that the first halves are sized
// right.
func (sw *sweep) seedMeters(computeRates map[int]float64) {
	w := sw.c.Workload
	rates := map[int]float64{}
	for cpu, r := range computeRates {
		per := max(time.Duration(float64(time.Second)/r)+w.Sleep, w.Gap)
		rates[cpu] = float64(time.Second) / float64(per)
		sw.speed[cpu] = r
	}
	for _, m := range sw.meters {
		m.seed(rates)
	}
}

// timeline runs one untimed batch per configuration in the sweep's
// processes, keeping its per-job results. A process that fails is
// replaced, and the configuration's batch tried again.
func (sw *sweep) timeline(ctx context.Context) error {
	for _, t := range sw.live(sw.c.TimelineTrials()) {
		sw.progress(t, -1, false)
		for sw.givenUp[t.Cores] == nil {
			if sw.sessions[t.Cores] == nil {
				if err := sw.open(ctx, t.Cores); err != nil {
					return err
				}
				continue
			}
			s, err := sw.request(ctx, t.Cores, request{Kind: kindTimeline, Trial: t, Trace: sw.tracePath(t)})
			if err != nil {
				if err := sw.failed(ctx, t.Cores, &t, "timeline", err); err != nil {
					return err
				}
				continue
			}
			sw.failures[t.Cores] = nil
			s.Round = -1
			if sw.r.OnTimeline != nil {
				if err := sw.r.OnTimeline(s); err != nil {
					return err
				}
			}
			break
		}
	}
	return nil
}

// maxTracedJobs bounds the batches the harness traces: a trace holds
// tens of bytes per job, in memory until the batch ends, and the reader
// refuses traces past profiles.DefaultTraceLimits (64 MiB), which a
// million tiny jobs stay well within.
const maxTracedJobs = 1 << 20

// tracePath is where t's timeline batch writes its execution trace, ""
// for none: only with Config.Trace, and only for strategies whose jobs
// run in the measurement process (a trace sees no other process's).
func (sw *sweep) tracePath(t Trial) string {
	if !sw.c.Trace || strategies.OutOfProcess(t.Strategy) || sw.r.Folder.Dir == "" || sw.c.Workload.Jobs > maxTracedJobs {
		return ""
	}
	// The measurement process is told an absolute path, whatever its
	// working directory.
	dir, err := filepath.Abs(sw.r.Folder.Dir)
	if err != nil {
		return ""
	}
	folder := runfiles.Folder{Dir: dir}
	if err := os.MkdirAll(folder.ProfileDir(), 0o755); err != nil {
		return ""
	}
	return folder.ProfilePath(runfiles.ProfileTrace, t.Strategy, t.Cores, t.Workers, sw.c.DefaultWorkers(t))
}

func (sw *sweep) progress(t Trial, round int, sampled bool) {
	if sw.r.OnProgress == nil {
		return
	}
	c := sw.c
	total := c.Count * len(sw.live(c.SweepTrials()))
	p := Progress{Trial: t, Round: round, Rounds: c.Count, Done: sw.done, Elapsed: time.Since(sw.begin), Sampled: sampled}
	if c.Precision > 0 {
		p.Target, p.Budget = c.Precision, c.Budget
		p.Worst, p.WorstTrial = sw.worst()
		total = max(total, sw.done)
	}
	p.Total = total
	if round >= 0 && sw.done > 0 && sw.done < total {
		p.ETA = time.Duration(float64(p.Elapsed) / float64(sw.done) * float64(total-sw.done))
	}
	if round >= c.Count && c.Precision > 0 {
		p.ETA = max(0, c.Budget-p.Elapsed)
	}
	sw.r.OnProgress(p)
}
