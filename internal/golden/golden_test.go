package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name, want, got, diff string
	}{
		{"same", "a\nb\n", "a\nb\n", ""},
		{"one line changed", "a\nb\n", "a\nc\n", "--- want\n+++ got\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"},
		{"line added at the end", "a\n", "a\nz\n", "--- want\n+++ got\n@@ -1 +1,2 @@\n a\n+z\n"},
		{"from nothing", "", "a\n", "--- want\n+++ got\n@@ -0,0 +1 @@\n+a\n"},
		{
			// One inserted line is one '+' line, with three lines of
			// context either side, not a change of every later line.
			"one line inserted",
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n",
			"1\n2\n3\n4\nnew\n5\n6\n7\n8\n9\n",
			"--- want\n+++ got\n@@ -2,6 +2,7 @@\n 2\n 3\n 4\n+new\n 5\n 6\n 7\n",
		},
		{
			"two changes far apart: two hunks",
			"1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
			"x\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\ny\n",
			"--- want\n+++ got\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+y\n",
		},
		{
			"two changes close together: one hunk",
			"1\n2\n3\n4\n5\n6\n7\n8\n",
			"1\nx\n3\n4\n5\n6\ny\n8\n",
			"--- want\n+++ got\n@@ -1,8 +1,8 @@\n 1\n-2\n+x\n 3\n 4\n 5\n 6\n-7\n+y\n 8\n",
		},
		{"line deleted", "a\nb\nc\n", "a\nc\n", "--- want\n+++ got\n@@ -1,3 +1,2 @@\n a\n-b\n c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.want, tt.got); got != tt.diff {
				t.Errorf("Diff =\n%s\nwant\n%s", got, tt.diff)
			}
		})
	}
}

func TestDiffBounded(t *testing.T) {
	// Past the matching table's bound the middle is one change, and the
	// output stops at maxDiffLines: a huge mismatch costs little.
	var w, g strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&w, "w%d\n", i)
		fmt.Fprintf(&g, "g%d\n", i)
	}
	d := Diff(w.String(), g.String())
	if n := strings.Count(d, "\n"); n > maxDiffLines+5 {
		t.Errorf("diff of %d lines, want at most about %d", n, maxDiffLines)
	}
	if !strings.Contains(d, "-w0\n") || !strings.Contains(d, "diff cut at") {
		t.Errorf("diff starts %q, want the first removed line and a cut note", d[:min(len(d), 80)])
	}
}

// recorder is a testing.TB that keeps failures instead of reporting them.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, format)
}

func TestCheckMismatchLeavesGot(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.golden")
	if err := os.WriteFile(path, []byte("want\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := &recorder{TB: t}
	Check(r, path, []byte("want\n"))
	if len(r.errors) != 0 {
		t.Fatalf("Check on equal content failed: %v", r.errors)
	}
	Check(r, path, []byte("got\n"))
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "differs from the golden file") {
		t.Fatalf("Check on different content: errors %v, want one mismatch", r.errors)
	}
	b, err := os.ReadFile(filepath.Join(dir, "x.got-test"))
	if err != nil || string(b) != "got\n" {
		t.Errorf("x.got-test = %q, %v; want the output", b, err)
	}
}
