package cli

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/runfiles"
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
		{"libs-cpu", 128, strategies.DefaultN}, // the cpu preset's batch
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

func TestRunPresetLibsRunsBothParts(t *testing.T) {
	// -preset libs is the libs-cpu sweep, then the libs-fine sweep, each in
	// a run folder of its own with its own workload; the user's flags apply
	// to both. Then one report of both goes into a folder of its own,
	// unless -report=false.
	for _, tc := range []struct {
		name     string
		flags    []string
		combined bool
	}{
		{"with the report", []string{"-benchstat", "", "-format", "svg"}, true},
		{"-report=false", []string{"-report=false"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "results")
			args := append([]string{"run", "-preset", "libs", "-cpu", "1", "-count", "1", "-warmup", "0",
				"-n", "10", "-strategy", "serial,static", "-timeline=false", "-o", root}, tc.flags...)
			status, _, stderr := runParbench(t, args...)
			if status != 0 {
				t.Fatalf("exit status %d, want 0; stderr:\n%s", status, stderr)
			}
			entries, err := os.ReadDir(root)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{} // preset: jobs
			var reports []string
			for _, e := range entries {
				if !e.IsDir() || e.Name() == "latest" {
					continue
				}
				if strings.HasPrefix(e.Name(), "report-") {
					reports = append(reports, filepath.Join(root, e.Name()))
					continue
				}
				text, err := os.ReadFile(filepath.Join(root, e.Name(), "bench.txt"))
				if err != nil {
					t.Fatal(err)
				}
				var rs []*benchfmt.Result
				for _, r := range readBench(t, text) {
					// The sweep's own lines: the meter and the ceiling.
					if n := r.Name.String(); strings.HasPrefix(n, "XORSum/") && !strings.Contains(n, "strategy=ceiling/") {
						rs = append(rs, r)
					}
				}
				if len(rs) != 2 {
					t.Errorf("%s: %d samples, want 2 (serial and static, one round)", e.Name(), len(rs))
					continue
				}
				if n := rs[0].GetConfig("n"); n != "10" {
					t.Errorf("%s: n %q, want the user's 10", e.Name(), n)
				}
				got[rs[0].GetConfig("preset")] = rs[0].GetConfig("jobs")
			}
			want := map[string]string{"libs-cpu": "128", "libs-fine": "100000"}
			if len(got) != len(want) || got["libs-cpu"] != want["libs-cpu"] || got["libs-fine"] != want["libs-fine"] {
				t.Errorf("runs by preset (jobs) = %v, want %v", got, want)
			}
			if !tc.combined {
				if len(reports) > 0 {
					t.Errorf("report folders %q with -report=false", reports)
				}
				return
			}
			if len(reports) != 1 || !strings.HasSuffix(reports[0], "-libs") {
				t.Fatalf("report folders %q, want one report-<time>-libs", reports)
			}
			if !strings.Contains(stderr, "parbench: preset libs: one report of its 2 sweeps into "+reports[0]+"\n") {
				t.Errorf("stderr does not say where the report of both went:\n%s", stderr)
			}
			text, err := os.ReadFile(filepath.Join(reports[0], runfiles.SummaryText))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"Results of 2 workloads", "\n== libs-cpu ==\n", "\n== libs-fine ==\n",
				"\nstatic    libs-cpu", "\nstatic    libs-fine"} {
				if !strings.Contains(string(text), want) {
					t.Errorf("summary.txt of both lacks %q:\n%s", want, text)
				}
			}
			if _, err := os.Stat(filepath.Join(reports[0], runfiles.ReportHTML)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestRunPresetLibsBadInput(t *testing.T) {
	// A bad flag fails the first part before anything is measured: an
	// error line naming the part and the flag, exit status 2, no run
	// folder, and no second part.
	root := filepath.Join(t.TempDir(), "results")
	status, _, stderr := runParbench(t, "run", "-preset", "libs", "-cpu", "0", "-o", root)
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	last := lines[len(lines)-1]
	if status != exitUsage || !strings.Contains(last, "libs-cpu") || !strings.Contains(last, "-cpu") {
		t.Errorf("exit status %d, stderr %q; want %d and an error naming libs-cpu and -cpu", status, stderr, exitUsage)
	}
	if strings.Contains(stderr, "libs-fine") {
		t.Errorf("stderr %q: the second part ran after the first failed", stderr)
	}
	if entries, _ := os.ReadDir(root); len(entries) > 0 {
		t.Errorf("%d entries in %s after a usage error, want none", len(entries), root)
	}
}
