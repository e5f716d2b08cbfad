package strategies

import (
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func TestModules(t *testing.T) {
	cases := []struct {
		name  string
		names []string
		want  []string
	}{
		{"no library", []string{"serial", "pool", "static"}, nil},
		{"shared module once", []string{"ants", "serial", "ants-func"}, []string{"github.com/panjf2000/ants/v2"}},
		{"in order declared", []string{"pond", "errgroup", "conc"}, []string{"github.com/alitto/pond/v2", "golang.org/x/sync", "github.com/sourcegraph/conc"}},
		{"unknown name", []string{"nope"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Modules(tc.names); !slices.Equal(got, tc.want) {
				t.Errorf("Modules(%q) = %q, want %q", tc.names, got, tc.want)
			}
		})
	}
}

func TestModuleVersionsFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{Deps: []*debug.Module{
		{Path: "example.com/plain", Version: "v1.2.3"},
		{Path: "example.com/fork", Version: "v1.0.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.0.1"}},
		{Path: "example.com/moved", Version: "v1.0.0", Replace: &debug.Module{Path: "example.org/other", Version: "v2.0.0"}},
		{Path: "example.com/local", Version: "v1.0.0", Replace: &debug.Module{Path: "../local"}},
		// What the go command records for a directory: "(devel)".
		{Path: "example.com/devel", Version: "v0.0.0", Replace: &debug.Module{Path: "../..", Version: "(devel)"}},
		{Path: "example.com/noversion"},
	}}
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		path string
		want string
	}{
		{"plain", bi, "example.com/plain", "v1.2.3"},
		{"replaced by another version", bi, "example.com/fork", "v1.0.1"},
		{"replaced by another module", bi, "example.com/moved", "=> example.org/other v2.0.0"},
		{"replaced by a directory", bi, "example.com/local", "=> ../local (local)"},
		{"replaced by a directory, as built", bi, "example.com/devel", "=> ../.. (local)"},
		{"no version", bi, "example.com/noversion", UnknownVersion},
		{"not a dependency", bi, "example.com/absent", UnknownVersion},
		{"no build info", nil, "example.com/plain", UnknownVersion},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := moduleVersions(tc.bi, []string{tc.path})
			want := []ModuleVersion{{tc.path, tc.want}}
			if !slices.Equal(got, want) {
				t.Errorf("moduleVersions(%s) = %v, want %v", tc.path, got, want)
			}
		})
	}
}

func TestRegisteredModulesAreConfigKeys(t *testing.T) {
	// Every module a strategy declares goes into a config key
	// "module-<path>", which benchfmt accepts only without upper case or
	// space. (A test binary's build info lists no dependencies, so the
	// versions themselves are checked on a built parbench, in
	// internal/cli.)
	paths := Modules(Names())
	if len(paths) == 0 {
		t.Fatal("no strategy declares a module, want the library strategies to")
	}
	for _, p := range paths {
		if p == "" || strings.IndexFunc(p, func(r rune) bool { return unicode.IsUpper(r) || unicode.IsSpace(r) }) >= 0 {
			t.Errorf("module %q: not usable in a config key (empty, upper case or space)", p)
		}
	}
}
