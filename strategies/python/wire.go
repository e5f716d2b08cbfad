package python

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"syscall"
	"time"

	"github.com/parbench/parbench/strategies"
)

// The line protocol between parbench and its Python program
// (parbench_python.py). Every message is one line of
// ASCII, fields split by one space, ended by '\n'; numbers are decimal
// integers, times CLOCK_MONOTONIC nanoseconds.
//
// parbench to Python, on its stdin; EOF asks it to finish and exit:
//
//	batch <jobs> <n> <sleep_ns> <gap_ns> <t0_ns> <workers>
//
// Job j is released at t0 + j*gap: the program queues it no sooner.
//
// Python to parbench, on its stdout:
//
//	hello <protocol> <python version>        once, when ready
//	result <job> <sum> <worker> <start_ns> <end_ns>   one per job it ran
//	fault <pid> <exit> <job>                 a pool worker found dead
//	done <count> <cpu_ns>                    ends a batch's results
//	error <text>                             a request it could not run
//
// count is how many result lines came before done; cpu_ns is the CPU time
// (user+system) the program and its workers spent on the batch. A job lost
// by the program simply has no result line: parbench's verification names
// it.
//
// A fault line comes as soon as python-pool's manager finds a worker dead,
// before the batch's results: exit is the worker's exit status, or minus
// the signal that killed it (multiprocessing's exitcode); job is the job of
// the batch it was running, which the program runs again, or -1 for none.
// After an error line in a batch the program exits.
const (
	pyProtocol = 2
	// pyMaxLine bounds one line: a result line is at most about 100 bytes,
	// and an error's text is cut to fit.
	pyMaxLine = 1024
)

// pyKind is the kind of a line from the Python program.
type pyKind int

const (
	pyHello pyKind = iota + 1
	pyResult
	pyDone
	pyError
	pyFault
)

// pyLine is one decoded line. Which fields are set depends on Kind.
type pyLine struct {
	Kind    pyKind
	Version string // hello: the interpreter's version
	Proto   int64  // hello
	Job     int64  // result; fault: the job it was running, -1 for none
	Sum     int64  // result
	Worker  int64  // result
	Start   int64  // result, ns
	End     int64  // result, ns
	Count   int64  // done
	CPU     int64  // done, ns
	Text    string // error
	PID     int64  // fault
	Exit    int64  // fault: exit status, or minus a signal number
}

// errPyMalformed wraps every decoding failure.
var errPyMalformed = errors.New("malformed line from the python program")

// parsePyLine decodes one line, without its '\n'. It checks the form
// only: whether a job belongs to the batch is the caller's question.
func parsePyLine(line []byte) (pyLine, error) {
	bad := func(why string) (pyLine, error) {
		return pyLine{}, fmt.Errorf("%w: %s: %q", errPyMalformed, why, truncate(line, 80))
	}
	if len(line) > pyMaxLine {
		return bad(fmt.Sprintf("longer than %d bytes", pyMaxLine))
	}
	for _, c := range line {
		if c < 0x20 || c > 0x7e {
			return bad("not printable ASCII")
		}
	}
	kind, rest, spaced := bytes.Cut(line, []byte(" "))
	if string(kind) == "error" && spaced {
		return pyLine{Kind: pyError, Text: string(rest)}, nil
	}
	fields := bytes.Split(rest, []byte(" "))
	ints := func(want int) ([]int64, error) {
		if len(fields) != want || len(rest) == 0 {
			return nil, fmt.Errorf("%d fields, want %d", len(fields), want)
		}
		out := make([]int64, want)
		for i, f := range fields {
			v, err := strconv.ParseInt(string(f), 10, 64)
			// One spelling per number, as Python's %d writes it.
			if err != nil || strconv.FormatInt(v, 10) != string(f) {
				return nil, fmt.Errorf("field %d %q is not a decimal integer", i+1, f)
			}
			out[i] = v
		}
		return out, nil
	}
	switch string(kind) {
	case "hello":
		if len(fields) != 2 || len(fields[1]) == 0 {
			return bad("want hello <protocol> <version>")
		}
		p, err := strconv.ParseInt(string(fields[0]), 10, 64)
		if err != nil {
			return bad("protocol is not an integer")
		}
		return pyLine{Kind: pyHello, Proto: p, Version: string(fields[1])}, nil
	case "result":
		v, err := ints(5)
		if err != nil {
			return bad(err.Error())
		}
		return pyLine{Kind: pyResult, Job: v[0], Sum: v[1], Worker: v[2], Start: v[3], End: v[4]}, nil
	case "done":
		v, err := ints(2)
		if err != nil {
			return bad(err.Error())
		}
		return pyLine{Kind: pyDone, Count: v[0], CPU: v[1]}, nil
	case "fault":
		v, err := ints(3)
		if err != nil {
			return bad(err.Error())
		}
		return pyLine{Kind: pyFault, PID: v[0], Exit: v[1], Job: v[2]}, nil
	}
	return bad("unknown kind")
}

