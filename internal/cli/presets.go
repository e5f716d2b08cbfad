package cli

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/parbench/parbench/report"
	"github.com/parbench/parbench/strategies"
)

// preset is a named workload and sweep: flag values that apply unless the
// user sets the same flag.
type preset struct {
	name     string
	question string
	flags    [][2]string // flag name, value, in the order they are applied
	// parts, if set, make the preset a sequence of other presets, each
	// its own sweep with its own run folder and report: a question over
	// more than one workload. One report of all of them follows, with a
	// section per workload (report.Set).
	parts []string
}

// presets are the scenarios parbench ships; "cpu" is the default sweep.
var presets = []preset{
	{
		name:     "cpu",
		question: "How do the strategies scale on coarse CPU-bound jobs?",
		// 128 jobs: a serial batch of tens of ms (about 50 ms on a
		// 2-vCPU cloud VM), so that the two halves of a pair are close
		// in time; still 64 jobs per worker at 2 cores, 8 at 16.
		flags: [][2]string{{"jobs", "128"}},
	},
	{
		name:     "seed",
		question: "The article's experiment: 10 jobs, a 2 s sleep each, 0.1 s apart, at workers = cores - 1 (its rule) and 11 (its 12-core machine). How close does each strategy get to the bound the arrival schedule allows?",
		flags: [][2]string{
			{"jobs", "10"}, {"n", "500000"}, {"sleep", "2s"}, {"gap", "100ms"},
			{"workers", "cores-1,11"}, {"cpu", "max"}, {"count", "6"}, {"warmup", "0"}, {"timeline", "true"},
			// Batches of 20 s of sleep: a pair would double the time and
			// cancel no drift, and the ceiling of CPU work says nothing.
			{"paired", "false"}, {"ceiling", "false"},
		},
	},
	{
		name:     "fine",
		question: "What does each strategy cost per job when jobs are tiny and dispatch dominates?",
		flags:    [][2]string{{"jobs", "100000"}, {"n", "1000"}},
	},
	{
		name:     "wait",
		question: "Jobs that mostly sleep: do goroutines per job keep scaling past the core count while a pool of cores - 1 does not?",
		flags: [][2]string{
			{"jobs", "64"}, {"n", "1000"}, {"sleep", "10ms"}, {"workers", "cores-1"}, {"count", "6"},
		},
	},
	{
		name:     "libs",
		question: "Which pool should I use? The libs-cpu and the libs-fine sweep, one after the other, then one report of both.",
		parts:    []string{"libs-cpu", "libs-fine"},
	},
	{
		name:     "libs-cpu",
		question: "Which pool should I use? On coarse CPU-bound jobs: how close does each library get to the machine's ceiling?",
		// The cpu preset's batch, so that pairs stay as close in time.
		flags: [][2]string{{"jobs", "128"}, {"strategy", libsStrategies}},
	},
	{
		name:     "libs-fine",
		question: "Which pool should I use? On tiny jobs, where dispatch dominates: what does each library cost per job?",
		flags:    [][2]string{{"jobs", "100000"}, {"n", "1000"}, {"strategy", libsStrategies}},
	},
	{
		name:     "oversub",
		question: "What happens with more workers than cores? Throughput against workers at all cores.",
		flags: [][2]string{
			{"cpu", "max"}, {"workers", "1,2,4,8,16,32,64"}, {"strategy", "pool,perjob,procpool"}, {"count", "6"}, {"timeline", "false"},
		},
	},
}

// libsStrategies are the libs presets' strategies: every strategy that runs
// on a library (it declares the library's module), next to serial, pool
// and static, the baseline, the hand-written pool and no coordination.
var libsStrategies = strings.Join(slices.DeleteFunc(strategies.Names(), func(n string) bool {
	info, _ := strategies.Lookup(n)
	return len(info.Modules) == 0 && n != "serial" && n != "pool" && n != "static"
}), ",")

func presetNames() []string {
	var names []string
	for _, p := range presets {
		names = append(names, p.name)
	}
	return names
}

// applyPreset sets the preset's flags that the user did not set. "max" for
// -cpu stands for every CPU this process may use.
func applyPreset(fs *flag.FlagSet, name string, maxCPU int) error {
	i := slices.IndexFunc(presets, func(p preset) bool { return p.name == name })
	if i < 0 {
		return usageErrorf("-preset %q: want one of %s", name, strings.Join(presetNames(), ", "))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, kv := range presets[i].flags {
		if set[kv[0]] {
			continue
		}
		v := kv[1]
		if kv[0] == "cpu" && v == "max" {
			v = fmt.Sprint(maxCPU)
		}
		if err := fs.Set(kv[0], v); err != nil {
			return fmt.Errorf("preset %s: -%s %s: %w", name, kv[0], v, err)
		}
	}
	return nil
}

func printPresets(w io.Writer) {
	fmt.Fprintf(w, "\nPresets (-preset NAME; flags you set win over the preset's):\n")
	width := 0
	for _, p := range presets {
		width = max(width, len(p.name))
	}
	for _, p := range presets {
		var fl []string
		for _, kv := range p.flags {
			fl = append(fl, "-"+kv[0]+" "+kv[1])
		}
		if len(p.parts) > 0 {
			fl = []string{"-preset " + strings.Join(p.parts, ", then -preset ")}
		}
		if len(fl) == 0 {
			fl = []string{"the flag defaults"}
		}
		fmt.Fprintf(w, "  %-*s %s\n  %*s %s\n", width, p.name, p.question, width, "", strings.Join(fl, " "))
	}
}

// presetParts are the presets that the named one runs in turn, or nil for
// a preset that is one sweep (or no preset at all).
func presetParts(name string) []string {
	i := slices.IndexFunc(presets, func(p preset) bool { return p.name == name })
	if i < 0 {
		return nil
	}
	return presets[i].parts
}

// runPresetParts runs each part of a preset as a run of its own, with the
// user's flags (which win over every part's, as over any preset's): each
// writes its own run folder and report. Then, unless -report=false, one
// report of all the parts' run folders, a section per workload with the
// table that sets them side by side, goes into a folder of its own beside
// them. It stops at the first part that fails; what earlier parts
// measured stays in their folders.
func runPresetParts(stdout, stderr io.Writer, args []string, f runFlags, parts []string) error {
	var dirs []string
	for i, part := range parts {
		fmt.Fprintf(stderr, "parbench: preset %s, part %d of %d: -preset %s\n", f.preset, i+1, len(parts), part)
		// A later -preset wins over the user's, which named this one.
		dir, err := runSweep(stdout, stderr, append(slices.Clip(args), "-preset", part))
		if err != nil {
			return fmt.Errorf("preset %s: %w", part, err)
		}
		if dir != "" {
			dirs = append(dirs, dir)
		}
	}
	if !f.report || f.plan.dryRun || len(dirs) < 2 {
		return nil
	}
	formats, err := parseFormats(f.format)
	if err != nil {
		return err
	}
	inputs, err := report.FindInputs(dirs)
	if err != nil {
		return err
	}
	out := freshDir(filepath.Join(f.out, "report-"+time.Now().UTC().Format("20060102T150405Z")+"-"+f.preset))
	fmt.Fprintf(stderr, "parbench: preset %s: one report of its %d sweeps into %s\n", f.preset, len(dirs), out)
	ctx, stop := interruptContext()
	defer stop()
	if err := writeReport(ctx, stdout, stderr, inputs, out, f.benchstat, formats, false); err != nil {
		return fmt.Errorf("preset %s: %w", f.preset, err)
	}
	return nil
}
