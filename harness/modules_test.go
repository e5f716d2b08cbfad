package harness

import (
	"slices"
	"testing"
)

func TestModuleConfigKeys(t *testing.T) {
	// The versions come from the build info, which a test binary lacks
	// (cmd/parbench checks them on a built binary); the keys are checked
	// here: one per module of the strategies run, none for the rest.
	cases := []struct {
		name       string
		strategies []string
		want       []string
	}{
		{"no library", []string{"serial", "pool", "procpool"}, nil},
		{"one line for a module two strategies use", []string{"serial", "ants", "ants-func"}, []string{"module-github.com/panjf2000/ants/v2"}},
		{"one line each", []string{"errgroup", "conc"}, []string{"module-golang.org/x/sync", "module-github.com/sourcegraph/conc"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var keys []string
			for _, kv := range ModuleConfig(tc.strategies) {
				if kv[1] == "" {
					t.Errorf("%s: empty version", kv[0])
				}
				keys = append(keys, kv[0])
			}
			if !slices.Equal(keys, tc.want) {
				t.Errorf("ModuleConfig(%q) keys = %q, want %q", tc.strategies, keys, tc.want)
			}
		})
	}
}
