package doer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	errInvalid = errors.New("invalid argument")
	errUnknown = errors.New("outcome unknown")
)

// statusError is the test stand-in for the client's APIError.
type statusError struct{ *HTTPError }

func (e statusError) Error() string { return fmt.Sprintf("status %d: %s", e.StatusCode, e.Message) }

func testConfig(base string, hc *http.Client) Config {
	return Config{
		BaseURL:         base,
		APIKey:          "key-secret-0123456789",
		HTTPClient:      hc,
		UserAgent:       "test-agent",
		Retry:           RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond},
		InvalidArgument: errInvalid,
		OutcomeUnknown:  errUnknown,
		NewError:        func(e *HTTPError) error { return statusError{e} },
	}
}

// countingDialer counts dial attempts, including refused ones.
type countingDialer struct{ n atomic.Int32 }

func (c *countingDialer) client(keepAlive bool) *http.Client {
	d := &net.Dialer{Timeout: time.Second}
	return &http.Client{Transport: &http.Transport{
		DisableKeepAlives: !keepAlive,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c.n.Add(1)
			return d.DialContext(ctx, network, addr)
		},
	}}
}

// closedAddr returns an address on which nothing listens.
func closedAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// resetServer reads each request completely, then resets the connection
// without answering: the request was sent, so the server may have acted.
func resetServer(t *testing.T, seen *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		seen.Add(1)
		resetConn(w)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// resetConn resets the connection under w without answering.
func resetConn(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// target returns a Doer aimed at a server behaving as name says, and a
// function that counts the attempts that reached the network.
func target(t *testing.T, name string) (*Doer, func() int) {
	switch name {
	case "refused":
		dialer := &countingDialer{}
		return New(testConfig("http://"+closedAddr(t), dialer.client(false))), func() int { return int(dialer.n.Load()) }
	case "reset":
		var seen atomic.Int32
		srv := resetServer(t, &seen)
		// Without keep-alive every attempt is a new connection, so the
		// transport's own retry of requests on reused connections stays out.
		return New(testConfig(srv.URL, (&countingDialer{}).client(false))), func() int { return int(seen.Load()) }
	}
	code, err := strconv.Atoi(name)
	require.NoError(t, err)
	var seen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"message":"nope"}`)
	}))
	t.Cleanup(srv.Close)
	return New(testConfig(srv.URL, srv.Client())), func() int { return int(seen.Load()) }
}

func TestRetryMatrix(t *testing.T) {
	const all = 4 // the first attempt and three retries
	cases := []struct {
		name       string
		safe, post int // attempts for GET/PUT/DELETE, and for POST
	}{
		{"refused", all, all},
		{"reset", all, 1},
		{"408", all, 1}, {"420", all, all}, {"429", all, all},
		{"500", all, 1}, {"502", all, 1}, {"503", all, 1}, {"504", all, 1},
		{"400", 1, 1}, {"401", 1, 1}, {"404", 1, 1},
	}
	for _, tc := range cases {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete, http.MethodPost} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				d, attempts := target(t, tc.name)
				r := &Request{Method: method, Path: []string{"v3", "example.com", "things"}}
				if method == http.MethodPost || method == http.MethodPut {
					r.Body = Form(map[string][]string{"a": {"1"}})
				}
				err := d.Do(context.Background(), r, nil)
				require.Error(t, err)
				want := tc.safe
				if method == http.MethodPost {
					want = tc.post
				}
				assert.Equal(t, want, attempts(), "attempts")
			})
		}
	}
}

func TestIdempotentPostIsRetriedLikeGet(t *testing.T) {
	d, attempts := target(t, "503")
	err := d.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"v1", "analytics", "metrics"}, Body: Raw([]byte(`{}`), "application/json"), Idempotent: true}, nil)
	require.Error(t, err)
	assert.Equal(t, 4, attempts())
}

func TestZeroRetriesMeansOneAttempt(t *testing.T) {
	d, attempts := target(t, "503")
	d.retry.MaxRetries = 0
	require.Error(t, d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, nil))
	assert.Equal(t, 1, attempts())
}

func TestRetryHint(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		status int
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{"retry-after seconds", 503, http.Header{"Retry-After": {"7"}}, 7 * time.Second, true},
		{"retry-after zero", 429, http.Header{"Retry-After": {"0"}}, 0, true},
		{"retry-after date", 503, http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second, true},
		{"retry-after past date", 503, http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0, true},
		{"retry-after garbage", 503, http.Header{"Retry-After": {"soon"}}, 0, false},
		{"retry-after negative", 503, http.Header{"Retry-After": {"-3"}}, 0, false},
		{"request reset millis", 429, http.Header{"X-Request-Reset": {strconv.FormatInt(now.Add(1500*time.Millisecond).UnixMilli(), 10)}}, 1500 * time.Millisecond, true},
		{"ratelimit reset millis", 429, http.Header{"X-Ratelimit-Reset": {strconv.FormatInt(now.Add(2*time.Second).UnixMilli(), 10)}}, 2 * time.Second, true},
		{"ratelimit reset seconds", 420, http.Header{"X-Ratelimit-Reset": {strconv.FormatInt(now.Add(3*time.Second).Unix(), 10)}}, 3 * time.Second, true},
		{"reset in the past", 429, http.Header{"X-Request-Reset": {strconv.FormatInt(now.Add(-time.Second).UnixMilli(), 10)}}, 0, true},
		{"reset ignored on 503", 503, http.Header{"X-Request-Reset": {strconv.FormatInt(now.Add(time.Second).UnixMilli(), 10)}}, 0, false},
		{"retry-after wins over reset", 429, http.Header{"Retry-After": {"1"}, "X-Request-Reset": {strconv.FormatInt(now.Add(time.Minute).UnixMilli(), 10)}}, time.Second, true},
		{"none", 429, http.Header{}, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := retryHint(tc.header, tc.status, now)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{MaxRetries: 10, BaseDelay: 500 * time.Millisecond, MaxDelay: 8 * time.Second}
	t.Run("hint capped by MaxDelay", func(t *testing.T) {
		assert.Equal(t, 8*time.Second, p.backoff(0, time.Hour, true, rand.Int64N))
		assert.Equal(t, 2*time.Second, p.backoff(0, 2*time.Second, true, rand.Int64N))
		assert.Equal(t, time.Duration(0), p.backoff(3, 0, true, rand.Int64N))
	})
	t.Run("full jitter under an exponential ceiling", func(t *testing.T) {
		for attempt, ceiling := range []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
			var top time.Duration
			for range 2000 {
				d := p.backoff(attempt, 0, false, rand.Int64N)
				require.GreaterOrEqual(t, d, time.Duration(0))
				require.LessOrEqual(t, d, ceiling)
				top = max(top, d)
			}
			// 2000 uniform draws: the largest is within 1% of the ceiling
			// unless the jitter is broken (odds of a false failure ~e^-20).
			assert.Greater(t, top, ceiling*99/100, "attempt %d", attempt)
		}
	})
	t.Run("huge attempt numbers do not overflow", func(t *testing.T) {
		for _, a := range []int{31, 32, 63, 64, 1000} {
			d := p.backoff(a, 0, false, rand.Int64N)
			assert.True(t, d >= 0 && d <= p.MaxDelay, "attempt %d gave %v", a, d)
		}
	})
}

// retryServer answers status with the given headers n times, then 200 {}.
func retryServer(t *testing.T, n int, status int, header http.Header) (*httptest.Server, *atomic.Int32) {
	var seen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if int(seen.Add(1)) <= n {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func TestServerHintIsHonouredAndCapped(t *testing.T) {
	// Retry-After asks for an hour; the cap of 30 ms wins, and the waits
	// the doer chose are visible in its debug log.
	srv, seen := retryServer(t, 2, http.StatusTooManyRequests, http.Header{"Retry-After": {"3600"}})
	logs := &recordHandler{}
	cfg := testConfig(srv.URL, srv.Client())
	cfg.Retry = RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 30 * time.Millisecond}
	cfg.Logger = logs.logger()
	d := New(cfg)
	var out struct{ OK bool }
	require.NoError(t, d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, &out))
	assert.True(t, out.OK)
	assert.Equal(t, int32(3), seen.Load())
	waits := logs.waits()
	require.Len(t, waits, 2)
	for _, w := range waits {
		assert.Equal(t, 30*time.Millisecond, w)
	}
}

func TestMillisecondResetHeaderSetsTheWait(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, _ := retryServer(t, 1, http.StatusTooManyRequests, http.Header{"X-Request-Reset": {strconv.FormatInt(now.Add(25*time.Millisecond).UnixMilli(), 10)}})
	logs := &recordHandler{}
	cfg := testConfig(srv.URL, srv.Client())
	cfg.Retry.MaxDelay = time.Second
	cfg.Logger = logs.logger()
	d := New(cfg)
	d.now = func() time.Time { return now }
	require.NoError(t, d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, nil))
	assert.Equal(t, []time.Duration{25 * time.Millisecond}, logs.waits())
}

func TestCancelDuringWaitReturnsPromptly(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPut} {
		t.Run(method, func(t *testing.T) {
			srv, seen := retryServer(t, 100, http.StatusServiceUnavailable, http.Header{"Retry-After": {"30"}})
			cfg := testConfig(srv.URL, srv.Client())
			cfg.Retry.MaxDelay = time.Minute
			d := New(cfg)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- d.Do(ctx, &Request{Method: method, Path: []string{"v3", "x"}}, nil) }()
			require.Eventually(t, func() bool { return seen.Load() == 1 }, 5*time.Second, time.Millisecond)
			time.Sleep(20 * time.Millisecond) // let the doer enter its 30 s wait
			cancel()
			select {
			case err := <-done: // before the 30 s wait could have ended
				assert.ErrorIs(t, err, context.Canceled)
				var se statusError
				assert.ErrorAs(t, err, &se, "the last response stays inspectable")
				assert.Equal(t, int32(1), seen.Load())
				// The PUT's first attempt (a 503) may have been acted on.
				assert.Equal(t, method == http.MethodPut, errors.Is(err, errUnknown))
			case <-time.After(10 * time.Second):
				t.Fatal("Do did not return after its context was cancelled")
			}
		})
	}
}

func TestDeadlineDuringAttempt(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	d := New(testConfig(srv.URL, srv.Client()))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	err := d.Do(ctx, &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestAttemptTimeoutIsRetried(t *testing.T) {
	var seen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= 2 {
			<-r.Context().Done() // stall until the client gives up on this attempt
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig(srv.URL, srv.Client())
	cfg.Retry.AttemptTimeout = 20 * time.Millisecond
	d := New(cfg)
	require.NoError(t, d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, nil))
	assert.Equal(t, int32(3), seen.Load())

	// A POST that timed out may have been acted on: no retry.
	seen.Store(0)
	err := d.Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"v3", "x"}, Body: Form(nil)}, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int32(1), seen.Load())
}

func TestFinalStatusesAreNotRetried(t *testing.T) {
	d, attempts := target(t, "429")
	err := d.Do(context.Background(), &Request{Method: http.MethodPut, Path: []string{"v2", "x509", "email.example.com"}, FinalStatuses: []int{429}}, nil)
	require.Error(t, err)
	assert.Equal(t, 1, attempts())

	d, attempts = target(t, "503")
	require.Error(t, d.Do(context.Background(), &Request{Method: http.MethodPut, Path: []string{"v2", "x"}, FinalStatuses: []int{429}}, nil))
	assert.Equal(t, 4, attempts(), "other statuses keep their rules")
}
