package report

import (
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"
)

// Config keys of bench.txt that describe the machine and the run. The
// harness writes them (harness.Env.Config and harness.Header); output of
// go test -bench has only goos, goarch, cpu and pkg.
const (
	KeyHost           = "host"
	KeyCPU            = "cpu"
	KeyCPUsOnline     = "cpus-online"
	KeyMemory         = "memory"
	KeyKernel         = "kernel"
	KeyLoadAvg        = "load-avg"  // "1.20 0.80 0.50": 1, 5 and 15 minutes
	KeyBusyCPUs       = "busy-cpus" // CPUs' worth busy just before the run, "0.12"
	KeyGovernor       = "governor"  // cpufreq governors, "performance" or "unknown"
	KeyVirtualization = "virtualization"
	KeyCPUQuota       = "cpu-quota" // cgroup CPU limit in CPUs, or "max"
	KeyGo             = "go"
	KeyVersion        = "parbench-version"
	KeyCommit         = "parbench-commit"
	KeyEnforcement    = "cores-enforcement"
	// KeyCoresCheck, when present and not "ok", says how GOMAXPROCS or the
	// CPU affinity of a measurement differed from what was asked.
	KeyCoresCheck = "cores-check"
	KeyPartial    = "partial"
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
}

func newMachine(r *benchfmt.Result) Machine {
	m := Machine{
		File:           r.GetConfig(".file"),
		Host:           r.GetConfig(KeyHost),
		CPU:            r.GetConfig(KeyCPU),
		Memory:         r.GetConfig(KeyMemory),
		Kernel:         r.GetConfig(KeyKernel),
		LoadAvg:        r.GetConfig(KeyLoadAvg),
		BusyCPUs:       r.GetConfig(KeyBusyCPUs),
		Governor:       r.GetConfig(KeyGovernor),
		Virtualization: r.GetConfig(KeyVirtualization),
		CPUQuota:       r.GetConfig(KeyCPUQuota),
		GoVersion:      r.GetConfig(KeyGo),
		Version:        r.GetConfig(KeyVersion),
		Commit:         r.GetConfig(KeyCommit),
		Enforcement:    r.GetConfig(KeyEnforcement),
		CoresCheck:     r.GetConfig(KeyCoresCheck),
		Partial:        r.GetConfig(KeyPartial) == "true",
	}
	m.CPUsOnline, _ = strconv.Atoi(r.GetConfig(KeyCPUsOnline))
	return m
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
	if filepath.Base(path) == BenchFile {
		if d := filepath.Base(filepath.Dir(path)); d != "." && d != string(filepath.Separator) {
			return d
		}
	}
	return filepath.Base(path)
}
