package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/parbench/parbench/internal/golden"
)

// runningDoc is the page of the docs that shows each command's -h.
var runningDoc = filepath.Join("..", "..", "docs", "running.md")

// TestDocsShowTheUsage: docs/running.md shows what `parbench run -h` and
// `parbench report -h` print, each between its markers; -update writes it
// there.
func TestDocsShowTheUsage(t *testing.T) {
	doc, err := os.ReadFile(runningDoc)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"run", "report"} {
		status, stdout, stderr := runParbench(t, cmd, "-h")
		if status != 0 || stderr != "" {
			t.Fatalf("%s -h: status %d, stderr %q", cmd, status, stderr)
		}
		begin := []byte(fmt.Sprintf("<!-- parbench %s -h -->\n```text\n", cmd))
		end := []byte("```\n<!-- end -->")
		i := bytes.Index(doc, begin)
		if i < 0 {
			t.Fatalf("%s lacks the line %q followed by a text fence", runningDoc, begin)
		}
		i += len(begin)
		j := bytes.Index(doc[i:], end)
		if j < 0 {
			t.Fatalf("%s: no %q after %q", runningDoc, end, begin)
		}
		if got := string(doc[i : i+j]); got != stdout {
			if golden.Updating() {
				doc = append(doc[:i:i], append([]byte(stdout), doc[i+j:]...)...)
				continue
			}
			t.Errorf("%s between its markers differs from parbench %s -h (go test -run %s -update rewrites it):\n%s", runningDoc, cmd, t.Name(), golden.Diff(got, stdout))
		}
	}
	if golden.Updating() {
		if err := os.WriteFile(runningDoc, doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
