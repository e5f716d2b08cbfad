package harness

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/parbench/parbench/strategies"
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

// Strategies that run their jobs in a runtime of their own, for
// TestModuleConfigRuntimes.
func init() {
	for _, r := range []struct {
		name    string
		runtime strategies.Runtime
		err     error
	}{
		{"test-runtime", strategies.Runtime{Key: "toy", Version: "ToyPython 3.11.7"}, nil},
		{"test-runtime-twin", strategies.Runtime{Key: "toy", Version: "ToyPython 3.11.7"}, nil},
		{"test-runtime-missing", strategies.Runtime{Key: "gone"}, errors.New("gone3 not found on PATH")},
	} {
		strategies.Register(strategies.Info{Name: r.name, Doc: "serial, in a runtime that says what it is",
			New: func() strategies.Strategy { return runtimeStrategy{r.runtime, r.err} }})
	}
}

type runtimeStrategy struct {
	runtime strategies.Runtime
	err     error
}

func (runtimeStrategy) Name() string { return "test-runtime" }

func (runtimeStrategy) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	return strategies.Serial{}.Run(ctx, w, workers)
}

func (s runtimeStrategy) DescribeRuntime(context.Context) (strategies.Runtime, error) {
	return s.runtime, s.err
}

// anyVersion stands for a module's version, which a test binary's build
// information may or may not give.
const anyVersion = "<any version>"

// TestModuleConfigRuntimes: after the modules, one config line per runtime
// of the run's strategies, as the strategy describes it, each key once; a
// runtime that cannot say is unknown.
func TestModuleConfigRuntimes(t *testing.T) {
	cases := []struct {
		name       string
		strategies []string
		want       [][2]string
	}{
		{"none", []string{"serial", "pool"}, nil},
		{"one", []string{"serial", "test-runtime"}, [][2]string{{"toy", "ToyPython 3.11.7"}}},
		{"once for two strategies", []string{"test-runtime", "test-runtime-twin"}, [][2]string{{"toy", "ToyPython 3.11.7"}}},
		{"unknown", []string{"test-runtime-missing", "test-runtime"},
			[][2]string{{"gone", strategies.UnknownVersion}, {"toy", "ToyPython 3.11.7"}}},
		{"after the modules", []string{"test-runtime", "ants"},
			[][2]string{{"module-github.com/panjf2000/ants/v2", anyVersion}, {"toy", "ToyPython 3.11.7"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := ModuleConfig(tc.strategies)
			match := func(g, w [2]string) bool { return g[0] == w[0] && (g[1] == w[1] || w[1] == anyVersion && g[1] != "") }
			if !slices.EqualFunc(got, tc.want, match) {
				t.Errorf("ModuleConfig(%q) = %q, want %q", tc.strategies, got, tc.want)
			}
		})
	}
}
