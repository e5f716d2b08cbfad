package harness

import (
	"fmt"
	"slices"
	"time"

	"github.com/parbench/parbench/strategies"
)

// Config is one sweep.
type Config struct {
	Strategies []string
	Cores      []int // core counts; each runs in its own pinned process
	// Workers is the list of worker counts to run at every core count. Nil
	// means one worker count per core count: cores + WorkersDelta, at
	// least 1 (the default, workers = cores, has delta 0; the article's
	// workers = cores - 1 has delta -1).
	Workers      []int
	WorkersDelta int
	// WorkersRel lists further worker counts relative to cores (-1 is
	// cores - 1), run alongside Workers at every core count: "cores-1,11"
	// is WorkersRel [-1] and Workers [11].
	WorkersRel []int
	// Count is the number of rounds, one timed pair per trial each; with
	// a Precision target it is the minimum, after which only the
	// configurations still short of the target get more rounds.
	Count  int
	Warmup int // batches per configuration run and thrown away before the first timed pair
	// Precision is the target relative half-width of every paired
	// speedup's 95% interval (0.03 is ±3%); 0 runs exactly Count rounds.
	Precision float64
	// Budget bounds the wall time of the timed sweep when Precision is
	// set: no round starts a pair after it is spent. The Count rounds
	// always run in full.
	Budget time.Duration
	// Ceiling measures, at every core count k, k independent copies of the
	// serial batch at once, one per CPU: what the machine allows at k.
	Ceiling bool
	// Unpaired runs each timed batch alone, with no baseline batch beside
	// it: for workloads whose batches are seconds of sleep (the seed
	// preset), where a pair would double the time and cancel no drift.
	Unpaired bool
	Workload strategies.Workload
	Seed     int64 // for the shuffle of configurations in every round
	// Timeline runs one extra, untimed batch per configuration after the
	// sweep and keeps its per-job results (Sample.Jobs).
	Timeline bool
	// Profile runs a profiling pass after everything else, each trial in
	// a process of its own: CPU, mutex, block and heap profiles. See
	// profile.go. Trace records each timeline batch of a strategy whose
	// jobs run in the measurement process under the execution tracer,
	// into the profile directory (trace-<strategy>-<cores>.out), for the
	// loss accounting's split of waiting and idle time; it needs Timeline.
	Profile bool
	Trace   bool
	// ProfileTime is how much CPU time each trial's CPU profile covers
	// (at most twice as much wall time). 0 means DefaultProfileTime.
	ProfileTime time.Duration
	// TimelineCores and ProfileCores are the core counts, each one of
	// Cores, at which the timeline and the profiling pass run. Nil means
	// every core count; see PassCores and passes.go.
	TimelineCores []int
	ProfileCores  []int
}

// MinRounds is the fewest rounds a precision target starts from: the
// fewest pairs for which the median's distribution-free interval reaches
// 95% confidence (benchstat's minimum too).
const MinRounds = 6

// MaxRounds bounds the rounds of an adaptive sweep whatever its budget, so
// that a target the machine cannot reach does not grow memory without end.
const MaxRounds = 2000

// DefaultJobs makes one batch at 1 core take well over the timer's noise
// (about 0.2 s on a 2020s x86 server core at the default N) and leaves
// eight jobs per worker even at 128 cores, so the tail of a batch stays
// small.
const DefaultJobs = 1024

// DefaultCount is the smallest repetition count for which benchstat gives
// a 95% confidence interval with room to spare.
const DefaultCount = 10

// Validate checks a sweep before anything runs. maxCores is the number of
// CPUs this process may use. Errors name the setting and the value.
func (c Config) Validate(maxCores int) error {
	if len(c.Strategies) == 0 {
		return fmt.Errorf("strategy: none given")
	}
	for _, s := range c.Strategies {
		if !strategies.Known(s) {
			_, err := strategies.New(s)
			return fmt.Errorf("strategy: %w", err)
		}
	}
	if len(c.Cores) == 0 {
		return fmt.Errorf("cpu: no core counts given")
	}
	for i, k := range c.Cores {
		if k < 1 || k > maxCores {
			return fmt.Errorf("cpu %d: want 1..%d, the CPUs this process may use", k, maxCores)
		}
		// Plan would run a repeated core count twice a round.
		if slices.Contains(c.Cores[:i], k) {
			return fmt.Errorf("cpu %d: given twice", k)
		}
	}
	for _, w := range c.Workers {
		if w < 1 {
			return fmt.Errorf("workers %d: want at least 1", w)
		}
	}
	if c.Count < 1 {
		return fmt.Errorf("count %d: want at least 1", c.Count)
	}
	if c.Warmup < 0 {
		return fmt.Errorf("warmup %d: want 0 or more", c.Warmup)
	}
	if c.Precision < 0 || c.Precision >= 1 || c.Precision != c.Precision {
		return fmt.Errorf("precision %v: want a fraction between 0 and 1 (0.03 is 3%%), or 0 for a fixed count", c.Precision)
	}
	if c.Precision > 0 && c.Budget <= 0 {
		return fmt.Errorf("budget %v: a precision target needs a positive time budget", c.Budget)
	}
	if c.Precision > 0 && c.Unpaired {
		return fmt.Errorf("precision %v: a precision target needs paired batches", c.Precision)
	}
	if c.Budget < 0 {
		return fmt.Errorf("budget %v: want a positive duration", c.Budget)
	}
	if err := c.validatePasses(); err != nil {
		return err
	}
	if err := c.Workload.Validate(); err != nil {
		return err
	}
	return c.checkBounds()
}

