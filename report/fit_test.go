package report

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// curve is λN/(1+σ(N-1)+κN(N-1)) at each of cores, each point multiplied by
// (1+e) with e normal of standard deviation noise.
func curve(lambda, sigma, kappa float64, cores []float64, noise float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0))
	s := make([]float64, len(cores))
	for i, n := range cores {
		s[i] = uslSpeedup(n, lambda, sigma, kappa) * (1 + noise*rng.NormFloat64())
	}
	return s
}

func TestFitModelRecoversKnownCurves(t *testing.T) {
	upTo64 := []float64{1, 2, 4, 8, 16, 24, 32, 48, 64}
	upTo128 := []float64{1, 2, 4, 8, 16, 32, 64, 96, 128}
	tests := []struct {
		name                 string
		model                Model
		cores                []float64
		lambda, sigma, kappa float64
		// noise is the relative error of each median speedup; each noisy
		// case is tried with seeds 1..seeds, and every one must pass.
		noise float64
		seeds uint64
		// tolSigma is absolute; tolLambda and tolKappa are relative.
		tolSigma, tolLambda, tolKappa float64
	}{
		{"usl 64 cores exact", USL, upTo64, 1, 0.02, 1e-4, 0, 1, 1e-9, 1e-9, 1e-6},
		{"usl 128 cores exact", USL, upTo128, 0.95, 0.05, 2e-5, 0, 1, 1e-9, 1e-9, 1e-6},
		{"usl 8 cores exact", USL, []float64{1, 2, 3, 4, 5, 6, 8}, 0.97, 0.03, 1.5e-3, 0, 1, 1e-9, 1e-9, 1e-6},
		{"usl no coherency", USL, upTo64, 1, 0.1, 0, 0, 1, 1e-9, 1e-9, 0},
		{"amdahl 16 cores exact", Amdahl, []float64{1, 2, 4, 8, 16}, 0.9, 0.05, 0, 0, 1, 1e-9, 1e-9, 0},
		{"amdahl perfect scaling", Amdahl, []float64{1, 2, 4}, 1, 0, 0, 0, 1, 1e-9, 1e-9, 0},
		// With noise, κ is only as well determined as the curve bends
		// within the cores measured: loosely at 64 cores with a peak at
		// 99, tightly at 128 cores with the peak inside the range.
		{"usl 64 cores 0.5% noise", USL, upTo64, 1, 0.02, 1e-4, 0.005, 20, 0.005, 0.05, 0.5},
		{"usl 128 cores 0.5% noise", USL, upTo128, 1, 0.01, 1e-4, 0.005, 20, 0.005, 0.05, 0.2},
		{"amdahl 32 cores 0.5% noise", Amdahl, []float64{1, 2, 4, 8, 16, 32}, 0.95, 0.03, 0, 0.005, 20, 0.005, 0.05, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := uint64(1); seed <= tt.seeds; seed++ {
				s := curve(tt.lambda, tt.sigma, tt.kappa, tt.cores, tt.noise, seed)
				f, err := FitModel(tt.model, tt.cores, s)
				if err != nil {
					t.Fatal(err)
				}
				if d := math.Abs(f.Sigma - tt.sigma); d > tt.tolSigma {
					t.Errorf("seed %d: σ = %v, want %v ± %v", seed, f.Sigma, tt.sigma, tt.tolSigma)
				}
				if d := math.Abs(f.Lambda/tt.lambda - 1); d > tt.tolLambda {
					t.Errorf("seed %d: λ = %v, want %v within %v", seed, f.Lambda, tt.lambda, tt.tolLambda)
				}
				if d := math.Abs(f.Kappa - tt.kappa); d > tt.tolKappa*tt.kappa+1e-12 {
					t.Errorf("seed %d: κ = %v, want %v within %v", seed, f.Kappa, tt.kappa, tt.tolKappa)
				}
				if tt.noise == 0 && f.R2 < 1-1e-9 {
					t.Errorf("R² = %v for an exact curve, want 1", f.R2)
				}
				if f.Points != len(tt.cores) || f.MaxCores != int(tt.cores[len(tt.cores)-1]) {
					t.Errorf("points %d up to %d, want %d up to %v", f.Points, f.MaxCores, len(tt.cores), tt.cores[len(tt.cores)-1])
				}
				if tt.model == USL && tt.kappa > 0 && tt.noise == 0 {
					want := math.Sqrt((1 - tt.sigma) / tt.kappa)
					if d := math.Abs(f.PeakConcurrency/want - 1); d > 1e-6 {
						t.Errorf("peak at %v cores, want %v", f.PeakConcurrency, want)
					}
				}
				for i, n := range tt.cores {
					if tt.noise == 0 && math.Abs(f.Speedup(n)/s[i]-1) > 1e-6 {
						t.Errorf("Speedup(%v) = %v, want %v", n, f.Speedup(n), s[i])
					}
				}
			}
		})
	}
}

