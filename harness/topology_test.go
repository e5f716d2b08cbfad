package harness

import (
	"slices"
	"testing"
)

// smtPairs is a topology where CPU c and c+half share a core, as Linux
// numbers Intel and AMD hyperthreads.
func smtPairs(half int) func(int) []int {
	return func(c int) []int {
		if c < half {
			return []int{c, c + half}
		}
		return []int{c - half, c}
	}
}

// smtAdjacent is a topology where 2i and 2i+1 share a core.
func smtAdjacent(c int) []int {
	base := c &^ 1
	return []int{base, base + 1}
}

func noSMT(c int) []int { return []int{c} }

func unknownTopology(int) []int { return nil }

func TestOrderBySiblings(t *testing.T) {
	tests := []struct {
		name     string
		cpus     []int
		siblings func(int) []int
		want     []int
	}{
		{"2 CPUs without SMT", []int{0, 1}, noSMT, []int{0, 1}},
		{"8 CPUs paired c and c+4", seq(0, 7), smtPairs(4), seq(0, 7)},
		{"8 CPUs paired 2i and 2i+1", seq(0, 7), smtAdjacent, []int{0, 2, 4, 6, 1, 3, 5, 7}},
		{"128 CPUs paired c and c+64", seq(0, 127), smtPairs(64), seq(0, 127)},
		{"128 CPUs paired 2i and 2i+1", seq(0, 127), smtAdjacent, append(evens(128), odds(128)...)},
		{"unknown topology keeps the order", []int{3, 0, 7, 1}, unknownTopology, []int{3, 0, 7, 1}},
		{"mask with both threads of a core", []int{1, 2, 5, 6}, smtPairs(4), []int{1, 2, 5, 6}},
		{"mask of adjacent pairs", []int{2, 3, 4, 5}, smtAdjacent, []int{2, 4, 3, 5}},
		{"mask with one thread per core", []int{1, 4, 6}, smtAdjacent, []int{1, 4, 6}},
		{"4-way SMT", seq(0, 7), func(c int) []int {
			if c%2 == 0 {
				return []int{0, 2, 4, 6}
			}
			return []int{1, 3, 5, 7}
		}, []int{0, 1, 2, 3, 4, 5, 6, 7}},
		{"empty", nil, noSMT, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := orderBySiblings(slices.Clone(tt.cpus), tt.siblings)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(tt.cpus))) {
				t.Errorf("got %v, want a permutation of %v", got, tt.cpus)
			}
		})
	}
}

// TestOrderBySiblingsGivesPhysicalCoresFirst checks the property the
// harness relies on: the first k CPUs sit on k different cores while k
// is at most the number of cores.
func TestOrderBySiblingsGivesPhysicalCoresFirst(t *testing.T) {
	for _, topo := range []struct {
		name     string
		siblings func(int) []int
	}{{"c,c+64", smtPairs(64)}, {"2i,2i+1", smtAdjacent}} {
		t.Run(topo.name, func(t *testing.T) {
			got := orderBySiblings(seq(0, 127), topo.siblings)
			cores := map[int]bool{}
			for _, c := range got[:64] {
				core := slices.Min(topo.siblings(c))
				if cores[core] {
					t.Fatalf("CPU %d shares core %d with an earlier CPU among the first 64: %v", c, core, got[:64])
				}
				cores[core] = true
			}
		})
	}
}

func evens(n int) []int {
	var s []int
	for i := 0; i < n; i += 2 {
		s = append(s, i)
	}
	return s
}

func odds(n int) []int {
	var s []int
	for i := 1; i < n; i += 2 {
		s = append(s, i)
	}
	return s
}
