package runfiles

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/google/pprof/profile"
)

// Kinds of profile file, the first word of their names.
const (
	ProfileCPU   = "cpu"
	ProfileMutex = "mutex"
	ProfileBlock = "block"
	ProfileHeap  = "heap"
	ProfileTrace = "trace"
)

// MergedCPUProfile is the file name of every trial's CPU profile merged
// into one, with each sample labelled strategy, cores and workers.
const MergedCPUProfile = "cpu-merged.pprof"

// Label keys of the CPU profiles' samples, for go tool pprof -tagfocus.
const (
	LabelStrategy = "strategy"
	LabelCores    = "cores"
	LabelWorkers  = "workers"
)

// ProfileName is the file name of one of a trial's profiles:
// <kind>-<strategy>-<cores>.pprof, or .out for a trace, with -w<workers>
// added before the extension when the worker count is not the sweep's
// default for those cores: cpu-pool-4.pprof, block-perjob-2-w8.pprof,
// trace-serial-1.out.
func ProfileName(kind, strategy string, cores, workers int, defaultWorkers bool) string {
	name := fmt.Sprintf("%s-%s-%d", kind, strategy, cores)
	if !defaultWorkers {
		name += "-w" + strconv.Itoa(workers)
	}
	if kind == ProfileTrace {
		return name + ".out"
	}
	return name + ".pprof"
}

// ReadProfile parses a profile file; errors name the file.
func ReadProfile(path string) (*profile.Profile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// ProfileConfig reads the configuration a profile's samples are labelled
// with (LabelStrategy, LabelCores, LabelWorkers), from the first sample
// that has all three, once each and valid. ok is false if none has.
func ProfileConfig(p *profile.Profile) (strategy string, cores, workers int, ok bool) {
	for _, s := range p.Sample {
		st, c, w := s.Label[LabelStrategy], s.Label[LabelCores], s.Label[LabelWorkers]
		if len(st) != 1 || len(c) != 1 || len(w) != 1 {
			continue
		}
		cores, err1 := strconv.Atoi(c[0])
		workers, err2 := strconv.Atoi(w[0])
		if err1 == nil && err2 == nil && cores > 0 && workers > 0 {
			return st[0], cores, workers, true
		}
	}
	return "", 0, 0, false
}

// A CPUProfile is one configuration's CPU profile from a run folder, with
// the configuration its samples are labelled with.
type CPUProfile struct {
	Path           string
	Strategy       string
	Cores, Workers int
	Profile        *profile.Profile
}

// CPUProfilePaths lists the per-configuration CPU profiles of the
// folder, by name; the merged one is not among them.
func (f Folder) CPUProfilePaths() []string {
	paths, _ := filepath.Glob(filepath.Join(f.ProfileDir(), ProfileCPU+"-*.pprof"))
	var out []string
	for _, p := range paths {
		if filepath.Base(p) != MergedCPUProfile {
			out = append(out, p)
		}
	}
	return out
}

// ReadCPUProfile reads one configuration's CPU profile and the
// configuration from its labels (ProfileConfig); errors name the file.
func ReadCPUProfile(path string) (CPUProfile, error) {
	p, err := ReadProfile(path)
	if err != nil {
		return CPUProfile{}, err
	}
	strategy, cores, workers, ok := ProfileConfig(p)
	if !ok {
		return CPUProfile{}, fmt.Errorf("%s: no %s, %s and %s labels", path, LabelStrategy, LabelCores, LabelWorkers)
	}
	return CPUProfile{Path: path, Strategy: strategy, Cores: cores, Workers: workers, Profile: p}, nil
}
