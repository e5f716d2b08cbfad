package cli

import (
	"testing"

	"github.com/parbench/parbench/internal/testmain"
)

// TestMain lets the test binary play the roles parbench re-executes itself
// in, so that parbench run, called in-process, starts real measurement
// processes.
func TestMain(m *testing.M) {
	testmain.Main(m, serveHiddenModes)
}
