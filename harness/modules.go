package harness

import (
	"context"

	"github.com/parbench/parbench/strategies"
)

// ModuleConfig is one config line per library module that the strategies
// of the run declare, such as "module-github.com/panjf2000/ants/v2: v2.12.1",
// read from the build information of this binary: the version that was
// measured, for a reader of bench.txt alone. Then one line per runtime
// outside the binary that they run their jobs in, such as "python: CPython
// 3.11.7", as the strategy describes the one it would run now.
func ModuleConfig(names []string) [][2]string {
	var c [][2]string
	for _, m := range strategies.ModuleVersions(strategies.Modules(names)) {
		c = append(c, [2]string{"module-" + m.Path, m.Version})
	}
	for _, r := range strategies.Runtimes(context.Background(), names) {
		c = append(c, [2]string{r.Key, r.Version})
	}
	return c
}
