package plots

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// -out writes every chart the render tests draw to a folder, to look at.
var outDir = flag.String("out", "", "write rendered charts to this folder")

// amdahl is speedup under Amdahl's law with parallel fraction p.
func amdahl(p float64) func(float64) float64 {
	return func(n float64) float64 { return 1 / ((1 - p) + p/n) }
}

// usl is speedup under the Universal Scalability Law.
func usl(sigma, kappa float64) func(float64) float64 {
	return func(n float64) float64 { return n / (1 + sigma*(n-1) + kappa*n*(n-1)) }
}

// sampleSpeedup makes series that follow f at the given cores, with an
// interval of ±spread relative to the value, rounded to keep golden files
// short.
func sampleSpeedup(strategy, machine string, cores []float64, f func(float64) float64, spread float64) Series {
	s := Series{Strategy: strategy, Machine: machine, Fit: f}
	for _, c := range cores {
		y := round3(f(c))
		s.Points = append(s.Points, Point{X: c, Y: y, Low: round3(y * (1 - spread)), High: round3(y * (1 + spread))})
	}
	return s
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

var (
	cores8   = []float64{1, 2, 3, 4, 6, 8}
	cores128 = []float64{1, 2, 4, 8, 16, 32, 64, 128}
)

// oneMachine is five strategies on an 8-core machine.
func oneMachine() []Series {
	serial := sampleSpeedup("serial", "", cores8, func(float64) float64 { return 1 }, 0.01)
	serial.Fit = nil
	pool := sampleSpeedup("pool", "", cores8, usl(0.02, 0.001), 0.03)
	pool.FitLabel = "USL σ=0.02 κ=0.001"
	perjob := sampleSpeedup("perjob", "", cores8, amdahl(0.9), 0.05)
	perjob.FitLabel = "Amdahl p=0.9"
	unbounded := sampleSpeedup("perjob-unbounded", "", cores8, amdahl(0.8), 0.08)
	unbounded.Fit = nil
	procpool := sampleSpeedup("procpool", "", cores8, usl(0.05, 0.004), 0.04)
	procpool.FitLabel = "USL σ=0.05 κ=0.004"
	return []Series{procpool, unbounded, perjob, pool, serial}
}

// bigMachine is three strategies on 128 cores.
func bigMachine() []Series {
	pool := sampleSpeedup("pool", "", cores128, usl(0.01, 0.00005), 0.03)
	pool.FitLabel = "USL σ=0.01 κ=5e-05"
	perjob := sampleSpeedup("perjob", "", cores128, amdahl(0.97), 0.05)
	perjob.FitLabel = "Amdahl p=0.97"
	procpool := sampleSpeedup("procpool", "", cores128, usl(0.03, 0.0002), 0.04)
	procpool.FitLabel = "USL σ=0.03 κ=0.0002"
	return []Series{pool, perjob, procpool}
}

// twoMachines overlays a laptop and a server.
func twoMachines() []Series {
	return []Series{
		sampleSpeedup("pool", "laptop", cores8, usl(0.03, 0.002), 0.03),
		sampleSpeedup("perjob", "laptop", cores8, amdahl(0.85), 0.05),
		sampleSpeedup("pool", "server", []float64{1, 2, 4, 8, 16}, usl(0.01, 0.0005), 0.02),
		sampleSpeedup("perjob", "server", []float64{1, 2, 4, 8, 16}, amdahl(0.93), 0.04),
	}
}

// timesFrom turns speedup series into batch times in seconds for a serial
// time of t1.
func timesFrom(s []Series, t1 float64) []Series {
	out := make([]Series, len(s))
	for i, x := range s {
		x.Fit, x.FitLabel = nil, ""
		pts := make([]Point, len(x.Points))
		for j, p := range x.Points {
			pts[j] = Point{X: p.X, Y: t1 / p.Y, Low: t1 / p.High, High: t1 / p.Low}
		}
		x.Points = pts
		out[i] = x
	}
	return out
}

// throughputFrom turns speedup series into jobs/s for a serial rate r1.
func throughputFrom(s []Series, r1 float64) []Series {
	out := make([]Series, len(s))
	for i, x := range s {
		pts := make([]Point, len(x.Points))
		for j, p := range x.Points {
			pts[j] = Point{X: p.X, Y: r1 * p.Y, Low: r1 * p.Low, High: r1 * p.High}
		}
		x.Points = pts
		if f := x.Fit; f != nil {
			x.Fit = func(n float64) float64 { return r1 * f(n) }
		}
		out[i] = x
	}
	return out
}

var chart = Chart{
	Title:   "XOR-sum: 64 jobs × 2·10⁷ iterations, no sleep",
	Caption: "AMD Ryzen 7 5800X 8-Core Processor, 8 CPUs · linux/amd64 · go1.26.8 · cores enforced by affinity mask",
}

var chart128 = Chart{
	Title:   "XOR-sum: 1024 jobs × 10⁷ iterations",
	Caption: "AMD EPYC 7763 64-Core Processor, 128 CPUs (2 threads per core) · linux/amd64 · go1.26.8",
}

// poolSpans is a pool of workers taking jobs of uneven length from a
// queue, with a fixed dispatch gap and one straggler.
func poolSpans(jobs, workers int, dispatch, work time.Duration) []Span {
	free := make([]time.Duration, workers)
	var spans []Span
	for j := range jobs {
		w := 0
		for i := range free {
			if free[i] < free[w] {
				w = i
			}
		}
		d := work + time.Duration(j%7)*work/10
		if j == jobs/2 {
			d = 6 * work // straggler
		}
		start := free[w] + dispatch
		spans = append(spans, Span{Worker: w, Job: int64(j), Start: start, End: start + d})
		free[w] = start + d
	}
	return spans
}

// unboundedSpans is one goroutine per job (worker = job id), released every
// gap, each taking d.
func unboundedSpans(jobs int, gap, d time.Duration) []Span {
	spans := make([]Span, jobs)
	for j := range spans {
		start := time.Duration(j) * gap
		spans[j] = Span{Worker: j, Job: int64(j), Start: start, End: start + d + time.Duration(j%5)*d/20}
	}
	return spans
}

// save writes a figure to -out when it is set.
func save(t *testing.T, f *Figure, name string) {
	t.Helper()
	if *outDir == "" {
		return
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	format, err := ParseFormat(filepath.Ext(name))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Encode(&b, format, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*outDir, name), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sampleCategories are the overhead categories as cmd/parbench hands them
// over from profiles, bottom up; the constants index them.
var sampleCategories = []string{"kernel", "scheduler", "channel/lock", "syscalls/pipe I/O", "GC", "other"}

const (
	catKernel = iota
	catScheduler
	catChannelLock
	catSyscalls
	catGC
	catOther
)

// sampleBreakdowns has overheads that grow with cores, more for the
// strategies that start goroutines or processes per job.
func sampleBreakdowns(cores []int, other bool) []Breakdown {
	base := map[string][]float64{
		"pool":             {0.010, 0.010, 0.020, 0.002, 0.004, 0},
		"perjob":           {0.015, 0.040, 0.010, 0.002, 0.010, 0},
		"perjob-unbounded": {0.020, 0.080, 0.010, 0.002, 0.030, 0},
		"procpool":         {0.050, 0.005, 0.002, 0.060, 0.002, 0},
	}
	var bs []Breakdown
	for _, name := range []string{"procpool", "pool", "perjob", "perjob-unbounded"} {
		for _, c := range cores {
			b := Breakdown{Strategy: name, Cores: c, Share: make([]float64, len(sampleCategories))}
			f := math.Log2(float64(c))/2 + 1
			sum := 0.0
			for cat, v := range base[name] {
				b.Share[cat] = round3(v * f)
				sum += b.Share[cat]
			}
			if other {
				b.Share[catOther] = round3(1 - sum)
			}
			bs = append(bs, b)
		}
	}
	return bs
}