// WorkersFor lists the worker counts a sweep runs at cores.
func (c Config) WorkersFor(cores int) []int {
	if len(c.WorkersRel) > 0 {
		var ws []int
		for _, d := range c.WorkersRel {
			if w := max(1, cores+d); !slices.Contains(ws, w) {
				ws = append(ws, w)
			}
		}
		for _, w := range c.Workers {
			if !slices.Contains(ws, w) {
				ws = append(ws, w)
			}
		}
		return ws
	}
	if len(c.Workers) > 0 {
		return c.Workers
	}
	return []int{max(1, cores+c.WorkersDelta)}
}

// DefaultWorkers reports whether t runs the sweep's default worker count
// for its cores (a strategy that ignores workers always does), so its files can have short names.
func (c Config) DefaultWorkers(t Trial) bool {
	ws := c.WorkersFor(t.Cores)
	return len(ws) == 1 && (ws[0] == t.Workers || strategies.IgnoresWorkers(t.Strategy))
}

// Trial is one configuration: a strategy at a core count and worker count.
type Trial struct {
	Strategy string `json:"strategy"`
	Cores    int    `json:"cores"`
	Workers  int    `json:"workers"`
}

// Name is the trial's benchmark name without the "Benchmark" prefix, as
// go test would print it: XORSum/strategy=pool/workers=4-4.
func (t Trial) Name() string {
	return fmt.Sprintf("XORSum/strategy=%s/workers=%d-%d", t.Strategy, t.Workers, t.Cores)
}

func (t Trial) String() string {
	return fmt.Sprintf("%s cores=%d workers=%d", t.Strategy, t.Cores, t.Workers)
}

// Plan lays out the first Count rounds of a sweep: every timed
// configuration (SweepTrials) once per round, in an order shuffled anew
// every round so that drift spreads over all of them. A strategy that
// ignores the worker count (serial) runs with one worker whatever the
// setting; its other counts would only repeat the same measurement.
func Plan(c Config, shuffle func(n int, swap func(i, j int))) [][]Trial {
	rounds := make([][]Trial, c.Count)
	for r := range rounds {
		rounds[r] = shuffled(c.SweepTrials(), shuffle)
	}
	return rounds
}

// shuffled is a shuffled copy of ts.
func shuffled(ts []Trial, shuffle func(n int, swap func(i, j int))) []Trial {
	out := slices.Clone(ts)
	shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// trialsAt lists the configurations at k cores in a fixed order.
func trialsAt(c Config, k int) []Trial {
	var ts []Trial
	for _, s := range c.Strategies {
		ws := c.WorkersFor(k)
		if strategies.IgnoresWorkers(s) {
			ws = []int{1}
		}
		for _, w := range ws {
			t := Trial{Strategy: s, Cores: k, Workers: w}
			if !slices.Contains(ts, t) {
				ts = append(ts, t)
			}
		}
	}
	return ts
}

// Trials is every configuration of a sweep, in a fixed order.
func (c Config) Trials() []Trial {
	var ts []Trial
	for _, k := range c.Cores {
		ts = append(ts, trialsAt(c, k)...)
	}
	return ts
}

// Sample is one batch of one trial, as the sweep hands it on.
type Sample struct {
	Trial
	Round   int           `json:"round"`
	Wall    time.Duration `json:"wall"`
	CPU     time.Duration `json:"cpu"` // user+system of the measurement process and its workers
	Startup time.Duration `json:"startup,omitempty"`
	// Baseline is the pair's baseline rate as the time it gives this
	// batch's jobs: Workload.Jobs over the mean of the per-CPU rates of
	// the baseline half (baseline.go). The pair's speedup is
	// Baseline / Wall. 0 for a batch that is not paired.
	Baseline time.Duration `json:"baseline,omitempty"`
	// Half is the baseline half's shares as they ran (a meter round's
	// shares, for a calibration sample).
	Half []ShareTime `json:"half,omitempty"`
	// Copies is how many independent copies of the serial batch ran at
	// once (the ceiling's batches); 0 for a strategy's batch. CopiesTime
	// is the batch's jobs over the copies' summed rates: Baseline /
	// CopiesTime is the attainable speedup, Baseline / Wall the join.
	Copies     int           `json:"copies,omitempty"`
	CopiesTime time.Duration `json:"copies_time,omitempty"`
	// Elapsed is when the parent received the sample, from the start of
	// the sweep.
	Elapsed time.Duration `json:"elapsed,omitempty"`
	// The loss evidence of a timed batch (evidence.go). Idle is its
	// core-time with no job open, by phase, nil when not split; Descheduled
	// the time its process's threads and its workers' waited for a CPU
	// (schedstat run delay), 0 where unknown; BaselineCPU the baseline
	// half's thread CPU time at the same scale as Baseline (Baseline times
	// the half's CPU over its wall time), 0 where unknown.
	Idle        *IdleParts    `json:"idle,omitempty"`
	Descheduled time.Duration `json:"descheduled,omitempty"`
	BaselineCPU time.Duration `json:"baseline_cpu,omitempty"`
	// JobsCPU is the batch's jobs' own CPU time summed, from a thread
	// clock per job (a ceiling's: its copies' threads), 0 where not
	// measured.
	JobsCPU time.Duration `json:"jobs_cpu,omitempty"`
	// Trace is a timeline batch's execution trace.
	Trace *TraceFile `json:"trace,omitempty"`
	// Metrics are a strategy's extra figures, such as faults/op.
	Metrics []strategies.Metric `json:"metrics,omitempty"`
	// Jobs holds the per-job results of an untimed timeline batch.
	Jobs []strategies.Result `json:"jobs,omitempty"`
	// Profiles are the files of a profiling pass's trial.
	Profiles *ProfileFiles `json:"profiles,omitempty"`
}
