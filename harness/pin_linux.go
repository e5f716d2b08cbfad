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
		dir := "/proc/self/task"
		if pid > 0 {
			dir = "/proc/" + strconv.Itoa(pid) + "/task"
		}
		tasks, err := os.ReadDir(dir)
		if err != nil {
			return 0, false
		}
		for _, t := range tasks {
			b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
			if err != nil {
				continue // the thread exited
			}
			f := strings.Fields(string(b))
			if len(f) < 2 {
				return 0, false
			}
			v, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || v < 0 {
				return 0, false
			}
			d += time.Duration(v)
		}
	}
	return d, true
}
