package report

import "testing"

// TestWhereItWent: the sentence names the largest losses, and the largest
// part below zero where it offsets them by 5 points or more.
func TestWhereItWent(t *testing.T) {
	tests := []struct {
		name  string
		parts map[LossPart]float64
		want  string
	}{
		{"nothing lost", map[LossPart]float64{PartEfficiency: 1.01, PartSlowdown: -0.01},
			"pool/cores=2/workers=2: 101.0% efficient, nothing lost beyond the baseline"},
		{"three largest", map[LossPart]float64{PartEfficiency: 0.8, PartDescheduled: 0.1, PartStarved: 0.05, PartTail: 0.03, PartRampUp: 0.02},
			"pool/cores=2/workers=2: 80.0% efficient; the 20.0 points lost went to descheduled 10.0, starved 5.0, tail 3.0"},
		{"offset said", map[LossPart]float64{PartEfficiency: 0.58, PartDescheduled: 0.496, PartSlowdown: 0.044, PartOverheadNoJob: 0.034, PartBaselineOwn: -0.154},
			"pool/cores=2/workers=2: 58.0% efficient; the 42.0 points lost went to descheduled 49.6, slowdown 4.4, overhead between jobs 3.4, less baseline's own 15.4"},
		{"small offset unsaid", map[LossPart]float64{PartEfficiency: 0.9, PartDescheduled: 0.11, PartBaselineOwn: -0.01},
			"pool/cores=2/workers=2: 90.0% efficient; the 10.0 points lost went to descheduled 11.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := Row{Strategy: "pool", Cores: 2, Workers: 2, Loss: &Loss{Parts: tt.parts}}
			if got := row.WhereItWent(); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
