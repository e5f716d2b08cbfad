// Package python runs parbench's workload in Python 3, as the article does:
// python-mp is the article's design (a multiprocessing.Queue, Process
// workers polling it, a stop Event, with the one fix that loses no job), and
// python-pool is the standard library's multiprocessing.Pool. Both register
// themselves with package strategies when this package is imported, so a
// binary that should offer them imports it for its side effect:
//
//	import _ "github.com/parbench/parbench/strategies/python"
//
// The Python side is one program, parbench_python.py, embedded in the
// binary and run with python3 -I -c; Env chooses another interpreter. Its
// kernel is the article's job as written, sum([(job)^i for i in
// range(n)]): a list built, then summed, one list of at most a million
// elements at a time. The line protocol between the two sides is in
// wire.go.
//
// python-pool's workers are watched: multiprocessing.Pool replaces a dead
// worker but not the job it was running, so the program records which
// worker runs which job, reports a worker it finds dead as a fault (counted
// through strategies.FaultLog, shown as faults/op) and runs its job again.
package python
