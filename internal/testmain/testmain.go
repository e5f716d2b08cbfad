// Package testmain is the one TestMain of the packages whose test binary
// parbench re-executes as one of its hidden roles (a procpool worker, a
// measurement process). It imports nothing of parbench, so that every
// package, strategies included, can use it.
package testmain

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// Role is one hidden role: served reports whether this process was started
// in it, having served it, and the exit status to end with.
type Role func() (status int, served bool)

// Serve is the Role of a process started when active reports true, which
// serve serves over stdin and stdout; an error goes to stderr, which the
// parent keeps for its messages, and makes the exit status 1.
func Serve(active func() bool, serve func(ctx context.Context, in io.Reader, out io.Writer) error) Role {
	return func() (int, bool) {
		if !active() {
			return 0, false
		}
		if err := serve(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1, true
		}
		return 0, true
	}
}

// Main serves the first of roles this process was started in and exits;
// otherwise it runs the tests and exits with their status.
func Main(m *testing.M, roles ...Role) {
	for _, r := range roles {
		if status, ok := r(); ok {
			os.Exit(status)
		}
	}
	QuickRaceExit()
	os.Exit(m.Run())
}

// QuickRaceExit spares the processes that the tests start the race
// runtime's one-second sleep at the exit of a -race build, which would
// otherwise make up most of the time of tests that start many processes.
// The children inherit the environment.
func QuickRaceExit() {
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
}
