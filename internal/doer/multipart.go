package doer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Field is one text field of a form. Repeat a Name to repeat the key.
type Field struct{ Name, Value string }

// File is one file part of a streamed multipart body.
type File struct {
	Field       string // the form field, such as "attachment"
	Filename    string
	ContentType string // "" sends application/octet-stream

	// Content is copied into the body while it is sent, never read whole.
	// A retry can send it again only when it is an io.Seeker (rewound to
	// its offset when the body was made, once no read of it is running;
	// see NewMultipart) or no byte of it was read.
	Content io.Reader
	// Open, used instead of Content, opens the content for each attempt
	// (a file); the reader is closed once the attempt is over, so a retry
	// always reads it again from the start.
	Open func() (io.ReadCloser, error)
	// Size, when > 0, is the exact length of the content: one that ends
	// sooner or goes on fails the attempt. 0 means unknown; it is then
	// measured when the content has a Len method, seeks, or is a regular
	// file from Open.
	Size int64
}

const formType = "application/x-www-form-urlencoded"

// FormFields encodes fields as application/x-www-form-urlencoded, in the
// order given (Form sorts keys; this keeps the caller's order).
func FormFields(fields []Field) Body {
	n := 0
	for _, f := range fields {
		n += len(f.Name) + len(f.Value) + 2
	}
	b := make([]byte, 0, n+n/8)
	for i, f := range fields {
		if i > 0 {
			b = append(b, '&')
		}
		b = appendQueryEscape(b, f.Name)
		b = append(b, '=')
		b = appendQueryEscape(b, f.Value)
	}
	return &bytesBody{data: b, ctype: formType}
}

// appendQueryEscape appends s escaped as url.QueryEscape does, without
// allocating when s needs no escaping.
func appendQueryEscape(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case unreserved(c):
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', upperHex[c>>4], upperHex[c&15])
		}
	}
	return b
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

// NewMultipart returns a multipart/form-data body: fields in order, then
// files in order. Everything but the file contents is encoded now; the
// contents are copied while the body is sent. The body has a
// Content-Length when every content's size is known, and is sent chunked
// otherwise. Names, file names and content types must not contain control
// characters.
//
// The body can be sent again (for a retry) when every content an attempt
// read from can start over: an Open file, or an io.Seeker. Otherwise open
// fails with an error that names the file. A read blocked in a content
// never holds up the transport: once the attempt is over the body fails
// at once and that read finishes on its own. A seeker is rewound only
// after such a read has returned; the doer waits for it only when a retry
// is to follow, at most RetryPolicy.IdleTimeout (else AttemptTimeout),
// and past that gives up the retry. Without a retry nothing waits: that
// one read may still be running in the content when Do returns (nothing
// is read after it).
func NewMultipart(fields []Field, files []File) (Body, error) {
	for _, f := range fields {
		if err := checkPartName("field name", f.Name); err != nil {
			return nil, err
		}
	}
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	for _, f := range fields {
		if err := w.WriteField(f.Name, f.Value); err != nil {
			return nil, err
		}
	}
	b := &multipartBody{ctype: w.FormDataContentType()}
	for i := range files {
		f := &files[i]
		for _, c := range [][2]string{{"file field", f.Field}, {"file name", f.Filename}} {
			if err := checkPartName(c[0], c[1]); err != nil {
				return nil, err
			}
		}
		ctype := f.ContentType
		if ctype == "" {
			ctype = "application/octet-stream"
		} else if hasControl(ctype) {
			return nil, fmt.Errorf("content type of %q has control characters", f.Filename)
		}
		if (f.Content == nil) == (f.Open == nil) {
			return nil, fmt.Errorf("file %q needs exactly one of a reader and an opener", f.Filename)
		}
		if f.Size < 0 {
			return nil, fmt.Errorf("file %q has a negative size", f.Filename)
		}
		h := make(textproto.MIMEHeader, 2)
		h.Set("Content-Disposition", `form-data; name="`+quoteEscaper.Replace(f.Field)+`"; filename="`+quoteEscaper.Replace(f.Filename)+`"`)
		h.Set("Content-Type", ctype)
		if _, err := w.CreatePart(h); err != nil {
			return nil, err
		}
		b.addFixed(head.Bytes())
		head.Reset()
		s := &source{name: f.Filename, content: f.Content, open: f.Open, size: f.Size, start: -1}
		if sk, ok := f.Content.(io.Seeker); ok {
			if off, err := sk.Seek(0, io.SeekCurrent); err == nil {
				s.seeker, s.start = sk, off
			}
		}
		b.segs = append(b.segs, segment{src: s})
		b.sources = append(b.sources, s)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	b.addFixed(head.Bytes())
	return b, nil
}

func checkPartName(what, s string) error {
	if s == "" {
		return fmt.Errorf("%s is empty", what)
	}
	if hasControl(s) {
		return fmt.Errorf("%s %q has control characters", what, s)
	}
	return nil
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c == 0x7f {
			return true
		}
	}
	return false
}

