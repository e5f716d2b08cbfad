package cli

import (
	"bytes"
	"context"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/harness"
	"github.com/parbench/parbench/internal/longtest"
	"github.com/parbench/parbench/plots"
	"github.com/parbench/parbench/profiles"
	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/runfiles"
	"github.com/parbench/parbench/strategies"
)

var chartsDir = flag.String("charts", "", "keep the charts of the synthetic big-machine reports in this folder, to look at")

// TestSyntheticBigMachineReport builds the report of synthetic runs on
// machines parbench has not been run on, the plan make bench makes on
// 128 CPUs, the same with every registered strategy, and a sweep of every
// core count of 32 CPUs with every registered strategy and two made-up
// ones, and checks that every chart is drawn and decodes as a PNG of the
// expected size. Run with -charts DIR to look at them. Drawing about 80
// charts takes 2 s, and 40 s to 90 s a report under -race: make test-all
// runs them.
func TestSyntheticBigMachineReport(t *testing.T) {
	tests := []struct {
		name       string
		topo       harness.Topology
		cpu        string
		strategies []string
	}{
		{"make-bench-128", harness.Topology{CPUs: 128, Cores: 64}, "", strings.Split(makeBenchFlags(t)[1], ",")},
		{"all-32-every-strategy", harness.Topology{CPUs: 32, Cores: 16}, "all", append(strategies.Names(), "alpha", "beta")},
		{"registered-128", harness.Topology{CPUs: 128, Cores: 64}, "", strategies.Names()},
	}
	longtest.Skip(t, "the charts of three synthetic big-machine reports")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f runFlags
			fs := newRunFlagSet(new(bytes.Buffer), &f)
			if err := fs.Parse([]string{"-profile"}); err != nil {
				t.Fatal(err)
			}
			f.cpu = tt.cpu
			f.strategy = strings.Join(slices.DeleteFunc(slices.Clone(tt.strategies), func(s string) bool { return !strategies.Known(s) }), ",")
			c, err := parseRunConfigOn(f, tt.topo)
			if err != nil {
				t.Fatal(err)
			}
			c.Strategies = tt.strategies // the made-up ones are not registered
			dir := t.TempDir()
			if *chartsDir != "" {
				dir = filepath.Join(*chartsDir, tt.name)
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			writeSyntheticRun(t, dir, c)

			var stdout, stderr bytes.Buffer
			if err := writeReport(context.Background(), &stdout, &stderr, []report.Input{{Path: filepath.Join(dir, "bench.txt"), Dir: dir}}, dir, "", []plots.Format{plots.PNG}, false); err != nil {
				t.Fatalf("report: %v\n%s", err, stderr.String())
			}
			if strings.Contains(stderr.String(), "chart not drawn") {
				t.Errorf("charts missing:\n%s", stderr.String())
			}
			want := []string{"speedup.png", "efficiency.png", "time.png", "throughput.png"}
			for _, tr := range c.TimelineTrials() {
				want = append(want, runfiles.TimelineName(tr.Strategy, tr.Cores, tr.Workers, c.DefaultWorkers(tr))+".png")
			}
			for _, name := range want {
				checkPNG(t, filepath.Join(dir, name))
			}
			// The overhead chart of the default profiling pass, and of
			// one at every core count (-profile-cpu all).
			for name, trials := range map[string][]harness.Trial{"overhead": c.ProfileTrials(), "overhead-all": c.Trials()} {
				var bars []plots.Breakdown
				for _, tr := range trials {
					k := float64(tr.Cores)
					bars = append(bars, plots.Breakdown{Strategy: tr.Strategy, Cores: tr.Cores,
						Share: []float64{0.9 - 0.001*k, 0.02 + 0.0005*k, 0.01, 0.02, 0.01 + 0.0005*k, 0.01}})
				}
				var categories []string
				for _, c := range profiles.Categories() {
					categories = append(categories, c.Label())
				}
				fig, err := plots.Overhead(plots.Chart{Title: "Where the CPU time went"}, categories, bars)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				path := filepath.Join(dir, name+".png")
				var png bytes.Buffer
				if err := fig.Encode(&png, plots.PNG, plots.Options{}); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, png.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				checkPNG(t, path)
			}
			// The USL is fitted through enough core counts for every
			// strategy that scales.
			if !strings.Contains(stdout.String(), " usl ") {
				t.Errorf("no USL fit in the tables:\n%s", stdout.String())
			}
		})
	}
}

// writeSyntheticRun writes a bench.txt of c's shape with made-up times,
// and a timeline CSV for each configuration of its timeline pass.
func writeSyntheticRun(t *testing.T, dir string, c harness.Config) {
	t.Helper()
	header := append([][2]string{{"host", "synthetic"}, {"cpu", "Synthetic CPU @ 2.0GHz"}, {"cpus-online", "128"}}, c.WorkloadConfig()...)
	jobTime := 200 * time.Microsecond
	var b bytes.Buffer
	w := benchfmt.NewWriter(&b)
	for _, r := range syntheticResults(c, header, jobTime) {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bench.txt"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tr := range c.TimelineTrials() {
		s := syntheticTimeline(c.Workload, tr, jobTime)
		if err := harness.SaveTimeline(filepath.Join(dir, runfiles.TimelineName(tr.Strategy, tr.Cores, tr.Workers, c.DefaultWorkers(tr))+".csv"), s); err != nil {
			t.Fatal(err)
		}
	}
}

// checkPNG decodes a chart and checks its size (6.5 in wide at 200 dpi,
// at least 2 in high) and that it is not blank.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	bounds := img.Bounds()
	if bounds.Dx() != 1300 || bounds.Dy() < 400 {
		t.Errorf("%s: %v pixels, want 1300 wide and at least 400 high", filepath.Base(path), bounds.Size())
	}
	if colours(img) < 3 {
		t.Errorf("%s: blank", filepath.Base(path))
	}
}

func colours(img image.Image) int {
	var seen []uint32
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			v := r>>8<<16 | g>>8<<8 | bl>>8
			if !slices.Contains(seen, v) {
				seen = append(seen, v)
				if len(seen) > 10 {
					return len(seen)
				}
			}
		}
	}
	return len(seen)
}
