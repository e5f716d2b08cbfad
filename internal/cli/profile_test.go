package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/profiles"
)

// writeCPUProfile writes a CPU profile of n samples of the kernel and one
// of the scheduler, and returns its path.
func writeCPUProfile(t *testing.T, dir, name string, n int) string {
	t.Helper()
	kernel := &profile.Function{ID: 1, Name: profiles.KernelFunc}
	sched := &profile.Function{ID: 2, Name: "runtime.schedule"}
	kl := &profile.Location{ID: 1, Line: []profile.Line{{Function: kernel}}}
	sl := &profile.Location{ID: 2, Line: []profile.Line{{Function: sched}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
		Sample: []*profile.Sample{
			{Location: []*profile.Location{kl}, Value: []int64{int64(n), int64(n) * 10_000_000}},
			{Location: []*profile.Location{sl}, Value: []int64{1, 10_000_000}},
		},
		Location: []*profile.Location{kl, sl},
		Function: []*profile.Function{kernel, sched},
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportProfiles(t *testing.T) {
	dir := t.TempDir()
	pool2 := harness.TrialProfiles{Trial: harness.Trial{Strategy: "pool", Cores: 2, Workers: 2},
		Files: harness.ProfileFiles{CPU: writeCPUProfile(t, dir, "cpu-pool-2.pprof", 3)}}
	serial1 := harness.TrialProfiles{Trial: harness.Trial{Strategy: "serial", Cores: 1, Workers: 1},
		Files: harness.ProfileFiles{CPU: writeCPUProfile(t, dir, "cpu-serial-1.pprof", 9)}}
	corrupt := filepath.Join(dir, "cpu-perjob-1.pprof")
	if err := os.WriteFile(corrupt, []byte("not a profile"), 0o644); err != nil {
		t.Fatal(err)
	}
	perjob1 := harness.TrialProfiles{Trial: harness.Trial{Strategy: "perjob", Cores: 1, Workers: 1},
		Files: harness.ProfileFiles{CPU: corrupt}}
	lost := errors.New("profiling procpool cores=1 workers=1: worker died")

	tests := []struct {
		name          string
		profile       bool
		set           harness.ProfileSet
		wantRows      []string // strategy/cores, in order
		wantErr       string
		wantStderr    []string
		wantNoSummary bool
	}{
		{
			name: "rows sorted, bad profile and pass warnings reported", profile: true,
			set:      harness.ProfileSet{Dir: dir, Trials: []harness.TrialProfiles{pool2, perjob1, serial1}, Warnings: []error{lost}},
			wantRows: []string{"serial/1", "pool/2"},
			wantStderr: []string{
				"parbench: warning: profiling procpool cores=1 workers=1: worker died",
				"parbench: warning: overhead breakdown of perjob cores=1 workers=1: " + corrupt,
				"parbench: profiles of 3 configurations in " + dir + ", overhead breakdown in summary.txt",
			},
		},
		{
			name: "nothing profiled is an error", profile: true,
			set:           harness.ProfileSet{Dir: dir, Warnings: []error{lost}},
			wantErr:       "no profile could be made (the timings in bench.txt are complete)",
			wantStderr:    []string{"worker died"},
			wantNoSummary: true,
		},
		{
			name: "profiles that cannot be read are not an error", profile: true,
			set:           harness.ProfileSet{Dir: dir, Trials: []harness.TrialProfiles{perjob1}},
			wantStderr:    []string{"overhead breakdown of perjob"},
			wantNoSummary: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(filepath.Join(dir, summaryFile))
			var stderr bytes.Buffer
			c := harness.Config{Profile: tt.profile}
			rows, err := reportProfiles(&stderr, c, tt.set)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("reportProfiles = %v, want an error containing %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("reportProfiles: %v", err)
			}
			var got []string
			for _, r := range rows {
				got = append(got, r.Strategy+"/"+strconv.Itoa(r.Cores))
			}
			if strings.Join(got, " ") != strings.Join(tt.wantRows, " ") {
				t.Errorf("rows %v, want %v", got, tt.wantRows)
			}
			for _, want := range tt.wantStderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr\n%s\ndoes not contain %q", stderr.String(), want)
				}
			}
			summary, serr := os.ReadFile(filepath.Join(dir, summaryFile))
			if tt.wantNoSummary {
				if serr == nil {
					t.Errorf("summary.txt written, want none:\n%s", summary)
				}
				return
			}
			if serr != nil {
				t.Fatalf("summary.txt: %v", serr)
			}
			// serial: 9 kernel samples of 10; pool: 3 of 4.
			var lines []string
			for _, l := range strings.Split(string(summary), "\n") {
				lines = append(lines, strings.Join(strings.Fields(l), " "))
			}
			for _, want := range []string{"serial 1 1 10 0.10 90.0% 10.0%", "pool 2 2 4 0.04 75.0% 25.0%"} {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, want) }) {
					t.Errorf("summary.txt\n%s\nhas no line starting %q", summary, want)
				}
			}
		})
	}
}

// TestReportProfilesCountsWhatWasWritten is a full disk: most profiles and
// the summary could not be written, and the last line must say so.
func TestReportProfilesCountsWhatWasWritten(t *testing.T) {
	dir := t.TempDir()
	written := harness.TrialProfiles{Trial: harness.Trial{Strategy: "serial", Cores: 1, Workers: 1},
		Files: harness.ProfileFiles{CPU: writeCPUProfile(t, dir, "cpu-serial-1.pprof", 9)}}
	full := harness.TrialProfiles{Trial: harness.Trial{Strategy: "pool", Cores: 2, Workers: 2},
		Files: harness.ProfileFiles{Warnings: []string{"cpu profile: no space left on device"}}}
	set := harness.ProfileSet{Dir: filepath.Join(dir, "gone"), Trials: []harness.TrialProfiles{written, full},
		Warnings: []error{errors.New("profiling pool cores=2 workers=2: cpu profile: no space left on device")}}
	c := harness.Config{Profile: true, Strategies: []string{"serial", "pool"}, Cores: []int{1, 2}}
	var stderr bytes.Buffer
	if _, err := reportProfiles(&stderr, c, set); err != nil {
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
		t.Errorf("stderr names a summary that was not written:\n%s", got)
	}
}
