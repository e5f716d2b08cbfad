//go:build linux

package harness

import (
	"slices"
	"testing"
)

func TestParseCPUList(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{in: "", want: nil},
		{in: "0", want: []int{0}},
		{in: "0-3", want: []int{0, 1, 2, 3}},
		{in: "0,4", want: []int{0, 4}},
		{in: "0-3,8,10-11", want: []int{0, 1, 2, 3, 8, 10, 11}},
		{in: "5-5", want: []int{5}},
		{in: "0-127", want: seq(0, 127)},
		{in: "a", wantErr: true},
		{in: "1-", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "3-1", wantErr: true},
		{in: "1,,2", wantErr: true},
		{in: "1,", wantErr: true},
		{in: ",1", wantErr: true},
		{in: "1-2-3", wantErr: true},
		{in: " 1", wantErr: true},
		{in: "0x1", wantErr: true},
		{in: "0-99999999", wantErr: true},
		{in: "9223372036854775806-9223372036854775807", wantErr: true}, // once looped forever
		{in: "9223372036854775807", wantErr: true},
		{in: "99999999999999999999", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseCPUList(tt.in)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %v, want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want %v", err, tt.want)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAllowedCPUsMatchesAffinity(t *testing.T) {
	cpus, err := AllowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(cpus), affinityCount(); got != want {
		t.Errorf("AllowedCPUs: got %d CPUs (%v), want the %d of the affinity mask", got, cpus, want)
	}
	sorted := slices.Sorted(slices.Values(cpus))
	if len(slices.Compact(sorted)) != len(cpus) {
		t.Errorf("AllowedCPUs: got %v, want no CPU twice", cpus)
	}
	for _, c := range cpus {
		if s := readSiblings(c); s != nil && !slices.Contains(s, c) {
			t.Errorf("readSiblings(%d): got %v, want a group holding %d", c, s, c)
		}
	}
}
