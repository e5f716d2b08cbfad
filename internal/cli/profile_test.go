package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/internal/proftest"
	"github.com/parbench/parbench/runfiles"
)

// writeCPUProfile writes the CPU profile of a configuration into the
// folder's profiles, n samples of the kernel and one of the scheduler,
// labelled as the profiling pass labels them, and returns its path.
func writeCPUProfile(t *testing.T, folder runfiles.Folder, strategy string, cores, workers, n int) string {
	t.Helper()
	labels := map[string][]string{runfiles.LabelStrategy: {strategy}, runfiles.LabelCores: {strconv.Itoa(cores)}, runfiles.LabelWorkers: {strconv.Itoa(workers)}}
	data, err := proftest.Kernel(n, labels)
	if err != nil {
		t.Fatal(err)
	}
	path := folder.ProfilePath(runfiles.ProfileCPU, strategy, cores, workers, true)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportProfiles(t *testing.T) {
	lost := errors.New("profiling procpool cores=1 workers=1: worker died")
	// Each case's profiling pass leaves its files in a folder of its own.
	trial := func(strategy string, cores, workers int, path string) harness.TrialProfiles {
		return harness.TrialProfiles{Trial: harness.Trial{Strategy: strategy, Cores: cores, Workers: workers}, Files: harness.ProfileFiles{CPU: path}}
	}
	corrupt := func(t *testing.T, folder runfiles.Folder) harness.TrialProfiles {
		path := folder.ProfilePath(runfiles.ProfileCPU, "perjob", 1, 1, true)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("not a profile"), 0o644); err != nil {
			t.Fatal(err)
		}
		return trial("perjob", 1, 1, path)
	}
	tests := []struct {
		name       string
		pass       func(t *testing.T, f runfiles.Folder) harness.ProfileSet
		wantErr    string
		wantStderr []string // each with %s for the profiles folder
		wantRows   []string // the breakdown table's rows, in order; nil for no table
	}{
		{
			name: "rows sorted, bad profile and pass warnings reported",
			pass: func(t *testing.T, f runfiles.Folder) harness.ProfileSet {
				return harness.ProfileSet{Dir: f.ProfileDir(), Warnings: []error{lost}, Trials: []harness.TrialProfiles{
					trial("pool", 2, 2, writeCPUProfile(t, f, "pool", 2, 2, 3)), corrupt(t, f),
					trial("serial", 1, 1, writeCPUProfile(t, f, "serial", 1, 1, 9))}}
			},
			wantStderr: []string{
				"parbench: warning: profiling procpool cores=1 workers=1: worker died",
				"parbench: warning: overhead breakdown: %s/cpu-perjob-1.pprof: ",
				"parbench: profiles of 3 configurations in %s, overhead breakdown in breakdown.txt",
			},
			// serial: 9 kernel samples of 10; pool: 3 of 4.
			wantRows: []string{"serial 1 1 10 0.10 90.0% 10.0%", "pool 2 2 4 0.04 75.0% 25.0%"},
		},
		{
			name: "nothing profiled is an error",
			pass: func(t *testing.T, f runfiles.Folder) harness.ProfileSet {
				return harness.ProfileSet{Dir: f.ProfileDir(), Warnings: []error{lost}}
			},
			wantErr:    "no profile could be made (the timings in bench.txt are complete)",
			wantStderr: []string{"worker died"},
		},
		{
			name: "profiles that cannot be read are not an error",
			pass: func(t *testing.T, f runfiles.Folder) harness.ProfileSet {
				return harness.ProfileSet{Dir: f.ProfileDir(), Trials: []harness.TrialProfiles{corrupt(t, f)}}
			},
			wantStderr: []string{"overhead breakdown: %s/cpu-perjob-1.pprof", "profiles of 1 configurations in %s\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			folder := runfiles.Folder{Dir: t.TempDir()}
			set := tt.pass(t, folder)
			var stderr bytes.Buffer
			err := reportProfiles(&stderr, harness.Config{Profile: true}, folder, set)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("reportProfiles = %v, want an error containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("reportProfiles: %v", err)
			}
			for _, want := range tt.wantStderr {
				if want = strings.ReplaceAll(want, "%s", folder.ProfileDir()); !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr\n%s\ndoes not contain %q", stderr.String(), want)
				}
			}
			table, terr := os.ReadFile(folder.BreakdownPath())
			if tt.wantRows == nil {
				if terr == nil {
					t.Errorf("%s written, want none:\n%s", runfiles.BreakdownFile, table)
				}
				return
			}
			if terr != nil {
				t.Fatalf("%s: %v", runfiles.BreakdownFile, terr)
			}
			var rows []string
			for _, l := range strings.Split(string(table), "\n") {
				if f := strings.Fields(l); len(f) > 0 && f[0] != "#" && f[0] != "strategy" {
					rows = append(rows, strings.Join(f, " "))
				}
			}
			for i, want := range tt.wantRows {
				if i >= len(rows) || !strings.HasPrefix(rows[i], want) {
					t.Errorf("%s rows\n%s\nwant row %d to start %q", runfiles.BreakdownFile, strings.Join(rows, "\n"), i+1, want)
				}
			}
			if len(rows) != len(tt.wantRows) {
				t.Errorf("%d rows in %s, want %d", len(rows), runfiles.BreakdownFile, len(tt.wantRows))
			}
		})
	}
}

// TestReportProfilesCountsWhatWasWritten is a full disk: most profiles and
// the breakdown could not be written, and the last line must say so.
func TestReportProfilesCountsWhatWasWritten(t *testing.T) {
	folder := runfiles.Folder{Dir: t.TempDir()}
	written := harness.TrialProfiles{Trial: harness.Trial{Strategy: "serial", Cores: 1, Workers: 1},
		Files: harness.ProfileFiles{CPU: writeCPUProfile(t, folder, "serial", 1, 1, 9)}}
	full := harness.TrialProfiles{Trial: harness.Trial{Strategy: "pool", Cores: 2, Workers: 2},
		Files: harness.ProfileFiles{Warnings: []string{"cpu profile: no space left on device"}}}
	set := harness.ProfileSet{Dir: folder.ProfileDir(), Trials: []harness.TrialProfiles{written, full},
		Warnings: []error{errors.New("profiling pool cores=2 workers=2: cpu profile: no space left on device")}}
	// The breakdown cannot be written: a folder is where it goes.
	if err := os.Mkdir(folder.BreakdownPath(), 0o755); err != nil {
		t.Fatal(err)
	}
	c := harness.Config{Profile: true, Strategies: []string{"serial", "pool"}, Cores: []int{1, 2}}
	var stderr bytes.Buffer
	if err := reportProfiles(&stderr, c, folder, set); err != nil {
		t.Fatal(err)
	}
	got := stderr.String()
	for _, want := range []string{
		"parbench: warning: profiling pool cores=2 workers=2: cpu profile: no space left on device\n",
		"parbench: warning: overhead breakdown: ",
		"parbench: profiles of 1 of 4 configurations in " + set.Dir + " (the others: warnings above)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr\n%s\ndoes not contain %q", got, want)
		}
	}
	if strings.Contains(got, "overhead breakdown in") {
		t.Errorf("stderr names a breakdown that was not written:\n%s", got)
	}
}
