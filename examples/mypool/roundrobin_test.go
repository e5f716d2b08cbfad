package main

import (
	"testing"

	"github.com/parbench/parbench/strategies/strategytest"
)

// TestConformance holds RoundRobin to the promises parbench's harness
// relies on, with the suite parbench runs on its own strategies. The
// suite counts goroutines and child processes, so no test here runs in
// parallel with it.
func TestConformance(t *testing.T) { strategytest.Run(t, "mine") }
