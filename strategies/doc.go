// Package strategies holds parbench's workload, the XOR-sum, and the ways
// to run a batch of it in parallel.
//
// A Strategy gets a Workload, a worker count and a context, and returns one
// Result per job. It owns every goroutine and process it starts and releases
// all of them before Run returns, on every path. Extra abilities (set-up
// outside the timed batch, closing, worker CPU time, profiles) are optional
// interfaces found by type assertion, so the core interface stays small.
//
// Adding a strategy is one file: a type that implements Strategy and an init
// function that calls Register.
//
// Every batch is checked: Verify compares each job's sum against Expected,
// the closed form, and reports a lost, duplicated or wrong job by its id.
package strategies
