// Package strategyorder is the one order of strategies that every table, chart
// legend and list uses: the baseline, serial, first, then the rest by
// name. It imports nothing, so that strategies, report and plots, which
// know nothing of one another, can all use it.
package strategyorder

import "strings"

// Baseline is the strategy every speedup is measured against; it comes
// first.
const Baseline = "serial"

// Compare compares two strategy names in the one order: Baseline
// first, then by name. It is a comparison function for slices.SortFunc.
func Compare(a, b string) int {
	if (a == Baseline) != (b == Baseline) {
		if a == Baseline {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}
