package profiles

import (
	"bytes"
	"context"
	"errors"
	"math"
	"reflect"
	"runtime"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/parbench/parbench/strategies"
)

// Stacks as a Go CPU profile of parbench records them, leaf first.
var (
	kernelInPool = []string{KernelFunc, modulePath + "/strategies.Compute", modulePath + "/strategies.Pool.Run.func2", "sync.(*WaitGroup).Go.func1"}
	schedIdle    = []string{"runtime.futex", "runtime.futexsleep", "runtime.notesleep", "runtime.mPark", "runtime.stopm", "runtime.findRunnable", "runtime.schedule", "runtime.park_m", "runtime.mcall"}
	chanSendLock = []string{"runtime.lock2", "runtime.lockWithRank", "runtime.lock", "runtime.chansend", "runtime.chansend1", modulePath + "/strategies.Pool.Run.func1"}
	pipeRead     = []string{"internal/runtime/syscall/linux.Syscall6", "syscall.RawSyscall6", "syscall.Syscall", "syscall.read", "syscall.Read", "internal/poll.ignoringEINTRIO", "internal/poll.(*FD).Read", "os.(*File).read", "os.(*File).Read", "bufio.(*Reader).Read"}
	gcWorker     = []string{"runtime.scanobject", "runtime.gcDrain", "runtime.gcDrainMarkWorkerDedicated", "runtime.gcBgMarkWorker.func2", "runtime.systemstack", "runtime.gcBgMarkWorker", "runtime.goexit"}
	verifyLoop   = []string{modulePath + "/strategies.Expected", modulePath + "/strategies.Verify", modulePath + "/harness.runBatch"}
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name   string
		frames []string // leaf first
		want   Category
	}{
		{"kernel", kernelInPool, Kernel},
		{"kernel preempted and rescheduled", []string{"runtime.runqput", "runtime.gopreempt_m", "runtime.newstack", "runtime.morestack", KernelFunc}, Scheduler},
		{"kernel caught saving its registers for preemption", []string{"runtime.asyncPreempt", KernelFunc, modulePath + "/strategies.Compute"}, Kernel},
		{"kernel being preempted", []string{"runtime.gopreempt_m", "runtime.mcall", "runtime.asyncPreempt2", "runtime.asyncPreempt", KernelFunc}, Scheduler},
		{"idle thread going to sleep", schedIdle, Scheduler},
		{"futex under a scheduler wake-up is not I/O", []string{"runtime.futex", "runtime.futexwakeup", "runtime.notewakeup", "runtime.startm", "runtime.wakep", "runtime.ready", "runtime.goready.func1", "runtime.systemstack", "runtime.goready", "runtime.send", "runtime.chansend"}, Scheduler},
		{"runtime lock counts for its channel", chanSendLock, ChanLock},
		{"runtime lock counts for the scheduler", []string{"runtime.lock2", "runtime.lock", "runtime.globrunqget", "runtime.findRunnable"}, Scheduler},
		{"runtime lock counts for the heap", []string{"runtime.lock2", "runtime.(*mheap).alloc", "runtime.(*mcentral).grow", "runtime.mallocgc"}, GC},
		{"select", []string{"runtime.selectgo", modulePath + "/strategies.Sleep"}, ChanLock},
		{"mutex fast path inlined", []string{"sync.(*Mutex).Lock", "context.(*cancelCtx).Done"}, ChanLock},
		{"internal mutex slow path", []string{"runtime.procyield", "internal/sync.(*Mutex).lockSlow", "sync.(*Mutex).Lock"}, ChanLock},
		{"semaphore", []string{"runtime.semacquire1", "sync.runtime_SemacquireWaitGroup", "sync.(*WaitGroup).Wait"}, ChanLock},
		{"wait group", []string{"sync/atomic.(*Uint64).Add", "sync.(*WaitGroup).Add"}, ChanLock},
		{"pipe read", pipeRead, Syscall},
		{"pipe write", []string{"syscall.Syscall", "syscall.write", "internal/poll.(*FD).Write", "os.(*File).Write"}, Syscall},
		{"poller", []string{"internal/runtime/syscall/linux.EpollWait", "runtime.netpoll", "runtime.findRunnable"}, Syscall},
		{"syscall exit", []string{"runtime.exitsyscall", "syscall.Syscall"}, Syscall},
		{"worker frame codec", []string{"encoding/binary.littleEndian.Uint64", modulePath + "/strategies/internal/wire.(*Reader).Next"}, Syscall},
		{"background mark worker", gcWorker, GC},
		{"mark assist", []string{"runtime.markroot", "runtime.gcDrainN", "runtime.gcAssistAlloc1", "runtime.gcAssistAlloc", "runtime.mallocgc"}, GC},
		{"allocation", []string{"runtime.memclrNoHeapPointers", "runtime.mallocgcSmallNoscan", "runtime.mallocgc", "runtime.makeslice"}, GC},
		{"profiler's GC stand-in", []string{"runtime._GC"}, GC},
		{"timer", []string{"runtime.(*timer).modify", "time.newTimer", "time.NewTimer", modulePath + "/strategies.Sleep"}, Scheduler},
		{"goroutine creation", []string{"runtime.newproc1", "runtime.newproc.func1", "runtime.systemstack", "runtime.newproc"}, Scheduler},
		{"verification", verifyLoop, Other},
		{"strategy's own code in a WaitGroup.Go goroutine", []string{"runtime.nanotime", "time.Since", modulePath + "/strategies.Pool.Run.func2", "sync.(*WaitGroup).Go.func1"}, Other},
		{"goroutine creation by WaitGroup.Go", []string{"runtime.gfget", "runtime.newproc1", "runtime.newproc", "sync.(*WaitGroup).Go", modulePath + "/strategies.PerJob.Run"}, Scheduler},
		{"labelled batch", []string{modulePath + "/strategies.Serial.Run", modulePath + "/harness.runBatch", "runtime/pprof.Do"}, Other},
		{"lone futex", []string{"runtime.futex"}, Other},
		{"memmove alone", []string{"runtime.memmove"}, Other},
		{"empty stack", nil, Other},
		{"profiler's system stand-in", []string{"runtime._System"}, Other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.frames); got != tt.want {
				t.Errorf("Classify(%q) = %v, want %v", tt.frames, got, tt.want)
			}
		})
	}
}

