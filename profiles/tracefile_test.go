package profiles_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/strategies"
)

var updateTraceSeeds = flag.Bool("update-trace-seeds", false,
	"rewrite FuzzReadTrace's seeds in testdata/fuzz from a freshly recorded trace")

// closureTolerance is how far, as a share of k × W, the parts of a split
// may miss k × W: float rounding, nothing more.
const closureTolerance = 1e-9

// recordBatch traces a batch as a measurement process does: GOMAXPROCS
// procs, the batch in a BatchTask, and jobs run by workers goroutines,
// each job inside a JobRegion on its goroutine.
func recordBatch(t testing.TB, procs, workers, jobs int, job func(ctx context.Context, i int)) []byte {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	var buf bytes.Buffer
	if err := trace.Start(&buf); err != nil {
		t.Fatal(err)
	}
	ctx, task := trace.NewTask(context.Background(), profiles.BatchTask)
	next := make(chan int, jobs)
	for i := range jobs {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				trace.WithRegion(ctx, profiles.JobRegion, func() { job(ctx, i) })
			}
		})
	}
	wg.Wait()
	task.End()
	trace.Stop()
	return buf.Bytes()
}

// The jobs of the recorded batches: an XOR-sum long enough that the
// goroutines contend for the Ps, then a sleep.
const (
	recordN     = 1_000_000
	recordSleep = time.Millisecond
)

func computeJob(ctx context.Context, i int) {
	if _, err := strategies.Compute(ctx, strategies.Workload{N: recordN, Sleep: recordSleep}, int64(i)); err != nil {
		panic(err) // the context is never cancelled
	}
}

// xorSink keeps timeSleepJob's sum, so that its work is not dropped.
var xorSink atomic.Int64

func timeSleepJob(_ context.Context, i int) {
	xorSink.Add(strategies.XORSum(int64(i), recordN))
	time.Sleep(recordSleep)
}

// TestSplitTraceOfRecordedBatch splits real traces, recorded here, of a
// batch with more goroutines than Ps whose jobs sleep: the split must
// close, see every job, the Ps, the goroutines queueing for them and the
// sleep, by its name whichever way the job sleeps.
func TestSplitTraceOfRecordedBatch(t *testing.T) {
	tests := []struct {
		name string
		job  func(context.Context, int)
	}{
		{"strategies.Compute sleeps on a timer in a select", computeJob},
		{"time.Sleep", timeSleepJob},
	}
	const procs, workers, jobs = 2, 4, 12
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := recordBatch(t, procs, workers, jobs, tt.job)
			got, err := profiles.SplitTrace(bytes.NewReader(data), 0, profiles.DefaultTraceLimits)
			if err != nil {
				t.Fatal(err)
			}
			if got.Cores != procs || got.Jobs != jobs {
				t.Errorf("got %d Ps and %d jobs, want %d and %d", got.Cores, got.Jobs, procs, jobs)
			}
			checkClosure(t, got)
			if got.JobCPU <= 0 {
				t.Errorf("job CPU = %v core-s, want more than 0", got.JobCPU)
			}
			if s := got.Waiting.Blocked[profiles.BlockSleep]; s <= 0 {
				t.Errorf("blocked on sleep = %v core-s, want more than 0: every job sleeps", s)
			}
			if c := got.Waiting.Blocked[profiles.BlockChannel]; c != 0 {
				t.Errorf("blocked on a channel = %v core-s, want 0: no job waits on one, so a sleep was misnamed", c)
			}
			if got.Oversubscribed <= 0 || got.Runnable <= 0 {
				t.Errorf("oversubscribed %v job-s, runnable %v goroutine-s; want both more than 0 with %d workers on %d Ps",
					got.Oversubscribed, got.Runnable, workers, procs)
			}
		})
	}
}

