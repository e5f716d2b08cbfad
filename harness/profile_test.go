package harness

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

func init() {
	strategies.Register(strategies.Info{Name: "test-profile-fail", Doc: "serial, but fails every batch of the profiling pass", New: func() strategies.Strategy { return profileFailing{} }})
	strategies.Register(strategies.Info{Name: "test-worker-profiles", Doc: "serial, with made-up worker processes and their profiles", New: func() strategies.Strategy { return &fakeWorkers{} }, OutOfProcess: true})
}

// fakeWorkers runs serially and pretends to have worker processes, whose
// profile holds one sample of a function no real process runs.
type fakeWorkers struct{ profiling bool }

var (
	_ strategies.WorkerProfiler = (*fakeWorkers)(nil)
	_ strategies.WorkerCPU      = (*fakeWorkers)(nil)
)

const fakeWorkerFunc = "parbench.test.fakeWorker"

func (*fakeWorkers) Name() string { return "test-worker-profiles" }

func (*fakeWorkers) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	return strategies.Serial{}.Run(ctx, w, workers)
}

func (*fakeWorkers) LastBatchWorkerCPU() time.Duration { return 0 }

func (f *fakeWorkers) StartWorkerProfiles(context.Context) error {
	f.profiling = true
	return nil
}

func (f *fakeWorkers) StopWorkerProfiles(context.Context) (*profile.Profile, error) {
	if !f.profiling {
		return nil, errors.New("not started")
	}
	fn := &profile.Function{ID: 1, Name: fakeWorkerFunc}
	loc := &profile.Location{ID: 1, Line: []profile.Line{{Function: fn}}}
	return &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
		Sample: []*profile.Sample{{Location: []*profile.Location{loc}, Value: []int64{1, 10_000_000},
			Label: map[string][]string{"pid": {"4242"}}}},
		Location: []*profile.Location{loc},
		Function: []*profile.Function{fn},
	}, nil
}

// profileFailing passes the timed rounds and fails in the profiling pass,
// which it tells by the pprof labels that pass puts on its batches.
type profileFailing struct{}

func (profileFailing) Name() string { return "test-profile-fail" }

func (profileFailing) Run(ctx context.Context, w strategies.Workload, workers int) ([]strategies.Result, error) {
	if _, profiling := pprof.Label(ctx, runfiles.LabelStrategy); profiling {
		return nil, errors.New("test strategy fails under the profiler on purpose")
	}
	return strategies.Serial{}.Run(ctx, w, workers)
}

func TestDefaultWorkers(t *testing.T) {
	tests := []struct {
		name string
		c    Config
		t    Trial
		want bool
	}{
		{"workers = cores", Config{}, Trial{"pool", 4, 4}, true},
		{"cores - 1", Config{WorkersDelta: -1}, Trial{"pool", 4, 3}, true},
		{"serial at cores - 1", Config{WorkersDelta: -1}, Trial{"serial", 4, 1}, true},
		{"one listed count", Config{Workers: []int{8}}, Trial{"pool", 2, 8}, true},
		{"a sweep of counts", Config{Workers: []int{1, 8}}, Trial{"pool", 2, 8}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.DefaultWorkers(tt.t); got != tt.want {
				t.Errorf("defaultWorkers = %v, want %v", got, tt.want)
			}
		})
	}
}

// testCPUProfile is a small CPU profile as Go writes one, one sample per
// stack, leaf first, each with the given string labels.
func testCPUProfile(t *testing.T, labels map[string]string, stacks ...[]string) *profile.Profile {
	t.Helper()
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
	}
	fns := map[string]*profile.Location{}
	for _, stack := range stacks {
		s := &profile.Sample{Value: []int64{1, 10_000_000}}
		if len(labels) > 0 {
			s.Label = map[string][]string{}
			for k, v := range labels {
				s.Label[k] = []string{v}
			}
		}
		for _, name := range stack {
			loc, ok := fns[name]
			if !ok {
				fn := &profile.Function{ID: uint64(len(p.Function) + 1), Name: name}
				p.Function = append(p.Function, fn)
				loc = &profile.Location{ID: uint64(len(p.Location) + 1), Line: []profile.Line{{Function: fn}}}
				p.Location = append(p.Location, loc)
				fns[name] = loc
			}
			s.Location = append(s.Location, loc)
		}
		p.Sample = append(p.Sample, s)
	}
	return p
}

func encode(t *testing.T, p *profile.Profile) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// checkLabels fails unless every sample of p carries t's labels.
func checkLabels(t *testing.T, p *profile.Profile, tr Trial) {
	t.Helper()
	want := map[string]string{runfiles.LabelStrategy: tr.Strategy, runfiles.LabelCores: strconv.Itoa(tr.Cores), runfiles.LabelWorkers: strconv.Itoa(tr.Workers)}
	for i, s := range p.Sample {
		for k, v := range want {
			if got := s.Label[k]; !slices.Equal(got, []string{v}) {
				t.Fatalf("sample %d: label %s = %q, want [%s] (labels %v)", i, k, got, v, s.Label)
			}
		}
	}
}

