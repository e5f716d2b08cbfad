package harness

import (
	"testing"

	"github.com/parbench/parbench/internal/testmain"
	"github.com/parbench/parbench/strategies/procpool"
)

// TestMain lets the test binary serve as a measurement process, and as
// procpool's worker, so the runner tests start real, pinned processes.
func TestMain(m *testing.M) {
	testmain.Main(m,
		testmain.Serve(procpool.WorkerMode, procpool.ServeWorker),
		testmain.Serve(MeasureMode, ServeMeasure))
}
