package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// samples holds one message of every type, for round trips and seeds.
var samples = []struct {
	name string
	m    Message
}{
	{"hello", Hello{Version: Version, PID: 4242, CPU: 3 * time.Millisecond}},
	{"jobs", Jobs{N: 500000, Sleep: 2 * time.Second, IDs: []int64{0, 1, 7, 1 << 40}}},
	{"jobs with their CPU", Jobs{N: 500000, JobCPU: true, IDs: []int64{3}}},
	{"no jobs", Jobs{N: 1, IDs: []int64{}}},
	{"results", Results{CPUStart: 900 * time.Millisecond, CPU: time.Second, Results: []Result{
		{Job: 7, Sum: -12345, Start: 100, End: 250},
		{Job: 8, Sum: 1 << 62, Start: 250, End: 400, CPU: 120},
	}}},
	{"profile start", ProfileStart{}},
	{"profile started", ProfileStarted{}},
	{"profile stop", ProfileStop{}},
	{"profile", Profile{Data: []byte("\x1f\x8bnot really gzip")}},
	{"failure", Failure{Msg: "cpu profiling already in use"}},
}

func TestRoundTrip(t *testing.T) {
	var stream bytes.Buffer
	w := NewWriter(&stream)
	for _, s := range samples {
		if err := w.Write(s.m); err != nil {
			t.Fatalf("Write(%s): %v", s.name, err)
		}
	}
	r := NewReader(&stream)
	for _, s := range samples {
		got, err := r.Read()
		if err != nil {
			t.Fatalf("Read after %s: %v", s.name, err)
		}
		if !reflect.DeepEqual(got, s.m) {
			t.Errorf("%s: got %#v, want %#v", s.name, got, s.m)
		}
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("Read at end: got %v, want io.EOF", err)
	}
}

func TestLargeProfileRoundTrip(t *testing.T) {
	data := bytes.Repeat([]byte("pprof"), 100000) // 500 kB, read in steps
	var stream bytes.Buffer
	if err := NewWriter(&stream).Write(Profile{Data: data}); err != nil {
		t.Fatal(err)
	}
	m, err := NewReader(&stream).Read()
	if err != nil {
		t.Fatal(err)
	}
	if got := m.(Profile).Data; !bytes.Equal(got, data) {
		t.Errorf("got %d bytes back, want the %d written", len(got), len(data))
	}
}

// frame builds raw frame bytes, bypassing the encoder's checks.
func frame(t Type, length uint32, payload []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, length)
	b = append(b, byte(t))
	return append(b, payload...)
}

func TestReadMalformed(t *testing.T) {
	jobsPayload := func(n uint32, ids int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, 10)
		b = binary.LittleEndian.AppendUint64(b, 0)
		b = binary.LittleEndian.AppendUint32(b, 0) // flags
		b = binary.LittleEndian.AppendUint32(b, n)
		return append(b, make([]byte, 8*ids)...)
	}
	tests := []struct {
		name string
		in   []byte
		want error  // errors.Is target
		msg  string // substring of the message
	}{
		{"text, not a frame", []byte("panic: runtime error\n"), ErrMalformed, "unknown frame type 99"},
		{"zero type", frame(0, 0, nil), ErrMalformed, "unknown frame type 0"},
		{"unknown type", frame(200, 0, nil), ErrMalformed, "unknown frame type 200"},
		{"huge length", frame(TypeProfile, 1<<31, nil), ErrMalformed, "length 2147483648"},
		{"jobs over the limit", frame(TypeJobs, uint32(jobsHead+8*(MaxJobs+1)), nil), ErrMalformed, "length"},
		{"job count disagrees with length", frame(TypeJobs, jobsHead+8, jobsPayload(5, 1)), ErrMalformed, "5 jobs in a payload of 32 bytes"},
		{"job count over the limit", frame(TypeJobs, jobsHead, jobsPayload(MaxJobs+1, 0)), ErrMalformed, "1025 jobs"},
		{"short jobs header", frame(TypeJobs, 3, []byte{1, 2, 3}), ErrMalformed, "want at least 24"},
		{"negative n", frame(TypeJobs, jobsHead, append(binary.LittleEndian.AppendUint64(nil, 1<<63), make([]byte, 16)...)), ErrMalformed, "n -9223372036854775808"},
		{"unknown jobs flag", frame(TypeJobs, jobsHead, append(make([]byte, 16), 2, 0, 0, 0, 0, 0, 0, 0)), ErrMalformed, "unknown flags 0x2"},
		{"results count disagrees", frame(TypeResults, resultsHd, append(make([]byte, 16), 1, 0, 0, 0)), ErrMalformed, "1 results in a payload of 20 bytes"},
		{"results CPU back in time", frame(TypeResults, resultsHd, append(binary.LittleEndian.AppendUint64(nil, 5), make([]byte, 12)...)), ErrMalformed, "CPU time 0 at the chunk's end, 5 at its start"},
		{"hello with wrong magic", frame(TypeHello, uint32(helloLen), make([]byte, helloLen)), ErrMalformed, "magic"},
		{"hello too short", frame(TypeHello, 4, []byte("PBPR")), ErrMalformed, "want 28"},
		{"control frame with payload", frame(TypeProfileStop, 1, []byte{0}), ErrMalformed, "length 1, want at most 0"},
		{"cut in the header", []byte{1, 0}, io.ErrUnexpectedEOF, ""},
		{"cut in the payload", frame(TypeFailure, 10, []byte("abc")), io.ErrUnexpectedEOF, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewReader(bytes.NewReader(tt.in)).Read()
			if !errors.Is(err, tt.want) {
				t.Fatalf("Read = %#v, %v; want an error wrapping %v", m, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func TestAppendRejects(t *testing.T) {
	tests := []struct {
		name string
		m    Message
	}{
		{"nil", nil},
		{"too many jobs", Jobs{N: 1, IDs: make([]int64, MaxJobs+1)}},
		{"negative n", Jobs{N: -1}},
		{"negative sleep", Jobs{N: 1, Sleep: -time.Second}},
		{"too many results", Results{Results: make([]Result, MaxJobs+1)}},
		{"long failure", Failure{Msg: strings.Repeat("x", MaxFailureBytes+1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Append([]byte("keep"), tt.m)
			if err == nil {
				t.Fatalf("Append succeeded, want an error")
			}
			if string(b) != "keep" {
				t.Errorf("Append changed its buffer to %q on error, want it unchanged", b)
			}
		})
	}
}

// FuzzReader feeds arbitrary bytes to a Reader: it must return messages or
// errors, never panic, and every message it returns must encode back to a
// frame that decodes to the same message.
func FuzzReader(f *testing.F) {
	for _, s := range samples {
		b, err := Append(nil, s.m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("garbage\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in))
		for range 64 {
			m, err := r.Read()
			if err != nil {
				if m != nil {
					t.Fatalf("Read returned %#v with error %v, want nil", m, err)
				}
				return
			}
			b, err := Append(nil, m)
			if err != nil {
				t.Fatalf("decoded %#v, which does not encode: %v", m, err)
			}
			again, err := NewReader(bytes.NewReader(b)).Read()
			if err != nil {
				t.Fatalf("re-encoded %#v does not decode: %v", m, err)
			}
			if !reflect.DeepEqual(again, m) {
				t.Fatalf("round trip changed %#v into %#v", m, again)
			}
		}
	})
}
