package profiles

import (
	"fmt"
	"time"

	"github.com/parbench/parbench/internal/jobtrace"
)

// The names a measurement process gives, in its runtime/trace, to what
// ReadTrace looks for. Strategies emit JobRegion when trace.IsEnabled();
// the harness wraps the batch in BatchTask.
const (
	// BatchTask is the trace task begun just before a strategy's Run and
	// ended just after it returns: its span is the batch's wall time W.
	BatchTask = jobtrace.Batch
	// JobRegion is the trace region around one job's XOR-sum and sleep,
	// on the goroutine that runs the job: its span is the job's interval.
	JobRegion = jobtrace.Job
)

// SleepFunc is the full name of the function a job sleeps in. It waits
// on a timer in a select, so that a cancelled batch ends promptly, and
// the runtime names that wait "select"; a wait whose stack passes
// through SleepFunc (or time.Sleep) is a sleep all the same.
const SleepFunc = modulePath + "/strategies.Sleep"

// TraceEvent is one thing an execution trace says happened, in terms of
// the batch: ReadTrace turns a runtime/trace file into a stream of them,
// and TraceSplitter folds the stream into a TracedCoreTime. It is this
// package's own model, so that nothing outside ReadTrace depends on the
// trace parser, whose API may change.
type TraceEvent struct {
	// Time is when it happened, in nanoseconds on the trace's clock,
	// whose origin is arbitrary: only differences mean anything. Events
	// come in time order.
	Time time.Duration
	Kind TraceEventKind

	// Goroutine is the goroutine of a TraceGoroutine, TraceJobBegin or
	// TraceJobEnd event.
	Goroutine int64
	// State is the goroutine's state from this event on, and Blocked the
	// reason when the state is GoroutineBlocked (TraceGoroutine).
	State   GoroutineState
	Blocked BlockReason

	// Proc is the P of a TraceProc event, and Running whether it runs
	// from this event on: bound to a thread, running a goroutine or the
	// scheduler, as opposed to idle.
	Proc    int64
	Running bool

	// Procs is the number of Ps, GOMAXPROCS, from a TraceProcs event on.
	Procs int
}

// TraceEventKind says what a TraceEvent is about.
type TraceEventKind uint8

// The kinds of TraceEvent.
const (
	TraceProcs      TraceEventKind = iota + 1 // the number of Ps is Procs
	TraceBatchBegin                           // the BatchTask began
	TraceBatchEnd                             // the BatchTask ended
	TraceJobBegin                             // a JobRegion began on Goroutine
	TraceJobEnd                               // a JobRegion ended on Goroutine
	TraceGoroutine                            // Goroutine changed State
	TraceProc                                 // Proc started or stopped Running
)

var traceEventKindNames = [...]string{"", "procs", "batch begin", "batch end", "job begin", "job end", "goroutine", "proc"}

func (k TraceEventKind) String() string {
	if int(k) < len(traceEventKindNames) && k > 0 {
		return traceEventKindNames[k]
	}
	return fmt.Sprintf("TraceEventKind(%d)", int(k))
}

// GoroutineState is what a goroutine is doing, as far as the split needs
// to know.
type GoroutineState uint8

// The goroutine states. A goroutine in a system call is GoroutineBlocked
// with BlockSyscall: whatever it does there, the trace cannot tell
// whether it uses a CPU.
const (
	GoroutineGone     GoroutineState = iota // exited, or not yet created
	GoroutineRunning                        // running on a P
	GoroutineRunnable                       // ready to run, waiting for a P
	GoroutineBlocked                        // waiting for something, for the reason in Blocked
)

var goroutineStateNames = [...]string{"gone", "running", "runnable", "blocked"}

func (s GoroutineState) String() string {
	if int(s) < len(goroutineStateNames) {
		return goroutineStateNames[s]
	}
	return fmt.Sprintf("GoroutineState(%d)", int(s))
}

// BlockReason is why a goroutine is blocked, grouped by what would have
// to change to unblock it.
type BlockReason uint8

// The reasons a goroutine blocks.
const (
	BlockOther   BlockReason = iota // the collector, the runtime, anything not below
	BlockSleep                      // a timer: time.Sleep, or a job's sleep (SleepFunc)
	BlockChannel                    // a channel send or receive, or a select
	BlockSync                       // a mutex, WaitGroup, Cond or other sync primitive
	BlockSyscall                    // a system call, or the poller's wait for I/O (pipes, sockets)
)

// NumBlockReasons is the number of reasons; BlockReason values run from 0
// to NumBlockReasons-1.
const NumBlockReasons = int(BlockSyscall) + 1

var blockReasonNames = [NumBlockReasons]string{"other", "sleep", "channel", "sync", "syscall"}

// String is the reason's name in a table: other, sleep, channel, sync or
// syscall.
func (r BlockReason) String() string {
	if int(r) < NumBlockReasons {
		return blockReasonNames[r]
	}
	return fmt.Sprintf("BlockReason(%d)", int(r))
}
