package plots

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"
)

// figures draws one of every kind of chart from the sample data.
func figures(t *testing.T) []struct {
	name string
	fig  *Figure
} {
	t.Helper()
	type build func() (*Figure, error)
	var out []struct {
		name string
		fig  *Figure
	}
	for _, b := range []struct {
		name  string
		build build
	}{
		{"speedup", func() (*Figure, error) { return Speedup(chart, oneMachine()) }},
		{"efficiency", func() (*Figure, error) { return Efficiency(chart, EfficiencyFromSpeedup(oneMachine())) }},
		{"throughput", func() (*Figure, error) { return Throughput(chart, throughputFrom(oneMachine(), 150)) }},
		{"time", func() (*Figure, error) { return Time(chart, timesFrom(oneMachine(), 0.42)) }},
		{"speedup-128", func() (*Figure, error) { return Speedup(chart128, bigMachine()) }},
		{"time-128", func() (*Figure, error) { return Time(chart128, timesFrom(bigMachine(), 3.1)) }},
		{"speedup-2machines", func() (*Figure, error) { return Speedup(chart, twoMachines()) }},
		{"timeline-pool-8", func() (*Figure, error) {
			return Timeline(chart, "pool", poolSpans(64, 8, 300*time.Microsecond, 5*time.Millisecond))
		}},
		{"timeline-pool-128", func() (*Figure, error) {
			return Timeline(chart128, "pool", poolSpans(1024, 128, 200*time.Microsecond, 5*time.Millisecond))
		}},
		{"timeline-perjob-unbounded-8", func() (*Figure, error) {
			return Timeline(chart, "perjob-unbounded", unboundedSpans(2000, 100*time.Microsecond, 3*time.Millisecond))
		}},
		{"overhead", func() (*Figure, error) {
			return Overhead(chart, sampleCategories, sampleBreakdowns([]int{1, 2, 4, 8}, false))
		}},
		{"cpu-speed", func() (*Figure, error) { return CPUSpeed(chart, sampleSpeeds(), 0.03) }},
		{"overhead-128", func() (*Figure, error) {
			return Overhead(chart128, sampleCategories, sampleBreakdowns([]int{1, 2, 4, 8, 16, 32, 64, 128}, true))
		}},
	} {
		f, err := b.build()
		if err != nil {
			t.Fatalf("%s: %v", b.name, err)
		}
		out = append(out, struct {
			name string
			fig  *Figure
		}{b.name, f})
	}
	return out
}

// testDPI keeps the render tests light; TestRenderOptions checks the
// default resolution.
const testDPI = 50

// TestRenderPNG draws every chart and decodes it back: the image has the
// figure's size at the DPI asked for and says so in a pHYs chunk. With
// -out DIR the charts are also written there, at the default DPI, to be
// looked at.
func TestRenderPNG(t *testing.T) {
	for _, f := range figures(t) {
		t.Run(f.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f.fig.Encode(&b, PNG, Options{DPI: testDPI}); err != nil {
				t.Fatal(err)
			}
			w, h := f.fig.Size()
			checkPNG(t, b.Bytes(), int(w/vg.Inch*testDPI+0.5), int(h/vg.Inch*testDPI+0.5), testDPI)
			save(t, f.fig, Filename(f.name, PNG))
		})
	}
}

func checkPNG(t *testing.T, data []byte, wantW, wantH, wantDPI int) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decoding PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != wantW || got.Y != wantH {
		t.Errorf("PNG is %dx%d, want %dx%d", got.X, got.Y, wantW, wantH)
	}
	ppm, unit, err := pngPHYs(data)
	if err != nil {
		t.Fatal(err)
	}
	if dpi := float64(ppm) * 0.0254; unit != 1 || dpi < float64(wantDPI)-0.5 || dpi > float64(wantDPI)+0.5 {
		t.Errorf("pHYs says %d per unit %d (%.1f DPI), want %d DPI in metres", ppm, unit, dpi, wantDPI)
	}
}

// pngPHYs walks the chunks of a PNG and returns its pHYs chunk's
// horizontal pixels per unit and the unit.
func pngPHYs(data []byte) (ppu uint32, unit byte, err error) {
	r := bytes.NewReader(data[8:])
	for {
		var hdr [8]byte
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return 0, 0, errors.New("PNG has no pHYs chunk")
		}
		n := binary.BigEndian.Uint32(hdr[:4])
		body := make([]byte, n+4) // and the CRC
		if _, err := io.ReadFull(r, body); err != nil {
			return 0, 0, err
		}
		if string(hdr[4:]) == "pHYs" {
			return binary.BigEndian.Uint32(body[:4]), body[8], nil
		}
	}
}

func TestRenderOptions(t *testing.T) {
	f, err := Speedup(chart, oneMachine())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		opt          Options
		wantW, wantH int
		wantDPI      int
	}{
		{"default: 6.5 x 4 in at 200 DPI", Options{}, 1300, 800, 200},
		{"100 DPI", Options{DPI: 100}, 650, 400, 100},
		{"3.25 in column at 150 DPI", Options{Width: 3.25 * vg.Inch, Height: 2.5 * vg.Inch, DPI: 150}, 488, 375, 150},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := f.Encode(&b, PNG, tc.opt); err != nil {
				t.Fatal(err)
			}
			checkPNG(t, b.Bytes(), tc.wantW, tc.wantH, tc.wantDPI)
		})
	}
}

