package harness

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/parbench/parbench/strategies"
)

// TestMain lets the test binary serve as a measurement process, and as
// procpool's worker, so the runner tests start real, pinned processes.
func TestMain(m *testing.M) {
	if strategies.WorkerMode() {
		// A procpool worker of a measurement process.
		if err := strategies.ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if MeasureMode() {
		if err := ServeMeasure(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	quickRaceExit()
	os.Exit(m.Run())
}

// quickRaceExit spares every measurement process that -race builds the
// race runtime's one-second sleep at exit, which would otherwise make up
// most of the runner tests' time. The children inherit the environment.
func quickRaceExit() {
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
}
