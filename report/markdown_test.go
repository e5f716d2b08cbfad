package report

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/golden"
)

// TestGoldenMarkdown checks summary.md for fixed inputs against
// testdata/*.md.golden: a machine, two side by side, one with losses, and
// a set of two workloads. Run go test -update to rewrite them after a
// deliberate change, and read the diff.
func TestGoldenMarkdown(t *testing.T) {
	lossReport := func(t *testing.T) *Set {
		rep, err := FromResults(lossResults(plantedLoss, 10, 0), fastOptions())
		if err != nil {
			t.Fatal(err)
		}
		trace := TraceShares{Strategy: "pool", Cores: 2, Workers: 2, Runnable: 0.01, Preempted: 0.005,
			Blocked: map[string]float64{"channel": 0.004}, NoJobOverhead: 0.02, OverheadInJobs: 0.003}
		rep.Explain([]Evidence{{Machine: rep.Machines[0].Label, Traces: []TraceShares{trace}}})
		return &Set{Reports: []*Report{rep}}
	}
	loaded := func(runs ...string) func(t *testing.T) *Set {
		return func(t *testing.T) *Set {
			set, err := loadSet(t, runs...)
			if err != nil {
				t.Fatal(err)
			}
			return set
		}
	}
	tests := []struct {
		name string
		set  func(t *testing.T) *Set
	}{
		{"one-machine", loaded("testdata/one-machine")},
		{"two-machines", loaded("testdata/hostA", "testdata/hostB")},
		{"own-slowed", loaded("testdata/own-slowed")},
		{"loss", lossReport},
		{"two-workloads", loaded("testdata/hostA", "testdata/other-workload", "testdata/hostB")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bytes.Buffer
			if err := tt.set(t).WriteMarkdown(&got); err != nil {
				t.Fatal(err)
			}
			checkMarkdownTables(t, got.String())
			golden.Check(t, filepath.Join("testdata", tt.name+".md.golden"), got.Bytes())
		})
	}
}

// checkMarkdownTables checks that every table row has as many cells as
// its head, counting the pipes that are not escaped, and that the rule
// under the head aligns each column.
func checkMarkdownTables(t *testing.T, md string) {
	t.Helper()
	cells := func(line string) int { return strings.Count(strings.ReplaceAll(line, `\|`, ""), "|") - 1 }
	head := 0
	for i, line := range strings.Split(md, "\n") {
		switch {
		case !strings.HasPrefix(line, "|"):
			head = 0
		case head == 0:
			head = cells(line)
		case cells(line) != head:
			t.Errorf("line %d has %d cells, its head %d: %s", i+1, cells(line), head, line)
		}
	}
}

// TestMarkdownEscapes: a host name and a strategy's name that hold a
// pipe, markup and emphasis show as themselves, in a row that keeps its
// cells.
func TestMarkdownEscapes(t *testing.T) {
	cfg := with(machineConfig, "host", "a|b <img src=x> *c*")
	rep, err := FromResults(results(cfg, map[string][]float64{
		"strategy=serial/workers=1-1": spread(1, 6),
		"strategy=p|q_r/workers=2-2":  spread(0.5, 6),
	}), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	checkMarkdownTables(t, md)
	for _, want := range []string{`| p\|q\_r | 2 | 2 |`, `**a\|b &lt;img src=x> \*c\***`, "| ---: | ---: |"} {
		if !strings.Contains(md, want) {
			t.Errorf("summary.md lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "<img") {
		t.Errorf("summary.md holds markup from the input:\n%s", md)
	}
}
