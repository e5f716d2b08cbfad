package profiles

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

// FuzzBreakdown feeds Breakdown what profile.Parse makes of any bytes, as
// parbench reads profiles from files: it must return an error or shares
// that are each in [0, 1] and add up to 1, never panic.
func FuzzBreakdown(f *testing.F) {
	for _, stacks := range [][]weighted{
		{{kernelInPool, 3 * time.Second}},
		{{kernelInPool, 600 * time.Millisecond}, {schedIdle, 100 * time.Millisecond}, {chanSendLock, 100 * time.Millisecond},
			{pipeRead, 50 * time.Millisecond}, {gcWorker, 100 * time.Millisecond}, {verifyLoop, 50 * time.Millisecond}},
		{{kernelInPool, 0}},
		nil,
	} {
		var buf bytes.Buffer
		if err := cpuProfile(f, stacks...).Write(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	huge := cpuProfile(f, weighted{kernelInPool, time.Second}, weighted{schedIdle, time.Second})
	for _, smp := range huge.Sample {
		smp.Value[1] = math.MaxInt64
	}
	var buf bytes.Buffer
	if err := huge.Write(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("not a profile"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return // a gzip bomb tests profile.Parse, not Breakdown
		}
		p, err := profile.ParseData(data)
		if err != nil {
			return
		}
		s, err := Breakdown(p)
		if err != nil {
			return
		}
		if s.CPU <= 0 {
			t.Errorf("CPU %v with no error, want more than 0", s.CPU)
		}
		sum := 0.0
		for _, c := range Categories() {
			v := s.Of(c)
			if !(v >= 0 && v <= 1) {
				t.Errorf("share of %v = %v, want 0..1", c, v)
			}
			sum += v
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("shares add up to %v, want 1", sum)
		}
	})
}
