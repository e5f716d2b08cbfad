package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/perf/benchunit"
)

// How figures read in the tables and in the warnings alike.

// pct formats a fraction as a percent with two significant digits or so.
func pct(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "∞"
	case f >= 0.1 || f == 0:
		return strconv.FormatFloat(100*f, 'f', 0, 64) + "%"
	}
	return strings.TrimSuffix(strconv.FormatFloat(100*f, 'f', 1, 64), ".0") + "%"
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }

// fmtPoints formats a fraction of ideal in points of efficiency: 0.073 is
// "7.3".
func fmtPoints(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	s := fmt.Sprintf("%.1f", 100*v)
	if s == "-0.0" {
		s = "0.0"
	}
	return s
}

func workersText(w int) string {
	if w == 0 {
		return "?"
	}
	return strconv.Itoa(w)
}

// fmtSeconds formats seconds with an SI prefix and three or more
// significant digits, as benchstat does.
func fmtSeconds(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return benchunit.Scale(v, benchunit.Decimal) + "s"
}

func fmtScaled(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	return benchunit.Scale(v, benchunit.Decimal)
}

func fmtRatio(v float64) string { return fmtFixed(v, 2) }

func fmtFixed(v float64, prec int) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.IsInf(v, 1):
		return "∞"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// fmtSig formats with three significant digits: parameters span orders
// of magnitude (κ is often 1e-4).
func fmtSig(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.IsInf(v, 1):
		return "∞"
	case v != 0 && math.Abs(v) < 0.001:
		return strconv.FormatFloat(v, 'e', 2, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func fmtPercent(v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return strconv.FormatFloat(100*v, 'f', 0, 64) + "%"
}

func intervalText(lo, hi float64) string {
	if math.IsNaN(lo) || math.IsNaN(hi) {
		return "-"
	}
	return "[" + fmtRatio(lo) + ", " + fmtRatio(hi) + "]"
}

func filesText(files []string) string {
	var out []string
	for _, f := range files {
		if f == "" {
			f = "results from memory"
		}
		out = append(out, f)
	}
	return strings.Join(out, ", ")
}

func firstFew(xs []string, n int) []string {
	if len(xs) <= n {
		return xs
	}
	return append(xs[:n:n], "...")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
