//go:build unix

package procpool

import (
	"bytes"
	"context"
	"maps"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/parbench/parbench/strategies"
)

// profiledWorkload keeps each of two workers busy for about a fifth of a
// second of CPU, enough for a few dozen samples at 100 Hz.
var profiledWorkload = strategies.Workload{Jobs: 40, N: 10_000_000}

func TestProcpoolWorkerProfiles(t *testing.T) {
	p := &Procpool{}
	usePool(t, p, profiledWorkload, 2, false)
	ctx := context.Background()
	if err := p.StartWorkerProfiles(ctx); err != nil {
		t.Fatalf("StartWorkerProfiles: %v", err)
	}
	runVerified(t, p, profiledWorkload, 2)
	merged, err := p.StopWorkerProfiles(ctx)
	if err != nil {
		t.Fatalf("StopWorkerProfiles: %v", err)
	}
	if err := merged.CheckValid(); err != nil {
		t.Fatalf("merged profile is not valid: %v", err)
	}

	want := map[string]bool{}
	for _, pid := range p.Pids() {
		want[strconv.Itoa(pid)] = true
	}
	got := samplesByPID(merged)
	if len(got) < 2 {
		t.Errorf("samples by pid label: %v, want samples from both workers %v", got, want)
	}
	for pid := range got {
		if !want[pid] {
			t.Errorf("samples labelled pid %q, which is not a worker (workers %v)", pid, want)
		}
	}
	if !hasFunction(merged, "strategies.XORSum") {
		t.Errorf("merged profile has no samples in strategies.XORSum")
	}

	// What is written is what go tool pprof reads.
	var buf bytes.Buffer
	if err := merged.Write(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := profile.Parse(&buf)
	if err != nil {
		t.Fatalf("Parse of the written profile: %v", err)
	}
	if err := back.CheckValid(); err != nil {
		t.Fatalf("parsed profile is not valid: %v", err)
	}
	if got, want := samplesByPID(back), samplesByPID(merged); !maps.Equal(got, want) {
		t.Errorf("after a round trip, samples by pid = %v, want %v", got, want)
	}

	// Profiles can be taken again, and a batch without them is unchanged.
	runVerified(t, p, profiledWorkload, 2)
	if _, err := p.StopWorkerProfiles(ctx); err == nil {
		t.Error("StopWorkerProfiles without a start succeeded, want an error")
	}
}

func TestProcpoolProfileSurvivesFault(t *testing.T) {
	p := &Procpool{}
	usePool(t, p, profiledWorkload, 2, false)
	ctx := context.Background()
	if err := p.StartWorkerProfiles(ctx); err != nil {
		t.Fatalf("StartWorkerProfiles: %v", err)
	}
	killed := p.Pids()[0]
	time.AfterFunc(20*time.Millisecond, func() { syscall.Kill(killed, syscall.SIGKILL) })
	runVerified(t, p, profiledWorkload, 2)
	if got := lastFaults(t, p); got != 1 {
		t.Fatalf("faults/op = %d, want 1", got)
	}
	merged, err := p.StopWorkerProfiles(ctx)
	if err != nil {
		t.Fatalf("StopWorkerProfiles: %v", err)
	}
	if got := samplesByPID(merged); got[strconv.Itoa(killed)] != 0 {
		t.Errorf("samples from the killed worker %d: %v, want none (its profile died with it)", killed, got)
	}
	if c := strings.Join(merged.Comments, "\n"); !strings.Contains(c, "profiles of 1 failed workers are lost") {
		t.Errorf("comments %q do not say a profile was lost", c)
	}
}

func TestProfilesNeedPrepare(t *testing.T) {
	p := &Procpool{}
	if err := p.StartWorkerProfiles(context.Background()); err == nil {
		t.Error("StartWorkerProfiles before Prepare succeeded, want an error")
	}
	if _, err := p.StopWorkerProfiles(context.Background()); err == nil {
		t.Error("StopWorkerProfiles before Start succeeded, want an error")
	}
}

func TestMergeWorkerProfiles(t *testing.T) {
	mk := func(fn string, n int64) *profile.Profile {
		f := &profile.Function{ID: 1, Name: fn}
		l := &profile.Location{ID: 1, Line: []profile.Line{{Function: f}}}
		return &profile.Profile{
			SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
			PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
			Period:     10_000_000,
			Sample:     []*profile.Sample{{Location: []*profile.Location{l}, Value: []int64{n, n * 10_000_000}}},
			Location:   []*profile.Location{l},
			Function:   []*profile.Function{f},
		}
	}
	merged, err := MergeWorkerProfiles(map[int]*profile.Profile{101: mk("a", 3), 202: mk("a", 5)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := samplesByPID(merged), map[string]int64{"101": 3, "202": 5}; !maps.Equal(got, want) {
		t.Errorf("samples by pid = %v, want %v", got, want)
	}
	if _, err := MergeWorkerProfiles(nil); err == nil {
		t.Error("MergeWorkerProfiles(nil) succeeded, want an error")
	}
}

// samplesByPID counts samples (the first value) by their pid label.
func samplesByPID(p *profile.Profile) map[string]int64 {
	got := map[string]int64{}
	for _, s := range p.Sample {
		for _, pid := range s.Label["pid"] {
			got[pid] += s.Value[0]
		}
	}
	return got
}

func hasFunction(p *profile.Profile, suffix string) bool {
	for _, s := range p.Sample {
		for _, l := range s.Location {
			for _, ln := range l.Line {
				if ln.Function != nil && strings.HasSuffix(ln.Function.Name, suffix) {
					return true
				}
			}
		}
	}
	return false
}
