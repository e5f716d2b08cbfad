// Package profiles explains a speedup: it splits the CPU samples of a
// profile into where the time went, so that a strategy that scales badly
// shows whether its cores were busy with the XOR-sum kernel, with the Go
// scheduler, with channel and lock operations, with system calls and pipe
// I/O, or with garbage collection.
//
// Breakdown classifies every sample of a CPU profile by its stack with a
// fixed table of rules, documented on Classify, and returns each category's
// share of the profile's CPU time. WriteBreakdown writes the shares of many
// configurations as one aligned table, the breakdown file of a run's
// profiles.
//
// The package reads github.com/google/pprof/profile values and knows
// nothing of files, flags or the harness: the caller parses the profiles
// and says which configuration each one measured.
package profiles
