// Package wire is the frame codec between the procpool strategy and its
// worker processes, which talk over the worker's stdin and stdout.
//
// A conversation opens with the worker's Hello (magic, protocol version,
// pid, CPU time so far). After that every message is a frame:
//
//	length uint32   // little endian, bytes after the header
//	type   uint8
//	payload [length]byte
//
// The parent sends Jobs, ProfileStart and ProfileStop; the worker answers
// every Jobs frame with one Results frame in the same order, ProfileStart
// with ProfileStarted, ProfileStop with Profile, and reports a request it
// cannot serve with Failure. Integers are little endian, times are
// nanoseconds.
//
// A Reader never trusts a length: every type has a maximum, and a payload
// whose size does not match its contents is an error wrapping ErrMalformed,
// never a panic or an allocation of the claimed size.
package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Version is the protocol version a worker announces in its Hello. A parent
// refuses a worker that speaks another one.
const Version = 3

// Magic opens every Hello, so a worker binary that does not serve the
// protocol (it printed usage text, say) is told apart from a bad frame.
const Magic = "PBPROCPL"

// MaxJobs is the largest number of jobs in one Jobs or Results frame. It
// keeps a frame well inside a pipe's buffer.
const MaxJobs = 1024

// Limits on variable-size payloads.
const (
	MaxProfileBytes = 64 << 20
	MaxFailureBytes = 4 << 10
)

// ErrMalformed is wrapped by every error about bytes that are not a valid
// frame.
var ErrMalformed = errors.New("malformed frame")

// Type says what a frame holds.
type Type uint8

// The frame types. Zero is not a type, so a run of zero bytes is an error.
const (
	TypeHello Type = iota + 1
	TypeJobs
	TypeResults
	TypeProfileStart
	TypeProfileStarted
	TypeProfileStop
	TypeProfile
	TypeFailure
)

