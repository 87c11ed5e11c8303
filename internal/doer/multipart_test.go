package doer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun/internal/formtest"
)

type part = formtest.Part

func decodeParts(t *testing.T, ctype string, body []byte) []part {
	t.Helper()
	parts, err := formtest.Parts(ctype, body)
	require.NoError(t, err)
	return parts
}

// drain opens b for one attempt, reads it whole and finishes the attempt.
func drain(t *testing.T, b Body) ([]byte, int64) {
	t.Helper()
	rc, size, err := b.open(context.Background())
	require.NoError(t, err)
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	b.finish()
	return data, size
}

func tempFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

func openPath(p string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(p) }
}

func TestNewMultipartEncodesFieldsThenFilesInOrder(t *testing.T) {
	path := tempFile(t, "c.pdf", "%PDF-1.4 from disk")
	b, err := NewMultipart(
		[]Field{{"to", "a@example.com"}, {"to", "b@example.com"}, {"subject", `say "hi"`}, {"h:X-Ünïcode", "ü"}},
		[]File{
			{Field: "attachment", Filename: `a "quoted" \ name.txt`, Content: strings.NewReader("first")},
			{Field: "attachment", Filename: "b.bin", ContentType: "image/png", Content: iotest.OneByteReader(strings.NewReader("second"))},
			{Field: "inline", Filename: "c.pdf", ContentType: "application/pdf", Open: openPath(path)},
		})
	require.NoError(t, err)
	data, size := drain(t, b)
	assert.Equal(t, int64(-1), size, "a plain reader's length is unknown")
	assert.Equal(t, []part{
		formtest.Field("to", "a@example.com"),
		formtest.Field("to", "b@example.com"),
		formtest.Field("subject", `say "hi"`),
		formtest.Field("h:X-Ünïcode", "ü"),
		formtest.File("attachment", `a "quoted" \ name.txt`, "application/octet-stream", "first"),
		formtest.File("attachment", "b.bin", "image/png", "second"),
		formtest.File("inline", "c.pdf", "application/pdf", "%PDF-1.4 from disk"),
	}, decodeParts(t, b.ContentType(), data))
}

func TestNewMultipartLengthKnownWhenEverySizeIs(t *testing.T) {
	path := tempFile(t, "f.txt", strings.Repeat("x", 70_000))
	declared := iotest.HalfReader(strings.NewReader("exactly 19 bytes!!!"))
	b, err := NewMultipart([]Field{{"to", "a@example.com"}}, []File{
		{Field: "attachment", Filename: "s.txt", Content: strings.NewReader("len known")},
		{Field: "attachment", Filename: "f.txt", Open: openPath(path)},
		{Field: "attachment", Filename: "d.txt", Content: declared, Size: 19},
		{Field: "attachment", Filename: "seek.txt", Content: io.NewSectionReader(strings.NewReader("0123456789"), 2, 5)},
	})
	require.NoError(t, err)
	data, size := drain(t, b)
	assert.Equal(t, int64(len(data)), size, "Content-Length is the exact body length")
	parts := decodeParts(t, b.ContentType(), data)
	require.Len(t, parts, 5)
	assert.Equal(t, "exactly 19 bytes!!!", parts[3].Data)
	assert.Equal(t, "23456", parts[4].Data)
}

func TestNewMultipartRejectsBadParts(t *testing.T) {
	r := strings.NewReader("x")
	cases := map[string]struct {
		fields []Field
		files  []File
	}{
		"empty field name":        {fields: []Field{{"", "v"}}},
		"line break in field":     {fields: []Field{{"a\r\nX-Injected: 1", "v"}}},
		"empty file field":        {files: []File{{Filename: "a", Content: r}}},
		"empty file name":         {files: []File{{Field: "attachment", Content: r}}},
		"line break in file name": {files: []File{{Field: "attachment", Filename: "a\nb", Content: r}}},
		"control in content type": {files: []File{{Field: "attachment", Filename: "a", ContentType: "text/plain\r\nX: y", Content: r}}},
		"no content":              {files: []File{{Field: "attachment", Filename: "a"}}},
		"reader and opener":       {files: []File{{Field: "attachment", Filename: "a", Content: r, Open: openPath("x")}}},
		"negative size":           {files: []File{{Field: "attachment", Filename: "a", Content: r, Size: -2}}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := NewMultipart(c.fields, c.files)
			assert.Error(t, err)
		})
	}
}

