package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/parbench/parbench/internal/longtest"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

var screenshotTo = flag.String("screenshot", "", "TestReportHTMLInBrowser: also save the first screen of report.html as this PNG (such as ../../docs/report-html.png)")

// The hostile strings the browser test writes into the run's bench.txt:
// a page that let them through as markup would run them (the CSP would
// stop the scripts, but the text would vanish, which the test sees).
const (
	hostileHost     = `<script>window.pwned="host"</script><img src=x onerror="window.pwned='img'">`
	hostileStrategy = `<script>pool`
	hostileCPU      = `</td></tr></table><script>window.pwned="cpu"</script>`
)

// needBrowser is the browser to drive, or the test is skipped with one
// line (failed, where PARBENCH_REQUIRE_BROWSER is set, as in CI).
func needBrowser(t *testing.T) string {
	t.Helper()
	longtest.Skip(t, "report.html in a headless browser")
	browser := findBrowser()
	if browser == "" {
		msg := "no Chromium or Chrome on PATH (apt-get install chromium, or set PARBENCH_CHROMIUM): report.html not checked in a browser"
		if os.Getenv("PARBENCH_REQUIRE_BROWSER") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return browser
}

// openInBrowser opens the page in a headless browser for the rest of the
// test, listening for what the page does.
func openInBrowser(t *testing.T, browser, page string) (context.Context, *browserEvents, string) {
	t.Helper()
	pageURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(page)}).String()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.WindowSize(1280, 1600))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to sandbox as root
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	ctx, cancel = chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancel)
	events := &browserEvents{}
	ctx, cancel = chromedp.NewContext(ctx, chromedp.WithListener(events.listen))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate(pageURL)); err != nil {
		t.Fatalf("opening %s in %s: %v", pageURL, browser, err)
	}
	return ctx, events, pageURL
}

// checkQuietPage checks that the page made no request but its own load and
// logged no error.
func checkQuietPage(t *testing.T, ctx context.Context, events *browserEvents, pageURL string) {
	t.Helper()
	// The listener must see a console error for its silence to mean
	// anything: log one, wait for it, and leave it out of the check.
	const probe = "parbench-listener-probe"
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`console.error("`+probe+`"), true`)); err != nil {
		t.Fatal(err)
	}
	var requests, errs []string
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		requests, errs = events.snapshot()
		if slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, probe) }) || time.Now().After(deadline) {
			break
		}
	}
	t.Run("no requests and no errors", func(t *testing.T) {
		n := len(errs)
		errs = slices.DeleteFunc(errs, func(e string) bool { return strings.Contains(e, probe) })
		if n == len(errs) {
			t.Errorf("the probe console.error was not seen among %q: the console listener does not work", errs)
		}
		if !slices.Contains(requests, pageURL) {
			t.Errorf("the page's own load of %s was not seen among %q: the request listener does not work", pageURL, requests)
		}
		for _, r := range requests {
			if r != pageURL && !strings.HasPrefix(r, "data:") {
				t.Errorf("the page requested %s", r)
			}
		}
		for _, e := range errs {
			t.Errorf("browser reported: %s", e)
		}
	})
}

// findBrowser is the Chromium or Chrome to drive: $PARBENCH_CHROMIUM, or
// the first of the usual names on PATH.
func findBrowser() string {
	if p := os.Getenv("PARBENCH_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserEvents collects what the page did that it should not: requests
// other than its own file, console errors, exceptions and error log
// entries (where Chromium reports CSP violations and failed loads).
type browserEvents struct {
	mu       sync.Mutex
	requests []string
	errors   []string
}

func (e *browserEvents) listen(ev any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		e.requests = append(e.requests, ev.Request.URL)
	case *cdpruntime.EventConsoleAPICalled:
		if ev.Type == cdpruntime.ConsoleAPICalledTypeError || ev.Type == cdpruntime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			e.errors = append(e.errors, "console."+string(ev.Type)+": "+strings.Join(args, " "))
		}
	case *cdpruntime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		e.errors = append(e.errors, fmt.Sprintf("exception at %d:%d: %s", d.LineNumber+1, d.ColumnNumber+1, msg))
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			e.errors = append(e.errors, fmt.Sprintf("log (%s): %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
		}
	}
}

func (e *browserEvents) snapshot() (requests, errors []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.requests), slices.Clone(e.errors)
}

// pageFacts is what the test reads from the rendered page.
type pageFacts struct {
	Charts []struct {
		Name          string
		Width, Height float64
		Natural       float64
	}
	Rows         [][]string
	Head         []string
	MachineHeads []string
	CPUCells     []string
	Scripts      int
	Images       int
	Pwned        string
	WarningItems int
	Details      int // folded timelines
	Estimators   int // folded tables of every estimator
}

