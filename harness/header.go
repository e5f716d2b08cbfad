package harness

import (
	"os"
	"runtime"
	"strconv"
)

// Header is the config lines every bench.txt starts with: where and how
// the run happened, and the workload, so a reader of the file alone can
// tell what was measured. env adds the machine's description.
func Header(c Config, r *Runner, version, commit string, env [][2]string) [][2]string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown"
	}
	h := [][2]string{
		{"goos", runtime.GOOS},
		{"goarch", runtime.GOARCH},
		{"host", host},
		{"go", runtime.Version()},
		{"parbench-version", version},
		{"parbench-commit", commit},
	}
	h = append(h, env...)
	h = append(h, c.WorkloadConfig()...)
	h = append(h, ModuleConfig(c.Strategies)...)
	h = append(h,
		[2]string{"cores-enforcement", r.Enforcement},
		[2]string{"warmup", strconv.Itoa(c.Warmup)},
		[2]string{"seed", strconv.FormatInt(c.Seed, 10)},
	)
	return h
}

// WorkloadConfig is the workload as config lines. Results whose workload
// lines differ measure different things and must not be compared.
func (c Config) WorkloadConfig() [][2]string {
	w := c.Workload
	return [][2]string{
		{"jobs", strconv.Itoa(w.Jobs)},
		{"n", strconv.FormatInt(w.N, 10)},
		{"sleep", w.Sleep.String()},
		{"gap", w.Gap.String()},
		{"checksum", strconv.FormatInt(w.Checksum(), 10)},
	}
}
