package mailgun_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
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
	"github.com/mgkit/mailgun/mailguntest"
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

func TestRetryStorm(t *testing.T) {
	// 1,000 calls while half of all requests are answered 429 with
	// Retry-After: 0. Each call must succeed or, after its 3 retries, end
	// with ErrRateLimited; and the server must have seen exactly one
	// attempt per call plus one per 429 that was followed by a retry.
	srv := mailguntest.NewServer(t)
	srv.AddBounces("example.com", mailgun.Bounce{Address: "storm@example.com", Code: "550"})
	srv.Fail("GET", "/v3/*/bounces/*", mailguntest.Fault{Status: 429, RetryAfter: "0", Probability: 0.5}, -1)
	const calls, workers, retries = 1000, 20, 3
	c := srv.Client(mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: retries, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))

	var mu sync.Mutex
	succeeded, limited := 0, 0
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range calls / workers {
				b, err := c.Bounces.Get(context.Background(), "example.com", "storm@example.com")
				mu.Lock()
				switch {
				case err == nil:
					assert.Equal(t, "storm@example.com", b.Address)
					succeeded++
				case errors.Is(err, mailgun.ErrRateLimited):
					limited++
				default:
					t.Errorf("worker %d: unexpected error %v", w, err)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	faults := 0
	reqs := srv.Requests()
	for _, r := range reqs {
		if r.Fault {
			faults++
		}
	}
	assert.Equal(t, calls, succeeded+limited)
	assert.Equal(t, calls+faults-limited, len(reqs), "attempts the server saw")
	// With p = 0.5, a call fails all 4 attempts with probability 1/16.
	assert.InDelta(t, calls/16, limited, 35)
	t.Logf("%d calls: %d succeeded, %d rate limited; %d requests, %d answered 429", calls, succeeded, limited, len(reqs), faults)
}

func TestManyGoroutinesShareOneClient(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 calls")
	}
	srv := mailguntest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	const goroutines, callsEach = 200, 50
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			domain := fmt.Sprintf("d%d.example.com", g%7)
			for i := range callsEach {
				addr := fmt.Sprintf("u%d+%d@example.org", g, i)
				var err error
				switch i % 5 {
				case 0:
					err = c.Bounces.Add(ctx, domain, mailgun.BounceInput{Address: addr, Code: "550"})
				case 1:
					_, err = c.Bounces.Get(ctx, domain, fmt.Sprintf("u%d+%d@example.org", g, i-1))
				case 2:
					err = c.Allowlist.AddAddress(ctx, domain, addr, "vip")
				case 3:
					_, err = c.Tracking.Get(ctx, domain)
				case 4:
					for _, lerr := range c.Bounces.List(ctx, domain, &mailgun.ListOptions{Limit: 10}) {
						if lerr != nil {
							err = lerr
							break
						}
					}
				}
				if err != nil {
					t.Errorf("goroutine %d call %d: %v", g, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	total := 0
	for d := range 7 {
		total += len(srv.Bounces(fmt.Sprintf("d%d.example.com", d)))
	}
	assert.Equal(t, goroutines*callsEach/5, total, "every bounce added once")
}

// TestWritesCheckTheirSuccessBody: a write that passes no output value
// still gets its 2xx checked, so a captive portal, a proxy's "OK" page or a
// base URL that points at a website is not taken for a stored change.
func TestWritesCheckTheirSuccessBody(t *testing.T) {
	ctx := context.Background()
	portal := []byte("<!DOCTYPE html><html><head><title>Guest WiFi: please log in</title></head><body></body></html>")
	calls := []struct {
		name, method, url string
		call              func(c *mailgun.Client) error
	}{
		{"Bounces.Add", http.MethodPost, usBounces, func(c *mailgun.Client) error {
			return c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{Address: "bob@example.com"})
		}},
		{"Bounces.Delete", http.MethodDelete, usBounces + "/bob%40example.com", func(c *mailgun.Client) error {
			return c.Bounces.Delete(ctx, "example.com", "bob@example.com")
		}},
		{"Allowlist.AddAddress", http.MethodPost, usAllowlist, func(c *mailgun.Client) error {
			return c.Allowlist.AddAddress(ctx, "example.com", "bob@example.com", "vip")
		}},
		{"Alerts.RevokeSlack", http.MethodDelete, "https://api.mailgun.net/v1/alerts/slack/oauth", func(c *mailgun.Client) error {
			return c.Alerts.RevokeSlack(ctx)
		}},
	}
	for _, tc := range calls {
		for _, body := range []struct {
			name string
			body []byte
			want string
		}{
			{"captive portal", portal, `response is not JSON: "HTML page: Guest WiFi: please log in"`},
			{"proxy OK", []byte("OK"), `response is not JSON: "OK"`},
			{"truncated", []byte(`{"message":"Address has been`), "unexpected end of JSON input"},
			{"empty 200", nil, "response body is empty"},
		} {
			t.Run(tc.name+"/"+body.name, func(t *testing.T) {
				c, m := newMockClient(t)
				m.respond(tc.method, tc.url, 200, body.body)
				err := tc.call(c)
				if tc.name == "Alerts.RevokeSlack" && body.body == nil {
					assert.NoError(t, err, "this endpoint's success status is undocumented: an empty 2xx is success")
					return
				}
				require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
				assert.ErrorIs(t, err, mailgun.ErrOutcomeUnknown, "the write may have been stored")
				assert.ErrorContains(t, err, body.want)
				assert.Len(t, m.sent(), 1, "not retried")
			})
		}
	}
}

// TestRetriedDeleteThatFindsNothingSucceeded: when an earlier attempt of a
// DELETE may have reached the server, a 404 on the retry means the delete
// did its job.
func TestRetriedDeleteThatFindsNothingSucceeded(t *testing.T) {
	ctx := context.Background()
	fast := mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})

	t.Run("connection dropped after the request, then 404", func(t *testing.T) {
		var mu sync.Mutex
		n := 0
		srv := newRawServer(t, func(conn net.Conn) {
			mu.Lock()
			n++
			first := n == 1
			mu.Unlock()
			if first {
				reset(conn) // as if the server deleted it and the answer was lost
				return
			}
			body := `{"message":"Address not found in bounces table"}`
			_, _ = io.WriteString(conn, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: "+itoa(len(body))+"\r\n\r\n"+body)
			waitForClose(conn)
		})
		c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(srv.url()), fast)
		require.NoError(t, err)
		require.NoError(t, c.Bounces.Delete(ctx, "example.com", "bob@example.com"))
		assert.Equal(t, 2, srv.count())
	})
	t.Run("503, then 404", func(t *testing.T) {
		srv := mailguntest.NewServer(t)
		srv.Fail("DELETE", "/v1/webhooks/*", mailguntest.Fault{Status: 503}, 1)
		require.NoError(t, srv.Client(fast).AccountWebhooks.Delete(ctx, "no-such-webhook"))
		assert.Eventually(t, func() bool { return len(srv.Requests()) == 2 }, 5*time.Second, time.Millisecond)
	})
	t.Run("404 on the first attempt", func(t *testing.T) {
		srv := mailguntest.NewServer(t)
		err := srv.Client(fast).Bounces.Delete(ctx, "example.com", "bob@example.com")
		assert.ErrorIs(t, err, mailgun.ErrNotFound)
		assert.NotErrorIs(t, err, mailgun.ErrOutcomeUnknown)
	})
	t.Run("429, then 404", func(t *testing.T) {
		srv := mailguntest.NewServer(t)
		srv.Fail("DELETE", "/v3/*/whitelists/*", mailguntest.Fault{Status: 429, RetryAfter: "0"}, 1)
		err := srv.Client(fast).Allowlist.Delete(ctx, "example.com", "bob@example.com")
		assert.ErrorIs(t, err, mailgun.ErrNotFound, "the refused attempt deleted nothing")
		assert.Eventually(t, func() bool { return len(srv.Requests()) == 2 }, 5*time.Second, time.Millisecond)
	})
}

