package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/parbench/parbench/strategies"
)

func TestDecodeMessage(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    string // which field is set: check, sample, fault or error
		wantErr string // a substring of the error
	}{
		{name: "check", line: `{"check":{"pid":12,"gomaxprocs":2,"cpus":2}}`, want: "check"},
		{name: "check with newline", line: `{"check":{"pid":12,"gomaxprocs":2,"cpus":0}}` + "\n", want: "check"},
		{name: "start is no longer a message", line: `{"start":{"strategy":"pool","cores":2,"workers":2}}`, wantErr: "want exactly one"},
		{name: "fault", line: `{"fault":{"trial":{"strategy":"procpool","cores":2,"workers":2},"step":"timed batch","n":1,"causes":["killed"]}}`, want: "fault"},
		{name: "paired sample", line: `{"sample":{"strategy":"pool","cores":2,"workers":2,"wall":1000,"half":[{"cpu":0,"jobs":3,"wall":50,"cpu_time":49},{"cpu":1,"jobs":3,"wall":60}]}}`, want: "sample"},
		{name: "meter sample", line: `{"sample":{"strategy":"calibration","cores":0,"workers":0,"wall":100,"half":[{"cpu":-1,"jobs":1,"wall":50}]}}`, want: "sample"},
		{name: "ceiling sample", line: `{"sample":{"strategy":"ceiling","cores":2,"workers":2,"wall":100,"copies":2,"copies_time":90}}`, want: "sample"},
		{name: "sample", line: `{"sample":{"strategy":"pool","cores":2,"workers":2,"round":0,"wall":1000,"cpu":900}}`, want: "sample"},
		{name: "sample with startup and metrics", line: `{"sample":{"strategy":"procpool","cores":1,"workers":1,"round":3,"wall":1,"cpu":0,"startup":5,"metrics":[{"Unit":"faults/op","Value":2}]}}`, want: "sample"},
		{name: "timeline sample", line: `{"sample":{"strategy":"serial","cores":1,"workers":1,"round":-1,"wall":10,"cpu":10,"jobs":[{"Job":0,"Sum":0,"Worker":0,"Start":0,"End":5}]}}`, want: "sample"},
		{name: "error", line: `{"error":"pool cores=1 workers=1: boom"}`, want: "error"},

		{name: "empty", line: ``, wantErr: "malformed message"},
		{name: "not json", line: `panic: oops`, wantErr: "malformed message"},
		{name: "truncated", line: `{"check":{"pid":12,`, wantErr: "malformed message"},
		{name: "null", line: `null`, wantErr: "want exactly one"},
		{name: "empty object", line: `{}`, wantErr: "want exactly one"},
		{name: "unknown field only", line: `{"hello":1}`, wantErr: "want exactly one"},
		{name: "empty error", line: `{"error":""}`, wantErr: "want exactly one"},
		{name: "null check", line: `{"check":null}`, wantErr: "want exactly one"},
		{name: "two fields", line: `{"check":{"pid":1},"error":"x"}`, wantErr: "want exactly one"},
		{name: "array", line: `[1,2]`, wantErr: "malformed message"},
		{name: "trailing garbage", line: `{"error":"x"} {}`, wantErr: "malformed message"},
		{name: "wrong type", line: `{"sample":{"wall":"1s"}}`, wantErr: "malformed message"},
		{name: "zero wall", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":0}}`, wantErr: "wall time"},
		{name: "negative wall", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":-5}}`, wantErr: "wall time"},
		{name: "negative cpu", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5,"cpu":-1}}`, wantErr: "negative cpu"},
		{name: "negative startup", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5,"startup":-1}}`, wantErr: "negative cpu, start-up"},
		{name: "zero cores", line: `{"sample":{"strategy":"pool","cores":0,"workers":1,"wall":5}}`, wantErr: "cores 0"},
		{name: "zero workers", line: `{"sample":{"strategy":"pool","cores":1,"workers":0,"wall":5}}`, wantErr: "workers 0"},
		{name: "metric unit with space", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5,"metrics":[{"Unit":"a b","Value":1}]}}`, wantErr: `metric unit "a b"`},
		{name: "empty metric unit", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5,"metrics":[{"Unit":"","Value":1}]}}`, wantErr: `metric unit ""`},
		{name: "share without jobs", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5,"half":[{"cpu":0,"jobs":0,"wall":5}]}}`, wantErr: "share of 0 jobs"},
		{name: "untimed share", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5,"half":[{"cpu":0,"jobs":2,"wall":0}]}}`, wantErr: "share of 2 jobs"},
		{name: "share on a CPU past any machine", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5,"half":[{"cpu":70000,"jobs":2,"wall":5}]}}`, wantErr: "on CPU 70000"},
		{name: "negative copies time", line: `{"sample":{"strategy":"ceiling","cores":1,"workers":1,"wall":5,"copies_time":-1}}`, wantErr: "negative cpu"},
		{name: "bad fault", line: `{"fault":{"trial":{"strategy":"procpool","cores":2,"workers":2},"step":"timed batch","n":0}}`, wantErr: "malformed fault"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := decodeMessage([]byte(tt.line))
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("got %+v, want an error containing %q", m, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("got error %q, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("got error %v, want a %s message", err, tt.want)
			}
			if got := messageKind(m); got != tt.want {
				t.Errorf("got a %s message, want %s", got, tt.want)
			}
			if err := messageInvariants(m); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestDecodeMessageReadsWhatServeMeasureWrites encodes every kind of
// message as the measurement process does and decodes it back.
func TestDecodeMessageReadsWhatServeMeasureWrites(t *testing.T) {
	tr := Trial{Strategy: "pool", Cores: 2, Workers: 3}
	msgs := []message{
		{Check: &check{PID: 99, GOMAXPROCS: 2, CPUs: 2}},
		{Sample: &Sample{Trial: tr, Round: 4, Wall: 12345, CPU: 23456, Startup: 7,
			Metrics: []strategies.Metric{{Unit: "faults/op", Value: 1.5}},
			Jobs:    []strategies.Result{{Job: 1, Sum: 2, Worker: 2, Start: 3, End: 4}}}},
		{Sample: &Sample{Trial: tr, Wall: 12345, Half: []ShareTime{{Share: Share{CPU: 1, Jobs: 4}, Wall: 99, CPUTime: 98}}}},
		{Fault: &Fault{Trial: tr, Step: "timed batch", N: 2, Causes: []string{"a", "b"}}},
		{Error: "pool cores=2 workers=3: boom"},
	}
	for _, want := range msgs {
		line, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeMessage(line)
		if err != nil {
			t.Fatalf("decodeMessage(%s): %v", line, err)
		}
		if g, w := fmt.Sprintf("%+v", deref(got)), fmt.Sprintf("%+v", deref(want)); g != w {
			t.Errorf("decodeMessage(%s):\n got %s\nwant %s", line, g, w)
		}
	}
}

// deref shows the set field of a message by value, for comparison.
func deref(m message) any {
	switch {
	case m.Check != nil:
		return *m.Check
	case m.Fault != nil:
		return *m.Fault
	case m.Sample != nil:
		return *m.Sample
	}
	return m.Error
}

func messageKind(m message) string {
	var kinds []string
	if m.Check != nil {
		kinds = append(kinds, "check")
	}
	if m.Fault != nil {
		kinds = append(kinds, "fault")
	}
	if m.Sample != nil {
		kinds = append(kinds, "sample")
	}
	if m.Error != "" {
		kinds = append(kinds, "error")
	}
	return strings.Join(kinds, "+")
}

// messageInvariants is what the runner relies on in a decoded message.
func messageInvariants(m message) error {
	if k := messageKind(m); strings.Contains(k, "+") || k == "" {
		return fmt.Errorf("accepted a message with fields %q set, want exactly one", k)
	}
	s := m.Sample
	if s == nil {
		return nil
	}
	switch {
	case s.Wall <= 0:
		return fmt.Errorf("accepted a sample with wall time %v", s.Wall)
	case s.CPU < 0 || s.Startup < 0:
		return fmt.Errorf("accepted a sample with cpu %v, start-up %v", s.CPU, s.Startup)
	case s.Strategy != CalibrationStrategy && (s.Cores < 1 || s.Workers < 1):
		return fmt.Errorf("accepted a sample with cores %d, workers %d", s.Cores, s.Workers)
	}
	for _, sh := range s.Half {
		if sh.Jobs < 1 || sh.Wall <= 0 || !(sh.Rate() > 0) {
			return fmt.Errorf("accepted a share of %d jobs in %v", sh.Jobs, sh.Wall)
		}
	}
	for _, mt := range s.Metrics {
		if mt.Unit == "" || strings.ContainsFunc(mt.Unit, unicode.IsSpace) {
			return fmt.Errorf("accepted a sample with metric unit %q", mt.Unit)
		}
	}
	return nil
}

func FuzzDecodeMessage(f *testing.F) {
	// More seeds live in testdata/fuzz/FuzzDecodeMessage.
	f.Add([]byte(`{"check":{"pid":1,"gomaxprocs":1,"cpus":1}}`))
	f.Add([]byte(`{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		m, err := decodeMessage(line)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "malformed ") {
				t.Errorf("error %q, want it to start with \"malformed \"", err)
			}
			return
		}
		if err := messageInvariants(m); err != nil {
			t.Errorf("decodeMessage(%q): %v", line, err)
		}
	})
}

