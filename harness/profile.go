package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/google/pprof/profile"

	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

// The profiling pass runs after the timed rounds, so no profiler ever runs
// during a timed batch. Every trial gets a fresh measurement process of its
// own: the mutex, block and heap profiles count from the start of a
// process and cannot be reset, so sharing a process would mix trials.
// Inside it, after the warm-up, come three phases, each with batches of
// its own so that one instrument does not show up in another's numbers:
//
//  1. CPU: the CPU profiler (100 Hz) over batches until the process and its
//     workers have used Config.ProfileTime of CPU, or twice that much wall
//     time has passed (batches that mostly sleep, a machine that is busy
//     with something else), and at least one batch. The batches run under
//     pprof.Do with the trial's labels.
//  2. Contention, for strategies whose work runs in this process (not
//     registered OutOfProcess): every mutex contention and blocking event
//     recorded, over batches for a third of ProfileTime, at least one.
//
// The heap profile is written before the trace and covers the process up
// to then, warm-up included.

// DefaultProfileTime gives about 300 CPU samples at the profiler's 100 Hz
// per trial: a category's share to within a few percent.
const DefaultProfileTime = 3 * time.Second

// profileRequest asks a measurement process for the profiling pass of one
// configuration.
type profileRequest struct {
	Dir            string        `json:"dir"`
	DefaultWorkers bool          `json:"default_workers"` // the trial's files get the short names
	CPU            bool          `json:"cpu"`             // CPU, mutex, block and heap profiles
	Time           time.Duration `json:"time"`            // Config.ProfileTime, defaulted
}

// ProfileFiles are the files the profiling pass wrote for one trial, as
// paths; a path is empty when its file was not written.
type ProfileFiles struct {
	CPU   string `json:"cpu,omitempty"`
	Mutex string `json:"mutex,omitempty"`
	Block string `json:"block,omitempty"`
	Heap  string `json:"heap,omitempty"`
	// Batches is how many batches ran under the CPU profiler.
	Batches int `json:"batches,omitempty"`
	// Warnings say which files could not be made, and why.
	Warnings []string `json:"warnings,omitempty"`
}

// TrialProfiles is the profiling pass of one trial. Wall and CPU are
// those of the CPU-profiled batches (of the traced batch without -profile),
// workers' CPU included; they are not timings.
type TrialProfiles struct {
	Trial
	Files ProfileFiles
	Wall  time.Duration
	CPU   time.Duration
}

// ProfileSet is what a profiling pass wrote.
type ProfileSet struct {
	Dir string
	// Trials are the trials whose measurement process finished, in the
	// order they ran.
	Trials []TrialProfiles
	// Merged is the path of runfiles.MergedCPUProfile, or empty if no CPU profile
	// could be read.
	Merged string
	// Warnings are every file that could not be made and every trial
	// that could not be profiled, with the reason. They never touch the
	// timed samples.
	Warnings []error
}

// CPUProfiles counts the trials with a CPU profile.
func (s ProfileSet) CPUProfiles() int {
	n := 0
	for _, t := range s.Trials {
		if t.Files.CPU != "" {
			n++
		}
	}
	return n
}

// checkProfiling rejects a sweep that asks for profiles the runner has
// nowhere to put, before anything runs.
func (r *Runner) checkProfiling(c Config) error {
	if (c.Profile || c.Trace) && r.Folder.Dir == "" {
		return errors.New("profile: no directory for the profiles (Runner.Folder)")
	}
	return nil
}

