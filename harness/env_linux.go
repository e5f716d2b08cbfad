//go:build linux

package harness

import (
	"bufio"
	"bytes"
	"io/fs"
	"math"
	"os"
	"path"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ProbeEnv describes this machine from /proc and /sys. It takes EnvSample
// to measure how busy the CPUs are, and never fails: what cannot be read
// is left unknown.
func ProbeEnv() Env {
	return probeEnv(os.DirFS("/"), EnvSample, time.Sleep)
}

// probeEnv reads the files under root (the machine's "/"), sampling
// /proc/stat twice, wait apart.
func probeEnv(root fs.FS, wait time.Duration, sleep func(time.Duration)) Env {
	e := Env{BusyCPUs: math.NaN()}
	cpuinfo, _ := fs.ReadFile(root, "proc/cpuinfo")
	e.CPUModel = cpuModel(cpuinfo)
	e.CPUsOnline = runtime.NumCPU()
	if b, err := fs.ReadFile(root, "sys/devices/system/cpu/online"); err == nil {
		if cpus, err := parseCPUList(strings.TrimSpace(string(b))); err == nil && len(cpus) > 0 {
			e.CPUsOnline = len(cpus)
		}
	}
	e.MemoryBytes = memTotal(readString(root, "proc/meminfo"))
	if typ, rel := readString(root, "proc/sys/kernel/ostype"), readString(root, "proc/sys/kernel/osrelease"); rel != "" {
		e.Kernel = strings.TrimSpace(orUnknown(typ) + " " + rel)
	}
	e.LoadAvg, e.LoadAvgKnown = loadAvg(readString(root, "proc/loadavg"))
	e.Governor = governor(root)
	e.Virtualization = virtualization(cpuinfo, readString(root, "sys/class/dmi/id/sys_vendor"),
		readString(root, "sys/class/dmi/id/product_name"), readString(root, "sys/hypervisor/type"))
	e.CPUQuota = cpuQuota(root)

	before, ok1 := cpuTimes(readString(root, "proc/stat"))
	sleep(wait)
	after, ok2 := cpuTimes(readString(root, "proc/stat"))
	if ok1 && ok2 {
		e.BusyCPUs = busyCPUs(before, after)
	}
	return e
}

// readString is a file's trimmed text, "" if it cannot be read.
func readString(root fs.FS, name string) string {
	b, err := fs.ReadFile(root, name)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// cpuField returns the value of the first line of /proc/cpuinfo whose key
// is one of keys, trying the keys in order.
func cpuField(cpuinfo []byte, keys ...string) string {
	for _, key := range keys {
		sc := bufio.NewScanner(bytes.NewReader(cpuinfo))
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if ok && strings.TrimSpace(k) == key {
				return strings.Join(strings.Fields(v), " ")
			}
		}
	}
	return ""
}

// cpuModel is the CPU's name: "model name" on x86, other keys elsewhere.
func cpuModel(cpuinfo []byte) string {
	return orUnknown(cpuField(cpuinfo, "model name", "Hardware", "Processor", "cpu model", "cpu"))
}

// memTotal is MemTotal from /proc/meminfo in bytes, 0 if not found.
func memTotal(meminfo string) uint64 {
	for _, line := range strings.Split(meminfo, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseUint(f[1], 10, 64)
			if err != nil {
				return 0
			}
			return kb * 1024
		}
	}
	return 0
}

func loadAvg(s string) (avg [3]float64, ok bool) {
	f := strings.Fields(s)
	if len(f) < 3 {
		return avg, false
	}
	for i := range avg {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return avg, false
		}
		avg[i] = v
	}
	return avg, true
}

// cpuTicks are the aggregate "cpu" line of /proc/stat: busy and all ticks,
// and how many CPUs the file lists.
type cpuTicks struct {
	busy, total uint64
	cpus        int
}

func cpuTimes(stat string) (t cpuTicks, ok bool) {
	for _, line := range strings.Split(stat, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == "cpu":
			// user nice system idle iowait irq softirq steal (guest time is
			// already in user); idle and iowait are the idle ones.
			for i := 1; i < len(f) && i <= 8; i++ {
				v, err := strconv.ParseUint(f[i], 10, 64)
				if err != nil {
					return t, false
				}
				t.total += v
				if i != 4 && i != 5 {
					t.busy += v
				}
			}
			ok = len(f) >= 5
		case strings.HasPrefix(f[0], "cpu"):
			t.cpus++
		}
	}
	return t, ok && t.cpus > 0
}

