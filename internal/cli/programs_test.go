package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBuiltProgramsMeasureAndSayWhatTheyAre builds the two kinds of
// program that run parbench's command line through parbench.Main: the
// parbench command as the Makefile builds it, with its version stamp, and
// a user's module, examples/mypool, with a strategy of its own and
// parbench replaced by this checkout. Each runs a short sweep in a fresh
// working directory, as a user would: bench.txt lands in results/ there,
// holds the samples of every strategy run, the user's own and procpool
// (whose workers are the user's binary re-executed) among them, and its
// header says which program measured; so does parbench version.
func TestBuiltProgramsMeasureAndSayWhatTheyAre(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two programs; skipped with -short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip(err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	const count = 2
	tests := []struct {
		name        string
		build       func(t *testing.T, bin string)
		strategies  []string
		wantVersion string
		wantConfig  [][2]string
		absent      []string // config keys that must not be there
	}{
		{
			name: "parbench, stamped by the Makefile",
			build: func(t *testing.T, bin string) {
				t.Helper()
				if _, err := exec.LookPath("make"); err != nil {
					t.Skip(err)
				}
				run(t, root, "make", "-s", "build", "GO="+gobin, "BIN="+bin, "VERSION=v9.9.9-stamp", "COMMIT=c0ffee")
			},
			strategies:  []string{"pool"},
			wantVersion: "parbench v9.9.9-stamp\n",
			wantConfig:  [][2]string{{"parbench-version", "v9.9.9-stamp"}, {"parbench-commit", "c0ffee"}},
			absent:      []string{"main-module", "main-module-version", "main-module-revision"},
		},
		{
			name: "a user's module, built from a checkout without VCS stamping",
			build: func(t *testing.T, bin string) {
				t.Helper()
				run(t, filepath.Join(root, "examples", "mypool"), gobin, "build", "-buildvcs=false", "-o", bin, ".")
			},
			strategies:  []string{"pool", "mine", "procpool"},
			wantVersion: "parbench => ../.. (local)\nexample.com/mypool (devel) unknown\n",
			wantConfig: [][2]string{
				{"parbench-version", "=> ../.. (local)"}, {"parbench-commit", "unknown"},
				{"main-module", "example.com/mypool"}, {"main-module-version", "(devel)"}, {"main-module-revision", "unknown"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			work := t.TempDir()
			bin := filepath.Join(work, "program")
			tt.build(t, bin)
			if got := run(t, work, bin, "version"); got != tt.wantVersion {
				t.Errorf("version printed %q, want %q", got, tt.wantVersion)
			}
			run(t, work, bin, "run", "-strategy", strings.Join(tt.strategies, ","), "-cpu", "1", "-count", "2",
				"-jobs", "8", "-n", "1000", "-warmup", "0", "-report=false")
			bench, err := os.ReadFile(filepath.Join(work, "results", "latest", "bench.txt"))
			if err != nil {
				t.Fatal(err)
			}
			config := configOf(string(bench))
			for _, kv := range tt.wantConfig {
				if got, ok := config[kv[0]]; !ok || got != kv[1] {
					t.Errorf("config %s: %q, want %q", kv[0], got, kv[1])
				}
			}
			for _, k := range tt.absent {
				if v, ok := config[k]; ok {
					t.Errorf("config %s: %q, want no such line", k, v)
				}
			}
			for _, s := range tt.strategies {
				sample := regexp.MustCompile(`(?m)^BenchmarkXORSum/strategy=` + regexp.QuoteMeta(s) + `/workers=1-1 `)
				if got := len(sample.FindAllString(string(bench), -1)); got != count {
					t.Errorf("%d samples of %s, want %d", got, s, count)
				}
			}
			if t.Failed() {
				t.Logf("bench.txt:\n%s", bench)
			}
		})
	}
}

// run runs name with args in dir and returns its standard output; a
// failure ends the test with everything the command printed.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// configOf is the config lines of a bench.txt, key to value.
func configOf(bench string) map[string]string {
	config := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^([a-z][^\s:]*): (.*)$`).FindAllStringSubmatch(bench, -1) {
		config[m[1]] = m[2]
	}
	return config
}
