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
		reps = 2000 // for coverage: its standard error is then 0.5%
		// The bootstrap of the unpaired figure is the slow part: its
		// width is compared on the first widthReps sweeps.
		widthReps = 200
		rounds    = 20
		speedup   = 1.9  // the true speedup of the configuration watched
		baseTime  = 0.03 // seconds: a serial batch of tens of ms
	)
	// Six configurations as on a 2-core sweep, each with its true time.
	times := []float64{baseTime, baseTime / speedup, baseTime / 0.9, baseTime / 1.5, baseTime / 1.95, baseTime}
	const target = 1
	rng := rand.New(rand.NewPCG(12, 34))
	covered := 0
	var pairedHW, unpairedHW, ownHW float64
	for i := range reps {
		m := &simMachine{Wave: 0.30, Period: 3, Jitter: 0.05, phase: 2 * math.Pi * rng.Float64(), rng: rng}
		x, xBase, serial := simSweep(m, times, rounds, target)
		p := pairstat.Summarize(pairstat.Ratios(xBase, x), 0.95)
		if p.Low <= speedup && speedup <= p.High {
			covered++
		}
		if i >= widthReps {
			continue
		}
		pairedHW += p.HalfWidth()
		// Unpaired as the report computes it: the same batches, the
		// pairing ignored; and as before pairing, against the
		// baseline's own samples.
		s, lo, hi := SpeedupCI(xBase, x, 0.95, 2000, rand.New(rand.NewPCG(uint64(i), 1)))
		unpairedHW += math.Max(hi/s-1, 1-lo/s)
		s2, lo2, hi2 := SpeedupCI(serial, x, 0.95, 2000, rand.New(rand.NewPCG(uint64(i), 2)))
		ownHW += math.Max(hi2/s2-1, 1-lo2/s2)
	}
	coverage := float64(covered) / reps
	pairedHW /= widthReps
	unpairedHW /= widthReps
	ownHW /= widthReps
	t.Logf("paired: coverage %.3f, mean half-width ±%.2f%%; unpaired, same batches: ±%.2f%%; against the baseline's own samples: ±%.2f%%",
		coverage, 100*pairedHW, 100*unpairedHW, 100*ownHW)
	if coverage < 0.95 {
		t.Errorf("paired interval covered the true speedup %d in %d times (%.3f), want at least 0.95", covered, reps, coverage)
	}
	if unpairedHW < 2*pairedHW || ownHW < 2*pairedHW {
		t.Errorf("paired half-width ±%.2f%% is not at least 2x narrower than unpaired ±%.2f%% (same batches) and ±%.2f%% (own samples)",
			100*pairedHW, 100*unpairedHW, 100*ownHW)
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
		x, xBase, _ := simSweep(m, times, 20, 1)
		pairedHW += pairstat.Summarize(pairstat.Ratios(xBase, x), 0.95).HalfWidth()
		s, lo, hi := SpeedupCI(xBase, x, 0.95, 2000, rand.New(rand.NewPCG(rng.Uint64(), 1)))
		unpairedHW += math.Max(hi/s-1, 1-lo/s)
	}
	if r := unpairedHW / pairedHW; r > 1.6 || r < 0.5 {
		t.Errorf("without drift, unpaired/paired half-width ratio is %.2f, want about 1", r)
	}
}
