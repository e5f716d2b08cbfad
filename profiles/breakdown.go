package profiles

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/google/pprof/profile"
)

// Category is where the time of a CPU sample went.
type Category int

// The categories, in the order of the summary's columns. Classify says
// which functions belong to which.
const (
	Kernel    Category = iota // the XOR-sum kernel, the work being measured
	Scheduler                 // the Go scheduler: finding, starting, stopping and waking goroutines and threads, timers
	ChanLock                  // channel operations, select, mutexes, semaphores, WaitGroups, atomics
	Syscall                   // system calls and pipe I/O, with the poller and the worker frame codec
	GC                        // garbage collection and the allocator that feeds it
	Other                     // everything else: the harness, verification, the strategies' own code
)

// NumCategories is the number of categories; Category values run from 0
// to NumCategories-1.
const NumCategories = int(Other) + 1

var categoryNames = [NumCategories]string{"kernel", "scheduler", "chan+lock", "syscall+io", "gc", "other"}

// String is the category's column name in the summary: kernel, scheduler,
// chan+lock, syscall+io, gc or other.
func (c Category) String() string {
	if c < 0 || int(c) >= NumCategories {
		return fmt.Sprintf("Category(%d)", int(c))
	}
	return categoryNames[c]
}

var categoryLabels = [NumCategories]string{"kernel", "scheduler", "channel/lock", "syscalls/pipe I/O", "GC", "other"}

// Label is the category's name in a chart legend: kernel, scheduler,
// channel/lock, syscalls/pipe I/O, GC or other.
func (c Category) Label() string {
	if c < 0 || int(c) >= NumCategories {
		return c.String()
	}
	return categoryLabels[c]
}

// Categories lists every category in column order.
func Categories() []Category {
	cs := make([]Category, NumCategories)
	for i := range cs {
		cs[i] = Category(i)
	}
	return cs
}

// modulePath is parbench's module; KernelFunc and the frame codec are
// named by it.
const modulePath = "github.com/parbench/parbench"

// KernelFunc is the full name of the XOR-sum kernel as it appears in a
// profile. The compiler may inline it into its caller; a profile keeps
// inlined functions as frames of their own, so it is still found.
const KernelFunc = modulePath + "/strategies.XORSum"

