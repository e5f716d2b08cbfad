//go:build linux

package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parbench/parbench/internal/proctest"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// buildParbench builds the command into a temporary folder.
func buildParbench(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip(err)
	}
	bin := filepath.Join(t.TempDir(), "parbench")
	out, err := exec.Command(gobin, "build", "-o", bin, "github.com/parbench/parbench/cmd/parbench").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestRunInterrupted stops a real parbench run with a signal after its
// first sample: it must stop within 2 s, keep what it measured in a
// bench.txt marked partial, say so, and leave no process behind.
func TestRunInterrupted(t *testing.T) {
	bin := buildParbench(t)
	sets := []string{"pool,procpool"}
	if strategies.Available("python-mp") == nil {
		// The Python program and its workers, in the measurement's group.
		sets = append(sets, "python-mp,python-pool")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for _, set := range sets {
			t.Run(sig.String()+"/"+set, func(t *testing.T) { runInterrupted(t, bin, sig, set) })
		}
	}
}

func runInterrupted(t *testing.T, bin string, sig syscall.Signal, set string) {
	root := filepath.Join(t.TempDir(), "results")
	cmd := exec.Command(bin, "run", "-cpu", "1", "-strategy", set, "-warmup", "0",
		"-sleep", "50ms", "-jobs", "20", "-n", "1000", "-count", "50", "-o", root)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	pid := cmd.Process.Pid
	defer func() {
		// Whatever happened, take the process with its group down.
		_ = cmd.Process.Kill()
	}()

	// Wait for a sample, noting the measurement processes (children
	// of parbench, each leading its own process group) meanwhile. A
	// child in this test's own group is not one (parbench asks python3
	// its version), and that group is never a suspect.
	var groups []int
	own := syscall.Getpgrp()
	bench := filepath.Join(root, "latest", "bench.txt")
	for deadline := time.Now().Add(20 * time.Second); countSamples(bench) < 1; time.Sleep(20 * time.Millisecond) {
		for _, p := range proctest.List() {
			if p.PPID == pid && p.PGRP != own && !slices.Contains(groups, p.PGRP) {
				groups = append(groups, p.PGRP)
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("parbench exited before its first sample: %v\n%s", err, stderr.Bytes())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sample in %s after 20s; stderr:\n%s", bench, stderr.Bytes())
		}
	}
	for _, p := range proctest.List() {
		if p.PPID == pid && p.PGRP != own && !slices.Contains(groups, p.PGRP) {
			groups = append(groups, p.PGRP)
		}
	}
	if len(groups) == 0 {
		t.Error("saw no measurement process")
	}

	sent := time.Now()
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-exited:
	case <-time.After(2 * time.Second):
		t.Fatalf("parbench still running 2s after %v; stderr:\n%s", sig, stderr.Bytes())
	}
	t.Logf("parbench exited %v after %v", err, time.Since(sent).Round(time.Millisecond))
	if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() <= 0 {
		t.Errorf("exit: %v, want a non-zero exit status", err)
	}

	text, rerr := os.ReadFile(bench)
	if rerr != nil {
		t.Fatal(rerr)
	}
	results := readBench(t, text)
	if len(results) < 1 {
		t.Errorf("bench.txt lost its samples:\n%s", text)
	}
	for _, r := range results {
		if got := r.GetConfig(runfiles.KeyPartial); got != "true" {
			t.Errorf("%s: %s is %q, want \"true\" after a stop", r.Name, runfiles.KeyPartial, got)
		}
	}
	checkNoTempFiles(t, filepath.Dir(bench))

	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	last := lines[len(lines)-1]
	m := regexp.MustCompile(`^parbench: interrupted: .*; (\d+) samples kept in (.*) \(marked partial\) \(\d+ timed, \d+ calibration rounds\)$`).FindStringSubmatch(last)
	if m == nil {
		t.Fatalf("last line on stderr %q, want it to say how many samples were kept", last)
	}
	samples := 0
	for _, r := range results {
		if strings.HasPrefix(r.Name.String(), "XORSum/") {
			samples++
		}
	}
	if n, _ := strconv.Atoi(m[1]); n != samples {
		t.Errorf("stderr says %d samples kept, bench.txt has %d", n, samples)
	}
	if got, _ := filepath.EvalSymlinks(m[2]); got != mustEval(t, bench) {
		t.Errorf("stderr names %s, want %s", m[2], bench)
	}

	checkGone(t, pid, groups)
}

// checkGone fails if a process whose parent was pid, or one in groups,
// is still alive, after a short grace for SIGKILL to land.
func checkGone(t *testing.T, pid int, groups []int) {
	t.Helper()
	var left []proctest.Proc
	for deadline := time.Now().Add(time.Second); ; time.Sleep(10 * time.Millisecond) {
		left = left[:0]
		for _, p := range proctest.List() {
			if p.PPID == pid || slices.Contains(groups, p.PGRP) {
				left = append(left, p)
			}
		}
		if len(left) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, p := range left {
		t.Errorf("process %d (%s, parent %d, group %d) outlived parbench", p.PID, p.Comm, p.PPID, p.PGRP)
		_ = syscall.Kill(p.PID, syscall.SIGKILL)
	}
}

// countSamples counts the benchmark lines of a bench.txt; 0 if it is not
// there yet.
func countSamples(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(b, []byte("\nBenchmark"))
}

func mustEval(t *testing.T, path string) string {
	t.Helper()
	p, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
