package harness

import (
	"math/bits"
	"slices"
	"testing"
)

func TestTopologyOf(t *testing.T) {
	tests := []struct {
		name     string
		cpus     []int
		siblings func(int) []int
		want     Topology
	}{
		{"2 CPUs without SMT", seq(0, 1), noSMT, Topology{CPUs: 2, Cores: 2}},
		{"128 CPUs paired c and c+64", seq(0, 127), smtPairs(64), Topology{CPUs: 128, Cores: 64}},
		{"128 CPUs paired 2i and 2i+1", orderBySiblings(seq(0, 127), smtAdjacent), smtAdjacent, Topology{CPUs: 128, Cores: 64}},
		{"unknown topology: every CPU a core", seq(0, 15), unknownTopology, Topology{CPUs: 16, Cores: 16}},
		{"mask with one thread per core", []int{1, 4, 6}, smtAdjacent, Topology{CPUs: 3, Cores: 3}},
		{"mask with both threads of two cores", []int{2, 4, 3, 5}, smtAdjacent, Topology{CPUs: 4, Cores: 2}},
		{"empty", nil, noSMT, Topology{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := TopologyOf(tt.cpus, tt.siblings); got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestPlanCores(t *testing.T) {
	tests := []struct {
		name string
		topo Topology
		want []int
	}{
		{"1 CPU", Topology{1, 1}, []int{1}},
		{"2 CPUs", Topology{2, 2}, []int{1, 2}},
		{"2 CPUs, one core with SMT", Topology{2, 1}, []int{1, 2}},
		{"4 CPUs", Topology{4, 4}, []int{1, 2, 3, 4}},
		{"5 CPUs", Topology{5, 5}, []int{1, 2, 3, 4, 5}},
		{"6 CPUs: the widest gap filled for the USL", Topology{6, 6}, []int{1, 2, 3, 4, 5, 6}},
		{"7 CPUs", Topology{7, 7}, []int{1, 2, 3, 4, 6, 7}},
		{"8 CPUs", Topology{8, 8}, []int{1, 2, 3, 4, 6, 8}},
		{"8 CPUs on 4 cores", Topology{8, 4}, []int{1, 2, 3, 4, 6, 8}},
		{"12 CPUs on 6 cores", Topology{12, 6}, []int{1, 2, 3, 4, 6, 8, 12}},
		{"16 CPUs", Topology{16, 16}, []int{1, 2, 3, 4, 6, 8, 12, 16}},
		{"16 CPUs on 8 cores", Topology{16, 8}, []int{1, 2, 3, 4, 6, 8, 12, 16}},
		{"20 CPUs on 10 cores", Topology{20, 10}, []int{1, 2, 3, 4, 6, 8, 10, 12, 16, 20}},
		{"56 CPUs on 28 cores", Topology{56, 28}, []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 28, 32, 48, 56}},
		{"64 CPUs", Topology{64, 64}, []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64}},
		{"64 CPUs on 32 cores", Topology{64, 32}, []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64}},
		{"128 CPUs", Topology{128, 128}, []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128}},
		{"128 CPUs on 64 cores", Topology{128, 64}, []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128}},
		{"192 CPUs", Topology{192, 192}, []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192}},
		{"192 CPUs on 96 cores", Topology{192, 96}, []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192}},
		{"100 CPUs on 50 cores", Topology{100, 50}, []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 50, 64, 96, 100}},
		{"256 CPUs on 64 cores, 4-way SMT", Topology{256, 64}, []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256}},
		{"no CPUs", Topology{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanCores(tt.topo)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPlanCoresProperties checks what a reader of the charts and the fits
// rely on, on every machine size up to 1024 CPUs, with and without SMT.
func TestPlanCoresProperties(t *testing.T) {
	for n := 1; n <= 1024; n++ {
		for _, threads := range []int{1, 2, 4} {
			if n%threads != 0 {
				continue
			}
			topo := Topology{CPUs: n, Cores: n / threads}
			got := PlanCores(topo)
			fail := func(format string, args ...any) {
				t.Helper()
				t.Fatalf("%+v: got %v: "+format, append([]any{topo, got}, args...)...)
			}
			if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				fail("want increasing, no repeats")
			}
			if got[0] != 1 || got[len(got)-1] != n {
				fail("want 1 first and %d last", n)
			}
			for k := 1; k <= n; k *= 2 {
				if !slices.Contains(got, k) {
					fail("missing the power of two %d", k)
				}
			}
			if topo.SMT() && !slices.Contains(got, topo.Cores) {
				fail("missing the SMT boundary %d", topo.Cores)
			}
			if want := min(6, n); len(got) < want {
				fail("%d core counts, want at least %d for the USL fit", len(got), want)
			}
			// Two per doubling, the machine's count and the boundary:
			// logarithmic in the machine's size.
			if limit := 2*bits.Len(uint(n)) + 2; len(got) > limit {
				fail("%d core counts, want at most %d", len(got), limit)
			}
		}
	}
}

func TestPassCores(t *testing.T) {
	tests := []struct {
		name  string
		cores []int
		topo  Topology
		want  []int
	}{
		{"2 CPUs", []int{1, 2}, Topology{2, 2}, []int{1, 2}},
		{"one core count", []int{8}, Topology{8, 8}, []int{8}},
		{"128 CPUs without SMT", PlanCores(Topology{128, 128}), Topology{128, 128}, []int{1, 128}},
		{"128 CPUs on 64 cores", PlanCores(Topology{128, 64}), Topology{128, 64}, []int{1, 64, 128}},
		{"192 CPUs on 96 cores", PlanCores(Topology{192, 96}), Topology{192, 96}, []int{1, 96, 192}},
		{"boundary not swept: the largest count below it", []int{1, 4, 16}, Topology{16, 8}, []int{1, 4, 16}},
		{"sweep not from 1", []int{4, 2, 8}, Topology{8, 8}, []int{2, 8}},
		{"empty", nil, Topology{8, 8}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PassCores(tt.cores, tt.topo)
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			for _, k := range got {
				if !slices.Contains(tt.cores, k) {
					t.Errorf("%d is not one of the sweep's core counts %v", k, tt.cores)
				}
			}
		})
	}
}

func TestTopologyValidate(t *testing.T) {
	tests := []struct {
		topo Topology
		ok   bool
	}{
		{Topology{128, 64}, true},
		{Topology{1, 1}, true},
		{Topology{0, 0}, false},
		{Topology{8, 0}, false},
		{Topology{8, 9}, false},
		{Topology{1 << 20, 1 << 20}, false},
	}
	for _, tt := range tests {
		if err := tt.topo.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: error %v, want ok=%v", tt.topo, err, tt.ok)
		}
	}
}