func TestCheckCores(t *testing.T) {
	tests := []struct {
		name    string
		pin     bool
		cores   int
		check   check
		wantErr string
	}{
		{"pinned and right", true, 2, check{PID: 7, GOMAXPROCS: 2, CPUs: 2}, ""},
		{"unpinned ignores the mask", false, 2, check{PID: 7, GOMAXPROCS: 2, CPUs: 8}, ""},
		{"unpinned with mask unknown", false, 1, check{PID: 7, GOMAXPROCS: 1, CPUs: 0}, ""},
		{"wrong GOMAXPROCS", true, 2, check{PID: 7, GOMAXPROCS: 4, CPUs: 2}, "(pid 7) has GOMAXPROCS 4, want 2"},
		{"wrong GOMAXPROCS unpinned", false, 1, check{PID: 7, GOMAXPROCS: 2}, "(pid 7) has GOMAXPROCS 2, want 1"},
		{"too many CPUs", true, 2, check{PID: 7, GOMAXPROCS: 2, CPUs: 8}, "(pid 7) may run on 8 CPUs, want 2"},
		{"too few CPUs", true, 2, check{PID: 7, GOMAXPROCS: 2, CPUs: 1}, "(pid 7) may run on 1 CPUs, want 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Runner{pin: tt.pin}
			err := r.checkCores(tt.cores, tt.check)
			checkErr(t, err, tt.wantErr)
		})
	}
}

