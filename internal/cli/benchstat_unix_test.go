//go:build unix

package cli

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parbench/parbench/runfiles"
)

// fakeBenchstat writes an executable shell script standing in for
// benchstat and returns its path. $PIDFILE in body is a file it may write
// its pid to.
func fakeBenchstat(t *testing.T, dir, body string) (script, pidFile string) {
	t.Helper()
	script = filepath.Join(dir, "benchstat.sh")
	pidFile = filepath.Join(dir, "pid")
	body = strings.ReplaceAll(body, "$PIDFILE", pidFile)
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return script, pidFile
}

// alive reports whether the process whose pid is in pidFile still runs.
func alive(t *testing.T, pidFile string) bool {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("benchstat stand-in never ran: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return false
		}
		// A zombie awaiting its reaper is gone for our purposes.
		if stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && bytes.Contains(stat, []byte(") Z ")) {
			return false
		}
	}
	return true
}

func TestReportBenchstatBounded(t *testing.T) {
	saved := benchstatTimeout
	t.Cleanup(func() { benchstatTimeout = saved })
	benchstatTimeout = 300 * time.Millisecond

	tests := []struct {
		name, body string
		wantStatus int
		wantWarn   string // on stderr
		wantFile   string // in benchstat.txt; "" for no benchstat.txt
		wantGone   bool   // the pid in $PIDFILE must be gone afterwards
	}{
		{"prints nothing", "exit 0", 0, "printed nothing for", "", false},
		{"killed", "kill -9 $$", 0, "benchstat.txt skipped: ", "", false},
		{"too slow", "echo $$ > $PIDFILE; sleep 30", 0, "benchstat.txt skipped: " + "", "", true},
		{"grandchild too slow", "(echo $$ > /dev/null; sh -c 'echo $$ > $PIDFILE; exec sleep 30') & wait", 0, "still running after 300ms: killed", "", true},
		{"memory limited", "ulimit -v", 0, "", strconv.FormatInt(benchstatMemory>>10, 10), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			run := copyRun(t, dir, "one-machine")
			script, pidFile := fakeBenchstat(t, dir, tt.body)
			start := time.Now()
			status, _, stderr := runParbench(t, "report", "-format", "svg", "-benchstat", script, run)
			if status != tt.wantStatus {
				t.Errorf("exit status %d, want %d; stderr:\n%s", status, tt.wantStatus, stderr)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("report took %v", took)
			}
			if tt.wantWarn != "" && !strings.Contains(stderr, "parbench: warning: ") || !strings.Contains(stderr, tt.wantWarn) {
				t.Errorf("stderr lacks a warning with %q:\n%s", tt.wantWarn, stderr)
			}
			text, err := os.ReadFile(filepath.Join(run, runfiles.BenchstatText))
			switch {
			case tt.wantFile == "" && err == nil:
				t.Errorf("%s written:\n%s", runfiles.BenchstatText, text)
			case tt.wantFile != "" && !bytes.Contains(text, []byte(tt.wantFile)):
				t.Errorf("%s: %v, want it to hold %q:\n%s", runfiles.BenchstatText, err, tt.wantFile, text)
			}
			if tt.wantGone && alive(t, pidFile) {
				t.Errorf("benchstat's process outlived the report")
			}
		})
	}
}

