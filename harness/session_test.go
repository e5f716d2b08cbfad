package harness

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckRequest(t *testing.T) {
	tests := []struct {
		name string
		req  request
		want string // "" for accepted
	}{
		{"timed", request{Trial: Trial{"pool", 2, 2}, Kind: kindTimed}, ""},
		{"timed with its half", request{Trial: Trial{"pool", 2, 2}, Kind: kindTimed, Half: []Share{{CPU: 0, Jobs: 3}, {CPU: 1, Jobs: 3}}, First: true}, ""},
		{"warm-up", request{Trial: Trial{"pool", 2, 3}, Kind: kindWarmup, Index: 1}, ""},
		{"ceiling", request{Trial: ceilingTrial(2), Kind: kindTimed}, ""},
		{"meter", request{Trial: calibrationTrial(2), Kind: kindMeter, Meter: []Share{{CPU: 0, Jobs: 1}, {CPU: 1, Jobs: 1}}, Bare: true}, ""},
		{"meter unpinned", request{Kind: kindMeter, Meter: []Share{{CPU: -1, Jobs: 1}}}, ""},
		{"profile", request{Trial: Trial{"pool", 2, 2}, Kind: kindProfile, Profile: &profileRequest{CPU: true}}, ""},
		{"unknown kind", request{Trial: Trial{"pool", 2, 2}, Kind: "sample"}, `unknown kind "sample"`},
		{"profile without settings", request{Trial: Trial{"pool", 2, 2}, Kind: kindProfile}, "without its settings"},
		{"other cores", request{Trial: Trial{"pool", 4, 4}, Kind: kindTimed}, "asked of the measurement process for 2 cores"},
		{"no workers", request{Trial: Trial{"pool", 2, 0}, Kind: kindTimed}, "workers 0"},
		{"ceiling with other workers", request{Trial: Trial{CeilingStrategy, 2, 5}, Kind: kindTimed}, "one copy per core"},
		{"no strategy", request{Trial: Trial{"", 2, 2}, Kind: kindTimed}, "no strategy"},
		{"half on a warm-up", request{Trial: Trial{"pool", 2, 2}, Kind: kindWarmup, Half: []Share{{CPU: 0, Jobs: 1}}}, "a baseline half on a warmup batch"},
		{"share without jobs", request{Trial: Trial{"pool", 2, 2}, Kind: kindTimed, Half: []Share{{CPU: 0, Jobs: 0}}}, "share of 0 jobs"},
		{"share on a CPU past any machine", request{Kind: kindMeter, Meter: []Share{{CPU: 1 << 20, Jobs: 1}}}, "on CPU 1048576"},
		{"share on a negative CPU", request{Kind: kindMeter, Meter: []Share{{CPU: -2, Jobs: 1}}}, "on CPU -2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkRequest(tt.req, 2)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// FuzzRequest feeds the measurement process's decoder of the parent's
// requests arbitrary lines: no panic, and whatever is accepted names this
// process's core count and a known kind, with shares it can run.
func FuzzRequest(f *testing.F) {
	f.Add([]byte(`{"trial":{"strategy":"pool","cores":2,"workers":2},"kind":"timed","half":[{"cpu":0,"jobs":3}],"first":true}`))
	f.Add([]byte(`{"trial":{"strategy":"ceiling","cores":2,"workers":2},"kind":"warmup","index":1}`))
	f.Add([]byte(`{"trial":{"strategy":"pool","cores":-1,"workers":9223372036854775807},"kind":"timeline"}`))
	f.Add([]byte(`{"kind":"meter","meter":[{"cpu":-1,"jobs":16777217}],"bare":true}`))
	f.Add([]byte(`{"kind":"profile","trial":{"strategy":"pool","cores":2,"workers":2},"profile":{"dir":"x","cpu":true}}`))
	f.Add([]byte(`{"kind":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var req request
		if json.Unmarshal(line, &req) != nil {
			return
		}
		if checkRequest(req, 2) != nil {
			return
		}
		for _, s := range append(req.Half, req.Meter...) {
			if s.Jobs < 1 || s.CPU < -1 {
				t.Errorf("accepted a share %+v", s)
			}
		}
		if req.Kind == kindMeter {
			return
		}
		switch {
		case req.Trial.Cores != 2 || req.Trial.Workers < 1,
			req.Kind != kindTimed && req.Kind != kindWarmup && req.Kind != kindTimeline && req.Kind != kindProfile,
			req.Kind == kindProfile && req.Profile == nil:
			t.Errorf("accepted %+v", req)
		}
	})
}