// profilePass runs the profiling pass of sweep c when it asks for one:
// each trial in a fresh measurement process of its own (its warm-ups, then
// one profile request), then the merged CPU profile, then OnProfiles. A
// trial that cannot be profiled, or a directory that cannot be made, is a
// warning in the set, not an error: the timed samples are in by then and
// must not be lost to a profile. A process that fails is counted
// (OnProcessFault) and replaced, up to MaxProcessFailures times per trial.
// Core counts the sweep gave up on are skipped. Only cancellation and
// OnProfiles's error stop the pass with an error.
func (r *Runner) profilePass(ctx context.Context, c Config, begin time.Time, givenUp map[int][]string) error {
	if !c.Profile {
		return nil
	}
	dir := r.Folder.ProfileDir()
	set := ProfileSet{Dir: dir}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		set.Warnings = append(set.Warnings, fmt.Errorf("profiles: %w", err))
		if r.OnProfiles != nil {
			return r.OnProfiles(set)
		}
		return nil
	}
	budget := c.ProfileTime
	if budget <= 0 {
		budget = DefaultProfileTime
	}
	total := c.Count * len(c.Trials())
	for _, t := range c.ProfileTrials() {
		if givenUp[t.Cores] != nil {
			continue
		}
		if r.OnProgress != nil {
			r.OnProgress(Progress{Trial: t, Round: -1, Rounds: c.Count, Done: total, Total: total,
				Elapsed: time.Since(begin), Pass: "profile"})
		}
		pr := &profileRequest{Dir: dir, DefaultWorkers: c.DefaultWorkers(t), CPU: c.Profile, Time: budget}
		s, err := r.profileOne(ctx, c, t, pr, begin)
		if ctx.Err() != nil {
			if err == nil { // the process ended just before the cancel
				err = fmt.Errorf("interrupted: %w", ctx.Err())
			}
			return err
		}
		if err != nil {
			set.Warnings = append(set.Warnings, fmt.Errorf("profiling %v: %w", t, err))
			continue
		}
		got := &TrialProfiles{Trial: s.Trial, Files: *s.Profiles, Wall: s.Wall, CPU: s.CPU}
		if err := got.check(dir); err != nil {
			set.Warnings = append(set.Warnings, fmt.Errorf("profiling %v: %w", t, err))
			continue
		}
		for _, w := range got.Files.Warnings {
			set.Warnings = append(set.Warnings, fmt.Errorf("profiling %v: %s", t, w))
		}
		set.Trials = append(set.Trials, *got)
	}
	if c.Profile {
		merged, warnings := mergeCPUProfiles(set.Trials)
		set.Warnings = append(set.Warnings, warnings...)
		if merged != nil {
			path := r.Folder.MergedCPUProfilePath()
			if err := writeProfile(path, merged); err != nil {
				set.Warnings = append(set.Warnings, fmt.Errorf("%s: %w", runfiles.MergedCPUProfile, err))
			} else {
				set.Merged = path
			}
		}
	}
	if r.OnProfiles != nil {
		return r.OnProfiles(set)
	}
	return nil
}

// profileOne profiles t in a fresh process, replacing one that fails.
func (r *Runner) profileOne(ctx context.Context, c Config, t Trial, pr *profileRequest, begin time.Time) (Sample, error) {
	wd := r.Watchdog
	if wd.Factor <= 0 {
		wd = DefaultWatchdog
	}
	// The profile time runs on top of the batches: a CPU phase of up to
	// twice it in wall time, the contention phase and a traced batch.
	limit := wd.limit(Trial{}, c.Workload, nil) + 4*pr.Time
	var causes []string
	for {
		s, err := r.profileIn(ctx, c, t, pr, limit)
		var pe *ProcessError
		if err == nil || !errors.As(err, &pe) || ctx.Err() != nil {
			return s, err
		}
		if r.OnProcessFault != nil {
			if err := r.OnProcessFault(ProcessFault{Cores: t.Cores, Trial: &t, Step: "profile", Cause: pe.Err.Error(), Elapsed: time.Since(begin)}); err != nil {
				return s, err
			}
		}
		if causes = append(causes, pe.Err.Error()); len(causes) >= MaxProcessFailures {
			return s, fmt.Errorf("gave up after %d measurement-process failures (%s)", len(causes), strings.Join(causes, "; "))
		}
	}
}

