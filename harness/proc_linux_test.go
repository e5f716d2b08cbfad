//go:build linux

package harness

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// proc is a live process as /proc/<pid>/stat shows it.
type proc struct {
	pid, ppid, pgrp int
	state           string
	comm            string
}

// procs lists the live processes; zombies are dead and left out.
func procs(t *testing.T) []proc {
	t.Helper()
	// No t.Fatal: runner callbacks call this off the test's goroutine.
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ps []proc
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // gone since the glob
		}
		// pid (comm) state ppid pgrp ...; comm may hold spaces and parens.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		f := strings.Fields(s[end+1:])
		if len(f) < 3 {
			continue
		}
		p := proc{state: f[0], comm: s[open+1 : end]}
		p.pid, _ = strconv.Atoi(strings.TrimSpace(s[:open]))
		p.ppid, _ = strconv.Atoi(f[1])
		p.pgrp, _ = strconv.Atoi(f[2])
		if p.state != "Z" && p.state != "X" {
			ps = append(ps, p)
		}
	}
	return ps
}

// measurementGroups lists the process groups of this process's children:
// a Runner starts each measurement process as the leader of its own group.
func measurementGroups(t *testing.T) []int {
	t.Helper()
	var groups []int
	for _, p := range procs(t) {
		if p.ppid == os.Getpid() {
			groups = append(groups, p.pgrp)
		}
	}
	return groups
}

// checkNoProcessesLeft fails if this process has a child, or a process
// is alive in one of groups, once a short grace for SIGKILL to land is
// over.
func checkNoProcessesLeft(t *testing.T, groups []int) {
	t.Helper()
	var left []proc
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		left = left[:0]
		for _, p := range procs(t) {
			if p.ppid == os.Getpid() || (p.pgrp != os.Getpid() && slices.Contains(groups, p.pgrp)) {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, p := range left {
		t.Errorf("process %d (%s, parent %d, group %d) outlived the run", p.pid, p.comm, p.ppid, p.pgrp)
	}
}

// killProcessGroup cleans up after a test that failed with processes
// still running.
func killProcessGroup(pg int) { _ = syscall.Kill(-pg, syscall.SIGKILL) }
