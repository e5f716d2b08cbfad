package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGoldenText checks summary.txt for fixed inputs against
// testdata/*.golden. Run go test -update to rewrite them after a
// deliberate change, and read the diff.
func TestGoldenText(t *testing.T) {
	tests := []struct {
		name   string
		inputs []string
	}{
		{"one-machine", []string{"testdata/one-machine"}},
		{"two-machines", []string{"testdata/hostA", "testdata/hostB"}},
		{"gotest", []string{"testdata/gotest.txt"}},
		{"corrupt", []string{"testdata/corrupt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inputs, err := FindInputs(tt.inputs)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Load(inputs, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := rep.WriteText(&got); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tt.name+".golden"), got.Bytes())
		})
	}
}

// golden compares got with the file at path, or rewrites it with -update.
// On a mismatch it leaves got beside it as path.got-* for a diff.
func golden(t *testing.T, path string, got []byte) {
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
	if !bytes.Equal(got, want) {
		gotPath := path + ".got-" + strings.ReplaceAll(t.Name(), "/", "-")
		_ = os.WriteFile(gotPath, got, 0o644)
		t.Errorf("%s differs from the golden file; diff %s %s, or go test -update if the change is meant", t.Name(), path, gotPath)
	}
}
