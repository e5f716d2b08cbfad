package report

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/parbench/parbench/runfiles"
)

func TestWriteBenchstatInputsDropsRejectedLines(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	bad := filepath.Join(dir, "bad.txt")
	const results = "jobs: 8\nBenchmarkXORSum/strategy=serial/workers=1-1 1 5 ns/op\nBenchmarkXORSum/strategy=pool/workers=2-2 1 3 ns/op\n"
	for path, content := range map[string]string{
		good: "host: a\n" + results,
		bad: "host: b\n" + results +
			"BenchmarkXORSum/strategy=pool/workers=2-2 1 NaN ns/op\n" +
			"BenchmarkXORSum/strategy=pool/workers=2-2 1 4 ns/op NaN cpu-ns/op\n" +
			"BenchmarkOther 1 NaN ns/op\n" +
			"BenchmarkXORSum/strategy=pool/workers=2-2 1 2 ns/op\n" +
			"BenchmarkXORSum/strategy=pool/workers=2-2 1 9",
	} {
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := Load([]Input{{Path: good, Dir: dir}, {Path: bad, Dir: dir}}, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	written, err := rep.WriteBenchstatInputs(func(name string) (string, error) { return filepath.Join(out, name), nil })
	if err != nil {
		t.Fatal(err)
	}
	copyPath := filepath.Join(out, runfiles.BenchstatInputName(2))
	if !slices.Equal(written, []string{copyPath}) {
		t.Fatalf("wrote %v, want only the copy of the input with rejected lines, %s", written, copyPath)
	}
	data, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if strings.Contains(text, "NaN") || strings.Contains(text, "BenchmarkOther") {
		t.Errorf("filtered copy holds a rejected line:\n%s", text)
	}
	if got := strings.Count(text, "\nBenchmark") + strings.Count(text[:min(len(text), 9)], "Benchmark"); got != 3 {
		t.Errorf("filtered copy has %d results, want the 3 the report used:\n%s", got, text)
	}
	if !strings.Contains(text, "host: b") || !strings.Contains(text, "jobs: 8") {
		t.Errorf("filtered copy lost the config lines:\n%s", text)
	}
	for _, v := range rep.BenchstatViews() {
		args := strings.Join(v.Args, " ")
		if !strings.Contains(args, "="+copyPath) || !strings.Contains(args, "="+good) || strings.Contains(args, "="+bad) {
			t.Errorf("view %q: args %s, want the copy for %s and %s as it is", v.Title, args, bad, good)
		}
	}
}
