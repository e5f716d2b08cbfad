package report

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/perf/benchfmt"

	"github.com/parbench/parbench/internal/pairstat"
	"github.com/parbench/parbench/runfiles"
)

// The segmentation of the per-CPU speed meter into slow stretches.
//
// A CPU's speed at one of its readings is the rolling median of its rate
// (jobs per second, pinned and serial) over MeterWindow of its readings
// around it, in time order: the median of 7 tolerates 3 readings that a
// wave of a few milliseconds spoiled, and spans a few hundred
// milliseconds of a run whose pairs take tens. Its speed relative to the
// fastest is that over the reference at the same moment: the fastest
// CPU's rolling median at its reading nearest in time (on a machine of
// more than 4 CPUs, the median of the fastest quarter's, so that the
// largest of many noisy medians does not make every CPU look slow).
//
// The noise that this relative speed has on its own comes from the meter
// itself: how much one CPU's consecutive readings vary
// (pairstat.StepSpread, the 95% half-width of the ratio of neighbours,
// robust to the one or two steps where a CPU changes speed). Two rolling
// medians of MeterWindow readings each differ by less than
// StepSpread x sqrt(pi/(2 x MeterWindow)) 95% of the time (the median's
// standard error is sqrt(pi/2) sigma/sqrt(n)); Meter.Noise is that for
// the median CPU's step spread, and never less than MinSlowdown.
//
// A reading is slow when the CPU's relative speed is below 1 - Noise.
// Slow readings separated by at most StretchGap others merge into one
// stretch, and a stretch must hold MinStretchReadings slow readings: a
// slowdown the report names lasted several pairs, not one spoiled
// batch.
const (
	MeterWindow        = 7
	MinSlowdown        = 0.03
	StretchGap         = 2
	MinStretchReadings = 5
)

// maxReferencePoints bounds the moments at which analyzeMeter works out
// the fastest CPU's speed.
const maxReferencePoints = 4096

// CheckCPUSpeed names the warning about a CPU slower than the others
// beyond the meter's noise.
const CheckCPUSpeed = "cpu-speed"

// meterReading is one line of the per-CPU speed meter.
type meterReading struct {
	cpu       int
	source    string // runfiles.CPUSpeedBaseline or CPUSpeedCalibration
	secPerJob float64
	elapsed   float64
	line      int
	paired    bool // a sample line followed its baseline group
}

// cpuTime is a CPU's time per job in one pair's baseline half.
type cpuTime struct {
	cpu       int
	secPerJob float64
}

// meterLog collects one machine's meter readings in the order read, and
// ties each group of baseline readings to the sample line after it.
type meterLog struct {
	readings   []meterReading
	pending    []int        // baseline readings since the last sample line
	pendingCPU map[int]bool // their CPUs
	pairs      int          // sample lines that claimed a group
}

// add notes a reading. A calibration reading, or a baseline reading of a
// CPU the pending group already has, ends a group that no sample line
// claimed: its pair was discarded.
func (l *meterLog) add(rd meterReading) {
	if rd.source != runfiles.CPUSpeedBaseline || l.pendingCPU[rd.cpu] {
		l.abandon()
	}
	if rd.source == runfiles.CPUSpeedBaseline {
		if l.pendingCPU == nil {
			l.pendingCPU = map[int]bool{}
		}
		l.pending = append(l.pending, len(l.readings))
		l.pendingCPU[rd.cpu] = true
	}
	l.readings = append(l.readings, rd)
}

// takePair gives the pending group to the sample line just read: its
// CPUs' times per job, and the elapsed time of its last reading (NaN for
// none).
func (l *meterLog) takePair() ([]cpuTime, float64) {
	var out []cpuTime
	elapsed := math.NaN()
	for _, i := range l.pending {
		rd := &l.readings[i]
		rd.paired = true
		out = append(out, cpuTime{rd.cpu, rd.secPerJob})
		if !(rd.elapsed <= elapsed) {
			elapsed = rd.elapsed
		}
	}
	if len(l.pending) > 0 {
		l.pairs++
	}
	l.abandon()
	return out, elapsed
}

// abandon drops the pending group: its pair failed, or was claimed.
func (l *meterLog) abandon() {
	l.pending = l.pending[:0]
	clear(l.pendingCPU)
}

