package mailgun_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

// rawServer is a misbehaving HTTP server on a raw TCP listener: for each
// request it reads the head and body, then hands the connection to misbehave.
type rawServer struct {
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]struct{}
	requests int
}

func newRawServer(t *testing.T, misbehave func(conn net.Conn)) *rawServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &rawServer{ln: ln, conns: map[net.Conn]struct{}{}}
	s.wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns[conn] = struct{}{}
			s.mu.Unlock()
			s.wg.Go(func() {
				defer func() {
					_ = conn.Close()
					s.mu.Lock()
					delete(s.conns, conn)
					s.mu.Unlock()
				}()
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				s.mu.Lock()
				s.requests++
				s.mu.Unlock()
				misbehave(conn)
			})
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		s.mu.Lock()
		for c := range s.conns {
			_ = c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
	})
	return s
}

func (s *rawServer) url() string { return "http://" + s.ln.Addr().String() }

func (s *rawServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

func reset(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// waitForClose blocks until the client closes the connection.
func waitForClose(conn net.Conn) {
	_, _ = io.Copy(io.Discard, conn)
}

func TestMisbehavingServers(t *testing.T) {
	htmlPage := "<!DOCTYPE html><html><head><title>Site Maintenance</title></head><body><h1>Back soon</h1></body></html>"
	hugeError := []byte(`{"message":"` + strings.Repeat("e", 10<<20) + `"}`)
	cases := []struct {
		name      string
		misbehave func(conn net.Conn)
		check     func(t *testing.T, err error)
		attempts  int
		maxAlloc  uint64
		timeout   time.Duration // per attempt; 0: 200 ms
	}{
		{
			name: "reset mid-body",
			misbehave: func(conn net.Conn) {
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"items\":[{\"address\":")
				time.Sleep(5 * time.Millisecond)
				reset(conn)
			},
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, mailgun.ErrConnection)
				assert.Contains(t, err.Error(), "reading response")
			},
			attempts: 3, maxAlloc: 2 << 20,
		},
		{
			name: "stalled body past the attempt timeout",
			misbehave: func(conn net.Conn) {
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"items\":[")
				waitForClose(conn)
			},
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, mailgun.ErrConnection)
				assert.ErrorIs(t, err, context.DeadlineExceeded)
			},
			attempts: 3, maxAlloc: 2 << 20,
		},
		{
			name: "endless body",
			misbehave: func(conn net.Conn) {
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"items\":[")
				chunk := bytes.Repeat([]byte(`{"address":"a@example.com","code":"550"},`), 1600)
				for {
					if _, err := conn.Write(chunk); err != nil {
						return
					}
				}
			},
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
				assert.Contains(t, err.Error(), "byte limit")
			},
			// Not retried: a body over the limit is not a network failure.
			// Reading 32 MiB under -race may take longer than 200 ms.
			attempts: 1, maxAlloc: 80 << 20, timeout: time.Minute,
		},
		{
			name: "invalid chunked encoding",
			misbehave: func(conn net.Conn) {
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
				waitForClose(conn)
			},
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, mailgun.ErrConnection)
				assert.Contains(t, err.Error(), "chunk")
			},
			attempts: 3, maxAlloc: 2 << 20,
		},
		{
			name: "200 with an HTML page",
			misbehave: func(conn net.Conn) {
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "+itoa(len(htmlPage))+"\r\n\r\n"+htmlPage)
				waitForClose(conn)
			},
			check: func(t *testing.T, err error) {
				assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
				assert.Contains(t, err.Error(), "Site Maintenance")
				assert.NotContains(t, err.Error(), "<")
			},
			attempts: 1, maxAlloc: 2 << 20,
		},
		{
			name: "10 MiB JSON error",
			misbehave: func(conn net.Conn) {
				_, _ = io.WriteString(conn, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: "+itoa(len(hugeError))+"\r\n\r\n")
				_, _ = conn.Write(hugeError)
				waitForClose(conn)
			},
			check: func(t *testing.T, err error) {
				var apiErr *mailgun.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, 500, apiErr.StatusCode)
				assert.Len(t, apiErr.Body, 64<<10)
				assert.LessOrEqual(t, len(apiErr.Message), 210)
				assert.ErrorIs(t, err, mailgun.ErrServer)
			},
			attempts: 3, maxAlloc: 4 << 20,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRawServer(t, tc.misbehave)
			if tc.timeout == 0 {
				tc.timeout = 200 * time.Millisecond
			}
			c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(srv.url()), mailgun.WithRetry(mailgun.RetryPolicy{
				MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, AttemptTimeout: tc.timeout,
			}))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var out struct {
				Items []map[string]string `json:"items"`
			}
			err = c.Do(ctx, http.MethodGet, "/v3/example.com/bounces", nil, &out)
			runtime.ReadMemStats(&after)

			require.Error(t, err)
			assert.NoError(t, ctx.Err(), "the call returned before the context deadline")
			assert.False(t, errors.Is(err, context.Canceled))
			tc.check(t, err)
			assert.Equal(t, tc.attempts, srv.count(), "attempts")
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, tc.maxAlloc, "bytes allocated by the call")
			assert.NotContains(t, err.Error(), testKey)
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
