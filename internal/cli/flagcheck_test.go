package cli

import (
	"io"
	"testing"
)

func TestEmptyOutMeansTheDefault(t *testing.T) {
	var f runFlags
	fs := newRunFlagSet(io.Discard, &f)
	if err := fs.Parse([]string{"-o", ""}); err != nil {
		t.Fatal(err)
	}
	if err := checkSetFlags(fs, &f); err != nil {
		t.Fatalf("checkSetFlags: %v", err)
	}
	if f.out != "results" {
		t.Errorf("run -o '': results root %q, want the default %q", f.out, "results")
	}
}
