package harness

import "github.com/parbench/parbench/strategies"

// ModuleConfig is one config line per library module that the strategies
// of the run declare, such as "module-github.com/panjf2000/ants/v2: v2.12.1",
// read from the build information of this binary: the version that was
// measured, for a reader of bench.txt alone.
func ModuleConfig(names []string) [][2]string {
	var c [][2]string
	for _, m := range strategies.ModuleVersions(strategies.Modules(names)) {
		c = append(c, [2]string{"module-" + m.Path, m.Version})
	}
	return c
}
