package strategytest_test

import (
	"testing"

	"github.com/parbench/parbench/internal/testmain"
	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/procpool"
	_ "github.com/parbench/parbench/strategies/python"
	"github.com/parbench/parbench/strategies/strategytest"
)

// TestMain serves procpool's worker mode, so that the suite runs procpool
// with real worker processes: this test binary, re-executed.
func TestMain(m *testing.M) {
	testmain.Main(m, testmain.Serve(procpool.WorkerMode, procpool.ServeWorker))
}

// TestConformance runs the suite on every strategy this binary registers:
// parbench's own, each package of them imported above, and the ones this
// package's tests register. A strategy added as one file is covered with
// no edit here.
func TestConformance(t *testing.T) {
	for _, name := range strategies.Names() {
		t.Run(name, func(t *testing.T) { strategytest.Run(t, name) })
	}
}
