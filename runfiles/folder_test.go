package runfiles

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

func TestFolderPaths(t *testing.T) {
	f := Folder{Dir: filepath.Join("results", "run")}
	tests := []struct {
		name, got, want string
	}{
		{"bench file", f.BenchPath(), "results/run/bench.txt"},
		{"a report file", f.Path(SummaryMarkdown), "results/run/summary.md"},
		{"profiles", f.ProfileDir(), "results/run/profiles"},
		{"a profile", f.ProfilePath(ProfileBlock, "perjob", 2, 8, false), "results/run/profiles/block-perjob-2-w8.pprof"},
		{"a trace", f.ProfilePath(ProfileTrace, "pool", 4, 4, true), "results/run/profiles/trace-pool-4.out"},
		{"merged", f.MergedCPUProfilePath(), "results/run/profiles/cpu-merged.pprof"},
		{"breakdown", f.BreakdownPath(), "results/run/profiles/breakdown.txt"},
		{"timeline", f.TimelinePath("pool", 2, 8, false), "results/run/timeline-pool-2-w8.csv"},
		{"benchstat's copy of an input", f.Path(BenchstatInputName(2)), "results/run/benchstat-input-2.txt"},
	}
	for _, tt := range tests {
		if got := filepath.ToSlash(tt.got); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// writeFile writes data at path, making its folder.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFolderTimelines(t *testing.T) {
	f := Folder{Dir: t.TempDir()}
	var b bytes.Buffer
	if err := WriteTimelineCSV(&b, timelineOfThree()); err != nil {
		t.Fatal(err)
	}
	// pool at 2 cores with 3 workers, traced; the same CSV under the
	// name of another configuration, not traced; and one unreadable.
	writeFile(t, f.TimelinePath("pool", 2, 3, false), b.Bytes())
	writeFile(t, f.ProfilePath(ProfileTrace, "pool", 2, 3, false), []byte("trace"))
	writeFile(t, f.TimelinePath("serial", 1, 1, true), b.Bytes())
	writeFile(t, f.TimelinePath("perjob", 1, 1, true), []byte("strategy,cores\n"))
	// Neither a timeline nor the trace of one.
	writeFile(t, f.Path("timeline.txt"), nil)
	writeFile(t, f.ProfilePath(ProfileTrace, "perjob", 2, 2, true), []byte("trace"))

	got, problems := f.Timelines()
	var names []string
	for _, tf := range got {
		names = append(names, fmt.Sprintf("%s: %s/%d/%d trace=%q", tf.Name, tf.Strategy, tf.Cores, tf.Workers, filepath.Base(tf.Trace)))
	}
	want := []string{
		`timeline-pool-2-w3: pool/2/3 trace="trace-pool-2-w3.out"`,
		// The configuration is the rows', not the name's.
		`timeline-serial-1: pool/2/3 trace="."`,
	}
	if !slices.Equal(names, want) {
		t.Errorf("timelines\n got %q\nwant %q", names, want)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "timeline-perjob-1.csv:1: wrong number of fields") {
		t.Errorf("problems %v, want one naming timeline-perjob-1.csv", problems)
	}
	if got[1].Trace != "" {
		t.Errorf("untraced timeline has trace %q, want none", got[1].Trace)
	}
	tl, err := got[0].Read()
	if err != nil || len(tl.Jobs) != 3 {
		t.Errorf("Read: %d jobs, %v; want 3", len(tl.Jobs), err)
	}
}

// TestReadTimelineHead: the configuration comes from the first job, and a
// file whose later rows are bad still names its configuration.
func TestReadTimelineHead(t *testing.T) {
	const head = "strategy,cores,workers,job,worker,start_ns,end_ns\n"
	tests := []struct {
		name, in, want, wantErr string
	}{
		{"whole file", head + "pool,2,3,0,0,0,1\npool,2,3,1,1,0,1\n", "pool/2/3", ""},
		{"bad later row", head + "pool,2,3,0,0,0,1\npool,2,3,1,1,0,x\n", "pool/2/3", ""},
		{"header only", head, "", "t.csv: no jobs"},
		{"bad first row", head + "pool,0,3,0,0,0,1\n", "", "t.csv:2: cores 0, workers 3, job 0, worker 0 out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl, err := readTimelineHead(strings.NewReader(tt.in), "t.csv")
			got, gotErr := fmt.Sprintf("%s/%d/%d", tl.Strategy, tl.Cores, tl.Workers), ""
			if err != nil {
				got, gotErr = "", err.Error()
			}
			if got != tt.want || gotErr != tt.wantErr || len(tl.Jobs) != 0 {
				t.Errorf("got %q, %d jobs, error %q; want %q, no jobs, error %q", got, len(tl.Jobs), gotErr, tt.want, tt.wantErr)
			}
		})
	}
}

