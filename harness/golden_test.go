package harness

import (
	"flag"
	"os"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// checkGolden compares got with the golden file at path, or rewrites the
// file with -update. On a mismatch it writes got beside it as
// path.got-test (ignored by git) for a full diff.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) == string(want) {
		return
	}
	gotPath := strings.TrimSuffix(path, ".golden") + ".got-test"
	_ = os.WriteFile(gotPath, got, 0o644)
	t.Errorf("%s differs from the golden file (got is in %s; go test -update rewrites it):\n%s",
		path, gotPath, lineDiff(string(want), string(got)))
}

// lineDiff shows the lines that differ, a few of them, as -want +got.
func lineDiff(want, got string) string {
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