// busyCPUs is how many CPUs' worth was busy between two samples: stolen
// time counts, since a hypervisor's other guests compete too.
func busyCPUs(before, after cpuTicks) float64 {
	if after.total <= before.total || after.busy < before.busy {
		return math.NaN()
	}
	frac := float64(after.busy-before.busy) / float64(after.total-before.total)
	return frac * float64(after.cpus)
}

// governor lists the distinct cpufreq governors of the CPUs, "unknown" if
// none can be read.
func governor(root fs.FS) string {
	files, _ := fs.Glob(root, "sys/devices/system/cpu/cpu*/cpufreq/scaling_governor")
	var govs []string
	for _, f := range files {
		if g := readString(root, f); g != "" && !slices.Contains(govs, g) {
			govs = append(govs, g)
		}
	}
	if len(govs) == 0 {
		return "unknown"
	}
	slices.Sort(govs)
	return strings.Join(govs, ",")
}

// virtualization names the hypervisor from the DMI vendor and product and
// Xen's sysfs entry, or says "hypervisor" when only the CPU's hypervisor
// flag tells, "none" when nothing does, and "unknown" when there was
// nothing to read.
func virtualization(cpuinfo []byte, vendor, product, xen string) string {
	dmi := strings.ToLower(vendor + " " + product)
	known := []struct{ match, name string }{
		{"kvm", "kvm"},
		{"qemu", "qemu"},
		{"vmware", "vmware"},
		{"virtualbox", "virtualbox"},
		{"innotek", "virtualbox"},
		{"xen", "xen"},
		{"bochs", "bochs"},
		{"parallels", "parallels"},
		{"bhyve", "bhyve"},
		{"microsoft corporation virtual machine", "hyperv"},
		{"google compute engine", "gce"},
		{"openstack", "openstack"},
	}
	flags := cpuField(cpuinfo, "flags")
	hypervisor := slices.Contains(strings.Fields(flags), "hypervisor")
	for _, k := range known {
		if strings.Contains(dmi, k.match) {
			return k.name
		}
	}
	switch {
	case xen != "":
		return xen
	case hypervisor:
		// Cloud VMs such as EC2's name their vendor, not the hypervisor.
		return "hypervisor"
	case flags != "" || strings.TrimSpace(dmi) != "":
		return "none"
	}
	return "unknown"
}

// cpuQuota is this process's cgroup CPU limit in CPUs, 0 for none: from
// cgroup v2's cpu.max, or v1's cfs quota and period.
func cpuQuota(root fs.FS) float64 {
	var dirs []string
	for _, line := range strings.Split(readString(root, "proc/self/cgroup"), "\n") {
		// v2: "0::/path"; v1: "4:cpu,cpuacct:/path".
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		p := strings.TrimPrefix(parts[2], "/")
		switch {
		case parts[0] == "0" && parts[1] == "":
			dirs = append(dirs, path.Join("sys/fs/cgroup", p))
		case slices.Contains(strings.Split(parts[1], ","), "cpu"):
			dirs = append(dirs, path.Join("sys/fs/cgroup", parts[1], p), path.Join("sys/fs/cgroup/cpu", p))
		}
	}
	dirs = append(dirs, "sys/fs/cgroup", "sys/fs/cgroup/cpu")
	for _, d := range dirs {
		if f := strings.Fields(readString(root, path.Join(d, "cpu.max"))); len(f) == 2 {
			if f[0] == "max" {
				return 0
			}
			return ratio(f[0], f[1])
		}
		if q := readString(root, path.Join(d, "cpu.cfs_quota_us")); q != "" {
			if strings.HasPrefix(q, "-") {
				return 0
			}
			return ratio(q, readString(root, path.Join(d, "cpu.cfs_period_us")))
		}
	}
	return 0
}

func ratio(a, b string) float64 {
	x, err1 := strconv.ParseFloat(a, 64)
	y, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil || !(x > 0) || !(y > 0) {
		return 0
	}
	return x / y
}
