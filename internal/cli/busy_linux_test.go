package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/parbench/parbench/internal/longtest"
	"github.com/parbench/parbench/runfiles"
	"golang.org/x/sys/unix"
)

// busyThread spins on a thread pinned to cpu until the test ends: another
// process's work on that CPU, as the guest sees a busy neighbour (a
// partial emulation of a host that slows one vCPU: this one the guest's
// scheduler can see and place threads around).
func busyThread(t *testing.T, cpu int) {
	t.Helper()
	var stop atomic.Bool
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		var set unix.CPUSet
		set.Set(cpu)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			started <- err
			return
		}
		started <- nil
		for !stop.Load() {
		}
	}()
	if err := <-started; err != nil {
		t.Skipf("cannot pin a busy thread to CPU %d: %v", cpu, err)
	}
	t.Cleanup(func() { stop.Store(true) })
}

// TestRunUnderABusyCPU: a short real sweep with a busy thread pinned to
// CPU 0, and another with it on CPU 1. In each, no speedup's interval lies
// wholly above its cores (no impossible flag), the slowed CPU is named by
// the per-CPU meter, and the busy thread shows in the losses as
// descheduled time or a slower CPU, not as unexplained. Nothing here
// asserts a time.
func TestRunUnderABusyCPU(t *testing.T) {
	longtest.Skip(t, "two real sweeps under a busy thread")
	if runtime.NumCPU() < 2 {
		t.Skip("needs 2 CPUs: one to slow, one to compare it with")
	}
	for _, cpu := range []int{0, 1} {
		t.Run(fmt.Sprintf("busy CPU %d", cpu), func(t *testing.T) {
			busyThread(t, cpu)
			root := filepath.Join(t.TempDir(), "results")
			status, _, stderr := runParbench(t, "run", "-cpu", "1,2", "-count", "12", "-jobs", "32",
				"-strategy", "serial,pool,perjob-unbounded", "-benchstat", "", "-o", root)
			if status != 0 {
				t.Fatalf("exit status %d, stderr:\n%s", status, stderr)
			}
			data, err := os.ReadFile(filepath.Join(latestRun(t, root), runfiles.SummaryJSON))
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Rows []struct {
					Strategy   string  `json:"strategy"`
					Cores      int     `json:"cores"`
					Impossible string  `json:"impossible"`
					Low        float64 `json:"speedup_low"`
					Loss       *struct {
						Parts map[string]float64 `json:"parts"`
					} `json:"loss"`
				} `json:"rows"`
				CPUSpeed []struct {
					Stretches []struct {
						CPU int `json:"cpu"`
					} `json:"slow_stretches"`
				} `json:"cpu_speed"`
			}
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			withLoss := 0
			for _, r := range doc.Rows {
				if r.Cores == 2 && r.Loss != nil {
					withLoss++
				}
				if r.Impossible != "" {
					t.Errorf("%s/%d: flagged: %s", r.Strategy, r.Cores, r.Impossible)
				}
				if r.Loss != nil && (r.Loss.Parts["unexplained"] > 0.05 || r.Loss.Parts["unexplained"] < -0.05) {
					t.Errorf("%s/%d: %.0f points unexplained: the busy thread must show as descheduled or slower CPUs", r.Strategy, r.Cores, 100*r.Loss.Parts["unexplained"])
				}
			}
			if withLoss < 3 {
				t.Errorf("%d rows at 2 cores with losses, want one per strategy (3)", withLoss)
			}
			named := map[int]bool{}
			for _, m := range doc.CPUSpeed {
				for _, s := range m.Stretches {
					named[s.CPU] = true
				}
			}
			if !named[cpu] {
				t.Errorf("the meter named CPUs %v as slow, want CPU %d among them", named, cpu)
			}
		})
	}
}