// profileIn is one process's try at profiling t.
func (r *Runner) profileIn(ctx context.Context, c Config, t Trial, pr *profileRequest, limit time.Duration) (Sample, error) {
	s, err := r.startSession(ctx, t.Cores, c.Workload, limit)
	if err != nil {
		return Sample{}, err
	}
	defer s.kill()
	for i := range c.Warmup {
		if _, err := s.do(ctx, request{Kind: kindWarmup, Trial: t, Index: i + 1}, limit); err != nil {
			return Sample{}, err
		}
	}
	got, err := s.do(ctx, request{Kind: kindProfile, Trial: t, Profile: pr}, limit)
	if err != nil {
		return got, err
	}
	if got.Profiles == nil {
		return got, fmt.Errorf("measurement process sent no profiles for %v", t)
	}
	if err := s.close(); err != nil {
		return got, err
	}
	return got, nil
}

// check makes sure a measurement process named only files in dir, so a
// confused child cannot point the caller at other files.
func (tp *TrialProfiles) check(dir string) error {
	f := tp.Files
	for _, p := range []string{f.CPU, f.Mutex, f.Block, f.Heap} {
		if p != "" && filepath.Dir(p) != filepath.Clean(dir) {
			return fmt.Errorf("measurement process reported %s, outside %s", p, dir)
		}
	}
	return nil
}

// mergeCPUProfiles reads the trials' CPU profiles and merges them, each
// sample labelled with its trial. A profile that cannot be read or merged
// is left out with a warning; the result is nil if none could be.
func mergeCPUProfiles(trials []TrialProfiles) (*profile.Profile, []error) {
	var warnings []error
	var ps []*profile.Profile
	for _, t := range trials {
		if t.Files.CPU == "" {
			continue
		}
		p, err := runfiles.ReadProfile(t.Files.CPU)
		if err != nil {
			warnings = append(warnings, err)
			continue
		}
		labelSamples(p, t.Trial)
		ps = append(ps, p)
	}
	if len(ps) == 0 {
		return nil, warnings
	}
	merged, err := profile.Merge(ps)
	if err != nil {
		return nil, append(warnings, fmt.Errorf("merging CPU profiles: %w", err))
	}
	merged.Comments = []string{fmt.Sprintf("parbench: %d CPU profiles merged; samples labelled %s, %s and %s",
		len(ps), runfiles.LabelStrategy, runfiles.LabelCores, runfiles.LabelWorkers)}
	return merged, warnings
}

// writeProfile writes p, gzipped, through a temporary file.
func writeProfile(path string, p *profile.Profile) error {
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		return err
	}
	return runfiles.WriteFileAtomic(path, b.Bytes())
}

// trialLabels are the pprof labels of a trial's samples.
func trialLabels(t Trial) pprof.LabelSet {
	return pprof.Labels(runfiles.LabelStrategy, t.Strategy, runfiles.LabelCores, strconv.Itoa(t.Cores), runfiles.LabelWorkers, strconv.Itoa(t.Workers))
}

// labelSamples gives every sample of p its trial's labels. pprof.Do labels
// only the goroutines the trial starts; the runtime's own work (the
// collector, the scheduler) and worker processes' samples need them too,
// so that -tagfocus on a merged profile keeps all of a trial's time.
func labelSamples(p *profile.Profile, t Trial) {
	for _, s := range p.Sample {
		if s.Label == nil {
			s.Label = map[string][]string{}
		}
		s.Label[runfiles.LabelStrategy] = []string{t.Strategy}
		s.Label[runfiles.LabelCores] = []string{strconv.Itoa(t.Cores)}
		s.Label[runfiles.LabelWorkers] = []string{strconv.Itoa(t.Workers)}
	}
}

// batchRun is what a run of profiled batches took.
type batchRun struct {
	batches   int
	wall, cpu time.Duration // cpu includes the workers'
}