// format writes l as the Python program would; parsePyLine reads it back.
func (l pyLine) format() string {
	switch l.Kind {
	case pyHello:
		return fmt.Sprintf("hello %d %s", l.Proto, l.Version)
	case pyResult:
		return fmt.Sprintf("result %d %d %d %d %d", l.Job, l.Sum, l.Worker, l.Start, l.End)
	case pyDone:
		return fmt.Sprintf("done %d %d", l.Count, l.CPU)
	case pyError:
		return "error " + l.Text
	case pyFault:
		return fmt.Sprintf("fault %d %d %d", l.PID, l.Exit, l.Job)
	}
	return ""
}

// pyResultFrom checks a decoded result against its batch and converts it:
// a job of the batch, a worker of the pool, a start no sooner than the
// job's release and an end no sooner than its start. t0 is the batch start
// on the raw monotonic clock.
func pyResultFrom(l pyLine, w strategies.Workload, workers int, t0 int64) (strategies.Result, error) {
	switch {
	case l.Job < 0 || l.Job >= int64(w.Jobs):
		return strategies.Result{}, fmt.Errorf("%w: job %d is not in the batch (jobs 0..%d)", errPyMalformed, l.Job, w.Jobs-1)
	case l.Worker < 0 || l.Worker >= int64(workers):
		return strategies.Result{}, fmt.Errorf("%w: job %d: worker %d, want 0..%d", errPyMalformed, l.Job, l.Worker, workers-1)
	case l.End < l.Start:
		return strategies.Result{}, fmt.Errorf("%w: job %d ends before it starts", errPyMalformed, l.Job)
	}
	if l.Start < t0 {
		return strategies.Result{}, fmt.Errorf("%w: job %d started before the batch", errPyMalformed, l.Job)
	}
	// l.End >= l.Start >= t0: neither difference can wrap.
	start, end := time.Duration(l.Start-t0), time.Duration(l.End-t0)
	if start < w.Release(int(l.Job)) {
		return strategies.Result{}, fmt.Errorf("%w: job %d started %v after the batch start, before its release at %v",
			errPyMalformed, l.Job, start, w.Release(int(l.Job)))
	}
	return strategies.Result{Job: l.Job, Sum: l.Sum, Worker: int(l.Worker), Start: start, End: end}, nil
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// pyFaultCause checks a decoded fault against its batch and describes it,
// for the fault log: a worker's pid, a job of the batch or none, and an
// exit status or signal as a process can end with.
func pyFaultCause(l pyLine, w strategies.Workload) (string, error) {
	switch {
	case l.PID < 1 || l.PID > 1<<31-1:
		return "", fmt.Errorf("%w: fault of worker pid %d", errPyMalformed, l.PID)
	case l.Job < -1 || l.Job >= int64(w.Jobs):
		return "", fmt.Errorf("%w: fault of worker pid %d running job %d, not in the batch (jobs 0..%d)", errPyMalformed, l.PID, l.Job, w.Jobs-1)
	case l.Exit < -127 || l.Exit > 255:
		return "", fmt.Errorf("%w: fault of worker pid %d with exit %d, neither a status nor a signal", errPyMalformed, l.PID, l.Exit)
	}
	how := fmt.Sprintf("exited with status %d", l.Exit)
	if l.Exit < 0 {
		how = fmt.Sprintf("killed by signal %d (%v)", -l.Exit, syscall.Signal(-l.Exit))
	}
	what := "outside a job"
	if l.Job >= 0 {
		what = fmt.Sprintf("running job %d, which runs again", l.Job)
	}
	return fmt.Sprintf("pool worker pid %d %s %s", l.PID, how, what), nil
}