func TestFitModelDegenerate(t *testing.T) {
	t.Run("flat curve", func(t *testing.T) {
		cores := []float64{1, 2, 4, 8, 16, 32}
		flat := []float64{3, 3, 3, 3, 3, 3}
		for _, m := range []Model{Amdahl, USL} {
			f, err := FitModel(m, cores, flat)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(f.Sigma-1) > 1e-9 || math.Abs(f.Lambda-3) > 1e-9 || f.Kappa > 1e-12 {
				t.Errorf("%s: λ σ κ = %v %v %v, want 3 1 0", m, f.Lambda, f.Sigma, f.Kappa)
			}
			if !math.IsNaN(f.R2) {
				t.Errorf("%s: R² = %v for a flat curve, want NaN (nothing to explain)", m, f.R2)
			}
		}
	})
	t.Run("superlinear stays in range", func(t *testing.T) {
		cores := []float64{1, 2, 4, 8, 16, 32}
		s := []float64{1, 2.3, 4.8, 9.9, 20.5, 41}
		f, err := FitModel(USL, cores, s)
		if err != nil {
			t.Fatal(err)
		}
		if f.Sigma != 0 || f.Kappa != 0 || !(f.Lambda > 1) {
			t.Errorf("λ σ κ = %v %v %v, want λ > 1, σ = κ = 0", f.Lambda, f.Sigma, f.Kappa)
		}
		if !math.IsInf(f.PeakConcurrency, 1) || !math.IsInf(f.PeakSpeedup, 1) {
			t.Errorf("peak %v at %v, want none", f.PeakSpeedup, f.PeakConcurrency)
		}
	})
	t.Run("retrograde", func(t *testing.T) {
		cores := []float64{1, 2, 4, 8, 16, 32}
		s := curve(1, 0.1, 0.01, cores, 0, 1)
		f, err := FitModel(USL, cores, s)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(f.PeakConcurrency-math.Sqrt(0.9/0.01)) > 1e-6 {
			t.Errorf("peak at %v cores, want %v", f.PeakConcurrency, math.Sqrt(0.9/0.01))
		}
	})
	t.Run("noisy curve", func(t *testing.T) {
		cores := []float64{1, 2, 3, 4, 5, 6, 7, 8}
		s := curve(1, 0.05, 0.001, cores, 0.15, 3)
		f, err := FitModel(USL, cores, s)
		if err != nil {
			t.Fatal(err)
		}
		if !(f.Lambda > 0) || f.Sigma < 0 || f.Sigma > 1 || f.Kappa < 0 {
			t.Errorf("λ σ κ = %v %v %v out of range", f.Lambda, f.Sigma, f.Kappa)
		}
		if !(f.R2 < 1) {
			t.Errorf("R² = %v for a noisy curve, want below 1", f.R2)
		}
	})
	t.Run("two points amdahl is exact", func(t *testing.T) {
		f, err := FitModel(Amdahl, []float64{1, 2}, []float64{0.98, 1.9})
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(f.Speedup(1)-0.98) > 1e-9 || math.Abs(f.Speedup(2)-1.9) > 1e-9 {
			t.Errorf("S(1), S(2) = %v, %v, want 0.98, 1.9", f.Speedup(1), f.Speedup(2))
		}
	})

	errs := []struct {
		name     string
		model    Model
		cores, s []float64
		want     string
	}{
		{"one point", Amdahl, []float64{1}, []float64{1}, "at least 2 core counts"},
		{"usl two points", USL, []float64{1, 2}, []float64{1, 2}, "at least 3 core counts"},
		{"no points", USL, nil, nil, "at least 3"},
		{"lengths differ", Amdahl, []float64{1, 2}, []float64{1}, "2 core counts but 1 speedups"},
		{"duplicate cores", Amdahl, []float64{2, 2, 4}, []float64{1, 1, 2}, "given twice"},
		{"zero speedup", Amdahl, []float64{1, 2}, []float64{1, 0}, "cannot fit"},
		{"NaN speedup", Amdahl, []float64{1, 2}, []float64{1, math.NaN()}, "cannot fit"},
		{"zero cores", Amdahl, []float64{0, 2}, []float64{1, 2}, "cannot fit"},
		{"unknown model", "gustafson", []float64{1, 2}, []float64{1, 2}, "unknown model"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FitModel(tt.model, tt.cores, tt.s)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestTwoCoreCountWarnings: a fit through two core counts is called exact
// only when it is; a slowdown, which Amdahl cannot follow, is said to be one.
func TestTwoCoreCountWarnings(t *testing.T) {
	six := func(v float64) []float64 { return []float64{v, v * 1.001, v * 0.999, v * 1.002, v * 0.998, v} }
	tests := []struct {
		name    string
		at2     float64 // pool's time at 2 cores; 1.0 at 1 core
		want    string
		notWant string
	}{
		{"speedup: exact", 0.6, "Amdahl fits through 2 core counts are exact", "slowdown"},
		{"slowdown", 1.5, "speedup fell from 1 to 2 cores; Amdahl cannot fit a slowdown", "are exact"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := results(map[string]string{"host": "h", "jobs": "8", "n": "1000"}, map[string][]float64{
				"strategy=serial/workers=1-1": six(1),
				"strategy=pool/workers=1-1":   six(1),
				"strategy=pool/workers=2-2":   six(tt.at2),
			})
			rep, err := FromResults(rs, nil)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for _, w := range rep.Warnings {
				all = append(all, w.Error())
			}
			text := strings.Join(all, "\n")
			if !strings.Contains(text, tt.want) {
				t.Errorf("warnings\n%s\ndo not contain %q", text, tt.want)
			}
			if strings.Contains(text, tt.notWant) {
				t.Errorf("warnings\n%s\ncontain %q", text, tt.notWant)
			}
		})
	}
}