func (t Type) String() string {
	switch t {
	case TypeHello:
		return "hello"
	case TypeJobs:
		return "jobs"
	case TypeResults:
		return "results"
	case TypeProfileStart:
		return "profile-start"
	case TypeProfileStarted:
		return "profile-started"
	case TypeProfileStop:
		return "profile-stop"
	case TypeProfile:
		return "profile"
	case TypeFailure:
		return "failure"
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// Message is one decoded frame: Hello, Jobs, Results, ProfileStart,
// ProfileStarted, ProfileStop, Profile or Failure.
type Message interface {
	Type() Type
	// appendPayload encodes the payload, without the header.
	appendPayload(b []byte) []byte
}

// Hello is the worker's first frame.
type Hello struct {
	Version uint32
	PID     int64
	CPU     time.Duration // the worker's user+system time when it wrote this
}

// Jobs asks a worker to run the listed jobs in order, each the XOR-sum of N
// iterations followed by Sleep.
type Jobs struct {
	N     int64
	Sleep time.Duration
	// JobCPU asks for each job's CPU time in its Result.
	JobCPU bool
	IDs    []int64
}

// Result is one job's outcome. Start and End are readings of the worker's
// CLOCK_MONOTONIC in nanoseconds, a clock all processes on the machine share.
type Result struct {
	Job, Sum   int64
	Start, End int64
	// CPU is the job's thread CPU time in nanoseconds when the Jobs frame
	// asked for it, else 0.
	CPU int64
}

// Results answers one Jobs frame, job for job. CPU minus CPUStart is the
// worker's CPU for the chunk, from the moment it had read the frame: what
// it spent idle before it (its runtime's own, between batches) is in
// neither.
type Results struct {
	CPUStart time.Duration // the worker's user+system time when it began the chunk
	CPU      time.Duration // the worker's user+system time after the last job
	Results  []Result
}

// ProfileStart asks the worker to start its CPU profile.
type ProfileStart struct{}

// ProfileStarted acknowledges ProfileStart.
type ProfileStarted struct{}

// ProfileStop asks the worker to stop its CPU profile and send it.
type ProfileStop struct{}

// Profile is a worker's CPU profile in pprof's (gzipped protobuf) format.
type Profile struct {
	Data []byte
}

// Failure reports a request the worker could not serve.
type Failure struct {
	Msg string
}

func (Hello) Type() Type          { return TypeHello }
func (Jobs) Type() Type           { return TypeJobs }
func (Results) Type() Type        { return TypeResults }
func (ProfileStart) Type() Type   { return TypeProfileStart }
func (ProfileStarted) Type() Type { return TypeProfileStarted }
func (ProfileStop) Type() Type    { return TypeProfileStop }
func (Profile) Type() Type        { return TypeProfile }
func (Failure) Type() Type        { return TypeFailure }

const (
	headerLen  = 5
	helloLen   = len(Magic) + 4 + 8 + 8
	jobsHead   = 8 + 8 + 4 + 4
	resultsHd  = 8 + 8 + 4
	resultSize = 5 * 8
	// flagJobCPU, in a Jobs frame's flags, asks for each job's CPU time.
	flagJobCPU = 1
)

// maxPayload is the largest payload a frame of type t may carry, or -1 for
// a type that does not exist.
func maxPayload(t Type) int {
	switch t {
	case TypeHello:
		return helloLen
	case TypeJobs:
		return jobsHead + MaxJobs*8
	case TypeResults:
		return resultsHd + MaxJobs*resultSize
	case TypeProfileStart, TypeProfileStarted, TypeProfileStop:
		return 0
	case TypeProfile:
		return MaxProfileBytes
	case TypeFailure:
		return MaxFailureBytes
	}
	return -1
}

// Append appends m's frame to b. It returns an error, and b unchanged, for
// a message no Reader would accept, such as too many jobs.
func Append(b []byte, m Message) ([]byte, error) {
	if err := check(m); err != nil {
		return b, err
	}
	start := len(b)
	b = append(b, 0, 0, 0, 0, byte(m.Type()))
	b = m.appendPayload(b)
	binary.LittleEndian.PutUint32(b[start:], uint32(len(b)-start-headerLen))
	return b, nil
}

// check rejects what the decoder would reject, so a bad frame is caught
// by its sender.
func check(m Message) error {
	switch m := m.(type) {
	case Jobs:
		if len(m.IDs) > MaxJobs {
			return fmt.Errorf("wire: %d jobs in one frame, want at most %d", len(m.IDs), MaxJobs)
		}
		if m.N < 0 || m.Sleep < 0 {
			return fmt.Errorf("wire: jobs frame with n %d, sleep %v: want both 0 or more", m.N, m.Sleep)
		}
	case Results:
		if len(m.Results) > MaxJobs {
			return fmt.Errorf("wire: %d results in one frame, want at most %d", len(m.Results), MaxJobs)
		}
	case Profile:
		if len(m.Data) > MaxProfileBytes {
			return fmt.Errorf("wire: profile of %d bytes, want at most %d", len(m.Data), MaxProfileBytes)
		}
	case Failure:
		if len(m.Msg) > MaxFailureBytes {
			return fmt.Errorf("wire: failure message of %d bytes, want at most %d", len(m.Msg), MaxFailureBytes)
		}
	case nil:
		return errors.New("wire: nil message")
	}
	return nil
}

func (h Hello) appendPayload(b []byte) []byte {
	b = append(b, Magic...)
	b = binary.LittleEndian.AppendUint32(b, h.Version)
	b = binary.LittleEndian.AppendUint64(b, uint64(h.PID))
	return binary.LittleEndian.AppendUint64(b, uint64(h.CPU))
}

func (j Jobs) appendPayload(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(j.N))
	b = binary.LittleEndian.AppendUint64(b, uint64(j.Sleep))
	var flags uint32
	if j.JobCPU {
		flags |= flagJobCPU
	}
	b = binary.LittleEndian.AppendUint32(b, flags)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(j.IDs)))
	for _, id := range j.IDs {
		b = binary.LittleEndian.AppendUint64(b, uint64(id))
	}
	return b
}

func (r Results) appendPayload(b []byte) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(r.CPUStart))
	b = binary.LittleEndian.AppendUint64(b, uint64(r.CPU))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(r.Results)))
	for _, x := range r.Results {
		b = binary.LittleEndian.AppendUint64(b, uint64(x.Job))
		b = binary.LittleEndian.AppendUint64(b, uint64(x.Sum))
		b = binary.LittleEndian.AppendUint64(b, uint64(x.Start))
		b = binary.LittleEndian.AppendUint64(b, uint64(x.End))
		b = binary.LittleEndian.AppendUint64(b, uint64(x.CPU))
	}
	return b
}

