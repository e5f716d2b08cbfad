package harness

import (
	"os"
	"runtime"
	"strconv"
	"strings"

	"github.com/parbench/parbench/runfiles"
)

// Header is the config lines every bench.txt starts with: where and how
// the run happened, and the workload, so a reader of the file alone can
// tell what was measured. program says which program measured: parbench's
// version and commit lines, and the main module's when it is not parbench
// (runfiles.KeyMainModule); env adds the machine's description.
func Header(c Config, r *Runner, program, env [][2]string) [][2]string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	h := [][2]string{
		{runfiles.KeyGOOS, runtime.GOOS},
		{runfiles.KeyGOARCH, runtime.GOARCH},
		{runfiles.KeyHost, host},
		{runfiles.KeyGo, runtime.Version()},
	}
	h = append(h, program...)
	h = append(h, env...)
	h = append(h, c.WorkloadConfig()...)
	h = append(h, ModuleConfig(c.Strategies)...)
	h = append(h,
		[2]string{runfiles.KeyEnforcement, r.Enforcement},
		[2]string{runfiles.KeyWarmup, strconv.Itoa(c.Warmup)},
		[2]string{runfiles.KeySeed, strconv.FormatInt(c.Seed, 10)},
	)
	if !c.Unpaired {
		h = append(h,
			[2]string{runfiles.KeyBaseline, runfiles.BaselineOwnCPUs},
			[2]string{runfiles.KeyPairing, "each sample's baseline-ns/op is the time its jobs take at the mean per-CPU rate of a serial baseline half run right before or after it, in the same process, on the configuration's own CPUs one at a time (CPUSpeed lines)"})
	}
	if r.pin {
		list := make([]string, len(r.CPUs))
		for i, cpu := range r.CPUs {
			list[i] = strconv.Itoa(cpu)
		}
		h = append(h, [2]string{runfiles.KeyCPUList, strings.Join(list, ",")})
	}
	if c.Precision > 0 {
		h = append(h,
			[2]string{runfiles.KeyPrecisionTarget, strconv.FormatFloat(c.Precision, 'g', -1, 64)},
			[2]string{runfiles.KeyBudget, c.Budget.String()},
			[2]string{runfiles.KeyMinRounds, strconv.Itoa(c.Count)})
	} else {
		h = append(h, [2]string{runfiles.KeyRounds, strconv.Itoa(c.Count)})
	}
	return h
}

// WorkloadConfig is the workload as config lines. Results whose workload
// lines differ measure different things and must not be compared.
func (c Config) WorkloadConfig() [][2]string {
	w := c.Workload
	return [][2]string{
		{runfiles.KeyJobs, strconv.Itoa(w.Jobs)},
		{runfiles.KeyN, strconv.FormatInt(w.N, 10)},
		{runfiles.KeySleep, w.Sleep.String()},
		{runfiles.KeyGap, w.Gap.String()},
		{runfiles.KeyChecksum, strconv.FormatInt(w.Checksum(), 10)},
	}
}
