package profiles

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// closureTolerance is how far, as a share of k × W, the parts of a split
// may miss k × W: float rounding, nothing more.
const closureTolerance = 1e-9

// partTolerance is how far, in core-seconds, a part may miss its planted
// value: the planted values are whole milliseconds, so only float
// rounding separates them.
const partTolerance = 1e-12

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// iv is a job released at r that ran from s to e, in milliseconds.
func iv(r, s, e float64) JobInterval { return JobInterval{Release: ms(r), Start: ms(s), End: ms(e)} }

// wantSplit is a split's planted parts in core-milliseconds.
type wantSplit struct {
	busy, over                          float64
	rampUp, starved, awaitRelease, tail float64
}

func TestSplitCoreTime(t *testing.T) {
	tests := []struct {
		name  string
		cores int
		wall  float64 // milliseconds
		jobs  []JobInterval
		want  wantSplit
	}{
		{
			// Worker B starts its first job 50 ms after worker A: one slot
			// empty for 50 ms while jobs wait is the ramp. The last job
			// starts at 200; B is done at 250.
			name: "pool with a late worker", cores: 2, wall: 300,
			jobs: []JobInterval{iv(0, 0, 100), iv(0, 100, 200), iv(0, 200, 300), iv(0, 50, 150), iv(0, 150, 250)},
			want: wantSplit{busy: 500, rampUp: 50, tail: 50},
		},
		{
			name: "last job runs alone", cores: 2, wall: 300,
			jobs: []JobInterval{iv(0, 0, 100), iv(0, 0, 100), iv(0, 100, 200), iv(0, 100, 300)},
			want: wantSplit{busy: 500, tail: 100},
		},
		{
			// Two workers on four cores: two slots stay empty while jobs
			// wait, then the last two jobs drain.
			name: "fewer workers than cores", cores: 4, wall: 200,
			jobs: []JobInterval{iv(0, 0, 100), iv(0, 0, 100), iv(0, 100, 200), iv(0, 100, 200)},
			want: wantSplit{busy: 400, starved: 200, tail: 200},
		},
		{
			// One job every 100 ms, each 50 ms long, started on release:
			// every empty slot before the last start awaits a release.
			name: "gap workload", cores: 2, wall: 250,
			jobs: []JobInterval{iv(0, 0, 50), iv(100, 100, 150), iv(200, 200, 250)},
			want: wantSplit{busy: 150, awaitRelease: 300, tail: 50},
		},
		{
			// The second job is released at 10 but starts at 60: the ramp
			// splits into the schedule's idle and the strategy's delay.
			name: "gap workload started late", cores: 2, wall: 100,
			jobs: []JobInterval{iv(0, 0, 100), iv(10, 60, 100)},
			want: wantSplit{busy: 140, awaitRelease: 10, rampUp: 50},
		},
		{
			name: "more jobs open than cores", cores: 2, wall: 100,
			jobs: []JobInterval{iv(0, 0, 100), iv(0, 0, 100), iv(0, 0, 100)},
			want: wantSplit{busy: 200, over: 100},
		},
		{
			name: "goroutine per job, slots fill late", cores: 2, wall: 100,
			jobs: []JobInterval{iv(0, 20, 100), iv(0, 30, 100)},
			want: wantSplit{busy: 150, rampUp: 50},
		},
		{
			name: "one job on more cores", cores: 4, wall: 100,
			jobs: []JobInterval{iv(0, 10, 60)},
			want: wantSplit{busy: 50, rampUp: 40, tail: 310},
		},
		{
			// The first job's start is clipped to 0, the second's end to
			// the wall; the third starts after the batch, so it waited for
			// all of it and the empty slot before it is starved.
			name: "intervals outside the batch", cores: 1, wall: 100,
			jobs: []JobInterval{iv(0, -10, 50), iv(0, 80, 150), iv(0, 120, 130)},
			want: wantSplit{busy: 70, starved: 30},
		},
		{
			// No job is ever open: the ramp lasts until the last start.
			name: "zero-length jobs", cores: 2, wall: 100,
			jobs: []JobInterval{iv(0, 30, 30), iv(0, 50, 50)},
			want: wantSplit{rampUp: 100, tail: 100},
		},
		{
			// A zero-length job after the others is the last start.
			name: "zero-length job starts the tail", cores: 1, wall: 100,
			jobs: []JobInterval{iv(0, 0, 40), iv(0, 60, 60)},
			want: wantSplit{busy: 40, starved: 20, tail: 40},
		},
		{
			// Job 1 starts before its release: it counts as released when
			// it started, so job 2's wait is still seen as starving a slot.
			name: "start before release", cores: 2, wall: 100,
			jobs: []JobInterval{iv(0, 0, 100), iv(50, 0, 20), iv(0, 40, 100)},
			want: wantSplit{busy: 180, starved: 20},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitCoreTime(tt.jobs, tt.cores, ms(tt.wall))
			if err != nil {
				t.Fatal(err)
			}
			checkSplit(t, got, tt.want)
			checkClosure(t, got)
			if got.Cores != tt.cores || got.Wall != ms(tt.wall) || got.Jobs != len(tt.jobs) {
				t.Errorf("got cores %d wall %v jobs %d, want %d %v %d", got.Cores, got.Wall, got.Jobs, tt.cores, ms(tt.wall), len(tt.jobs))
			}
			// The order of the jobs is not part of the input.
			reversed := slices.Clone(tt.jobs)
			slices.Reverse(reversed)
			again, err := SplitCoreTime(reversed, tt.cores, ms(tt.wall))
			if err != nil {
				t.Fatal(err)
			}
			if again != got {
				t.Errorf("reversed jobs: got %+v, want %+v", again, got)
			}
		})
	}
}

