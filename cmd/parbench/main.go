// Command parbench measures how each way of running the XOR-sum workload in
// parallel scales with cores on this machine, and writes results that
// go tool benchstat reads as they are.
//
// Usage:
//
//	parbench run [flags]          sweep strategies x cores x repetitions
//	parbench report [flags] DIR...  statistics, fits and charts for run folders
//	parbench version
//
// Run "parbench <command> -h" for the flags of a command. The command is
// parbench.Main; a program of another module that calls it, with
// strategies of its own registered, is the same command line.
package main

import "github.com/parbench/parbench"

func main() { parbench.Main() }