func TestFinishCPUProfile(t *testing.T) {
	tr := Trial{"procpool", 2, 2}
	inProcess := testCPUProfile(t, map[string]string{runfiles.LabelStrategy: "procpool"},
		[]string{"runtime.chanrecv", "main"}, []string{"runtime.gcBgMarkWorker"})
	inProcess.Sample[1].Label = nil // the runtime's own work carries no labels
	worker := testCPUProfile(t, map[string]string{"pid": "4242"},
		[]string{"github.com/parbench/parbench/strategies.XORSum", "main"})
	tests := []struct {
		name        string
		raw         []byte
		workers     *profile.Profile
		wantSamples int
		wantErr     string
	}{
		{"this process only", encode(t, inProcess), nil, 2, ""},
		{"with the workers' profile", encode(t, inProcess), worker, 3, ""},
		{"not a profile", []byte("not a profile"), nil, 0, "parsing profile"},
		{"workers' profile of another kind", encode(t, inProcess), &profile.Profile{
			SampleType: []*profile.ValueType{{Type: "alloc_space", Unit: "bytes"}},
		}, 0, "merging worker profiles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var workers *profile.Profile
			if tt.workers != nil {
				workers = tt.workers.Copy()
			}
			data, err := finishCPUProfile(tt.raw, workers, tr, batchRun{batches: 3, wall: time.Second, cpu: 2 * time.Second})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("finishCPUProfile = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			p, err := profile.ParseData(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Sample) != tt.wantSamples {
				t.Errorf("%d samples, want %d", len(p.Sample), tt.wantSamples)
			}
			checkLabels(t, p, tr)
			if tt.workers != nil && !slices.ContainsFunc(p.Sample, func(s *profile.Sample) bool { return s.HasLabel("pid", "4242") }) {
				t.Error("the worker's pid label was lost")
			}
			if !slices.ContainsFunc(p.Comments, func(c string) bool { return strings.Contains(c, "3 batches") }) {
				t.Errorf("comments %q do not say how many batches ran", p.Comments)
			}
		})
	}
}

func TestMergeCPUProfiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	pool := Trial{"pool", 2, 2}
	serial := Trial{"serial", 1, 1}
	trials := []TrialProfiles{
		{Trial: pool, Files: ProfileFiles{CPU: write("cpu-pool-2.pprof", encode(t, testCPUProfile(t, nil, []string{"a"}, []string{"b"})))}},
		{Trial: serial, Files: ProfileFiles{CPU: write("cpu-serial-1.pprof", encode(t, testCPUProfile(t, nil, []string{"a"})))}},
		{Trial: Trial{"perjob", 1, 1}, Files: ProfileFiles{CPU: write("cpu-perjob-1.pprof", []byte("truncated"))}},
		{Trial: Trial{"perjob", 2, 2}, Files: ProfileFiles{CPU: filepath.Join(dir, "cpu-perjob-2.pprof")}}, // never written
		{Trial: Trial{"procpool", 1, 1}}, // no CPU profile asked for
	}
	merged, warnings := mergeCPUProfiles(trials)
	if len(warnings) != 2 {
		t.Fatalf("warnings = %v, want 2: the truncated file and the missing one", warnings)
	}
	for i, want := range []string{"cpu-perjob-1.pprof", "cpu-perjob-2.pprof"} {
		if !strings.Contains(warnings[i].Error(), want) {
			t.Errorf("warning %d = %v, want it to name %s", i, warnings[i], want)
		}
	}
	if merged == nil {
		t.Fatal("no merged profile")
	}
	count := map[string]int{}
	for _, s := range merged.Sample {
		count[s.Label[runfiles.LabelStrategy][0]+"/"+s.Label[runfiles.LabelCores][0]]++
	}
	if want := map[string]int{"pool/2": 2, "serial/1": 1}; !maps.Equal(count, want) {
		t.Errorf("merged samples by label = %v, want %v", count, want)
	}

	if merged, warnings := mergeCPUProfiles(trials[2:]); merged != nil || len(warnings) != 2 {
		t.Errorf("nothing readable: merged %v, warnings %v; want nil and 2 warnings", merged != nil, warnings)
	}
}

// newProfileRunner is a runner of this test binary that profiles into a
// fresh directory and keeps what the profiling pass reports.
func newProfileRunner(t *testing.T) (*Runner, *[]Sample, **ProfileSet) {
	t.Helper()
	r, err := NewRunner()
	if err != nil {
		t.Fatal(err)
	}
	r.Folder = runfiles.Folder{Dir: t.TempDir()}
	var samples []Sample
	var set *ProfileSet
	r.OnSample = func(s Sample) error { samples = append(samples, s); return nil }
	r.OnProfiles = func(s ProfileSet) error {
		if set != nil {
			t.Error("OnProfiles called twice")
		}
		set = &s
		return nil
	}
	return r, &samples, &set
}

