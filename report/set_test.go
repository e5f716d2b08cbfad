package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/golden"
	"github.com/parbench/parbench/runfiles"
)

func loadSet(t *testing.T, args ...string) (*Set, error) {
	t.Helper()
	inputs, err := FindInputs(args)
	if err != nil {
		t.Fatal(err)
	}
	return LoadSet(inputs, fastOptions())
}

// runWith writes a copy of the run folder testdata/<from> whose config
// lines are changed as edit says (key: value; an empty value drops the
// key), and returns its folder.
func runWith(t *testing.T, dir, name, from string, edit map[string]string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", from, runfiles.BenchFile))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	seen := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		key, _, ok := configLine(l)
		if v, edited := edit[key]; ok && edited {
			seen[key] = true
			if v == "" {
				continue
			}
			l = key + ": " + v
		}
		lines = append(lines, l)
	}
	var added []string
	for k, v := range edit {
		if !seen[k] && v != "" {
			added = append(added, k+": "+v)
		}
	}
	slices.Sort(added)
	run := filepath.Join(dir, name)
	if err := os.MkdirAll(run, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(run, runfiles.BenchFile), []byte(strings.Join(append(added, lines...), "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return run
}

func TestLoadSetGroupsByWorkload(t *testing.T) {
	dir := t.TempDir()
	cpu := runWith(t, dir, "cpu", "hostA", map[string]string{"preset": "libs-cpu"})
	fine := runWith(t, dir, "fine", "other-workload", map[string]string{"preset": "libs-fine"})
	cpuB := runWith(t, dir, "cpuB", "hostB", map[string]string{"preset": "libs-cpu"})
	samePreset := runWith(t, dir, "same", "other-workload", map[string]string{"preset": "libs-cpu"})
	noN := runWith(t, dir, "no-n", "hostB", map[string]string{"n": "", "checksum": ""})
	jobs := runWith(t, dir, "jobs", "hostB", map[string]string{"jobs": "512"})
	tests := []struct {
		name   string
		args   []string
		labels []string   // "" for a report of one workload
		inputs [][]string // each report's inputs, by folder name
	}{
		{"one workload, two machines", []string{"testdata/hostA", "testdata/hostB"},
			[]string{""}, [][]string{{"hostA", "hostB"}}},
		{"two workloads, labelled by the parameter that differs", []string{"testdata/hostA", "testdata/other-workload", "testdata/hostB"},
			[]string{"n=500000", "n=100000"}, [][]string{{"hostA", "hostB"}, {"other-workload"}}},
		{"labelled by preset where each workload has its own", []string{cpu, fine, cpuB},
			[]string{"libs-cpu", "libs-fine"}, [][]string{{"cpu", "cpuB"}, {"fine"}}},
		{"one preset over two workloads: labelled by parameters", []string{cpu, samePreset},
			[]string{"n=500000", "n=100000"}, [][]string{{"cpu"}, {"same"}}},
		{"a run that records fewer keys joins the one it agrees with", []string{"testdata/other-workload", noN},
			[]string{""}, [][]string{{"other-workload", "no-n"}}},
		{"two parameters differ: both in the label", []string{"testdata/other-workload", jobs},
			[]string{"jobs=1024 n=100000", "jobs=512 n=500000"}, [][]string{{"other-workload"}, {"jobs"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := loadSet(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			var labels []string
			var inputs [][]string
			for _, r := range set.Reports {
				labels = append(labels, r.Label)
				var names []string
				for _, in := range r.Inputs {
					names = append(names, filepath.Base(in.Dir))
				}
				inputs = append(inputs, names)
			}
			if !slices.Equal(labels, tt.labels) {
				t.Errorf("labels %q, want %q", labels, tt.labels)
			}
			if !slices.EqualFunc(inputs, tt.inputs, slices.Equal) {
				t.Errorf("inputs by report %q, want %q", inputs, tt.inputs)
			}
			if got, want := set.Several(), len(tt.labels) > 1; got != want {
				t.Errorf("Several() = %v, want %v", got, want)
			}
		})
	}
}

func TestLoadSetRefusesAFileOfTwoWorkloads(t *testing.T) {
	// Grouping is by input: one file that changes its workload between
	// results is refused as Load refuses it, whatever else is given.
	path := filepath.Join(t.TempDir(), "two.txt")
	content := "jobs: 32\nBenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\njobs: 64\nBenchmarkXORSum/strategy=serial/workers=1 1 5 ns/op\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := loadSet(t, "testdata/other-workload", path)
	if err == nil || !strings.Contains(err.Error(), "results of different workloads, not comparable: jobs 32") {
		t.Errorf("error %v, want the file's two workloads named", err)
	}
}

// Each report of a Set is the report its inputs would make alone: no
// figure of one workload leaks into another's.
func TestSetReportsAreTheirInputsAlone(t *testing.T) {
	args := []string{"testdata/hostA", "testdata/other-workload", "testdata/hostB"}
	set, err := loadSet(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Reports) != 2 {
		t.Fatalf("%d reports, want 2", len(set.Reports))
	}
	for _, r := range set.Reports {
		var dirs []string
		for _, in := range r.Inputs {
			dirs = append(dirs, in.Dir)
		}
		alone, err := load(t, dirs...)
		if err != nil {
			t.Fatal(err)
		}
		var got, want bytes.Buffer
		if err := r.WriteText(&got); err != nil {
			t.Fatal(err)
		}
		if err := alone.WriteText(&want); err != nil {
			t.Fatal(err)
		}
		if d := golden.Diff(want.String(), got.String()); d != "" {
			t.Errorf("%s differs from the report of %q alone:\n%s", r.Label, dirs, d)
		}
	}
}

func TestSetOfOneWritesAsItsReport(t *testing.T) {
	set, err := loadSet(t, "testdata/hostA", "testdata/hostB")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := load(t, "testdata/hostA", "testdata/hostB")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		set, rep func(*bytes.Buffer) error
	}{
		{"text", func(b *bytes.Buffer) error { return set.WriteText(b) }, func(b *bytes.Buffer) error { return rep.WriteText(b) }},
		{"tables", func(b *bytes.Buffer) error { return set.WriteTables(b) }, func(b *bytes.Buffer) error { return rep.WriteTables(b) }},
		{"csv", func(b *bytes.Buffer) error { return set.WriteCSV(b) }, func(b *bytes.Buffer) error { return rep.WriteCSV(b) }},
		{"json", func(b *bytes.Buffer) error { return set.WriteJSON(b) }, func(b *bytes.Buffer) error { return rep.WriteJSON(b) }},
		{"markdown", func(b *bytes.Buffer) error { return set.WriteMarkdown(b) }, func(b *bytes.Buffer) error { return rep.WriteMarkdown(b) }},
		{"html", func(b *bytes.Buffer) error { return set.WriteHTML(b, HTMLPage{Dir: "testdata"}) },
			func(b *bytes.Buffer) error { return rep.WriteHTML(b, HTMLPage{Dir: "testdata"}) }},
	} {
		var got, want bytes.Buffer
		if err := tt.set(&got); err != nil {
			t.Fatal(err)
		}
		if err := tt.rep(&want); err != nil {
			t.Fatal(err)
		}
		if d := golden.Diff(want.String(), got.String()); d != "" {
			t.Errorf("%s of a Set of one workload differs from its report's:\n%s", tt.name, d)
		}
	}
}

func TestSetGolden(t *testing.T) {
	set, err := loadSet(t, "testdata/hostA", "testdata/other-workload", "testdata/hostB")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := set.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "two-workloads.golden"), b.Bytes())

	page := HTMLPage{
		Dir: "testdata",
		Charts: []Chart{
			{Name: "n_500000-speedup", Workload: "n=500000", SVG: tinySVG},
			{Name: "n_100000-speedup", Workload: "n=100000", SVG: tinySVG},
			{Name: "n_100000-timeline-pool-2", Config: "pool, 2 cores, 2 workers", Workload: "n=100000", SVG: tinySVG},
		},
		Benchstat: []byte("# n=500000: title\n"),
		Notes:     []string{"chart not drawn: overhead: <nothing>"},
		Files:     []string{"summary.txt", "n_500000-speedup.png", "n_100000-speedup.png"},
	}
	b.Reset()
	if err := set.WriteHTML(&b, page); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	checkSelfContained(t, html)
	golden.Check(t, filepath.Join("testdata", "two-workloads.html.golden"), b.Bytes())

	ids := map[string]int{}
	for _, m := range regexp.MustCompile(` id="([^"]*)"`).FindAllStringSubmatch(html, -1) {
		ids[m[1]]++
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q used %d times", id, n)
		}
	}
	for _, m := range regexp.MustCompile(` href="#([^"]*)"`).FindAllStringSubmatch(html, -1) {
		if ids[m[1]] == 0 {
			t.Errorf("link to #%s, which no element has", m[1])
		}
	}
	for _, want := range []string{`id="across"`, `id="n_500000-summary"`, `id="n_100000-summary"`, `id="chart-n_100000-timeline-pool-2"`} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	// Each section shows its own charts and machines, not the other's.
	first, _, found := strings.Cut(html[strings.Index(html, `id="n_500000-workload"`):], `id="n_100000-workload"`)
	if !found || strings.Contains(first, "n_100000-speedup") || strings.Contains(first, "gamma") {
		t.Errorf("the n=500000 section shows the other workload's chart or machine")
	}
}