const readPage = `(async () => {
  document.querySelectorAll("details").forEach(d => d.open = true);
  await Promise.all([...document.images].map(i => i.decode().catch(() => {})));
  const text = el => el.textContent.trim();
  return {
    Charts: [...document.querySelectorAll("img.chart")].map(i => {
      const r = i.getBoundingClientRect();
      return {Name: i.alt, Width: r.width, Height: r.height, Natural: i.naturalWidth};
    }),
    Head: [...document.querySelectorAll("table.summary thead th")].map(text),
    Rows: [...document.querySelectorAll("table.summary tbody tr")].map(tr => [...tr.cells].map(text)),
    MachineHeads: [...document.querySelectorAll("table.machines thead th")].map(text),
    CPUCells: [...document.querySelectorAll("table.machines tbody tr")].filter(tr => text(tr.cells[0]) === "CPU").flatMap(tr => [...tr.cells].slice(1).map(text)),
    Scripts: document.scripts.length,
    Images: document.images.length,
    Pwned: String(window.pwned || ""),
    WarningItems: document.querySelectorAll("#warnings li").length,
    Details: document.querySelectorAll('details[id^="chart-"]').length,
    Estimators: document.querySelectorAll('details[id$="estimators"]').length,
  };
})()`

// TestReportHTMLInBrowser makes a tiny real run, puts hostile names into
// its results, writes its report and opens report.html in headless
// Chromium: every chart is drawn at a size above zero, the table has a
// row per configuration, the page makes no request and logs no error,
// the hostile names are shown as text, and the table sorts. It saves
// screenshots in the test's artifact folder (go test -artifacts keeps
// them) and, with -screenshot FILE, the first screen there.
func TestReportHTMLInBrowser(t *testing.T) {
	browser := needBrowser(t)
	start := time.Now()

	cores := []int{1}
	if runtime.NumCPU() >= 2 {
		cores = append(cores, 2)
	}
	var cpuList []string
	for _, c := range cores {
		cpuList = append(cpuList, strconv.Itoa(c))
	}
	root := t.TempDir()
	status, _, stderr := runParbench(t, "run", "-jobs", "16", "-n", "1000", "-count", "2", "-warmup", "0",
		"-cpu", strings.Join(cpuList, ","), "-strategy", "serial,pool", "-profile", "-profiletime", "100ms",
		"-report=false", "-o", root)
	if status != 0 {
		t.Fatalf("parbench run: exit status %d, stderr:\n%s", status, stderr)
	}
	run, err := filepath.EvalSymlinks(filepath.Join(root, "latest"))
	if err != nil {
		t.Fatal(err)
	}
	bench := filepath.Join(run, runfiles.BenchFile)
	data, err := os.ReadFile(bench)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(l, "host:"):
			l = "host: " + hostileHost
		case strings.HasPrefix(l, "cpu:"):
			l = "cpu: " + hostileCPU
		}
		lines = append(lines, strings.ReplaceAll(l, "/strategy=pool/", "/strategy="+hostileStrategy+"/"))
	}
	if err := os.WriteFile(bench, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"report"}
	if testing.Short() {
		args = append(args, "-benchstat", "")
	}
	if status, _, stderr := runParbench(t, append(args, run)...); status != 0 {
		t.Fatalf("parbench report: exit status %d, stderr:\n%s", status, stderr)
	}
	pngs, _ := filepath.Glob(filepath.Join(run, "*.png"))
	timelines, _ := filepath.Glob(filepath.Join(run, "timeline-*.png"))
	if len(pngs) == 0 {
		t.Fatal("the report drew no chart")
	}
	t.Logf("run and report took %v", time.Since(start).Round(time.Millisecond))

	browserStart := time.Now()
	ctx, events, pageURL := openInBrowser(t, browser, filepath.Join(run, runfiles.ReportHTML))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	full, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.ArtifactDir()
	for name, b := range map[string][]byte{"report-html.png": shot, "report-html-full.png": full} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Error(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	if *screenshotTo != "" {
		if err := os.WriteFile(*screenshotTo, shot, 0o644); err != nil {
			t.Error(err)
		}
	}

	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](readPage, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var facts pageFacts
	if err := json.Unmarshal(raw, &facts); err != nil {
		t.Fatalf("%v in %s", err, raw)
	}

	t.Run("charts", func(t *testing.T) {
		if len(facts.Charts) != len(pngs) {
			t.Errorf("%d charts on the page, want %d (the PNGs the report wrote)", len(facts.Charts), len(pngs))
		}
		if facts.Details != len(timelines) {
			t.Errorf("%d folded timelines, want one per timeline (%d)", facts.Details, len(timelines))
		}
		if facts.Estimators != 1 {
			t.Errorf("%d folded tables of every estimator, want one for the run's machine", facts.Estimators)
		}
		for _, c := range facts.Charts {
			if !(c.Width > 0 && c.Height > 0 && c.Natural > 0) {
				t.Errorf("chart %q drawn at %v x %v (image width %v), want a size above zero", c.Name, c.Width, c.Height, c.Natural)
			}
		}
		if facts.Images != len(facts.Charts) {
			t.Errorf("%d images on the page, %d of them charts", facts.Images, len(facts.Charts))
		}
	})

	t.Run("a row per configuration", func(t *testing.T) {
		col := func(name string) int {
			i := slices.Index(facts.Head, name)
			if i < 0 {
				t.Fatalf("no %q column in %q", name, facts.Head)
			}
			return i
		}
		s, c, w := col("strategy"), col("cores"), col("workers")
		var got, want []string
		for _, r := range facts.Rows {
			got = append(got, r[s]+"/"+r[c]+"/"+r[w])
		}
		for _, st := range []string{"serial", hostileStrategy} {
			for _, k := range cores {
				workers := k
				if strategies.IgnoresWorkers(strings.TrimPrefix(st, "<script>")) {
					workers = 1
				}
				want = append(want, fmt.Sprintf("%s/%d/%d", st, k, workers))
			}
		}
		for _, k := range cores {
			want = append(want, fmt.Sprintf("ceiling/%d/%d", k, k)) // the machine's ceiling, measured by default
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("table rows (strategy/cores/workers) %q, want %q", got, want)
		}
	})

	t.Run("hostile names shown as text", func(t *testing.T) {
		if facts.Pwned != "" {
			t.Errorf("a hostile string ran: window.pwned = %q", facts.Pwned)
		}
		if facts.Scripts != 1 {
			t.Errorf("%d script elements, want only the page's own", facts.Scripts)
		}
		if !slices.Contains(facts.MachineHeads, hostileHost) {
			t.Errorf("machine headings %q lack the host name as text %q", facts.MachineHeads, hostileHost)
		}
		if !slices.Equal(facts.CPUCells, []string{hostileCPU}) {
			t.Errorf("CPU cells %q, want the CPU model as text %q", facts.CPUCells, hostileCPU)
		}
	})

	t.Run("warnings at the top", func(t *testing.T) {
		if facts.WarningItems == 0 {
			t.Error("no warnings shown; a two-sample run on a busy test machine has at least the few-samples one")
		}
	})

	t.Run("sorts", func(t *testing.T) {
		// The medians of summary.json say which order is right, so the
		// check does not read the SI prefixes the way the script does.
		var summary struct {
			Rows []struct {
				Strategy string
				Cores    int
				Median   float64 `json:"median_s"`
			}
		}
		b, err := os.ReadFile(filepath.Join(run, runfiles.SummaryJSON))
		if err == nil {
			err = json.Unmarshal(b, &summary)
		}
		if err != nil {
			t.Fatal(err)
		}
		median := map[string]float64{}
		for _, r := range summary.Rows {
			median[fmt.Sprintf("%s/%d", r.Strategy, r.Cores)] = r.Median
		}
		s, c := slices.Index(facts.Head, "strategy"), slices.Index(facts.Head, "cores")
		tests := []struct {
			column string
			value  func(key string) float64
		}{
			{"cores", func(key string) float64 {
				n, _ := strconv.Atoi(key[strings.LastIndex(key, "/")+1:])
				return float64(n)
			}},
			{"time/batch", func(key string) float64 { return median[key] }},
		}
		keys := []struct {
			cell string
			want any // nil: no figure, sorts last
		}{
			{"14.04µs", 1.404e-5}, {"183.5ms", 0.1835}, {"2.5s", 2.5}, {"950ns", 9.5e-7},
			{"1.140M", 1.14e6}, {"696.8k", 696.8e3}, {"5.90k", 5900.0}, {"±12%", 12.0}, {"96%", 96.0},
			{"[1.64, 2.32]", 1.64}, {"1.00", 1.0}, {"-", nil}, {"", nil}, {"pool", nil},
		}
		for _, k := range keys {
			got, err := chromedp.Run(ctx, chromedp.Evaluate[any](fmt.Sprintf(`window.parbenchSortKey(%q, true)`, k.cell)))
			if err != nil {
				t.Fatal(err)
			}
			if w, ok := k.want.(float64); ok {
				if g, ok := got.(float64); !ok || math.Abs(g-w) > 1e-9*math.Abs(w) {
					t.Errorf("sort key of %q = %v, want %v", k.cell, got, w)
				}
			} else if got != nil {
				t.Errorf("sort key of %q = %v, want none", k.cell, got)
			}
		}
		for _, tt := range tests {
			click := fmt.Sprintf(`document.querySelectorAll("table.summary thead th")[%d].querySelector("button").click(), true`,
				slices.Index(facts.Head, tt.column))
			for _, dir := range []float64{1, -1} { // ascending, then descending
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](click)); err != nil {
					t.Fatal(err)
				}
				keys, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
					`[...document.querySelectorAll("table.summary tbody tr")].map(tr => tr.cells[%d].textContent.trim() + "/" + tr.cells[%d].textContent.trim())`, s, c)))
				if err != nil {
					t.Fatal(err)
				}
				for i := 1; i < len(keys); i++ {
					// A 0.1% tie is the same figure on the page.
					if a, b := tt.value(keys[i-1]), tt.value(keys[i]); dir*(b-a) < -0.001*max(a, b) {
						t.Errorf("by %s (direction %v): %v", tt.column, dir, keys)
						break
					}
				}
			}
		}
	})

	checkQuietPage(t, ctx, events, pageURL)
	t.Logf("browser checks took %v", time.Since(browserStart).Round(time.Millisecond))
}

