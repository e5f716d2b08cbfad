package harness

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckBatchRequest(t *testing.T) {
	tests := []struct {
		name string
		br   batchRequest
		want string // "" for accepted
	}{
		{"timed", batchRequest{Trial: Trial{"pool", 2, 2}, Kind: batchTimed}, ""},
		{"warm-up", batchRequest{Trial: Trial{"pool", 2, 3}, Kind: batchWarmup, Index: 1}, ""},
		{"ceiling", batchRequest{Trial: ceilingTrial(2), Kind: batchTimed}, ""},
		{"unknown kind", batchRequest{Trial: Trial{"pool", 2, 2}, Kind: "profile"}, `unknown kind "profile"`},
		{"other cores", batchRequest{Trial: Trial{"pool", 4, 4}, Kind: batchTimed}, "asked of the measurement process for 2 cores"},
		{"no workers", batchRequest{Trial: Trial{"pool", 2, 0}, Kind: batchTimed}, "workers 0"},
		{"ceiling with other workers", batchRequest{Trial: Trial{CeilingStrategy, 2, 5}, Kind: batchTimed}, "one copy per core"},
		{"no strategy", batchRequest{Trial: Trial{"", 2, 2}, Kind: batchTimed}, "no strategy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkBatchRequest(tt.br, 2)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

// FuzzBatchRequest feeds the measurement process's decoder of the
// parent's requests arbitrary lines: no panic, and whatever is accepted
// names this process's core count and a known kind.
func FuzzBatchRequest(f *testing.F) {
	f.Add([]byte(`{"trial":{"strategy":"pool","cores":2,"workers":2},"kind":"timed"}`))
	f.Add([]byte(`{"trial":{"strategy":"ceiling","cores":2,"workers":2},"kind":"warmup","index":1}`))
	f.Add([]byte(`{"trial":{"strategy":"pool","cores":-1,"workers":9223372036854775807},"kind":"timeline"}`))
	f.Add([]byte(`{"kind":null}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, line []byte) {
		var br batchRequest
		if json.Unmarshal(line, &br) != nil {
			return
		}
		if checkBatchRequest(br, 2) != nil {
			return
		}
		if br.Trial.Cores != 2 || br.Trial.Workers < 1 || (br.Kind != batchTimed && br.Kind != batchWarmup && br.Kind != batchTimeline) {
			t.Errorf("accepted %+v", br)
		}
	})
}
