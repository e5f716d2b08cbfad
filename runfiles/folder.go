package runfiles

import (
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The files of a run folder, by name; docs/files.md says what each holds.
const (
	// BenchFile holds every timed pair, in the Go benchmark format.
	BenchFile = "bench.txt"
	// ArrivalBoundFile is the arrival schedule's lower bound against each
	// configuration's time, for workloads with a sleep or a gap.
	ArrivalBoundFile = "arrival-bound.txt"

	// The report's files.
	SummaryText     = "summary.txt"
	SummaryMarkdown = "summary.md"
	SummaryCSV      = "summary.csv"
	SummaryJSON     = "summary.json"
	BenchstatText   = "benchstat.txt"
	ReportHTML      = "report.html"
	// ReportManifest lists the files reports wrote into a folder, so that
	// a later report overwrites those and no others (see Manifest).
	ReportManifest = "report-files.txt"

	// BreakdownFile, in the profiles folder, is the CPU profiles'
	// breakdown by category as a table.
	BreakdownFile = "breakdown.txt"
)

// BenchstatInputName is the name of the report's copy of its i-th input
// (from 1, among all the inputs of a report) without the lines the report
// did not use, which benchstat reads instead of the input.
func BenchstatInputName(i int) string { return "benchstat-input-" + strconv.Itoa(i) + ".txt" }

// The charts' names, without the extension of their format. A timeline's
// chart is named as its CSV (TimelineName).
const (
	ChartSpeedup           = "speedup"
	ChartEfficiency        = "efficiency"
	ChartTime              = "time"
	ChartThroughput        = "throughput"
	ChartThroughputWorkers = "throughput-workers"
	ChartEfficiencyLoss    = "efficiency-loss"
	ChartCPUSpeed          = "cpu-speed"
	ChartOverhead          = "overhead"
)

// ProfilesDir is the folder inside a run folder that holds its profiles
// and execution traces.
const ProfilesDir = "profiles"

// timelineExt is the extension of a timeline's CSV.
const timelineExt = ".csv"

// A Folder is one run folder: it knows the path of every file parbench
// writes there, and reads each kind of file (the timelines, the CPU
// profiles, the list of profiles) in one place. The harness writes
// through it and the report reads through it. The zero Folder is no
// folder at all.
type Folder struct {
	Dir string
}

// Path is the file name in the folder.
func (f Folder) Path(name string) string { return filepath.Join(f.Dir, name) }

// BenchPath is the folder's bench.txt.
func (f Folder) BenchPath() string { return f.Path(BenchFile) }

// ProfileDir is the folder of the profiles and the execution traces.
func (f Folder) ProfileDir() string { return f.Path(ProfilesDir) }

// ProfilePath is where a trial's profile of kind goes (see ProfileName).
func (f Folder) ProfilePath(kind, strategy string, cores, workers int, defaultWorkers bool) string {
	return filepath.Join(f.ProfileDir(), ProfileName(kind, strategy, cores, workers, defaultWorkers))
}

// MergedCPUProfilePath is where every CPU profile merged goes.
func (f Folder) MergedCPUProfilePath() string {
	return filepath.Join(f.ProfileDir(), MergedCPUProfile)
}

// BreakdownPath is where the CPU profiles' breakdown goes.
func (f Folder) BreakdownPath() string { return filepath.Join(f.ProfileDir(), BreakdownFile) }

// TimelinePath is where a configuration's timeline CSV goes.
func (f Folder) TimelinePath(strategy string, cores, workers int, defaultWorkers bool) string {
	return f.Path(TimelineName(strategy, cores, workers, defaultWorkers) + timelineExt)
}

// ProfilePaths lists the profiles and execution traces in the profiles
// folder, each once: the CPU profiles first, the merged one leading them
// (they answer "why" for most readers), then by kind as the profiling pass
// writes them (mutex, block, heap), then the traces, and by name within a
// kind.
func (f Folder) ProfilePaths() []string {
	pprofs, _ := filepath.Glob(filepath.Join(f.ProfileDir(), "*.pprof"))
	traces, _ := filepath.Glob(filepath.Join(f.ProfileDir(), "*.out"))
	files := slices.Concat(pprofs, traces)
	kinds := []string{strings.TrimSuffix(MergedCPUProfile, ".pprof"), ProfileCPU, ProfileMutex, ProfileBlock, ProfileHeap, ProfileTrace}
	rank := func(path string) int {
		base := filepath.Base(path)
		for i, k := range kinds {
			if strings.HasPrefix(base, k+"-") || strings.HasPrefix(base, k+".") {
				return i
			}
		}
		return len(kinds)
	}
	slices.SortStableFunc(files, func(a, b string) int { return rank(a) - rank(b) })
	return files
}

// HasBreakdown reports whether the folder holds the CPU profiles'
// breakdown.
func (f Folder) HasBreakdown() bool { return isFile(f.BreakdownPath()) }