// readMeter reads a BenchmarkCPUSpeed line.
func readMeter(r *benchfmt.Result) (meterReading, error) {
	rd := meterReading{cpu: -1, elapsed: math.NaN()}
	_, rd.line = r.Pos()
	_, parts := r.Name.Parts()
	for _, p := range parts {
		key, value, ok := strings.Cut(strings.TrimPrefix(string(p), "/"), "=")
		if !ok || !strings.HasPrefix(string(p), "/") {
			continue
		}
		switch key {
		case "source":
			rd.source = value
		case "cpu":
			c, err := strconv.Atoi(value)
			if err != nil || c < 0 || c > maxCPUID {
				return rd, fmt.Errorf("cpu=%s: want a CPU id", value)
			}
			rd.cpu = c
		}
	}
	switch {
	case rd.cpu < 0:
		return rd, fmt.Errorf("no cpu= in the name")
	case rd.source != runfiles.CPUSpeedBaseline && rd.source != runfiles.CPUSpeedCalibration:
		return rd, fmt.Errorf("source=%s: want %s or %s", rd.source, runfiles.CPUSpeedBaseline, runfiles.CPUSpeedCalibration)
	}
	secs, ok := r.Value("sec/op")
	if ns, isNS := r.Value("ns/op"); !ok && isNS {
		secs, ok = ns/1e9, true
	}
	if !ok || !(secs > 0) || secs > MaxBatchSeconds {
		return rd, fmt.Errorf("time per job %v s: want a positive number of at most %v s", secs, float64(MaxBatchSeconds))
	}
	rd.secPerJob = secs
	el, ok := r.Value(runfiles.ElapsedUnit)
	if !ok || !(el >= 0) || math.IsInf(el, 0) {
		return rd, fmt.Errorf("%s %v: want the seconds since the sweep began", runfiles.ElapsedUnit, el)
	}
	rd.elapsed = el
	return rd, nil
}

// A Meter is one machine's per-CPU speed meter over its run: every CPU's
// speed relative to the fastest, and the stretches in which one was
// slower than the meter's noise allows.
type Meter struct {
	Machine string
	// Noise is how far below 1 a CPU's relative speed reads from the
	// meter's own noise (see MeterWindow); NaN when no CPU has enough
	// readings to tell.
	Noise float64
	// CPUs are the CPUs metered, by id.
	CPUs []CPUSpeed
	// Stretches are the slow stretches, by CPU and then time.
	Stretches []SlowStretch
	// Pairs is how many pairs carried meter lines.
	Pairs int
	// End is the elapsed seconds of the last reading.
	End float64
}

// A CPUSpeed is one CPU's record in the meter.
type CPUSpeed struct {
	CPU int
	// Readings counts its meter lines; Pairs those of pairs' baseline
	// halves.
	Readings, Pairs int
	// StepSpread is pairstat.StepSpread of its readings' times per job:
	// how much one reading differs from the next on its own.
	StepSpread float64
	// Elapsed and Relative are its speed relative to the fastest CPU's
	// at each of its readings, over the run's seconds.
	Elapsed, Relative []float64
	// Median and Min summarize Relative.
	Median, Min float64
	// Slow is set when it had a slow stretch, and SlowPairs is how many
	// of its pairs fell in them.
	Slow      bool
	SlowPairs int
}

// A SlowStretch is a stretch of a run in which one CPU ran slower than
// the fastest beyond the meter's noise.
type SlowStretch struct {
	CPU int
	// Fastest is the CPU it is compared with: the fastest over most of
	// the stretch.
	Fastest int
	// Speed is its median speed relative to the fastest over the stretch.
	Speed float64
	// From and To are the elapsed seconds of its first and last slow
	// reading; FromStart and ToEnd say there was no reading of the CPU
	// before or after it.
	From, To         float64
	FromStart, ToEnd bool
	// Pairs is how many pairs whose baseline half timed the CPU fell in
	// the stretch, of OfPairs in the run.
	Pairs, OfPairs int
}

