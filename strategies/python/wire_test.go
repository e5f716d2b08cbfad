package python

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/parbench/parbench/strategies"
)

func TestParsePyLine(t *testing.T) {
	tests := []struct {
		name string
		line string
		want pyLine
		bad  string // a part of the error, "" for none
	}{
		{"hello", "hello 1 3.11.7", pyLine{Kind: pyHello, Proto: 1, Version: "3.11.7"}, ""},
		{"result", "result 3 -5 1 100 200", pyLine{Kind: pyResult, Job: 3, Sum: -5, Worker: 1, Start: 100, End: 200}, ""},
		{"done", "done 10 123456", pyLine{Kind: pyDone, Count: 10, CPU: 123456}, ""},
		{"error", "error bad request: x", pyLine{Kind: pyError, Text: "bad request: x"}, ""},
		{"fault running a job", "fault 4242 -9 3", pyLine{Kind: pyFault, PID: 4242, Exit: -9, Job: 3}, ""},
		{"fault outside a job", "fault 4242 1 -1", pyLine{Kind: pyFault, PID: 4242, Exit: 1, Job: -1}, ""},
		{"fault short", "fault 4242 -9", pyLine{}, "2 fields, want 3"},
		{"fault not a number", "fault 4242 SIGKILL 3", pyLine{}, "not a decimal integer"},
		{"empty", "", pyLine{}, "unknown kind"},
		{"unknown kind", "results 1 2 3 4 5", pyLine{}, "unknown kind"},
		{"result short", "result 1 2 3 4", pyLine{}, "4 fields, want 5"},
		{"result long", "result 1 2 3 4 5 6", pyLine{}, "6 fields, want 5"},
		{"two spaces", "result 1  2 3 4 5", pyLine{}, "fields"},
		{"trailing space", "done 1 2 ", pyLine{}, "3 fields, want 2"},
		{"plus sign", "done +1 2", pyLine{}, "not a decimal integer"},
		{"leading zero", "done 01 2", pyLine{}, "not a decimal integer"},
		{"overflow", "done 9223372036854775808 2", pyLine{}, "not a decimal integer"},
		{"not a number", "result a 2 3 4 5", pyLine{}, "not a decimal integer"},
		{"control byte", "done 1 2\r", pyLine{}, "not printable"},
		{"non-ASCII", "error caf\u00e9", pyLine{}, "not printable"},
		{"hello without version", "hello 1", pyLine{}, "want hello"},
		{"hello bad protocol", "hello x 3.8.0", pyLine{}, "protocol"},
		{"too long", "error " + strings.Repeat("x", pyMaxLine), pyLine{}, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parsePyLine([]byte(tt.line))
			if tt.bad != "" {
				if err == nil || !errors.Is(err, errPyMalformed) || !strings.Contains(err.Error(), tt.bad) {
					t.Fatalf("parsePyLine(%.40q) = %+v, %v; want an error with %q", tt.line, got, err, tt.bad)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("parsePyLine(%q) = %+v, %v; want %+v", tt.line, got, err, tt.want)
			}
			if f := got.format(); f != tt.line {
				t.Errorf("format() = %q, want %q", f, tt.line)
			}
		})
	}
}

