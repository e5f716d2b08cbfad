// Command mypool is parbench with a strategy of its own, RoundRobin,
// registered as "mine": the command line is parbench's, so
//
//	go run . run -strategy serial,pool,mine
//
// measures it beside parbench's strategies, into results/ here.
package main

import (
	"github.com/parbench/parbench"
	"github.com/parbench/parbench/strategies"
)

// The registration runs in init, so that the measurement processes,
// which are this binary re-executed, know the strategy too.
func init() {
	strategies.Register(strategies.Info{
		Name: "mine",
		Doc:  "a channel per worker, jobs dealt to them in turn as they are released",
		New:  func() strategies.Strategy { return RoundRobin{} },
	})
}

func main() { parbench.Main() }
