package harness

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"github.com/parbench/parbench/strategies"
)

func TestDecodeMessage(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		want    string // which field is set: check, start, sample or error
		wantErr string // a substring of the error
	}{
		{name: "check", line: `{"check":{"pid":12,"gomaxprocs":2,"cpus":2}}`, want: "check"},
		{name: "check with newline", line: `{"check":{"pid":12,"gomaxprocs":2,"cpus":0}}` + "\n", want: "check"},
		{name: "start", line: `{"start":{"strategy":"pool","cores":2,"workers":2}}`, want: "start"},
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
		{name: "negative startup", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5,"startup":-1}}`, wantErr: "negative cpu or start-up"},
		{name: "zero cores", line: `{"sample":{"strategy":"pool","cores":0,"workers":1,"wall":5}}`, wantErr: "cores 0"},
		{name: "zero workers", line: `{"sample":{"strategy":"pool","cores":1,"workers":0,"wall":5}}`, wantErr: "workers 0"},
		{name: "metric unit with space", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5,"metrics":[{"Unit":"a b","Value":1}]}}`, wantErr: `metric unit "a b"`},
		{name: "empty metric unit", line: `{"sample":{"strategy":"pool","cores":1,"workers":1,"wall":5,"metrics":[{"Unit":"","Value":1}]}}`, wantErr: `metric unit ""`},
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
		{Check: &forkCheck{PID: 99, GOMAXPROCS: 2, CPUs: 2}},
		{Start: &tr},
		{Sample: &Sample{Trial: tr, Round: 4, Wall: 12345, CPU: 23456, Startup: 7,
			Metrics: []strategies.Metric{{Unit: "faults/op", Value: 1.5}},
			Jobs:    []strategies.Result{{Job: 1, Sum: 2, Worker: 2, Start: 3, End: 4}}}},
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
	case m.Start != nil:
		return *m.Start
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
	if m.Start != nil {
		kinds = append(kinds, "start")
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
	case s.Cores < 1 || s.Workers < 1:
		return fmt.Errorf("accepted a sample with cores %d, workers %d", s.Cores, s.Workers)
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

func TestCheckFork(t *testing.T) {
	tests := []struct {
		name    string
		pin     bool
		cores   int
		check   forkCheck
		wantErr string
	}{
		{"pinned and right", true, 2, forkCheck{PID: 7, GOMAXPROCS: 2, CPUs: 2}, ""},
		{"unpinned ignores the mask", false, 2, forkCheck{PID: 7, GOMAXPROCS: 2, CPUs: 8}, ""},
		{"unpinned with mask unknown", false, 1, forkCheck{PID: 7, GOMAXPROCS: 1, CPUs: 0}, ""},
		{"wrong GOMAXPROCS", true, 2, forkCheck{PID: 7, GOMAXPROCS: 4, CPUs: 2}, "(pid 7) has GOMAXPROCS 4, want 2"},
		{"wrong GOMAXPROCS unpinned", false, 1, forkCheck{PID: 7, GOMAXPROCS: 2}, "(pid 7) has GOMAXPROCS 2, want 1"},
		{"too many CPUs", true, 2, forkCheck{PID: 7, GOMAXPROCS: 2, CPUs: 8}, "(pid 7) may run on 8 CPUs, want 2"},
		{"too few CPUs", true, 2, forkCheck{PID: 7, GOMAXPROCS: 2, CPUs: 1}, "(pid 7) may run on 1 CPUs, want 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Runner{pin: tt.pin}
			err := r.checkFork(tt.cores, tt.check)
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

func TestReadMessages(t *testing.T) {
	a := Trial{Strategy: "serial", Cores: 1, Workers: 1}
	b := Trial{Strategy: "pool", Cores: 1, Workers: 1}
	req := forkRequest{Fork: Fork{Cores: 1, Trials: []Trial{a, b}}}
	check := `{"check":{"pid":5,"gomaxprocs":1,"cpus":1}}`
	start := func(t Trial) string {
		return fmt.Sprintf(`{"start":{"strategy":%q,"cores":%d,"workers":%d}}`, t.Strategy, t.Cores, t.Workers)
	}
	sample := func(t Trial) string {
		return fmt.Sprintf(`{"sample":{"strategy":%q,"cores":%d,"workers":%d,"wall":10,"cpu":10}}`, t.Strategy, t.Cores, t.Workers)
	}
	tests := []struct {
		name    string
		lines   []string
		got     int
		starts  int
		wantErr string
	}{
		{"complete", []string{check, start(a), sample(a), start(b), sample(b)}, 2, 2, ""},
		{"blank lines are skipped", []string{"", check, "  ", start(a), sample(a)}, 1, 1, ""},
		{"nothing", nil, 0, 0, ""},
		{"last line without newline", []string{check, start(a), sample(a) + "NONL"}, 1, 1, ""},
		{"results before the check", []string{start(a)}, 0, 0, "before its core check"},
		{"wrong GOMAXPROCS", []string{`{"check":{"pid":5,"gomaxprocs":2,"cpus":1}}`}, 0, 0, "GOMAXPROCS 2, want 1"},
		{"sample out of order", []string{check, sample(b)}, 0, 0, "sample for pool cores=1 workers=1, which was not asked for next"},
		{"sample twice", []string{check, sample(a), sample(a)}, 1, 0, "not asked for next"},
		{"one sample too many", []string{check, sample(a), sample(b), sample(b)}, 2, 0, "not asked for next"},
		{"error message", []string{check, start(a), `{"error":"serial cores=1 workers=1: boom"}`}, 0, 1, "serial cores=1 workers=1: boom"},
		{"garbage", []string{check, "fatal error: all goroutines are asleep"}, 0, 0, "malformed message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Join(tt.lines, "\n")
			if strings.HasSuffix(in, "NONL") {
				in = strings.TrimSuffix(in, "NONL")
			} else if in != "" {
				in += "\n"
			}
			r := &Runner{pin: true}
			starts := 0
			var samples []Trial
			got, err := r.readMessages(strings.NewReader(in), req,
				func(Trial) { starts++ },
				func(s Sample) error { samples = append(samples, s.Trial); return nil })
			checkErr(t, err, tt.wantErr)
			if got != tt.got || len(samples) != tt.got {
				t.Errorf("got %d samples (%d delivered), want %d", got, len(samples), tt.got)
			}
			if starts != tt.starts {
				t.Errorf("got %d starts, want %d", starts, tt.starts)
			}
		})
	}
}

func TestReadMessagesStopsOnSampleError(t *testing.T) {
	a := Trial{Strategy: "serial", Cores: 1, Workers: 1}
	req := forkRequest{Fork: Fork{Cores: 1, Trials: []Trial{a, a}}}
	in := `{"check":{"pid":5,"gomaxprocs":1,"cpus":1}}
{"sample":{"strategy":"serial","cores":1,"workers":1,"wall":10}}
{"sample":{"strategy":"serial","cores":1,"workers":1,"wall":10}}
`
	calls := 0
	got, err := (&Runner{}).readMessages(strings.NewReader(in), req, func(Trial) {},
		func(Sample) error { calls++; return fmt.Errorf("disk full") })
	checkErr(t, err, "disk full")
	if got != 1 || calls != 1 {
		t.Errorf("got %d samples and %d calls, want 1 and 1: the first callback error stops reading", got, calls)
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