func TestMultipartContentMustHoldItsSize(t *testing.T) {
	for name, c := range map[string]struct {
		content string
		size    int64
	}{"shorter": {"abc", 4}, "longer": {"abcde", 4}} {
		t.Run(name, func(t *testing.T) {
			b, err := NewMultipart(nil, []File{{Field: "attachment", Filename: "a", Content: iotest.OneByteReader(strings.NewReader(c.content)), Size: c.size}})
			require.NoError(t, err)
			rc, size, err := b.open(context.Background())
			require.NoError(t, err)
			assert.Positive(t, size)
			_, err = io.ReadAll(rc)
			assert.ErrorIs(t, err, errSizeMismatch)
			assert.ErrorContains(t, err, `file "a"`)
			b.finish()
		})
	}
	t.Run("known length disagrees", func(t *testing.T) {
		b, err := NewMultipart(nil, []File{{Field: "attachment", Filename: "a", Content: strings.NewReader("abc"), Size: 9}})
		require.NoError(t, err)
		_, _, err = b.open(context.Background())
		assert.ErrorContains(t, err, "not its declared size")
	})
	t.Run("file grows while it is sent", func(t *testing.T) {
		path := tempFile(t, "grow.txt", "0123456789")
		b, err := NewMultipart(nil, []File{{Field: "attachment", Filename: "grow.txt", Open: openPath(path)}})
		require.NoError(t, err)
		rc, size, err := b.open(context.Background())
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(path, []byte("0123456789 and more"), 0o600))
		_, err = io.ReadAll(rc)
		assert.ErrorIs(t, err, errSizeMismatch, "a body of %d bytes never carries more", size)
		b.finish()
	})
}

func TestFormFieldsEncodesLikeURLValuesInGivenOrder(t *testing.T) {
	values := []string{"", "plain", "a b+c&d=e", "ü€\x00\xff", "<id@example.com>", "~-._*'()!"}
	var fields []Field
	for i, v := range values {
		fields = append(fields, Field{Name: "k" + string(rune('a'+i)) + v, Value: v})
	}
	want := url.Values{}
	for _, f := range fields {
		want.Add(f.Name, f.Value)
	}
	b := FormFields(fields).(*bytesBody)
	assert.Equal(t, want.Encode(), string(b.data), "keys here are already sorted")
	assert.Equal(t, "application/x-www-form-urlencoded", b.ContentType())
	assert.Equal(t, "z=1&a=2&z=3", string(FormFields([]Field{{"z", "1"}, {"a", "2"}, {"z", "3"}}).(*bytesBody).data))
}

// countingOpener opens a file and counts opens and closes.
type countingOpener struct {
	path          string
	opens, closes atomic.Int32
}

func (o *countingOpener) open() (io.ReadCloser, error) {
	f, err := os.Open(o.path)
	if err != nil {
		return nil, err
	}
	o.opens.Add(1)
	return &countedFile{File: f, closes: &o.closes}, nil
}

type countedFile struct {
	*os.File
	closes *atomic.Int32
}

func (f *countedFile) Close() error {
	f.closes.Add(1)
	return f.File.Close()
}

// answerAfterBody answers 429 to the first n requests, after reading
// their whole body, then {}.
func answerAfterBody(n int32) func(http.ResponseWriter, *http.Request) {
	var calls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}
}

func TestMultipartRetrySendsEverySourceAgain(t *testing.T) {
	rec := newRecorder(t, answerAfterBody(2))
	opener := &countingOpener{path: tempFile(t, "report.csv", strings.Repeat("row,1\n", 5000))}
	body, err := NewMultipart([]Field{{"to", "a@example.com"}}, []File{
		{Field: "attachment", Filename: "seek.txt", Content: strings.NewReader(strings.Repeat("s", 100_000))},
		{Field: "attachment", Filename: "report.csv", Open: opener.open},
	})
	require.NoError(t, err)
	r := Request{Method: http.MethodPost, Path: []string{"v3", "d", "messages"}, Body: body}
	require.NoError(t, rec.doer().Do(context.Background(), &r, nil))
	reqs := rec.requests()
	require.Len(t, reqs, 3)
	for _, q := range reqs {
		assert.Equal(t, reqs[0].Body, q.Body, "each attempt sends the same bytes")
		assert.Equal(t, "", q.Header.Get("Transfer-Encoding"))
	}
	parts := decodeParts(t, reqs[2].Header.Get("Content-Type"), reqs[2].Body)
	require.Len(t, parts, 3)
	assert.Len(t, parts[1].Data, 100_000)
	assert.Len(t, parts[2].Data, 30_000)
	assert.Equal(t, int32(3), opener.opens.Load(), "the file is opened for each attempt")
	assert.Equal(t, int32(3), opener.closes.Load(), "and closed after it")
}

func TestMultipartPlainReaderIsNotRetriedAndSaysWhy(t *testing.T) {
	rec := newRecorder(t, answerAfterBody(1))
	body, err := NewMultipart(nil, []File{
		{Field: "attachment", Filename: "seekable.txt", Content: strings.NewReader("fine")},
		{Field: "attachment", Filename: "stream.bin", Content: iotest.HalfReader(strings.NewReader("a plain stream"))},
	})
	require.NoError(t, err)
	r := Request{Method: http.MethodPost, Path: []string{"v3", "d", "messages"}, Body: body}
	err = rec.doer().Do(context.Background(), &r, nil)
	var se statusError
	require.ErrorAs(t, err, &se, "the 429 is still reachable")
	assert.Equal(t, http.StatusTooManyRequests, se.StatusCode)
	assert.ErrorContains(t, err, `not retried: file "stream.bin" is a plain io.Reader`)
	assert.Len(t, rec.requests(), 1)
}

