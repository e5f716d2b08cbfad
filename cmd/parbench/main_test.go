package main

import (
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary play the roles parbench re-executes itself
// in, so that parbench run, called in-process, starts real measurement
// processes.
func TestMain(m *testing.M) {
	if code, ok := serveHiddenModes(); ok {
		os.Exit(code)
	}
	// The race runtime sleeps a second at every exit of a -race build;
	// measurement processes inherit this and skip it.
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
	os.Exit(m.Run())
}