// Text is the stretch as summary.txt states it: "CPU 0 ran at 0.37x CPU 1
// from 1m10s to the end (620 of 900 pairs)".
func (s SlowStretch) Text() string {
	from, to := "from "+fmtElapsed(s.From), "to "+fmtElapsed(s.To)
	if s.FromStart {
		from = "from the start"
	}
	if s.ToEnd {
		to = "to the end"
	}
	return fmt.Sprintf("CPU %d ran at %sx CPU %d %s %s (%d of %d pairs)", s.CPU, fmtRatio(s.Speed), s.Fastest, from, to, s.Pairs, s.OfPairs)
}

// fmtElapsed is a time into the run: "2.1s", "1m10s".
func fmtElapsed(secs float64) string {
	d := time.Duration(secs * float64(time.Second))
	if secs < 60 {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// analyzeMeter makes a machine's Meter from its log.
func analyzeMeter(machine string, log *meterLog) *Meter {
	readings := log.readings
	if len(readings) == 0 {
		return nil
	}
	m := &Meter{Machine: machine, Noise: math.NaN(), Pairs: log.pairs}
	byCPU := map[int][]meterReading{}
	for _, rd := range readings {
		byCPU[rd.cpu] = append(byCPU[rd.cpu], rd)
		m.End = math.Max(m.End, rd.elapsed)
	}
	ids := make([]int, 0, len(byCPU))
	for c := range byCPU {
		ids = append(ids, c)
	}
	slices.Sort(ids)

	type series struct {
		times, rates, median []float64
	}
	all := make([]series, len(ids))
	var steps []float64
	for i, c := range ids {
		rs := byCPU[c]
		slices.SortStableFunc(rs, func(a, b meterReading) int { return cmp.Compare(a.elapsed, b.elapsed) })
		s := series{}
		var perJob []float64
		for _, rd := range rs {
			s.times = append(s.times, rd.elapsed)
			s.rates = append(s.rates, 1/rd.secPerJob)
			perJob = append(perJob, rd.secPerJob)
		}
		s.median = rollingMedian(s.rates, MeterWindow)
		all[i] = s
		cs := CPUSpeed{CPU: c, Readings: len(rs), StepSpread: pairstat.StepSpread(perJob)}
		for _, rd := range rs {
			if rd.paired {
				cs.Pairs++
			}
		}
		if !math.IsNaN(cs.StepSpread) {
			steps = append(steps, cs.StepSpread)
		}
		m.CPUs = append(m.CPUs, cs)
	}
	if len(steps) > 0 {
		m.Noise = math.Max(MinSlowdown, sortedMedian(steps)*math.Sqrt(math.Pi/(2*MeterWindow)))
	}

	// The reference at time t: the fastest CPU's rolling median at its
	// reading nearest to t, or the median of the fastest quarter's. It
	// is worked out at every reading's time, or at maxReferencePoints of
	// them spread over the run when there are more, so that a machine of
	// many CPUs metered for long costs CPUs x points, not CPUs x readings.
	top := 1
	if len(ids) > 4 {
		top = (len(ids) + 3) / 4
	}
	vals := make([]float64, len(ids))
	order := make([]int, len(ids))
	best := make([]float64, top)
	var points []float64
	for _, rd := range readings {
		points = append(points, rd.elapsed)
	}
	slices.Sort(points)
	points = slices.Compact(points)
	if len(points) > maxReferencePoints {
		sub := make([]float64, maxReferencePoints)
		for i := range sub {
			sub[i] = points[i*(len(points)-1)/(maxReferencePoints-1)]
		}
		points = sub
	}
	refs, refCPUs := make([]float64, len(points)), make([]int, len(points))
	for i, t := range points {
		for j, s := range all {
			vals[j] = s.median[nearest(s.times, t)]
			order[j] = j
		}
		slices.SortFunc(order, func(a, b int) int { return cmp.Compare(vals[b], vals[a]) })
		for j := range top {
			best[j] = vals[order[j]]
		}
		refs[i], refCPUs[i] = sortedMedian(best), ids[order[0]]
	}
	reference := func(t float64) (float64, int) {
		i := nearest(points, t)
		return refs[i], refCPUs[i]
	}
	for i := range m.CPUs {
		cs := &m.CPUs[i]
		s := all[i]
		rs := byCPU[cs.CPU]
		fastest := make([]int, len(rs))
		for j, t := range s.times {
			ref, f := reference(t)
			cs.Elapsed = append(cs.Elapsed, t)
			cs.Relative = append(cs.Relative, s.median[j]/ref)
			fastest[j] = f
		}
		cs.Median, cs.Min = sortedMedian(cs.Relative), slices.Min(cs.Relative)
		if math.IsNaN(m.Noise) {
			continue
		}
		slow := make([]bool, len(rs))
		for j, v := range cs.Relative {
			slow[j] = v < 1-m.Noise
		}
		for _, run := range slowRuns(slow) {
			st := SlowStretch{CPU: cs.CPU, From: s.times[run[0]], To: s.times[run[1]],
				FromStart: run[0] == 0, ToEnd: run[1] == len(rs)-1, OfPairs: cs.Pairs}
			st.Speed = sortedMedian(cs.Relative[run[0] : run[1]+1])
			counts := map[int]int{}
			for j := run[0]; j <= run[1]; j++ {
				counts[fastest[j]]++
				if rs[j].paired {
					st.Pairs++
				}
			}
			st.Fastest = -1
			for _, c := range ids {
				if st.Fastest < 0 || counts[c] > counts[st.Fastest] {
					st.Fastest = c
				}
			}
			cs.Slow = true
			cs.SlowPairs += st.Pairs
			m.Stretches = append(m.Stretches, st)
		}
	}
	return m
}

// nearest is the index of the value of sorted ts nearest to t.
func nearest(ts []float64, t float64) int {
	i, _ := slices.BinarySearch(ts, t)
	switch {
	case i == len(ts):
		return len(ts) - 1
	case i > 0 && t-ts[i-1] < ts[i]-t:
		return i - 1
	}
	return i
}

// rollingMedian is, for each value, the median of the w values around it
// (fewer only when there are fewer than w in all; at the ends the window
// stays w long and shifts inwards).
func rollingMedian(xs []float64, w int) []float64 {
	out := make([]float64, len(xs))
	buf := make([]float64, 0, w)
	for i := range xs {
		lo := max(0, min(i-w/2, len(xs)-w))
		hi := min(len(xs), lo+w)
		buf = append(buf[:0], xs[lo:hi]...)
		slices.Sort(buf)
		if n := len(buf); n%2 == 1 {
			out[i] = buf[n/2]
		} else {
			out[i] = (buf[n/2-1] + buf[n/2]) / 2
		}
	}
	return out
}

// slowRuns finds the stretches of slow: runs of true that absorb gaps of
// at most StretchGap false values and hold at least MinStretchReadings
// true ones, as [first, last] indices of true values.
func slowRuns(slow []bool) [][2]int {
	var out [][2]int
	start, last, count := -1, -1, 0
	flush := func() {
		if start >= 0 && count >= MinStretchReadings {
			out = append(out, [2]int{start, last})
		}
		start, last, count = -1, -1, 0
	}
	for i, s := range slow {
		if !s {
			continue
		}
		if start >= 0 && i-last-1 > StretchGap {
			flush()
		}
		if start < 0 {
			start = i
		}
		last = i
		count++
	}
	flush()
	return out
}

// sortedMedian is the median of xs; NaN for none.
func sortedMedian(xs []float64) float64 {
	n := len(xs)
	if n == 0 {
		return math.NaN()
	}
	xs = slices.Clone(xs)
	slices.Sort(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// warnCPUSpeed names each CPU that had slow stretches.
func (rep *Report) warnCPUSpeed(m *Meter) {
	if m == nil {
		return
	}
	for _, c := range m.CPUs {
		var parts []string
		for _, s := range m.Stretches {
			if s.CPU == c.CPU {
				parts = append(parts, strings.TrimPrefix(s.Text(), fmt.Sprintf("CPU %d ran ", c.CPU)))
			}
		}
		if len(parts) == 0 {
			continue
		}
		more := ""
		if len(parts) > 3 {
			more = fmt.Sprintf("; and %d more stretches", len(parts)-3)
			parts = parts[:3]
		}
		if len(parts) > 1 {
			more += fmt.Sprintf("; %d of its %d pairs in all", c.SlowPairs, c.Pairs)
		}
		rep.warn(m.Machine, CheckCPUSpeed, "CPU %d ran slower than the fastest CPU beyond the meter's noise (±%s): %s%s",
			c.CPU, pct(m.Noise), strings.Join(parts, "; "), more)
	}
}