// checkErr checks err against want, a substring; "" wants no error.
func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("got error %q, want none", err)
	case want != "" && err == nil:
		t.Errorf("got no error, want one containing %q", want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("got error %q, want it to contain %q", err, want)
	}
}

// scriptedSession is a session whose process is a script of output lines:
// do reads its answers from them, and the process has exited once they
// are read.
func scriptedSession(lines ...string) *session {
	s := &session{cores: 1, answers: make(chan answer, 1), exited: make(chan struct{}), quit: make(chan struct{}),
		enc: json.NewEncoder(io.Discard), stop: func(bool) {}}
	in := strings.Join(lines, "\n")
	if in != "" {
		in += "\n"
	}
	pr, pw := io.Pipe()
	go func() {
		io.WriteString(pw, in)
		pw.Close()
		s.exitAt = time.Now().Add(time.Hour) // it died after the request was sent
		s.waitErr = errors.New("exit status 1")
		close(s.exited)
	}()
	go s.read(pr)
	return s
}

func TestSessionDo(t *testing.T) {
	a := Trial{Strategy: "serial", Cores: 1, Workers: 1}
	b := Trial{Strategy: "pool", Cores: 1, Workers: 1}
	sample := func(t Trial) string {
		return fmt.Sprintf(`{"sample":{"strategy":%q,"cores":%d,"workers":%d,"wall":10,"cpu":10}}`, t.Strategy, t.Cores, t.Workers)
	}
	fault := `{"fault":{"trial":{"strategy":"serial","cores":1,"workers":1},"step":"timed batch","n":1}}`
	tests := []struct {
		name    string
		lines   []string
		faults  int
		wantErr string
		process bool // the error is a ProcessError: the sweep replaces the process
	}{
		{"answer", []string{sample(a)}, 0, "", false},
		{"blank lines are skipped", []string{"", "  ", sample(a)}, 0, "", false},
		{"faults before the answer", []string{fault, fault, sample(a)}, 2, "", false},
		{"no answer", nil, 0, "exit status 1", true},
		{"only faults", []string{fault}, 1, "exit status 1", true},
		{"sample for another trial", []string{sample(b)}, 0, "not asked for", true},
		{"something else", []string{`{"check":{"pid":5,"gomaxprocs":1,"cpus":1}}`}, 0, "answered with something else", true},
		{"garbage", []string{"fatal error: all goroutines are asleep"}, 0, "malformed message", true},
		{"the strategy's error", []string{`{"error":"serial cores=1 workers=1: boom"}`}, 0, "boom", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := scriptedSession(tt.lines...)
			faults := 0
			s.onFault = func(Fault) { faults++ }
			got, err := s.do(context.Background(), request{Kind: kindTimed, Trial: a}, 10*time.Second)
			checkErr(t, err, tt.wantErr)
			var pe *ProcessError
			if isPE := errors.As(err, &pe); err != nil && isPE != tt.process {
				t.Errorf("error %v: ProcessError %v, want %v", err, isPE, tt.process)
			}
			if err == nil && got.Trial != a {
				t.Errorf("got a sample of %v, want %v", got.Trial, a)
			}
			if faults != tt.faults {
				t.Errorf("got %d faults, want %d", faults, tt.faults)
			}
		})
	}
}