// runBatchesFor runs verified batches, at least one, until the process and
// its workers have used cpuBudget of CPU time or wallBudget of wall time
// has passed. A zero budget is no limit; with both zero it runs one batch.
func runBatchesFor(ctx context.Context, st strategies.Strategy, w strategies.Workload, workers int, cpuBudget, wallBudget time.Duration) (batchRun, error) {
	var r batchRun
	var workerCPU time.Duration
	wc, remote := st.(strategies.WorkerCPU)
	cpu0 := processCPU()
	begin := time.Now()
	for {
		if _, err := runBatch(ctx, st, w, workers); err != nil {
			return r, fmt.Errorf("profiled batch %d: %w", r.batches+1, err)
		}
		r.batches++
		if remote {
			workerCPU += wc.LastBatchWorkerCPU()
		}
		r.wall = time.Since(begin)
		r.cpu = processCPU() - cpu0 + workerCPU
		switch {
		case cpuBudget == 0 && wallBudget == 0,
			cpuBudget > 0 && r.cpu >= cpuBudget,
			wallBudget > 0 && r.wall >= wallBudget:
			return r, nil
		}
	}
}

// profileTrial is the profiling pass of one trial, after its set-up and
// warm-up: the phases described at the top of this file. A batch that
// fails is an error; a profile that cannot be made or written is a warning
// in the sample's ProfileFiles, and the other files are still made.
func profileTrial(ctx context.Context, st strategies.Strategy, w strategies.Workload, pr *profileRequest, s Sample) (Sample, error) {
	files := &ProfileFiles{}
	s.Profiles = files
	warn := func(kind string, err error) {
		files.Warnings = append(files.Warnings, fmt.Sprintf("%s profile: %v", kind, err))
	}
	path := func(kind string) string {
		return filepath.Join(pr.Dir, runfiles.ProfileName(kind, s.Strategy, s.Cores, s.Workers, pr.DefaultWorkers))
	}
	save := func(kind string, data []byte, dst *string) {
		if err := runfiles.WriteFileAtomic(path(kind), data); err != nil {
			warn(kind, err)
			return
		}
		*dst = path(kind)
	}
	labels := trialLabels(s.Trial)

	if pr.CPU {
		data, run, err := cpuPhase(ctx, st, w, pr, s.Trial, labels, warn)
		if err != nil {
			return s, err
		}
		s.Wall, s.CPU, files.Batches = run.wall, run.cpu, run.batches
		if data != nil {
			save(runfiles.ProfileCPU, data, &files.CPU)
		}

		if !strategies.OutOfProcess(s.Strategy) {
			mutex, block, err := contentionPhase(ctx, st, w, pr, s.Workers, labels)
			if err != nil {
				return s, err
			}
			save(runfiles.ProfileMutex, mutex, &files.Mutex)
			save(runfiles.ProfileBlock, block, &files.Block)
		}

		runtime.GC() // the heap profile shows the heap as of the last collection
		var b bytes.Buffer
		if err := pprof.Lookup("heap").WriteTo(&b, 0); err != nil {
			warn(runfiles.ProfileHeap, err)
		} else {
			save(runfiles.ProfileHeap, b.Bytes(), &files.Heap)
		}
	}

	if s.Wall == 0 {
		return s, errors.New("no batch could be profiled")
	}

	return s, nil
}