// funcCategory assigns a category to functions by exact name.
var funcCategory = map[string]Category{
	KernelFunc: Kernel,

	// The scheduler's own loop and its hand-offs.
	"runtime.schedule":         Scheduler,
	"runtime.findRunnable":     Scheduler,
	"runtime.stealWork":        Scheduler,
	"runtime.park_m":           Scheduler,
	"runtime.execute":          Scheduler,
	"runtime.goexit0":          Scheduler,
	"runtime.goexit1":          Scheduler,
	"runtime.gdestroy":         Scheduler,
	"runtime.newproc":          Scheduler,
	"runtime.newproc1":         Scheduler,
	"runtime.gfget":            Scheduler,
	"runtime.gfput":            Scheduler,
	"runtime.ready":            Scheduler,
	"runtime.goready":          Scheduler,
	"runtime.readyWithTime":    Scheduler,
	"runtime.injectglist":      Scheduler,
	"runtime.wakep":            Scheduler,
	"runtime.startm":           Scheduler,
	"runtime.stopm":            Scheduler,
	"runtime.mPark":            Scheduler,
	"runtime.handoffp":         Scheduler,
	"runtime.acquirep":         Scheduler,
	"runtime.releasep":         Scheduler,
	"runtime.resetspinning":    Scheduler,
	"runtime.checkRunqsNoP":    Scheduler,
	"runtime.casgstatus":       Scheduler,
	"runtime.gosched_m":        Scheduler,
	"runtime.goschedImpl":      Scheduler,
	"runtime.gopreempt_m":      Scheduler,
	"runtime.preemptPark":      Scheduler,
	"runtime.goschedguarded_m": Scheduler,
	"runtime.sysmon":           Scheduler,
	"runtime.retake":           Scheduler,
	"runtime.preemptone":       Scheduler,
	"runtime.netpollBreak":     Scheduler,
	"runtime.checkTimers":      Scheduler,
	"runtime.timeSleep":        Scheduler,
	"runtime.resetForSleep":    Scheduler,
	"time.Sleep":               Scheduler,
	"time.newTimer":            Scheduler,
	"time.stopTimer":           Scheduler,
	"time.resetTimer":          Scheduler,

	// Channels, select and the runtime's semaphores.
	"runtime.chansend":      ChanLock,
	"runtime.chansend1":     ChanLock,
	"runtime.chanrecv":      ChanLock,
	"runtime.chanrecv1":     ChanLock,
	"runtime.chanrecv2":     ChanLock,
	"runtime.closechan":     ChanLock,
	"runtime.selectgo":      ChanLock,
	"runtime.selectnbsend":  ChanLock,
	"runtime.selectnbrecv":  ChanLock,
	"runtime.selectnbrecv2": ChanLock,
	"runtime.send":          ChanLock,
	"runtime.recv":          ChanLock,
	"runtime.sendDirect":    ChanLock,
	"runtime.recvDirect":    ChanLock,
	"runtime.sellock":       ChanLock,
	"runtime.selunlock":     ChanLock,
	"runtime.semacquire":    ChanLock,
	"runtime.semacquire1":   ChanLock,
	"runtime.semrelease":    ChanLock,
	"runtime.semrelease1":   ChanLock,

	// System calls the runtime wraps, and the poller that serves I/O.
	"runtime.entersyscall":      Syscall,
	"runtime.entersyscallblock": Syscall,
	"runtime.reentersyscall":    Syscall,
	"runtime.exitsyscall":       Syscall,
	"runtime.exitsyscallfast":   Syscall,
	"runtime.netpoll":           Syscall,

	// The collector and the allocator.
	"runtime.scanobject": GC,
	"runtime.scanblock":  GC,
	"runtime.scanstack":  GC,
	"runtime.scanSpan":   GC,
	"runtime.greyobject": GC,
	"runtime.findObject": GC,
	"runtime.shade":      GC,
	"runtime.bgsweep":    GC,
	"runtime.sweepone":   GC,
	"runtime.bgscavenge": GC,
	"runtime.newobject":  GC,
	"runtime.newarray":   GC,
	"runtime.makeslice":  GC,
	"runtime.growslice":  GC,
	"runtime.GC":         GC,
	"runtime._GC":        GC, // the profiler's stand-in when a GC worker's stack is not walked
}

// prefixCategory assigns a category to functions by the start of their
// name: whole packages, and families of runtime functions. The first
// matching prefix wins.
var prefixCategory = []struct {
	prefix string
	cat    Category
}{
	{"runtime.chan", ChanLock},
	{"runtime.sema", ChanLock},
	{"runtime.(*semaRoot).", ChanLock},
	{"runtime.(*waitq).", ChanLock},
	// Not the whole of package sync: sync.(*WaitGroup).Go.func1 is the
	// root of every goroutine WaitGroup.Go starts, and runs user code.
	{"sync.(*Mutex).", ChanLock},
	{"sync.(*RWMutex).", ChanLock},
	{"sync.(*WaitGroup).Add", ChanLock},
	{"sync.(*WaitGroup).Done", ChanLock},
	{"sync.(*WaitGroup).Wait", ChanLock},
	{"sync.(*Cond).", ChanLock},
	{"sync.(*Once).", ChanLock},
	{"sync.runtime_", ChanLock},
	{"sync/atomic.", ChanLock},
	{"internal/sync.", ChanLock},

	{"runtime.runq", Scheduler},
	{"runtime.globrunq", Scheduler},
	{"runtime.(*timer).", Scheduler},
	{"runtime.(*timers).", Scheduler},

	{"syscall.", Syscall},
	{"internal/poll.", Syscall},
	{"internal/runtime/syscall", Syscall},
	{"golang.org/x/sys/unix.", Syscall},
	{"os.(*File).", Syscall},
	{"bufio.", Syscall},
	{modulePath + "/strategies/internal/wire.", Syscall},

	{"runtime.gc", GC},
	{"runtime.mallocgc", GC},
	{"runtime.markroot", GC},
	{"runtime.wbBuf", GC},
	{"runtime.(*gcWork).", GC},
	{"runtime.(*gcControllerState).", GC},
	{"runtime.(*mcache).", GC},
	{"runtime.(*mcentral).", GC},
	{"runtime.(*mheap).", GC},
	{"runtime.(*mspan).", GC},
	{"runtime.(*sweepLocked).", GC},
	{"runtime.(*pageAlloc).", GC},
	{"runtime.(*scavengerState).", GC},
	{"runtime.stopTheWorld", GC},
	{"runtime.startTheWorld", GC},
}

