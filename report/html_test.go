package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/parbench/parbench/internal/golden"
	"github.com/parbench/parbench/runfiles"
)

// tinySVG stands in for a chart: what the page does with it does not
// depend on what it draws.
var tinySVG = []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10"/></svg>`)

func TestWriteHTMLGolden(t *testing.T) {
	tests := []struct {
		name string
		dir  string // where the page goes
		runs []string
	}{
		{"one-machine", "testdata/one-machine", []string{"one-machine"}},
		{"two-machines", "testdata", []string{"hostA", "hostB"}},
		{"own-faults", "testdata/own-faults", []string{"own-faults"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var inputs []Input
			for _, r := range tt.runs {
				dir := filepath.Join("testdata", r)
				inputs = append(inputs, Input{Path: filepath.Join(dir, runfiles.BenchFile), Dir: dir})
			}
			rep, err := Load(inputs, nil)
			if err != nil {
				t.Fatal(err)
			}
			page := HTMLPage{
				Dir: tt.dir,
				Charts: []Chart{
					{Name: "speedup", SVG: tinySVG},
					{Name: "cpu-speed", SVG: tinySVG},
					{Name: "timeline-pool-2", Config: "pool, 2 cores, 2 workers", SVG: tinySVG},
				},
				Benchstat: []byte("# title <b>\ngoos: linux\n"),
				Notes:     []string{"chart not drawn: overhead: <nothing>"},
				Files:     []string{"summary.txt", "summary.csv", "speedup.png", "speedup.svg", "timeline-pool-2.png"},
			}
			var b bytes.Buffer
			if err := rep.WriteHTML(&b, page); err != nil {
				t.Fatal(err)
			}
			checkSelfContained(t, b.String())
			golden.Check(t, filepath.Join("testdata", tt.name+".html.golden"), b.Bytes())
		})
	}
}

var (
	attrURL     = regexp.MustCompile(`\s(src|href)="([^"]*)"`)
	inlineStyle = regexp.MustCompile(`(?s)<style>(.*?)</style>`)
	inlineJS    = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
	policyMeta  = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="([^"]*)">`)
)

// checkSelfContained checks that page names nothing outside itself but
// relative links, and that its policy admits its own style and script.
func checkSelfContained(t *testing.T, page string) {
	t.Helper()
	for _, m := range attrURL.FindAllStringSubmatch(page, -1) {
		attr, u := m[1], m[2]
		switch {
		case attr == "src" && strings.HasPrefix(u, "data:"):
		case attr == "href" && (u == "data:," || strings.HasPrefix(u, "#")):
		case attr == "href" && !strings.Contains(u, ":") && !strings.HasPrefix(u, "//"):
		case attr == "href" && strings.HasPrefix(u, "./") && !strings.HasPrefix(u, ".//"):
		default:
			t.Errorf("%s=%q reaches outside the page", attr, u)
		}
	}
	if n := strings.Count(page, "<script"); n != 1 {
		t.Errorf("%d <script elements, want the page's own only", n)
	}
	policy := policyMeta.FindStringSubmatch(page)
	if policy == nil {
		t.Fatal("no Content-Security-Policy")
	}
	if !strings.Contains(policy[1], "default-src 'none'") {
		t.Errorf("policy %q does not start from nothing", policy[1])
	}
	for _, re := range []*regexp.Regexp{inlineStyle, inlineJS} {
		m := re.FindStringSubmatch(page)
		if m == nil {
			t.Errorf("no %s in the page", re)
			continue
		}
		sum := sha256.Sum256([]byte(m[1]))
		if h := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(policy[1], h) {
			t.Errorf("policy %q lacks %s, the hash of the page's own %s", policy[1], h, re)
		}
	}
}