// labelledProfile is a CPU profile of one sample with labels.
func labelledProfile(t *testing.T, labels map[string][]string) []byte {
	t.Helper()
	fn := &profile.Function{ID: 1, Name: "main.work"}
	loc := &profile.Location{ID: 1, Line: []profile.Line{{Function: fn}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
		Sample:     []*profile.Sample{{Location: []*profile.Location{loc}, Value: []int64{1, 10_000_000}, Label: labels}},
		Location:   []*profile.Location{loc},
		Function:   []*profile.Function{fn},
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFolderCPUProfiles(t *testing.T) {
	f := Folder{Dir: t.TempDir()}
	good := map[string][]string{LabelStrategy: {"pool"}, LabelCores: {"2"}, LabelWorkers: {"2"}}
	writeFile(t, f.ProfilePath(ProfileCPU, "pool", 2, 2, true), labelledProfile(t, good))
	writeFile(t, f.ProfilePath(ProfileCPU, "serial", 1, 1, true), labelledProfile(t, nil))
	writeFile(t, f.ProfilePath(ProfileCPU, "perjob", 1, 1, true), []byte("not a profile"))
	writeFile(t, f.MergedCPUProfilePath(), labelledProfile(t, good))
	writeFile(t, f.ProfilePath(ProfileHeap, "pool", 2, 2, true), labelledProfile(t, good))

	var got []string
	for _, path := range f.CPUProfilePaths() {
		p, err := ReadCPUProfile(path)
		if err != nil {
			got = append(got, filepath.Base(path)+": error: "+strings.TrimPrefix(err.Error(), path+": "))
			continue
		}
		got = append(got, fmt.Sprintf("%s: %s/%d/%d, %d samples", filepath.Base(p.Path), p.Strategy, p.Cores, p.Workers, len(p.Profile.Sample)))
	}
	want := []string{
		"cpu-perjob-1.pprof: error: parsing profile: unrecognized profile format",
		"cpu-pool-2.pprof: pool/2/2, 1 samples",
		"cpu-serial-1.pprof: error: no strategy, cores and workers labels",
	}
	if !slices.Equal(got, want) {
		t.Errorf("CPU profiles\n got %q\nwant %q", got, want)
	}
}

func TestFolderProfilePaths(t *testing.T) {
	f := Folder{Dir: t.TempDir()}
	for _, name := range []string{"trace-pool-2.out", "heap-pool-2.pprof", "cpu-pool-2.pprof", "block-pool-2.pprof",
		"cpu-merged.pprof", "mutex-pool-2.pprof", "cpu-perjob-2.pprof", BreakdownFile, "notes.md"} {
		writeFile(t, filepath.Join(f.ProfileDir(), name), nil)
	}
	var got []string
	for _, p := range f.ProfilePaths() {
		got = append(got, filepath.Base(p))
	}
	want := []string{"cpu-merged.pprof", "cpu-perjob-2.pprof", "cpu-pool-2.pprof", "mutex-pool-2.pprof",
		"block-pool-2.pprof", "heap-pool-2.pprof", "trace-pool-2.out"}
	if !slices.Equal(got, want) {
		t.Errorf("profile paths\n got %q\nwant %q", got, want)
	}
	if !f.HasBreakdown() {
		t.Errorf("HasBreakdown = false with %s there", BreakdownFile)
	}
	if (Folder{Dir: t.TempDir()}).HasBreakdown() {
		t.Errorf("HasBreakdown = true in an empty folder")
	}
}