// TestAnnouncedLengthIsNotTrusted: a server that announces 32 MiB and
// sends 2 bytes must not make the client allocate 32 MiB per response.
func TestAnnouncedLengthIsNotTrusted(t *testing.T) {
	srv := newRawServer(t, func(conn net.Conn) {
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 33554432\r\n\r\n{}")
		// Close: the body ends 32 MiB short of its announced length.
	})
	c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(srv.url()), mailgun.WithMaxRetries(0))
	require.NoError(t, err)
	ctx := context.Background()
	// One call first, so that pools and the transport are warm.
	require.ErrorIs(t, c.Do(ctx, http.MethodGet, "/v3/example.com/bounces", nil, nil), mailgun.ErrConnection)

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 8 {
		err := c.Do(ctx, http.MethodGet, "/v3/example.com/bounces", nil, nil)
		assert.ErrorIs(t, err, mailgun.ErrConnection)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	}
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(2<<20), "bytes allocated by 8 calls")
	assert.Equal(t, 9, srv.count())
}

// TestTricklingBodyHitsTheIdleBound: headers, then one byte every 200 ms.
// The idle bound (here 50 ms) ends each attempt, with any HTTP client.
func TestTricklingBodyHitsTheIdleBound(t *testing.T) {
	trickle := func(conn net.Conn) {
		_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{\"items\":[")
		for {
			time.Sleep(200 * time.Millisecond)
			if _, err := io.WriteString(conn, " "); err != nil {
				return
			}
		}
	}
	newClient := func(t *testing.T, srv *rawServer, idle time.Duration) *mailgun.Client {
		c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(srv.url()),
			mailgun.WithHTTPClient(&http.Client{}), // no timeouts of its own
			mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, IdleTimeout: idle}))
		require.NoError(t, err)
		return c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("GET is retried", func(t *testing.T) {
		srv := newRawServer(t, trickle)
		var out map[string]any
		err := newClient(t, srv, 50*time.Millisecond).Do(ctx, http.MethodGet, "/v3/example.com/bounces", nil, &out)
		assert.ErrorIs(t, err, mailgun.ErrConnection)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorContains(t, err, "idle timeout")
		assert.NotErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		assert.NoError(t, ctx.Err())
		assert.Equal(t, 3, srv.count())
	})
	t.Run("POST is not, and its outcome is unknown", func(t *testing.T) {
		srv := newRawServer(t, trickle)
		err := newClient(t, srv, 50*time.Millisecond).Bounces.Add(ctx, "example.com", mailgun.BounceInput{Address: "bob@example.com"})
		assert.ErrorIs(t, err, mailgun.ErrConnection)
		assert.ErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		assert.Equal(t, 1, srv.count())
	})
	t.Run("a negative IdleTimeout disables the bound", func(t *testing.T) {
		srv := newRawServer(t, trickle)
		short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		err := newClient(t, srv, -1).Do(short, http.MethodGet, "/v3/example.com/bounces", nil, nil)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotContains(t, err.Error(), "idle timeout", "only the caller's deadline ended it")
		assert.Equal(t, 1, srv.count())
	})
}
