//go:build linux

package python

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

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
// a process group of their own, the program's, which its end kills: none
// outlives a run, whether it succeeds,
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
					if pr.PGRP != program.Pid {
						t.Errorf("process %d (%s) is in group %d, want the program's %d", pr.PID, pr.Comm, pr.PGRP, program.Pid)
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

// children lists the pids of pid's live children: for the Python program
// of python-pool, its pool's workers.
func children(pid int) []int {
	var out []int
	for _, p := range proctest.List() {
		if p.PPID == pid {
			out = append(out, p.PID)
		}
	}
	return out
}

// TestPythonPoolWorkerDeath: a python-pool worker that dies in a batch is
// a fault of python-pool, named with its pid and how it ended, and counted
// in faults/op. The job it was running runs again and the batch verifies;
// where the pool cannot go on, the batch fails with an error that says
// why, within seconds. Either way the next batch verifies, and no process
// outlives the strategy.
func TestPythonPoolWorkerDeath(t *testing.T) {
	needPython(t)
	sleepy := strategies.Workload{Jobs: 6, N: 1000, Sleep: 400 * time.Millisecond}
	quick := strategies.Workload{Jobs: 4, N: 1000}
	tests := []struct {
		name    string
		workers int
		w       strategies.Workload
		// kill: "mid-job" SIGKILLs a worker while every worker sleeps in a
		// job; "idle" SIGKILLs the only worker between batches, while it
		// waits for a task holding the task queue's read lock.
		kill       string
		inject     string
		wantFaults int
		wantCause  string // in the first cause; %d is the killed worker's pid
		wantErr    string // "" for a batch that verifies
	}{
		{"killed mid-job", 3, sleepy, "mid-job", "", 1,
			"pool worker pid %d killed by signal 9 (killed) running job ", ""},
		// Its replacement, forked by the pool's own thread, must outlive
		// that thread when Close terminates the pool, or it may die
		// holding the task queue's lock, which terminate() then waits on.
		{"killed mid-job, the only worker", 1, strategies.Workload{Jobs: 2, N: 1000, Sleep: 400 * time.Millisecond}, "mid-job", "", 1,
			"pool worker pid %d killed by signal 9 (killed) running job 0, which runs again", ""},
		{"killed idle, holding the queue's lock", 1, quick, "idle", "", 1,
			"pool worker pid %d killed by signal 9 (killed) outside a job", "the pool is stuck: no worker has taken a job"},
		{"dies after taking a job, before its start record", 2, quick, "", "pool-die-before-start", 1,
			"exited with status 3 outside a job", ""},
		{"every worker that runs job 0 dies", 2, quick, "", "pool-die-in-job", 3,
			"exited with status 3 running job 0, which runs again", "job 0 was running in 3 pool workers that died"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tag := fmt.Sprintf("PARBENCH_TEST_TAG=%d-death-%d", os.Getpid(), i)
			p := &strategy{mode: "pool", env: []string{tag}, inject: tt.inject}
			// Without the watch, a lost job's batch waits for ever.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if err := p.Prepare(ctx, tt.w, tt.workers); err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			program := p.proc.cmd.Process.Pid
			victim := make(chan int, 1)
			switch tt.kill {
			case "idle":
				if _, err := p.Run(ctx, tt.w, tt.workers); err != nil {
					t.Fatalf("the batch before the kill: %v", err)
				}
				p.TakeFaults()
				killOne(t, program, tt.workers, false, victim)
			case "mid-job":
				go killOne(t, program, tt.workers, true, victim)
			default:
				victim <- 0
			}
			results, err := p.Run(ctx, tt.w, tt.workers)
			f := p.TakeFaults()
			pid := <-victim
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Run: %v; want the batch to verify", err)
				}
				if err := strategies.Verify(tt.w, results); err != nil {
					t.Fatal(err)
				}
				if got := p.LastBatchMetrics(); len(got) != 1 || got[0] != (strategies.Metric{Unit: "faults/op", Value: float64(tt.wantFaults)}) {
					t.Errorf("LastBatchMetrics = %v, want faults/op %d", got, tt.wantFaults)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Run = %v; want an error with %q", err, tt.wantErr)
			}
			want := tt.wantCause
			if strings.Contains(want, "%d") {
				want = fmt.Sprintf(want, pid)
			}
			if f.N != tt.wantFaults || len(f.Causes) == 0 || !strings.Contains(f.Causes[0], want) {
				t.Errorf("faults %+v; want %d, the first with %q", f, tt.wantFaults, want)
			}
			if tt.inject == "" {
				// The next batch verifies, on the same program or, after a
				// failed batch, a new one.
				results, err = p.Run(ctx, tt.w, tt.workers)
				if err != nil {
					t.Fatalf("the batch after: %v", err)
				}
				if err := strategies.Verify(tt.w, results); err != nil {
					t.Fatalf("the batch after: %v", err)
				}
				if f := p.TakeFaults(); f.N != 0 {
					t.Errorf("the batch after: faults %+v, want none", f)
				}
			}
			if err := p.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			waitNoneTagged(t, tag)
		})
	}
}

// killOne SIGKILLs one of the program's pool workers, once all of them are
// there and, for inJob, all of them are in a job, and sends its pid.
func killOne(t *testing.T, program, workers int, inJob bool, victim chan<- int) {
	t.Helper()
	ready := func() []int {
		pids := children(program)
		if len(pids) < workers {
			return nil
		}
		for _, pid := range pids {
			if inJob && !blockedInJob(pid) {
				return nil
			}
		}
		return pids
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		// Twice in a row, 20ms apart: a worker between two tasks passes
		// through other system calls, but only for microseconds.
		if pids := ready(); pids != nil {
			time.Sleep(20 * time.Millisecond)
			if again := ready(); slices.Equal(again, pids) {
				victim <- pids[0]
				syscall.Kill(pids[0], syscall.SIGKILL)
				return
			}
		}
		if time.Now().After(deadline) {
			victim <- 0
			t.Errorf("the program (pid %d) has not %d pool workers in a job after 10s", program, workers)
			return
		}
	}
}

// blockedInJob reports whether a pool worker is blocked in a system call
// other than those where an idle one waits for a task: reading the task
// queue's pipe, or waiting for its read lock (a futex), as
// /proc/<pid>/syscall shows. The jobs of the test sleep, so a worker
// blocked elsewhere is in one. One running, or that cannot be read, is not.
func blockedInJob(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/syscall", pid))
	if err != nil {
		return false
	}
	nr, _, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	n, err := strconv.Atoi(nr)
	return err == nil && n != unix.SYS_READ && n != unix.SYS_FUTEX
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
