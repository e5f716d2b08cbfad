package strategies

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestExpectedMatchesKernel(t *testing.T) {
	tests := []struct {
		name   string
		job, n int64
	}{
		{"empty range", 5, 0},
		{"one iteration", 7, 1},
		{"job zero", 0, 1000},
		{"power of two", 3, 1024},
		{"one past power of two", 3, 1025},
		{"default n", 12345, DefaultN},
		{"job above n", 1 << 40, 777},
		{"all low bits set", 1<<20 - 1, 99991},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := Expected(tt.job, tt.n), XORSum(tt.job, tt.n); got != want {
				t.Errorf("Expected(%d, %d) = %d, want %d (the loop)", tt.job, tt.n, got, want)
			}
		})
	}
}

// TestExpectedWraps checks the closed form where the int64 sum overflows:
// both wrap modulo 2^64, so they must still agree. The loop is too slow at
// such n, so the check uses the identity sum(j^i) = sum over bits, verified
// against a loop over a range whose top bits are all set.
func TestExpectedWraps(t *testing.T) {
	// n = 2^32: every bit below 32 is set in exactly half of the i, so the
	// sum for job 0 is sum_b 2^31 * 2^b = 2^31 * (2^32 - 1).
	const n = int64(1) << 32
	want := int64(1<<31) * (1<<32 - 1)
	if got := Expected(0, n); got != want {
		t.Errorf("Expected(0, 2^32) = %d, want %d", got, want)
	}
	// Above 2^63 / n the true sum no longer fits; it must wrap, not panic.
	big := int64(1<<62 + 12345)
	_ = Expected(1<<61, big)
}

func FuzzExpected(f *testing.F) {
	f.Add(int64(0), int64(1))
	f.Add(int64(12345), int64(4097))
	f.Add(int64(1<<50), int64(3000))
	f.Fuzz(func(t *testing.T, job, n int64) {
		if job < 0 {
			job = -job
		}
		if job < 0 { // math.MinInt64
			job = 0
		}
		n %= 5000 // keep the reference loop quick
		if n < 0 {
			n = -n
		}
		if got, want := Expected(job, n), XORSum(job, n); got != want {
			t.Errorf("Expected(%d, %d) = %d, want %d", job, n, got, want)
		}
	})
}

func TestWorkloadValidate(t *testing.T) {
	tests := []struct {
		name string
		w    Workload
		want string // substring of the error; "" for none
	}{
		{"valid", Workload{Jobs: 1, N: 1}, ""},
		{"no jobs", Workload{Jobs: 0, N: 1}, "jobs 0"},
		{"no iterations", Workload{Jobs: 1, N: 0}, "n 0"},
		{"negative sleep", Workload{Jobs: 1, N: 1, Sleep: -time.Second}, "sleep -1s"},
		{"negative gap", Workload{Jobs: 1, N: 1, Gap: -time.Millisecond}, "gap -1ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.w.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	w := Workload{Jobs: 3, N: 100}
	good := func() []Result {
		return []Result{
			{Job: 0, Sum: Expected(0, 100)},
			{Job: 1, Sum: Expected(1, 100)},
			{Job: 2, Sum: Expected(2, 100)},
		}
	}
	tests := []struct {
		name   string
		mutate func([]Result) []Result
		want   string
	}{
		{"all good", func(r []Result) []Result { return r }, ""},
		{"out of order is fine", func(r []Result) []Result { r[0], r[2] = r[2], r[0]; return r }, ""},
		{"lost job", func(r []Result) []Result { return r[:2] }, "job 2 lost"},
		{"duplicate", func(r []Result) []Result { return append(r, r[1]) }, "job 1 returned twice"},
		{"wrong sum", func(r []Result) []Result { r[1].Sum++; return r }, "job 1: sum"},
		{"foreign job", func(r []Result) []Result { r[2].Job = 7; return r }, "job 7 is not in the batch"},
		{"negative job", func(r []Result) []Result { r[0].Job = -1; return r }, "job -1 is not in the batch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(w, tt.mutate(good()))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Verify = %v, want an error containing %q", err, tt.want)
			}
			if !errors.Is(err, ErrUnverified) {
				t.Errorf("Verify error %v does not wrap ErrUnverified", err)
			}
		})
	}
}

func TestLowerBound(t *testing.T) {
	// The article's schedule: 10 jobs 0.1 s apart, 2 s sleep each.
	w := Workload{Jobs: 10, N: DefaultN, Sleep: 2 * time.Second, Gap: 100 * time.Millisecond}
	if got, want := w.LowerBound(time.Millisecond), 2901*time.Millisecond; got != want {
		t.Errorf("LowerBound = %v, want %v", got, want)
	}
}
