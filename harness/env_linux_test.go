//go:build linux

package harness

import (
	"math"
	"os"
	"testing"
	"testing/fstest"
	"time"
)

const x86cpuinfo = `processor	: 0
vendor_id	: AuthenticAMD
model name	: AMD EPYC 7B13
flags		: fpu vme de pse hypervisor lahf_lm

processor	: 1
model name	: AMD EPYC 7B13
`

func TestProbeEnvFromFiles(t *testing.T) {
	stats := []string{
		"cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 400 0 0 0 0 0 0\nintr 1\n",
		"cpu  150 0 110 880 10 0 0 0 0 0\ncpu0 75 0 55 440 5 0 0 0 0 0\ncpu1 75 0 55 440 5 0 0 0 0 0\nintr 2\n",
	}
	root := fstest.MapFS{
		"proc/cpuinfo":                  {Data: []byte(x86cpuinfo)},
		"sys/devices/system/cpu/online": {Data: []byte("0-1\n")},
		"proc/meminfo":                  {Data: []byte("MemTotal:       16384000 kB\nMemFree: 1 kB\n")},
		"proc/sys/kernel/ostype":        {Data: []byte("Linux\n")},
		"proc/sys/kernel/osrelease":     {Data: []byte("6.1.0-18-amd64\n")},
		"proc/loadavg":                  {Data: []byte("0.52 0.40 0.30 1/83 7632\n")},
		"proc/stat":                     {Data: []byte(stats[0])},
		"sys/devices/system/cpu/cpu0/cpufreq/scaling_governor": {Data: []byte("performance\n")},
		"sys/devices/system/cpu/cpu1/cpufreq/scaling_governor": {Data: []byte("powersave\n")},
		"sys/class/dmi/id/sys_vendor":                          {Data: []byte("QEMU\n")},
		"sys/class/dmi/id/product_name":                        {Data: []byte("Standard PC (Q35 + ICH9, 2009)\n")},
		"proc/self/cgroup":                                     {Data: []byte("0::/user.slice/bench\n")},
		"sys/fs/cgroup/user.slice/bench/cpu.max":               {Data: []byte("150000 100000\n")},
	}
	slept := time.Duration(0)
	e := probeEnv(root, time.Second, func(d time.Duration) {
		slept = d
		root["proc/stat"] = &fstest.MapFile{Data: []byte(stats[1])}
	})
	if slept != time.Second {
		t.Errorf("slept %v between /proc/stat samples, want 1s", slept)
	}
	want := Env{
		CPUModel: "AMD EPYC 7B13", CPUsOnline: 2, MemoryBytes: 16384000 * 1024, Kernel: "Linux 6.1.0-18-amd64",
		LoadAvg: [3]float64{0.52, 0.40, 0.30}, LoadAvgKnown: true,
		// 60 of 150 ticks busy (iowait counts as idle) on 2 CPUs.
		BusyCPUs: 0.8, Governor: "performance,powersave", Virtualization: "qemu", CPUQuota: 1.5,
	}
	if math.Abs(e.BusyCPUs-want.BusyCPUs) > 1e-9 {
		t.Errorf("BusyCPUs = %v, want %v", e.BusyCPUs, want.BusyCPUs)
	}
	e.BusyCPUs = want.BusyCPUs
	if e != want {
		t.Errorf("probeEnv =\n%+v, want\n%+v", e, want)
	}
}

func TestProbeEnvNothingReadable(t *testing.T) {
	e := probeEnv(fstest.MapFS{}, 0, func(time.Duration) {})
	if e.CPUModel != "unknown" || e.Governor != "unknown" || e.Virtualization != "unknown" || e.LoadAvgKnown ||
		!math.IsNaN(e.BusyCPUs) || e.MemoryBytes != 0 || e.CPUQuota != 0 || e.CPUsOnline < 1 {
		t.Errorf("probeEnv of an empty tree = %+v, want unknowns and NumCPU", e)
	}
}

func TestVirtualization(t *testing.T) {
	tests := []struct {
		name, cpuinfo, vendor, product, xen, want string
	}{
		{"bare metal", "flags : fpu sse\n", "Dell Inc.", "PowerEdge R650", "", "none"},
		{"kvm", "flags : fpu hypervisor\n", "Red Hat", "KVM", "", "kvm"},
		{"vmware", "flags : fpu hypervisor\n", "VMware, Inc.", "VMware7,1", "", "vmware"},
		{"hyper-v", "flags : hypervisor\n", "Microsoft Corporation", "Virtual Machine", "", "hyperv"},
		{"gce", "flags : hypervisor\n", "Google", "Google Compute Engine", "", "gce"},
		{"ec2 says only its vendor", "flags : hypervisor\n", "Amazon EC2", "m5.large", "", "hypervisor"},
		{"flag only", "flags : hypervisor\n", "", "", "", "hypervisor"},
		{"xen", "", "", "", "xen", "xen"},
		{"arm without dmi", "Features : fp asimd\n", "", "", "", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := virtualization([]byte(tt.cpuinfo), tt.vendor, tt.product, tt.xen); got != tt.want {
				t.Errorf("virtualization = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCPUQuota(t *testing.T) {
	tests := []struct {
		name string
		fs   fstest.MapFS
		want float64
	}{
		{"v2 no limit", fstest.MapFS{"proc/self/cgroup": {Data: []byte("0::/\n")}, "sys/fs/cgroup/cpu.max": {Data: []byte("max 100000\n")}}, 0},
		{"v2 limit at root", fstest.MapFS{"sys/fs/cgroup/cpu.max": {Data: []byte("200000 100000\n")}}, 2},
		{"v1 limit", fstest.MapFS{
			"proc/self/cgroup": {Data: []byte("4:cpu,cpuacct:/docker/abc\n")},
			"sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us":  {Data: []byte("50000\n")},
			"sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us": {Data: []byte("100000\n")},
		}, 0.5},
		{"v1 unlimited", fstest.MapFS{"sys/fs/cgroup/cpu/cpu.cfs_quota_us": {Data: []byte("-1\n")}}, 0},
		{"nothing", fstest.MapFS{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cpuQuota(tt.fs); got != tt.want {
				t.Errorf("cpuQuota = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCPUModel(t *testing.T) {
	tests := []struct{ name, cpuinfo, want string }{
		{"x86", x86cpuinfo, "AMD EPYC 7B13"},
		{"spaces collapsed", "model name\t: Intel(R)  Xeon(R)   CPU\n", "Intel(R) Xeon(R) CPU"},
		{"arm hardware", "processor : 0\nHardware : BCM2835\n", "BCM2835"},
		{"none", "processor : 0\n", "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cpuModel([]byte(tt.cpuinfo)); got != tt.want {
				t.Errorf("cpuModel = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestProbeEnvHere reads this machine: whatever it is, the probe must not
// fail and must find at least one CPU.
func TestProbeEnvHere(t *testing.T) {
	e := probeEnv(os.DirFS("/"), 20*time.Millisecond, time.Sleep)
	if e.CPUsOnline < 1 || e.CPUModel == "" || e.Governor == "" || e.Virtualization == "" {
		t.Errorf("ProbeEnv here = %+v", e)
	}
	t.Logf("%+v", e)
}