// profileConfig is a quick sweep: tiny batches, a short profile.
func profileConfig(strats ...string) Config {
	return Config{
		Strategies:  strats,
		Cores:       []int{1},
		Count:       1,
		Workload:    strategies.Workload{Jobs: 16, N: 20_000},
		Profile:     true,
		ProfileTime: 100 * time.Millisecond,
	}
}

func TestProfilePass(t *testing.T) {
	if testing.Short() {
		t.Skip("starts measurement processes")
	}
	r, samples, setp := newProfileRunner(t)
	c := profileConfig("serial", "pool")
	c.Trace, c.Timeline = true, true
	var traces []string
	r.OnTimeline = func(s Sample) error {
		if s.Trace == nil || s.Trace.Path == "" {
			t.Errorf("%v: timeline batch without its trace (%+v)", s.Trial, s.Trace)
			return nil
		}
		traces = append(traces, s.Trace.Path)
		return nil
	}
	if err := r.Run(context.Background(), c); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// The execution traces come from the timeline batches, in the
	// profile directory, each a batch task with a region per job.
	for _, path := range traces {
		if filepath.Dir(path) != r.Folder.ProfileDir() {
			t.Errorf("trace %s outside %s", path, r.Folder.ProfileDir())
		}
		f, err := os.Open(path)
		if err != nil {
			t.Error(err)
			continue
		}
		ct, err := profiles.SplitTrace(f, c.Workload.Gap, profiles.TraceLimits{})
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", path, err)
		} else if ct.Jobs != c.Workload.Jobs {
			t.Errorf("%s: %d jobs in the trace, want %d", path, ct.Jobs, c.Workload.Jobs)
		}
	}
	if len(traces) != 2 {
		t.Errorf("%d traces, want one per configuration (2)", len(traces))
	}
	if len(*samples) != 2 {
		t.Errorf("%d timed samples, want 2: the profiling pass must not add any", len(*samples))
	}
	set := *setp
	if set == nil {
		t.Fatal("OnProfiles not called")
	}
	if len(set.Warnings) > 0 {
		t.Errorf("warnings: %v", set.Warnings)
	}
	if len(set.Trials) != 2 {
		t.Fatalf("%d trials profiled, want 2", len(set.Trials))
	}
	for _, tp := range set.Trials {
		f := tp.Files
		want := map[string]string{
			runfiles.ProfileCPU: f.CPU, runfiles.ProfileMutex: f.Mutex, runfiles.ProfileBlock: f.Block, runfiles.ProfileHeap: f.Heap,
		}
		for kind, path := range want {
			if wantPath := r.Folder.ProfilePath(kind, tp.Strategy, tp.Cores, tp.Workers, true); path != wantPath {
				t.Errorf("%v: %s profile at %q, want %q", tp.Trial, kind, path, wantPath)
				continue
			}
			p, err := runfiles.ReadProfile(path)
			if err != nil {
				t.Errorf("%v: %v", tp.Trial, err)
				continue
			}
			if kind == runfiles.ProfileCPU {
				checkLabels(t, p, tp.Trial)
			}
		}
		if f.Batches < 1 || tp.Wall <= 0 {
			t.Errorf("%v: %d batches in %v, want at least one", tp.Trial, f.Batches, tp.Wall)
		}
	}
	merged, err := runfiles.ReadProfile(set.Merged)
	if err != nil {
		t.Fatalf("merged profile: %v", err)
	}
	seen := map[string]bool{}
	for _, s := range merged.Sample {
		seen[s.Label[runfiles.LabelStrategy][0]] = true
	}
	if !seen["serial"] || !seen["pool"] {
		t.Errorf("merged profile has samples of %v, want serial and pool", seen)
	}
}

func TestProfilePassKeepsGoingPastBadProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts measurement processes")
	}
	r, samples, setp := newProfileRunner(t)
	c := profileConfig("serial", "test-profile-fail")
	// A directory where the serial CPU profile should go: writing it fails.
	blocked := r.Folder.ProfilePath(runfiles.ProfileCPU, "serial", 1, 1, true)
	if err := os.MkdirAll(blocked, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := r.Run(context.Background(), c); err != nil {
		t.Fatalf("Run = %v, want success: a profile is never worth the timings", err)
	}
	if len(*samples) != 2 {
		t.Errorf("%d timed samples, want 2", len(*samples))
	}
	set := *setp
	if set == nil {
		t.Fatal("OnProfiles not called")
	}
	var msgs []string
	for _, w := range set.Warnings {
		msgs = append(msgs, w.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"profiling serial cores=1 workers=1: cpu profile:",
		"profiling test-profile-fail cores=1 workers=1:",
		"fails under the profiler on purpose",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("warnings\n%s\ndo not contain %q", all, want)
		}
	}
	if len(set.Trials) != 1 {
		t.Fatalf("%d trials reported, want serial only", len(set.Trials))
	}
	f := set.Trials[0].Files
	if f.CPU != "" || f.Heap == "" || f.Block == "" {
		t.Errorf("serial files %+v, want every profile but the CPU one", f)
	}
	if set.Merged != "" || set.CPUProfiles() != 0 {
		t.Errorf("merged %q, %d CPU profiles; want none", set.Merged, set.CPUProfiles())
	}
}

