package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/proftest"
	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/runfiles"
)

// writeCPUProfile writes, at path, a CPU profile of n samples of the
// kernel and one of the scheduler, labelled with labels.
func writeCPUProfile(t *testing.T, path string, n int, labels map[string][]string) {
	t.Helper()
	data, err := proftest.Kernel(n, labels)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, path, data)
}

// configLabels are the labels of a configuration's profile samples.
func configLabels(strategy string, cores, workers int) map[string][]string {
	return map[string][]string{runfiles.LabelStrategy: {strategy}, runfiles.LabelCores: {strconv.Itoa(cores)},
		runfiles.LabelWorkers: {strconv.Itoa(workers)}}
}

// writeTestFile writes data at path, making its folder.
func writeTestFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestProfileBreakdown(t *testing.T) {
	f := runfiles.Folder{Dir: t.TempDir()}
	writeCPUProfile(t, f.ProfilePath(runfiles.ProfileCPU, "pool", 2, 2, true), 3, configLabels("pool", 2, 2))
	writeCPUProfile(t, f.ProfilePath(runfiles.ProfileCPU, "pool", 2, 4, false), 1, configLabels("pool", 2, 4))
	writeCPUProfile(t, f.ProfilePath(runfiles.ProfileCPU, "serial", 1, 1, true), 9, configLabels("serial", 1, 1))
	writeCPUProfile(t, f.ProfilePath(runfiles.ProfileCPU, "static", 1, 1, true), 9, nil)
	writeCPUProfile(t, f.MergedCPUProfilePath(), 99, configLabels("pool", 2, 2))
	writeTestFile(t, f.ProfilePath(runfiles.ProfileCPU, "perjob", 1, 1, true), []byte("not a profile"))

	rows, problems := ProfileBreakdown(f)
	var got []string
	for _, r := range rows {
		got = append(got, fmt.Sprintf("%s/%d/%d %d %.2f", r.Strategy, r.Cores, r.Workers, r.Samples, r.Of(profiles.Kernel)))
	}
	// Serial first, then by name, cores and workers; the merged profile
	// is not a configuration. serial: 9 kernel samples of 10.
	want := []string{"serial/1/1 10 0.90", "pool/2/2 4 0.75", "pool/2/4 2 0.50"}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n got %q\nwant %q", got, want)
	}
	var names []string
	for _, p := range problems {
		names = append(names, filepath.Base(strings.SplitN(p.Error(), ":", 2)[0]))
	}
	if !slices.Equal(names, []string{"cpu-perjob-1.pprof", "cpu-static-1.pprof"}) {
		t.Errorf("problems %v, want one for the unreadable and one for the unlabelled profile", problems)
	}
}

// realTrace is the real trace of a small batch of 2 workers on 2 Ps that
// package profiles keeps as a fuzz seed.
func realTrace(t *testing.T) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "profiles", "testdata", "fuzz", "FuzzReadTrace", "real-batch"))
	if err != nil {
		t.Fatal(err)
	}
	_, quoted, _ := strings.Cut(strings.TrimSpace(string(data)), "[]byte(")
	s, err := strconv.Unquote(strings.TrimSuffix(quoted, ")"))
	if err != nil {
		t.Fatal(err)
	}
	return []byte(s)
}

// TestReadRunFolders: the evidence of a run folder is read once, when the
// report is loaded: the traces of its timeline batches split, its
// timelines listed with their configurations, its CPU profiles broken
// down, its profiles listed; what cannot be read is a warning naming the
// file.
func TestReadRunFolders(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	f := runfiles.Folder{Dir: dir}
	data, err := os.ReadFile(filepath.Join("testdata", "own-quiet", runfiles.BenchFile))
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, f.BenchPath(), data)
	timeline := func(strategy string, cores, workers int) []byte {
		var b bytes.Buffer
		tl := runfiles.Timeline{Strategy: strategy, Cores: cores, Workers: workers, Jobs: []runfiles.Span{{Job: 0, Start: 0, End: 1000}}}
		if err := runfiles.WriteTimelineCSV(&b, tl); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	writeTestFile(t, f.TimelinePath("pool", 2, 2, true), timeline("pool", 2, 2))
	writeTestFile(t, f.ProfilePath(runfiles.ProfileTrace, "pool", 2, 2, true), realTrace(t))
	writeTestFile(t, f.TimelinePath("serial", 1, 1, true), timeline("serial", 1, 1))
	writeTestFile(t, f.ProfilePath(runfiles.ProfileTrace, "serial", 1, 1, true), []byte("go 1.26 trace\x00\x00\x00garbage"))
	writeTestFile(t, f.TimelinePath("perjob", 1, 1, true), []byte("not,a,timeline\n"))
	writeCPUProfile(t, f.ProfilePath(runfiles.ProfileCPU, "pool", 2, 2, true), 3, configLabels("pool", 2, 2))

	inputs, err := FindInputs([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Load(inputs, fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Evidence) != 1 {
		t.Fatalf("%d evidence, want one per input", len(rep.Evidence))
	}
	ev := rep.Evidence[0]
	if ev.Machine != rep.Machines[0].Label || ev.Folder.Dir != dir {
		t.Errorf("evidence of machine %q in %s, want %q in %s", ev.Machine, ev.Folder.Dir, rep.Machines[0].Label, dir)
	}
	var timelines []string
	for _, tf := range ev.Timelines {
		timelines = append(timelines, tf.Name)
	}
	if !slices.Equal(timelines, []string{"timeline-pool-2", "timeline-serial-1"}) {
		t.Errorf("timelines %q, want pool's and serial's", timelines)
	}
	if len(ev.Traces) != 1 || ev.Traces[0].Strategy != "pool" || ev.Traces[0].Cores != 2 || !(ev.Traces[0].JobCPU > 0 && ev.Traces[0].JobCPU <= 1) {
		t.Errorf("traces %+v, want pool's split, a job CPU share in (0, 1]", ev.Traces)
	}
	if len(ev.Breakdown) != 1 || ev.Breakdown[0].Strategy != "pool" || len(ev.Profiles) != 3 || ev.HasBreakdownFile {
		t.Errorf("breakdown %+v, profiles %q, breakdown file %v; want pool's, the 2 traces and the profile, no file",
			ev.Breakdown, ev.Profiles, ev.HasBreakdownFile)
	}
	var warned []string
	for _, e := range rep.Warnings {
		var w *Warning
		if errors.As(e, &w) && w.Check == CheckEvidence {
			warned = append(warned, w.Msg)
		}
	}
	if len(warned) != 2 || !strings.Contains(warned[0], "timeline-perjob-1.csv") ||
		!strings.Contains(warned[1], "trace-serial-1.out") || !strings.Contains(warned[1], "the losses of serial/cores=1/workers=1 are not split by a trace") {
		t.Errorf("evidence warnings %q, want the unreadable timeline and the trace that does not split", warned)
	}
	// Read again, the folder gives the same, and no warning twice.
	before := len(rep.Warnings)
	rep.ReadRunFolders()
	if len(rep.Warnings) != before || len(rep.Evidence) != 1 {
		t.Errorf("read again: %d warnings, %d evidence; want %d and 1", len(rep.Warnings), len(rep.Evidence), before)
	}
}
