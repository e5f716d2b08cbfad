// Package longtest marks the tests that make test leaves to make test-all:
// real sweeps under a busy thread, fault injection that waits out a
// watchdog, the browser, the synthetic reports of big machines with every
// strategy. They run where PARBENCH_TEST_ALL is set (make test-all, and
// CI); elsewhere each skips with one line that says so.
package longtest

import (
	"os"
	"testing"
)

// Env is the variable that runs the long tests.
const Env = "PARBENCH_TEST_ALL"

// Enabled says the long tests run.
func Enabled() bool { return os.Getenv(Env) != "" }

// Skip skips t unless the long tests run, naming why it is long.
func Skip(t testing.TB, why string) {
	t.Helper()
	if !Enabled() {
		t.Skipf("long test (%s): make test-all runs it", why)
	}
}
