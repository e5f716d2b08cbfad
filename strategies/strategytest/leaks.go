package strategytest

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/parbench/parbench/internal/proctest"
)

// running is what the suite counts to find what a strategy leaves
// running: this process's goroutines, and the processes below it.
type running struct {
	goroutines int
	procs      map[int]proctest.Proc
}

func snapshot() running {
	return running{goroutines: settledGoroutines(), procs: descendants(os.Getpid())}
}

// settledGoroutines is the goroutine count once the goroutines that were
// ending, such as the one that ran the previous subtest, have had a moment
// to end, so that a count taken before a check is not too high to see a
// goroutine that the check leaves running.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for range 20 {
		time.Sleep(time.Millisecond)
		m := runtime.NumGoroutine()
		if m == n {
			break
		}
		n = m
	}
	return n
}

// descendants lists the live processes below pid: children, and theirs,
// since a strategy's workers may start processes of their own. Off Linux
// it is empty, and the checks built on it pass. A process whose parent
// has exited is adopted elsewhere and leaves the list.
func descendants(pid int) map[int]proctest.Proc {
	children := map[int][]proctest.Proc{}
	for _, p := range proctest.List() {
		children[p.PPID] = append(children[p.PPID], p)
	}
	below := map[int]proctest.Proc{}
	queue := []int{pid}
	for len(queue) > 0 {
		for _, c := range children[queue[0]] {
			if _, seen := below[c.PID]; !seen {
				below[c.PID] = c
				queue = append(queue, c.PID)
			}
		}
		queue = queue[1:]
	}
	return below
}

// lastProcs keeps the processes below this one as the last check that
// passed left them, so that the next check need not list them again
// before it starts: listing every process on the machine is the costliest
// part of a check of a small batch.
type lastProcs struct {
	mu    sync.Mutex
	procs map[int]proctest.Proc // nil: unknown
}

// baseline is what a check starts from: the goroutines now, and the
// processes as the last check that passed left them, or now.
func (s suite) baseline() running {
	if s.last != nil {
		s.last.mu.Lock()
		procs := s.last.procs
		s.last.mu.Unlock()
		if procs != nil {
			return running{goroutines: settledGoroutines(), procs: procs}
		}
	}
	return snapshot()
}

// remember keeps procs for the next check's baseline; nil forgets.
func (s suite) remember(procs map[int]proctest.Proc) {
	if s.last == nil {
		return
	}
	s.last.mu.Lock()
	defer s.last.mu.Unlock()
	s.last.procs = procs
}

// leftSince waits up to s.settle for the goroutine count to fall back to
// before's and for every process below this one that before did not have
// to end, and says what is still running; when says when the check looked.
// Goroutines are counted, not named, so one that ends while another
// starts goes unseen; the stacks in the message show what is running.
func (s suite) leftSince(before running, when string) error {
	deadline := time.Now().Add(s.settle)
	for {
		goroutines := runtime.NumGoroutine()
		late := time.Now().After(deadline)
		if goroutines > before.goroutines && !late {
			time.Sleep(time.Millisecond)
			continue
		}
		procs := descendants(os.Getpid())
		var extra []proctest.Proc
		for pid, p := range procs {
			if _, ok := before.procs[pid]; !ok {
				extra = append(extra, p)
			}
		}
		if goroutines <= before.goroutines && len(extra) == 0 {
			s.remember(procs)
			return nil
		}
		if late {
			s.remember(nil)
			var errs []error
			if goroutines > before.goroutines {
				buf := make([]byte, 1<<16)
				errs = append(errs, fmt.Errorf("nothing left running %s: %d goroutines, want at most %d; all goroutines:\n%s",
					when, goroutines, before.goroutines, buf[:runtime.Stack(buf, true)]))
			}
			if len(extra) > 0 {
				slices.SortFunc(extra, func(a, b proctest.Proc) int { return a.PID - b.PID })
				errs = append(errs, fmt.Errorf("nothing left running %s: processes left running: %v", when, extra))
			}
			return errors.Join(errs...)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
