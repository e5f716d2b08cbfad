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
	// KeyBaseline says where the baseline halves of the pairs ran:
	// BaselineOwnCPUs, on the configuration's own CPUs, one at a time.
	// Files without it were written before, with the baseline a serial
	// batch on the first CPU.
	KeyBaseline     = "baseline"
	BaselineOwnCPUs = "own-cpus"
	// KeyCPUList is the CPUs the run handed out, in order: a k-core
	// configuration ran on the first k ("0,1").
	KeyCPUList = "cpu-list"
	// KeyGivenUpCores lists the core counts the sweep gave up on after
	// repeated measurement-process failures ("2,4"), and KeyGivenUpCauses
	// why ("2 cores: cause; cause; cause | 4 cores: ..."). Written when
	// the run ends; a file with them is complete for the other counts.
	KeyGivenUpCores  = "given-up-cores"
	KeyGivenUpCauses = "given-up-causes"
)

// Benchmark families and units of bench.txt besides the configurations'
// samples (BenchmarkXORSum/strategy=.../workers=W-K).
const (
	// MeterBenchmark lines are the per-CPU speed meter, one per CPU a
	// baseline half or a calibration round visited:
	// BenchmarkCPUSpeed/source=baseline/cpu=3-8 16 152000 ns/op 71.25 elapsed-sec
	// (jobs, wall ns per job on that CPU, seconds since the sweep began).
	MeterBenchmark   = "CPUSpeed"
	MeterBaseline    = "baseline"
	MeterCalibration = "calibration"
	UnitElapsed      = "elapsed-sec"
	// FaultBenchmark lines are measurement processes that failed, one
	// each: BenchmarkProcessFault/strategy=pool/workers=2/step=timed-2 1 1 faults/op,
	// or without strategy and workers between batches.
	FaultBenchmark = "ProcessFault"
	UnitFaults     = "faults/op"
	// UnitCopies, on a ceiling line, is the batch's jobs over the
	// copies' summed rates: baseline-ns/op / copies-ns/op is the
	// attainable speedup.
	UnitCopies = "copies-ns/op"

	// The loss evidence of a timed batch, each the batch's own (a ceiling
	// line's, its copies'): the baseline half's thread CPU at the scale of
	// baseline-ns/op; the time the batch's threads (and its workers')
	// waited for a CPU; and its core-time with no job open by phase
	// (present together, on the pairs whose batch was split). Idle parts
	// are core-ns: k cores idle for 1 ns is k core-ns.
	UnitBaselineCPU  = "baseline-cpu-ns/op"
	UnitDescheduled  = "descheduled-ns/op"
	UnitIdleRampUp   = "idle-ramp-ns/op"
	UnitIdleStarved  = "idle-starved-ns/op"
	UnitIdleAwaiting = "idle-awaiting-ns/op"
	UnitIdleTail     = "idle-tail-ns/op"
)

// WorkloadKeys are the config keys that define the workload. Results whose
// values differ measured different things and are never compared.
var WorkloadKeys = []string{KeyJobs, KeyN, KeySleep, KeyGap, KeyChecksum}
