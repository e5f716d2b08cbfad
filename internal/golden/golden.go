// Package golden compares test output with golden files in testdata and
// rewrites them when a test binary runs with -update. Only tests import
// it; importing it registers the -update flag.
package golden

import (
	"bytes"
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Check compares got with the golden file at path, or rewrites the file
// with -update. On a mismatch it writes got beside the file, as path with
// ".golden" replaced by ".got-test" (git ignores *.got-*), and reports the
// first lines that differ.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gotPath := strings.TrimSuffix(path, ".golden") + ".got-test"
	_ = os.WriteFile(gotPath, got, 0o644)
	t.Errorf("%s differs from the golden file; got is in %s (diff them; go test -update rewrites the golden file)\n%s",
		path, gotPath, Diff(string(want), string(got)))
}

// Diff shows up to ten lines that differ, as -want and +got.
func Diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n-" + wl + "\n+" + gl + "\n")
			shown++
		}
	}
	return b.String()
}
