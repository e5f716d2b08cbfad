//go:build linux

package proctest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// List returns the live processes from /proc; zombies are dead and left
// out. A process that goes away while it is read is skipped.
func List() []Proc {
	paths, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ps []Proc
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // gone since the glob
		}
		if p, ok := parseStat(string(b)); ok {
			ps = append(ps, p)
		}
	}
	return ps
}

// parseStat reads "pid (comm) state ppid pgrp ..."; comm may hold spaces
// and parentheses, so it runs to the last ')'.
func parseStat(s string) (Proc, bool) {
	open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || end < open {
		return Proc{}, false
	}
	f := strings.Fields(s[end+1:])
	if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
		return Proc{}, false
	}
	p := Proc{Comm: s[open+1 : end]}
	var err error
	if p.PID, err = strconv.Atoi(strings.TrimSpace(s[:open])); err != nil {
		return Proc{}, false
	}
	p.PPID, _ = strconv.Atoi(f[1])
	p.PGRP, _ = strconv.Atoi(f[2])
	return p, true
}
