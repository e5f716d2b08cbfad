// Command parbench measures how each way of running the XOR-sum workload in
// parallel scales with cores on this machine; see package
// github.com/parbench/parbench.
package main

import "github.com/parbench/parbench"

func main() { parbench.Main() }
