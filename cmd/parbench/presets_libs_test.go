package main

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/parbench/parbench/strategies"
)

func TestLibsPresets(t *testing.T) {
	// Both libs presets run the same strategies: serial, pool, static and
	// every strategy that declares a library module, and nothing else; they
	// differ in the workload only.
	want := []string{"serial", "pool", "static"}
	for _, n := range strategies.Names() {
		if info, _ := strategies.Lookup(n); len(info.Modules) > 0 {
			want = append(want, n)
		}
	}
	for _, lib := range []string{"errgroup", "ants", "ants-func", "pond", "conc"} {
		if !slices.Contains(want, lib) {
			t.Fatalf("%s declares no module, want it among the library strategies", lib)
		}
	}
	cases := []struct {
		preset string
		jobs   int
		n      int64
	}{
		{"libs-cpu", 0, strategies.DefaultN}, // 0: the -jobs default
		{"libs-fine", 100000, 1000},
	}
	for _, tc := range cases {
		t.Run(tc.preset, func(t *testing.T) {
			var f runFlags
			fs := newRunFlagSet(io.Discard, &f)
			defaultJobs := f.jobs
			if err := applyPreset(fs, tc.preset, 2); err != nil {
				t.Fatal(err)
			}
			got := strings.Split(f.strategy, ",")
			if !sameSet(got, want) {
				t.Errorf("-strategy %q, want the set %q", f.strategy, want)
			}
			wantJobs := tc.jobs
			if wantJobs == 0 {
				wantJobs = defaultJobs
			}
			if f.jobs != wantJobs || f.n != tc.n {
				t.Errorf("-jobs %d -n %d, want -jobs %d -n %d", f.jobs, f.n, wantJobs, tc.n)
			}
			if _, err := parseRunConfig(f, 2); err != nil {
				t.Errorf("parseRunConfig: %v", err)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}