func TestPyResultFrom(t *testing.T) {
	w := strategies.Workload{Jobs: 4, N: 10, Gap: 10 * time.Millisecond}
	const t0 = 1_000_000_000
	ms := int64(time.Millisecond)
	tests := []struct {
		name string
		l    pyLine
		want strategies.Result
		bad  string
	}{
		{"ok", pyLine{Kind: pyResult, Job: 2, Sum: 7, Worker: 1, Start: t0 + 20*ms, End: t0 + 25*ms},
			strategies.Result{Job: 2, Sum: 7, Worker: 1, Start: 20 * time.Millisecond, End: 25 * time.Millisecond}, ""},
		{"job past the batch", pyLine{Job: 4, Start: t0, End: t0}, strategies.Result{}, "job 4 is not in the batch"},
		{"negative job", pyLine{Job: -1, Start: t0, End: t0}, strategies.Result{}, "job -1 is not in the batch"},
		{"worker out of range", pyLine{Job: 0, Worker: 2, Start: t0, End: t0}, strategies.Result{}, "worker 2, want 0..1"},
		{"ends before start", pyLine{Job: 0, Start: t0 + 2, End: t0 + 1}, strategies.Result{}, "ends before it starts"},
		{"before the batch", pyLine{Job: 0, Start: -1 << 63, End: t0}, strategies.Result{}, "started before the batch"},
		{"before its release", pyLine{Job: 3, Start: t0 + 29*ms, End: t0 + 40*ms}, strategies.Result{}, "before its release at 30ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pyResultFrom(tt.l, w, 2, t0)
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad) {
					t.Fatalf("got %+v, %v; want an error with %q", got, err, tt.bad)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestPyFaultCause(t *testing.T) {
	w := strategies.Workload{Jobs: 4, N: 10}
	tests := []struct {
		name string
		l    pyLine
		want string
		bad  string
	}{
		{"killed running a job", pyLine{Kind: pyFault, PID: 4242, Exit: -9, Job: 3},
			"pool worker pid 4242 killed by signal 9 (killed) running job 3, which runs again", ""},
		{"exited outside a job", pyLine{Kind: pyFault, PID: 4242, Exit: 3, Job: -1},
			"pool worker pid 4242 exited with status 3 outside a job", ""},
		{"job past the batch", pyLine{Kind: pyFault, PID: 4242, Exit: -9, Job: 4}, "", "running job 4, not in the batch (jobs 0..3)"},
		{"job below -1", pyLine{Kind: pyFault, PID: 4242, Exit: -9, Job: -2}, "", "running job -2, not in the batch"},
		{"pid 0", pyLine{Kind: pyFault, PID: 0, Exit: -9, Job: 0}, "", "fault of worker pid 0"},
		{"pid past int32", pyLine{Kind: pyFault, PID: 1 << 31, Exit: -9, Job: 0}, "", "fault of worker pid 2147483648"},
		{"status past a byte", pyLine{Kind: pyFault, PID: 4242, Exit: 256, Job: 0}, "", "exit 256, neither a status nor a signal"},
		{"no such signal", pyLine{Kind: pyFault, PID: 4242, Exit: -128, Job: 0}, "", "exit -128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pyFaultCause(tt.l, w)
			if tt.bad != "" {
				if err == nil || !errors.Is(err, errPyMalformed) || !strings.Contains(err.Error(), tt.bad) {
					t.Fatalf("got %q, %v; want an error with %q", got, err, tt.bad)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// FuzzParsePyLine: no line makes the decoder panic, and whatever it
// accepts it writes back as the same line.
func FuzzParsePyLine(f *testing.F) {
	for _, s := range []string{
		"hello 1 3.11.7", "result 0 4999950000 1 491834426539 491839004298", "done 4 35939001",
		"error bad request", "", "result -0 1 1 1 1", "done 1 2 ", "hello  ", strings.Repeat("9", 2000),
		"fault 4242 -9 3", "fault 4242 1 -1", "fault -1 -9223372036854775808 9223372036854775807",
	} {
		f.Add([]byte(s))
	}
	w := strategies.Workload{Jobs: 16, N: 1, Gap: time.Millisecond}
	f.Fuzz(func(t *testing.T, line []byte) {
		l, err := parsePyLine(line)
		if err != nil {
			return
		}
		if got := l.format(); got != string(line) {
			t.Fatalf("parsePyLine(%q) then format() = %q", line, got)
		}
		switch l.Kind {
		case pyResult:
			pyResultFrom(l, w, 4, 1000) // must not panic either
		case pyFault:
			pyFaultCause(l, w) // nor this
		}
	})
}
