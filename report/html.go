package report

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/parbench/parbench/internal/pairstat"
	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/runfiles"
)

// An HTMLPage is what report.html shows besides the report itself: the
// charts, the benchstat text, the problems met while writing the other
// files, and where the page lies, so that its links reach the files
// beside it.
type HTMLPage struct {
	// Dir is the folder report.html is written into. Links and the
	// profile commands are relative to it.
	Dir string
	// Charts are shown in order; a chart with a Config is a timeline,
	// folded under that heading.
	Charts []Chart
	// Benchstat is the text of benchstat.txt; nil if benchstat did not run.
	Benchstat []byte
	// Notes are problems met while writing the report's files, such as a
	// chart that could not be drawn; they are shown with the warnings.
	Notes []string
	// Files are the names of the files written into Dir, linked at the
	// end of the page and beside their charts.
	Files []string
}

// A Chart is one figure, already drawn as SVG.
type Chart struct {
	// Name is the chart's file name without its extension: "speedup",
	// "timeline-pool-2".
	Name string
	// Config is, for a timeline, the configuration it shows
	// ("pool, 2 cores, 2 workers"); "" for every other chart.
	Config string
	// Workload is the Label of the Report of a Set the chart belongs to;
	// "" in a report of one workload.
	Workload string
	SVG      []byte
}

// The page's style and script are fixed and carried inside it; the
// Content-Security-Policy admits exactly these two by their hashes and
// images from data: URLs, and nothing else. So the page fetches nothing
// over any network, and a string from a file that somehow became markup
// still could not run.
var (
	//go:embed page/page.tmpl page/page.css page/page.js
	pageFiles embed.FS

	pageTemplate *template.Template
	pageCSS      string
	pageJS       string
	pageErr      error
)

func init() {
	// The embedded files are part of the binary, so an error here is a
	// programming error; WriteHTML returns it rather than panicking.
	pageTemplate, pageCSS, pageJS, pageErr = parsePage()
}

func parsePage() (*template.Template, string, string, error) {
	text, err := pageFiles.ReadFile("page/page.tmpl")
	if err != nil {
		return nil, "", "", err
	}
	css, err := pageFiles.ReadFile("page/page.css")
	if err != nil {
		return nil, "", "", err
	}
	js, err := pageFiles.ReadFile("page/page.js")
	if err != nil {
		return nil, "", "", err
	}
	policy := "default-src 'none'; img-src data:; style-src " + sourceHash(css) + "; script-src " + sourceHash(js) +
		"; base-uri 'none'; form-action 'none'"
	src := strings.Replace(string(text), "{{.Policy}}", policy, 1)
	t, err := template.New(runfiles.ReportHTML).Option("missingkey=error").Parse(src)
	return t, string(css), string(js), err
}

