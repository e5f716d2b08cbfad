// Package proftest builds small CPU profiles, as the profiling pass
// writes them, for tests of what reads them.
package proftest

import (
	"bytes"

	"github.com/google/pprof/profile"

	"github.com/parbench/parbench/profiles"
)

// Kernel is an encoded CPU profile of n samples of the XOR-sum kernel
// and one of the scheduler, every sample labelled with labels.
func Kernel(n int, labels map[string][]string) ([]byte, error) {
	kernel := &profile.Function{ID: 1, Name: profiles.KernelFunc}
	sched := &profile.Function{ID: 2, Name: "runtime.schedule"}
	kl := &profile.Location{ID: 1, Line: []profile.Line{{Function: kernel}}}
	sl := &profile.Location{ID: 2, Line: []profile.Line{{Function: sched}}}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
		Sample: []*profile.Sample{
			{Location: []*profile.Location{kl}, Value: []int64{int64(n), int64(n) * 10_000_000}, Label: labels},
			{Location: []*profile.Location{sl}, Value: []int64{1, 10_000_000}, Label: labels},
		},
		Location: []*profile.Location{kl, sl},
		Function: []*profile.Function{kernel, sched},
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
