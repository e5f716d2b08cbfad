package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes summary.md: the report's tables as GitHub-flavoured
// Markdown, to paste into a comment or a post: the workload, the machines,
// the table of speedups, the losses and the fits, each table with the
// sentence that says how to read it, and the warnings folded under their
// count. Figures are right-aligned; every cell is escaped, so that a pipe
// or markup in a host name or a strategy's name shows as itself.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	r.writeMarkdown(bw, "##")
	return bw.Flush()
}

// WriteMarkdown writes summary.md: a Report's Markdown for one workload;
// for several, the workloads and the across-workloads table, then each
// Report's tables in a section of its own, as summary.txt has them.
func (s *Set) WriteMarkdown(w io.Writer) error {
	if !s.Several() {
		return s.Reports[0].WriteMarkdown(w)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "## Results of %d workloads\n\n", len(s.Reports))
	fmt.Fprintln(bw, "Times of different workloads measure different things: speedups, fits and checks are within a workload, each against its own baseline, never across.")
	fmt.Fprintln(bw)
	for _, r := range s.Reports {
		fmt.Fprintf(bw, "- **%s**: %s\n", mdEscape(r.Label), mdEscape(r.workloadText()))
	}
	fmt.Fprintln(bw)
	fmt.Fprintln(bw, mdEscape(strings.Join(s.acrossNotes(), " ")))
	fmt.Fprintln(bw)
	writeMarkdownTable(bw, s.acrossTable())
	for _, r := range s.Reports {
		fmt.Fprintf(bw, "\n## %s\n\n", mdEscape(r.Label))
		r.writeMarkdown(bw, "###")
	}
	return bw.Flush()
}

// writeMarkdown writes the report under headings of level h ("##").
func (r *Report) writeMarkdown(w io.Writer, h string) {
	fmt.Fprintf(w, "%s\n\n", mdEscape(r.workloadText()))
	for _, m := range r.Machines {
		var parts []string
		for _, d := range []string{m.hardware(), m.conditions(), m.Kind.Description()} {
			if d != "" {
				parts = append(parts, mdEscape(d))
			}
		}
		fmt.Fprintf(w, "- **%s**: %s\n", mdEscape(m.Label), strings.Join(parts, "; "))
	}

	fmt.Fprintf(w, "\n%s Speedups\n\n", h)
	conf := pct(r.Confidence)
	fmt.Fprintf(w, "%s\n\n", mdEscape(fmt.Sprintf("Times per batch: median ± half-width of its %s interval. Speedup: T(baseline) / T(strategy, k cores) on the same machine, "+
		"paired with the baseline half run right next to each batch where pairs > 0. Efficiency: speedup / cores; vs ceiling: speedup / the ceiling's "+
		"(k copies of the %s batch at once, what the machine allows at k).", conf, Baseline)))
	writeMarkdownTable(w, r.rowTable())

	if t, notes := r.lossTable(); t != nil {
		fmt.Fprintf(w, "\n%s Where the speedup went\n\n", h)
		legend := lossLegend()
		fmt.Fprintf(w, "%s\n\n", mdEscape(legend[0]))
		writeMarkdownTable(w, t)
		for _, n := range notes {
			fmt.Fprintf(w, "\n%s\n", mdEscape(n))
		}
		fmt.Fprint(w, "\n<details><summary>What the parts are</summary>\n\n")
		for _, l := range legend[1:] {
			fmt.Fprintf(w, "- %s\n", mdEscape(l))
		}
		fmt.Fprintln(w, "\n</details>")
	}

	if len(r.Fits) > 0 {
		fmt.Fprintf(w, "\n%s Scalability fits\n\n", h)
		fmt.Fprintf(w, "%s\n\n", mdEscape("Weighted least squares to the speedups: S(N) = λN / (1 + σ(N-1) + κN(N-1)), the Universal Scalability Law; Amdahl is κ = 0. Projections past the cores measured are the model's, not measurements."))
		writeMarkdownTable(w, r.fitTable())
	}

	if n := len(r.Warnings); n > 0 {
		fmt.Fprintf(w, "\n<details><summary>%s</summary>\n\n", plural(n, "warning"))
		for _, e := range r.Warnings {
			fmt.Fprintf(w, "- %s\n", mdEscape(e.Error()))
		}
		fmt.Fprintln(w, "\n</details>")
	}
}

// writeMarkdownTable writes t as a GitHub table: its first row is the
// head, and a column that the text aligns right holds figures, aligned
// right here too.
func writeMarkdownTable(w io.Writer, t *table) {
	for i, row := range t.rows {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = mdEscape(c)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		if i == 0 {
			rule := make([]string, len(row))
			for j := range row {
				rule[j] = ":---"
				if j < len(t.align) && t.align[j] == 'r' {
					rule[j] = "---:"
				}
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(rule, " | "))
		}
	}
}

// mdEscaper escapes what GitHub Markdown would read as markup inside a
// line: the table's pipes, emphasis, code, HTML tags and entities, and the
// backslash itself; a line break would end a table row, so it becomes a
// space.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "*", `\*`, "_", `\_`, "`", "\\`",
	"<", "&lt;", "&", "&amp;", "\n", " ", "\r", " ",
)

// mdEscape makes s show as itself in GitHub Markdown, in a table cell or
// a paragraph.
func mdEscape(s string) string { return mdEscaper.Replace(s) }
