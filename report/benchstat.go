package report

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/runfiles"
)

// A BenchstatView is one benchstat invocation for benchstat.txt: the same
// inputs, grouped another way.
type BenchstatView struct {
	Title string
	// Args are benchstat's flags and inputs, without the command.
	Args []string
}

// BenchstatViews are the ways benchstat.txt shows the inputs: strategies
// side by side at each core count (the first column, the baseline where
// measured, is what the others are compared with), each strategy across
// core counts (compared with the fewest cores), and with several
// machines, the machines side by side. Inputs are labelled with their
// machine. When every strategy runs one worker count per core count,
// /workers is ignored, so rows line up; otherwise it stays in the rows.
// A report of results from memory has no views.
func (r *Report) BenchstatViews() []BenchstatView {
	if len(r.Inputs) == 0 {
		return nil
	}
	var inputs []string
	for _, in := range r.Inputs {
		label := in.Path
		for _, m := range r.Machines {
			if m.File == in.Path {
				label = m.Label
			}
		}
		path := in.Path
		if p, ok := r.benchstatPaths[in.Path]; ok {
			path = p
		}
		inputs = append(inputs, strings.ReplaceAll(label, "=", "-")+"="+path)
	}
	var order []string
	for _, s := range r.Strategies() {
		order = append(order, projWord(s))
	}
	strategies := "/strategy@(" + strings.Join(order, " ") + ")"
	cores := "/gomaxprocs@num"
	workers := []string{"-ignore", "/workers"}
	if !r.oneWorkerCount() {
		cores += ",/workers@num"
		workers = nil
	}
	view := func(title string, args ...string) BenchstatView {
		args = append(args, workers...)
		return BenchstatView{Title: title, Args: append(args, inputs...)}
	}
	views := []BenchstatView{
		view("Strategies side by side at each core count", "-col", strategies, "-row", ".name,"+cores),
		view("Each strategy across core counts", "-col", cores, "-row", ".name,"+strategies),
	}
	if len(r.Machines) > 1 {
		views = append(views, view("Machines side by side", "-table", ".name", "-col", ".file", "-row", strategies+","+cores))
	}
	if len(r.Meters) > 0 {
		// The meter lines have no /strategy, so the views above leave
		// them out; here they are a table of their own: each CPU's
		// time per job, by source, over the whole run (its changes over
		// time are cpu-speed's, in the report). Their elapsed-sec is a
		// clock, not a measurement: left out.
		table := []string{}
		if len(r.Machines) > 1 {
			table = []string{"-table", ".file"}
		}
		args := append([]string{"-filter", ".name:" + runfiles.CPUSpeedBenchmark + " .unit:ns/op"}, table...)
		args = append(args, "-col", "/cpu@num", "-row", "/source", "-ignore", "/gomaxprocs")
		views = append(views, BenchstatView{Title: "Per-CPU speed meter: time per job on each CPU, pinned", Args: append(args, inputs...)})
	}
	return views
}

// oneWorkerCount reports whether each strategy ran with one worker count
// at each core count on each machine.
func (r *Report) oneWorkerCount() bool {
	type key struct {
		machine, strategy string
		cores             int
	}
	workers := map[key]int{}
	for _, row := range r.Rows {
		k := key{row.Machine, row.Strategy, row.Cores}
		if w, ok := workers[k]; ok && w != row.Workers {
			return false
		}
		workers[k] = row.Workers
	}
	return true
}

// projWord quotes a value for benchproc's projection syntax if it is not
// a bare word.
func projWord(s string) string {
	if s == "" || strings.ContainsAny(s[:1], `-*"():@,`) || strings.ContainsAny(s, ` ():@,`) {
		return strconv.Quote(s)
	}
	return s
}

// WriteBenchstatInputs writes, for each input with lines the report did
// not use, a copy with only the results it did use (and their config), and
// makes BenchstatViews name the copies: benchstat then reads exactly what
// the report read, and a NaN or absurd value that the report rejected
// cannot make it run away. claim gives the path for a copy's name
// (runfiles.BenchstatInputName), or why it cannot be written. It returns the paths
// it wrote.
func (r *Report) WriteBenchstatInputs(claim func(name string) (string, error)) ([]string, error) {
	var written []string
	for i, in := range r.Inputs {
		rejected := r.rejected[in.Path]
		if len(rejected) == 0 {
			continue
		}
		number := i + 1
		if r.inputNumbers != nil {
			number = r.inputNumbers[i]
		}
		path, err := claim(runfiles.BenchstatInputName(number))
		if err != nil {
			return written, err
		}
		if err := writeFiltered(path, in.Path, rejected); err != nil {
			return written, err
		}
		written = append(written, path)
		if r.benchstatPaths == nil {
			r.benchstatPaths = map[string]string{}
		}
		r.benchstatPaths[in.Path] = path
	}
	return written, nil
}

// writeFiltered copies the results of src not at a rejected line to dst,
// through a temporary file renamed into place.
func writeFiltered(dst, src string, rejected map[int]bool) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".tmp*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriter(tmp)
	w := benchfmt.NewWriter(bw)
	rd := benchfmt.NewReader(in, src)
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.Result:
			if _, line := rec.Pos(); rejected[line] {
				continue
			}
			if err := w.Write(rec); err != nil {
				return fmt.Errorf("%s: %w", dst, err)
			}
		case *benchfmt.UnitMetadata:
			if err := w.Write(rec); err != nil {
				return fmt.Errorf("%s: %w", dst, err)
			}
		}
	}
	if err := rd.Err(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("%s: %w", dst, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", dst, err)
	}
	return os.Rename(tmp.Name(), dst)
}
