package runfiles

import (
	"fmt"
	"testing"

	"github.com/google/pprof/profile"
)

func TestProfileName(t *testing.T) {
	tests := []struct {
		kind, strategy string
		cores, workers int
		defaultWorkers bool
		want           string
	}{
		{ProfileCPU, "pool", 4, 4, true, "cpu-pool-4.pprof"},
		{ProfileMutex, "perjob", 2, 2, true, "mutex-perjob-2.pprof"},
		{ProfileBlock, "perjob", 2, 8, false, "block-perjob-2-w8.pprof"},
		{ProfileHeap, "procpool", 16, 15, false, "heap-procpool-16-w15.pprof"},
		{ProfileTrace, "serial", 1, 1, true, "trace-serial-1.out"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := ProfileName(tt.kind, tt.strategy, tt.cores, tt.workers, tt.defaultWorkers); got != tt.want {
				t.Errorf("ProfileName(%q, %q, %d, %d, %v) = %q, want %q", tt.kind, tt.strategy, tt.cores, tt.workers, tt.defaultWorkers, got, tt.want)
			}
		})
	}
}

func TestProfileConfig(t *testing.T) {
	sample := func(labels map[string][]string) *profile.Sample { return &profile.Sample{Label: labels} }
	good := map[string][]string{LabelStrategy: {"pool"}, LabelCores: {"4"}, LabelWorkers: {"3"}}
	tests := []struct {
		name    string
		samples []*profile.Sample
		want    string // strategy/cores/workers, or "" for none
	}{
		{"labelled", []*profile.Sample{sample(good)}, "pool/4/3"},
		{"first complete sample wins", []*profile.Sample{sample(map[string][]string{LabelStrategy: {"serial"}}), sample(good)}, "pool/4/3"},
		{"no labels", []*profile.Sample{sample(nil)}, ""},
		{"cores not a number", []*profile.Sample{sample(map[string][]string{LabelStrategy: {"pool"}, LabelCores: {"four"}, LabelWorkers: {"3"}})}, ""},
		{"zero workers", []*profile.Sample{sample(map[string][]string{LabelStrategy: {"pool"}, LabelCores: {"4"}, LabelWorkers: {"0"}})}, ""},
		{"two strategies on one sample", []*profile.Sample{sample(map[string][]string{LabelStrategy: {"a", "b"}, LabelCores: {"4"}, LabelWorkers: {"3"}})}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c, w, ok := ProfileConfig(&profile.Profile{Sample: tt.samples})
			got := ""
			if ok {
				got = fmt.Sprintf("%s/%d/%d", s, c, w)
			}
			if got != tt.want {
				t.Errorf("got %q (ok %v), want %q", got, ok, tt.want)
			}
		})
	}
}