func TestWriteHTMLEscapesStringsFromFiles(t *testing.T) {
	const (
		host     = `<script>alert("host")</script>`
		cpu      = `</td><img src=x onerror=alert(1)>`
		strategy = `<script>pool`
		note     = `<b onclick=alert(2)>note</b>`
		bench    = "</pre><script>alert(3)</script>"
	)
	cfg := map[string]string{"host": host, "cpu": cpu, "jobs": "100", "n": "1000"}
	rep, err := FromResults(results(cfg, map[string][]float64{
		"strategy=serial/workers=1":             spread(1, 6),
		"strategy=" + strategy + "/workers=2-2": spread(0.5, 6),
		"strategy=serial/workers=1-2":           spread(1, 6),
		"strategy=" + strategy + "/workers=1-1": spread(1, 6),
		"strategy=" + strategy + "/workers=4-4": spread(0.3, 6),
		"strategy=" + strategy + "/workers=3-3": spread(0.4, 6),
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	err = rep.WriteHTML(&b, HTMLPage{
		Dir:       t.TempDir(),
		Charts:    []Chart{{Name: "<x>", Config: strategy, SVG: []byte(`<svg onload="alert(4)"/>`)}},
		Benchstat: []byte(bench),
		Notes:     []string{note},
		Files:     []string{`a"b<c>.png`},
	})
	if err != nil {
		t.Fatal(err)
	}
	page := b.String()
	checkSelfContained(t, page)
	for _, raw := range []string{host, cpu, strategy, note, bench, "<x>", `a"b<c>`, "onload"} {
		if strings.Contains(page, raw) {
			t.Errorf("page holds %q unescaped", raw)
		}
	}
	for _, escaped := range []string{
		"&lt;script&gt;alert(&#34;host&#34;)&lt;/script&gt;",
		"&lt;/td&gt;&lt;img src=x onerror=alert(1)&gt;",
		"&lt;script&gt;pool",
		"&lt;b onclick=alert(2)&gt;note&lt;/b&gt;",
		"&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;",
	} {
		if !strings.Contains(page, escaped) {
			t.Errorf("page lacks %q: the string is not shown as text", escaped)
		}
	}
}

func TestWriteHTMLProfiles(t *testing.T) {
	run := filepath.Join(t.TempDir(), "run 1")
	folder := runfiles.Folder{Dir: run}
	// A strategy name that is markup shows as text in the breakdown.
	writeCPUProfile(t, folder.ProfilePath(runfiles.ProfileCPU, "pool", 2, 2, true), 3, configLabels("<x>", 2, 2))
	for _, path := range []string{folder.MergedCPUProfilePath(), folder.ProfilePath(runfiles.ProfileTrace, "pool", 2, 2, true), folder.BreakdownPath()} {
		writeTestFile(t, path, []byte("not read while the page is written"))
	}
	rep, err := FromResults(results(machineConfig, map[string][]float64{
		"strategy=serial/workers=1": spread(1, 6), "strategy=pool/workers=2-2": spread(0.5, 6),
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	rep.Inputs = []Input{{Path: folder.BenchPath(), Dir: run}}
	rep.ReadRunFolders()
	// What the page shows was read: the files may go.
	if err := os.RemoveAll(run); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string // where the page goes
		want []string
	}{
		{"in the run folder", run, []string{
			"<code>cd &#39;" + run + "&#39;</code>",
			`<a href="profiles/cpu-pool-2.pprof">profiles/cpu-pool-2.pprof</a>`,
			"<code>go tool pprof -http=:0 profiles/cpu-pool-2.pprof</code>",
			"<code>go tool pprof -http=:0 profiles/cpu-merged.pprof</code>",
			"<code>go tool trace profiles/trace-pool-2.out</code>",
			"&lt;x&gt;           2        2        4   0.04   75.0%",
			`(<a href="profiles/breakdown.txt">profiles/breakdown.txt</a>)`,
			`<a href="bench.txt">bench.txt</a>`,
		}},
		{"beside it", filepath.Dir(run), []string{
			`<a href="run%201/profiles/cpu-pool-2.pprof">run 1/profiles/cpu-pool-2.pprof</a>`,
			"<code>go tool pprof -http=:0 &#39;run 1/profiles/cpu-pool-2.pprof&#39;</code>",
			`<a href="run%201/bench.txt">run 1/bench.txt</a>`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := rep.WriteHTML(&b, HTMLPage{Dir: tt.dir}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("page lacks %s", w)
				}
			}
			if t.Failed() {
				i := strings.Index(b.String(), `<section id="profiles">`)
				t.Logf("profiles section:\n%s", b.String()[max(i, 0):])
			}
		})
	}
}

func TestHTMLLink(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ path, want string }{
		{"bench.txt", "bench.txt"},
		{"run 1/bench.txt", "run%201/bench.txt"},
		{"a#b.txt", "a%23b.txt"},
		{"%41.png", "%2541.png"},
		{"a?b.png", "a%3Fb.png"},
		{"x:y.png", "./x:y.png"},
		{"../other/bench.txt", "../other/bench.txt"},
	}
	for _, tt := range tests {
		if got := link(dir, filepath.Join(dir, tt.path)); got != tt.want {
			t.Errorf("link(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
