package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name, want, got, diff string
	}{
		{"same", "a\nb", "a\nb", ""},
		{"one line", "a\nb", "a\nc", "line 2:\n-b\n+c\n"},
		{"longer got", "a", "a\nz", "line 2:\n-\n+z\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.want, tt.got); got != tt.diff {
				t.Errorf("Diff = %q, want %q", got, tt.diff)
			}
		})
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
