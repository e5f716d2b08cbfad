//go:build linux

package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// proc is a live process as /proc/<pid>/stat shows it.
type proc struct {
	pid, ppid, pgrp int
	comm            string
}

// procs lists the live processes; zombies are dead and left out.
func procs() []proc {
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
		if len(f) < 3 || f[0] == "Z" || f[0] == "X" {
			continue
		}
		p := proc{comm: s[open+1 : end]}
		p.pid, _ = strconv.Atoi(strings.TrimSpace(s[:open]))
		p.ppid, _ = strconv.Atoi(f[1])
		p.pgrp, _ = strconv.Atoi(f[2])
		ps = append(ps, p)
	}
	return ps
}
