package doer

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scriptServer answers attempt i as script[i] says (the last step repeats):
// "reset" reads the request and resets the connection, "html" is a 200
// HTML page, "truncated" a 200 cut short, a number is that status with a
// JSON body.
func scriptServer(t *testing.T, script ...string) (*Doer, *atomic.Int32) {
	var seen atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		i := int(seen.Add(1)) - 1
		step := script[min(i, len(script)-1)]
		switch step {
		case "reset":
			resetConn(w)
		case "html":
			w.Header().Set("Content-Type", "text/html")
			_, _ = io.WriteString(w, "<html><head><title>Captive portal</title></head></html>")
		case "truncated":
			w.Header().Set("Content-Length", "100")
			_, _ = io.WriteString(w, `{"message":"Qu`)
		default:
			code, err := strconv.Atoi(step)
			if err != nil {
				panic(step)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			_, _ = io.WriteString(w, `{"message":"step `+step+`"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return New(testConfig(srv.URL, (&countingDialer{}).client(false))), &seen
}

func writeRequest(method string) *Request {
	r := &Request{Method: method, Path: []string{"v3", "example.com", "things"}}
	if method != http.MethodGet && method != http.MethodDelete {
		r.Body = Form(map[string][]string{"a": {"1"}})
	}
	return r
}

func TestOutcomeOfOneKindOfFailure(t *testing.T) {
	// Every attempt fails the same way; the retries (if any) are spent.
	cases := []struct {
		name    string
		unknown bool // for a write
	}{
		{"refused", false},
		{"reset", true},
		{"408", false}, {"420", false}, {"429", false},
		{"500", true}, {"502", true}, {"503", true}, {"504", true},
		{"400", false}, {"401", false}, {"404", false}, {"409", false},
		{"html", true}, {"truncated", true},
	}
	for _, tc := range cases {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, "POST-read"} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				var d *Doer
				if tc.name == "refused" || tc.name == "reset" {
					d, _ = target(t, tc.name)
				} else {
					d, _ = scriptServer(t, tc.name)
				}
				r := writeRequest(method)
				if method == "POST-read" {
					r = writeRequest(http.MethodPost)
					r.Idempotent = true
				}
				var out struct{ Message string }
				err := d.Do(context.Background(), r, &out)
				require.Error(t, err)
				write := method != http.MethodGet && !r.Idempotent
				assert.Equal(t, write && tc.unknown, errors.Is(err, errUnknown), "outcome unknown? %v", err)
				if code, cerr := strconv.Atoi(tc.name); cerr == nil {
					var se statusError
					require.ErrorAs(t, err, &se, "the response stays inspectable")
					assert.Equal(t, code, se.StatusCode)
				}
			})
		}
	}
}

func TestOutcomeAcrossAttempts(t *testing.T) {
	cases := []struct {
		method   string
		script   []string
		attempts int32
		unknown  bool
	}{
		{http.MethodPut, []string{"503", "503"}, 4, true},
		{http.MethodPut, []string{"503", "400"}, 2, false},  // the retry answered definitively
		{http.MethodPut, []string{"reset", "429"}, 4, true}, // refusals say nothing about the first attempt
		{http.MethodPut, []string{"429", "429"}, 4, false},
		{http.MethodPut, []string{"503", "200"}, 2, false},
		{http.MethodDelete, []string{"reset", "408", "504"}, 4, true},
		{http.MethodPost, []string{"429", "reset"}, 2, true}, // the refusal is retried, the reset is not
		{http.MethodPost, []string{"429", "503"}, 2, true},
		{http.MethodPost, []string{"420", "400"}, 2, false},
		{http.MethodGet, []string{"reset", "503"}, 4, false},
	}
	for _, tc := range cases {
		t.Run(tc.method+"/"+strconv.Quote(tc.script[0]+","+tc.script[1]), func(t *testing.T) {
			d, seen := scriptServer(t, tc.script...)
			err := d.Do(context.Background(), writeRequest(tc.method), nil)
			if tc.script[len(tc.script)-1] == "200" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
			assert.Equal(t, tc.unknown, errors.Is(err, errUnknown), "outcome unknown? %v", err)
			assert.Equal(t, tc.attempts, seen.Load(), "attempts")
		})
	}
}

func TestOutcomeUnknownSurvivesTheContext(t *testing.T) {
	// (A PUT whose context ends while it waits to retry a 503: see
	// TestCancelDuringWaitReturnsPromptly.)
	// The caller's deadline ends a POST whose request was written: unknown.
	stall := make(chan struct{})
	t.Cleanup(func() { close(stall) })
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	d := New(testConfig(slow.URL, slow.Client()))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := d.Do(ctx, writeRequest(http.MethodPost), nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, errUnknown)

	// A context that ended before anything was sent: nothing happened.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	err = d.Do(ctx, writeRequest(http.MethodPost), nil)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, errUnknown)
}

func TestOutcomeUnknownOnAttemptTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client leave
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	cfg := testConfig(srv.URL, srv.Client())
	cfg.Retry.AttemptTimeout = 20 * time.Millisecond
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodGet} {
		err := New(cfg).Do(context.Background(), writeRequest(method), nil)
		assert.ErrorIs(t, err, context.DeadlineExceeded, method)
		assert.Equal(t, method != http.MethodGet, errors.Is(err, errUnknown), method)
	}
}

// TestEveryTwoHundredIsChecked: a call that passes no output value still
// gets its 2xx body checked, so a captive portal or a website answering
// 200 is not taken for a stored write.
func TestEveryTwoHundredIsChecked(t *testing.T) {
	cases := []struct {
		name, ctype, body string
		status            int
		allowEmpty        bool
		wantErr           string // "" for success
	}{
		{"api json", "application/json", `{"message":"Address has been added to the bounces table"}`, 200, false, ""},
		{"json array", "application/json", `[]`, 200, false, ""},
		{"202 json", "application/json", `{"message":"queued"}`, 202, false, ""},
		{"204", "", ``, 204, false, ""},
		{"empty 200", "", ``, 200, false, "response body is empty"},
		{"empty 200 where allowed", "", ``, 200, true, ""},
		{"empty 202 where allowed", "", ``, 202, true, ""},
		{"json where empty is allowed", "application/json", `{"message":"ok"}`, 200, true, ""},
		{"html where empty is allowed", "text/html", `<html><title>Hi</title></html>`, 200, true, `response is not JSON: "HTML page: Hi"`},
		{"captive portal", "text/html", `<!DOCTYPE html><html><head><title>Hotel WiFi login</title></head><body>...</body></html>`, 200, false, `response is not JSON: "HTML page: Hotel WiFi login"`},
		{"proxy OK", "text/plain", "OK", 200, false, `response is not JSON: "OK"`},
		{"long text", "text/plain", strings.Repeat("lorem ipsum ", 1000), 200, false, "…"},
		{"truncated json", "application/json", `{"message":"Address has`, 200, false, "decoding response: unexpected end of JSON input"},
		{"broken json", "application/json", `{"message" "x"}`, 200, false, "decoding response: invalid character"},
	}
	for _, tc := range cases {
		for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
					if tc.ctype != "" {
						w.Header().Set("Content-Type", tc.ctype)
					}
					w.WriteHeader(tc.status)
					_, _ = io.WriteString(w, tc.body)
				})
				r := writeRequest(method)
				r.AllowEmpty = tc.allowEmpty
				err := rec.doer().Do(context.Background(), r, nil)
				if tc.wantErr == "" {
					require.NoError(t, err)
					return
				}
				require.Error(t, err)
				assert.ErrorContains(t, err, tc.wantErr)
				assert.ErrorContains(t, err, method+" /v3/example.com/things: invalid response: ")
				assert.Less(t, len(err.Error()), 400, "a short excerpt")
				assert.Equal(t, method != http.MethodGet, errors.Is(err, errUnknown), "a write may have been stored")
				assert.Len(t, rec.requests(), 1, "not retried")
			})
		}
	}
}

