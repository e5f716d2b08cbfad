//go:build linux

package harness

import (
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// pinThread pins the calling, locked OS thread to cpu. restore gives the
// thread back the mask it had and reports whether that worked; if not,
// the caller must leave the thread locked so that it dies with its
// goroutine.
func pinThread(cpu int) (restore func() bool, err error) {
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, err
	}
	if err := unix.SchedSetaffinity(0, cpuSet([]int{cpu})); err != nil {
		return nil, err
	}
	return func() bool { return unix.SchedSetaffinity(0, &old) == nil }, nil
}

// threadCPU is the calling thread's CPU time so far.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// runDelay is the time the threads of this process, and of the processes
// pids, have spent ready to run but waiting for a CPU
// (/proc/<pid>/task/<tid>/schedstat, its second field), summed; ok is
// false where the kernel does not keep it. A thread that exits between two
// readings takes its delay with it, so a difference of two readings
// undercounts where threads come and go.
func runDelay(pids []int) (d time.Duration, ok bool) {
	for _, pid := range append([]int{0}, pids...) {
		st, ok := schedstat(pid)
		if !ok {
			return 0, false
		}
		d += st.delay
	}
	return d, true
}

// workersOnCPU is the time the threads of the processes pids have spent on
// a CPU (schedstat's first field), summed; ok is false where the kernel
// does not keep it or a process is gone. Read around a batch, it is the
// workers' CPU inside the batch's window alone: what they report with
// their results also counts, in the next batch, their runtimes' own CPU
// while they sat idle between batches, which with dozens of workers is
// more than the CPUs could give the batch.
func workersOnCPU(pids []int) (d time.Duration, ok bool) {
	if len(pids) == 0 {
		return 0, false
	}
	for _, pid := range pids {
		if pid <= 0 {
			return 0, false
		}
		st, ok := schedstat(pid)
		if !ok {
			return 0, false
		}
		d += st.onCPU
	}
	return d, true
}

// threadStats is a process's schedstat, its threads' summed.
type threadStats struct{ onCPU, delay time.Duration }

// schedstat reads the schedstat of every thread of pid (0: this process).
func schedstat(pid int) (st threadStats, ok bool) {
	dir := "/proc/self/task"
	if pid > 0 {
		dir = "/proc/" + strconv.Itoa(pid) + "/task"
	}
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return st, false
	}
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread exited
		}
		f := strings.Fields(string(b))
		if len(f) < 2 {
			return st, false
		}
		on, err1 := strconv.ParseInt(f[0], 10, 64)
		delay, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil || on < 0 || delay < 0 {
			return st, false
		}
		st.onCPU += time.Duration(on)
		st.delay += time.Duration(delay)
	}
	return st, true
}