func TestReportBenchstatReadsOnlyAcceptedLines(t *testing.T) {
	dir := t.TempDir()
	run := copyRun(t, dir, "one-machine")
	f, err := os.OpenFile(filepath.Join(run, "bench.txt"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("BenchmarkXORSum/strategy=pool/workers=2-2 1 NaN ns/op\n")
	f.Close()
	// The stand-in prints every line of every file it is given.
	script, _ := fakeBenchstat(t, dir, `for a; do case "$a" in *=*) cat "${a#*=}";; esac; done`)
	status, _, stderr := runParbench(t, "report", "-format", "svg", "-benchstat", script, run)
	// An unreadable line makes the exit status 1; the report is written.
	if status != 1 {
		t.Fatalf("exit status %d, want 1; stderr:\n%s", status, stderr)
	}
	if !strings.Contains(stderr, "bench.txt:") || !strings.Contains(stderr, "NaN") {
		t.Errorf("no warning names the NaN line:\n%s", stderr)
	}
	text, err := os.ReadFile(filepath.Join(run, runfiles.BenchstatText))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(text, []byte("NaN")) {
		t.Errorf("benchstat was given the NaN line:\n%s", text)
	}
	if !bytes.Contains(text, []byte("BenchmarkXORSum/strategy=pool/workers=2-2")) {
		t.Errorf("benchstat was not given the accepted lines:\n%s", text)
	}
}

// TestReportStopsOnSignal sends a signal to parbench report while its
// benchstat hangs, with a grandchild holding its output: parbench must stop
// within a second with a non-zero status and take the processes with it.
func TestReportStopsOnSignal(t *testing.T) {
	bin := buildParbench(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			run := copyRun(t, dir, "one-machine")
			script, pidFile := fakeBenchstat(t, dir, "sh -c 'echo $$ > $PIDFILE; exec sleep 30' & sleep 30")
			cmd := exec.Command(bin, "report", "-format", "svg", "-benchstat", script, run)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if b, err := os.ReadFile(pidFile); err == nil && len(bytes.TrimSpace(b)) > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("benchstat stand-in did not start; stderr:\n%s", stderr.Bytes())
				}
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			sent := time.Now()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-exited:
			case <-time.After(time.Second):
				t.Fatalf("parbench report still running 1s after %v; stderr:\n%s", sig, stderr.Bytes())
			}
			t.Logf("exited %v after %v", err, time.Since(sent).Round(time.Millisecond))
			if ee := (*exec.ExitError)(nil); !errors.As(err, &ee) || ee.ExitCode() == 0 {
				t.Errorf("exit: %v, want a non-zero status", err)
			}
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr does not say it was interrupted:\n%s", stderr.Bytes())
			}
			if alive(t, pidFile) {
				t.Errorf("benchstat's grandchild outlived parbench report")
			}
		})
	}
}

// TestBenchstatPerWorkload: with runs of two workloads, benchstat runs
// each view once per workload, over that workload's runs only, under a
// title that names it.
func TestBenchstatPerWorkload(t *testing.T) {
	t.Parallel() // reads and writes its own folders only: runs beside the other report tests, after the sweeps
	dir := t.TempDir()
	a, other, b := copyRun(t, dir, "hostA"), copyRun(t, dir, "other-workload"), copyRun(t, dir, "hostB")
	script, _ := fakeBenchstat(t, dir, `echo "$@"`)
	out := filepath.Join(dir, "both")
	if status, _, stderr := runParbench(t, "report", "-format", "svg", "-benchstat", script, "-o", out, a, other, b); status != 0 {
		t.Fatalf("exit status %d, stderr:\n%s", status, stderr)
	}
	text, err := os.ReadFile(filepath.Join(out, runfiles.BenchstatText))
	if err != nil {
		t.Fatal(err)
	}
	titles := map[string]string{} // title: the command under it
	lines := strings.Split(string(text), "\n")
	for i := 0; i+1 < len(lines); i++ {
		if strings.HasPrefix(lines[i], "# ") && strings.HasPrefix(lines[i+1], "# ") {
			titles[strings.TrimPrefix(lines[i], "# ")] = lines[i+1]
		}
	}
	tests := []struct {
		title     string
		runs, not []string
	}{
		{"n=500000: Strategies side by side at each core count", []string{a, b}, []string{other}},
		{"n=500000: Machines side by side", []string{a, b}, []string{other}},
		{"n=100000: Strategies side by side at each core count", []string{other}, []string{a, b}},
		{"n=100000: Each strategy across core counts", []string{other}, []string{a, b}},
	}
	for _, tt := range tests {
		cmd, ok := titles[tt.title]
		if !ok {
			t.Errorf("benchstat.txt has no view %q; it has %q", tt.title, slices.Collect(maps.Keys(titles)))
			continue
		}
		for _, run := range tt.runs {
			if !strings.Contains(cmd, filepath.Join(run, "bench.txt")) {
				t.Errorf("%q: command %q does not read %s", tt.title, cmd, run)
			}
		}
		for _, run := range tt.not {
			if strings.Contains(cmd, filepath.Join(run, "bench.txt")) {
				t.Errorf("%q: command %q reads %s, of the other workload", tt.title, cmd, run)
			}
		}
	}
	if _, ok := titles["n=100000: Machines side by side"]; ok {
		t.Error("a machines view for n=100000, which has one machine")
	}
}
