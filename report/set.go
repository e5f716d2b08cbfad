package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/parbench/parbench/runfiles"
)

// A Set is the report of inputs that may hold more than one workload: a
// Report per workload, each the whole analysis of its own inputs. Nothing
// in a Set compares one workload with another, since their times measure
// different things: speedups, fits and checks stay within a Report. What
// the Set adds is the across-workloads table, which lays each strategy's
// figures in every workload side by side, each against its own baseline.
type Set struct {
	// Reports has a Report per workload, in the order the inputs first
	// record it. With more than one, each has a distinct Label and Slug.
	Reports []*Report
}

// LoadSet is Load for inputs of one or more workloads. Inputs go to the
// same Report when they agree on every workload parameter both record
// (jobs, n, sleep, gap, checksum), so that a go test output that records
// fewer keys still joins the run it matches; each group is then loaded as
// Load loads it, and an input that itself holds two workloads is still an
// error. A Set of one workload is exactly Load's report.
//
// A Report of several is labelled with the preset its inputs ran (where
// every workload has its own), or else with the parameters that tell the
// workloads apart ("jobs=128 n=500000").
func LoadSet(inputs []Input, opts *Options) (*Set, error) {
	o, scans, err := scanInputs(inputs, opts)
	if err != nil {
		return nil, err
	}
	var total, done int64
	for _, sc := range scans {
		total += sc.lines
	}
	set := &Set{}
	var presets []string
	for _, g := range workloadGroups(scans) {
		var ins []Input
		var scs []inputScan
		var numbers []int
		preset := scans[g[0]].recorded[runfiles.KeyPreset]
		var lines int64
		for _, i := range g {
			ins = append(ins, inputs[i])
			scs = append(scs, scans[i])
			numbers = append(numbers, i+1)
			lines += scans[i].lines
			if scans[i].recorded[runfiles.KeyPreset] != preset {
				preset = ""
			}
		}
		og := o
		if o.Progress != nil {
			base := done
			og.Progress = func(read, _ int64) { o.Progress(base+read, total) }
		}
		rep, err := loadScanned(ins, scs, og)
		if err != nil {
			return nil, err
		}
		done += lines
		rep.inputNumbers = numbers
		set.Reports = append(set.Reports, rep)
		presets = append(presets, preset)
	}
	if set.Several() {
		labelWorkloads(set.Reports, presets)
	}
	return set, nil
}

// workloadGroups puts each input (by index) into the first group whose
// workload agrees with it on every key both record, or into a new group.
// Groups are in the order of their first input.
func workloadGroups(scans []inputScan) [][]int {
	var groups [][]int
	var recorded []map[string]string // each group's keys, merged
	for i, sc := range scans {
		g := slices.IndexFunc(recorded, func(rec map[string]string) bool {
			for _, k := range runfiles.WorkloadKeys {
				a, inA := rec[k]
				b, inB := sc.recorded[k]
				if inA && inB && a != b {
					return false
				}
			}
			return true
		})
		if g < 0 {
			g = len(groups)
			groups = append(groups, nil)
			recorded = append(recorded, map[string]string{})
		}
		groups[g] = append(groups[g], i)
		for _, k := range runfiles.WorkloadKeys {
			if v, ok := sc.recorded[k]; ok {
				recorded[g][k] = v
			}
		}
	}
	return groups
}

// labelWorkloads names the reports of a Set: by their presets where each
// has one of its own, else by the workload parameters whose values differ
// among them (the checksum only where nothing else does). Slugs, for file
// names and HTML ids, are made distinct.
func labelWorkloads(reps []*Report, presets []string) {
	byPreset := !slices.Contains(presets, "")
	for i, p := range presets {
		byPreset = byPreset && !slices.Contains(presets[:i], p)
	}
	if byPreset {
		for i, r := range reps {
			r.Label = presets[i]
		}
	} else {
		values := func(key string) []string {
			var vs []string
			for _, r := range reps {
				vs = append(vs, workloadValue(r, key))
			}
			return vs
		}
		var keys []string
		for _, k := range runfiles.WorkloadKeys {
			if k == runfiles.KeyChecksum {
				continue
			}
			if vs := values(k); slices.ContainsFunc(vs, func(v string) bool { return v != vs[0] }) {
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			keys = []string{runfiles.KeyChecksum}
		}
		for _, r := range reps {
			var parts []string
			for _, k := range keys {
				parts = append(parts, k+"="+workloadValue(r, k))
			}
			r.Label = strings.Join(parts, " ")
		}
	}
	used := map[string]bool{}
	for i, r := range reps {
		base := runfiles.Slug(r.Label)
		if base == "" {
			base = "workload" + strconv.Itoa(i+1)
		}
		slug := base
		for n := 2; used[slug]; n++ {
			slug = base + "-" + strconv.Itoa(n)
		}
		used[slug] = true
		r.Slug = slug
	}
}

// workloadValue is the report's value of a workload key, "?" if it was
// not recorded.
func workloadValue(r *Report, key string) string {
	for _, kv := range r.Workload {
		if kv[0] == key {
			return kv[1]
		}
	}
	return "?"
}

// Several reports whether the Set holds more than one workload.
func (s *Set) Several() bool { return len(s.Reports) > 1 }

// Warnings are every Report's warnings; with several workloads each
// names its workload first.
func (s *Set) Warnings() []error {
	var out []error
	for _, r := range s.Reports {
		for _, w := range r.Warnings {
			if s.Several() {
				w = fmt.Errorf("%s: %w", r.Label, w)
			}
			out = append(out, w)
		}
	}
	return out
}

// InputErrors are every Report's unreadable lines.
func (s *Set) InputErrors() []error {
	var out []error
	for _, r := range s.Reports {
		out = append(out, r.InputErrors...)
	}
	return out
}

// acrossRows are the rows of a strategy on a machine that the across
// table shows: on 1 core, and on the most cores measured. At a core count
// the row with workers = cores is taken, or the only row there (a
// strategy that ignores workers); where neither is, nil.
func (r *Report) acrossRows(machine, strategy string) (one, top *Row) {
	pick := func(cores int) *Row {
		var only, match *Row
		n := 0
		for i := range r.Rows {
			row := &r.Rows[i]
			if row.Machine != machine || row.Strategy != strategy || row.Cores != cores {
				continue
			}
			n++
			only = row
			if row.Workers == cores {
				match = row
			}
		}
		if match != nil {
			return match
		}
		if n == 1 {
			return only
		}
		return nil
	}
	most := 0
	for _, row := range r.Rows {
		if row.Machine == machine && row.Strategy == strategy {
			most = max(most, row.Cores)
		}
	}
	if most == 0 {
		return nil, nil
	}
	one = pick(1)
	if most > 1 {
		top = pick(most)
	}
	return one, top
}

// machineLabels are the labels of every Report's machines, each once, in
// the order first seen.
func (s *Set) machineLabels() []string {
	var labels []string
	for _, r := range s.Reports {
		for _, m := range r.Machines {
			if !slices.Contains(labels, m.Label) {
				labels = append(labels, m.Label)
			}
		}
	}
	return labels
}

// benchmarks are the Reports' benchmark names, each once.
func (s *Set) benchmarks() []string {
	seen := map[string]bool{}
	var names []string
	for _, r := range s.Reports {
		if !seen[r.Benchmark] {
			seen[r.Benchmark] = true
			names = append(names, r.Benchmark)
		}
	}
	return names
}
