package pairstat

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTwoMeansCut(t *testing.T) {
	tests := []struct {
		xs   []float64
		want int
	}{
		{[]float64{1, 2, 3, 10, 11, 12}, 3},
		{[]float64{1, 10, 11, 12, 13}, 1},
		{[]float64{5, 6}, 1},
	}
	for _, tt := range tests {
		if got := twoMeansCut(tt.xs); got != tt.want {
			t.Errorf("twoMeansCut(%v) = %d, want %d", tt.xs, got, tt.want)
		}
	}
}

// mixed returns n ratios, each near low (with probability share) or
// near high, with relative noise sd.
func mixed(seed uint64, n int, share, low, high, sd float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 11))
	out := make([]float64, n)
	for i := range out {
		c := high
		if rng.Float64() < share {
			c = low
		}
		out[i] = c * math.Exp(sd*rng.NormFloat64())
	}
	return out
}

func TestTwoModes(t *testing.T) {
	tests := []struct {
		name       string
		ratios     []float64
		want       bool
		wantLow    float64 // share and center of the low group, when bimodal
		wantCenter [2]float64
	}{
		{"a pool given one CPU in some batches and two in others", mixed(1, 150, 0.38, 1.02, 1.95, 0.03), true, 0.38, [2]float64{1.02, 1.95}},
		{"the same, noisier", mixed(2, 150, 0.38, 1.02, 1.95, 0.1), true, 0.38, [2]float64{1.02, 1.95}},
		{"quiet pairs", mixed(3, 200, 0, 1, 1.98, 0.01), false, 0, [2]float64{}},
		{"quiet pairs, few", mixed(4, 20, 0, 1, 1.98, 0.01), false, 0, [2]float64{}},
		{"noisy pairs", mixed(5, 200, 0, 1, 1.98, 0.05), false, 0, [2]float64{}},
		{"5% outliers are not a mode", mixed(6, 200, 0.05, 1, 2, 0.01), false, 0, [2]float64{}},
		{"4 pairs apart are not a mode", append(mixed(7, 36, 0, 1, 2, 0.01), 1, 1.01, 0.99, 1.02), false, 0, [2]float64{}},
		{"all equal", []float64{2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, false, 0, [2]float64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := TwoModes(tt.ratios)
			if m.Bimodal != tt.want {
				t.Fatalf("bimodal %v, want %v (%+v)", m.Bimodal, tt.want, m)
			}
			if m.Low.Pairs+m.High.Pairs != len(tt.ratios) {
				t.Errorf("groups of %d and %d pairs, want %d in all", m.Low.Pairs, m.High.Pairs, len(tt.ratios))
			}
			if !tt.want {
				return
			}
			if math.Abs(m.Low.Share-tt.wantLow) > 0.06 || math.Abs(m.Low.Share+m.High.Share-1) > 1e-12 {
				t.Errorf("low group's share %v, want about %v", m.Low.Share, tt.wantLow)
			}
			for i, got := range []float64{m.Low.Center, m.High.Center} {
				if math.Abs(got/tt.wantCenter[i]-1) > 0.03 {
					t.Errorf("group %d near %v, want about %v", i, got, tt.wantCenter[i])
				}
			}
			if !(m.D > BimodalD) {
				t.Errorf("Ashman's D %v, want above %v", m.D, BimodalD)
			}
		})
	}
}

// TestHardSplitBias is why TwoModes fits a mixture: Ashman's D on the
// two halves of a hard two-means split passes 2 on a single normal
// sample, which the mixture's D does not.
func TestHardSplitBias(t *testing.T) {
	ratios := mixed(8, 400, 0, 1, 2, 0.01)
	logs := make([]float64, len(ratios))
	for i, r := range ratios {
		logs[i] = math.Log(r)
	}
	slices.Sort(logs)
	c := twoMeansCut(logs)
	a, b := logs[:c], logs[c:]
	hard := math.Sqrt2 * math.Abs(meanOf(a)-meanOf(b)) / math.Sqrt(varianceOf(a)+varianceOf(b))
	if !(hard > 2.3) {
		t.Errorf("hard split of one normal sample: D = %v, want about 2.65 (the half-normals' D)", hard)
	}
	if m := TwoModes(ratios); m.D > BimodalD || m.Bimodal {
		t.Errorf("the mixture's D = %v, bimodal %v: want below %v, not bimodal", m.D, m.Bimodal, BimodalD)
	}
}