func TestSetCSVAndJSON(t *testing.T) {
	set, err := loadSet(t, "testdata/hostA", "testdata/other-workload", "testdata/hostB")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := set.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := append([]string{"workload"}, CSVHeader...); !slices.Equal(records[0], want) {
		t.Errorf("CSV header %q, want %q", records[0], want)
	}
	count := map[string]int{}
	for _, rec := range records[1:] {
		count[rec[0]]++
	}
	for _, r := range set.Reports {
		if count[r.Label] != len(r.Rows) {
			t.Errorf("CSV has %d rows of %s, want its %d", count[r.Label], r.Label, len(r.Rows))
		}
	}

	b.Reset()
	if err := set.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Workloads []struct {
			Label    string            `json:"label"`
			Workload map[string]string `json:"workload"`
			Rows     []json.RawMessage `json:"rows"`
		} `json:"workloads"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Workloads) != len(set.Reports) {
		t.Fatalf("%d workloads in JSON, want %d", len(doc.Workloads), len(set.Reports))
	}
	for i, w := range doc.Workloads {
		r := set.Reports[i]
		if w.Label != r.Label || len(w.Rows) != len(r.Rows) || w.Workload["n"] != workloadValue(r, "n") {
			t.Errorf("JSON workload %d: label %q, %d rows, n %q; want %q, %d, %q", i, w.Label, len(w.Rows), w.Workload["n"], r.Label, len(r.Rows), workloadValue(r, "n"))
		}
	}
}

func TestAcrossTable(t *testing.T) {
	set, err := loadSet(t, "testdata/hostA", "testdata/other-workload")
	if err != nil {
		t.Fatal(err)
	}
	tab := set.acrossTable()
	head := tab.rows[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("no column %q in %q", name, head)
		}
		return i
	}
	st, wl, one, oneSpeedup, cores, perJob, speedup := col("strategy"), col("workload"), col("per job, 1 core"),
		col("speedup, 1 core [95%]"), col("cores"), col("per job"), col("speedup [95%]")
	var order []string
	for _, row := range tab.rows[1:] {
		order = append(order, row[st]+"/"+row[wl])
	}
	// Strategies in report order, the workloads of each together.
	want := []string{"serial/n=500000", "serial/n=100000", "perjob/n=500000", "perjob/n=100000", "pool/n=500000", "pool/n=100000"}
	if !slices.Equal(order, want) {
		t.Errorf("rows %q, want %q", order, want)
	}
	// pool in n=100000 (other-workload): 1024 jobs a batch; 1 core 122.5 ms,
	// 2 cores 62.39 ms (the medians of its report's rows).
	for _, row := range tab.rows[1:] {
		if row[st] != "pool" || row[wl] != "n=100000" {
			continue
		}
		r := set.Reports[1]
		var at1, at2 Row
		for _, x := range r.Rows {
			if x.Strategy == "pool" && x.Cores == 1 {
				at1 = x
			}
			if x.Strategy == "pool" && x.Cores == 2 {
				at2 = x
			}
		}
		checks := []struct {
			col  int
			want string
		}{
			{one, fmtSeconds(at1.Median/1024) + " ±" + pct(at1.CIHalfWidth())},
			{oneSpeedup, fmtRatio(at1.Speedup) + " " + intervalText(at1.SpeedupLow, at1.SpeedupHigh)},
			{cores, "2"},
			{perJob, fmtSeconds(at2.Median/1024) + " ±" + pct(at2.CIHalfWidth())},
			{speedup, fmtRatio(at2.Speedup) + " " + intervalText(at2.SpeedupLow, at2.SpeedupHigh)},
		}
		for _, c := range checks {
			if row[c.col] != c.want {
				t.Errorf("pool/n=100000 %s = %q, want %q", head[c.col], row[c.col], c.want)
			}
		}
		if !strings.HasPrefix(row[perJob], "60.93µs") {
			t.Errorf("pool/n=100000 per job at 2 cores %q, want 62.39 ms / 1024 = 60.93µs", row[perJob])
		}
	}
}

// FuzzLoadSet feeds LoadSet two arbitrary files: it may refuse them, but
// must not panic; each input lands in exactly one report, the reports of
// several workloads have distinct labels and slugs, and every writer
// works.
func FuzzLoadSet(f *testing.F) {
	var seeds [][]byte
	for _, p := range []string{"testdata/hostA/bench.txt", "testdata/other-workload/bench.txt", "testdata/gotest.txt", "testdata/own-faults/bench.txt"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	f.Add(seeds[0], seeds[1])
	f.Add(seeds[1], seeds[2])
	f.Add(seeds[0], seeds[0])
	f.Add(seeds[3], seeds[0])
	f.Add([]byte("preset: a\nn: 1\nBenchmarkXORSum/strategy=serial/workers=1-1 1 5 ns/op\n"),
		[]byte("preset: a b\nn: 2\njobs: 3\nBenchmarkXORSum/strategy=serial/workers=1-1 1 5 ns/op\n"))
	f.Add([]byte("n: <x>\nBenchmarkXORSum/strategy=serial/workers=1-1 1 5 ns/op\n"),
		[]byte("n: <y>\nBenchmarkXORSum/strategy=serial/workers=1-1 1 5 ns/op\n"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		dir := t.TempDir()
		var inputs []Input
		for i, data := range [][]byte{a, b} {
			path := filepath.Join(dir, strings.Repeat("x", i+1)+".txt")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, Input{Path: path, Dir: dir})
		}
		opts := DefaultOptions
		opts.Resamples = 100
		set, err := LoadSet(inputs, &opts)
		if err != nil {
			return
		}
		seen := map[string]int{}
		labels, slugs := map[string]bool{}, map[string]bool{}
		for _, r := range set.Reports {
			if len(r.Rows) == 0 {
				t.Errorf("report %q without rows", r.Label)
			}
			for _, in := range r.Inputs {
				seen[in.Path]++
			}
			if set.Several() && (r.Label == "" || r.Slug == "" || labels[r.Label] || slugs[r.Slug]) {
				t.Errorf("label %q slug %q: empty or not distinct", r.Label, r.Slug)
			}
			labels[r.Label], slugs[r.Slug] = true, true
		}
		for _, in := range inputs {
			if seen[in.Path] != 1 {
				t.Errorf("%s is in %d reports, want 1", in.Path, seen[in.Path])
			}
		}
		for _, write := range []func() error{
			func() error { return set.WriteText(discard{}) },
			func() error { return set.WriteCSV(discard{}) },
			func() error { return set.WriteJSON(discard{}) },
			func() error { return set.WriteHTML(discard{}, HTMLPage{Dir: dir}) },
		} {
			if err := write(); err != nil {
				t.Error(err)
			}
		}
	})
}
