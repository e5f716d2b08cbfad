package plots

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/parbench/parbench/internal/golden"
)

const ms = time.Millisecond

func TestTimelineGolden(t *testing.T) {
	for _, tc := range []struct {
		name     string
		strategy string
		spans    []Span
	}{
		// Workers 0, 2 and 5 (ids need not be dense), out of order, with an
		// idle gap on worker 2 and a straggler on worker 5.
		{"timeline-pool", "pool", []Span{
			{Worker: 5, Job: 2, Start: 1 * ms, End: 9 * ms},
			{Worker: 0, Job: 0, Start: 0, End: 2 * ms},
			{Worker: 2, Job: 1, Start: 500 * time.Microsecond, End: 2 * ms},
			{Worker: 0, Job: 3, Start: 2 * ms, End: 4 * ms},
			{Worker: 2, Job: 4, Start: 3 * ms, End: 5 * ms},
			{Worker: 0, Job: 5, Start: 4 * ms, End: 6 * ms},
		}},
		// More workers than rows: packed by overlap.
		{"timeline-unbounded-packed", "perjob-unbounded", unboundedSpans(MaxWorkerRows+4, ms, 10*ms)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := timelineChart(Chart{Title: "t", Caption: "c"}, tc.strategy, tc.spans)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			tl.dump(&b)
			golden.Check(t, filepath.Join("testdata", tc.name+".golden"), b.Bytes())
		})
	}
}

func TestTimelineRows(t *testing.T) {
	for _, tc := range []struct {
		name     string
		spans    []Span
		wantRows int
		packed   bool
	}{
		{"8 workers", poolSpans(64, 8, 0, ms), 8, false},
		{"128 workers", poolSpans(1024, 128, 0, ms), 128, false},
		{"MaxWorkerRows workers", unboundedSpans(MaxWorkerRows, 10*time.Microsecond, ms), MaxWorkerRows, false},
		// One more and jobs are packed, into as many rows as ran at once.
		{"MaxWorkerRows+1 workers", unboundedSpans(MaxWorkerRows+1, 10*time.Microsecond, ms), -1, true},
		{"3000 goroutines", unboundedSpans(3000, 100*time.Microsecond, 3*ms), -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := timelineChart(Chart{}, "x", tc.spans)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantRows < 0 {
				tc.wantRows = peakConcurrency(tc.spans)
			}
			if got := int(tl.y.max + 0.5); got != tc.wantRows {
				t.Errorf("got %d rows, want %d", got, tc.wantRows)
			}
			if got := strings.Contains(tl.summary, "packed"); got != tc.packed {
				t.Errorf("packed: got %v, want %v (%s)", got, tc.packed, tl.summary)
			}
			if len(tl.bars) != len(tc.spans) {
				t.Errorf("got %d bars, want one per span, %d", len(tl.bars), len(tc.spans))
			}
		})
	}
}

// TestPackRows checks the packing against its definition: no two jobs in
// a row overlap, and there are as many rows as the most jobs running at
// one instant.
func TestPackRows(t *testing.T) {
	var spans []Span
	for j := range 500 {
		start := time.Duration(j*7919%1000) * time.Microsecond
		spans = append(spans, Span{Worker: j, Job: int64(j), Start: start, End: start + time.Duration(j%13+1)*37*time.Microsecond})
	}
	tl, err := timelineChart(Chart{}, "x", spans) // sorts by start, as packRows needs
	if err != nil {
		t.Fatal(err)
	}
	sorted := make([]Span, len(spans))
	for i, b := range tl.bars {
		sorted[i] = Span{Start: time.Duration(b.start * 1e6), End: time.Duration(b.end * 1e6)}
	}
	rows, n := packRows(sorted)
	last := map[int]time.Duration{}
	for i, s := range sorted {
		if end, ok := last[rows[i]]; ok && end > s.Start {
			t.Fatalf("row %d: job starting at %v overlaps one ending at %v", rows[i], s.Start, end)
		}
		last[rows[i]] = s.End
	}
	if peak := peakConcurrency(spans); n != peak {
		t.Errorf("got %d rows, want the peak concurrency %d", n, peak)
	}
}

// peakConcurrency counts, by brute force, the most spans running at the
// start of any span.
func peakConcurrency(spans []Span) int {
	peak := 0
	for _, s := range spans {
		running := 0
		for _, o := range spans {
			if o.Start <= s.Start && s.Start < o.End {
				running++
			}
		}
		peak = max(peak, running)
	}
	return peak
}

func TestTimelineSummary(t *testing.T) {
	spans := []Span{{Worker: 0, Start: 0, End: 4 * ms}, {Worker: 1, Start: 0, End: 2 * ms}}
	for _, tc := range []struct {
		name  string
		spans []Span
		want  string
	}{
		// 6ms of work over 2 workers x 4ms.
		{"two workers", spans, "pool: 2 jobs on 2 workers · makespan 4 ms · workers busy 75% of it"},
		{"one job", spans[1:], "pool: 1 job on 1 worker · makespan 2 ms · workers busy 100% of it"},
	} {
		tl, err := timelineChart(Chart{}, "pool", tc.spans)
		if err != nil {
			t.Fatal(err)
		}
		if tl.summary != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tl.summary, tc.want)
		}
	}
}

func TestTimelineErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spans []Span
		want  string
	}{
		{"empty", nil, "timeline: no spans"},
		{"negative worker", []Span{{Worker: -1, Job: 7, End: ms}}, "span 0 (job 7): worker -1 is negative"},
		{"negative start", []Span{{Job: 1, End: ms}, {Job: 2, Start: -ms, End: ms}}, "span 1 (job 2): start -1ms is negative"},
		{"end before start", []Span{{Job: 3, Start: 2 * ms, End: ms}}, "span 0 (job 3): end 1ms is before start 2ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Timeline(Chart{}, "pool", tc.spans)
			if err == nil || !strings.Contains(err.Error(), tc.want) || f != nil {
				t.Errorf("got %v, %v; want no figure and an error containing %q", f, err, tc.want)
			}
		})
	}
}

func TestTimelineHeight(t *testing.T) {
	for _, tc := range []struct {
		workers int
		want    float64 // inches
	}{
		{1, 3.2}, {8, 3.2}, {64, 4.76}, {128, 7}, {256, 7},
	} {
		t.Run(fmt.Sprint(tc.workers), func(t *testing.T) {
			f, err := Timeline(Chart{}, "pool", poolSpans(tc.workers, tc.workers, 0, ms))
			if err != nil {
				t.Fatal(err)
			}
			_, h := f.Size()
			if got := float64(h / vg.Inch); got < tc.want-0.005 || got > tc.want+0.005 {
				t.Errorf("got %.3f in, want %.2f in", got, tc.want)
			}
		})
	}
}
