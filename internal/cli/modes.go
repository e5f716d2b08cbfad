package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/strategies/procpool"
)

// commit is stamped by the Makefile with -ldflags
// -X github.com/parbench/parbench/internal/cli.commit=...; empty when not
// stamped, and then the build information says (see describeProgram).
var commit string

// serveHiddenModes serves the roles this binary plays when the harness
// re-executes it. ok is false for an ordinary invocation.
func serveHiddenModes() (status int, ok bool) {
	if procpool.WorkerMode() {
		// A procpool worker: its parent ends it by closing its stdin, and
		// it has no other roles to check.
		if err := procpool.ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "parbench procpool worker: %v\n", err)
			return 1, true
		}
		return 0, true
	}
	if !harness.MeasureMode() {
		return 0, false
	}
	// The parent asks a measurement process to stop with SIGTERM; it
	// then ends its batch early and releases its workers.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := harness.ServeMeasure(ctx, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "parbench measurement process: %v\n", err)
		return 1, true
	}
	return 0, true
}
