package doer

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A server may answer before it has read the body (an early 429). The
// transport can then still be writing the body in its own goroutine when
// Do has its response. A seekable body must be rewound only after that
// writer is cut off, so the retry sends the file intact (run with -race).
func TestRetryAfterEarlyAnswerSendsSeekableBodyIntact(t *testing.T) {
	data := bytes.Repeat([]byte("bob@example.com,550,No such mailbox,\n"), 200_000) // ~7 MB
	want := sha256.Sum256(data)
	var calls atomic.Int32
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests) // without reading the body
			return
		}
		mr, err := r.MultipartReader()
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for p, err := mr.NextPart(); err == nil; p, err = mr.NextPart() {
			if p.FormName() == "file" {
				b, _ := io.ReadAll(p)
				got.Store(sha256.Sum256(b))
			}
		}
		_, _ = io.WriteString(w, `{"message":"ok"}`)
	}))
	t.Cleanup(srv.Close)
	d := New(testConfig(srv.URL, srv.Client()))

	body, err := Multipart(nil, "file", "bounces.csv", bytes.NewReader(data))
	require.NoError(t, err)
	require.NoError(t, d.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"v3", "d", "bounces", "import"}, Body: body}, nil))
	assert.Equal(t, int32(2), calls.Load())
	assert.Equal(t, want, got.Load(), "the retried upload is the whole file")
}

// A plain stream whose first attempt got an early answer must be sent
// again only if the first attempt's transport read nothing of it and can
// read nothing more: a read still blocked in the stream would take bytes
// from the retry, which could then succeed with a truncated (even empty)
// file. Either the 429 is returned, or the retry carries the whole file.
func TestEarlyAnswerNeverLosesStreamedData(t *testing.T) {
	for i := 0; i < 5; i++ {
		earlyAnswerOnce(t)
	}
}

func earlyAnswerOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	answered := make(chan struct{})
	var conns atomic.Int32
	var got atomic.Value
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			first := conns.Add(1) == 1
			go func() {
				defer func() { _ = conn.Close() }()
				br := bufio.NewReader(conn)
				if !first {
					req, err := http.ReadRequest(br)
					if err != nil {
						return
					}
					if mr, err := req.MultipartReader(); err == nil {
						for p, err := mr.NextPart(); err == nil; p, err = mr.NextPart() {
							b, _ := io.ReadAll(p)
							got.Store(string(b))
						}
					}
					_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
					return
				}
				for { // the request line and headers only
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
				}
				_, _ = io.WriteString(conn, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
				close(answered)
				_, _ = io.Copy(io.Discard, br)
			}()
		}
	}()

	pr, pw := io.Pipe()
	const csv = "address\nalice@example.com\n"
	go func() {
		<-answered
		time.Sleep(20 * time.Millisecond) // a retry, if any, has started
		_, _ = io.WriteString(pw, csv)
		_ = pw.Close()
	}()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	d := New(testConfig("http://"+ln.Addr().String(), &http.Client{Transport: tr}))
	body, err := Multipart(nil, "file", "x.csv", pr)
	require.NoError(t, err)
	err = d.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"v3", "d", "bounces", "import"}, Body: body}, nil)
	if err == nil {
		assert.Equal(t, csv, got.Load(), "a retry that succeeded carried the whole file")
	} else {
		var se statusError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, http.StatusTooManyRequests, se.StatusCode)
		assert.Equal(t, int32(1), conns.Load())
	}
	_ = pr.Close()
}

func TestAttemptReaderCutOff(t *testing.T) {
	a := &attemptReader{src: strings.NewReader("abcdef"), idle: make(chan struct{})}
	buf := make([]byte, 2)
	n, err := a.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	idle := a.cutOff()
	select {
	case <-idle:
	default:
		t.Fatal("no read in flight, yet not idle")
	}
	_, err = a.Read(buf)
	assert.ErrorIs(t, err, errAttemptOver)
	assert.Equal(t, int64(2), a.read, "nothing read after the cut")
	a.cutOff() // twice is fine
}
