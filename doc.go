// Package parbench is the parbench command line as a library: Main runs
// it, so that a program of another module can measure strategies of its
// own beside parbench's, from its own module:
//
//	package main
//
//	import (
//		"github.com/parbench/parbench"
//		"github.com/parbench/parbench/strategies"
//	)
//
//	func init() {
//		strategies.Register(strategies.Info{Name: "mine", Doc: "my pool", New: func() strategies.Strategy { return Mine{} }})
//	}
//
//	func main() { parbench.Main() }
//
// Then "go run . run -strategy serial,pool,mine" sweeps it like a shipped
// strategy, into results/ of the working directory. The workload stays
// the XOR-sum, shaped by -n, -sleep, -gap and -jobs. Package strategies
// holds what a strategy author needs, and strategies/strategytest the
// conformance suite to run on it; docs/library.md walks through it, and
// examples/mypool is such a module. The parbench command
// (cmd/parbench) is this Main and nothing else.
//
// The package's tests are the repository-level benchmarks: bench_test.go
// runs every strategy on the XOR-sum workload under go test -bench, with
// the same names as parbench run writes, so go tool benchstat reads both.
package parbench
