package harness

import (
	"fmt"
	"slices"
)

// The untimed passes after the sweep (timelines and profiles) cost a
// process, a warm-up and, for profiles, seconds per configuration. On a
// machine with many cores, running them at every core count would write
// hundreds of files nobody reads, so Config can name the core counts
// they run at; PassCores gives the default parbench run uses.

// timelineCores is the core counts of the timeline pass, in sweep order.
func (c Config) timelineCores() []int { return passCores(c.Cores, c.TimelineCores) }

// ProfileTrials are the configurations the profiling pass runs, in a
// fixed order: every configuration at the core counts of ProfileCores.
func (c Config) ProfileTrials() []Trial {
	var ts []Trial
	for _, k := range passCores(c.Cores, c.ProfileCores) {
		ts = append(ts, trialsAt(c, k)...)
	}
	return ts
}

// TimelineTrials are the configurations the timeline pass records.
func (c Config) TimelineTrials() []Trial {
	var ts []Trial
	for _, k := range c.timelineCores() {
		ts = append(ts, trialsAt(c, k)...)
	}
	return ts
}

// passCores keeps the sweep's core counts that are in only, or all of
// them when only is nil.
func passCores(cores, only []int) []int {
	if only == nil {
		return cores
	}
	var ks []int
	for _, k := range cores {
		if slices.Contains(only, k) {
			ks = append(ks, k)
		}
	}
	return ks
}

// validatePasses checks that the passes' core counts are in the sweep.
func (c Config) validatePasses() error {
	for _, p := range []struct {
		name  string
		cores []int
	}{{"timeline-cpu", c.TimelineCores}, {"profile-cpu", c.ProfileCores}} {
		for _, k := range p.cores {
			if !slices.Contains(c.Cores, k) {
				return fmt.Errorf("%s %d: not one of the sweep's core counts %v", p.name, k, c.Cores)
			}
		}
	}
	return nil
}
