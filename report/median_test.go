package report

import (
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/perf/benchmath"
)

func TestBootMedianIsBenchmathsMedian(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := map[string]func(int) float64{
		"uniform":    func(int) float64 { return rng.Float64() },
		"few values": func(int) float64 { return float64(rng.IntN(3)) },
		"sorted":     func(i int) float64 { return float64(i) },
		"reversed":   func(i int) float64 { return float64(-i) },
		"constant":   func(int) float64 { return 7 },
	}
	for name, gen := range gens {
		for n := 1; n <= 200; n++ {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = gen(i)
			}
			want := median(benchmath.NewSample(slices.Clone(xs), &benchmath.DefaultThresholds))
			if got := bootMedian(slices.Clone(xs)); got != want {
				t.Fatalf("%s, n=%d: bootMedian = %v, benchmath's median = %v", name, n, got, want)
			}
		}
	}
}
