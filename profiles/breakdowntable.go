package profiles

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/parbench/parbench/internal/texttable"
)

// Row is the breakdown of one configuration's CPU profile: the data of one
// line of the breakdown table and of one bar of the overhead chart.
type Row struct {
	Strategy string
	Cores    int
	Workers  int
	Shares
}

// breakdownLegend explains the columns under the table, so the file stands
// on its own.
var breakdownLegend = [NumCategories]string{
	Kernel:    "the XOR-sum itself (strategies.XORSum)",
	Scheduler: "Go scheduler: finding, parking, waking and starting goroutines and threads, timers",
	ChanLock:  "channel sends and receives, select, sync.Mutex, WaitGroup, semaphores, atomics",
	Syscall:   "system calls, pipe reads and writes, the poller, procpool's frame codec",
	GC:        "garbage collection and allocation",
	Other:     "everything else: the harness, result checks, the strategies' own loops",
}

// WriteBreakdown writes rows as an aligned table, one line per row in the
// order given: strategy, cores, workers, CPU samples, CPU seconds, and
// each category's share of the CPU time in percent. A comment header and a
// legend of the categories surround it. A row with no samples is written
// with dashes for its shares.
func WriteBreakdown(w io.Writer, rows []Row) error {
	head := []string{"strategy", "cores", "workers", "samples", "cpu-s"}
	for _, c := range Categories() {
		head = append(head, c.String())
	}
	table := [][]string{head}
	for _, r := range rows {
		line := []string{r.Strategy, strconv.Itoa(r.Cores), strconv.Itoa(r.Workers),
			strconv.FormatInt(r.Samples, 10), strconv.FormatFloat(r.CPU.Seconds(), 'f', 2, 64)}
		for _, c := range Categories() {
			if r.Samples == 0 {
				line = append(line, "-")
				continue
			}
			line = append(line, strconv.FormatFloat(100*r.Of(c), 'f', 1, 64)+"%")
		}
		table = append(table, line)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "# Where each configuration's CPU time went, as a share of the samples in its CPU profile")
	fmt.Fprintln(bw, "# (its cpu-<strategy>-<cores>.pprof, from the untimed profiling pass of parbench run -profile).")
	fmt.Fprintln(bw)
	// Names left, numbers right.
	if err := texttable.Write(bw, "l"+strings.Repeat("r", len(head)-1), table); err != nil {
		return err
	}
	fmt.Fprintln(bw)
	for _, c := range Categories() {
		fmt.Fprintf(bw, "# %-11s %s\n", c.String()+":", breakdownLegend[c])
	}
	return bw.Flush()
}