func TestRetriedDeleteAnswered404IsDone(t *testing.T) {
	cases := []struct {
		method   string
		script   []string
		attempts int32
		status   int // 0: success
	}{
		{http.MethodDelete, []string{"reset", "404"}, 2, 0},
		{http.MethodDelete, []string{"503", "404"}, 2, 0},
		{http.MethodDelete, []string{"reset", "429", "404"}, 3, 0},
		{http.MethodDelete, []string{"truncated", "404"}, 2, 0}, // a 2xx cut short is retried like a reset
		{http.MethodDelete, []string{"html", "404"}, 1, 0},      // a 2xx that is not JSON is not retried
		{http.MethodDelete, []string{"404"}, 1, 404},
		{http.MethodDelete, []string{"429", "404"}, 2, 404}, // refused first: nothing was deleted by us
		{http.MethodDelete, []string{"408", "404"}, 2, 404},
		{http.MethodPut, []string{"reset", "404"}, 2, 404},
		{http.MethodGet, []string{"503", "404"}, 2, 404},
	}
	for _, tc := range cases {
		t.Run(tc.method+"/"+strings.Join(tc.script, ","), func(t *testing.T) {
			d, seen := scriptServer(t, tc.script...)
			err := d.Do(context.Background(), writeRequest(tc.method), nil)
			assert.Equal(t, tc.attempts, seen.Load(), "attempts")
			if tc.script[0] == "html" {
				assert.ErrorIs(t, err, errUnknown)
				return
			}
			if tc.status == 0 {
				require.NoError(t, err)
				return
			}
			var se statusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.status, se.StatusCode)
			assert.NotErrorIs(t, err, errUnknown, "a 404 is a definitive answer")
		})
	}
}

