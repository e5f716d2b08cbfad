package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/parbench/parbench/internal/pairstat"
)

// The paired sweep. One measurement process per core count (and one at 1
// core for the baseline) lives for the whole sweep; the parent asks them
// for one batch at a time. Every timed batch of a configuration is paired
// with a baseline batch (serial, 1 core) run right before or right after
// it, the order drawn per pair, so that a slow wave of the machine, which
// lasts seconds, hits both halves of a pair alike and cancels out of its
// ratio. The speedup is the median of the pairs' ratios (see
// internal/pairstat). The sweep is:
//
//  1. start the processes, warm each configuration up (Config.Warmup
//     batches, after its set-up: procpool's workers stay up for the sweep);
//  2. calibrate: CalibrationBatches baseline batches in a row, to measure
//     the machine's own batch-to-batch spread;
//  3. rounds: every configuration once per round, in an order shuffled per
//     round, each as one pair; after Config.Count rounds, with a Precision
//     target, only those whose paired interval is still wider than the
//     target, until none is or the Budget is spent (BenchmarkDotNet's
//     stop rule on relative error);
//  4. calibrate again, and then the untimed timeline batches in the same
//     processes.
//
// Samples go to OnSample between batches, never while one is timed.

// BaselineTrial is the batch every timed batch is paired with.
var BaselineTrial = Trial{Strategy: "serial", Cores: 1, Workers: 1}

// CalibrationBatches is how many baseline batches the calibration loop
// runs at the start and at the end of a sweep.
const CalibrationBatches = 10

// CalibrationTime bounds each calibration loop's wall time.
const CalibrationTime = 2 * time.Second

// calibrationTrial names the calibration loop's batches in bench.txt.
var calibrationTrial = Trial{Strategy: CalibrationStrategy, Cores: 1, Workers: 1}

// ceilingTrial is the ceiling at k cores: k copies, so workers = k.
func ceilingTrial(k int) Trial { return Trial{Strategy: CeilingStrategy, Cores: k, Workers: k} }

// SweepTrials is every configuration the timed sweep pairs with the
// baseline: Trials, then the ceiling at each core count if measured.
func (c Config) SweepTrials() []Trial {
	ts := c.Trials()
	if c.Ceiling {
		for _, k := range c.Cores {
			ts = append(ts, ceilingTrial(k))
		}
	}
	return ts
}

// sessionCores are the core counts with a measurement process: the
// sweep's and 1, for the baseline, ascending.
func (c Config) sessionCores() []int {
	ks := slices.Clone(c.Cores)
	if !slices.Contains(ks, 1) && !c.Unpaired {
		ks = append(ks, 1)
	}
	slices.Sort(ks)
	return ks
}

// A PassCount says what one pass of a sweep runs, for a planner that
// wants to know how many batches and how long before anything runs.
type PassCount struct {
	Pass string // "warmup", "calibration", "timed", "timeline", "profile"
	// Processes is how many measurement processes the pass starts; the
	// sweep's processes are started once, by the warm-up pass, and kept.
	Processes int
	// Batches is how many batches the pass runs at least, MaxBatches at
	// most; they differ only for a timed pass with a precision target.
	Batches, MaxBatches int
	// MaxWall bounds the pass's wall time where it is bounded by time
	// rather than by batches (the budget of an adaptive timed pass, the
	// profile time); 0 otherwise.
	MaxWall time.Duration
}

// Passes lists the passes of sweep c with their batch counts. A timed
// pass of Count rounds over SweepTrials runs two batches per pair.
func (c Config) Passes() []PassCount {
	trials := c.SweepTrials()
	warm := c.Warmup * len(warmupTrials(c))
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
		{Pass: "warmup", Processes: len(c.sessionCores()), Batches: warm, MaxBatches: warm},
		{Pass: "calibration", Batches: 2, MaxBatches: 2 * CalibrationBatches, MaxWall: 2 * CalibrationTime},
		{Pass: "timed", Batches: timed, MaxBatches: maxTimed, MaxWall: budget},
	}
	if c.Timeline {
		n := len(c.Trials())
		ps = append(ps, PassCount{Pass: "timeline", Batches: n, MaxBatches: n})
	}
	if c.Profile || c.Trace {
		pt := c.ProfileTime
		if pt <= 0 {
			pt = DefaultProfileTime
		}
		n := len(c.Trials())
		ps = append(ps, PassCount{Pass: "profile", Processes: n, Batches: c.Warmup * n, MaxBatches: c.Warmup * n,
			MaxWall: time.Duration(n) * 2 * pt})
	}
	return ps
}

// warmupTrials are the configurations warmed up before the first pair:
// the baseline first, then every other one.
func warmupTrials(c Config) []Trial {
	var ts []Trial
	if !c.Unpaired || slices.Contains(c.Cores, 1) {
		ts = append(ts, BaselineTrial)
	}
	for _, t := range c.SweepTrials() {
		if t != BaselineTrial {
			ts = append(ts, t)
		}
	}
	return ts
}

// sweep is the state of one paired sweep.
type sweep struct {
	r        *Runner
	c        Config
	rng      *rand.Rand
	begin    time.Time
	wd       Watchdog
	sessions map[int]*session
	slowest  map[Trial]time.Duration
	startup  map[Trial]time.Duration
	ratios   map[Trial][]float64
	done     int
}

func (r *Runner) newSweep(c Config, rng *rand.Rand, begin time.Time) *sweep {
	wd := r.Watchdog
	if wd.Factor <= 0 {
		wd = DefaultWatchdog
	}
	return &sweep{r: r, c: c, rng: rng, begin: begin, wd: wd, sessions: map[int]*session{},
		slowest: map[Trial]time.Duration{}, startup: map[Trial]time.Duration{}, ratios: map[Trial][]float64{}}
}

