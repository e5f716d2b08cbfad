//go:build unix

package procpool

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
	"github.com/parbench/parbench/strategies/strategytest"
)

// The tests here start real worker processes: this test binary, whose
// TestMain serves worker mode. Every test checks that no worker it started
// is left running.

// usePool prepares p (unless lazy) and makes the test check, at its end,
// that Close leaves no worker process behind.
func usePool(t *testing.T, p *Procpool, w strategies.Workload, workers int, lazy bool) {
	t.Helper()
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		checkGone(t, p.startedPids())
	})
	if lazy {
		return
	}
	if err := p.Prepare(context.Background(), w, workers); err != nil {
		t.Fatalf("Prepare: %v", err)
	}
}

// checkGone fails the test unless every pid has exited within a few
// seconds. A zombie counts as gone: it has exited, and an orphan's zombie
// waits for a reaper the test does not control.
func checkGone(t *testing.T, pids []int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for _, pid := range pids {
		for processAlive(pid) {
			if time.Now().After(deadline) {
				t.Errorf("worker pid %d still running, want it gone", pid)
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true // it exists, and without /proc a zombie cannot be told apart
	}
	// pid (comm) state ...: comm may hold spaces, so look after the last ')'.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// waitInbox waits until a worker of p has written, or ended its stream,
// between batches, as a worker that dies then does.
func waitInbox(t *testing.T, p *Procpool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		p.mu.Lock()
		n := len(p.inbox)
		p.mu.Unlock()
		if n > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no word from a dead worker's stream within 5s")
		}
		time.Sleep(time.Millisecond)
	}
}

// lastFaults is the faults/op metric of p's last batch.
func lastFaults(t *testing.T, p *Procpool) int {
	t.Helper()
	for _, m := range p.LastBatchMetrics() {
		if m.Unit == "faults/op" {
			return int(m.Value)
		}
	}
	t.Fatalf("no faults/op in %v", p.LastBatchMetrics())
	return 0
}

// runVerified runs one batch and checks it the way every strategy's batches
// are checked.
func runVerified(t *testing.T, p *Procpool, w strategies.Workload, workers int) []strategies.Result {
	t.Helper()
	rs, err := p.Run(context.Background(), w, workers)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	info, _ := strategies.Lookup("procpool")
	if err := strategytest.CheckResults(info, w, workers, rs); err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestProcpoolRegistered(t *testing.T) {
	s, err := strategies.New("procpool")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*Procpool); !ok {
		t.Fatalf("strategies.New(procpool) is a %T, want *Procpool", s)
	}
	if s.Name() != "procpool" || strategies.Doc("procpool") == "" {
		t.Errorf("Name() = %q, strategies.Doc = %q; want procpool and a description", s.Name(), strategies.Doc("procpool"))
	}
}

func TestProcpoolAgainstClosedForm(t *testing.T) {
	workloads := []struct {
		name string
		w    strategies.Workload
	}{
		{"one job", strategies.Workload{Jobs: 1, N: 1000}},
		{"jobs not divisible by workers", strategies.Workload{Jobs: 37, N: 5000}},
		{"with sleep", strategies.Workload{Jobs: 11, N: 100, Sleep: time.Millisecond}},
		{"with gap", strategies.Workload{Jobs: 9, N: 100, Gap: 2 * time.Millisecond}},
		{"many tiny jobs", strategies.Workload{Jobs: 5000, N: 100}}, // what chunking is for
	}
	pools := []struct {
		name string
		new  func() *Procpool
		lazy bool
	}{
		{"prepared", func() *Procpool { return &Procpool{} }, false},
		{"lazy", func() *Procpool { return &Procpool{} }, true},
		{"chunk 7 one in flight", func() *Procpool { return &Procpool{Chunk: 7, InFlight: 1} }, false},
		{"chunk 1 three in flight", func() *Procpool { return &Procpool{Chunk: 1, InFlight: 3} }, false},
	}
	for _, pc := range pools {
		for _, wl := range workloads {
			for _, workers := range []int{1, 3} {
				t.Run(fmt.Sprintf("%s/%s/workers=%d", pc.name, wl.name, workers), func(t *testing.T) {
					t.Parallel()
					p := pc.new()
					usePool(t, p, wl.w, workers, pc.lazy)
					for range 2 { // workers stay up across batches
						runVerified(t, p, wl.w, workers)
						if got := lastFaults(t, p); got != 0 {
							t.Errorf("faults/op = %d, want 0", got)
						}
					}
					if pc.lazy {
						checkGone(t, p.startedPids()) // Run stopped what it started
					} else if got := len(p.startedPids()); got != workers {
						t.Errorf("%d workers started for 2 batches, want %d", got, workers)
					}
				})
			}
		}
	}
}

func TestProcpoolRespectsWorkers(t *testing.T) {
	w := strategies.Workload{Jobs: 12, N: 10, Sleep: 5 * time.Millisecond}
	const workers = 3
	p := &Procpool{}
	usePool(t, p, w, workers, false)
	rs := runVerified(t, p, w, workers)
	if got := strategytest.MaxConcurrent(rs); got > workers {
		t.Errorf("%d jobs ran at once, want at most %d", got, workers)
	}
	bySlot := map[int][]strategies.Result{}
	for _, r := range rs {
		bySlot[r.Worker] = append(bySlot[r.Worker], r)
	}
	for slot, rs := range bySlot {
		if got := strategytest.MaxConcurrent(rs); got > 1 {
			t.Errorf("worker %d ran %d jobs at once, want one at a time", slot, got)
		}
	}
}

func TestProcpoolRecoversFromFaults(t *testing.T) {
	w := strategies.Workload{Jobs: 40, N: 1000, Sleep: 2 * time.Millisecond}
	const workers = 2
	tests := []struct {
		name  string
		pool  *Procpool
		fault func(t *testing.T, p *Procpool) // during Run, if set
	}{
		{name: "exits mid-batch", pool: &Procpool{fault: faultPlan{spec: "exit-after:3"}}},
		{name: "exits before its first job", pool: &Procpool{fault: faultPlan{spec: "exit-after:0", slot: 1}}},
		{name: "writes garbage mid-batch", pool: &Procpool{fault: faultPlan{spec: "garbage-after:3"}}},
		{name: "hangs mid-batch", pool: &Procpool{HangTimeout: 300 * time.Millisecond, fault: faultPlan{spec: "hang-after:2"}}},
		{name: "killed from outside mid-batch", pool: &Procpool{}, fault: func(t *testing.T, p *Procpool) {
			time.Sleep(15 * time.Millisecond)
			if err := syscall.Kill(p.Pids()[0], syscall.SIGKILL); err != nil {
				t.Errorf("kill: %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.pool
			usePool(t, p, w, workers, false)
			done := make(chan struct{})
			if tt.fault != nil {
				go func() {
					defer close(done)
					tt.fault(t, p)
				}()
			} else {
				close(done)
			}
			runVerified(t, p, w, workers)
			<-done
			if got := lastFaults(t, p); got != 1 {
				t.Errorf("faults/op = %d, want 1", got)
			}
			if f := p.TakeFaults(); f.N != 1 || len(f.Causes) != 1 || !strings.Contains(f.Causes[0], "worker pid") {
				t.Errorf("TakeFaults = %+v, want 1 fault naming its worker", f)
			}
			if got, want := len(p.startedPids()), workers+1; got != want {
				t.Errorf("%d workers started, want %d (one replacement)", got, want)
			}
			// The replacement serves the next batch like any worker.
			runVerified(t, p, w, workers)
			if got := lastFaults(t, p); got != 0 {
				t.Errorf("next batch: faults/op = %d, want 0", got)
			}
			if f := p.TakeFaults(); f.N != 0 {
				t.Errorf("next batch: TakeFaults = %+v, want none", f)
			}
		})
	}
}

func TestProcpoolReplacesWorkerDeadBetweenBatches(t *testing.T) {
	w := strategies.Workload{Jobs: 20, N: 1000}
	p := &Procpool{}
	usePool(t, p, w, 2, false)
	runVerified(t, p, w, 2)
	dead := p.Pids()[1]
	if err := syscall.Kill(dead, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for processAlive(dead) {
		time.Sleep(time.Millisecond)
	}
	waitInbox(t, p) // its reader has seen the end of its stream
	runVerified(t, p, w, 2)
	if got := lastFaults(t, p); got != 1 {
		t.Errorf("faults/op = %d, want 1", got)
	}
	if f := p.TakeFaults(); f.N != 1 || len(f.Causes) != 1 || !strings.Contains(f.Causes[0], "between batches") {
		t.Errorf("TakeFaults = %+v, want the worker that died between batches", f)
	}
}

// A worker that dies after the last batch is counted when the pool closes.
func TestProcpoolCountsFaultBeforeClose(t *testing.T) {
	w := strategies.Workload{Jobs: 20, N: 1000}
	p := &Procpool{}
	if err := p.Prepare(t.Context(), w, 2); err != nil {
		t.Fatal(err)
	}
	runVerified(t, p, w, 2)
	dead := p.Pids()[0]
	if err := syscall.Kill(dead, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for processAlive(dead) {
		time.Sleep(time.Millisecond)
	}
	waitInbox(t, p) // its reader has seen the end of its stream
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if f := p.TakeFaults(); f.N != 1 {
		t.Errorf("TakeFaults after Close = %+v, want 1 fault", f)
	}
}

func TestProcpoolGivesUp(t *testing.T) {
	w := strategies.Workload{Jobs: 20, N: 1000}
	tests := []struct {
		name string
		pool *Procpool
		want []string
	}{
		{"every worker exits", &Procpool{fault: faultPlan{spec: "exit-after:0", slot: -1, every: true}},
			[]string{"giving up", "worker pid ", "running job ", "exited (exit status 1)", "injected exit"}},
		{"every worker hangs", &Procpool{HangTimeout: 100 * time.Millisecond, MaxFaults: 2, fault: faultPlan{spec: "hang-after:1", slot: -1, every: true}},
			[]string{"giving up", "worker pid ", "running job ", "no answer within 100ms"}},
		{"every worker writes garbage", &Procpool{fault: faultPlan{spec: "garbage-after:0", slot: -1, every: true}},
			[]string{"giving up", "worker pid ", "running job ", "wrote garbage", "malformed frame"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.pool
			usePool(t, p, w, 2, false)
			begin := time.Now()
			rs, err := p.Run(context.Background(), w, 2)
			if err == nil {
				t.Fatalf("Run = %d results, nil error; want an error", len(rs))
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if took := time.Since(begin); took > 20*time.Second {
				t.Errorf("Run took %v to give up, want it to stop looping sooner", took)
			}
			checkGone(t, p.startedPids()) // a failed Run stops every worker
		})
	}
}

func TestProcpoolCancel(t *testing.T) {
	// Long sleeps and a long gap: only cancellation can end the batch soon.
	w := strategies.Workload{Jobs: 50, N: 1000, Sleep: time.Hour, Gap: 10 * time.Millisecond}
	for _, lazy := range []bool{false, true} {
		t.Run("lazy="+strconv.FormatBool(lazy), func(t *testing.T) {
			p := &Procpool{}
			usePool(t, p, w, 4, lazy)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(50*time.Millisecond, cancel)
			begin := time.Now()
			rs, err := p.Run(ctx, w, 4)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Run = %d results, %v; want context.Canceled", len(rs), err)
			}
			if took := time.Since(begin); took > 5*time.Second {
				t.Errorf("Run took %v after cancel, want prompt return", took)
			}
			checkGone(t, p.startedPids()) // without waiting for Close
		})
	}
}

func TestProcpoolLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	w := strategies.Workload{Jobs: 30, N: 1000}
	p := &Procpool{}
	if err := p.Prepare(context.Background(), w, 2); err != nil {
		t.Fatal(err)
	}
	runVerified(t, p, w, 2)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	runVerified(t, &Procpool{}, w, 2) // lazy
	waitGoroutines(t, before)
	checkGone(t, p.startedPids())
}

func TestProcpoolWorkerCPU(t *testing.T) {
	w := strategies.Workload{Jobs: 20, N: 2_000_000}
	p := &Procpool{}
	usePool(t, p, w, 2, false)
	begin := time.Now()
	runVerified(t, p, w, 2)
	wall := time.Since(begin)
	cpu := p.LastBatchWorkerCPU()
	// Each worker is one process doing one job at a time: its CPU time
	// cannot exceed the batch's wall time by much (the runtime's own
	// threads add a little).
	if cpu <= 0 || cpu > 2*wall+100*time.Millisecond {
		t.Errorf("worker CPU %v for a batch of %v on 2 workers, want more than 0 and at most about %v", cpu, wall, 2*wall)
	}
}

func TestProcpoolRefusesToRecurse(t *testing.T) {
	t.Setenv(workerEnv, "1") // as if this process were a worker whose main forgot to serve
	_, err := (&Procpool{}).Run(context.Background(), strategies.Workload{Jobs: 1, N: 1}, 1)
	if err == nil || !strings.Contains(err.Error(), "ServeWorker") {
		t.Fatalf("Run in a worker process = %v, want an error about ServeWorker", err)
	}
}

func TestProcpoolWorkerThatDoesNotServe(t *testing.T) {
	p := &Procpool{}
	if err := p.setup(); err != nil {
		t.Fatal(err)
	}
	p.exe = "/bin/echo" // writes a newline and exits: not a worker
	if _, err := os.Stat(p.exe); err != nil {
		t.Skip(err)
	}
	err := p.Prepare(context.Background(), strategies.Workload{Jobs: 1, N: 1}, 2)
	if err == nil || !strings.Contains(err.Error(), "serve procpool.WorkerMode") {
		t.Fatalf("Prepare = %v, want an error asking whether main serves WorkerMode", err)
	}
	checkGone(t, p.startedPids())
}

func TestProcpoolPreparedWorkerCount(t *testing.T) {
	w := strategies.Workload{Jobs: 4, N: 10}
	p := &Procpool{}
	usePool(t, p, w, 2, false)
	if _, err := p.Run(context.Background(), w, 3); err == nil {
		t.Error("Run with 3 workers after Prepare with 2 succeeded, want an error")
	}
	if err := p.Prepare(context.Background(), w, 3); err == nil {
		t.Error("Prepare with 3 workers after Prepare with 2 succeeded, want an error")
	}
}

// TestProcpoolWorkersDieWithParent kills a parent process in the middle of
// a batch of long sleeps and checks that its workers go too: they see their
// stdin close.
func TestProcpoolWorkersDieWithParent(t *testing.T) {
	if os.Getenv(helperParentEnv) == "1" {
		t.Skip("helper process")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestProcpoolHelperParent$")
			cmd.Env = append(os.Environ(), helperParentEnv+"=1")
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			var pids []int
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if rest, ok := strings.CutPrefix(sc.Text(), "worker pids: "); ok {
					for _, f := range strings.Fields(rest) {
						pid, err := strconv.Atoi(f)
						if err != nil {
							t.Fatal(err)
						}
						pids = append(pids, pid)
					}
					break
				}
			}
			if len(pids) != 2 {
				t.Fatalf("helper reported worker pids %v, want 2", pids)
			}
			time.Sleep(50 * time.Millisecond) // into the batch
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()
			checkGone(t, pids)
		})
	}
}

const helperParentEnv = "PARBENCH_PROCPOOL_TEST_PARENT"

// TestProcpoolHelperParent is the parent process of
// TestProcpoolWorkersDieWithParent: it reports its workers' pids and runs a
// batch that would last an hour, until it is killed.
func TestProcpoolHelperParent(t *testing.T) {
	if os.Getenv(helperParentEnv) != "1" {
		t.Skip("run by TestProcpoolWorkersDieWithParent")
	}
	w := strategies.Workload{Jobs: 4, N: 10, Sleep: time.Hour}
	p := &Procpool{}
	if err := p.Prepare(context.Background(), w, 2); err != nil {
		t.Fatal(err)
	}
	pids := p.Pids()
	fmt.Printf("worker pids: %d %d\n", pids[0], pids[1])
	p.Run(context.Background(), w, 2)
	t.Fatal("the batch ended; it should have been killed first")
}

func TestProcpoolWorkerEnvironment(t *testing.T) {
	t.Setenv(faultEnv, "exit-after:0") // inherited by the parent only: no worker may see it
	t.Setenv("GOMAXPROCS", "7")
	w := strategies.Workload{Jobs: 4, N: 10}
	p := &Procpool{}
	usePool(t, p, w, 2, false)
	for _, pid := range p.Pids() {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil {
			t.Skipf("reading a worker's environment: %v", err)
		}
		env := strings.Split(string(raw), "\x00")
		for _, want := range []string{"GOMAXPROCS=1", workerEnv + "=1"} {
			if !slices.Contains(env, want) {
				t.Errorf("worker %d: environment lacks %s", pid, want)
			}
		}
		for _, kv := range env {
			if strings.HasPrefix(kv, faultEnv+"=") || kv == "GOMAXPROCS=7" {
				t.Errorf("worker %d: environment has %s, want it replaced", pid, kv)
			}
		}
		// In the parent's group, so that killing the group kills them.
		if pgid, err := syscall.Getpgid(pid); err != nil || pgid != syscall.Getpgrp() {
			t.Errorf("worker %d: process group %d (%v), want the parent's %d", pid, pgid, err, syscall.Getpgrp())
		}
	}
	runVerified(t, p, w, 2)
}

// TestProcpoolFewerWorkersNextRun runs one unprepared pool with a
// shrinking and then growing worker count: each Run gets exactly the
// workers it asks for, and none panics on slots left from a larger run.
func TestProcpoolFewerWorkersNextRun(t *testing.T) {
	w := strategies.Workload{Jobs: 9, N: 100}
	p := &Procpool{}
	usePool(t, p, w, 4, true)
	for _, workers := range []int{4, 2, 3} {
		rs := runVerified(t, p, w, workers)
		for _, r := range rs {
			if r.Worker >= workers {
				t.Errorf("workers=%d: job %d ran on worker %d", workers, r.Job, r.Worker)
			}
		}
	}
}

// TestProcpoolWaitsWithoutSpinning: with a gap between releases and a
// backlog behind one busy worker, the parent must sleep until a worker
// answers, not poll; its own CPU time stays a small part of the batch.
func TestProcpoolWaitsWithoutSpinning(t *testing.T) {
	w := strategies.Workload{Jobs: 8, N: 100, Sleep: 40 * time.Millisecond, Gap: 5 * time.Millisecond}
	p := &Procpool{Chunk: 1}
	usePool(t, p, w, 1, false)
	cpu0, begin := selfCPU(), time.Now()
	runVerified(t, p, w, 1)
	cpu, wall := selfCPU()-cpu0, time.Since(begin)
	// Spinning burns the whole batch (about 320 ms here); sleeping costs a
	// few milliseconds of frame handling.
	if cpu > wall/3 {
		t.Errorf("parent used %v of CPU in a %v batch, want it mostly asleep", cpu, wall)
	}
}

// waitGoroutines fails the test unless the goroutine count returns to
// before within a second.
func waitGoroutines(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("%d goroutines left running, want %d:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestProcpoolWorkerCPUOversubscribed: 64 workers on the CPUs this test
// may use, batch after batch: the CPU the workers report for a batch
// cannot exceed the CPUs' capacity over its wall time. A worker that
// reports its CPU time with a lag (the running thread's slice not yet
// accounted) and then stays idle for batches moves CPU from one batch to
// another; with many workers, a batch then counts more than its CPUs
// could give.
func TestProcpoolWorkerCPUOversubscribed(t *testing.T) {
	cpus := runtime.NumCPU() // the CPUs of this process's mask
	w := strategies.Workload{Jobs: 128, N: 200_000}
	p := &Procpool{}
	usePool(t, p, w, 64, false)
	for i := range 12 {
		begin := time.Now()
		runVerified(t, p, w, 64)
		wall := time.Since(begin)
		// The slack is the runtime's own threads starting in 64 fresh
		// processes, and the clock reads on either side.
		if cpu, limit := p.LastBatchWorkerCPU(), time.Duration(cpus)*wall+5*time.Millisecond; cpu > limit {
			t.Errorf("batch %d: worker CPU %v in %v of wall on %d CPUs, want at most %v", i+1, cpu, wall, cpus, limit)
		}
	}
}

// TestProcpoolJobCPU: a workload that asks for its jobs' CPU time gets it
// from the workers, each at most its job's interval (with a little for the
// clock reads), and none without asking.
func TestProcpoolJobCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("a thread's CPU clock is read on Linux only")
	}
	for _, ask := range []bool{true, false} {
		w := strategies.Workload{Jobs: 16, N: 400_000, JobCPU: ask}
		p := &Procpool{}
		usePool(t, p, w, 2, false)
		for _, r := range runVerified(t, p, w, 2) {
			switch {
			case !ask && r.CPU != 0:
				t.Errorf("job %d: CPU %v without asking", r.Job, r.CPU)
			case ask && (r.CPU <= 0 || r.CPU > r.End-r.Start+time.Millisecond):
				t.Errorf("job %d: CPU %v in an interval of %v", r.Job, r.CPU, r.End-r.Start)
			}
		}
	}
}
