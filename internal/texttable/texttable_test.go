package texttable

import (
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name  string
		align string
		rows  [][]string
		want  string
	}{
		{"left and right", "lr", [][]string{{"strategy", "cores"}, {"pool", "4"}, {"perjob-unbounded", "16"}},
			"strategy          cores\npool                  4\nperjob-unbounded     16\n"},
		{"padded by runes, not bytes", "lr", [][]string{{"host", "n"}, {"büro", "10"}, {"lab", "9"}},
			"host   n\nbüro  10\nlab    9\n"},
		{"ragged rows and no trailing spaces", "", [][]string{{"a", "b", "c"}, {"long"}},
			"a     b  c\nlong\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := Write(&b, tt.align, tt.rows); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
