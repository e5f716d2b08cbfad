package strategytest_test

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunFromAnotherPackage runs the suite the way a strategy author
// does, from a test of their own package (testdata/mine, written against
// the exported API only), in a test binary of its own, so that a failure
// is observed here rather than suffered: the suite passes a correct
// strategy, and fails one that loses its last job, naming the job and
// each broken check.
func TestRunFromAnotherPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a test binary; skipped with -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip(err)
	}
	bin := filepath.Join(t.TempDir(), "mine.test")
	if out, err := exec.Command(gobin, "test", "-c", "-o", bin, "./testdata/mine").CombinedOutput(); err != nil {
		t.Fatalf("go test -c ./testdata/mine: %v\n%s", err, out)
	}
	tests := []struct {
		name     string
		test     string
		wantExit int
		want     []string // in the output of go test -v
	}{
		{"a correct strategy passes", "TestMine", 0, []string{
			"--- PASS: TestMine/closed_form/jobs_not_divisible_by_workers/workers=3 ",
			"--- PASS: TestMine/cancel ",
			"--- PASS: TestMine/bad_arguments ",
			"--- PASS: TestMine/session ",
			"--- PASS: TestMine ",
		}},
		{"a strategy that loses its last job fails", "TestLosesLast", 1, []string{
			"--- FAIL: TestLosesLast/closed_form/one_job/workers=1 ",
			"job 0 lost (0 of 1 jobs returned)",
			"--- FAIL: TestLosesLast/closed_form/jobs_not_divisible_by_workers/workers=3 ",
			"job 36 lost (36 of 37 jobs returned)",
			"--- FAIL: TestLosesLast/closed_form/with_gap/workers=8 ",
			"job 8 lost (8 of 9 jobs returned)",
			"--- FAIL: TestLosesLast/session ",
			"job 4 lost (4 of 5 jobs returned)",
			// The promises it keeps are not held against it.
			"--- PASS: TestLosesLast/cancel ",
			"--- PASS: TestLosesLast/bad_arguments ",
			"--- FAIL: TestLosesLast ",
		}},
		{"a strategy that is not registered fails", "TestUnregistered", 1, []string{
			`strategy "not-registered" is not registered (registered: `,
			"--- FAIL: TestUnregistered ",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := exec.Command(bin, "-test.run=^"+tt.test+"$", "-test.v").CombinedOutput()
			exit := 0
			if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
				exit = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if exit != tt.wantExit {
				t.Errorf("%s exited with status %d, want %d", tt.test, exit, tt.wantExit)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q", w)
				}
			}
			if t.Failed() {
				t.Logf("output of %s:\n%s", tt.test, out)
			}
		})
	}
}
