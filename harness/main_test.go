package harness

import (
	"context"
	"fmt"
	"os"
	"testing"
)

// TestMain lets the test binary serve as a measurement process, so the
// runner tests start real, pinned processes.
func TestMain(m *testing.M) {
	if MeasureMode() {
		if err := ServeMeasure(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