func TestSessionDoWatchdog(t *testing.T) {
	// A process that never answers: the watchdog gives up on it.
	pr, _ := io.Pipe()
	stopped := false
	s := &session{cores: 2, answers: make(chan answer, 1), exited: make(chan struct{}), quit: make(chan struct{}),
		enc: json.NewEncoder(io.Discard), stop: func(bool) { stopped = true }}
	go s.read(pr)
	_, err := s.do(context.Background(), request{Kind: kindTimed, Trial: Trial{"pool", 2, 2}}, 20*time.Millisecond)
	var pe *ProcessError
	if !errors.As(err, &pe) || !errors.Is(err, errStuck) || pe.Between {
		t.Fatalf("got %v, want a ProcessError for a stuck batch in flight", err)
	}
	if !stopped {
		t.Error("the stuck process was not stopped")
	}
}

func TestSessionDoBetweenBatches(t *testing.T) {
	// A process found dead before the request was sent died between
	// batches: no batch was in flight.
	s := &session{cores: 2, answers: make(chan answer, 1), exited: make(chan struct{}), quit: make(chan struct{}),
		enc: json.NewEncoder(io.Discard), stop: func(bool) {}, waitErr: errors.New("signal: killed"), exitAt: time.Now()}
	close(s.exited)
	time.Sleep(time.Millisecond)
	_, err := s.do(context.Background(), request{Kind: kindTimed, Trial: Trial{"pool", 2, 2}}, time.Second)
	var pe *ProcessError
	if !errors.As(err, &pe) || !pe.Between || !strings.Contains(err.Error(), "between batches: signal: killed") {
		t.Fatalf("got %v, want a ProcessError between batches", err)
	}
}

func TestTailBufferDescribe(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		want   string
	}{
		{"nothing", nil, ""},
		{"only newlines", []string{"\n\n"}, ""},
		{"last line", []string{"one\ntwo\n", "three\n"}, " (stderr: three)"},
		{"panic wins", []string{"x\npanic: boom\n\ngoroutine 1 [running]:\nmain.main()\n"}, " (stderr: panic: boom)"},
		{"fatal error wins", []string{"fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1\n"}, " (stderr: fatal error: all goroutines are asleep - deadlock!)"},
		{"keeps the tail", []string{"panic: early\n", strings.Repeat("x", tailMax) + "\nlast\n"}, " (stderr: last)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b tailBuffer
			for _, w := range tt.writes {
				if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write: got %d, %v, want %d, nil", n, err, len(w))
				}
			}
			if len(b.buf) > tailMax {
				t.Errorf("buffer holds %d bytes, want at most %d", len(b.buf), tailMax)
			}
			if got := b.describe(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
