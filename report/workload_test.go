package report

import (
	"strings"
	"testing"
	"time"
)

func TestParseWorkload(t *testing.T) {
	tests := []struct {
		name    string
		kv      [][2]string
		want    Workload
		wantErr string
	}{
		{"every key", [][2]string{{"jobs", "10"}, {"n", "500000"}, {"sleep", "2s"}, {"gap", "100ms"}, {"checksum", "-7"}},
			Workload{Jobs: 10, N: 500000, Sleep: 2 * time.Second, Gap: 100 * time.Millisecond, Checksum: -7}, ""},
		{"keys not recorded are zero", [][2]string{{"n", "1000"}}, Workload{N: 1000}, ""},
		{"bad values name their key", [][2]string{{"jobs", "ten"}, {"n", "5"}, {"gap", "soon"}}, Workload{N: 5},
			`workload parameter jobs "ten": not a whole number` + "\n" + `workload parameter gap "soon": not a duration`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWorkload(tt.kv)
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if gotErr := errString(err); gotErr != tt.wantErr {
				t.Errorf("error %q, want %q", gotErr, tt.wantErr)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestWorkloadTitle(t *testing.T) {
	tests := []struct {
		w    Workload
		want string
	}{
		{Workload{Jobs: 1024, N: 500000}, "XOR-sum: 1024 jobs × 500000 iterations"},
		{Workload{Jobs: 10, N: 1000, Sleep: 2 * time.Second, Gap: 100 * time.Millisecond}, "XOR-sum: 10 jobs × 1000 iterations, sleep 2s, gap 100ms"},
		{Workload{N: 1000}, "XOR-sum"},
	}
	for _, tt := range tests {
		if got := tt.w.Title(); got != tt.want {
			t.Errorf("%+v: Title() = %q, want %q", tt.w, got, tt.want)
		}
	}
}

func TestReportWarnsOfABadWorkloadValue(t *testing.T) {
	rep, err := FromResults(results(with(machineConfig, "jobs", "many"), map[string][]float64{
		"strategy=serial/workers=1-1": spread(1, 10),
	}), fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Params.Jobs != 0 || rep.Params.N != 1000 {
		t.Errorf("Params = %+v, want jobs 0 (unreadable) and n 1000", rep.Params)
	}
	found := false
	for _, w := range rep.Warnings {
		found = found || strings.Contains(w.Error(), `workload parameter jobs "many"`)
	}
	if !found {
		t.Errorf("warnings %v, want one naming jobs \"many\"", rep.Warnings)
	}
}
