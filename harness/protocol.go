package harness

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/parbench/parbench/strategies"
)

// The measurement protocol. A measurement process is this binary started
// with measureEnv set, pinned to k CPUs, with GOMAXPROCS=k. The parent
// writes JSON lines on its stdin, and it answers with JSON lines on its
// stdout:
//
//	parent: hello                      (the cores, the CPUs, the workload)
//	child:  check                      (how it found itself: GOMAXPROCS, mask)
//	parent: request                    (one batch, a pair, a meter round, a profile)
//	child:  fault* then sample | error
//	...                                (until the parent closes stdin)
//
// There is exactly one request in flight, and the parent waits for its
// answer, so the parent is idle while a batch is timed; between answers
// the process waits on its input, so it is idle while another process's
// batch runs. Every process of a run speaks this protocol: the sweep's
// sessions (one per core count), the profiling pass's (one per
// configuration) and the dry run's calibration. See session.go.

// measureEnv selects the hidden measurement mode of the running binary.
const measureEnv = "PARBENCH_MEASURE"

// MeasureMode reports whether this process was started by a Runner as a
// measurement process. Its main must then call ServeMeasure and exit.
func MeasureMode() bool { return os.Getenv(measureEnv) == "1" }

// hello is the first line a measurement process reads.
type hello struct {
	Cores int `json:"cores"`
	// CPUs is the mask the process was pinned to, in the order the
	// baseline's shares and the ceiling's copies use them; empty when
	// cores are not pinned.
	CPUs     []int               `json:"cpus,omitempty"`
	Workload strategies.Workload `json:"workload"`
}

// check is the first message of a measurement process: how it found
// itself, so the parent can check that cores were enforced.
type check struct {
	PID        int `json:"pid"`
	GOMAXPROCS int `json:"gomaxprocs"`
	CPUs       int `json:"cpus"` // CPUs in the affinity mask; 0 where unknown
}

// The kinds of request.
const (
	kindWarmup   = "warmup"   // one batch, thrown away
	kindTimed    = "timed"    // one timed batch, with its baseline half when paired
	kindTimeline = "timeline" // one untimed batch whose per-job results come back
	kindMeter    = "meter"    // serial shares on the listed CPUs, one CPU at a time
	kindProfile  = "profile"  // the profiling pass of one configuration (profile.go)
)

// request asks a measurement process for one piece of work.
type request struct {
	Kind  string `json:"kind"`
	Trial Trial  `json:"trial"`
	// Index counts warm-up batches from 1, for error messages.
	Index int `json:"index,omitempty"`
	// Half, on a timed request, is the pair's baseline half; First runs
	// it before the batch rather than after.
	Half  []Share `json:"half,omitempty"`
	First bool    `json:"first,omitempty"`
	// Split, on a timed request, asks for the batch's core-time with no
	// job open, by phase (Sample.Idle); JobCPU for its jobs' own CPU time
	// (Workload.JobCPU, Sample.JobsCPU).
	Split  bool `json:"split,omitempty"`
	JobCPU bool `json:"job_cpu,omitempty"`
	// Trace, on a timeline request, is where to write the batch's
	// execution trace: a file in the run folder the parent named.
	Trace string `json:"trace,omitempty"`
	// Meter is the shares of a meter request; Bare runs them without the
	// workload's sleeps and gaps, to measure the CPUs alone.
	Meter   []Share         `json:"meter,omitempty"`
	Bare    bool            `json:"bare,omitempty"`
	Profile *profileRequest `json:"profile,omitempty"`
}

// A Share is part of a baseline half or of a meter round: Jobs serial
// jobs of the workload on one CPU, on a thread pinned to it alone.
type Share struct {
	CPU  int `json:"cpu"` // -1: where cores are not pinned, on whichever CPU the thread is on
	Jobs int `json:"jobs"`
}

// A ShareTime is a share as it ran.
type ShareTime struct {
	Share
	// Wall is the share's wall time: what its CPU gave, whatever CPU
	// accounting says (a host that slows a vCPU shows only here).
	Wall time.Duration `json:"wall"`
	// CPUTime is the pinned thread's CPU time over the share (0 where
	// the system does not tell).
	CPUTime time.Duration `json:"cpu_time,omitempty"`
}

// Rate is the share's jobs per second.
func (s ShareTime) Rate() float64 { return float64(s.Jobs) / s.Wall.Seconds() }

// message is one JSON line from a measurement process. Exactly one field
// is set.
type message struct {
	Check  *check  `json:"check,omitempty"`
	Sample *Sample `json:"sample,omitempty"`
	Fault  *Fault  `json:"fault,omitempty"` // see faults.go
	Error  string  `json:"error,omitempty"`
}

// maxCPUID bounds the CPU numbers the harness accepts (in a CPU list, a
// share, a hello), well above the kernel's own limit (NR_CPUS is at most
// 8192).
const maxCPUID = 1 << 16