// cpuPhase runs batches under the CPU profiler, labelled, together with
// the workers' profiles of a strategy that has worker processes, and
// returns the profile, labelled and merged, ready to write. It returns nil
// data and a warning when the profile cannot be taken, and an error only
// when a batch fails.
func cpuPhase(ctx context.Context, st strategies.Strategy, w strategies.Workload, pr *profileRequest, t Trial, labels pprof.LabelSet, warn func(string, error)) ([]byte, batchRun, error) {
	runtime.GC() // no garbage from the warm-up collected on the profile's time
	var raw bytes.Buffer
	profiling := pprof.StartCPUProfile(&raw) == nil
	if !profiling {
		warn(runfiles.ProfileCPU, errors.New("the CPU profiler is in use in the measurement process"))
	}
	stopWorkers := startWorkerProfiles(ctx, st, warn)
	var run batchRun
	var err error
	pprof.Do(ctx, labels, func(ctx context.Context) {
		run, err = runBatchesFor(ctx, st, w, t.Workers, pr.Time, 2*pr.Time)
	})
	if profiling {
		pprof.StopCPUProfile()
	}
	workers := stopWorkers(ctx)
	if err != nil || !profiling {
		return nil, run, err
	}
	data, perr := finishCPUProfile(raw.Bytes(), workers, t, run)
	if perr != nil {
		// The profile as the runtime wrote it still opens in pprof.
		warn(runfiles.ProfileCPU, fmt.Errorf("written without labels or worker profiles: %w", perr))
		return raw.Bytes(), run, nil
	}
	return data, run, nil
}

// finishCPUProfile labels every sample of the process's CPU profile and
// of the workers' profile with the trial, merges them, and encodes the
// result.
func finishCPUProfile(raw []byte, workers *profile.Profile, t Trial, run batchRun) ([]byte, error) {
	p, err := profile.ParseData(raw)
	if err != nil {
		return nil, err
	}
	ps := []*profile.Profile{p}
	if workers != nil {
		ps = append(ps, workers)
	}
	for _, q := range ps {
		labelSamples(q, t)
	}
	merged, err := profile.Merge(ps)
	if err != nil {
		return nil, fmt.Errorf("merging worker profiles: %w", err)
	}
	merged.Comments = append(merged.Comments, fmt.Sprintf("parbench: %v, %d batches in %v, %v of CPU",
		t, run.batches, run.wall.Round(time.Millisecond), run.cpu.Round(time.Millisecond)))
	var b bytes.Buffer
	if err := merged.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// contentionPhase records every mutex contention and blocking event over
// batches for a third of the profile time, and returns the two profiles. The rates are
// on only for these batches.
func contentionPhase(ctx context.Context, st strategies.Strategy, w strategies.Workload, pr *profileRequest, workers int, labels pprof.LabelSet) (mutex, block []byte, err error) {
	prev := runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	pprof.Do(ctx, labels, func(ctx context.Context) {
		_, err = runBatchesFor(ctx, st, w, workers, 0, pr.Time/3)
	})
	runtime.SetBlockProfileRate(0)
	runtime.SetMutexProfileFraction(prev)
	if err != nil {
		return nil, nil, err
	}
	var m, b bytes.Buffer
	if err := pprof.Lookup("mutex").WriteTo(&m, 0); err != nil {
		return nil, nil, err
	}
	if err := pprof.Lookup("block").WriteTo(&b, 0); err != nil {
		return nil, nil, err
	}
	return m.Bytes(), b.Bytes(), nil
}

// startWorkerProfiles starts the CPU profiles of a strategy's worker
// processes (strategies.WorkerProfiler), and returns the function that
// stops them and returns their merged profile. Strategies without worker
// processes, and workers whose profiles fail, give nil; a failure is a
// warning, and the profile of this process is still written.
func startWorkerProfiles(ctx context.Context, st strategies.Strategy, warn func(string, error)) func(context.Context) *profile.Profile {
	none := func(context.Context) *profile.Profile { return nil }
	wp, ok := st.(strategies.WorkerProfiler)
	if !ok {
		return none
	}
	if err := wp.StartWorkerProfiles(ctx); err != nil {
		warn(runfiles.ProfileCPU, fmt.Errorf("without the workers' profiles: %w", err))
		return none
	}
	return func(ctx context.Context) *profile.Profile {
		p, err := wp.StopWorkerProfiles(ctx)
		if err != nil {
			warn(runfiles.ProfileCPU, fmt.Errorf("without the workers' profiles: %w", err))
			return nil
		}
		return p
	}
}
