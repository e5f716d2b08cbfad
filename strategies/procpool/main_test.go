package procpool

import (
	"testing"

	"github.com/parbench/parbench/internal/testmain"
)

// TestMain serves procpool's worker mode, so that the tests run real worker
// processes: this test binary, re-executed.
func TestMain(m *testing.M) {
	testmain.Main(m, testmain.Serve(WorkerMode, ServeWorker))
}
