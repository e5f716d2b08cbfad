package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A runLock marks a run in progress: a file parbench-<pid>.lock in the
// results root, holding the run folder and the start time. Two runs at once
// on one machine slow each other down, and neither can tell from its own
// samples; the lock files let each see the other.
type runLock struct {
	root, path string
}

const lockSuffix = ".lock"

// lockName is the lock file of process pid.
func lockName(pid int) string { return "parbench-" + strconv.Itoa(pid) + lockSuffix }

// otherRun is another parbench run that holds a lock.
type otherRun struct {
	pid  int
	desc string // what its lock file says
}

func (o otherRun) String() string { return fmt.Sprintf("pid %d (%s)", o.pid, o.desc) }

// takeRunLock writes this process's lock file into root. Failing to write
// it is not an error: the lock only serves warnings.
func takeRunLock(root string, now time.Time) *runLock {
	l := &runLock{root: root, path: filepath.Join(root, lockName(os.Getpid()))}
	text := fmt.Sprintf("started %s\n", now.UTC().Format(time.RFC3339))
	if err := os.MkdirAll(root, 0o755); err != nil {
		l.path = ""
		return l
	}
	if err := os.WriteFile(l.path, []byte(text), 0o644); err != nil {
		l.path = ""
	}
	return l
}

// release removes the lock file.
func (l *runLock) release() {
	if l.path != "" {
		_ = os.Remove(l.path)
	}
}

// others lists the other runs whose lock files are in the results root and
// whose processes still live. A lock whose process is gone (killed with
// SIGKILL, say) is stale: it is removed and not listed.
func (l *runLock) others() []otherRun {
	entries, err := os.ReadDir(l.root)
	if err != nil {
		return nil
	}
	var out []otherRun
	for _, e := range entries {
		name := e.Name()
		pidText, ok := strings.CutPrefix(strings.TrimSuffix(name, lockSuffix), "parbench-")
		if !ok || !strings.HasSuffix(name, lockSuffix) || !e.Type().IsRegular() {
			continue
		}
		pid, err := strconv.Atoi(pidText)
		if err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		path := filepath.Join(l.root, name)
		if !processAlive(pid) {
			_ = os.Remove(path)
			continue
		}
		b, _ := os.ReadFile(path)
		first, _, _ := strings.Cut(string(b[:min(len(b), 300)]), "\n")
		desc := strings.TrimSpace(first)
		out = append(out, otherRun{pid: pid, desc: desc})
	}
	slices.SortFunc(out, func(a, b otherRun) int { return a.pid - b.pid })
	return out
}

// The moments checkRunning is called at.
const (
	startedWhen = "when this run started"
	duringWhen  = "during this run"
)

// othersText is a list of others for one line.
func othersText(runs []otherRun) string {
	var parts []string
	for _, o := range runs {
		parts = append(parts, o.String())
	}
	return strings.Join(parts, ", ")
}

// overlapPrefix starts a line that a run appends to another run's lock
// file, so that a run that started and ended during the other's is still
// seen by it.
const overlapPrefix = "overlapped by pid "

// tellOthers notes this run in the lock files of the others.
func (l *runLock) tellOthers(runs []otherRun) {
	for _, o := range runs {
		f, err := os.OpenFile(filepath.Join(l.root, lockName(o.pid)), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			continue
		}
		fmt.Fprintf(f, "%s%d\n", overlapPrefix, os.Getpid())
		f.Close()
	}
}

// overlaps lists the runs that noted themselves in this run's lock file.
func (l *runLock) overlaps() []string {
	if l.path == "" {
		return nil
	}
	b, err := os.ReadFile(l.path)
	if err != nil {
		return nil
	}
	var pids []string
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, overlapPrefix); ok && !slices.Contains(pids, p) && len(pids) < 10 {
			pids = append(pids, "pid "+p)
		}
	}
	return pids
}

// checkRunning warns about other runs measuring now. At the start of a
// run, it also tells them; at the end, it counts those that told it.
func checkRunning(l *runLock, when string) (string, bool) {
	runs := l.others()
	if when == startedWhen {
		l.tellOthers(runs)
	} else {
		for _, p := range l.overlaps() {
			if !slices.ContainsFunc(runs, func(o otherRun) bool { return "pid "+strconv.Itoa(o.pid) == p }) {
				pid, _ := strconv.Atoi(strings.TrimPrefix(p, "pid "))
				runs = append(runs, otherRun{pid: pid, desc: "finished since"})
			}
		}
	}
	if len(runs) == 0 {
		return "", false
	}
	return fmt.Sprintf("parbench: warning: another parbench was measuring into the same results root %s: %s; each run slows the other, so neither's timings are clean", when, othersText(runs)), true
}
