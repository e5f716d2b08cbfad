//go:build linux

package python

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/internal/proctest"
	"github.com/parbench/parbench/strategies"
)

// taggedProcs lists live processes whose environment holds tag: the Python
// program and every worker it forked, which inherit its environment.
func taggedProcs(tag string) []proctest.Proc {
	var out []proctest.Proc
	for _, p := range proctest.List() {
		env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p.PID))
		if err == nil && bytes.Contains(env, []byte(tag)) {
			out = append(out, p)
		}
	}
	return out
}

// waitNoneTagged waits up to 3 s for the tagged processes to go: a
// parent-death signal is delivered, not instant.
func waitNoneTagged(t *testing.T, tag string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		left := taggedProcs(tag)
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("processes outlived the run: %+v", left)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPythonLeavesNoProcess: the Python program and its workers are in
// this process's group, and none outlives a run, whether it succeeds,
// fails (the program is killed mid-batch, leaving its workers in their
// sleep), or is cancelled mid-batch.
func TestPythonLeavesNoProcess(t *testing.T) {
	needPython(t)
	short := strategies.Workload{Jobs: 6, N: 1000, Sleep: 20 * time.Millisecond}
	long := strategies.Workload{Jobs: 6, N: 1000, Sleep: time.Minute}
	tests := []struct {
		name    string
		mode    string
		w       strategies.Workload
		cancel  bool // cancel mid-batch
		kill    bool // SIGKILL the program mid-batch, leaving its workers
		wantErr string
	}{
		{"mp success", "mp", short, false, false, ""},
		{"pool success", "pool", short, false, false, ""},
		{"mp program killed mid-batch", "mp", long, false, true, "output ended"},
		{"pool program killed mid-batch", "pool", long, false, true, "output ended"},
		{"mp cancelled", "mp", long, true, false, context.Canceled.Error()},
		{"pool cancelled", "pool", long, true, false, context.Canceled.Error()},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tag := fmt.Sprintf("PARBENCH_TEST_TAG=%d-%d", os.Getpid(), i)
			p := &strategy{mode: tt.mode, env: []string{tag}}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if err := p.Prepare(ctx, tt.w, 3); err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			program := p.proc.cmd.Process
			if tt.cancel || tt.kill {
				// Strike once three workers are in their sleep.
				go func() {
					for len(taggedProcs(tag)) < 4 {
						time.Sleep(10 * time.Millisecond)
					}
					time.Sleep(200 * time.Millisecond)
					if tt.kill {
						program.Kill()
					} else {
						cancel()
					}
				}()
			}
			began := time.Now()
			results, err := p.Run(ctx, tt.w, 3)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := strategies.Verify(tt.w, results); err != nil {
					t.Fatal(err)
				}
				mine := cpusAllowed(t, os.Getpid())
				for _, pr := range taggedProcs(tag) {
					if pr.PGRP != proctestGroup() {
						t.Errorf("process %d (%s) is in group %d, want this process's %d", pr.PID, pr.Comm, pr.PGRP, proctestGroup())
					}
					if got := cpusAllowed(t, pr.PID); got != mine {
						t.Errorf("process %d (%s) may run on CPUs %s, want this process's %s", pr.PID, pr.Comm, got, mine)
					}
				}
				if err := p.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			} else {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Run = %v; want an error with %q", err, tt.wantErr)
				}
				if tt.cancel && !errors.Is(err, context.Canceled) {
					t.Errorf("Run = %v; want context.Canceled", err)
				}
				if d := time.Since(began); d > 30*time.Second {
					t.Errorf("Run took %v to fail, want it prompt", d)
				}
			}
			waitNoneTagged(t, tag)
		})
	}
}

// cpusAllowed is a process's affinity, as /proc shows it.
func cpusAllowed(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Cpus_allowed_list:"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no Cpus_allowed_list in /proc/%d/status", pid)
	return ""
}

func proctestGroup() int {
	for _, p := range proctest.List() {
		if p.PID == os.Getpid() {
			return p.PGRP
		}
	}
	return -1
}
