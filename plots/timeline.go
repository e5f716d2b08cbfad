package plots

import (
	"cmp"
	"container/heap"
	"errors"
	"fmt"
	"image/color"
	"io"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Span is one job of a recorded batch: which worker ran it, and when it
// started and ended, as offsets from the batch start.
type Span struct {
	Worker     int
	Job        int64
	Start, End time.Duration
}

// MaxWorkerRows is the most workers a timeline gives a row each. With more
// (perjob-unbounded runs every job on a worker of its own) the jobs are
// packed instead: each row holds jobs that did not overlap in time, as few
// rows as possible, so the number of rows is the batch's peak concurrency.
const MaxWorkerRows = 256

// Timeline draws one recorded batch as a Gantt chart: a row per worker,
// worker 0 at the top, each job a bar from its start to its end, in the
// strategy's colour with alternating shades so that back-to-back jobs stay
// apart. Idle workers, stragglers and gaps between jobs show as white
// space. The time axis is in s, ms or µs as fits. A line under the caption
// gives the job and worker counts, the makespan and how busy the workers
// were. Spans may come in any order; at least one is needed, and each must
// have a non-negative worker and 0 <= Start <= End.
func Timeline(c Chart, strategy string, spans []Span) (*Figure, error) {
	tc, err := timelineChart(c, strategy, spans)
	if err != nil {
		return nil, err
	}
	return tc.figure(), nil
}

// ganttChart is the content of a timeline, in the units of its axes.
type ganttChart struct {
	title, caption string
	x, y           axis
	style          Style
	barHeight      float64 // as a fraction of a row
	bars           []bar
	summary        string
}

type bar struct {
	row        int
	start, end float64
	shade      int // 0 or 1, alternating along a row
}

func checkSpans(spans []Span) error {
	if len(spans) == 0 {
		return errors.New("plots: timeline: no spans")
	}
	for i, s := range spans {
		switch {
		case s.Worker < 0:
			return fmt.Errorf("plots: timeline: span %d (job %d): worker %d is negative", i, s.Job, s.Worker)
		case s.Start < 0:
			return fmt.Errorf("plots: timeline: span %d (job %d): start %v is negative", i, s.Job, s.Start)
		case s.End < s.Start:
			return fmt.Errorf("plots: timeline: span %d (job %d): end %v is before start %v", i, s.Job, s.End, s.Start)
		}
	}
	return nil
}

func timelineChart(c Chart, strategy string, in []Span) (*ganttChart, error) {
	if err := checkSpans(in); err != nil {
		return nil, err
	}
	spans := slices.Clone(in)
	slices.SortFunc(spans, func(a, b Span) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End), cmp.Compare(a.Worker, b.Worker), cmp.Compare(a.Job, b.Job))
	})

	var workers []int
	var makespan, busy time.Duration
	for _, s := range spans {
		workers = append(workers, s.Worker)
		makespan = max(makespan, s.End)
		busy += s.End - s.Start
	}
	slices.Sort(workers)
	workers = slices.Compact(workers)

	rows, labels := make([]int, len(spans)), []string(nil)
	packed := len(workers) > MaxWorkerRows
	if packed {
		var n int
		rows, n = packRows(spans)
		for i := range n {
			labels = append(labels, fmt.Sprint(i))
		}
	} else {
		for i, s := range spans {
			rows[i], _ = slices.BinarySearch(workers, s.Worker)
		}
		for _, w := range workers {
			labels = append(labels, fmt.Sprint(w))
		}
	}

	u := timeUnit(makespan.Seconds())
	tc := &ganttChart{
		title:     c.Title,
		caption:   c.Caption,
		x:         timeAxis("time since batch start ("+u.name+")", makespan.Seconds()*u.factor),
		style:     StrategyStyle(strategy),
		barHeight: 0.8,
	}
	if len(labels) > 150 {
		tc.barHeight = 1 // thinner gaps than a pixel only make a moiré
	}
	tc.y = rowAxis(labels)
	tc.y.label = "worker"
	if packed {
		tc.y.label = "jobs packed into rows"
	}

	shade := make(map[int]int) // next shade per row; spans are in start order
	for i, s := range spans {
		r := rows[i]
		tc.bars = append(tc.bars, bar{row: r, start: s.Start.Seconds() * u.factor, end: s.End.Seconds() * u.factor, shade: shade[r]})
		shade[r] ^= 1
	}

	ms := fmtNum(makespan.Seconds()*u.factor) + " " + u.name
	if packed {
		tc.summary = fmt.Sprintf("%s: %s on %s, packed into %d rows of jobs that do not overlap (the peak concurrency) · makespan %s",
			strategy, count(len(spans), "job"), count(len(workers), "worker"), len(labels), ms)
	} else {
		util := 0.0
		if makespan > 0 {
			util = float64(busy) / (float64(len(workers)) * float64(makespan))
		}
		tc.summary = fmt.Sprintf("%s: %s on %s · makespan %s · workers busy %.0f%% of it",
			strategy, count(len(spans), "job"), count(len(workers), "worker"), ms, 100*util)
	}
	return tc, nil
}