func TestProfilePassNeedsADirectory(t *testing.T) {
	r, _, _ := newProfileRunner(t)
	r.Folder = runfiles.Folder{}
	err := r.Run(context.Background(), profileConfig("serial"))
	if err == nil || !strings.Contains(err.Error(), "no directory for the profiles") {
		t.Fatalf("Run = %v, want an error before anything runs", err)
	}
}

func TestProfilePassDirectoryCannotBeMade(t *testing.T) {
	if testing.Short() {
		t.Skip("starts measurement processes")
	}
	r, samples, setp := newProfileRunner(t)
	if err := os.WriteFile(r.Folder.Path("file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	r.Folder = runfiles.Folder{Dir: r.Folder.Path("file")}
	if err := r.Run(context.Background(), profileConfig("serial")); err != nil {
		t.Fatalf("Run = %v, want success with a warning", err)
	}
	if len(*samples) != 1 || *setp == nil || len((*setp).Warnings) != 1 || len((*setp).Trials) != 0 {
		t.Fatalf("samples %d, set %+v; want the sample and one warning", len(*samples), *setp)
	}
}

func TestProfilePassInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("starts measurement processes")
	}
	r, samples, setp := newProfileRunner(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r.OnProgress = func(p Progress) {
		if p.Pass == "profile" {
			cancel()
		}
	}
	c := profileConfig("serial")
	c.ProfileTime = time.Minute
	begin := time.Now()
	err := r.Run(ctx, c)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
	if took := time.Since(begin); took > 20*time.Second {
		t.Errorf("Run took %v after cancel", took)
	}
	if len(*samples) != 1 || *setp != nil {
		t.Errorf("%d samples, profiles reported %v; want the timed sample and no report", len(*samples), *setp != nil)
	}
}

func TestProfilePassMergesWorkerProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("starts measurement processes")
	}
	r, _, setp := newProfileRunner(t)
	if err := r.Run(context.Background(), profileConfig("test-worker-profiles")); err != nil {
		t.Fatal(err)
	}
	set := *setp
	if set == nil || len(set.Trials) != 1 || len(set.Warnings) > 0 {
		t.Fatalf("profile set %+v, want one trial and no warnings", set)
	}
	f := set.Trials[0].Files
	if f.Mutex != "" || f.Block != "" {
		t.Errorf("mutex %q, block %q: want none for a strategy whose work runs in other processes", f.Mutex, f.Block)
	}
	p, err := runfiles.ReadProfile(f.CPU)
	if err != nil {
		t.Fatal(err)
	}
	checkLabels(t, p, set.Trials[0].Trial)
	worker := slices.IndexFunc(p.Sample, func(s *profile.Sample) bool {
		return s.Location[0].Line[0].Function.Name == fakeWorkerFunc
	})
	if worker < 0 {
		t.Fatal("the workers' sample is not in the trial's CPU profile")
	}
	if !p.Sample[worker].HasLabel("pid", "4242") {
		t.Errorf("the workers' sample lost its pid label: %v", p.Sample[worker].Label)
	}
}

func TestProfilePassProcpool(t *testing.T) {
	if testing.Short() {
		t.Skip("starts measurement and worker processes")
	}
	if !strategies.Known("procpool") {
		t.Skip("procpool is not registered")
	}
	r, _, setp := newProfileRunner(t)
	c := profileConfig("procpool")
	c.ProfileTime = 500 * time.Millisecond
	if err := r.Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	set := *setp
	if set == nil || len(set.Trials) != 1 {
		t.Fatalf("profile set %+v, want one trial", set)
	}
	for _, w := range set.Warnings {
		t.Errorf("warning: %v", w)
	}
	p, err := runfiles.ReadProfile(set.Trials[0].Files.CPU)
	if err != nil {
		t.Fatal(err)
	}
	checkLabels(t, p, set.Trials[0].Trial)
	if !slices.ContainsFunc(p.Sample, func(s *profile.Sample) bool { return len(s.Label["pid"]) == 1 }) {
		t.Error("no sample of a worker process (label pid) in the trial's CPU profile")
	}
}