// segment is a run of encoded bytes, or one file's content.
type segment struct {
	data []byte
	src  *source
}

// source is the content of one file part, across attempts.
type source struct {
	name    string
	content io.Reader
	seeker  io.Seeker
	start   int64 // content's offset when the body was made; -1 if unknown
	open    func() (io.ReadCloser, error)
	size    int64 // declared exact size; 0 if unknown
	touched bool  // an attempt read from it (or a read may still run)
	// pending, while non-nil, is closed once the read still running in
	// content (a seeker's) when the last attempt ended has returned; see
	// multipartBody.settle.
	pending <-chan struct{}
	// noRewind is set when a read may still run in content: it must never
	// be sought under that read.
	noRewind bool
}

// canRestart reports whether the source can be read again from its start.
func (s *source) canRestart() bool {
	return s.open != nil || (s.seeker != nil && !s.noRewind && s.pending == nil)
}

// multipartBody is a multipart body streamed from its sources. Each
// attempt reads every source through its own attemptReader, so a transport
// still reading an earlier attempt's body can never race a rewind.
type multipartBody struct {
	segs    []segment
	sources []*source
	ctype   string
	fixed   int64 // length of the encoded bytes

	// The last attempt's readers (one per source, in order) and the files
	// it opened.
	cur    []*attemptReader
	opened []io.Closer
}

func (b *multipartBody) addFixed(p []byte) {
	if len(p) == 0 {
		return
	}
	b.segs = append(b.segs, segment{data: bytes.Clone(p)})
	b.fixed += int64(len(p))
}

func (b *multipartBody) ContentType() string { return b.ctype }

func (b *multipartBody) replayable() bool { return b.replayError() == nil }

// replayError says why the body cannot be sent again, or returns nil.
func (b *multipartBody) replayError() error {
	for _, s := range b.sources {
		if s.touched && !s.canRestart() {
			if s.seeker != nil {
				return fmt.Errorf("file %q cannot be rewound: a read of it was still running", s.name)
			}
			return fmt.Errorf("file %q is a plain io.Reader (not an io.Seeker or a file) and was read by an earlier attempt", s.name)
		}
	}
	return nil
}

func (b *multipartBody) finish() {
	for i, a := range b.cur {
		s := b.sources[i]
		idle := a.cutOff()
		select {
		case <-idle:
			if a.read > 0 {
				s.touched = true
			}
		default:
			// A read is blocked in the content. A file is closed below
			// and opened anew for a retry; a plain stream may still lose
			// bytes to that read, so it cannot be sent again; a seeker
			// can be rewound once the read has returned (settle).
			s.touched = true
			if s.open == nil && s.seeker != nil && !s.noRewind {
				s.pending = idle
			}
		}
	}
	b.cur = nil
	b.closeOpened()
}

func (b *multipartBody) settle(ctx context.Context, limit time.Duration) error {
	var expired <-chan time.Time
	for _, s := range b.sources {
		if s.pending == nil {
			continue
		}
		if expired == nil && limit > 0 {
			t := time.NewTimer(limit)
			defer t.Stop()
			expired = t.C
		}
		select {
		case <-s.pending:
			s.pending = nil
			continue
		case <-expired:
			expired = closedTime // every later source is past the bound too
		case <-ctx.Done():
		}
		s.pending, s.noRewind = nil, true // never seek under a running read
		if err := ctx.Err(); err != nil {
			b.abandon()
			return err
		}
	}
	return nil
}

// abandon marks every source with a read still pending as never to be
// rewound.
func (b *multipartBody) abandon() {
	for _, s := range b.sources {
		if s.pending != nil {
			s.pending, s.noRewind = nil, true
		}
	}
}

