package harness

import (
	"fmt"
	"math"
	"time"
)

// A precision target within a time budget (-precision and -budget) runs
// every configuration for a minimum number of rounds, then adds rounds
// only for the configurations whose speedup interval is still wider than
// the target, until all meet it or the budget is spent. SpreadBudget says
// before the run how that budget divides: what the minimum costs, how many
// further rounds the rest buys, and, given the spread of a pair's ratio on
// this machine, how many rounds the target needs. It takes explicit
// inputs, so that it does not depend on how the sweep pairs its batches.

// BudgetInput describes a sweep with a precision target and a budget.
type BudgetInput struct {
	// RoundTime is the estimated wall time of one round of each timed
	// configuration: all the batches one more pair costs it (its own, its
	// baseline's, their warm-ups), as EstimateRun's batch model gives them.
	RoundTime []time.Duration
	// MinRounds is the rounds every configuration runs before any stops.
	MinRounds int
	// Budget is the wall time for the timed sweep.
	Budget time.Duration
	// Precision is the target: the relative half-width of the speedup's
	// 95% interval (0.03 for 3%).
	Precision float64
	// Spread is the relative standard deviation of one pair's ratio on
	// this machine, if known (0 if not): from a calibration loop, or from
	// the pairs of a previous run.
	Spread float64
}

// BudgetSpread is how a budget divides over a sweep.
type BudgetSpread struct {
	Configurations int
	// Minimum is what MinRounds rounds of every configuration cost.
	Minimum time.Duration
	// Left is the budget after the minimum; negative when the minimum
	// alone does not fit.
	Left time.Duration
	// ExtraRounds is how many further rounds of every configuration Left
	// buys if none reaches the target early (the worst case); when some
	// stop early, the others get more.
	ExtraRounds int
	// NeededRounds is the rounds the target needs at Spread (0 when Spread
	// is unknown): the normal approximation of a median's interval,
	// half-width = 1.96 * 1.2533 * Spread / sqrt(rounds).
	NeededRounds int
	// NeededTime is what NeededRounds of every configuration cost.
	NeededTime time.Duration
	// Reachable is the half-width that MinRounds+ExtraRounds rounds give
	// at Spread (0 when Spread is unknown).
	Reachable float64
}

// medianCI95 is the 95% normal quantile times the asymptotic standard
// error of a median relative to a mean's (sqrt(pi/2)).
const medianCI95 = 1.959964 * 1.2533141

// SpreadBudget divides in.Budget over the configurations of in. It walks
// the configurations once; it never looks at samples.
func SpreadBudget(in BudgetInput) (BudgetSpread, error) {
	s := BudgetSpread{Configurations: len(in.RoundTime)}
	switch {
	case len(in.RoundTime) == 0:
		return s, fmt.Errorf("budget: no configurations")
	case in.MinRounds < 1:
		return s, fmt.Errorf("budget: minimum rounds %d, want at least 1", in.MinRounds)
	case in.Budget <= 0:
		return s, fmt.Errorf("budget %v: want a positive duration", in.Budget)
	case !(in.Precision > 0 && in.Precision < 1):
		return s, fmt.Errorf("precision %v: want between 0 and 1 (0.03 for 3%%)", in.Precision)
	case !(in.Spread >= 0 && in.Spread < 10):
		return s, fmt.Errorf("spread %v: want 0 (unknown) or a relative standard deviation", in.Spread)
	}
	var round time.Duration // one round of every configuration
	for _, t := range in.RoundTime {
		round += max(t, 0)
	}
	s.Minimum = time.Duration(in.MinRounds) * round
	s.Left = in.Budget - s.Minimum
	if round > 0 && s.Left > 0 {
		s.ExtraRounds = int(s.Left / round)
	}
	if in.Spread > 0 {
		n := math.Ceil(math.Pow(medianCI95*in.Spread/in.Precision, 2))
		s.NeededRounds = max(in.MinRounds, int(min(n, math.MaxInt32)))
		s.NeededTime = time.Duration(min(float64(s.NeededRounds)*float64(round), math.MaxInt64/2))
		s.Reachable = medianCI95 * in.Spread / math.Sqrt(float64(in.MinRounds+s.ExtraRounds))
	}
	return s, nil
}

// RoundTimes are the BudgetInput.RoundTime of sweep c under costs, with
// ideal and with no scaling (see EstimateRun): for each timed
// configuration of a round (SweepTrials: the ceiling's included), its
// batch and, with paired, the baseline half beside it, which the sweep
// sizes to about the batch's length (at least minShareTime). Warm-ups run
// once per sweep, not per round (estimateSweep).
func RoundTimes(c Config, costs Costs, paired bool) (ideal, flat []time.Duration) {
	for _, t := range c.SweepTrials() {
		i, f := costs.BatchTime(c.Workload, t)
		if paired {
			i = addDur(i, max(i, minShareTime))
			f = addDur(f, max(f, minShareTime))
		}
		ideal = append(ideal, i)
		flat = append(flat, f)
	}
	return ideal, flat
}
