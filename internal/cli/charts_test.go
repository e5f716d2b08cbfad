package cli

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/parbench/parbench/profiles"
)

func TestOverheadGroups(t *testing.T) {
	row := func(s string, cores, workers int) profiles.Row {
		return profiles.Row{Strategy: s, Cores: cores, Workers: workers}
	}
	tests := []struct {
		name string
		rows []profiles.Row
		want []string // suffix: strategy/cores/workers of its rows
	}{
		{"one worker count per cores: one chart", []profiles.Row{row("serial", 1, 1), row("pool", 1, 1), row("pool", 2, 2)},
			[]string{": serial/1/1 pool/1/1 pool/2/2"}},
		{"workers varied at fixed cores: a chart per worker count", []profiles.Row{row("serial", 2, 1), row("pool", 2, 1), row("pool", 2, 4)},
			[]string{"-w1: serial/2/1 pool/2/1", "-w4: pool/2/4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, g := range overheadGroups(tt.rows) {
				var rs []string
				for _, r := range g.rows {
					rs = append(rs, fmt.Sprintf("%s/%d/%d", r.Strategy, r.Cores, r.Workers))
				}
				got = append(got, g.suffix+": "+strings.Join(rs, " "))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("groups %q, want %q", got, tt.want)
			}
		})
	}
}
