package harness

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/parbench/parbench/strategies"
)

// The baseline on the configuration's own CPUs.
//
// Every timed batch of a k-core configuration is paired with a baseline
// half run right before or after it, in the same measurement process: one
// locked OS thread, pinned to one CPU of the configuration's mask at a
// time, runs the serial batch's jobs on each (a share), and times each
// share by the wall clock. A CPU's rate is its share's jobs per second; the
// baseline rate of the pair is the mean of the per-CPU rates, and the
// pair's speedup is the configuration's throughput over it. So a speedup at
// k is relative to the mean speed of one CPU of the CPUs the configuration
// was given: ideal is k whatever the CPUs' speeds, a dynamic pool can reach
// it, and a static split pays for the slowest CPU (k × min/mean), as it
// really does. A host that slows one vCPU shows in that CPU's rate and in
// nothing else the guest can read (CPU time and steal stay as they were),
// which is why shares are timed by the wall clock.
//
// The half is sized to take about as long as the configuration's batch
// (its last batch time at the current baseline rate), so that a wave of the
// machine hits both halves of the pair alike; the speedup is a ratio of
// throughputs, so the two need not run the same number of jobs. Each share
// runs at least minShareTime of jobs, so a half that cannot give every CPU
// of a large mask such a share visits a rotating subset of them, and a CPU
// it skips counts with its latest rate (see meter.baseline for how that
// rate is brought up to date). With v CPUs visited per half, a CPU's rate
// is at most ceil(k/v)-1 pairs of that core count old.

// minShareTime is the least time a share runs: long enough that pinning a
// thread (a few microseconds) and the clock reads are noise, short enough
// that a 2-core half of a 20 ms batch visits both CPUs.
const minShareTime = 2 * time.Millisecond

// runShares runs each share on one locked thread pinned to its CPU, in
// order, and times each by the wall clock. The thread's mask is restored
// before it is unlocked; if that fails the thread stays locked and dies
// with this goroutine's end of the call.
func runShares(ctx context.Context, w strategies.Workload, shares []Share) ([]ShareTime, error) {
	out := make([]ShareTime, 0, len(shares))
	errc := make(chan error, 1)
	go func() {
		errc <- func() error {
			runtime.LockOSThread()
			for _, sh := range shares {
				st, restore, err := runShare(ctx, w, sh)
				if !restore {
					return err // the thread keeps the wrong mask: never unlock it
				}
				if err != nil {
					runtime.UnlockOSThread()
					return err
				}
				out = append(out, st)
			}
			runtime.UnlockOSThread()
			return nil
		}()
	}()
	if err := <-errc; err != nil {
		return nil, err
	}
	return out, nil
}

// runShare runs one share on the calling locked thread. restored is false
// when the thread was pinned and its mask could not be given back.
func runShare(ctx context.Context, w strategies.Workload, sh Share) (st ShareTime, restored bool, err error) {
	restore := func() bool { return true }
	if sh.CPU >= 0 {
		if restore, err = pinThread(sh.CPU); err != nil {
			return st, true, fmt.Errorf("pinning the baseline to CPU %d: %w", sh.CPU, err)
		}
	}
	sw := w
	sw.Jobs = sh.Jobs
	cpu0 := threadCPU()
	begin := time.Now()
	results, err := strategies.Serial{}.Run(ctx, sw, 1)
	st = ShareTime{Share: sh, Wall: time.Since(begin), CPUTime: max(0, threadCPU()-cpu0)}
	if !restore() {
		return st, false, fmt.Errorf("restoring the baseline thread's mask after CPU %d", sh.CPU)
	}
	if err != nil {
		return st, true, err
	}
	if err := strategies.Verify(sw, results); err != nil {
		return st, true, fmt.Errorf("baseline share on CPU %d: %w", sh.CPU, err)
	}
	return st, true, nil
}

// A meter is the parent's record of the per-CPU rates for one core count's
// mask, and what picks the next half's shares.
type meter struct {
	cpus []int // the mask, in order; nil where cores are not pinned
	// rate is each CPU's latest rate (jobs/s), rel its speed relative to
	// the baseline rate of the half that measured it; both indexed like
	// cpus (index 0 alone where not pinned).
	rate, rel []float64
	next      int // where the next half starts its visit, rotating
}

func newMeter(cpus []int) *meter {
	n := max(1, len(cpus))
	m := &meter{cpus: cpus, rate: make([]float64, n), rel: make([]float64, n)}
	for i := range m.rel {
		m.rel[i] = 1
	}
	return m
}

