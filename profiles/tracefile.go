package profiles

// This file is the only one that imports golang.org/x/exp/trace: its API
// is outside Go's compatibility promise, so what depends on it stays here,
// and the rest of the package sees TraceEvents.

import (
	"bufio"
	"fmt"
	"io"
	"time"

	"golang.org/x/exp/trace"
)

// gomaxprocsMetric is the runtime/metrics name the runtime samples
// GOMAXPROCS under at the start of each generation of a trace.
const gomaxprocsMetric = "/sched/gomaxprocs:threads"

// ReadTrace reads a runtime/trace file (Go 1.22 or later) and calls yield
// with each TraceEvent in time order: GOMAXPROCS, the BatchTask, the
// JobRegions, and the state changes of goroutines and Ps. It stops at the
// first error yield returns, and returns it with the event's position.
//
// A trace beyond lim, or not a trace, is an error; so is a malformed one,
// caught as the parser reports it.
func ReadTrace(r io.Reader, lim TraceLimits, yield func(TraceEvent) error) error {
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = DefaultTraceLimits.MaxBytes
	}
	if lim.MaxEvents <= 0 {
		lim.MaxEvents = DefaultTraceLimits.MaxEvents
	}
	src := &boundedReader{r: r, left: lim.MaxBytes}
	br := bufio.NewReader(src)
	if err := checkTraceVersion(br); err != nil {
		if src.over {
			return traceError(src, lim, 0, err)
		}
		return err
	}
	tr, err := trace.NewReader(br)
	if err != nil {
		return traceError(src, lim, 0, err)
	}
	var events int64
	rd := reader{batch: trace.NoTask, sleepy: make(map[trace.Stack]bool)}
	for {
		ev, ok, err := rd.next(tr)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return traceError(src, lim, events, err)
		}
		if events++; events > lim.MaxEvents {
			return fmt.Errorf("trace has more than %d events: refused, beyond the limit", lim.MaxEvents)
		}
		if !ok {
			continue
		}
		if err := yield(ev); err != nil {
			return fmt.Errorf("trace event %d: %w", events, err)
		}
	}
}

// next reads the parser's next event and converts it, or says it is of
// no interest. The parser has its own fuzz test, but it reads bytes from
// a file, and this package never panics: a panic in it is a malformed
// trace.
func (rd *reader) next(tr *trace.Reader) (ev TraceEvent, ok bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			ev, ok, err = TraceEvent{}, false, fmt.Errorf("parser panicked: %v", p)
		}
	}()
	e, err := tr.ReadEvent()
	if err != nil {
		return TraceEvent{}, false, err
	}
	ev, ok = rd.convert(e)
	return ev, ok, nil
}

// reader converts the parser's events, remembering what it must.
type reader struct {
	batch  trace.TaskID         // the BatchTask's, once it began
	sleepy map[trace.Stack]bool // whether a stack passes through a sleep
}

// maxSleepyStacks bounds reader.sleepy within a generation; past it,
// stacks are looked at each time instead of remembered.
const maxSleepyStacks = 1 << 14

// convert turns e into a TraceEvent, or says it is of no interest.
func (rd *reader) convert(e trace.Event) (TraceEvent, bool) {
	out := TraceEvent{Time: time.Duration(e.Time())}
	switch e.Kind() {
	case trace.EventSync:
		// A new generation: its stacks are new handles, and a remembered
		// handle would keep the last generation's tables in memory.
		clear(rd.sleepy)
		return out, false
	case trace.EventMetric:
		m := e.Metric()
		if m.Name != gomaxprocsMetric || m.Value.Kind() != trace.ValueUint64 {
			return out, false
		}
		out.Kind, out.Procs = TraceProcs, int(min(m.Value.Uint64(), maxTraceProcs+1))
	case trace.EventTaskBegin:
		if e.Task().Type != BatchTask {
			return out, false
		}
		rd.batch = e.Task().ID
		out.Kind = TraceBatchBegin
	case trace.EventTaskEnd:
		if rd.batch == trace.NoTask || e.Task().ID != rd.batch {
			return out, false
		}
		out.Kind = TraceBatchEnd
	case trace.EventRegionBegin, trace.EventRegionEnd:
		if e.Region().Type != JobRegion {
			return out, false
		}
		out.Kind, out.Goroutine = TraceJobBegin, int64(e.Goroutine())
		if e.Kind() == trace.EventRegionEnd {
			out.Kind = TraceJobEnd
		}
	case trace.EventStateTransition:
		st := e.StateTransition()
		switch st.Resource.Kind {
		case trace.ResourceGoroutine:
			_, to := st.Goroutine()
			out.Kind, out.Goroutine = TraceGoroutine, int64(st.Resource.Goroutine())
			switch to {
			case trace.GoRunning:
				out.State = GoroutineRunning
			case trace.GoRunnable:
				out.State = GoroutineRunnable
			case trace.GoWaiting:
				out.State, out.Blocked = GoroutineBlocked, rd.blockReason(st.Reason, st.Stack)
			case trace.GoSyscall:
				out.State, out.Blocked = GoroutineBlocked, BlockSyscall
			case trace.GoNotExist:
				out.State = GoroutineGone
			default:
				return out, false
			}
		case trace.ResourceProc:
			_, to := st.Proc()
			out.Kind, out.Proc, out.Running = TraceProc, int64(st.Resource.Proc()), to == trace.ProcRunning
		default:
			return out, false
		}
	default:
		return out, false
	}
	return out, true
}

// blockReason groups the runtime's reasons for a goroutine's wait (its
// traceBlockReasonStrings). A wait on a timer in a select is a sleep when
// the stack passes through SleepFunc or time.Sleep.
func (rd *reader) blockReason(reason string, stack trace.Stack) BlockReason {
	switch reason {
	case "sleep":
		return BlockSleep
	case "sync", "sync.(*Cond).Wait":
		return BlockSync
	case "network":
		return BlockSyscall
	case "select", "chan send", "chan receive":
		if rd.sleeps(stack) {
			return BlockSleep
		}
		return BlockChannel
	}
	return BlockOther
}

func (rd *reader) sleeps(stack trace.Stack) bool {
	if stack == trace.NoStack {
		return false
	}
	if v, ok := rd.sleepy[stack]; ok {
		return v
	}
	v := false
	for f := range stack.Frames() {
		if f.Func == SleepFunc || f.Func == "time.Sleep" {
			v = true
			break
		}
	}
	if len(rd.sleepy) < maxSleepyStacks {
		rd.sleepy[stack] = v
	}
	return v
}
