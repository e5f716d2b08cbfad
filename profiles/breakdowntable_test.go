package profiles

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestWriteBreakdown(t *testing.T) {
	shares := func(samples int64, fr ...float64) Shares {
		s := Shares{Samples: samples, CPU: time.Duration(samples) * 10 * time.Millisecond}
		copy(s.Fraction[:], fr)
		return s
	}
	tests := []struct {
		name string
		rows []Row
		want string
	}{
		{"no rows", nil, `# Where each configuration's CPU time went, as a share of the samples in its CPU profile
# (its cpu-<strategy>-<cores>.pprof, from the untimed profiling pass of parbench run -profile).

strategy  cores  workers  samples  cpu-s  kernel  scheduler  chan+lock  syscall+io  gc  other

# kernel:     the XOR-sum itself (strategies.XORSum)
# scheduler:  Go scheduler: finding, parking, waking and starting goroutines and threads, timers
# chan+lock:  channel sends and receives, select, sync.Mutex, WaitGroup, semaphores, atomics
# syscall+io: system calls, pipe reads and writes, the poller, procpool's frame codec
# gc:         garbage collection and allocation
# other:      everything else: the harness, result checks, the strategies' own loops
`},
		{"aligned rows in the given order", []Row{
			{"serial", 1, 1, shares(301, 0.991, 0, 0, 0, 0.002, 0.007)},
			{"perjob-unbounded", 2, 2, shares(1200, 0.9, 0.05, 0.03, 0, 0.0125, 0.0075)},
			{"pool", 2, 2, shares(0)},
		}, `# Where each configuration's CPU time went, as a share of the samples in its CPU profile
# (its cpu-<strategy>-<cores>.pprof, from the untimed profiling pass of parbench run -profile).

strategy          cores  workers  samples  cpu-s  kernel  scheduler  chan+lock  syscall+io    gc  other
serial                1        1      301   3.01   99.1%       0.0%       0.0%        0.0%  0.2%   0.7%
perjob-unbounded      2        2     1200  12.00   90.0%       5.0%       3.0%        0.0%  1.2%   0.8%
pool                  2        2        0   0.00       -          -          -           -     -      -

# kernel:     the XOR-sum itself (strategies.XORSum)
# scheduler:  Go scheduler: finding, parking, waking and starting goroutines and threads, timers
# chan+lock:  channel sends and receives, select, sync.Mutex, WaitGroup, semaphores, atomics
# syscall+io: system calls, pipe reads and writes, the poller, procpool's frame codec
# gc:         garbage collection and allocation
# other:      everything else: the harness, result checks, the strategies' own loops
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteBreakdown(&b, tt.rows); err != nil {
				t.Fatal(err)
			}
			if got := b.String(); got != tt.want {
				t.Errorf("WriteBreakdown wrote\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteBreakdownReportsWriteError(t *testing.T) {
	if err := WriteBreakdown(failingWriter{}, []Row{{Strategy: "pool", Cores: 1, Workers: 1}}); err == nil {
		t.Error("WriteBreakdown to a failing writer succeeded, want its error")
	}
}