// twoWorkloadFacts is what the two-workload test reads from the page.
type twoWorkloadFacts struct {
	Charts []struct {
		Name          string
		Width, Height float64
	}
	AcrossHead []string
	Across     [][]string
	// Sections: each workload section's heading and summary rows
	// (strategy/cores/workers), in page order.
	Sections []struct {
		Label string
		Rows  []string
	}
	BrokenLinks []string
	IDs         int
	UniqueIDs   int
}

const readTwoWorkloads = `(async () => {
  document.querySelectorAll("details").forEach(d => d.open = true);
  await Promise.all([...document.images].map(i => i.decode().catch(() => {})));
  const text = el => el.textContent.trim();
  const ids = [...document.querySelectorAll("[id]")].map(e => e.id);
  return {
    Charts: [...document.querySelectorAll("img.chart")].map(i => {
      const r = i.getBoundingClientRect();
      return {Name: i.alt, Width: r.width, Height: r.height};
    }),
    AcrossHead: [...document.querySelectorAll("table.across thead th")].map(text),
    Across: [...document.querySelectorAll("table.across tbody tr")].map(tr => [...tr.cells].map(text)),
    Sections: [...document.querySelectorAll("section.workload")].map(s => {
      const head = [...s.querySelectorAll("table.summary thead th")].map(text);
      const col = name => head.indexOf(name);
      return {
        Label: text(s.querySelector("h2.workload")),
        Rows: [...s.querySelectorAll("table.summary tbody tr")].map(tr =>
          [col("strategy"), col("cores"), col("workers")].map(i => text(tr.cells[i])).join("/")),
      };
    }),
    BrokenLinks: [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute("href").slice(1)).filter(id => !document.getElementById(id)),
    IDs: ids.length,
    UniqueIDs: new Set(ids).size,
  };
})()`

