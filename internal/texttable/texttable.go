// Package texttable is the one writer of parbench's aligned text tables
// (summary.txt, the profiles' summary): columns two spaces apart, padded by
// the number of runes in a cell, not its bytes, so that a host name such
// as "büro" keeps its column in line.
package texttable

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Write writes rows as a table. A column whose byte in align is 'r' is
// right-aligned; the others, and those past the end of align, are
// left-aligned. Trailing spaces are trimmed from every line.
func Write(w io.Writer, align string, rows [][]string) error {
	var widths []int
	for _, row := range rows {
		for i, c := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		var line strings.Builder
		for i, c := range row {
			if i > 0 {
				line.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i < len(align) && align[i] == 'r' {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " "))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}
