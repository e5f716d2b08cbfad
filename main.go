package parbench

import "github.com/parbench/parbench/internal/cli"

// Main runs the parbench command line on os.Args and exits.
func Main() { cli.Main() }