// checkSplit compares a split with planted parts in core-milliseconds.
func checkSplit(t *testing.T, got CoreTime, want wantSplit) {
	t.Helper()
	for _, p := range []struct {
		name      string
		got, want float64
	}{
		{"busy", got.Busy, want.busy},
		{"oversubscribed", got.Oversubscribed, want.over},
		{"ramp-up", got.NoJob.RampUp, want.rampUp},
		{"starved", got.NoJob.Starved, want.starved},
		{"awaiting release", got.NoJob.AwaitingRelease, want.awaitRelease},
		{"tail", got.NoJob.Tail, want.tail},
		{"overhead", got.NoJob.Overhead, 0},
	} {
		if w := p.want / 1e3; math.Abs(p.got-w) > partTolerance {
			t.Errorf("%s = %.9f core-s, want %.9f", p.name, p.got, w)
		}
	}
}

// checkClosure checks that busy and no-job core-time add up to k × W.
func checkClosure(t *testing.T, c CoreTime) {
	t.Helper()
	want := float64(c.Cores) * c.Wall.Seconds()
	if math.Abs(c.Total-want) > closureTolerance*want {
		t.Errorf("total = %v core-s, want k × W = %v", c.Total, want)
	}
	if sum := c.Busy + c.NoJob.Total(); math.Abs(sum-c.Total) > closureTolerance*c.Total {
		t.Errorf("busy %v + no-job %v = %v core-s, want k × W = %v (off by %.3g of it)",
			c.Busy, c.NoJob.Total(), sum, c.Total, (sum-c.Total)/c.Total)
	}
	for name, v := range map[string]float64{"busy": c.Busy, "oversubscribed": c.Oversubscribed,
		"ramp-up": c.NoJob.RampUp, "starved": c.NoJob.Starved, "awaiting release": c.NoJob.AwaitingRelease,
		"tail": c.NoJob.Tail, "overhead": c.NoJob.Overhead} {
		if v < 0 {
			t.Errorf("%s = %v core-s, want at least 0", name, v)
		}
	}
}

