package cli

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/parbench/parbench/harness"
)

// The dry run shows how a precision target's time budget divides over the
// sweep when this build has the paired sweep's -precision and -budget
// flags. It finds them by name in the flag set, so that it needs no change
// when they arrive; harness.SpreadBudget does the arithmetic from explicit
// inputs. Until then it says the flags are missing.

// budgetMinRounds is the rounds every configuration runs before an
// adaptive sweep may stop it.
const budgetMinRounds = 6

// budgetSpreads are the per-pair spreads the dry run shows the target's
// cost at, while the machine's own spread is unknown before the run.
var budgetSpreads = []float64{0.02, 0.05, 0.10}

// precisionBudget reads -precision (3% or 0.03) and -budget (a duration)
// from fs. ok is false when this build lacks either flag or the user set
// neither.
func precisionBudget(fs *flag.FlagSet) (precision float64, budget time.Duration, ok bool, err error) {
	pf, bf := fs.Lookup("precision"), fs.Lookup("budget")
	if pf == nil || bf == nil {
		return 0, 0, false, nil
	}
	ps, bs := strings.TrimSpace(pf.Value.String()), strings.TrimSpace(bf.Value.String())
	if ps == "" || ps == "0" || bs == "" || bs == "0" || bs == "0s" {
		return 0, 0, false, nil
	}
	if v, isPct := strings.CutSuffix(ps, "%"); isPct {
		precision, err = strconv.ParseFloat(v, 64)
		precision /= 100
	} else {
		precision, err = strconv.ParseFloat(ps, 64)
	}
	if err != nil {
		return 0, 0, false, usageErrorf("-precision %q: want a percentage such as 3%%", ps)
	}
	if budget, err = time.ParseDuration(bs); err != nil {
		return 0, 0, false, usageErrorf("-budget %q: want a duration such as 5m", bs)
	}
	return precision, budget, true, nil
}

// printBudget prints how the precision target's budget divides, or why
// there is none to divide.
func printBudget(w io.Writer, fs *flag.FlagSet, c harness.Config, costs harness.Costs) error {
	precision, budget, ok, err := precisionBudget(fs)
	if err != nil {
		return err
	}
	if c.Precision == 0 {
		ok = false // -count, or -precision 0: fixed rounds
	}
	if !ok {
		if fs.Lookup("precision") == nil {
			fmt.Fprintf(w, "\nprecision budget: this build has no -precision/-budget (paired rounds); the sweep runs -count %d fixed rounds\n", c.Count)
		} else {
			fmt.Fprintf(w, "\nprecision budget: none set (-precision and -budget); the sweep runs -count %d fixed rounds\n", c.Count)
		}
		return nil
	}
	ideal, flat := harness.RoundTimes(c, costs, true)
	fmt.Fprintf(w, "\nprecision budget: -precision %.3g%% -budget %v over %d timed configurations, each paired with a baseline half on its own CPUs,\n"+
		"%d rounds at least, then rounds of every configuration until all meet the target:\n\n",
		100*precision, budget, len(ideal), budgetMinRounds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "scaling\tminimum rounds\tbudget left\textra rounds (worst case)\t")
	for _, s := range budgetSpreads {
		fmt.Fprintf(tw, "at ±%.0f%% per pair\t", 100*s)
	}
	fmt.Fprintln(tw)
	for _, row := range []struct {
		name  string
		times []time.Duration
	}{{"ideal", ideal}, {"none", flat}} {
		in := harness.BudgetInput{RoundTime: row.times, MinRounds: budgetMinRounds, Budget: budget, Precision: precision}
		base, err := harness.SpreadBudget(in)
		if err != nil {
			return usageErrorf("-budget: %v", err)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t", row.name, durationText(base.Minimum), signedDuration(base.Left), base.ExtraRounds)
		for _, s := range budgetSpreads {
			in.Spread = s
			sp, err := harness.SpreadBudget(in)
			if err != nil {
				return err
			}
			verdict := "fits"
			if sp.NeededTime > budget {
				verdict = fmt.Sprintf("reaches ±%.1f%%", 100*sp.Reachable)
			}
			fmt.Fprintf(tw, "%d rounds, %s: %s\t", sp.NeededRounds, durationText(sp.NeededTime), verdict)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nThe rounds a target needs assume a median of per-pair ratios whose spread is as shown;\n"+
		"the run measures the machine's own spread and stops when every configuration meets the target.\n")
	return nil
}

func signedDuration(d time.Duration) string {
	if d < 0 {
		return "-" + durationText(-d)
	}
	return durationText(d)
}
