package wire

import (
	"bytes"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/golden"
)

// The frames of every type are fixed in golden files, as hex dumps, so
// that the encoder is checked against bytes and not only against its own
// decoder, and the decoder against bytes the encoder did not just make: a
// change to the format is a change to the files, which procpool's workers
// of an older build would not read.
func TestFramesGolden(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			frame, err := Append(nil, s.m)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "frame-"+strings.ReplaceAll(s.name, " ", "-")+".golden")
			golden.Check(t, path, []byte(hex.Dump(frame)))

			dump, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want, err := undump(string(dump))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			got, err := NewReader(bytes.NewReader(want)).Read()
			if err != nil {
				t.Fatalf("Read(%s): %v", path, err)
			}
			if !reflect.DeepEqual(got, s.m) {
				t.Errorf("Read(%s) = %#v, want %#v", path, got, s.m)
			}
		})
	}
}

// undump reads back the bytes of hex.Dump's output: the hex columns
// between the offset and the |text| part of each line.
func undump(dump string) ([]byte, error) {
	var b []byte
	for _, line := range strings.Split(strings.TrimSuffix(dump, "\n"), "\n") {
		if i := strings.IndexByte(line, '|'); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		part, err := hex.DecodeString(strings.Join(fields[1:], ""))
		if err != nil {
			return nil, err
		}
		b = append(b, part...)
	}
	return b, nil
}
