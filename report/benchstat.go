package report

import (
	"strconv"
	"strings"
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
		inputs = append(inputs, strings.ReplaceAll(label, "=", "-")+"="+in.Path)
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
