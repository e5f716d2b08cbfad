package cli

import (
	"bytes"
	"fmt"
	"path/filepath"

	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
)

// writeHTML writes report.html into out, through a temporary file so that
// a browser never opens half a page.
func writeHTML(out string, set *report.Set, page report.HTMLPage) error {
	var buf bytes.Buffer
	if err := set.WriteHTML(&buf, page); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := runfiles.WriteFileAtomic(filepath.Join(out, report.HTMLFile), buf.Bytes()); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