func TestMultipartUnreadPlainReaderIsRetried(t *testing.T) {
	// Refused before the body was read: a dial error. The plain stream
	// was never touched, so the retry sends it.
	rec := newRecorder(t, nil)
	d := rec.doer(func(c *Config) {
		c.HTTPClient = &http.Client{Transport: &refuseFirst{next: rec.srv.Client().Transport}}
	})
	body, err := NewMultipart(nil, []File{{Field: "attachment", Filename: "stream.bin", Content: iotest.HalfReader(strings.NewReader("a plain stream"))}})
	require.NoError(t, err)
	r := Request{Method: http.MethodPost, Path: []string{"v3", "d", "messages"}, Body: body}
	require.NoError(t, d.Do(context.Background(), &r, nil))
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "a plain stream", decodeParts(t, reqs[0].Header.Get("Content-Type"), reqs[0].Body)[0].Data)
}

// refuseFirst fails its first round trip as a refused dial, without
// reading the body.
type refuseFirst struct {
	next  http.RoundTripper
	calls atomic.Int32
}

func (rt *refuseFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	if rt.calls.Add(1) == 1 {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	return rt.next.RoundTrip(r)
}

// An early 429 arrives while the transport is still writing several
// seekable files: every one is rewound only once the writer is cut off,
// so the retry carries each whole (run with -race).
func TestMultipartEarlyAnswerRetriesEveryFileIntact(t *testing.T) {
	a := strings.Repeat("first file line\n", 150_000) // ~2.4 MB each
	b := strings.Repeat("second file line\n", 150_000)
	path := tempFile(t, "third.txt", strings.Repeat("third\n", 200_000))
	srv := newEarlyAnswerServer(t)
	body, err := NewMultipart([]Field{{"to", "x@example.com"}}, []File{
		{Field: "attachment", Filename: "a.txt", Content: strings.NewReader(a)},
		{Field: "attachment", Filename: "b.txt", Content: bytes.NewReader([]byte(b))},
		{Field: "attachment", Filename: "third.txt", Open: openPath(path)},
	})
	require.NoError(t, err)
	r := Request{Method: http.MethodPost, Path: []string{"v3", "d", "messages"}, Body: body}
	require.NoError(t, srv.doer(t).Do(context.Background(), &r, nil))
	assert.Equal(t, int32(2), srv.conns.Load())
	parts, _ := srv.parts.Load().([]string)
	require.Len(t, parts, 4)
	third, err := os.ReadFile(path)
	require.NoError(t, err)
	for i, want := range []string{a, b, string(third)} {
		assert.Equal(t, sha256.Sum256([]byte(want)), sha256.Sum256([]byte(parts[i+1])), "file %d is whole", i)
	}
}

func TestMultipartMissingFileFailsBeforeSending(t *testing.T) {
	rec := newRecorder(t, nil)
	body, err := NewMultipart(nil, []File{{Field: "attachment", Filename: "gone.txt", Open: openPath(filepath.Join(t.TempDir(), "gone.txt"))}})
	require.NoError(t, err)
	r := Request{Method: http.MethodPost, Path: []string{"v3", "d", "messages"}, Body: body}
	err = rec.doer().Do(context.Background(), &r, nil)
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.ErrorContains(t, err, `opening file "gone.txt"`)
	assert.Empty(t, rec.requests())
}

func TestMultipartOpenFailureClosesFilesAlreadyOpened(t *testing.T) {
	opener := &countingOpener{path: tempFile(t, "ok.txt", "fine")}
	body, err := NewMultipart(nil, []File{
		{Field: "attachment", Filename: "ok.txt", Open: opener.open},
		{Field: "attachment", Filename: "bad.txt", Open: func() (io.ReadCloser, error) { return nil, errors.New("denied") }},
	})
	require.NoError(t, err)
	_, _, err = body.open(context.Background())
	assert.ErrorContains(t, err, "denied")
	assert.Equal(t, opener.opens.Load(), opener.closes.Load())
	body.finish()
}

func TestRequestAcceptHeader(t *testing.T) {
	rec := newRecorder(t, nil)
	r := Request{Method: http.MethodGet, Path: []string{"v3", "domains", "d", "messages", "k"}, Accept: "message/rfc2822"}
	require.NoError(t, rec.doer().Do(context.Background(), &r, nil))
	assert.Equal(t, "message/rfc2822", rec.requests()[0].Header.Get("Accept"))
}

// BenchmarkMultipartStream reads an 8 MB seekable file part through the
// body an attempt sends, in the transport's 32 KB reads (each read of the
// source runs in its own goroutine).
func BenchmarkMultipartStream(b *testing.B) {
	data := bytes.Repeat([]byte("x"), 8<<20)
	body, err := NewMultipart(nil, []File{{Field: "attachment", Filename: "a.bin", Content: bytes.NewReader(data)}})
	require.NoError(b, err)
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		rc, _, err := body.open(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{rc}, buf); err != nil {
			b.Fatal(err)
		}
		body.finish()
	}
}
