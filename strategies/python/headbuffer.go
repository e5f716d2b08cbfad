package python

import (
	"fmt"
	"sync"
)

// headBuffer keeps the first limit bytes written to it and counts the
// rest: a traceback's first lines say the most, and the program must not
// fill this process's memory.
type headBuffer struct {
	mu      sync.Mutex
	limit   int
	b       []byte
	dropped int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := min(len(p), h.limit-len(h.b))
	h.b = append(h.b, p[:n]...)
	h.dropped += len(p) - n
	return len(p), nil
}

func (h *headBuffer) String() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dropped > 0 {
		return fmt.Sprintf("%s... (%d more bytes)", h.b, h.dropped)
	}
	return string(h.b)
}
