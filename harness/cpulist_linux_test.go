//go:build linux

package harness

import (
	"slices"
	"strings"
	"testing"
)

func TestParseCPUListCountsACPUOnce(t *testing.T) {
	got, err := parseCPUList("0-3,2-5,1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 1, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A long list of the whole range builds one range, not many.
	long := strings.TrimSuffix(strings.Repeat("0-65535,", 64), ",")
	if got, err := parseCPUList(long); err != nil || len(got) != maxCPUID {
		t.Errorf("64 full ranges: %d CPUs, %v; want %d", len(got), err, maxCPUID)
	}
}

// FuzzParseCPUList: the parser once looped for ever. It must end, never
// panic, and build at most maxCPUID distinct CPUs in range.
func FuzzParseCPUList(f *testing.F) {
	for _, s := range []string{"0", "0-3,8,10-11", "", "0-65535", "3-1", "-1", "0-9223372036854775807", "1,1,1", "0-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cpus, err := parseCPUList(s)
		if err != nil {
			if cpus != nil {
				t.Errorf("error %v with CPUs %v", err, cpus)
			}
			return
		}
		if len(cpus) > maxCPUID {
			t.Fatalf("%d CPUs from %q, more than %d", len(cpus), s, maxCPUID)
		}
		seen := map[int]bool{}
		for _, c := range cpus {
			if c < 0 || c >= maxCPUID || seen[c] {
				t.Fatalf("CPU %d from %q: out of range or repeated", c, s)
			}
			seen[c] = true
		}
	})
}