func TestKernelFuncIsXORSum(t *testing.T) {
	name := runtime.FuncForPC(reflect.ValueOf(strategies.XORSum).Pointer()).Name()
	if name != KernelFunc {
		t.Errorf("strategies.XORSum is named %q in profiles, KernelFunc is %q", name, KernelFunc)
	}
}

// weighted is a stack and the CPU time of its samples.
type weighted struct {
	stack []string // leaf first; "a+b" is b with a inlined into it
	cpu   time.Duration
}

// cpuProfile builds a CPU profile as Go writes one, at 100 Hz, with a
// location per stack frame; a frame "a+b" is one location with a inlined
// into b.
func cpuProfile(t testing.TB, stacks ...weighted) *profile.Profile {
	t.Helper()
	const period = 10 * time.Millisecond
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     int64(period),
	}
	funcs := map[string]*profile.Function{}
	fn := func(name string) *profile.Function {
		if f, ok := funcs[name]; ok {
			return f
		}
		f := &profile.Function{ID: uint64(len(p.Function) + 1), Name: name, SystemName: name, Filename: "x.go"}
		funcs[name] = f
		p.Function = append(p.Function, f)
		return f
	}
	locs := map[string]*profile.Location{}
	for _, st := range stacks {
		smp := &profile.Sample{Value: []int64{int64(st.cpu / period), int64(st.cpu)}}
		for _, frame := range st.stack {
			loc, ok := locs[frame]
			if !ok {
				loc = &profile.Location{ID: uint64(len(p.Location) + 1), Address: uint64(0x1000 * (len(p.Location) + 1))}
				for _, name := range strings.Split(frame, "+") {
					loc.Line = append(loc.Line, profile.Line{Function: fn(name), Line: 1})
				}
				locs[frame] = loc
				p.Location = append(p.Location, loc)
			}
			smp.Location = append(smp.Location, loc)
		}
		p.Sample = append(p.Sample, smp)
	}
	if err := p.CheckValid(); err != nil {
		t.Fatalf("test profile is not valid: %v", err)
	}
	return p
}

func TestBreakdown(t *testing.T) {
	inlinedKernel := []string{KernelFunc + "+" + modulePath + "/strategies.Compute", modulePath + "/strategies.Pool.Run.func2"}
	tests := []struct {
		name   string
		stacks []weighted
		want   map[Category]float64 // the rest 0
	}{
		{"kernel only", []weighted{{kernelInPool, 3 * time.Second}}, map[Category]float64{Kernel: 1}},
		{"kernel inlined into its caller", []weighted{{inlinedKernel, 900 * time.Millisecond}, {verifyLoop, 100 * time.Millisecond}},
			map[Category]float64{Kernel: 0.9, Other: 0.1}},
		{"every category", []weighted{
			{kernelInPool, 600 * time.Millisecond},
			{schedIdle, 100 * time.Millisecond},
			{chanSendLock, 100 * time.Millisecond},
			{pipeRead, 50 * time.Millisecond},
			{gcWorker, 100 * time.Millisecond},
			{verifyLoop, 50 * time.Millisecond},
		}, map[Category]float64{Kernel: 0.6, Scheduler: 0.1, ChanLock: 0.1, Syscall: 0.05, GC: 0.1, Other: 0.05}},
		{"same category from many stacks", []weighted{
			{chanSendLock, 10 * time.Millisecond},
			{[]string{"runtime.selectgo"}, 10 * time.Millisecond},
			{kernelInPool, 20 * time.Millisecond},
		}, map[Category]float64{ChanLock: 0.5, Kernel: 0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := cpuProfile(t, tt.stacks...)
			// Through the encoding too, as the harness hands it over.
			var buf bytes.Buffer
			if err := p.Write(&buf); err != nil {
				t.Fatal(err)
			}
			parsed, err := profile.Parse(&buf)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Breakdown(parsed)
			if err != nil {
				t.Fatalf("Breakdown: %v", err)
			}
			var wantCPU time.Duration
			var wantSamples int64
			for _, st := range tt.stacks {
				wantCPU += st.cpu
				wantSamples += int64(st.cpu / (10 * time.Millisecond))
			}
			if got.CPU != wantCPU || got.Samples != wantSamples {
				t.Errorf("CPU, Samples = %v, %d; want %v, %d", got.CPU, got.Samples, wantCPU, wantSamples)
			}
			sum := 0.0
			for _, c := range Categories() {
				sum += got.Of(c)
				if math.Abs(got.Of(c)-tt.want[c]) > 1e-9 {
					t.Errorf("share of %v = %.4f, want %.4f", c, got.Of(c), tt.want[c])
				}
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Errorf("shares add up to %v, want 1", sum)
			}
		})
	}
}