// close ends every session; the first error is a process left behind.
func (sw *sweep) close() error {
	var errs []error
	for _, k := range sw.c.sessionCores() {
		if s := sw.sessions[k]; s != nil {
			errs = append(errs, s.close())
		}
	}
	return errors.Join(errs...)
}

// batch runs one batch of t in its core count's session, under the
// watchdog, and notes its time and its start-up.
func (sw *sweep) batch(ctx context.Context, t Trial, kind string, index, round int) (Sample, error) {
	s := sw.sessions[t.Cores]
	limit := sw.wd.limit(t, sw.c.Workload, sw.slowest)
	got, err := s.batch(ctx, batchRequest{Trial: t, Kind: kind, Index: index}, limit)
	if err != nil {
		return got, err
	}
	got.Round = round
	sw.slowest[t] = max(sw.slowest[t], got.Wall)
	if got.Startup > 0 {
		sw.startup[t] = got.Startup
		got.Startup = 0
	}
	return got, nil
}

// run is steps 1 to 3 and the closing calibration.
func (sw *sweep) run(ctx context.Context) error {
	c := sw.c
	for _, k := range c.sessionCores() {
		s, err := sw.r.startSession(ctx, k, c.Workload, sw.wd.limit(Trial{}, c.Workload, nil))
		if err != nil {
			return err
		}
		sw.sessions[k] = s
	}
	for _, t := range warmupTrials(c) {
		for i := range c.Warmup {
			if _, err := sw.batch(ctx, t, batchWarmup, i+1, 0); err != nil {
				return err
			}
		}
	}
	if err := sw.calibrate(ctx, 0); err != nil {
		return err
	}
	trials := c.SweepTrials()
	active := trials
	for round := 0; len(active) > 0; round++ {
		order := slices.Clone(active)
		if round < c.Count {
			// The same shuffle as Plan's: core counts, then trials.
			order = order[:0]
			for _, f := range planRound(c, round, sw.rng.Shuffle) {
				order = append(order, f.Trials...)
			}
			if c.Ceiling {
				cs := make([]Trial, 0, len(c.Cores))
				for _, k := range c.Cores {
					cs = append(cs, ceilingTrial(k))
				}
				order = append(order, cs...)
				sw.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			}
		} else {
			sw.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		}
		for _, t := range order {
			if round >= c.Count && time.Since(sw.begin) >= c.Budget {
				active = nil
				break
			}
			if err := sw.pair(ctx, t, round, len(active)); err != nil {
				return err
			}
		}
		if round+1 < c.Count {
			continue
		}
		if c.Precision <= 0 || round+1 >= MaxRounds {
			break
		}
		if active != nil {
			active = sw.short(trials)
		}
	}
	return sw.calibrate(ctx, 1)
}

// pair runs one pair of t, in an order drawn for it, and hands the sample
// of t, which carries its baseline's time, to OnSample.
func (sw *sweep) pair(ctx context.Context, t Trial, round, active int) error {
	sw.progress(t, round, false)
	baseFirst := sw.rng.IntN(2) == 0
	var s, base Sample
	var err error
	for i := range 2 {
		if sw.c.Unpaired && (i == 0) == baseFirst {
			continue
		}
		if (i == 0) == baseFirst {
			base, err = sw.batch(ctx, BaselineTrial, batchTimed, 0, round)
		} else {
			s, err = sw.batch(ctx, t, batchTimed, 0, round)
		}
		if err != nil {
			return err
		}
	}
	s.Baseline = base.Wall
	if d, ok := sw.startup[t]; ok {
		s.Startup = d
		delete(sw.startup, t)
	}
	if !sw.c.Unpaired {
		sw.ratios[t] = append(sw.ratios[t], pairRatio(s))
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

// pairRatio is a pair's speedup: the baseline's time over the time per
// serial batch's worth of work (the ceiling's k copies do k of them).
func pairRatio(s Sample) float64 {
	per := float64(s.Wall) / float64(max(1, s.Copies))
	return float64(s.Baseline) / per
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
		if t == BaselineTrial {
			continue
		}
		hw := pairstat.Summarize(rs, 0.95).HalfWidth()
		if math.IsNaN(w) || hw > w || (hw == w && t.String() < who.String()) {
			w, who = hw, t
		}
	}
	return w, who
}

// calibrate runs the calibration loop: the same pinned serial batch up to
// CalibrationBatches times in a row, but no longer than CalibrationTime
// after the first (a workload of 2 s sleeps gets one batch, not ten).
func (sw *sweep) calibrate(ctx context.Context, round int) error {
	if sw.sessions[1] == nil {
		return nil // unpaired, without 1 core: no pinned serial process to calibrate with
	}
	begin := time.Now()
	for i := 0; i < CalibrationBatches && (i == 0 || time.Since(begin) < CalibrationTime); i++ {
		s, err := sw.batch(ctx, calibrationTrial, batchTimed, 0, round)
		if err != nil {
			return err
		}
		if sw.r.OnCalibration != nil {
			if err := sw.r.OnCalibration(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// timeline runs one untimed batch per configuration in the sweep's
// processes, keeping its per-job results.
func (sw *sweep) timeline(ctx context.Context) error {
	for _, t := range sw.c.TimelineTrials() {
		sw.progress(t, -1, false)
		s, err := sw.batch(ctx, t, batchTimeline, 0, -1)
		if err != nil {
			return err
		}
		if sw.r.OnTimeline != nil {
			if err := sw.r.OnTimeline(s); err != nil {
				return err
			}
		}
	}
	return nil
}

func (sw *sweep) progress(t Trial, round int, sampled bool) {
	if sw.r.OnProgress == nil {
		return
	}
	c := sw.c
	total := c.Count * len(c.SweepTrials())
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
