package profiles

import (
	"github.com/google/pprof/profile"
)

// ComputeFunc is the full name of the function that runs one job, the
// kernel and the sleep after it. A timeline's job interval measures it, so
// a CPU sample with it on the stack ran inside a job.
const ComputeFunc = modulePath + "/strategies.Compute"

// OutsideJobs is the share of a CPU profile's time spent outside any job:
// samples with neither ComputeFunc nor KernelFunc on the stack. That is the
// CPU that works while a timeline shows no job running: hand-offs between
// jobs (the scheduler finding the next goroutine, channel receives, pipe
// reads), idle threads spinning for work, and the harness around the
// batch. The profile is checked as Breakdown checks it, and the same
// errors are returned.
func OutsideJobs(p *profile.Profile) (float64, error) {
	if _, err := Breakdown(p); err != nil {
		return 0, err
	}
	cpu := 0
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			cpu = i
		}
	}
	var outside, total int64
	for _, s := range p.Sample {
		v := s.Value[cpu]
		total += v
		if !inJob(s) {
			outside += v
		}
	}
	return float64(outside) / float64(total), nil
}

// inJob says whether a sample's stack passes through a job.
func inJob(s *profile.Sample) bool {
	for _, loc := range s.Location {
		if loc == nil {
			continue
		}
		for _, ln := range loc.Line {
			if ln.Function != nil && (ln.Function.Name == ComputeFunc || ln.Function.Name == KernelFunc) {
				return true
			}
		}
	}
	return false
}
