package doer

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// trickleServer answers 200 with the headers and the start of a body,
// then sends one more byte every gap until the client goes away or n
// bytes are sent (n < 0: never stop). stallHeaders withholds the headers.
func trickleServer(t *testing.T, gap time.Duration, n int, stallHeaders bool) (*httptest.Server, *atomic.Int32) {
	var seen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		seen.Add(1)
		if stallHeaders {
			<-r.Context().Done()
			return
		}
		body := `{"message":"` + strings.Repeat("x", max(n, 0)) + `"}`
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"message":"`)
		w.(http.Flusher).Flush()
		for i := 0; n < 0 || i < n; i++ {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(gap):
			}
			_, _ = io.WriteString(w, "x")
			w.(http.Flusher).Flush()
		}
		_, _ = io.WriteString(w, `"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &seen
}

func idleDoer(srv *httptest.Server, idle time.Duration) *Doer {
	cfg := testConfig(srv.URL, srv.Client())
	cfg.Retry.MaxRetries = 2
	cfg.Retry.IdleTimeout = idle
	return New(cfg)
}

func TestIdleTimeoutEndsATricklingAttempt(t *testing.T) {
	// One byte a second against a 40 ms idle bound: each attempt ends
	// after its first 40 ms of silence.
	srv, seen := trickleServer(t, time.Second, -1, false)
	d := idleDoer(srv, 40*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	var out struct{ Message string }
	err := d.Do(ctx, &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, &out)
	require.Error(t, err)
	assert.NoError(t, ctx.Err(), "the caller's context did not end: the idle bound did")
	var idle *IdleTimeoutError
	require.ErrorAs(t, err, &idle)
	assert.Equal(t, 40*time.Millisecond, idle.Idle)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "GET /v3/x: connection failed: reading response: no progress for 40ms (idle timeout)")
	assert.NotErrorIs(t, err, errUnknown, "a read")
	assert.Equal(t, int32(3), seen.Load(), "a GET is retried")

	seen.Store(0)
	err = d.Do(ctx, writeRequest(http.MethodPost), nil)
	require.ErrorAs(t, err, &idle)
	assert.ErrorIs(t, err, errUnknown, "the POST was written and answered 200: it may have been acted on")
	assert.Equal(t, int32(1), seen.Load(), "a POST is not retried")
}

func TestIdleTimeoutCoversTheWaitForHeaders(t *testing.T) {
	srv, seen := trickleServer(t, 0, 0, true)
	d := idleDoer(srv, 40*time.Millisecond)
	err := d.Do(context.Background(), &Request{Method: http.MethodPut, Path: []string{"v3", "x"}, Body: Form(nil)}, nil)
	var idle *IdleTimeoutError
	require.ErrorAs(t, err, &idle)
	assert.ErrorContains(t, err, "PUT /v3/x: connection failed: no progress for 40ms (idle timeout)")
	assert.ErrorIs(t, err, errUnknown)
	assert.Equal(t, int32(3), seen.Load())
}

func TestIdleTimeoutAllowsSlowSteadyProgress(t *testing.T) {
	// 40 bytes, one every 10 ms, against a 250 ms idle bound: the bound is
	// on silence, not on the time the whole body takes.
	srv, seen := trickleServer(t, 10*time.Millisecond, 40, false)
	d := idleDoer(srv, 250*time.Millisecond)
	var out struct{ Message string }
	require.NoError(t, d.Do(context.Background(), &Request{Method: http.MethodGet, Path: []string{"v3", "x"}}, &out))
	assert.Equal(t, strings.Repeat("x", 40), out.Message)
	assert.Equal(t, int32(1), seen.Load())

	// A slow upload is progress too: 20 chunks, one every 30 ms, against a
	// 250 ms bound, 600 ms in all.
	rec := newRecorder(t, nil)
	cfg := testConfig(rec.srv.URL, rec.srv.Client())
	cfg.Retry.IdleTimeout = 250 * time.Millisecond
	body, err := Multipart(nil, "file", "a.csv", &slowReader{chunks: 20, gap: 30 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, New(cfg).Do(context.Background(), &Request{Method: http.MethodPost, Path: []string{"v3", "x"}, Body: body}, nil))
	require.Len(t, rec.requests(), 1)
	assert.Contains(t, string(rec.requests()[0].Body), strings.Repeat("abc\n", 20))
}

// slowReader yields "abc\n" chunks times, waiting gap before each.
type slowReader struct {
	chunks int
	gap    time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.chunks == 0 {
		return 0, io.EOF
	}
	time.Sleep(s.gap)
	s.chunks--
	return copy(p, "abc\n"), nil
}

func TestIdleWatchStopsCleanly(t *testing.T) {
	ctx, w := watchIdle(context.Background(), time.Hour)
	w.stop()
	<-ctx.Done()
	assert.False(t, w.expired())
	assert.Equal(t, context.Canceled, context.Cause(ctx), "stop cancels, without an idle timeout")

	// A stop racing the timer is safe.
	for range 100 {
		_, w := watchIdle(context.Background(), time.Microsecond)
		w.stop()
	}

	ctx, w = watchIdle(context.Background(), 10*time.Millisecond)
	<-ctx.Done()
	assert.True(t, w.expired())
	var idle *IdleTimeoutError
	assert.ErrorAs(t, context.Cause(ctx), &idle)
	assert.True(t, errors.Is(context.Cause(ctx), context.DeadlineExceeded))
	w.stop()
}
