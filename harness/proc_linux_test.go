//go:build linux

package harness

import (
	"os"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/parbench/parbench/internal/proctest"
)

// procs lists the live processes. It takes t for the helpers' sake but
// never fails it: runner callbacks call it off the test's goroutine.
func procs(t *testing.T) []proctest.Proc {
	t.Helper()
	return proctest.List()
}

// measurementGroups lists the process groups of this process's children:
// a Runner starts each measurement process as the leader of its own group.
func measurementGroups(t *testing.T) []int {
	t.Helper()
	var groups []int
	for _, p := range procs(t) {
		if p.PPID == os.Getpid() {
			groups = append(groups, p.PGRP)
		}
	}
	return groups
}

// checkNoProcessesLeft fails if this process has a child, or a process
// is alive in one of groups, once a short grace for SIGKILL to land is
// over.
func checkNoProcessesLeft(t *testing.T, groups []int) {
	t.Helper()
	var left []proctest.Proc
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		left = left[:0]
		for _, p := range procs(t) {
			if p.PPID == os.Getpid() || (p.PGRP != os.Getpid() && slices.Contains(groups, p.PGRP)) {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, p := range left {
		t.Errorf("process %d (%s, parent %d, group %d) outlived the run", p.PID, p.Comm, p.PPID, p.PGRP)
	}
}

// killProcessGroup cleans up after a test that failed with processes
// still running.
func killProcessGroup(pg int) { _ = syscall.Kill(-pg, syscall.SIGKILL) }
