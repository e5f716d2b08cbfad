package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/report"
)

func TestPrintArrivalBoundOneTablePerWorkerCount(t *testing.T) {
	rows := []report.BoundRow{
		{Strategy: "serial", Cores: 2, Workers: 1, Median: 20 * time.Second, Ratio: 20 / 2.9},
		{Strategy: "pool", Cores: 2, Workers: 1, Median: 20 * time.Second, Ratio: 20 / 2.9},
		{Strategy: "pool", Cores: 2, Workers: 11, Median: 2900 * time.Millisecond, Ratio: 1},
	}
	tests := []struct {
		name string
		rows []report.BoundRow
		want []string // in this order
	}{
		{"two counts", rows, []string{"lower bound: 2.9s", "workers = 1:", "serial", "pool", "workers = 11:", "pool                   2      11"}},
		{"one count, no heading", rows[:2], []string{"lower bound: 2.9s", "strategy", "serial", "pool"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printArrivalBound(&b, report.ArrivalBound{Bound: 2900 * time.Millisecond, LastRelease: 900 * time.Millisecond, Sleep: 2 * time.Second, Rows: tt.rows})
			got := b.String()
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q after the earlier lines:\n%s", w, got)
				}
				rest = rest[i+len(w):]
			}
			if n := strings.Count(got, "workers = "); len(tt.rows) == 2 && n != 0 {
				t.Errorf("one worker count got %d headings, want none:\n%s", n, got)
			}
		})
	}
}
