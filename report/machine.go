package report

import (
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/runfiles"
)

// A Machine is where one input's results were measured, as its config
// lines describe it. Fields not recorded are empty (or 0).
type Machine struct {
	// Label names the machine in every table: the host, with the run
	// folder added when two inputs share a host.
	Label string
	// File is the input's path ("" for results held in memory).
	File string

	Host, CPU      string
	CPUsOnline     int
	Memory, Kernel string
	LoadAvg        string
	BusyCPUs       string
	Governor       string
	Virtualization string
	CPUQuota       string
	GoVersion      string
	Version        string
	Commit         string
	Enforcement    string
	CoresCheck     string
	// Partial is set when the run was interrupted before it finished.
	Partial bool
	// OtherRuns names other parbench runs measuring when it started.
	OtherRuns string

	// Kind is where the baseline halves of its pairs ran.
	Kind BaselineKind
	// CPUList is the CPUs handed out, in order (a k-core configuration
	// ran on the first k); nil when not recorded.
	CPUList []int
	// GivenUp are the core counts the sweep gave up on.
	GivenUp []GivenUp

	// headerProblems are config values that could not be read.
	headerProblems []string
}

func newMachine(r *benchfmt.Result) Machine {
	m := Machine{
		File:           r.GetConfig(".file"),
		Host:           r.GetConfig(runfiles.KeyHost),
		CPU:            r.GetConfig(runfiles.KeyCPU),
		Memory:         r.GetConfig(runfiles.KeyMemory),
		Kernel:         r.GetConfig(runfiles.KeyKernel),
		LoadAvg:        r.GetConfig(runfiles.KeyLoadAvg),
		BusyCPUs:       r.GetConfig(runfiles.KeyBusyCPUs),
		Governor:       r.GetConfig(runfiles.KeyGovernor),
		Virtualization: r.GetConfig(runfiles.KeyVirtualization),
		CPUQuota:       r.GetConfig(runfiles.KeyCPUQuota),
		GoVersion:      r.GetConfig(runfiles.KeyGo),
		Version:        r.GetConfig(runfiles.KeyVersion),
		Commit:         r.GetConfig(runfiles.KeyCommit),
		Enforcement:    r.GetConfig(runfiles.KeyEnforcement),
		CoresCheck:     r.GetConfig(runfiles.KeyCoresCheck),
		Partial:        r.GetConfig(runfiles.KeyPartial) == "true",
		OtherRuns:      r.GetConfig(runfiles.KeyOtherRuns),
	}
	m.CPUsOnline, _ = strconv.Atoi(r.GetConfig(runfiles.KeyCPUsOnline))
	m.Kind = baselineKind(r.GetConfig(runfiles.KeyBaseline))
	if v := r.GetConfig(runfiles.KeyCPUList); v != "" {
		list, err := parseCPUList(v)
		if err != nil {
			m.headerProblems = append(m.headerProblems, err.Error())
		}
		m.CPUList = list
	}
	g, err := parseGivenUp(r.GetConfig(runfiles.KeyGivenUpCores), r.GetConfig(runfiles.KeyGivenUpCauses))
	if err != nil {
		m.headerProblems = append(m.headerProblems, err.Error())
	}
	m.GivenUp = g
	return m
}

// firstCPUs is the CPUs a k-core configuration ran on, as far as the
// run recorded them: the first k of its cpu-list; nil when not recorded.
func (m Machine) firstCPUs(k int) []int {
	if len(m.CPUList) < k {
		return nil
	}
	return m.CPUList[:k]
}

// recordsEnv reports whether the harness described the machine at all.
func (m Machine) recordsEnv() bool {
	return m.LoadAvg != "" || m.BusyCPUs != "" || m.Governor != "" || m.Virtualization != ""
}

// load1 is the 1-minute load average, ok false if not recorded.
func (m Machine) load1() (float64, bool) {
	f := strings.Fields(m.LoadAvg)
	if len(f) == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(f[0], 64)
	return v, err == nil
}

// labelMachines gives every machine a distinct label: the host (or the input's
// folder, or "local"), then the folder, then a number, as needed.
func labelMachines(ms []Machine) {
	base := func(m Machine) string {
		switch {
		case m.Host != "":
			return m.Host
		case m.File != "":
			return folderName(m.File)
		}
		return "local"
	}
	count := map[string]int{}
	for _, m := range ms {
		count[base(m)]++
	}
	used := map[string]bool{}
	for i := range ms {
		l := base(ms[i])
		if count[l] > 1 && ms[i].File != "" && ms[i].Host != "" {
			l += " [" + folderName(ms[i].File) + "]"
		}
		for n := 2; used[l]; n++ {
			l = base(ms[i]) + "#" + strconv.Itoa(n)
		}
		used[l] = true
		ms[i].Label = l
	}
}

// folderName is the name of the run folder of a results file.
func folderName(path string) string {
	if filepath.Base(path) == runfiles.BenchFile {
		if d := filepath.Base(filepath.Dir(path)); d != "." && d != string(filepath.Separator) {
			return d
		}
	}
	return filepath.Base(path)
}
