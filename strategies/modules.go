package strategies

import (
	"context"
	"runtime/debug"
	"slices"
)

// UnknownVersion is the version of a module the build info does not list,
// as in a binary built without module support.
const UnknownVersion = "unknown"

// Modules lists the module paths that the named strategies declare in
// their registrations, each once, in the order first declared. Unknown
// names declare nothing.
func Modules(names []string) []string {
	var paths []string
	for _, n := range names {
		for _, m := range registry[n].Modules {
			if !slices.Contains(paths, m) {
				paths = append(paths, m)
			}
		}
	}
	return paths
}

// ModuleVersion is a module pair: a path and the version this binary was
// built with.
type ModuleVersion struct {
	Path, Version string
}

// ModuleVersions resolves the versions of paths from this binary's build
// information (runtime/debug.ReadBuildInfo): what was compiled in, not
// what go.mod asks for, which can differ under a replace directive or a
// workspace.
func ModuleVersions(paths []string) []ModuleVersion {
	bi, _ := debug.ReadBuildInfo() // nil without build info: every version unknown
	return moduleVersions(bi, paths)
}

// ModuleVersionsIn is ModuleVersions on the build information bi (nil:
// every version unknown), for a caller that has read it already.
func ModuleVersionsIn(bi *debug.BuildInfo, paths []string) []ModuleVersion {
	return moduleVersions(bi, paths)
}

// moduleVersions looks paths up in bi. A replaced module has the version
// of its replacement, and the replacement's path after "=>" when it is
// another module; a local directory replacement has no version (the go
// command records "(devel)" for it) and says so.
func moduleVersions(bi *debug.BuildInfo, paths []string) []ModuleVersion {
	out := make([]ModuleVersion, 0, len(paths))
	for _, p := range paths {
		v := ModuleVersion{Path: p, Version: UnknownVersion}
		if bi != nil {
			if i := slices.IndexFunc(bi.Deps, func(m *debug.Module) bool { return m.Path == p }); i >= 0 {
				v.Version = describeModule(bi.Deps[i])
			}
		}
		out = append(out, v)
	}
	return out
}

func describeModule(m *debug.Module) string {
	r := m.Replace
	switch {
	case r == nil:
		return orUnknownVersion(m.Version)
	case r.Path == m.Path:
		return orUnknownVersion(r.Version)
	case r.Version == "" || r.Version == "(devel)":
		return "=> " + r.Path + " (local)"
	default:
		return "=> " + r.Path + " " + r.Version
	}
}

func orUnknownVersion(v string) string {
	if v == "" {
		return UnknownVersion
	}
	return v
}

// Runtime is a program outside this binary that a strategy runs its jobs
// in, such as a Python interpreter: the build information cannot give its
// version, so the strategy says it, and it goes on record beside the
// library modules'.
type Runtime struct {
	// Key names the config line, such as "python".
	Key string
	// Version is the implementation and version, such as "CPython 3.11.7".
	Version string
}

// RuntimeDescriber is implemented by strategies that run their jobs in a
// Runtime. DescribeRuntime says which one the strategy would run now; on
// failure it still returns the Runtime's Key, with the error.
type RuntimeDescriber interface {
	DescribeRuntime(ctx context.Context) (Runtime, error)
}

// Runtimes describes the runtimes of the named strategies, each key once,
// in the order first met. A runtime that cannot say has UnknownVersion;
// unknown names and strategies without a runtime give nothing. It makes
// one instance of each named strategy, as a trial does, to ask it.
func Runtimes(ctx context.Context, names []string) []Runtime {
	var out []Runtime
	for _, n := range names {
		info, ok := registry[n]
		if !ok {
			continue
		}
		d, ok := info.New().(RuntimeDescriber)
		if !ok {
			continue
		}
		r, err := d.DescribeRuntime(ctx)
		if slices.ContainsFunc(out, func(o Runtime) bool { return o.Key == r.Key }) {
			continue
		}
		if err != nil || r.Version == "" {
			r.Version = UnknownVersion
		}
		out = append(out, r)
	}
	return out
}
