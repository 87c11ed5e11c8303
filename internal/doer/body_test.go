package doer

import (
	"bufio"
	"context"
	"crypto/sha256"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// earlyAnswerServer answers the first connection with a 429 as soon as it
// has the request headers, then keeps reading (so the client is still
// sending the body when the answer arrives, and no reset cuts it short).
// Later connections get a 200 after their whole request; the file part of
// the last one is stored in file. answered is closed after the 429.
type earlyAnswerServer struct {
	addr     string
	conns    atomic.Int32
	file     atomic.Value // string
	parts    atomic.Value // []string: every part of the last request
	answered chan struct{}
}

func newEarlyAnswerServer(t *testing.T) *earlyAnswerServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &earlyAnswerServer{addr: ln.Addr().String(), answered: make(chan struct{})}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			first := s.conns.Add(1) == 1
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { _ = conn.Close() }()
				_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
				br := bufio.NewReader(conn)
				if first {
					for { // the request line and headers only
						line, err := br.ReadString('\n')
						if err != nil || line == "\r\n" {
							break
						}
					}
					_, _ = io.WriteString(conn, "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
					close(s.answered)
					_, _ = io.Copy(io.Discard, br)
					return
				}
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				if mr, err := req.MultipartReader(); err == nil {
					var parts []string
					for p, err := mr.NextPart(); err == nil; p, err = mr.NextPart() {
						b, _ := io.ReadAll(p)
						s.file.Store(string(b))
						parts = append(parts, string(b))
					}
					s.parts.Store(parts)
				}
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
			}()
		}
	}()
	return s
}

func (s *earlyAnswerServer) doer(t *testing.T) *Doer {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return New(testConfig("http://"+s.addr, &http.Client{Transport: tr}))
}

var importRequest = Request{Method: http.MethodPost, Path: []string{"v3", "d", "bounces", "import"}}

// A server may answer before it has read the body (an early 429), while
// the transport is still writing the body in its own goroutine. A seekable
// body must be rewound only after that writer is cut off, so the retry
// sends the file intact (run with -race).
func TestRetryAfterEarlyAnswerSendsSeekableBodyIntact(t *testing.T) {
	data := strings.Repeat("bob@example.com,550,No such mailbox,\n", 200_000) // ~7 MB
	srv := newEarlyAnswerServer(t)
	body, err := Multipart(nil, "file", "bounces.csv", strings.NewReader(data))
	require.NoError(t, err)
	r := importRequest
	r.Body = body
	require.NoError(t, srv.doer(t).Do(context.Background(), &r, nil))
	assert.Equal(t, int32(2), srv.conns.Load())
	got, _ := srv.file.Load().(string)
	assert.Equal(t, sha256.Sum256([]byte(data)), sha256.Sum256([]byte(got)), "the retried upload is the whole file")
}

// A plain stream whose first attempt got an early answer must be sent
// again only if the first attempt's transport read nothing of it and can
// read nothing more: a read still blocked in the stream would take bytes
// from the retry, which could then succeed with a truncated (even empty)
// file. Either the 429 is returned, or the retry carries the whole file.
func TestEarlyAnswerNeverLosesStreamedData(t *testing.T) {
	for i := 0; i < 5; i++ {
		srv := newEarlyAnswerServer(t)
		pr, pw := io.Pipe()
		const csv = "address\nalice@example.com\n"
		go func() {
			<-srv.answered
			time.Sleep(20 * time.Millisecond) // a retry, if any, has started
			_, _ = io.WriteString(pw, csv)
			_ = pw.Close()
		}()
		body, err := Multipart(nil, "file", "x.csv", pr)
		require.NoError(t, err)
		r := importRequest
		r.Body = body
		err = srv.doer(t).Do(context.Background(), &r, nil)
		if err == nil {
			assert.Equal(t, csv, srv.file.Load(), "a retry that succeeded carried the whole file")
		} else {
			var se statusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, http.StatusTooManyRequests, se.StatusCode)
			assert.Equal(t, int32(1), srv.conns.Load())
		}
		_ = pr.Close()
	}
}

