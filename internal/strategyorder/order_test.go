package strategyorder

import (
	"slices"
	"testing"
)

func TestCompare(t *testing.T) {
	names := []string{"static", "pool", "ants", "serial", "perjob-unbounded", "perjob", "procpool"}
	slices.SortFunc(names, Compare)
	want := []string{"serial", "ants", "perjob", "perjob-unbounded", "pool", "procpool", "static"}
	if !slices.Equal(names, want) {
		t.Errorf("sorted %v, want %v", names, want)
	}
	if Compare("serial", "serial") != 0 || Compare("pool", "pool") != 0 {
		t.Error("a name compares unequal to itself")
	}
}
