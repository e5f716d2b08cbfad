//go:build linux

package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parbench/parbench/strategies"
)

// TestRunRecordsModuleVersions runs a built parbench, whose build info
// lists its dependencies (a test binary's does not): bench.txt holds one
// module line per library of the strategies run, with a real version, and
// none for a strategy that uses no library.
func TestRunRecordsModuleVersions(t *testing.T) {
	bin := buildParbench(t)
	root := filepath.Join(t.TempDir(), "results")
	out, err := exec.Command(bin, "run", "-cpu", "1", "-strategy", "serial,ants,ants-func,errgroup",
		"-jobs", "4", "-n", "100", "-count", "1", "-warmup", "0", "-timeline=false", "-report=false", "-o", root).CombinedOutput()
	if err != nil {
		t.Fatalf("parbench run: %v\n%s", err, out)
	}
	bench, err := os.ReadFile(filepath.Join(root, "latest", "bench.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := regexp.MustCompile(`(?m)^module-(\S+): (.*)$`).FindAllStringSubmatch(string(bench), -1)
	got := map[string]string{}
	for _, l := range lines {
		got[l[1]] = l[2]
	}
	want := strategies.Modules([]string{"ants", "errgroup"})
	if len(got) != len(want) {
		t.Errorf("module lines %q, want one for each of %q", lines, want)
	}
	version := regexp.MustCompile(`^v\d+\.\d+\.\d+\S*$`)
	for _, m := range want {
		if v, ok := got[m]; !ok || !version.MatchString(v) {
			t.Errorf("module-%s: %q, want a version from the build info\nbench.txt:\n%s", m, v, headerOf(string(bench)))
		}
	}
}

// headerOf is bench.txt's config lines, for failure messages.
func headerOf(bench string) string {
	head, _, _ := strings.Cut(bench, "\nBenchmark")
	return head
}
