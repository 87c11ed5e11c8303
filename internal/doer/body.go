package doer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"
)

// Body is a request body. Bytes bodies (JSON, forms) can be sent any number
// of times; a streamed multipart body can be sent again only when its reader
// can seek back, or when no byte of it has been read yet.
type Body interface {
	// ContentType is the value of the Content-Type header.
	ContentType() string
	// open returns a reader over the whole body for one attempt, its
	// length (-1 when unknown), and an error when the body cannot be sent
	// again. Once ctx (the attempt's) is done, a read blocked in a source
	// returns at once, so the transport is never held up by it.
	open(ctx context.Context) (io.ReadCloser, int64, error)
	// finish ends the attempt that the last open served: the transport
	// may still be reading the body in its own goroutine after it returned
	// a response, so finish cuts that reader off. It never waits: a read
	// still blocked in a source stays pending until settle.
	finish()
	// settle waits, only when a retry is to follow, until no read of an
	// earlier attempt is in flight in a source that would be rewound: at
	// most limit (0: no bound but ctx). A source whose read is still
	// running after that is never rewound (replayable then reports false).
	// It returns ctx's error when ctx ended first.
	settle(ctx context.Context, limit time.Duration) error
	// replayable reports whether open may be called again; call it after
	// finish (and settle).
	replayable() bool
}

type bytesBody struct {
	data  []byte
	ctype string
}

func (b *bytesBody) ContentType() string                         { return b.ctype }
func (b *bytesBody) replayable() bool                            { return true }
func (b *bytesBody) finish()                                     {}
func (b *bytesBody) settle(context.Context, time.Duration) error { return nil }
func (b *bytesBody) open(context.Context) (io.ReadCloser, int64, error) {
	return io.NopCloser(bytes.NewReader(b.data)), int64(len(b.data)), nil
}

// Bytes returns the encoded body, for tests and logging of sizes.
func (b *bytesBody) Bytes() []byte { return b.data }

// JSON encodes v now, so that an encoding error is returned before anything is sent.
func JSON(v any) (Body, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding JSON body: %w", err)
	}
	return &bytesBody{data: data, ctype: "application/json"}, nil
}

// Form encodes v as application/x-www-form-urlencoded. Keys are sorted and
// repeated keys keep their order, so the same values always give the same bytes.
func Form(v url.Values) Body {
	return &bytesBody{data: []byte(v.Encode()), ctype: "application/x-www-form-urlencoded"}
}

// Raw sends data as is with the given content type.
func Raw(data []byte, contentType string) Body {
	return &bytesBody{data: data, ctype: contentType}
}

// Multipart streams r as the file part named field (a text/csv file),
// after the given plain fields (keys sorted), without reading r into
// memory. The body can be sent again (for a retry) only if r is an
// io.Seeker or nothing has been read from it yet. See NewMultipart.
func Multipart(fields url.Values, field, filename string, r io.Reader) (Body, error) {
	if r == nil {
		return nil, errors.New("reader is nil")
	}
	return NewMultipart(formValues(fields), []File{{Field: field, Filename: filename, ContentType: "text/csv", Content: r}})
}

// errAttemptOver is what a transport still reading an earlier attempt's
// body gets once that attempt is over.
var errAttemptOver = errors.New("request attempt is over")

// attemptReader reads src for one attempt. Once cut off (by the transport
// closing the body, by the doer when the attempt is over, or by the
// attempt's context ending) it reads nothing more from src, so a retry can
// reuse src safely. Each read of src runs in its own goroutine, into a
// buffer of the attemptReader, so that a read blocked in src (a stalled
// network stream, a hung file system) never holds up the transport once
// the attempt is over: Read returns, and that read finishes on its own.
// The lock is never held during a read of src.
type attemptReader struct {
	src  io.Reader
	ctx  context.Context
	over chan struct{} // closed when cut
	res  chan readResult
	buf  []byte // src reads into it; only while reading

	mu      sync.Mutex
	read    int64 // bytes read from src; stable once idle is closed
	reading bool
	cut     bool
	idle    chan struct{} // closed once cut and no read is in flight
}

type readResult struct {
	n   int
	err error
}

// maxReadBuffer bounds an attemptReader's buffer.
const maxReadBuffer = 32 << 10

func newAttemptReader(ctx context.Context, src io.Reader) *attemptReader {
	return &attemptReader{src: src, ctx: ctx, over: make(chan struct{}), res: make(chan readResult, 1), idle: make(chan struct{})}
}

func (a *attemptReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	a.mu.Lock()
	if a.cut {
		a.mu.Unlock()
		return 0, errAttemptOver
	}
	a.reading = true
	a.mu.Unlock()

	if a.buf == nil {
		a.buf = make([]byte, min(len(p), maxReadBuffer))
	}
	buf := a.buf[:min(len(p), len(a.buf))]
	go a.readSource(buf)
	select {
	case r := <-a.res:
		return copy(p, buf[:r.n]), r.err
	case <-a.over:
	case <-a.ctx.Done():
		a.cutOff()
	}
	return 0, errAttemptOver
}

// readSource reads src into buf and records it; it is the only reader of
// src while it runs.
func (a *attemptReader) readSource(buf []byte) {
	n, err := a.src.Read(buf)
	a.mu.Lock()
	a.reading = false
	a.read += int64(n)
	if a.cut {
		close(a.idle)
	}
	a.mu.Unlock()
	a.res <- readResult{n, err}
}

// cutOff stops further reads of src and returns a channel closed once no
// read is in flight. It may be called any number of times.
func (a *attemptReader) cutOff() <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.cut {
		a.cut = true
		close(a.over)
		if !a.reading {
			close(a.idle)
		}
	}
	return a.idle
}

type readCloser struct {
	io.Reader
	close func() <-chan struct{}
}

func (r readCloser) Close() error {
	r.close()
	return nil
}

// remaining reports how many bytes r still holds, when that can be known
// without reading it.
func remaining(r io.Reader, s io.Seeker, start int64) (int64, bool) {
	if l, ok := r.(interface{ Len() int }); ok {
		return int64(l.Len()), true
	}
	if s == nil {
		return 0, false
	}
	end, err := s.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, false
	}
	if _, err := s.Seek(start, io.SeekStart); err != nil {
		return 0, false
	}
	return end - start, true
}