func (ProfileStart) appendPayload(b []byte) []byte   { return b }
func (ProfileStarted) appendPayload(b []byte) []byte { return b }
func (ProfileStop) appendPayload(b []byte) []byte    { return b }
func (p Profile) appendPayload(b []byte) []byte      { return append(b, p.Data...) }
func (f Failure) appendPayload(b []byte) []byte      { return append(b, f.Msg...) }

// decode parses the payload p of a frame of type t. The caller has checked
// len(p) against maxPayload(t). The returned message does not alias p.
func decode(t Type, p []byte) (Message, error) {
	le := binary.LittleEndian
	switch t {
	case TypeHello:
		if len(p) != helloLen {
			return nil, malformed(t, "payload of %d bytes, want %d", len(p), helloLen)
		}
		if string(p[:len(Magic)]) != Magic {
			return nil, malformed(t, "magic %q, want %q", p[:len(Magic)], Magic)
		}
		p = p[len(Magic):]
		return Hello{
			Version: le.Uint32(p),
			PID:     int64(le.Uint64(p[4:])),
			CPU:     time.Duration(le.Uint64(p[12:])),
		}, nil
	case TypeJobs:
		if len(p) < jobsHead {
			return nil, malformed(t, "payload of %d bytes, want at least %d", len(p), jobsHead)
		}
		j := Jobs{N: int64(le.Uint64(p)), Sleep: time.Duration(le.Uint64(p[8:]))}
		if j.N < 0 || j.Sleep < 0 {
			return nil, malformed(t, "n %d, sleep %v: want both 0 or more", j.N, j.Sleep)
		}
		flags := le.Uint32(p[16:])
		if flags&^flagJobCPU != 0 {
			return nil, malformed(t, "unknown flags %#x", flags)
		}
		j.JobCPU = flags&flagJobCPU != 0
		n := le.Uint32(p[20:])
		if n > MaxJobs || len(p) != jobsHead+int(n)*8 {
			return nil, malformed(t, "%d jobs in a payload of %d bytes", n, len(p))
		}
		j.IDs = make([]int64, n)
		for i := range j.IDs {
			j.IDs[i] = int64(le.Uint64(p[jobsHead+8*i:]))
		}
		return j, nil
	case TypeResults:
		if len(p) < resultsHd {
			return nil, malformed(t, "payload of %d bytes, want at least %d", len(p), resultsHd)
		}
		r := Results{CPUStart: time.Duration(le.Uint64(p)), CPU: time.Duration(le.Uint64(p[8:]))}
		if r.CPUStart < 0 || r.CPU < r.CPUStart {
			return nil, malformed(t, "CPU time %d at the chunk's end, %d at its start: want 0 <= start <= end", r.CPU, r.CPUStart)
		}
		n := le.Uint32(p[16:])
		if n > MaxJobs || len(p) != resultsHd+int(n)*resultSize {
			return nil, malformed(t, "%d results in a payload of %d bytes", n, len(p))
		}
		r.Results = make([]Result, n)
		for i := range r.Results {
			q := p[resultsHd+resultSize*i:]
			r.Results[i] = Result{
				Job:   int64(le.Uint64(q)),
				Sum:   int64(le.Uint64(q[8:])),
				Start: int64(le.Uint64(q[16:])),
				End:   int64(le.Uint64(q[24:])),
				CPU:   int64(le.Uint64(q[32:])),
			}
			if r.Results[i].CPU < 0 {
				return nil, malformed(t, "result %d with CPU time %d", i, r.Results[i].CPU)
			}
		}
		return r, nil
	case TypeProfileStart:
		return ProfileStart{}, nil
	case TypeProfileStarted:
		return ProfileStarted{}, nil
	case TypeProfileStop:
		return ProfileStop{}, nil
	case TypeProfile:
		return Profile{Data: append([]byte(nil), p...)}, nil
	case TypeFailure:
		return Failure{Msg: string(p)}, nil
	}
	return nil, malformed(t, "unknown frame type")
}

func malformed(t Type, format string, args ...any) error {
	return fmt.Errorf("%w: %v frame: %s", ErrMalformed, t, fmt.Sprintf(format, args...))
}
