package cli

import (
	"bytes"
	"runtime/debug"
	"slices"
	"testing"
)

func TestDescribeProgram(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	own := func(version string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: parbenchModule, Version: version}, Settings: settings}
	}
	users := func(version string, settings []debug.BuildSetting, dep debug.Module) *debug.BuildInfo {
		dep.Path = parbenchModule
		return &debug.BuildInfo{Main: debug.Module{Path: "example.com/mypool", Version: version}, Deps: []*debug.Module{&dep}, Settings: settings}
	}
	local := debug.Module{Version: "v0.0.0", Replace: &debug.Module{Path: "../..", Version: "(devel)"}}
	released := debug.Module{Version: "v1.4.0"}
	tests := []struct {
		name                      string
		bi                        *debug.BuildInfo
		stampVersion, stampCommit string
		want                      [][2]string
	}{
		{"parbench, stamped by the Makefile", own("(devel)", vcs("0123abcd", "false")), "v1.4.0-3-g0123abc", "0123abc", [][2]string{
			{"parbench-version", "v1.4.0-3-g0123abc"}, {"parbench-commit", "0123abc"}}},
		{"parbench, built from a checkout without VCS stamping", own("(devel)", nil), "", "", [][2]string{
			{"parbench-version", "dev"}, {"parbench-commit", "unknown"}}},
		{"parbench, built from a modified checkout with VCS stamping", own("v0.0.0-20261206202651-0123abcd0123+dirty", vcs("0123abcd", "true")), "", "", [][2]string{
			{"parbench-version", "v0.0.0-20261206202651-0123abcd0123+dirty"}, {"parbench-commit", "0123abcd-dirty"}}},
		{"parbench, go install of a release", own("v1.4.0", nil), "", "", [][2]string{
			{"parbench-version", "v1.4.0"}, {"parbench-commit", "unknown"}}},
		{"no build information", nil, "", "", [][2]string{
			{"parbench-version", "dev"}, {"parbench-commit", "unknown"}}},
		{"a user's module from a checkout without VCS stamping, parbench replaced by a directory", users("(devel)", nil, local), "", "", [][2]string{
			{"parbench-version", "=> ../.. (local)"}, {"parbench-commit", "unknown"},
			{"main-module", "example.com/mypool"}, {"main-module-version", "(devel)"}, {"main-module-revision", "unknown"}}},
		{"a user's module from a checkout with VCS stamping, parbench a release", users("v0.0.0-20261206202651-fedc0987fedc", vcs("fedc0987", "false"), released), "", "", [][2]string{
			{"parbench-version", "v1.4.0"}, {"parbench-commit", "unknown"},
			{"main-module", "example.com/mypool"}, {"main-module-version", "v0.0.0-20261206202651-fedc0987fedc"}, {"main-module-revision", "fedc0987"}}},
		{"a user's module installed at a release", users("v0.2.0", nil, released), "", "", [][2]string{
			{"parbench-version", "v1.4.0"}, {"parbench-commit", "unknown"},
			{"main-module", "example.com/mypool"}, {"main-module-version", "v0.2.0"}, {"main-module-revision", "unknown"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeProgram(tt.bi, tt.stampVersion, tt.stampCommit).config()
			if !slices.Equal(got, tt.want) {
				t.Errorf("config lines\n got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestPrintVersion(t *testing.T) {
	tests := []struct {
		name string
		p    program
		want string
	}{
		{"parbench's own binary", program{Version: "v1.4.0", Commit: "0123abc"}, "parbench v1.4.0\n"},
		{"a user's module", program{Version: "=> ../.. (local)", Commit: "unknown", Module: "example.com/mypool", ModuleVersion: "(devel)", Revision: "unknown"},
			"parbench => ../.. (local)\nexample.com/mypool (devel) unknown\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			printVersion(&b, tt.p)
			if got := b.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
