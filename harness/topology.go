package harness

import "slices"

// orderBySiblings orders cpus so that the first of each hyperthread group
// comes before any second thread of a core: taking the first k then gives
// k physical cores while there are. siblings returns a CPU's group, or nil
// where the topology is unknown (the CPU then counts as a core of its own).
func orderBySiblings(cpus []int, siblings func(int) []int) []int {
	taken := map[int]bool{}
	var first, rest []int
	for _, c := range cpus {
		group := siblings(c)
		if slices.ContainsFunc(group, func(s int) bool { return s != c && taken[s] }) {
			rest = append(rest, c)
		} else {
			first = append(first, c)
		}
		taken[c] = true
	}
	return append(first, rest...)
}
