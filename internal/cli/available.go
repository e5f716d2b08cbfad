package cli

import (
	"fmt"
	"io"

	"github.com/parbench/parbench/strategies"
)

// skipUnavailable drops the strategies that cannot run on this machine
// (such as python-mp without python3), with one line each on stderr, so a
// missing program never fails a run.
func skipUnavailable(stderr io.Writer, names []string) []string {
	var keep []string
	for _, name := range names {
		if err := strategies.Available(name); err != nil {
			fmt.Fprintf(stderr, "parbench: skipping %s: %v\n", name, err)
			continue
		}
		keep = append(keep, name)
	}
	return keep
}