func TestRenderSVG(t *testing.T) {
	for _, f := range figures(t) {
		for _, opt := range []Options{{}, {SelectableText: true}} {
			if opt.SelectableText && f.name != "speedup" {
				continue // one is enough: it is much larger
			}
			var b bytes.Buffer
			if err := f.fig.Encode(&b, SVG, opt); err != nil {
				t.Fatalf("%s: %v", f.name, err)
			}
			root, texts := parseSVG(t, b.Bytes())
			w, _ := f.fig.Size()
			if root.Name.Local != "svg" || attr(root, "width") != fmtNum(w.Points())+"pt" {
				t.Errorf("%s: root <%s width=%q>, want <svg width=%q>", f.name, root.Name.Local, attr(root, "width"), fmtNum(w.Points())+"pt")
			}
			if got, want := texts > 0, opt.SelectableText; got != want {
				t.Errorf("%s, %+v: has <text>: %v, want %v", f.name, opt, got, want)
			}
		}
	}
}

// parseSVG checks that data is well-formed XML and returns its root
// element and how many <text> elements it has.
func parseSVG(t *testing.T, data []byte) (root xml.StartElement, texts int) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return root, texts
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root.Name.Local == "" {
				root = se.Copy()
			}
			if se.Name.Local == "text" {
				texts++
			}
		}
	}
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestRenderPDF(t *testing.T) {
	for _, f := range figures(t)[:2] {
		var b bytes.Buffer
		if err := f.fig.Encode(&b, PDF, Options{}); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		data := b.String()
		if !strings.HasPrefix(data, "%PDF-") || !strings.HasSuffix(strings.TrimSpace(data), "%%EOF") {
			t.Errorf("%s: not a PDF: starts %q, ends %q", f.name, data[:min(8, len(data))], data[max(0, len(data)-8):])
		}
		// Text is drawn as outlines, so no font is needed or embedded.
		if strings.Contains(data, "/BaseFont") {
			t.Errorf("%s: PDF has a font; text should be outlines", f.name)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	f, err := Speedup(chart, oneMachine())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		format Format
		opt    Options
		want   string
	}{
		{"unknown format", "gif", Options{}, `unknown format "gif"`},
		{"negative DPI", PNG, Options{DPI: -1}, "invalid DPI -1"},
		{"huge DPI", PNG, Options{DPI: 1e6}, "invalid DPI 1000000"},
		{"zero height", PNG, Options{Width: vg.Inch}, "invalid size"},
		{"negative width", SVG, Options{Width: -vg.Inch, Height: vg.Inch}, "invalid size"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			err := f.Encode(&b, tc.format, tc.opt)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes with the error", b.Len())
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Format
		err  bool
	}{
		{"png", PNG, false}, {"SVG", SVG, false}, {".pdf", PDF, false}, {" png ", PNG, false},
		{"jpg", "", true}, {"", "", true},
	} {
		got, err := ParseFormat(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseFormat(%q): got %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestFilenames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Filename("speedup", PNG), "speedup.png"},
		{Filename("efficiency", PDF), "efficiency.pdf"},
		{Filename("timeline-perjob-unbounded-16", SVG), "timeline-perjob-unbounded-16.svg"},
		{Filename("../x/y", PNG), ".._x_y.png"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestRenderEdgeCases draws the smallest inputs each chart accepts.
func TestRenderEdgeCases(t *testing.T) {
	one := []Series{{Strategy: "serial", Points: []Point{{X: 1, Y: 1, Low: 1, High: 1}}}}
	zero := []Series{{Strategy: "pool", Points: []Point{{X: 1, Y: 0, Low: 0, High: 0}, {X: 2, Y: 0, Low: 0, High: 0}}}}
	for _, tc := range []struct {
		name  string
		build func() (*Figure, error)
	}{
		{"speedup, one point", func() (*Figure, error) { return Speedup(Chart{}, one) }},
		{"throughput, all zero", func() (*Figure, error) { return Throughput(Chart{}, zero) }},
		{"time, one point", func() (*Figure, error) { return Time(Chart{}, one) }},
		{"timeline, one instant job", func() (*Figure, error) { return Timeline(Chart{}, "serial", []Span{{}}) }},
		{"overhead, no overhead", func() (*Figure, error) {
			return Overhead(Chart{}, sampleCategories, []Breakdown{{Strategy: "pool", Cores: 1}})
		}},
		{"unknown strategy, long title and caption", func() (*Figure, error) {
			c := Chart{Title: strings.Repeat("a long workload description ", 8), Caption: strings.Repeat("machine details ", 30)}
			return Speedup(c, []Series{sampleSpeedup("my-own-strategy-with-a-long-name", "a-machine-with-a-long-name", cores8, amdahl(.9), 0.02)})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := f.Encode(&b, PNG, Options{DPI: testDPI}); err != nil {
				t.Fatal(err)
			}
			w, h := f.Size()
			checkPNG(t, b.Bytes(), int(w/vg.Inch*testDPI+0.5), int(h/vg.Inch*testDPI+0.5), testDPI)
			save(t, f, strings.ReplaceAll(tc.name, " ", "-")+".png")
		})
	}
}
