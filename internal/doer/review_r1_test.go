package doer

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReviewR1_TLSFailureIsNotUnknown: a POST whose TLS handshake fails
// (an untrusted certificate) never wrote a byte of the request: the
// transport only writes once the handshake is done. Do wraps
// Config.OutcomeUnknown anyway (retry.go notSent knows only dial and DNS
// errors; doer.go attempt marks every other transport error actedOn).
// Expected: the error is not ErrOutcomeUnknown (nothing was sent).
func TestReviewR1_TLSFailureIsNotUnknown(t *testing.T) {
	reached := make(chan struct{}, 1)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached <- struct{}{} }))
	srv.Config.ErrorLog = quietLog()
	srv.StartTLS()
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{}} // does not trust srv's certificate
	defer hc.CloseIdleConnections()
	d := New(testConfig(srv.URL, hc))
	err := d.Do(context.Background(), writeRequest(http.MethodPost), nil)
	require.Error(t, err)
	select {
	case <-reached:
		t.Fatal("the request reached the handler")
	default:
	}
	assert.False(t, errors.Is(err, errUnknown), "a send that failed its TLS handshake is reported as outcome unknown: %v", err)
}

// TestReviewR1_ContextEndDuringDialIsNotUnknown: the caller's context ends
// while the connection is still being dialled (a slow or black-holed
// network). Nothing was written; ErrOutcomeUnknown's doc says "A failed
// dial or DNS lookup is not unknown: nothing was sent". The transport
// returns the bare context error (not a *net.OpError "dial"), so notSent
// (retry.go:79) is false and attempt (doer.go:404) marks it actedOn.
// Expected: not ErrOutcomeUnknown.
func TestReviewR1_ContextEndDuringDialIsNotUnknown(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			select { // a SYN that is never answered
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-release:
				return nil, errors.New("released")
			}
		},
	}}
	defer hc.CloseIdleConnections()
	d := New(testConfig("http://192.0.2.1", hc))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := d.Do(ctx, writeRequest(http.MethodPost), nil)
	require.Error(t, err)
	assert.False(t, errors.Is(err, errUnknown), "a POST that never got a connection is reported as outcome unknown: %v", err)
}

// TestReviewR1_AttemptTimeoutDuringDialIsRetriedForPost: with
// AttemptTimeout, an attempt that times out while dialling sent nothing,
// so by the POST rule ("retried ... when the connection failed before any
// byte was sent") it may be retried, and its failure is not unknown. The
// timed-out dial surfaces as context.DeadlineExceeded, which notSent does
// not recognise: no retry, and ErrOutcomeUnknown.
func TestReviewR1_AttemptTimeoutDuringDialIsRetriedForPost(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var dials atomic.Int32
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			dials.Add(1)
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-release:
				return nil, errors.New("released")
			}
		},
	}}
	defer hc.CloseIdleConnections()
	cfg := testConfig("http://192.0.2.1", hc)
	cfg.Retry.AttemptTimeout = 30 * time.Millisecond
	d := New(cfg)
	err := d.Do(context.Background(), writeRequest(http.MethodPost), nil)
	require.Error(t, err)
	assert.False(t, errors.Is(err, errUnknown), "outcome unknown although no connection was made: %v", err)
	assert.Equal(t, int32(4), dials.Load(), "a POST that never connected may be retried (MaxRetries 3)")
}

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
