package harness

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPassTrials(t *testing.T) {
	base := Config{Strategies: []string{"serial", "pool"}, Cores: []int{1, 2, 4, 8}, Count: 1}
	tests := []struct {
		name           string
		timeline, prof []int
		wantTimeline   []int // core counts of the timeline trials, in order
		wantProfile    []int
	}{
		{"nil: every core count", nil, nil, []int{1, 1, 2, 2, 4, 4, 8, 8}, []int{1, 1, 2, 2, 4, 4, 8, 8}},
		{"a few, in sweep order", []int{8, 1}, []int{4}, []int{1, 1, 8, 8}, []int{4, 4}},
		{"empty: none", []int{}, []int{}, nil, nil},
	}
	cores := func(ts []Trial) []int {
		var ks []int
		for _, tr := range ts {
			ks = append(ks, tr.Cores)
		}
		return ks
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			c.TimelineCores, c.ProfileCores = tt.timeline, tt.prof
			if got := cores(c.TimelineTrials()); !slices.Equal(got, tt.wantTimeline) {
				t.Errorf("timeline trials at cores %v, want %v", got, tt.wantTimeline)
			}
			if got := cores(c.ProfileTrials()); !slices.Equal(got, tt.wantProfile) {
				t.Errorf("profile trials at cores %v, want %v", got, tt.wantProfile)
			}
		})
	}
}

func TestValidatePasses(t *testing.T) {
	tests := []struct {
		name           string
		timeline, prof []int
		want           string
	}{
		{"in the sweep", []int{1}, []int{2}, ""},
		{"timeline outside the sweep", []int{3}, nil, "timeline-cpu 3: not one of the sweep's core counts [1 2]"},
		{"profile outside the sweep", nil, []int{1, 4}, "profile-cpu 4: not one of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validConfig()
			c.Cores = []int{1, 2}
			c.TimelineCores, c.ProfileCores = tt.timeline, tt.prof
			err := c.Validate(2)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("got %v, want no error", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestRunnerPassesAtTheirCores runs a sweep whose timeline and profiling
// passes are limited to one core count each, and checks that they ran
// there and nowhere else.
func TestRunnerPassesAtTheirCores(t *testing.T) {
	if testing.Short() {
		t.Skip("starts measurement processes")
	}
	r, samples, setp := newProfileRunner(t)
	if len(r.CPUs) < 2 {
		t.Skip("needs 2 CPUs")
	}
	var timelines []Sample
	r.OnTimeline = func(s Sample) error { timelines = append(timelines, s); return nil }
	c := profileConfig("serial", "pool")
	c.Cores = []int{1, 2}
	c.Timeline = true
	c.TimelineCores = []int{2}
	c.ProfileCores = []int{1}
	c.ProfileTime = 50 * time.Millisecond
	if err := r.Run(context.Background(), c); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got, want := len(*samples), len(c.Trials()); got != want {
		t.Errorf("%d timed samples, want %d: the sweep runs at every core count", got, want)
	}
	if got, want := len(timelines), 2; got != want {
		t.Errorf("%d timelines, want %d", got, want)
	}
	for _, s := range timelines {
		if s.Cores != 2 {
			t.Errorf("timeline of %v, want only 2 cores", s.Trial)
		}
	}
	set := *setp
	if set == nil {
		t.Fatal("OnProfiles not called")
	}
	if got, want := len(set.Trials), 2; got != want {
		t.Errorf("%d trials profiled, want %d", got, want)
	}
	for _, tp := range set.Trials {
		if tp.Cores != 1 {
			t.Errorf("profiled %v, want only 1 core", tp.Trial)
		}
	}
}