func TestBreakdownRejects(t *testing.T) {
	heap := cpuProfile(t, weighted{kernelInPool, time.Second})
	heap.SampleType = []*profile.ValueType{{Type: "alloc_objects", Unit: "count"}, {Type: "alloc_space", Unit: "bytes"}}
	negative := cpuProfile(t, weighted{kernelInPool, time.Second}, weighted{schedIdle, time.Second})
	negative.Sample[1].Value = []int64{-1, -int64(10 * time.Millisecond)}
	micro := cpuProfile(t, weighted{kernelInPool, time.Second})
	micro.SampleType[1].Unit = "microseconds"
	zero := cpuProfile(t, weighted{kernelInPool, 0})
	overflow := cpuProfile(t, weighted{kernelInPool, time.Second}, weighted{schedIdle, time.Second})
	overflow.Sample[0].Value[1], overflow.Sample[1].Value[1] = math.MaxInt64, math.MaxInt64
	tests := []struct {
		name string
		p    *profile.Profile
		want string // substring of the error
	}{
		{"nil", nil, "no profile"},
		{"heap profile", heap, "not a CPU profile: sample types [alloc_objects/count alloc_space/bytes]"},
		{"difference of profiles", negative, "sample 1 has negative cpu"},
		{"wrong unit", micro, `cpu samples in "microseconds"`},
		{"no samples at all", cpuProfile(t), "no CPU samples"},
		{"samples of no time", zero, "no CPU samples"},
		{"cpu past int64", overflow, "sample 1: cpu adds up past"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Breakdown(tt.p)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Breakdown = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := Breakdown(zero); !errors.Is(err, ErrNoSamples) {
		t.Errorf("Breakdown of an empty profile = %v, want ErrNoSamples", err)
	}
}

// TestBreakdownRealProfile profiles the kernel in this process, so the
// rules meet the names the compiler and runtime really write.
func TestBreakdownRealProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("profiles for half a second")
	}
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Skipf("CPU profiler busy: %v", err)
	}
	w := strategies.Workload{Jobs: 64, N: 200_000}
	ctx := context.Background()
	for begin := time.Now(); time.Since(begin) < 500*time.Millisecond; {
		if _, err := (strategies.Serial{}).Run(ctx, w, 1); err != nil {
			pprof.StopCPUProfile()
			t.Fatal(err)
		}
	}
	pprof.StopCPUProfile()
	p, err := profile.Parse(&buf)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Breakdown(p)
	if err != nil {
		t.Fatal(err)
	}
	if s.Samples < 10 || s.Of(Kernel) < 0.5 {
		t.Errorf("serial batches for 0.5 s: %d samples, kernel share %.2f; want at least 10 samples, mostly kernel (%+v)", s.Samples, s.Of(Kernel), s.Fraction)
	}
}

func TestCategoryString(t *testing.T) {
	var names []string
	for _, c := range Categories() {
		names = append(names, c.String())
	}
	if got, want := strings.Join(names, " "), "kernel scheduler chan+lock syscall+io gc other"; got != want {
		t.Errorf("category names = %q, want %q", got, want)
	}
	if got := Category(NumCategories).String(); got != "Category(6)" {
		t.Errorf("out-of-range category = %q", got)
	}
}

func TestCategoryLabel(t *testing.T) {
	var labels []string
	for _, c := range Categories() {
		labels = append(labels, c.Label())
	}
	if got, want := strings.Join(labels, ","), "kernel,scheduler,channel/lock,syscalls/pipe I/O,GC,other"; got != want {
		t.Errorf("category labels = %q, want %q", got, want)
	}
	if got := Category(-1).Label(); got != "Category(-1)" {
		t.Errorf("out-of-range label = %q", got)
	}
}
