//go:build linux

package harness

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// AllowedCPUs lists the CPUs this process may run on, in the order the
// harness hands them out: one CPU per physical core first, then their
// hyperthread siblings, so 2 cores means 2 physical cores where there are.
func AllowedCPUs() ([]int, error) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("reading CPU affinity: %w", err)
	}
	var cpus []int
	for c := range 1024 {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return orderBySiblings(cpus, readSiblings), nil
}

// readSiblings is the hyperthread group of cpu from sysfs, nil if unknown.
func readSiblings(cpu int) []int {
	b, err := os.ReadFile(fmt.Sprintf("/sys/devices/system/cpu/cpu%d/topology/thread_siblings_list", cpu))
	if err != nil {
		return nil
	}
	list, err := parseCPUList(strings.TrimSpace(string(b)))
	if err != nil {
		return nil
	}
	return list
}

// affinityCount is how many CPUs this process may run on, 0 if unknown.
func affinityCount() int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return 0
	}
	return set.Count()
}

// canPin reports whether this process may set a thread's CPU affinity, by
// trying on a throwaway locked thread with the mask it already has.
func canPin(cpus []int) error {
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the thread exits with the goroutine.
		runtime.LockOSThread()
		errc <- unix.SchedSetaffinity(0, cpuSet(cpus))
	}()
	return <-errc
}

func cpuSet(cpus []int) *unix.CPUSet {
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	return &set
}

// startPinned starts cmd from a thread whose affinity mask is cpus, so the
// child and everything it starts inherit the mask. The thread stays
// locked until the child has exited, because the child's parent-death
// signal follows that thread; the returned wait function waits for it.
// With no cpus, cmd starts unpinned.
func startPinned(cmd *exec.Cmd, cpus []int) (wait func() error, err error) {
	// The child dies with the thread that started it, even if this
	// process is killed; its own workers follow when their pipes close.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	started := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
		if len(cpus) > 0 {
			if err := unix.SchedSetaffinity(0, cpuSet(cpus)); err != nil {
				started <- fmt.Errorf("pinning to CPUs %v: %w", cpus, err)
				return
			}
		}
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		done <- cmd.Wait()
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return func() error { return <-done }, nil
}

// killGroup ends a measurement process and anything left in its group.
func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

// terminate asks a measurement process to stop.
func terminate(cmd *exec.Cmd) error {
	return cmd.Process.Signal(syscall.SIGTERM)
}

// parseCPUList reads the kernel's CPU list format: "0-3,8,10-11".
func parseCPUList(s string) ([]int, error) {
	var cpus []int
	if s == "" {
		return nil, nil
	}
	var seen [maxCPUID / 64]uint64
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("cpu list %q: %w", s, err)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("cpu list %q: %w", s, err)
			}
		}
		// The bound also keeps c++ below from wrapping around.
		if a < 0 || b < a || b >= maxCPUID {
			return nil, fmt.Errorf("cpu list %q: bad range %q", s, part)
		}
		for c := a; c <= b; c++ {
			// A CPU listed twice counts once, so that what is built
			// never exceeds maxCPUID entries, however long the list.
			if seen[c/64]&(1<<(c%64)) == 0 {
				seen[c/64] |= 1 << (c % 64)
				cpus = append(cpus, c)
			}
		}
	}
	return cpus, nil
}

// enforcementPinned names how cores are enforced when pinning works.
const enforcementPinned = "affinity+gomaxprocs"