func TestAttemptReaderCutOff(t *testing.T) {
	a := newAttemptReader(context.Background(), strings.NewReader("abcdef"))
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

// gateSeeker holds data; its first pass blocks at offset gate (closing
// blocked) until release is closed, then goes on.
type gateSeeker struct {
	data    string
	gate    int64
	blocked chan struct{}
	release chan struct{}
	mu      sync.Mutex
	off     int64
	passed  bool
}

func newGateSeeker(size, gate int) *gateSeeker {
	return &gateSeeker{data: strings.Repeat("0123456789", size/10), gate: int64(gate), blocked: make(chan struct{}), release: make(chan struct{})}
}

func (g *gateSeeker) Read(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.off >= g.gate && !g.passed {
		g.passed = true // the second pass does not block
		close(g.blocked)
		g.mu.Unlock()
		<-g.release
		g.mu.Lock()
	}
	if g.off >= int64(len(g.data)) {
		return 0, io.EOF
	}
	end := int64(len(g.data))
	if g.off < g.gate {
		end = g.gate
	}
	n := copy(p, g.data[g.off:end])
	g.off += int64(n)
	return n, nil
}

func (g *gateSeeker) Seek(off int64, whence int) (int64, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch whence {
	case io.SeekStart:
		g.off = off
	case io.SeekCurrent:
		g.off += off
	case io.SeekEnd:
		g.off = int64(len(g.data)) + off
	}
	return g.off, nil
}

// gatedServer answers its first request with a 429 once g's read is
// blocked, without reading the body; later requests get {} after their
// whole body, whose file part is stored in file.
func gatedServer(t *testing.T, g *gateSeeker) (*httptest.Server, *atomic.Int32, *atomic.Value) {
	var calls atomic.Int32
	var file atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			<-g.blocked
			w.Header().Set("Connection", "close")
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		if mr, err := r.MultipartReader(); err == nil {
			if p, err := mr.NextPart(); err == nil {
				b, _ := io.ReadAll(p)
				file.Store(string(b))
			}
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls, &file
}

// importGated imports g as stuck.csv to srv with the idle bound and
// returns Do's error, failing the test if Do does not return soon.
func importGated(t *testing.T, srv *httptest.Server, g *gateSeeker, idle time.Duration) error {
	t.Helper()
	body, err := Multipart(nil, "file", "stuck.csv", g)
	require.NoError(t, err)
	r := importRequest
	r.Body = body
	cfg := testConfig(srv.URL, srv.Client())
	cfg.Retry.IdleTimeout = idle
	done := make(chan error, 1)
	go func() { done <- New(cfg).Do(context.Background(), &r, nil) }()
	select {
	case err = <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("Do waits for a read blocked in the body")
		return nil
	}
}

// A 429 arrives while a read is blocked in a seekable file: the retry
// waits for that read (it returns soon here), then rewinds the file and
// sends it whole.
func TestRetryWaitsForABlockedSeekableReadThenSendsItWhole(t *testing.T) {
	g := newGateSeeker(100_000, 5_000)
	srv, calls, file := gatedServer(t, g)
	go func() {
		<-g.blocked
		time.Sleep(50 * time.Millisecond) // the first attempt is over
		close(g.release)
	}()
	require.NoError(t, importGated(t, srv, g, 10*time.Second))
	assert.Equal(t, int32(2), calls.Load())
	assert.Equal(t, g.data, file.Load(), "the retry carried the whole file")
}

// A read still blocked in a seekable file past the idle bound ends the
// retries: Do returns the 429 and says why, without waiting for the read.
func TestBlockedSeekableReadPastTheIdleBoundGivesUpTheRetry(t *testing.T) {
	g := newGateSeeker(100_000, 5_000)
	defer close(g.release)
	srv, calls, _ := gatedServer(t, g)
	err := importGated(t, srv, g, 100*time.Millisecond)
	var se statusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusTooManyRequests, se.StatusCode)
	assert.ErrorContains(t, err, `not retried: file "stuck.csv" cannot be rewound: a read of it was still running`)
	assert.Equal(t, int32(1), calls.Load())
}

// An attempt that ends (here on the idle timeout) while a read is blocked
// in a seekable file returns at once when no retry may follow (a POST
// whose outcome is unknown): nothing waits for the read.
func TestBlockedSeekableReadDoesNotHoldUpAFinalAttempt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	g := newGateSeeker(100_000, 1_000)
	defer close(g.release)
	err := importGated(t, srv, g, 100*time.Millisecond)
	var idle *IdleTimeoutError
	assert.ErrorAs(t, err, &idle)
	assert.ErrorIs(t, err, errUnknown)
}
