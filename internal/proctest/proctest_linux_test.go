//go:build linux

package proctest

import (
	"os"
	"testing"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name string
		stat string
		want Proc
		ok   bool
	}{
		{"plain", "12 (parbench) S 1 12 12 0", Proc{PID: 12, PPID: 1, PGRP: 12, Comm: "parbench"}, true},
		{"comm with spaces and parens", "7 (a (b) c) R 3 7 0", Proc{PID: 7, PPID: 3, PGRP: 7, Comm: "a (b) c"}, true},
		{"zombie", "9 (x) Z 1 9", Proc{}, false},
		{"truncated", "9 (x) S", Proc{}, false},
		{"no parens", "9 x S 1 9", Proc{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseStat(tt.stat)
			if ok != tt.ok || got != tt.want {
				t.Errorf("parseStat(%q) = %+v, %v; want %+v, %v", tt.stat, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestListFindsThisProcess(t *testing.T) {
	for _, p := range List() {
		if p.PID == os.Getpid() {
			if p.PPID != os.Getppid() {
				t.Errorf("this process's parent is %d, want %d", p.PPID, os.Getppid())
			}
			return
		}
	}
	t.Errorf("List() does not include this process (pid %d)", os.Getpid())
}
