package parbench

import "github.com/parbench/parbench/internal/cli"

// Main runs the parbench command line on os.Args and exits with its
// status: parbench run, report and version, exactly as the parbench
// command does, with every strategy registered in the program. Those are
// parbench's own, procpool and the Python strategies included, and any
// the program registers itself.
//
// The harness re-executes the running binary as its measurement
// processes and as procpool's workers; Main serves those hidden modes
// when the process was started in one, whatever os.Args says. So a
// program registers its strategies before it calls Main, in init as
// parbench's own do, and does nothing else in main before Main: the
// re-executed processes run the same code up to Main, and must know the
// same strategies. Main never returns.
func Main() { cli.Main() }