// size is how many CPUs the meter covers.
func (m *meter) size() int { return len(m.rate) }

// cpuAt is the CPU of index i, -1 where cores are not pinned.
func (m *meter) cpuAt(i int) int {
	if m.cpus == nil {
		return -1
	}
	return m.cpus[i]
}

// seed takes rates measured outside the sweep's halves (the calibration
// meter, which visits every CPU): rates by CPU; CPUs it lacks keep theirs.
func (m *meter) seed(rates map[int]float64) {
	var sum float64
	var n int
	for i := range m.rate {
		if r, ok := rates[m.cpuAt(i)]; ok && r > 0 {
			m.rate[i] = r
			sum += r
			n++
		}
	}
	if n == 0 {
		return
	}
	mean := sum / float64(n)
	for i := range m.rate {
		if _, ok := rates[m.cpuAt(i)]; ok && m.rate[i] > 0 {
			m.rel[i] = m.rate[i] / mean
		}
	}
}

// meanRate is the mean of the latest rates, 0 before any is known.
func (m *meter) meanRate() float64 {
	var sum float64
	for _, r := range m.rate {
		if !(r > 0) {
			return 0
		}
		sum += r
	}
	return sum / float64(len(m.rate))
}

// plan picks the shares of the next half: jobs for about target at the
// current rates, at least minShareTime per share, on as many CPUs of the
// mask as that allows (all of them when it can), starting where the last
// half stopped. With no rate known yet it gives every CPU one job.
func (m *meter) plan(target time.Duration) []Share {
	k := m.size()
	rate := m.meanRate()
	if !(rate > 0) {
		shares := make([]Share, k)
		for i := range shares {
			shares[i] = Share{CPU: m.cpuAt(i), Jobs: 1}
		}
		return shares
	}
	perShare := max(1, int(math.Ceil(rate*minShareTime.Seconds())))
	total := max(perShare, int(math.Round(rate*target.Seconds())))
	total = min(total, strategies.MaxJobs)
	v := max(1, min(k, total/perShare))
	shares := make([]Share, v)
	for j := range v {
		i := (m.next + j) % k
		n := total / v
		if j < total%v {
			n++
		}
		shares[j] = Share{CPU: m.cpuAt(i), Jobs: n}
	}
	m.next = (m.next + v) % k
	return shares
}

// baseline takes a half's shares and returns the pair's baseline rate: the
// mean of the per-CPU rates over the whole mask. CPUs the half visited
// count with their fresh rates. When it skipped some, the mean of the
// fresh rates is scaled by the skipped CPUs' latest speeds relative to the
// visited ones (rel), so that a wave that slowed or sped up the whole
// machine since their last visit counts as it does for the visited CPUs,
// while what sets one CPU apart from the others carries over from its
// last visit. A half that visits every CPU gives the plain mean.
func (m *meter) baseline(half []ShareTime) (float64, error) {
	if len(half) == 0 {
		return 0, fmt.Errorf("no baseline shares")
	}
	visited := make([]bool, m.size())
	fresh := make([]float64, m.size())
	var freshSum, relVisited float64
	for _, s := range half {
		i := m.index(s.CPU)
		if i < 0 || visited[i] || !(s.Wall > 0) {
			return 0, fmt.Errorf("baseline share on CPU %d: not one of this mask's, twice, or untimed", s.CPU)
		}
		visited[i] = true
		fresh[i] = s.Rate()
		freshSum += fresh[i]
		relVisited += m.rel[i]
	}
	nv := float64(len(half))
	var relAll float64
	for i := range m.rel {
		relAll += m.rel[i]
	}
	base := freshSum / nv
	if len(half) < m.size() {
		base *= (relAll / float64(m.size())) / (relVisited / nv)
	}
	for i, ok := range visited {
		if ok {
			m.rate[i] = fresh[i]
			m.rel[i] = fresh[i] / base
		}
	}
	// The skipped CPUs' rates follow the same wave, so that sizing the
	// next half does not use a rate from before it.
	for i, ok := range visited {
		if !ok {
			m.rate[i] = m.rel[i] * base
		}
	}
	return base, nil
}

// index is the position of cpu in the mask, -1 if it is not there.
func (m *meter) index(cpu int) int {
	if m.cpus == nil {
		if cpu == -1 {
			return 0
		}
		return -1
	}
	for i, c := range m.cpus {
		if c == cpu {
			return i
		}
	}
	return -1
}
