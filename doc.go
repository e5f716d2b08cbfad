// Package parbench holds the repository-level benchmarks: bench_test.go runs
// every strategy on the XOR-sum workload under go test -bench, with the same
// names as parbench run writes, so go tool benchstat reads both.
//
// The tool itself is cmd/parbench; the workload and strategies are in
// package strategies, the sweep in package harness.
package parbench