// Classify says where the time of one sample went, given the names of the
// functions on its stack, innermost (leaf) first.
//
// It walks the stack from the leaf towards the root and lets the first
// function it recognises decide. Functions that could serve any caller
// are deliberately not recognised, so their caller decides:
//
//   - runtime.futex, futexsleep, futexwakeup, notesleep, notewakeup: a
//     thread going to sleep or being woken. Under findRunnable, stopm or
//     wakep that is the scheduler parking or waking a thread, not I/O,
//     even though futex is a system call.
//   - runtime.lock, lock2, unlock, unlock2, procyield, osyield: the
//     runtime's internal locks count for what they protect: a channel's
//     lock is chan+lock, the scheduler's lock is scheduler, the heap's lock
//     is gc.
//   - runtime.memmove, memclrNoHeapPointers, systemstack, mcall,
//     morestack, gopark, nanotime: helpers of every category.
//   - runtime.asyncPreempt, the few instructions that save a goroutine's
//     registers when it is preempted. The profiler catches a long-running
//     goroutine there far more often than those instructions cost (a few
//     percent of a busy kernel's samples, for well under a microsecond
//     every 10 ms), so the interrupted function decides; what comes after,
//     asyncPreempt2 and gopreempt_m, is scheduler.
//   - Frames that run user code: the root of a goroutine started by
//     sync.(*WaitGroup).Go, runtime/pprof.Do, runtime.goexit. Recognising
//     them would claim every sample of the goroutine that did not match
//     closer to the leaf.
//
// The recognised functions, by category:
//
//   - kernel: KernelFunc (strategies.XORSum). It calls nothing, so a
//     sample that reaches it from the leaf is the kernel's own time; a
//     preempted kernel that is being rescheduled counts as scheduler.
//   - scheduler: schedule, findRunnable, stealWork, park_m, execute,
//     goexit0, newproc, gfget/gfput, ready/goready, wakep, startm, stopm,
//     handoffp, acquirep/releasep, the run queues (runq*, globrunq*),
//     preemption (gopreempt_m, preemptPark, sysmon, retake), and timers
//     (checkTimers, time.Sleep and the runtime's timer methods). Waking
//     the receiver of a channel send is scheduler time too: the send is
//     done by then.
//   - chan+lock: chansend, chanrecv, closechan, selectgo and the
//     non-blocking select forms, the runtime's semaphores (semacquire,
//     semrelease), sync's Mutex, RWMutex, Cond, Once and WaitGroup's
//     Add, Done and Wait, and the packages sync/atomic and internal/sync.
//   - syscall+io: the packages syscall, internal/poll,
//     internal/runtime/syscall and golang.org/x/sys/unix, os.(*File)
//     methods, bufio, entersyscall/exitsyscall, the network poller
//     (runtime.netpoll, which serves pipe reads) and parbench's worker
//     frame codec (strategies/internal/wire): talking to procpool workers.
//   - gc: the runtime's gc* functions (gcBgMarkWorker, gcDrain,
//     gcAssistAlloc, gcStart, the write barrier), marking (scanobject,
//     markroot*, greyobject), sweeping and scavenging, the heap structures
//     (mheap, mcentral, mcache, mspan, pageAlloc), stop-the-world, and the
//     allocator (mallocgc*, newobject, makeslice, growslice), whose cost
//     rises and falls with the collector's.
//   - other: a stack in which nothing is recognised.
func Classify(frames []string) Category {
	for _, f := range frames {
		if c, ok := classifyFunc(f); ok {
			return c
		}
	}
	return Other
}

