package report

import (
	"io"

	"github.com/parbench/parbench/internal/texttable"
)

// table lays out cells in columns two spaces apart; columns whose align
// byte is 'r' are right-aligned, the rest left-aligned. texttable writes it.
type table struct {
	align string
	rows  [][]string
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) error { return texttable.Write(w, t.align, t.rows) }
