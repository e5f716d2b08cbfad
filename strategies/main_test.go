package strategies

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestMain serves procpool's worker mode, so that the tests run real worker
// processes: this test binary, re-executed.
func TestMain(m *testing.M) {
	if WorkerMode() {
		if err := ServeWorker(context.Background(), os.Stdin, os.Stdout); err != nil {
			// The parent keeps a worker's stderr for its error messages.
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	// Under -race, a process sleeps a second before it exits; the workers
	// that the fault tests make exit inherit this and do not.
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
	os.Exit(m.Run())
}
