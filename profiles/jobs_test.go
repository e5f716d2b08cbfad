package profiles

import (
	"math"
	"testing"
	"time"
)

func TestOutsideJobs(t *testing.T) {
	compute := modulePath + "/strategies.Compute"
	inlined := []string{KernelFunc + "+" + compute + "+" + modulePath + "/strategies.Pool.Run.func2"}
	preempted := []string{"runtime.gopreempt_m", "runtime.newstack", compute, modulePath + "/strategies.Pool.Run.func2"}
	timer := []string{"runtime.resetForSleep", "time.Sleep", modulePath + "/strategies.Sleep", compute}
	tests := []struct {
		name   string
		stacks []weighted
		want   float64
	}{
		{"kernel only", []weighted{{kernelInPool, time.Second}}, 0},
		{"kernel inlined into Compute", []weighted{{inlined, time.Second}}, 0},
		{"hand-offs between jobs", []weighted{{kernelInPool, 600 * time.Millisecond}, {schedIdle, 250 * time.Millisecond}, {chanSendLock, 150 * time.Millisecond}}, 0.4},
		{"a preempted kernel and a job's sleep are inside the job", []weighted{
			{kernelInPool, 500 * time.Millisecond}, {preempted, 200 * time.Millisecond}, {timer, 200 * time.Millisecond}, {pipeRead, 100 * time.Millisecond},
		}, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := OutsideJobs(cpuProfile(t, tt.stacks...))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got-tt.want) > 1e-9 {
				t.Errorf("OutsideJobs = %v, want %v", got, tt.want)
			}
		})
	}
	if _, err := OutsideJobs(cpuProfile(t)); err == nil {
		t.Error("OutsideJobs of a profile without samples: no error")
	}
}