// classifyFunc is the rule for one function, if there is one.
func classifyFunc(name string) (Category, bool) {
	if c, ok := funcCategory[name]; ok {
		return c, true
	}
	for _, r := range prefixCategory {
		if strings.HasPrefix(name, r.prefix) {
			return r.cat, true
		}
	}
	return Other, false
}

// Shares is how a CPU profile's time splits over the categories.
type Shares struct {
	Samples int64         // CPU samples in the profile
	CPU     time.Duration // the CPU time they stand for
	// Fraction is each category's share of CPU, indexed by Category; the
	// shares add up to 1.
	Fraction [NumCategories]float64
}

// Of is c's share of the CPU time, from 0 to 1.
func (s Shares) Of(c Category) float64 {
	if c < 0 || int(c) >= NumCategories {
		return 0
	}
	return s.Fraction[c]
}

// ErrNoSamples is returned by Breakdown for a CPU profile without CPU time
// in it, such as one whose batches ran too briefly to be sampled.
var ErrNoSamples = errors.New("no CPU samples")

// Breakdown classifies every sample of a CPU profile as Classify does and
// returns each category's share of the profile's CPU time. A profile that
// is not a CPU profile (no "cpu" sample type in nanoseconds), that holds a
// negative value, or whose samples add up to no time at all is an error.
// Labels are ignored: pass a profile of one configuration, or one with
// the other configurations' samples filtered out.
func Breakdown(p *profile.Profile) (Shares, error) {
	var s Shares
	if p == nil {
		return s, errors.New("no profile")
	}
	cpu, samples := -1, -1
	for i, st := range p.SampleType {
		switch st.Type {
		case "cpu":
			cpu = i
		case "samples":
			samples = i
		}
	}
	if cpu < 0 {
		var types []string
		for _, st := range p.SampleType {
			types = append(types, st.Type+"/"+st.Unit)
		}
		return s, fmt.Errorf("not a CPU profile: sample types [%s], want cpu/nanoseconds", strings.Join(types, " "))
	}
	if u := p.SampleType[cpu].Unit; u != "nanoseconds" {
		return s, fmt.Errorf("cpu samples in %q, want nanoseconds", u)
	}
	var byCat [NumCategories]int64
	var total int64
	for i, smp := range p.Sample {
		if cpu >= len(smp.Value) {
			return s, fmt.Errorf("sample %d has %d values, want at least %d", i, len(smp.Value), cpu+1)
		}
		v := smp.Value[cpu]
		if v < 0 {
			return s, fmt.Errorf("sample %d has negative cpu %d (a difference of profiles?)", i, v)
		}
		if v > math.MaxInt64-total {
			return s, fmt.Errorf("sample %d: cpu adds up past %d ns, more than a profile can hold", i, int64(math.MaxInt64))
		}
		if samples >= 0 && samples < len(smp.Value) {
			s.Samples += smp.Value[samples]
		} else {
			s.Samples++
		}
		byCat[classifySample(smp)] += v
		total += v
	}
	if total == 0 {
		return s, ErrNoSamples
	}
	s.CPU = time.Duration(total)
	for c, v := range byCat {
		s.Fraction[c] = float64(v) / float64(total)
	}
	return s, nil
}

// classifySample is Classify on a sample's stack, without copying it.
func classifySample(smp *profile.Sample) Category {
	for _, loc := range smp.Location {
		if loc == nil {
			continue
		}
		// Line[0] is the innermost of the functions inlined at loc.
		for _, ln := range loc.Line {
			if ln.Function == nil {
				continue
			}
			if c, ok := classifyFunc(ln.Function.Name); ok {
				return c
			}
		}
	}
	return Other
}