// checkClosure checks that the parts of a traced split add up to k × W
// and to the busy core-time, and that none is negative.
func checkClosure(t *testing.T, got profiles.TracedCoreTime) {
	t.Helper()
	if want := float64(got.Cores) * got.Wall.Seconds(); math.Abs(got.Total-want) > closureTolerance*want {
		t.Errorf("total = %v core-s, want k × W = %v", got.Total, want)
	}
	sum := got.JobCPU + got.Waiting.Total() + got.NoJob.Total()
	if math.Abs(sum-got.Total) > closureTolerance*got.Total {
		t.Errorf("job CPU %v + waiting %v + no-job %v = %v core-s, want k × W = %v",
			got.JobCPU, got.Waiting.Total(), got.NoJob.Total(), sum, got.Total)
	}
	if busy := got.JobCPU + got.Waiting.Total(); math.Abs(busy-got.Busy) > closureTolerance*got.Total {
		t.Errorf("job CPU + waiting = %v core-s, want busy %v", busy, got.Busy)
	}
	parts := map[string]float64{"job CPU": got.JobCPU, "scheduling delay": got.Waiting.SchedulingDelay,
		"preempted": got.Waiting.PreemptedByOverhead, "behind jobs": got.Waiting.BehindJobs,
		"ramp-up": got.NoJob.RampUp, "starved": got.NoJob.Starved, "awaiting release": got.NoJob.AwaitingRelease,
		"tail": got.NoJob.Tail, "overhead": got.NoJob.Overhead, "overhead in jobs": got.OverheadInJobs,
		"oversubscribed": got.Oversubscribed, "runnable": got.Runnable}
	for r, b := range got.Waiting.Blocked {
		parts["blocked on "+profiles.BlockReason(r).String()] = b
	}
	for name, v := range parts {
		if !(v >= 0) {
			t.Errorf("%s = %v, want at least 0", name, v)
		}
	}
}

func TestReadTraceLimits(t *testing.T) {
	data := recordBatch(t, 2, 2, 4, timeSleepJob)
	events := int64(0)
	if err := profiles.ReadTrace(bytes.NewReader(data), profiles.DefaultTraceLimits, func(profiles.TraceEvent) error {
		events++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	size := int64(len(data))
	tests := []struct {
		name string
		lim  profiles.TraceLimits
		want string // "" for no error
	}{
		{"at both limits", profiles.TraceLimits{MaxBytes: size, MaxEvents: 1 << 30}, ""},
		{"one byte over", profiles.TraceLimits{MaxBytes: size - 1}, fmt.Sprintf("trace larger than %d bytes", size-1)},
		{"far over", profiles.TraceLimits{MaxBytes: 100}, "trace larger than 100 bytes"},
		{"over within the header", profiles.TraceLimits{MaxBytes: 8}, "trace larger than 8 bytes"},
		{"too many events", profiles.TraceLimits{MaxEvents: 10}, "more than 10 events"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := profiles.ReadTrace(bytes.NewReader(data), tt.lim, func(profiles.TraceEvent) error { return nil })
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
	// The limit on events counts events the parser produces, of which
	// ReadTrace passes on only some.
	err := profiles.ReadTrace(bytes.NewReader(data), profiles.TraceLimits{MaxEvents: events}, func(profiles.TraceEvent) error { return nil })
	if err == nil {
		t.Errorf("%d events passed on, limit %d: no error, want one (the parser produced more)", events, events)
	}
}

func TestReadTraceRefuses(t *testing.T) {
	data := recordBatch(t, 2, 2, 4, timeSleepJob)
	garbled := bytes.Clone(data)
	for i := len(garbled) / 3; i < 2*len(garbled)/3; i += 7 {
		garbled[i] ^= 0x5a
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "reading a trace"},
		{"not a trace", []byte("strategy,cores,workers\n"), "not a Go execution trace"},
		{"Go 1.21 trace", []byte("go 1.21 trace\x00\x00\x00"), "Go 1.21 execution trace"},
		{"cut short", data[:len(data)/2], "trace event"},
		{"garbled", garbled, "trace event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := profiles.SplitTrace(bytes.NewReader(tt.data), 0, profiles.DefaultTraceLimits)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines, want one", err)
			}
		})
	}
}

