// Package cli is parbench's command line: flags, progress, signals, exit
// statuses and the wiring of harness and report, and the hidden modes the
// binary is re-executed in. Main is all a program needs to call; package
// parbench exports it, so that the command and a user's own program (with
// strategies of its own registered) run the same command line.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

// version is stamped by the Makefile with -ldflags
// -X github.com/parbench/parbench/internal/cli.version=...; empty when
// not stamped, and then the build information says (see describeProgram).
var version string

// Main runs the command line on os.Args and exits with its status. When
// the process was started in one of the hidden modes (a procpool worker,
// a measurement process), it serves that mode instead, whatever the
// arguments: the harness re-executes the running binary, which is why a
// program that runs parbench calls Main before anything else in main.
func Main() {
	os.Exit(parbench(os.Stdout, os.Stderr, os.Args[1:]))
}

// exitUsage is the exit status for bad input, as flag and go test use.
const exitUsage = 2

// usageError marks an error in the user's input: exit status 2, and nothing
// was measured or written.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// parbench runs one command and returns the process exit status. Every
// error is printed as one line prefixed with "parbench: ".
func parbench(stdout, stderr io.Writer, args []string) (status int) {
	defer func() {
		// A panic is a bug, but it still must not reach the user as a
		// stack dump; say so in one line and fail.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "parbench: internal error: %v\n", r)
			status = 1
		}
	}()
	if code, ok := serveHiddenModes(); ok {
		return code
	}
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "run":
		err = runMain(stdout, stderr, rest)
	case "report":
		err = reportMain(stdout, stderr, rest)
	case "version":
		printVersion(stdout, describeProgram(readBuildInfo(), version, commit))
	case "help", "-h", "-help", "--help":
		printUsage(stdout)
	default:
		err = usageErrorf("unknown command %q (want run, report or version)", cmd)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "parbench: %v\n", err)
		return exitUsage
	default:
		fmt.Fprintf(stderr, "parbench: %v\n", err)
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `parbench measures how each way of running work in parallel scales with cores.

Usage:
  parbench run [flags]             sweep strategies x cores x repetitions into results/<run>/
  parbench report [flags] DIR...   statistics, scalability fits and charts for run folders
  parbench version                 print the version

Run "parbench run -h" or "parbench report -h" for flags.
`)
}
