package harness

import (
	"math"
	"slices"
	"testing"

	"github.com/parbench/parbench/runfiles"
)

// TestEnvConfigKeys checks that every key Config writes is one the report
// reads, so a renamed key cannot silently switch off a trust check.
func TestEnvConfigKeys(t *testing.T) {
	known := []string{runfiles.KeyCPU, runfiles.KeyCPUsOnline, runfiles.KeyMemory, runfiles.KeyKernel, runfiles.KeyLoadAvg,
		runfiles.KeyBusyCPUs, runfiles.KeyGovernor, runfiles.KeyVirtualization, runfiles.KeyCPUQuota}
	e := Env{CPUModel: "X", CPUsOnline: 2, MemoryBytes: 3 << 30, Kernel: "Linux 6", LoadAvg: [3]float64{1, 2, 3},
		LoadAvgKnown: true, BusyCPUs: 0.25, Governor: "performance", Virtualization: "none", CPUQuota: 1.5}
	got := e.Config()
	want := [][2]string{
		{"cpu", "X"}, {"cpus-online", "2"}, {"memory", "3.0 GiB"}, {"kernel", "Linux 6"},
		{"load-avg", "1.00 2.00 3.00"}, {"busy-cpus", "0.25"}, {"governor", "performance"},
		{"virtualization", "none"}, {"cpu-quota", "1.50"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Config() =\n%v, want\n%v", got, want)
	}
	for _, kv := range got {
		if !slices.Contains(known, kv[0]) {
			t.Errorf("key %q is not one the report reads", kv[0])
		}
	}
	unknown := Env{BusyCPUs: math.NaN()}.Config()
	for _, kv := range unknown {
		if kv[1] == "" || kv[0] == "cpu-quota" {
			t.Errorf("unknown environment: %q = %q, want a value, and no cpu-quota line", kv[0], kv[1])
		}
	}
}
