// Package golden compares test output with golden files in testdata and
// rewrites them when a test binary runs with -update. Only tests import
// it; importing it registers the -update flag.
package golden

import (
	"bytes"
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Updating says the test binary runs with -update: a test that keeps its
// expected text somewhere other than a golden file rewrites it there.
func Updating() bool { return *update }

// Check compares got with the golden file at path, or rewrites the file
// with -update. On a mismatch it writes got beside the file, as path with
// ".golden" replaced by ".got-test" (git ignores *.got-*), and reports the
// difference as a unified diff.
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