// A POST whose TLS handshake fails (an untrusted certificate) never wrote
// a byte of the request: the transport writes only once the handshake is
// done, so its outcome is not unknown.
func TestOutcomeTLSHandshakeFailureIsUntouched(t *testing.T) {
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

// The caller's context ends while the connection is still being dialled
// (a slow or black-holed network): nothing was written, although the
// transport returns the bare context error, not a dial error.
func TestOutcomeContextEndDuringDialIsUntouched(t *testing.T) {
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

// An attempt that times out while dialling sent nothing, so a POST is
// retried (the timed-out dial surfaces as context.DeadlineExceeded, not
// as a dial error) and its failure is not unknown.
func TestPostRetriedWhenAttemptTimeoutEndsTheDial(t *testing.T) {
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

// traceTransport fires the connection hooks a script says, then fails
// with err without a response.
type traceTransport struct {
	getConn, gotConn bool
	err              error
	calls            atomic.Int32
}

func (tt *traceTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	tt.calls.Add(1)
	if trace := httptrace.ContextClientTrace(r.Context()); trace != nil {
		if tt.getConn && trace.GetConn != nil {
			trace.GetConn(r.URL.Host)
		}
		if tt.gotConn && trace.GotConn != nil {
			trace.GotConn(httptrace.GotConnInfo{})
		}
	}
	return nil, tt.err
}

// A POST that fails without a response is unknown exactly when a
// connection may have carried it: a connection was handed over, or the
// transport reports no connection events and the error is no dial error.
func TestOutcomeFollowsTheConnectionHooks(t *testing.T) {
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	other := errors.New("broken")
	for _, c := range []struct {
		name             string
		getConn, gotConn bool
		err              error
		unknown          bool
	}{
		{"asked, never got", true, false, other, false},
		{"asked, got", true, true, other, true},
		{"asked, got, then a dial error", true, true, dialErr, true}, // an earlier connection may have carried it
		{"no hooks, dial error", false, false, dialErr, false},
		{"no hooks, other error", false, false, other, true},
		{"no hooks, deadline", false, false, context.DeadlineExceeded, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			tt := &traceTransport{getConn: c.getConn, gotConn: c.gotConn, err: c.err}
			err := New(testConfig("http://api.test", &http.Client{Transport: tt})).Do(context.Background(), writeRequest(http.MethodPost), nil)
			require.Error(t, err)
			assert.ErrorIs(t, err, c.err)
			assert.Equal(t, c.unknown, errors.Is(err, errUnknown), "outcome unknown")
			want := int32(4) // MaxRetries 3: nothing was sent, so a POST is retried
			if c.unknown {
				want = 1
			}
			assert.Equal(t, want, tt.calls.Load(), "attempts")
		})
	}
}

// The hooks of a trace the caller put in the context still fire.
func TestCallersClientTraceStillFires(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{}`) }))
	defer srv.Close()
	var got atomic.Bool
	ctx := httptrace.WithClientTrace(context.Background(), &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { got.Store(true) }})
	require.NoError(t, New(testConfig(srv.URL, srv.Client())).Do(ctx, writeRequest(http.MethodPost), nil))
	assert.True(t, got.Load())
}