// maxCopies bounds the cores of a measurement process, and so the
// ceiling's copies, far above any machine: each copy is an OS thread.
const maxCopies = 1 << 12

// maxShares bounds the shares of one request, far above any machine's CPUs
// times the meter's rounds.
const maxShares = 1 << 14

// checkRequest refuses a request this process cannot honour before
// anything is made for it.
func checkRequest(req request, cores int) error {
	t := req.Trial
	switch req.Kind {
	case kindWarmup, kindTimed, kindTimeline, kindMeter, kindProfile:
	default:
		return fmt.Errorf("request: unknown kind %q", req.Kind)
	}
	switch {
	case req.Kind == kindProfile && req.Profile == nil:
		return errors.New("request: a profile request without its settings")
	case len(req.Half) > maxShares || len(req.Meter) > maxShares:
		return fmt.Errorf("request: %d shares", len(req.Half)+len(req.Meter))
	case req.Kind == kindMeter:
		return checkShares(req.Meter)
	case t.Strategy == "":
		return errors.New("request: no strategy")
	case t.Cores != cores:
		return fmt.Errorf("request for %v: asked of the measurement process for %d cores", t, cores)
	case t.Workers < 1 || t.Workers > 1<<20:
		return fmt.Errorf("request for %v: workers %d", t, t.Workers)
	case t.Strategy == CeilingStrategy && (t.Workers != t.Cores || t.Cores > maxCopies):
		return fmt.Errorf("request for %v: the ceiling runs one copy per core", t)
	case len(req.Half) > 0 && req.Kind != kindTimed:
		return fmt.Errorf("request for %v: a baseline half on a %s batch", t, req.Kind)
	case req.Trace != "" && (req.Kind != kindTimeline || !filepath.IsAbs(req.Trace)):
		return fmt.Errorf("request for %v: a trace %q on a %s batch, want an absolute path on a timeline batch", t, req.Trace, req.Kind)
	}
	return checkShares(req.Half)
}

func checkShares(shares []Share) error {
	for _, s := range shares {
		if s.Jobs < 1 || s.Jobs > strategies.MaxJobs || s.CPU < -1 || s.CPU >= maxCPUID {
			return fmt.Errorf("request: share of %d jobs on CPU %d", s.Jobs, s.CPU)
		}
	}
	return nil
}

// decodeMessage parses and checks one line from a measurement process.
func decodeMessage(line []byte) (message, error) {
	var m message
	if err := json.Unmarshal(line, &m); err != nil {
		return m, fmt.Errorf("malformed message from measurement process: %w", err)
	}
	set := 0
	for _, present := range []bool{m.Check != nil, m.Sample != nil, m.Fault != nil, m.Error != ""} {
		if present {
			set++
		}
	}
	if set != 1 {
		return m, errors.New("malformed message from measurement process: want exactly one of check, sample, fault, error")
	}
	if m.Fault != nil {
		if err := m.Fault.check(); err != nil {
			return m, err
		}
	}
	if s := m.Sample; s != nil {
		if err := s.check(); err != nil {
			return m, fmt.Errorf("malformed sample from measurement process: %w", err)
		}
	}
	return m, nil
}

// check refuses a sample no measurement can have produced.
func (s *Sample) check() error {
	switch {
	case s.Wall <= 0:
		return fmt.Errorf("wall time %v", s.Wall)
	case s.CPU < 0 || s.Startup < 0 || s.CopiesTime < 0 || s.Descheduled < 0:
		return errors.New("negative cpu, start-up, copies or descheduled time")
	case s.Idle != nil && (s.Idle.RampUp < 0 || s.Idle.Starved < 0 || s.Idle.AwaitingRelease < 0 || s.Idle.Tail < 0 ||
		s.Idle.Total() > time.Duration(s.Cores)*s.Wall+time.Duration(s.Cores)):
		return fmt.Errorf("idle parts %+v beyond %d cores x %v", *s.Idle, s.Cores, s.Wall)
	case s.Strategy != CalibrationStrategy && (s.Cores < 1 || s.Workers < 1):
		return fmt.Errorf("cores %d, workers %d", s.Cores, s.Workers)
	case len(s.Half) > maxShares:
		return fmt.Errorf("%d shares", len(s.Half))
	}
	for _, sh := range s.Half {
		if sh.Jobs < 1 || sh.Wall <= 0 || sh.CPUTime < 0 || sh.CPU < -1 || sh.CPU >= maxCPUID {
			return fmt.Errorf("share of %d jobs on CPU %d in %v", sh.Jobs, sh.CPU, sh.Wall)
		}
	}
	// A unit becomes a word of a bench.txt line; a space or an empty
	// unit would break the line for every reader.
	for _, mt := range s.Metrics {
		if mt.Unit == "" || strings.ContainsFunc(mt.Unit, unicode.IsSpace) {
			return fmt.Errorf("metric unit %q", mt.Unit)
		}
	}
	return nil
}