func TestSplitCoreTimeErrors(t *testing.T) {
	one := []JobInterval{iv(0, 0, 10)}
	tests := []struct {
		name  string
		jobs  []JobInterval
		cores int
		wall  time.Duration
		want  string
	}{
		{"no jobs", nil, 2, time.Second, "no jobs"},
		{"no cores", one, 0, time.Second, "0 cores"},
		{"negative wall", one, 2, -time.Second, "negative wall"},
		{"end before start", []JobInterval{iv(0, 0, 10), iv(0, 20, 10)}, 2, time.Second, "job 1 ends at 10ms, before its start at 20ms"},
		{"negative release", []JobInterval{iv(-1, 0, 10)}, 2, time.Second, "job 0 released at -1ms"},
		{"core-time overflows", one, 1 << 20, math.MaxInt64 / 1000, "overflows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := SplitCoreTime(tt.jobs, tt.cores, tt.wall)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines, want one", err)
			}
		})
	}
}

// randomBatch makes n jobs on a pool-like schedule with noise: some start
// after the wall, some end after it, some have zero length, and with
// gap > 0 some start before their release.
func randomBatch(rng *rand.Rand, n int, gap time.Duration) ([]JobInterval, time.Duration) {
	jobs := make([]JobInterval, n)
	var wall time.Duration
	for i := range jobs {
		rel := time.Duration(i) * gap
		start := rel + time.Duration(rng.Int64N(int64(time.Millisecond)))
		if rng.IntN(10) == 0 {
			start = rel - time.Duration(rng.Int64N(int64(time.Microsecond))) // early
			start = max(start, 0)
		}
		length := time.Duration(rng.Int64N(int64(time.Millisecond)))
		if rng.IntN(20) == 0 {
			length = 0
		}
		jobs[i] = JobInterval{Release: rel, Start: start, End: start + length}
		wall = max(wall, start+length)
	}
	return jobs, wall * 9 / 10 // some jobs cross the end
}

// TestSplitCoreTimeCloses checks, on random batches, what holds for every
// batch: the parts add up to k × W, none is negative, and busy plus
// oversubscribed time is the jobs' summed clipped lengths, computed here
// independently.
func TestSplitCoreTimeCloses(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		jobs, cores int
		gap         time.Duration
	}{{1, 1, 0}, {1, 8, time.Millisecond}, {50, 2, 0}, {50, 2, 20 * time.Microsecond}, {1000, 16, time.Microsecond}, {1000, 3, 0}} {
		jobs, wall := randomBatch(rng, tc.jobs, tc.gap)
		got, err := SplitCoreTime(jobs, tc.cores, wall)
		if err != nil {
			t.Fatal(err)
		}
		checkClosure(t, got)
		var lengths time.Duration
		for _, j := range jobs {
			s, e := min(max(j.Start, 0), wall), min(max(j.End, 0), wall)
			lengths += max(e-s, 0)
		}
		if sum := got.Busy + got.Oversubscribed; math.Abs(sum-lengths.Seconds()) > 1e-9*lengths.Seconds() {
			t.Errorf("%d jobs on %d cores: busy %v + oversubscribed %v = %v s, want the jobs' clipped lengths %v s",
				tc.jobs, tc.cores, got.Busy, got.Oversubscribed, sum, lengths.Seconds())
		}
	}
}

// TestSplitCoreTimeMillionJobs runs the size the contract promises, and
// checks that it still closes.
func TestSplitCoreTimeMillionJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("a million jobs")
	}
	jobs, wall := randomBatch(rand.New(rand.NewPCG(3, 4)), 1_000_000, 100*time.Nanosecond)
	got, err := SplitCoreTime(jobs, 64, wall)
	if err != nil {
		t.Fatal(err)
	}
	checkClosure(t, got)
	if got.Jobs != len(jobs) {
		t.Errorf("got %d jobs, want %d", got.Jobs, len(jobs))
	}
}

func BenchmarkSplitCoreTime(b *testing.B) {
	jobs, wall := randomBatch(rand.New(rand.NewPCG(3, 4)), 1_000_000, 100*time.Nanosecond)
	for b.Loop() {
		if _, err := SplitCoreTime(jobs, 64, wall); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(jobs)), "ns/job")
}
