package mine

import (
	"context"
	"slices"
	"testing"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/strategytest"
)

func init() {
	strategies.Register(strategies.Info{Name: "mine-loses-last", Doc: "Counter, losing the last job of every batch", New: func() strategies.Strategy { return losesLast{} }})
}

// losesLast is Counter with a bug: the last job of every batch is lost.
type losesLast struct{}

var _ strategies.Strategy = losesLast{}

func (losesLast) Name() string { return "mine-loses-last" }

func (losesLast) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	rs, err := Counter{}.Run(ctx, w, workers)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(rs, func(r strategies.Result) bool { return r.Job == int64(w.Jobs-1) }), nil
}

func TestMine(t *testing.T) { strategytest.Run(t, "mine") }

func TestLosesLast(t *testing.T) { strategytest.Run(t, "mine-loses-last") }

func TestUnregistered(t *testing.T) { strategytest.Run(t, "not-registered") }
