package cli

import (
	"fmt"
	"io"
	"runtime/debug"

	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// parbenchModule is parbench's module path, as the build information of a
// program that runs its command line names it: the main module of
// parbench's own binary, a dependency of a user's program.
const parbenchModule = "github.com/parbench/parbench"

// Fallbacks for what neither the stamp nor the build information says.
const (
	unstampedVersion = "dev"
	unknownCommit    = strategies.UnknownVersion
)

// program is the running program as bench.txt records it: which parbench
// measured, and, when parbench runs inside another module's program (one
// that calls parbench.Main with strategies of its own), that module.
type program struct {
	// Version and Commit are parbench's.
	Version, Commit string
	// Module is the main module's path when it is not parbench; empty
	// for parbench's own binary. ModuleVersion and Revision are its
	// version and VCS revision from the build information.
	Module, ModuleVersion, Revision string
}

// readBuildInfo is this binary's build information; nil when it has none.
func readBuildInfo() *debug.BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return bi
}

// describeProgram says which program is running, from the Makefile's
// stamp (stampVersion and stampCommit, empty when not stamped) and the
// build information bi (nil when there is none). A stamp wins. Without
// one, parbench's version is, in its own binary, the main module's
// version unless that is "(devel)" (so "dev" for a build from a checkout
// without VCS stamping), and its commit the VCS revision; in another
// module's program, its version is the one the build compiled in, or
// "=> DIR (local)" for a replace by a local directory, which has no
// version of its own, and its commit is unknown (a pseudo-version holds
// it). The main module's version is "(devel)" for a build from a checkout
// without VCS stamping (-buildvcs=false), a pseudo-version with it, the
// release for go install of a tagged version; its revision is the VCS
// revision, with "-dirty" for a modified tree, or unknown without VCS
// stamping.
func describeProgram(bi *debug.BuildInfo, stampVersion, stampCommit string) program {
	p := program{Version: stampVersion, Commit: stampCommit}
	own := bi == nil || bi.Main.Path == "" || bi.Main.Path == parbenchModule
	switch {
	case own && bi != nil:
		if p.Version == "" && bi.Main.Version != "(devel)" {
			p.Version = bi.Main.Version
		}
		if p.Commit == "" {
			p.Commit = revision(bi)
		}
	case !own:
		if p.Version == "" {
			p.Version = strategies.ModuleVersionsIn(bi, []string{parbenchModule})[0].Version
		}
		p.Module = bi.Main.Path
		p.ModuleVersion = orUnknown(bi.Main.Version)
		p.Revision = orUnknown(revision(bi))
	}
	if p.Version == "" {
		p.Version = unstampedVersion
	}
	if p.Commit == "" {
		p.Commit = unknownCommit
	}
	return p
}

// revision is the VCS revision bi was built from, with "-dirty" when the
// tree had changes; empty when the build was not VCS-stamped.
func revision(bi *debug.BuildInfo) string {
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" && modified == "true" {
		rev += "-dirty"
	}
	return rev
}

func orUnknown(s string) string {
	if s == "" {
		return strategies.UnknownVersion
	}
	return s
}

// config is p as bench.txt's config lines: parbench's version and commit,
// then the main module's lines when it is not parbench.
func (p program) config() [][2]string {
	c := [][2]string{
		{runfiles.KeyVersion, p.Version},
		{runfiles.KeyCommit, p.Commit},
	}
	if p.Module != "" {
		c = append(c,
			[2]string{runfiles.KeyMainModule, p.Module},
			[2]string{runfiles.KeyMainModuleVersion, p.ModuleVersion},
			[2]string{runfiles.KeyMainModuleRevision, p.Revision})
	}
	return c
}

// printVersion is parbench version's output: parbench's version, and the
// program's own module when it is not parbench.
func printVersion(w io.Writer, p program) {
	fmt.Fprintf(w, "parbench %s\n", p.Version)
	if p.Module != "" {
		fmt.Fprintf(w, "%s %s %s\n", p.Module, p.ModuleVersion, p.Revision)
	}
}
