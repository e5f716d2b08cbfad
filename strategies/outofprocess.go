package strategies

import (
	"fmt"
	"sync"

	"github.com/parbench/parbench/strategies/internal/childproc"
)

// The child-process helpers of this package's Python strategies: the same
// as internal/childproc's, which procpool uses, under the names they call.

// procpoolSupported says whether strategies with worker processes can run
// here.
const procpoolSupported = childproc.Supported

// startTimeout bounds a child's start-up, from exec to its first message.
const startTimeout = childproc.StartTimeout

// rawMonotonic reads the machine-wide monotonic clock that child
// processes time their jobs on.
func rawMonotonic() (int64, error) { return childproc.RawMonotonic() }

// headBuffer keeps the first limit bytes written to it and counts the
// rest: a panic message comes first, and a child must not fill memory.
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