// closedTime is a closed channel: a bound already passed.
var closedTime = func() <-chan time.Time {
	c := make(chan time.Time)
	close(c)
	return c
}()

func (b *multipartBody) closeOpened() {
	for _, c := range b.opened {
		_ = c.Close()
	}
	b.opened = nil
}

func (b *multipartBody) open(ctx context.Context) (io.ReadCloser, int64, error) {
	if err := b.replayError(); err != nil {
		return nil, 0, fmt.Errorf("streamed body cannot be sent again: %w", err)
	}
	for _, s := range b.sources {
		if s.touched && s.open == nil {
			if _, err := s.seeker.Seek(s.start, io.SeekStart); err != nil {
				return nil, 0, fmt.Errorf("rewinding file %q: %w", s.name, err)
			}
		}
		s.touched = false
	}
	readers := make([]io.Reader, 0, len(b.segs))
	cur := make([]*attemptReader, 0, len(b.sources))
	size := b.fixed
	for _, seg := range b.segs {
		if seg.src == nil {
			readers = append(readers, bytes.NewReader(seg.data))
			continue
		}
		r, n, err := b.content(seg.src)
		if err != nil {
			b.closeOpened()
			return nil, 0, err
		}
		if n < 0 || size < 0 {
			size = -1
		} else {
			size += n
		}
		a := newAttemptReader(ctx, r)
		cur = append(cur, a)
		readers = append(readers, a)
	}
	b.cur = cur
	cutAll := func() <-chan struct{} {
		for _, a := range cur {
			a.cutOff()
		}
		return nil
	}
	return readCloser{Reader: io.MultiReader(readers...), close: cutAll}, size, nil
}

// content returns the reader of s for one attempt and its length (-1 when
// unknown). A reader of known length is held to it.
func (b *multipartBody) content(s *source) (io.Reader, int64, error) {
	r := s.content
	n, known := int64(0), false
	if s.open != nil {
		rc, err := s.open()
		if err != nil {
			return nil, 0, fmt.Errorf("opening file %q: %w", s.name, err)
		}
		b.opened = append(b.opened, rc)
		r = rc
		if st, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
			if fi, err := st.Stat(); err == nil && fi.Mode().IsRegular() {
				n, known = fi.Size(), true
			}
		}
	} else {
		n, known = remaining(s.content, s.seeker, s.start)
	}
	if s.size > 0 {
		if known && n != s.size {
			return nil, 0, fmt.Errorf("file %q holds %d bytes, not its declared size %d", s.name, n, s.size)
		}
		n, known = s.size, true
	}
	if !known {
		return r, -1, nil
	}
	return &exactReader{r: r, left: n, size: n, name: s.name}, n, nil
}

// errSizeMismatch marks content that did not hold the length announced.
var errSizeMismatch = errors.New("content length changed")

// exactReader passes exactly size bytes of r, and fails when r ends
// sooner or goes on, so that a Content-Length is never wrong and one
// file's bytes can never shift another's.
type exactReader struct {
	r          io.Reader
	left, size int64
	name       string
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left == 0 {
		var probe [1]byte
		for {
			n, err := e.r.Read(probe[:])
			if n > 0 {
				return 0, fmt.Errorf("file %q is longer than %d bytes: %w", e.name, e.size, errSizeMismatch)
			}
			if err == io.EOF {
				return 0, io.EOF
			}
			if err != nil {
				return 0, err
			}
		}
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	if err == io.EOF {
		if e.left > 0 {
			return n, fmt.Errorf("file %q ended after %d of %d bytes: %w", e.name, e.size-e.left, e.size, errSizeMismatch)
		}
		if n > 0 {
			err = nil // confirm the end on the next read
		}
	}
	return n, err
}

// formValues returns v as fields, keys sorted and values in order.
func formValues(v url.Values) []Field {
	var out []Field
	for _, k := range slices.Sorted(maps.Keys(v)) {
		for _, s := range v[k] {
			out = append(out, Field{Name: k, Value: s})
		}
	}
	return out
}

// notRetried adds to err why b stopped a retry that the rules allowed.
func notRetried(err error, b Body) error {
	why := errors.New("the body cannot be sent again")
	if mb, ok := b.(*multipartBody); ok {
		if e := mb.replayError(); e != nil {
			why = e
		}
	}
	return fmt.Errorf("%w (not retried: %v)", err, why)
}
