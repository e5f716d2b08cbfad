// Package childproc holds what the strategies whose workers run in child
// processes share: the machine-wide clock their results are timed on, and
// a bounded record of what a child writes to stderr.
package childproc

import (
	"fmt"
	"sync"
	"time"
)

// StartTimeout bounds a child's start-up, from exec to its first message:
// generous, as a child may share its CPU with many others, and finite, so
// that a child that never answers fails its strategy instead of hanging it.
const StartTimeout = 30 * time.Second

// HeadBuffer keeps the first Limit bytes written to it and counts the
// rest: a child's panic message comes first, and a child must not be able
// to fill the parent's memory. It is safe for concurrent use, as
// exec.Cmd copies a child's stderr on a goroutine of its own.
type HeadBuffer struct {
	Limit int

	mu      sync.Mutex
	b       []byte
	dropped int
}

// Write keeps what fits under Limit and never fails, so that a chatty
// child is not stopped by its parent's bookkeeping.
func (h *HeadBuffer) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := max(0, min(len(p), h.Limit-len(h.b)))
	h.b = append(h.b, p[:n]...)
	h.dropped += len(p) - n
	return len(p), nil
}

// String is what was kept, and how much was not.
func (h *HeadBuffer) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dropped > 0 {
		return fmt.Sprintf("%s... (%d more bytes)", h.b, h.dropped)
	}
	return string(h.b)
}
