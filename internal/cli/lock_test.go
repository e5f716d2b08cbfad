//go:build unix

package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRunLockSeesOtherRuns(t *testing.T) {
	root := t.TempDir()
	l := takeRunLock(root, time.Now())
	if _, err := os.Stat(filepath.Join(root, lockName(os.Getpid()))); err != nil {
		t.Fatalf("no lock file: %v", err)
	}
	if got := l.others(); len(got) != 0 {
		t.Errorf("others = %v with only this run's lock, want none", got)
	}

	// A live process (a sleep we start) and a dead one (one that has
	// exited and been reaped) with locks.
	live := exec.Command("sleep", "30")
	if err := live.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { live.Process.Kill(); live.Wait() }()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range []int{live.Process.Pid, dead.Process.Pid} {
		if err := os.WriteFile(filepath.Join(root, lockName(pid)), []byte("started then\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := l.others()
	if len(got) != 1 || got[0].pid != live.Process.Pid || got[0].desc != "started then" {
		t.Errorf("others = %v, want only pid %d", got, live.Process.Pid)
	}
	if _, err := os.Stat(filepath.Join(root, lockName(dead.Process.Pid))); err == nil {
		t.Errorf("the stale lock of pid %d was left", dead.Process.Pid)
	}
	msg, ok := checkRunning(l, startedWhen)
	if !ok || !strings.Contains(msg, "another parbench was measuring") || !strings.Contains(msg, "pid "+strconv.Itoa(live.Process.Pid)) {
		t.Errorf("checkRunning = %q, %v", msg, ok)
	}
	// The live one hears of this run through its lock file, and so would
	// see it at its end even after this run is gone; this run sees it.
	b, _ := os.ReadFile(filepath.Join(root, lockName(live.Process.Pid)))
	if !strings.Contains(string(b), overlapPrefix+strconv.Itoa(os.Getpid())) {
		t.Errorf("the other run's lock file %q does not name this run", b)
	}
	other := &runLock{root: root, path: filepath.Join(root, lockName(live.Process.Pid))}
	if got := other.overlaps(); len(got) != 1 || got[0] != "pid "+strconv.Itoa(os.Getpid()) {
		t.Errorf("overlaps seen by the other run = %q", got)
	}
	l.release()
	if _, err := os.Stat(filepath.Join(root, lockName(os.Getpid()))); err == nil {
		t.Error("release left the lock file")
	}
}