// sourceHash is the CSP source expression of an inline element's text.
func sourceHash(b []byte) string {
	sum := sha256.Sum256(b)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// WriteHTML writes the report as one self-contained HTML page: the
// question and the workload, the warnings, the machines, the summary
// table, the charts, the fits with their caveats, benchstat's text, the
// profiles with the commands that open them, and links to the files. It
// is report.html.
//
// Every string that came from a file (host names, CPU models, strategy
// names, benchstat's text) is escaped by html/template. Charts are SVG
// images in data: URLs, which a browser draws without running any script
// they might hold or fetching anything they name. The page needs no
// network and no script; a small script sorts the summary table.
func (r *Report) WriteHTML(w io.Writer, page HTMLPage) error {
	return (&Set{Reports: []*Report{r}}).WriteHTML(w, page)
}

// WriteHTML writes report.html: for one workload, its Report's page; for
// several, the across-workloads table and then a section per workload,
// each with what a Report's page holds (its charts are those whose
// Workload is its Label), and benchstat's text and the files once.
func (s *Set) WriteHTML(w io.Writer, page HTMLPage) error {
	if pageErr != nil {
		return fmt.Errorf("report.html template: %w", pageErr)
	}
	if len(s.Reports) == 0 {
		return errors.New("report.html: no report")
	}
	d, err := s.htmlData(page)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, d); err != nil {
		return fmt.Errorf("report.html: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// htmlData is what the template reads: the page, and a section per
// workload.
type htmlData struct {
	CSS     template.CSS
	JS      template.JS
	Title   string
	Several bool // more than one machine
	// Multi is set for more than one workload: then Notes, Across and
	// AcrossNotes are the page's own, and each section has a heading.
	Multi       bool
	Notes       []Warning
	Across      *htmlTable
	AcrossNotes []string
	Sections    []*htmlSection
	Benchstat   string
	Files       []htmlFile
}

// An htmlSection is one Report's part of the page.
type htmlSection struct {
	// ID starts every id in the section: "" for the only one, else its
	// Slug and a dash.
	ID          string
	Label       string
	Several     bool // more than one machine
	Benchmark   string
	Workload    [][2]string
	Warnings    []Warning
	Machines    []Machine
	MachineRows []htmlMachineRow
	TableNotes  []string
	Rows        htmlTable
	Charts      []htmlChart
	Timelines   []htmlChart
	Fits        *htmlTable
	FitNotes    []string
	// Estimates lays every estimator's speedup side by side, folded
	// under the summary; nil without pairs.
	Estimates     *htmlTable
	EstimateNotes []string
	// Faults is the fault table, nil without faults; FaultNotes the core
	// counts given up on.
	Faults      *htmlTable
	FaultLegend string
	FaultNotes  []string
	// Losses is the loss table of summary.txt, nil when no row has one.
	Losses     *htmlTable
	LossNotes  []string
	FitCaveats []string
	Folder     string
	Profiles   []htmlProfiles
}

type htmlMachineRow struct {
	Name   string
	Values []string
}

// An htmlTable is a text table's cells with their alignment: a column
// the text aligns right holds figures.
type htmlTable struct {
	Head []htmlCell
	Body [][]htmlCell
}

type htmlCell struct {
	Text    string
	Numeric bool
}

type htmlChart struct {
	Name, Config string
	Source       template.URL
	Files        []string
}

type htmlProfiles struct {
	Machine   string
	Files     []htmlProfile
	Breakdown string
	// BreakdownName and BreakdownLink are the breakdown table's file,
	// empty where the run folder has none.
	BreakdownName, BreakdownLink string
}

type htmlProfile struct {
	Name, Link, Command string
}

type htmlFile struct {
	Name, Link, What string
}

func (s *Set) htmlData(page HTMLPage) (*htmlData, error) {
	if page.Dir == "" {
		return nil, errors.New("report.html: no folder to write it into")
	}
	dir, err := filepath.Abs(page.Dir)
	if err != nil {
		return nil, fmt.Errorf("report.html: %w", err)
	}
	labels := s.machineLabels()
	d := &htmlData{
		CSS:       template.CSS(pageCSS),
		JS:        template.JS(pageJS),
		Title:     strings.Join(s.benchmarks(), ", "),
		Several:   len(labels) > 1,
		Multi:     s.Several(),
		Benchstat: string(page.Benchstat),
	}
	if d.Multi {
		var names []string
		for _, r := range s.Reports {
			names = append(names, r.Label)
		}
		d.Title += ": " + strings.Join(names, ", ")
		across := tableCells(s.acrossTable())
		d.Across = &across
		d.AcrossNotes = []string{strings.Join(s.acrossNotes(), " ")}
		for _, n := range page.Notes {
			d.Notes = append(d.Notes, Warning{Check: "output", Msg: n})
		}
	}
	if len(labels) > 0 {
		d.Title += " on " + strings.Join(labels, ", ")
	}
	for _, r := range s.Reports {
		sec := r.htmlSection(dir, page)
		if d.Multi {
			sec.ID = r.Slug + "-"
		} else {
			for _, n := range page.Notes {
				sec.Warnings = append(sec.Warnings, Warning{Check: "output", Msg: n})
			}
		}
		d.Sections = append(d.Sections, sec)
	}
	for _, r := range s.Reports {
		for i, in := range r.Inputs {
			what := "the samples, in the Go benchmark format"
			switch {
			case d.Multi && len(r.Inputs) > 1:
				what += " (" + r.Label + ", " + r.inputLabel(i) + ")"
			case d.Multi:
				what += " (" + r.Label + ")"
			case len(r.Inputs) > 1:
				what += " (" + r.inputLabel(i) + ")"
			}
			d.Files = append(d.Files, htmlFile{Name: relPath(dir, in.Path), Link: link(dir, in.Path), What: what})
		}
	}
	for _, f := range page.Files {
		d.Files = append(d.Files, htmlFile{Name: f, Link: link(dir, filepath.Join(dir, f)), What: fileWhat(f)})
	}
	return d, nil
}

// htmlSection is the part of the page that shows r, with the charts of
// page that are r's.
func (r *Report) htmlSection(dir string, page HTMLPage) *htmlSection {
	d := &htmlSection{
		Label:     r.Label,
		Several:   len(r.Machines) > 1,
		Benchmark: "Benchmark" + r.Benchmark,
		Workload:  r.Workload,
		Machines:  r.Machines,
		Rows:      tableCells(r.rowTable()),
		Folder:    shellWord(dir),
	}
	for _, e := range r.Warnings {
		var w *Warning
		if errors.As(e, &w) {
			d.Warnings = append(d.Warnings, *w)
			if w.Check == CheckFit {
				d.FitCaveats = append(d.FitCaveats, w.Error())
			}
		} else {
			d.Warnings = append(d.Warnings, Warning{Msg: e.Error()})
		}
	}
	d.MachineRows = r.machineRows(dir)

	conf := pct(r.Confidence)
	d.TableNotes = []string{
		fmt.Sprintf("Times per batch: median ± half-width of its %s interval (benchmath, distribution-free).", conf),
		fmt.Sprintf("Speedup: T(baseline) / T(strategy, k cores) on the same machine, the baseline as each machine's description says. Paired (pairs > 0): %s, each pair a batch and the baseline batch run right next to it; unpaired: the ratio of the medians, %s percentile-bootstrap interval (%d resamples).", pairstat.DefaultEstimator.Method(), conf, r.Resamples),
		fmt.Sprintf("ceiling: k copies of the %s batch at once, one per CPU, what the machine allows at k. Efficiency: speedup / cores; vs ceiling: speedup / the ceiling's.", Baseline),
		"vs fewer cores: change of the median time from the next smaller core count, by the Mann-Whitney U test (~ when not significant).",
	}
	if r.anyKind(OwnCPUs) {
		d.TableNotes = append(d.TableNotes, "In the own-cpus kind the ceiling is attainable: the baseline over the copies' own rates summed; join: over the time until the last copy finished, what a static split of the work can reach.")
	}
	for _, c := range r.Calibrations {
		if t := c.text(); t != "" {
			d.TableNotes = append(d.TableNotes, c.Machine+": "+t+".")
		}
	}
	d.TableNotes = append(d.TableNotes, r.speedLines()...)
	if t := r.estimatesTable(); t != nil {
		est := tableCells(t)
		d.Estimates = &est
		d.EstimateNotes = []string{
			"The same pairs by every estimator: " + estimatorsText() + ".",
			fmt.Sprintf("Two groups of pairs: the exact two-means split of the log ratios, refined by a two-component normal mixture; bimodal when Ashman's D > %d, the mixture beats one normal by a BIC of %d, its density dips below %s of the lower peak between the two, and the smaller group holds at least %s of the pairs and %d of them.",
				pairstat.BimodalD, pairstat.MinBIC, pct(pairstat.MaxDip), pct(pairstat.MinModeShare), pairstat.MinModePairs),
		}
		if r.anyKind(OwnCPUs) {
			d.EstimateNotes = append(d.EstimateNotes, "Against the first CPU alone: the speedup that the first-cpu kind would have reported, the baseline taken at the first CPU's rate alone, from the meter lines of the pairs whose baseline half timed it.")
		}
	}
	if t := r.faultTable(); t != nil {
		f := tableCells(t)
		d.Faults, d.FaultLegend = &f, FaultLegend
	}
	d.FaultNotes = r.faultNotes()
	if t, notes := r.lossTable(); t != nil {
		losses := tableCells(t)
		d.Losses = &losses
		d.LossNotes = append(lossLegend(), notes...)
	}
	if len(r.Fits) > 0 {
		fits := tableCells(r.fitTable())
		d.Fits = &fits
		d.FitNotes = []string{
			"Fits to the speedups, by weighted least squares: S(N) = λN / (1 + σ(N-1) + κN(N-1)), the Universal Scalability Law; Amdahl is κ = 0, with σ the serial fraction.",
			"Peak: N* = sqrt((1-σ)/κ) and the speedup there.",
		}
	}

	for _, c := range page.Charts {
		if c.Workload != r.Label {
			continue
		}
		hc := htmlChart{
			Name:   c.Name,
			Config: c.Config,
			Source: template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(c.SVG)),
		}
		for _, f := range page.Files {
			if strings.TrimSuffix(f, filepath.Ext(f)) == c.Name {
				hc.Files = append(hc.Files, f)
			}
		}
		if c.Config != "" {
			d.Timelines = append(d.Timelines, hc)
		} else {
			d.Charts = append(d.Charts, hc)
		}
	}
	d.Profiles = r.profileLists(dir)
	return d
}

// estimatorsText describes every estimator, the default first.
func estimatorsText() string {
	var parts []string
	for _, e := range pairstat.Estimators() {
		parts = append(parts, e.Title()+", "+e.Method())
	}
	return strings.Join(parts, "; ")
}

// tableCells turns a text table into cells; its first row is the head.
func tableCells(t *table) htmlTable {
	var out htmlTable
	for i, row := range t.rows {
		cells := make([]htmlCell, len(row))
		for j, c := range row {
			cells[j] = htmlCell{Text: c, Numeric: j < len(t.align) && t.align[j] == 'r'}
		}
		if i == 0 {
			out.Head = cells
		} else {
			out.Body = append(out.Body, cells)
		}
	}
	return out
}

// machineRows lays the machines side by side, a row per property that
// any of them recorded.
func (r *Report) machineRows(dir string) []htmlMachineRow {
	props := []struct {
		name string
		get  func(Machine) string
	}{
		{"results", func(m Machine) string {
			if m.File == "" {
				return ""
			}
			return relPath(dir, m.File)
		}},
		{"host", func(m Machine) string { return m.Host }},
		{"CPU", func(m Machine) string { return m.CPU }},
		{"CPUs online", func(m Machine) string {
			if m.CPUsOnline == 0 {
				return ""
			}
			return strconv.Itoa(m.CPUsOnline)
		}},
		{"memory", func(m Machine) string { return m.Memory }},
		{"kernel", func(m Machine) string { return m.Kernel }},
		{"virtualization", func(m Machine) string { return m.Virtualization }},
		{"CPU quota", func(m Machine) string { return m.CPUQuota }},
		{"governor", func(m Machine) string { return m.Governor }},
		{"load average (1, 5, 15 min)", func(m Machine) string { return m.LoadAvg }},
		{"busy CPUs before the run", func(m Machine) string { return m.BusyCPUs }},
		{"cores enforced by", func(m Machine) string { return m.Enforcement }},
		{"cores check", func(m Machine) string { return m.CoresCheck }},
		{"Go", func(m Machine) string { return m.GoVersion }},
		{"parbench", func(m Machine) string {
			if m.Commit != "" {
				return strings.TrimSpace(m.Version + " (" + m.Commit + ")")
			}
			return m.Version
		}},
		{"run", func(m Machine) string {
			if m.Partial {
				return "PARTIAL: interrupted before it finished"
			}
			return ""
		}},
		{"baseline", func(m Machine) string { return m.Kind.Title() + ". " + m.Kind.Meaning() }},
		{"CPUs handed out", func(m Machine) string {
			var ids []string
			for _, c := range m.CPUList {
				ids = append(ids, strconv.Itoa(c))
			}
			return strings.Join(ids, ", ")
		}},
		{"given up", func(m Machine) string {
			var parts []string
			for _, g := range m.GivenUp {
				parts = append(parts, g.Text())
			}
			return strings.Join(parts, "; ")
		}},
	}
	var rows []htmlMachineRow
	for _, p := range props {
		row := htmlMachineRow{Name: p.name}
		seen := false
		for _, m := range r.Machines {
			v := p.get(m)
			seen = seen || v != ""
			if v == "" {
				v = "-"
			}
			row.Values = append(row.Values, v)
		}
		if seen {
			rows = append(rows, row)
		}
	}
	return rows
}

// inputLabel names input i by its machine where the two line up.
func (r *Report) inputLabel(i int) string {
	if len(r.Machines) == len(r.Inputs) {
		return r.Machines[i].Label
	}
	return r.Inputs[i].Dir
}

// profileLists are each run folder's profiles and traces, with the
// command that opens each, and its CPU profiles' breakdown: the lists
// ReadRunFolders made, so that nothing is read while the page is written.
func (r *Report) profileLists(dir string) []htmlProfiles {
	var out []htmlProfiles
	for i, ev := range r.Evidence {
		if len(ev.Profiles) == 0 {
			continue
		}
		p := htmlProfiles{Machine: r.inputLabel(i)}
		for _, f := range ev.Profiles {
			rel := relPath(dir, f)
			cmd := "go tool pprof -http=:0 " + shellWord(rel)
			if strings.HasSuffix(f, ".out") {
				cmd = "go tool trace " + shellWord(rel)
			}
			p.Files = append(p.Files, htmlProfile{Name: rel, Link: link(dir, f), Command: cmd})
		}
		if len(ev.Breakdown) > 0 {
			var b strings.Builder
			if err := profiles.WriteBreakdown(&b, ev.Breakdown); err == nil {
				p.Breakdown = b.String()
			}
			if ev.HasBreakdownFile {
				p.BreakdownName = relPath(dir, ev.Folder.BreakdownPath())
				p.BreakdownLink = link(dir, ev.Folder.BreakdownPath())
			}
		}
		out = append(out, p)
	}
	return out
}

// fileWhat says what a file of the report folder holds.
func fileWhat(name string) string {
	switch name {
	case runfiles.SummaryText:
		return "the tables and warnings, aligned for a terminal"
	case runfiles.SummaryMarkdown:
		return "the tables as GitHub Markdown, to paste into a post"
	case runfiles.SummaryCSV:
		return "a row per configuration, for spreadsheets"
	case runfiles.SummaryJSON:
		return "rows, fits and warnings, for programs"
	case runfiles.BenchstatText:
		return "go tool benchstat's tables"
	case runfiles.ArrivalBoundFile:
		return "the arrival schedule's lower bound against each configuration's time"
	}
	switch filepath.Ext(name) {
	case ".png", ".svg", ".pdf":
		return "chart"
	}
	return ""
}

// relPath is path as seen from dir, with forward slashes; path itself if
// it has no relative form.
func relPath(dir, path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	rel, err := filepath.Rel(dir, abs)
	if err != nil {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

// link is the relative URL of path from a page in dir: every byte that
// means something in a URL is escaped, so a file named "a#b" or "%41"
// is reached as itself.
func link(dir, path string) string {
	rel := relPath(dir, path)
	if filepath.IsAbs(filepath.FromSlash(rel)) {
		return (&url.URL{Scheme: "file", Path: rel}).String()
	}
	return (&url.URL{Path: rel}).String()
}

// shellWord quotes s for a POSIX shell where it needs quoting.
func shellWord(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n\"'\\$`()*?[]{}<>|&;#~!=%") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
