package report

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/parbench/parbench/internal/pairstat"
)

// simMachine is a machine whose speed drifts in slow waves: a batch of
// true time d started at t takes d x (1 + wave(t)) x (1 + jitter), with
// wave a sine of amplitude Wave and period Period (seconds) and jitter
// uniform in ±Jitter. Nothing is timed: the clock is simulated.
type simMachine struct {
	Wave, Period, Jitter float64
	phase                float64
	now                  float64 // seconds
	rng                  *rand.Rand
}

func (m *simMachine) batch(d float64) float64 {
	wave := m.Wave * math.Sin(2*math.Pi*m.now/m.Period+m.phase)
	took := d * (1 + wave) * (1 + m.Jitter*(2*m.rng.Float64()-1))
	m.now += took
	return took
}

// simSweep runs the paired design on m: every round, each configuration
// in a shuffled order as one pair with a baseline batch, the order in the
// pair drawn. Configuration 0 is the baseline itself (serial on 1 core),
// whose own samples the unpaired speedup divides by. It returns, for the
// configuration at index target, its samples and its pairs' baselines,
// and the baseline configuration's samples.
func simSweep(m *simMachine, times []float64, rounds, target int) (x, xBase, serial []float64) {
	base := times[0]
	order := make([]int, len(times))
	for i := range order {
		order[i] = i
	}
	for range rounds {
		m.rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, c := range order {
			var tb, tc float64
			if m.rng.IntN(2) == 0 {
				tb = m.batch(base)
				tc = m.batch(times[c])
			} else {
				tc = m.batch(times[c])
				tb = m.batch(base)
			}
			switch c {
			case 0:
				serial = append(serial, tc)
			case target:
				x, xBase = append(x, tc), append(xBase, tb)
			}
		}
	}
	return x, xBase, serial
}

// TestPairedOnDriftingMachine is the reason for pairing: on a machine that
// drifts ±30% in slow waves with ±5% jitter on every batch, the paired
// interval covers the true speedup at least 95% of the time and is at
// least twice as narrow as the unpaired one from the same samples.
func TestPairedOnDriftingMachine(t *testing.T) {
	const (
		reps     = 400
		rounds   = 20
		speedup  = 1.9  // the true speedup of the configuration watched
		baseTime = 0.03 // seconds: a serial batch of tens of ms
	)
	// Six configurations as on a 2-core sweep, each with its true time.
	times := []float64{baseTime, baseTime / speedup, baseTime / 0.9, baseTime / 1.5, baseTime / 1.95, baseTime}
	const target = 1
	rng := rand.New(rand.NewPCG(12, 34))
	covered, unpairedCovered := 0, 0
	var pairedHW, unpairedHW float64
	for range reps {
		m := &simMachine{Wave: 0.30, Period: 3, Jitter: 0.05, phase: 2 * math.Pi * rng.Float64(), rng: rng}
		x, xBase, serial := simSweep(m, times, rounds, target)
		p := pairstat.Summarize(pairstat.Ratios(xBase, x), 0.95)
		if p.Low <= speedup && speedup <= p.High {
			covered++
		}
		pairedHW += p.HalfWidth()
		s, lo, hi := SpeedupCI(serial, x, 0.95, 2000, rand.New(rand.NewPCG(rng.Uint64(), 1)))
		if lo <= speedup && speedup <= hi {
			unpairedCovered++
		}
		unpairedHW += math.Max(hi/s-1, 1-lo/s)
	}
	coverage := float64(covered) / reps
	pairedHW /= reps
	unpairedHW /= reps
	t.Logf("paired: coverage %.3f, mean half-width ±%.2f%%; unpaired: coverage %.3f, mean half-width ±%.2f%%",
		coverage, 100*pairedHW, float64(unpairedCovered)/reps, 100*unpairedHW)
	if coverage < 0.95 {
		t.Errorf("paired interval covered the true speedup %d in %d times (%.3f), want at least 0.95", covered, reps, coverage)
	}
	if unpairedHW < 2*pairedHW {
		t.Errorf("paired half-width ±%.2f%% is not at least 2x narrower than unpaired ±%.2f%%", 100*pairedHW, 100*unpairedHW)
	}
}

// TestSimMachineNoDriftNoGain checks the simulation itself: without waves,
// pairing has nothing to cancel, so the two half-widths are of one size
// (a simulation that made pairing win everywhere would prove nothing).
func TestSimMachineNoDriftNoGain(t *testing.T) {
	times := []float64{0.03, 0.03 / 1.9}
	rng := rand.New(rand.NewPCG(5, 6))
	var pairedHW, unpairedHW float64
	const reps = 100
	for range reps {
		m := &simMachine{Wave: 0, Period: 3, Jitter: 0.05, rng: rng}
		x, xBase, serial := simSweep(m, times, 20, 1)
		pairedHW += pairstat.Summarize(pairstat.Ratios(xBase, x), 0.95).HalfWidth()
		s, lo, hi := SpeedupCI(serial, x, 0.95, 2000, rand.New(rand.NewPCG(rng.Uint64(), 1)))
		unpairedHW += math.Max(hi/s-1, 1-lo/s)
	}
	if r := unpairedHW / pairedHW; r > 1.6 || r < 0.5 {
		t.Errorf("without drift, unpaired/paired half-width ratio is %.2f, want about 1", r)
	}
}
