package runfiles

// Config keys of bench.txt, in the order the harness writes them. The
// harness writes them and the report reads them; output of go test -bench
// has only goos, goarch, cpu and pkg.
const (
	KeyGOOS    = "goos"
	KeyGOARCH  = "goarch"
	KeyHost    = "host"
	KeyGo      = "go"
	KeyVersion = "parbench-version"
	KeyCommit  = "parbench-commit"
	// The main module of the running program when it is not parbench: a
	// program of the user's that calls parbench.Main with strategies of
	// its own. Its path; its version from the build information
	// ("(devel)" for a build from a checkout without VCS stamping); its
	// VCS revision ("unknown" without VCS stamping). parbench-version is
	// then parbench's version as the program's dependency.
	KeyMainModule         = "main-module"
	KeyMainModuleVersion  = "main-module-version"
	KeyMainModuleRevision = "main-module-revision"

	// The machine and what else it was doing (harness.Env.Config).
	KeyCPU            = "cpu"
	KeyCPUsOnline     = "cpus-online"
	KeyMemory         = "memory"
	KeyKernel         = "kernel"
	KeyLoadAvg        = "load-avg"  // "1.20 0.80 0.50": 1, 5 and 15 minutes
	KeyBusyCPUs       = "busy-cpus" // CPUs' worth busy just before the run, "0.12"
	KeyGovernor       = "governor"  // cpufreq governors, "performance" or "unknown"
	KeyVirtualization = "virtualization"
	KeyCPUQuota       = "cpu-quota" // cgroup CPU limit in CPUs; only when there is one
	KeyPreset         = "preset"

	// The workload: see WorkloadKeys.
	KeyJobs     = "jobs"
	KeyN        = "n"
	KeySleep    = "sleep"
	KeyGap      = "gap"
	KeyChecksum = "checksum"

	// How the run was made.
	KeyEnforcement = "cores-enforcement"
	KeyWarmup      = "warmup"
	KeySeed        = "seed"
	// KeyCoresCheck, when present and not "ok", says how GOMAXPROCS or the
	// CPU affinity of a measurement differed from what was asked.
	KeyCoresCheck = "cores-check"
	// KeyPartial, with the value "true", marks a bench.txt whose run has
	// not finished (or never will): it is there until the run completes.
	KeyPartial = "partial"
	// The paired sweep: how samples are paired, and a precision target's
	// settings (or the fixed number of rounds).
	KeyPairing         = "pairing"
	KeyPrecisionTarget = "precision-target" // "0.03"
	KeyBudget          = "budget"           // "3m0s"
	KeyMinRounds       = "min-rounds"
	KeyRounds          = "rounds"
	// KeyOtherRuns names other parbench runs that were measuring into the
	// same results root when the run started.
	KeyOtherRuns = "other-runs"

	// KeyBaseline says where the baseline half of each pair ran. With
	// the value BaselineOwnCPUs, inside the configuration's own
	// measurement process, on its own CPUs, its rate the mean of the
	// per-CPU rates; without the key (runs before per-CPU baselines), a
	// serial batch in a 1-core process pinned to the first CPU.
	KeyBaseline = "baseline"
	// KeyCPUList is the CPUs handed out, in order ("0,1"): a k-core
	// configuration ran on the first k of them.
	KeyCPUList = "cpu-list"
	// KeyGivenUpCores lists the core counts the sweep gave up on after
	// measurement-process failures in a row ("2,4"), and
	// KeyGivenUpCauses their causes ("2 cores: <cause>; <cause> | 4
	// cores: ..."). Both are written when the run ends; a file with them
	// is complete for its other core counts, not partial.
	KeyGivenUpCores  = "given-up-cores"
	KeyGivenUpCauses = "given-up-causes"
)

// BaselineOwnCPUs is the value of KeyBaseline for pairs whose baseline
// half ran on the configuration's own CPUs.
const BaselineOwnCPUs = "own-cpus"

// Benchmark lines of bench.txt besides the samples, and the units they and
// the samples carry beyond the usual ones.
const (
	// CPUSpeedBenchmark is the per-CPU speed meter:
	// BenchmarkCPUSpeed/source=S/cpu=N-K, iters the jobs timed on CPU N,
	// ns/op the wall time per job there (pinned, serial), and
	// ElapsedUnit the seconds since the sweep began. S is
	// CPUSpeedBaseline (a baseline half, the lines just before its
	// pair's sample line) or CPUSpeedCalibration (a round of the
	// calibration meter, which times the workload's XOR-sum alone,
	// without its sleep and gap: the kernel's time per job that the
	// arrival bound takes as its compute).
	CPUSpeedBenchmark   = "CPUSpeed"
	CPUSpeedBaseline    = "baseline"
	CPUSpeedCalibration = "calibration"
	ElapsedUnit         = "elapsed-sec"
	// ProcessFaultBenchmark is a measurement process that failed:
	// BenchmarkProcessFault/strategy=S/workers=W/step=P-K on the
	// configuration whose batch was in flight, or
	// BenchmarkProcessFault/step=between-batches-K on the core count K;
	// one per failure, 1 faults/op. Its pair was discarded.
	ProcessFaultBenchmark = "ProcessFault"
	// CopiesUnit, on a ceiling's sample line, is the jobs of one copy
	// over the sum of the copies' own rates: baseline-ns/op over it is
	// the attainable speedup.
	CopiesUnit = "copies-ns/op"
	// FaultsUnit counts faults: a strategy's recovered worker faults on a
	// sample line, one failed process on a ProcessFault line.
	FaultsUnit = "faults/op"

	// The loss evidence of a timed batch, each the batch's own: its jobs'
	// own CPU time (a ceiling's, its copies'); the baseline half's thread
	// CPU at the scale of baseline-ns/op; the time
	// the batch's threads (and its workers') waited for a CPU; and its
	// core-time with no job open by phase (present together, on the
	// pairs whose batch was split). Idle parts are core-ns: k cores idle
	// for 1 ns is k core-ns.
	JobsCPUUnit      = "jobs-cpu-ns/op"
	BaselineCPUUnit  = "baseline-cpu-ns/op"
	DescheduledUnit  = "descheduled-ns/op"
	IdleRampUpUnit   = "idle-ramp-ns/op"
	IdleStarvedUnit  = "idle-starved-ns/op"
	IdleAwaitingUnit = "idle-awaiting-ns/op"
	IdleTailUnit     = "idle-tail-ns/op"
)

// WorkloadKeys are the config keys that define the workload. Results whose
// values differ measured different things and are never compared.
var WorkloadKeys = []string{KeyJobs, KeyN, KeySleep, KeyGap, KeyChecksum}