// TestReportHTMLTwoWorkloadsInBrowser opens the report of runs of two
// workloads in headless Chromium: every chart drawn, the across table
// with a row per strategy and workload, a section per workload whose
// summary has exactly that workload's rows (as summary.json says), every
// in-page link reaching its target, the across table sorting on its own,
// and no request or error.
func TestReportHTMLTwoWorkloadsInBrowser(t *testing.T) {
	browser := needBrowser(t)
	results := filepath.Join(t.TempDir(), "results")
	a, other, b := copyRun(t, results, "hostA"), copyRun(t, results, "other-workload"), copyRun(t, results, "hostB")
	out := filepath.Join(results, "both")
	if status, _, stderr := runParbench(t, "report", "-benchstat", "", "-o", out, a, other, b); status != 0 {
		t.Fatalf("parbench report: exit status %d, stderr:\n%s", status, stderr)
	}
	pngs, _ := filepath.Glob(filepath.Join(out, "*.png"))
	var summary struct {
		Workloads []struct {
			Label string
			Rows  []struct {
				Machine, Strategy string
				Cores, Workers    int
			}
		}
	}
	data, err := os.ReadFile(filepath.Join(out, runfiles.SummaryJSON))
	if err == nil {
		err = json.Unmarshal(data, &summary)
	}
	if err != nil {
		t.Fatal(err)
	}

	ctx, events, pageURL := openInBrowser(t, browser, filepath.Join(out, runfiles.ReportHTML))
	full, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), "report-two-workloads.png"), full, 0o644); err != nil {
		t.Error(err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](readTwoWorkloads, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var facts twoWorkloadFacts
	if err := json.Unmarshal(raw, &facts); err != nil {
		t.Fatalf("%v in %s", err, raw)
	}

	t.Run("charts", func(t *testing.T) {
		if len(pngs) == 0 || len(facts.Charts) != len(pngs) {
			t.Errorf("%d charts on the page, want %d (the PNGs the report wrote)", len(facts.Charts), len(pngs))
		}
		for _, c := range facts.Charts {
			if !(c.Width > 0 && c.Height > 0) {
				t.Errorf("chart %q drawn at %v x %v, want a size above zero", c.Name, c.Width, c.Height)
			}
		}
	})
	t.Run("a section per workload with its own rows", func(t *testing.T) {
		if len(facts.Sections) != len(summary.Workloads) || len(summary.Workloads) != 2 {
			t.Fatalf("%d sections on the page, %d workloads in summary.json, want 2 of each", len(facts.Sections), len(summary.Workloads))
		}
		for i, w := range summary.Workloads {
			var want []string
			for _, r := range w.Rows {
				want = append(want, fmt.Sprintf("%s/%d/%d", r.Strategy, r.Cores, r.Workers))
			}
			got := facts.Sections[i].Rows
			slices.Sort(got)
			slices.Sort(want)
			if facts.Sections[i].Label != w.Label || !slices.Equal(got, want) {
				t.Errorf("section %d: %q with rows %q, want %q with %q", i, facts.Sections[i].Label, got, w.Label, want)
			}
		}
	})
	t.Run("the across table", func(t *testing.T) {
		want := map[string]bool{}
		for _, w := range summary.Workloads {
			for _, r := range w.Rows {
				if r.Strategy != report.CeilingStrategy {
					want[r.Machine+"/"+r.Strategy+"/"+w.Label] = true
				}
			}
		}
		m, s, wl := slices.Index(facts.AcrossHead, "machine"), slices.Index(facts.AcrossHead, "strategy"), slices.Index(facts.AcrossHead, "workload")
		if m < 0 || s < 0 || wl < 0 {
			t.Fatalf("across table head %q lacks machine, strategy or workload", facts.AcrossHead)
		}
		got := map[string]bool{}
		for _, r := range facts.Across {
			got[r[m]+"/"+r[s]+"/"+r[wl]] = true
		}
		if len(facts.Across) != len(want) || !maps.Equal(got, want) {
			t.Errorf("across rows %v, want one per machine, strategy and workload: %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
	})
	t.Run("links and ids", func(t *testing.T) {
		if len(facts.BrokenLinks) > 0 {
			t.Errorf("in-page links to no element: %q", facts.BrokenLinks)
		}
		if facts.IDs != facts.UniqueIDs {
			t.Errorf("%d ids, %d distinct", facts.IDs, facts.UniqueIDs)
		}
	})
	t.Run("sorting one table leaves the others", func(t *testing.T) {
		col := slices.Index(facts.AcrossHead, "per job")
		rows := `[...document.querySelectorAll("table.summary tbody tr")].map(tr => tr.textContent)`
		before, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](rows))
		if err != nil {
			t.Fatal(err)
		}
		click := fmt.Sprintf(`document.querySelectorAll("table.across thead th")[%d].querySelector("button").click(), true`, col)
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](click)); err != nil {
			t.Fatal(err)
		}
		keys, err := chromedp.Run(ctx, chromedp.Evaluate[[]any](fmt.Sprintf(
			`[...document.querySelectorAll("table.across tbody tr")].map(tr => window.parbenchSortKey(tr.cells[%d].textContent, true))`, col)))
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range keys {
			if _, ok := k.(float64); !ok {
				t.Fatalf("sort key %d of the per job column is %v, want a number: %v", i, k, keys)
			}
		}
		for i := 1; i < len(keys); i++ {
			if a, b := keys[i-1].(float64), keys[i].(float64); b < a {
				t.Errorf("across table by per job, ascending: %v", keys)
				break
			}
		}
		after, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](rows))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(before, after) {
			t.Error("sorting the across table reordered the summary tables")
		}
	})
	checkQuietPage(t, ctx, events, pageURL)
}