// fuzzTraceLimits bound what FuzzReadTrace lets the reader read.
var fuzzTraceLimits = profiles.TraceLimits{MaxBytes: 1 << 20, MaxEvents: 1 << 16}

// fuzzAllocBound is how much FuzzReadTrace lets one input allocate: the
// parser's tables for a trace of at most 1 MiB, with room to spare. A
// length field that the parser trusted would blow it.
const fuzzAllocBound = 256 << 20

// FuzzReadTrace feeds SplitTrace, and so ReadTrace, any bytes: it must
// return an error or a split that closes, never panic, and allocate a
// bounded amount. Seeds live in testdata/fuzz/FuzzReadTrace: a real
// trace of a small batch and broken variants of it, written by
// TestFuzzReadTraceSeeds.
func FuzzReadTrace(f *testing.F) {
	f.Add([]byte("go 1.26 trace\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if int64(len(data)) > fuzzTraceLimits.MaxBytes {
			return
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := profiles.SplitTrace(bytes.NewReader(data), 0, fuzzTraceLimits)
		runtime.ReadMemStats(&after)
		if a := after.TotalAlloc - before.TotalAlloc; a > fuzzAllocBound {
			t.Errorf("%d bytes of input allocated %d MiB, want at most %d MiB", len(data), a>>20, fuzzAllocBound>>20)
		}
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines, want one", err)
			}
			return
		}
		checkClosure(t, got)
	})
}

// fuzzSeeds are the seeds of FuzzReadTrace made from a real trace.
func fuzzSeeds(real []byte) map[string][]byte {
	garbled := bytes.Clone(real)
	for i := len(garbled) / 3; i < 2*len(garbled)/3; i += 13 {
		garbled[i] ^= 0xff
	}
	return map[string][]byte{
		"real-batch":     real,
		"cut-in-half":    real[:len(real)/2],
		"cut-at-the-end": real[:len(real)-1],
		"garbled":        garbled,
		"header-only":    real[:16],
		"go1.21-header":  []byte("go 1.21 trace\x00\x00\x00"),
	}
}

// TestFuzzReadTraceSeeds checks that the seeds are what their names say:
// the real batch splits, and every broken variant is refused. With
// -update-trace-seeds it records a fresh batch and rewrites them.
func TestFuzzReadTraceSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzReadTrace")
	if *updateTraceSeeds {
		real := recordBatch(t, 2, 2, 4, func(ctx context.Context, i int) {
			if _, err := strategies.Compute(ctx, strategies.Workload{N: 1000, Sleep: 100 * time.Microsecond}, int64(i)); err != nil {
				panic(err)
			}
		})
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, data := range fuzzSeeds(real) {
			corpus := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(data)))
			if err := os.WriteFile(filepath.Join(dir, name), []byte(corpus), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	real := readSeed(t, filepath.Join(dir, "real-batch"))
	for name := range fuzzSeeds(real) {
		t.Run(name, func(t *testing.T) {
			got, err := profiles.SplitTrace(bytes.NewReader(readSeed(t, filepath.Join(dir, name))), 0, fuzzTraceLimits)
			if name == "real-batch" {
				if err != nil {
					t.Fatal(err)
				}
				if got.Jobs != 4 || got.Cores != 2 {
					t.Errorf("got %d jobs on %d Ps, want 4 on 2", got.Jobs, got.Cores)
				}
				checkClosure(t, got)
				return
			}
			if err == nil {
				t.Errorf("no error, want one for a broken trace")
			}
		})
	}
}

// readSeed reads a corpus file of one []byte value.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run TestFuzzReadTraceSeeds -update-trace-seeds writes it)", err)
	}
	body, ok := strings.CutPrefix(string(b), "go test fuzz v1\n[]byte(")
	body, ok2 := strings.CutSuffix(strings.TrimSpace(body), ")")
	s, err := strconv.Unquote(body)
	if !ok || !ok2 || err != nil {
		t.Fatalf("%s: not a corpus file of one []byte (%v)", path, err)
	}
	return []byte(s)
}
