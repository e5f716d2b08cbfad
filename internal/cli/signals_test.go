package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLoadProgressQuietThenLines(t *testing.T) {
	var b bytes.Buffer
	p := newLoadProgress(&b)
	p.update(10, 100)
	if b.Len() != 0 {
		t.Errorf("printed %q within the quiet time", b.String())
	}
	p.start = time.Now().Add(-time.Minute)
	p.update(50, 200)
	if got := b.String(); !strings.HasPrefix(got, "parbench: reading the results: 50 of 200 lines (25%), 1m00s\n") {
		t.Errorf("printed %q, want a progress line", got)
	}
	b.Reset()
	p.update(60, 200)
	if b.Len() != 0 {
		t.Errorf("printed %q again within a second", b.String())
	}
}
