package profiles

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// TraceLimits bounds what ReadTrace reads, so that a trace too large to
// split in reasonable memory is refused with an error instead of
// exhausting it. A field left 0 takes DefaultTraceLimits' value.
//
// Time grows with the events. Memory grows with the largest generation of
// the trace, since the parser reads one whole before it yields its
// events: the runtime starts a generation about every second, and 8 MB
// generations peaked at 35 MiB of heap. A file made of one generation as
// large as MaxBytes could take about four times MaxBytes.
type TraceLimits struct {
	MaxBytes  int64 // the trace file's size
	MaxEvents int64 // the events the parser produces
}

// DefaultTraceLimits is 64 MiB and 16 million events. A traced batch
// makes 2 to 8 events and 10 to 41 bytes per job (a pool with tiny jobs
// the fewest, a goroutine per job with a sleep in each the most), so
// 100 000 jobs are at most 4 MB and a million at most 41 MB. A million
// jobs on a pool, each a short XOR-sum and a sleep, were 29 MB and 5.5
// million events, which SplitTrace read in 1.2 s on a 2-vCPU VM. The
// limits take any of those, and keep the worst case near 256 MiB of heap.
var DefaultTraceLimits = TraceLimits{MaxBytes: 64 << 20, MaxEvents: 16 << 20}

// minTraceVersion is the oldest trace format read: Go 1.22's. The parser
// reads older formats whole into memory, which the limits cannot bound.
const minTraceVersion = 22

// checkTraceVersion refuses what is not a trace of Go 1.22 or later,
// before the parser sees it. The header is "go 1.N trace" padded with
// zero bytes to 16.
func checkTraceVersion(br *bufio.Reader) error {
	head, err := br.Peek(16)
	if err != nil && len(head) == 0 {
		return fmt.Errorf("reading a trace: %w", err)
	}
	var minor int
	if _, err := fmt.Sscanf(string(head), "go 1.%d trace", &minor); err != nil || !strings.HasPrefix(string(head), "go 1.") {
		return fmt.Errorf("not a Go execution trace: it starts %q", head[:min(len(head), 16)])
	}
	if minor < minTraceVersion {
		return fmt.Errorf("a Go 1.%d execution trace: only Go 1.%d and later traces are read", minor, minTraceVersion)
	}
	return nil
}

// traceError words a parser error, or a read past the size limit, as one
// line.
func traceError(src *boundedReader, lim TraceLimits, events int64, err error) error {
	if src.over {
		return fmt.Errorf("trace larger than %d bytes: refused, beyond the limit", lim.MaxBytes)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("trace event %d: trace cut short: %w", events, err)
	}
	return fmt.Errorf("trace event %d: malformed trace: %s", events, strings.Join(strings.Fields(err.Error()), " "))
}

// boundedReader reads at most left bytes from r, and fails past them.
type boundedReader struct {
	r    io.Reader
	left int64
	over bool
}

var errTraceTooLarge = errors.New("trace larger than its limit")

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more says whether the trace ends at the limit.
		var one [1]byte
		if n, _ := io.ReadFull(b.r, one[:]); n > 0 {
			b.over = true
			return 0, errTraceTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