// count says "1 job" or "2 jobs".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// timeAxis runs from 0 to just past the end of the batch, so the bars use
// the width; its last labelled tick may fall short of the end.
func timeAxis(label string, end float64) axis {
	if !(end > 0) {
		end = 1
	}
	step := niceStep(end, 6)
	return axis{label: label, scale: linearAxis, min: 0, max: end * 1.02, ticks: linearTicks(0, end*1.02, step)}
}

// rowAxis is the inverted y axis of a timeline with a row per label, the
// first at the top, labelled every row when there are few and at a round
// step otherwise.
func rowAxis(labels []string) axis {
	n := len(labels)
	step := 1
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000} {
		step = s
		if n/s <= 16 {
			break
		}
	}
	for n/step > 16 {
		step *= 10
	}
	var ticks []plot.Tick
	for i := 0; i < n; i += step {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: labels[i]})
	}
	return axis{scale: linearAxis, inverted: true, min: -0.5, max: float64(n) - 0.5, ticks: ticks}
}

// packRows gives each span, in start order, the lowest row that is free
// at its start. A row is free once its last job has ended; a job that
// starts the instant another ends may take its row. Greedy packing in start
// order uses as few rows as the peak number of overlapping spans.
func packRows(spans []Span) (rows []int, n int) {
	rows = make([]int, len(spans))
	var busy endHeap // rows in use, by end time
	var free intHeap // rows released, lowest first
	for i, s := range spans {
		for len(busy) > 0 && busy[0].end <= s.Start {
			heap.Push(&free, heap.Pop(&busy).(rowEnd).row)
		}
		r := n
		if len(free) > 0 {
			r = heap.Pop(&free).(int)
		} else {
			n++
		}
		rows[i] = r
		heap.Push(&busy, rowEnd{s.End, r})
	}
	return rows, n
}

type rowEnd struct {
	end time.Duration
	row int
}

type endHeap []rowEnd

func (h endHeap) Len() int { return len(h) }
func (h endHeap) Less(i, j int) bool {
	return h[i].end < h[j].end || h[i].end == h[j].end && h[i].row < h[j].row
}
func (h endHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *endHeap) Push(x any)   { *h = append(*h, x.(rowEnd)) }
func (h *endHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type intHeap []int

func (h intHeap) Len() int           { return len(h) }
func (h intHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h intHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *intHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *intHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// figure draws the timeline. Its height grows with the rows, from 3.2 to
// 7 inches, so that up to about a hundred workers each get a visible row.
func (tc *ganttChart) figure() *Figure {
	p := newPlot()
	p.Y.Tick.Length = vg.Points(3) // row ticks, not a scale
	g := grid()
	g.Horizontal.Color = nil
	p.Add(g, &gantt{bars: tc.bars, height: tc.barHeight,
		shades: [2]color.Color{tc.style.Color, lighten(tc.style.Color, 0.5)}})
	setAxes(p, tc.x, tc.y)

	caption := tc.summary
	if tc.caption != "" {
		caption = tc.caption + "\n" + tc.summary
	}
	rows := tc.y.max + 0.5
	height := min(max(2.2+0.04*rows, 3.2), 7) * float64(vg.Inch)
	return &Figure{title: tc.title, caption: caption, xLabel: tc.x.label, yLabel: tc.y.label, plot: p,
		width: 6.5 * vg.Inch, height: vg.Length(height)}
}

// gantt draws the bars of a timeline.
type gantt struct {
	bars   []bar
	height float64
	shades [2]color.Color
}

// minBarWidth keeps a job that took less than a pixel visible.
const minBarWidth = 0.5 // points

func (g *gantt) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	for _, b := range g.bars {
		x0, x1 := trX(b.start), trX(b.end)
		if w := x1 - x0; w < vg.Points(minBarWidth) {
			mid := (x0 + x1) / 2
			x0, x1 = mid-vg.Points(minBarWidth)/2, mid+vg.Points(minBarWidth)/2
		}
		y0 := trY(float64(b.row) - g.height/2)
		y1 := trY(float64(b.row) + g.height/2)
		c.SetColor(g.shades[b.shade])
		c.Fill(vg.Rectangle{Min: vg.Point{X: x0, Y: min(y0, y1)}, Max: vg.Point{X: x1, Y: max(y0, y1)}}.Path())
	}
}

func (tc *ganttChart) dump(w io.Writer) {
	fmt.Fprintf(w, "title: %s\ncaption: %s\nsummary: %s\n", tc.title, tc.caption, tc.summary)
	dumpAxis(w, "x", tc.x)
	dumpAxis(w, "y", tc.y)
	fmt.Fprintf(w, "color=%s bar-height=%s\n", hexColor(tc.style.Color), fmtNum(tc.barHeight))
	for _, b := range tc.bars {
		fmt.Fprintf(w, "\trow %d [%s, %s] shade %d\n", b.row, fmtNum(b.start), fmtNum(b.end), b.shade)
	}
}
