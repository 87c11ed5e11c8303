package doer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"slices"
)

// Body is a request body. Bytes bodies (JSON, forms) can be sent any number
// of times; a streamed multipart body can be sent again only when its reader
// can seek back, or when no byte of it has been read yet.
type Body interface {
	// ContentType is the value of the Content-Type header.
	ContentType() string
	// open returns a reader over the whole body, its length (-1 when
	// unknown), and an error when the body cannot be sent again.
	open() (io.ReadCloser, int64, error)
	// replayable reports whether open may be called again.
	replayable() bool
}

type bytesBody struct {
	data  []byte
	ctype string
}

func (b *bytesBody) ContentType() string { return b.ctype }
func (b *bytesBody) replayable() bool    { return true }
func (b *bytesBody) open() (io.ReadCloser, int64, error) {
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

// Multipart streams r as the file part named field, after the given plain
// fields, without reading r into memory. The body can be sent again (for a
// retry) only if r is an io.Seeker or nothing has been read from it yet.
func Multipart(fields url.Values, field, filename string, r io.Reader) (Body, error) {
	if r == nil {
		return nil, errors.New("reader is nil")
	}
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		for _, v := range fields[k] {
			if err := w.WriteField(k, v); err != nil {
				return nil, err
			}
		}
	}
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, field, filename))
	h.Set("Content-Type", "text/csv")
	if _, err := w.CreatePart(h); err != nil {
		return nil, err
	}
	prefix := bytes.Clone(head.Bytes())
	head.Reset()
	if err := w.Close(); err != nil {
		return nil, err
	}
	body := &streamBody{
		prefix: prefix,
		suffix: bytes.Clone(head.Bytes()),
		ctype:  w.FormDataContentType(),
		src:    r,
		start:  -1,
	}
	if s, ok := r.(io.Seeker); ok {
		if off, err := s.Seek(0, io.SeekCurrent); err == nil {
			body.seeker, body.start = s, off
		}
	}
	return body, nil
}

type streamBody struct {
	prefix, suffix []byte
	ctype          string
	src            io.Reader
	seeker         io.Seeker
	start          int64 // offset of src when the body was made; -1 if unknown
	read           int64 // bytes read from src so far
	opened         bool
}

func (b *streamBody) ContentType() string { return b.ctype }

func (b *streamBody) replayable() bool { return b.seeker != nil || b.read == 0 }

func (b *streamBody) open() (io.ReadCloser, int64, error) {
	if b.opened && b.read > 0 {
		if b.seeker == nil {
			return nil, 0, errors.New("streamed body cannot be sent again")
		}
		if _, err := b.seeker.Seek(b.start, io.SeekStart); err != nil {
			return nil, 0, fmt.Errorf("rewinding body: %w", err)
		}
		b.read = 0
	}
	b.opened = true
	size := int64(-1)
	if n, ok := remaining(b.src, b.seeker, b.start); ok {
		size = int64(len(b.prefix)) + n + int64(len(b.suffix))
	}
	r := io.MultiReader(bytes.NewReader(b.prefix), &countingReader{r: b.src, n: &b.read}, bytes.NewReader(b.suffix))
	return io.NopCloser(r), size, nil
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

type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}
