package report

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/parbench/parbench/internal/golden"
)

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
		{"own-quiet", []string{"testdata/own-quiet"}},
		{"own-slowed", []string{"testdata/own-slowed"}},
		{"own-bimodal", []string{"testdata/own-bimodal"}},
		{"own-faults", []string{"testdata/own-faults"}},
		{"host-slowed-cpu0", []string{"testdata/host-slowed-cpu0"}},
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
			golden.Check(t, filepath.Join("testdata", tt.name+".golden"), got.Bytes())
		})
	}
}
