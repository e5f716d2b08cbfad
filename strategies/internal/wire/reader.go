package wire

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// smallPayload is the size up to which a payload is read into a reused
// buffer; larger ones (profiles) grow as bytes arrive, so a lying length
// costs no more memory than the bytes actually sent.
const smallPayload = 64 << 10

// Reader reads frames from a stream. Its API is modeled on encoding/gob's
// Decoder: one Read per message. After any error the stream is out of step
// and the Reader must not be used again.
type Reader struct {
	r   *bufio.Reader
	hdr [headerLen]byte
	buf []byte
}

// NewReader returns a Reader that buffers r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, smallPayload)}
}

// Read returns the next message. At the end of the stream it returns io.EOF
// if the stream ended between frames and io.ErrUnexpectedEOF if it ended
// inside one; bytes that are not a frame give an error wrapping
// ErrMalformed. The message does not alias the Reader's buffers.
func (r *Reader) Read() (Message, error) {
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		return nil, err // io.EOF between frames, io.ErrUnexpectedEOF inside the header
	}
	n := binary.LittleEndian.Uint32(r.hdr[:4])
	t := Type(r.hdr[4])
	limit := maxPayload(t)
	if limit < 0 {
		return nil, fmt.Errorf("%w: unknown frame type %d (header % x)", ErrMalformed, uint8(t), r.hdr)
	}
	if uint64(n) > uint64(limit) {
		return nil, malformed(t, "length %d, want at most %d", n, limit)
	}
	p, err := r.payload(int(n))
	if err != nil {
		return nil, err
	}
	return decode(t, p)
}

func (r *Reader) payload(n int) ([]byte, error) {
	if n <= smallPayload {
		if cap(r.buf) < n {
			r.buf = make([]byte, n, smallPayload)
		}
		p := r.buf[:n]
		if _, err := io.ReadFull(r.r, p); err != nil {
			return nil, unexpected(err)
		}
		return p, nil
	}
	var p []byte
	for len(p) < n {
		step := min(n-len(p), smallPayload)
		p = append(p, make([]byte, step)...)
		if _, err := io.ReadFull(r.r, p[len(p)-step:]); err != nil {
			return nil, unexpected(err)
		}
	}
	return p, nil
}

// unexpected turns io.EOF inside a frame into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Writer writes frames to a stream, each with a single Write call so that a
// frame is never interleaved with another writer's bytes on a pipe.
type Writer struct {
	w   io.Writer
	buf []byte
}

// NewWriter returns a Writer to w. It does not buffer across frames.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: w}
}

// Write encodes m and writes its frame.
func (w *Writer) Write(m Message) error {
	b, err := Append(w.buf[:0], m)
	if err != nil {
		return err
	}
	if cap(b) <= smallPayload {
		w.buf = b // reuse it for the next frame; a profile's is not worth keeping
	}
	_, err = w.w.Write(b)
	return err
}
