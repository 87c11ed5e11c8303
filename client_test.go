package mailgun_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestNewClientDefaults(t *testing.T) {
	c, err := mailgun.NewClient(testKey)
	require.NoError(t, err)
	assert.Equal(t, "https://api.mailgun.net", c.BaseURL())
	assert.Equal(t, mailgun.RegionUS, c.Region())
	for name, svc := range map[string]any{
		"Alerts": c.Alerts, "Bounces": c.Bounces, "Allowlist": c.Allowlist, "AccountWebhooks": c.AccountWebhooks,
		"Tracking": c.Tracking, "Stats": c.Stats, "Events": c.Events, "Metrics": c.Metrics, "Logs": c.Logs,
	} {
		assert.NotNil(t, svc, name)
	}
	assert.Equal(t, mailgun.RetryPolicy{MaxRetries: 3, BaseDelay: 500 * time.Millisecond, MaxDelay: 8 * time.Second, IdleTimeout: 60 * time.Second},
		mailgun.DefaultRetryPolicy())
	_, err = mailgun.NewClient(testKey, mailgun.WithRetry(mailgun.RetryPolicy{IdleTimeout: -1}))
	assert.NoError(t, err, "a negative IdleTimeout disables the idle bound")
}

func TestRegions(t *testing.T) {
	eu, err := mailgun.NewClient(testKey, mailgun.WithRegion(mailgun.RegionEU))
	require.NoError(t, err)
	assert.Equal(t, "https://api.eu.mailgun.net", eu.BaseURL())
	assert.Equal(t, mailgun.RegionEU, eu.Region())
	assert.Equal(t, "eu", mailgun.RegionEU.String())
	assert.Equal(t, "https://api.mailgun.net", mailgun.RegionUS.BaseURL())
	assert.Empty(t, mailgun.Region("mars").BaseURL())

	for in, want := range map[string]mailgun.Region{"": mailgun.RegionUS, "us": mailgun.RegionUS, "EU": mailgun.RegionEU, " eu ": mailgun.RegionEU} {
		got, err := mailgun.ParseRegion(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err = mailgun.ParseRegion("asia")
	assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
}

func TestNewClientRejects(t *testing.T) {
	cases := map[string]struct {
		key  string
		opts []mailgun.Option
	}{
		"empty key":              {"", nil},
		"blank key":              {"   ", nil},
		"key with newline":       {"key-abc\r\nX-Evil: 1", nil},
		"unknown region":         {testKey, []mailgun.Option{mailgun.WithRegion("mars")}},
		"unparsable base URL":    {testKey, []mailgun.Option{mailgun.WithBaseURL("http://[::1")}},
		"no scheme":              {testKey, []mailgun.Option{mailgun.WithBaseURL("api.mailgun.net")}},
		"ftp scheme":             {testKey, []mailgun.Option{mailgun.WithBaseURL("ftp://api.mailgun.net")}},
		"no host":                {testKey, []mailgun.Option{mailgun.WithBaseURL("https://")}},
		"version path":           {testKey, []mailgun.Option{mailgun.WithBaseURL("https://api.mailgun.net/v3")}},
		"version path and slash": {testKey, []mailgun.Option{mailgun.WithBaseURL("https://proxy.example/mailgun/v3/")}},
		"credentials in URL":     {testKey, []mailgun.Option{mailgun.WithBaseURL("https://api:key@api.mailgun.net")}},
		"query in URL":           {testKey, []mailgun.Option{mailgun.WithBaseURL("https://api.mailgun.net?x=1")}},
		"region and base URL":    {testKey, []mailgun.Option{mailgun.WithRegion(mailgun.RegionEU), mailgun.WithBaseURL("http://127.0.0.1:8080")}},
		"base URL and region":    {testKey, []mailgun.Option{mailgun.WithBaseURL("http://127.0.0.1:8080"), mailgun.WithRegion(mailgun.RegionUS)}},
		"nil HTTP client":        {testKey, []mailgun.Option{mailgun.WithHTTPClient(nil)}},
		"negative retries":       {testKey, []mailgun.Option{mailgun.WithMaxRetries(-1)}},
		"negative delay":         {testKey, []mailgun.Option{mailgun.WithRetry(mailgun.RetryPolicy{MaxDelay: -time.Second})}},
		"negative attempt bound": {testKey, []mailgun.Option{mailgun.WithRetry(mailgun.RetryPolicy{AttemptTimeout: -time.Second})}},
		"user agent newline":     {testKey, []mailgun.Option{mailgun.WithUserAgent("app\n1.0")}},
		"empty on-behalf-of":     {testKey, []mailgun.Option{mailgun.WithOnBehalfOf("")}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := mailgun.NewClient(tc.key, tc.opts...)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			if err != nil && tc.key != "" {
				assert.NotContains(t, err.Error(), tc.key)
			}
		})
	}
}

func TestBaseURLIsNormalised(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8080/":         "http://127.0.0.1:8080",
		"https://proxy.example/mailgun/": "https://proxy.example/mailgun",
		"https://proxy.example/vendor":   "https://proxy.example/vendor",
		"HTTPS://api.mailgun.net":        "https://api.mailgun.net",
	} {
		c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, c.BaseURL(), in)
		assert.Equal(t, mailgun.Region(""), c.Region())
	}
}

// echo is a server that answers every request with {} and records it.
type echo struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []*http.Request
	body [][]byte
}

func newEcho(t *testing.T, reply func(w http.ResponseWriter, r *http.Request)) *echo {
	e := &echo{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.reqs = append(e.reqs, r)
		e.body = append(e.body, b)
		e.mu.Unlock()
		if reply != nil {
			reply(w, r)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *echo) client(t *testing.T, opts ...mailgun.Option) *mailgun.Client {
	c, err := mailgun.NewClient(testKey, append([]mailgun.Option{mailgun.WithBaseURL(e.srv.URL), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c
}

func (e *echo) last(t *testing.T) (*http.Request, []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	require.NotEmpty(t, e.reqs)
	return e.reqs[len(e.reqs)-1], e.body[len(e.body)-1]
}

func TestRequestHeaders(t *testing.T) {
	e := newEcho(t, nil)
	c := e.client(t, mailgun.WithUserAgent("myapp/1.4"), mailgun.WithOnBehalfOf("5f4c2a1b"))
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/v3/domains", nil, nil))
	r, _ := e.last(t)
	user, pass, ok := r.BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, "api", user)
	assert.Equal(t, testKey, pass)
	assert.Equal(t, "mgkit-mailgun/"+mailgun.Version+" go/"+runtime.Version()+" myapp/1.4", r.Header.Get("User-Agent"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
	assert.Equal(t, "5f4c2a1b", r.Header.Get("X-Mailgun-On-Behalf-Of"))
}

func TestBasePathPrefixIsKept(t *testing.T) {
	e := newEcho(t, nil)
	c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(e.srv.URL+"/mailgun-proxy/"))
	require.NoError(t, err)
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/v3/domains?limit=1", nil, nil))
	r, _ := e.last(t)
	assert.Equal(t, "/mailgun-proxy/v3/domains?limit=1", r.RequestURI)
}

func TestDoEscapeHatch(t *testing.T) {
	e := newEcho(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"items":[{"name":"example.com"}]}`)
	})
	c := e.client(t)
	ctx := context.Background()

	var out struct {
		Items []struct{ Name string } `json:"items"`
	}
	require.NoError(t, c.Do(ctx, "get", "/v4/domains?limit=1", nil, &out))
	assert.Equal(t, "example.com", out.Items[0].Name)
	r, _ := e.last(t)
	assert.Equal(t, http.MethodGet, r.Method)

	require.NoError(t, c.Do(ctx, http.MethodPost, "/v3/routes", url.Values{"priority": {"1"}, "action": {"stop()", "store()"}}, nil))
	r, body := e.last(t)
	assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	assert.Equal(t, "action=stop%28%29&action=store%28%29&priority=1", string(body))

	require.NoError(t, c.Do(ctx, http.MethodPut, "/v1/things/1", map[string]int{"n": 1}, nil))
	r, body = e.last(t)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"n":1}`, string(body))

	require.NoError(t, c.Do(ctx, http.MethodPost, "/v1/things", json.RawMessage(`[1,2]`), nil))
	_, body = e.last(t)
	assert.Equal(t, `[1,2]`, string(body))

	e.mu.Lock()
	sent := len(e.reqs)
	e.mu.Unlock()
	for _, bad := range []struct{ method, path string }{
		{"GET", "https://evil.example/v3/domains"}, {"GET", "//evil.example/v3/x"}, {"GET", "/v3/../admin"},
		{"GET", "v3/domains"}, {"GET", "/domains"}, {"", "/v3/domains"}, {"GE T", "/v3/domains"},
	} {
		err := c.Do(ctx, bad.method, bad.path, nil, nil)
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, "%s %s", bad.method, bad.path)
	}
	assert.ErrorIs(t, c.Do(ctx, "POST", "/v3/x", strings.NewReader("x"), nil), mailgun.ErrInvalidArgument)
	assert.ErrorIs(t, c.Do(ctx, "POST", "/v3/x", map[string]any{"c": make(chan int)}, nil), mailgun.ErrInvalidArgument)
	e.mu.Lock()
	assert.Equal(t, sent, len(e.reqs), "nothing sent for bad input")
	e.mu.Unlock()
}

func TestDefaultHTTPClientIsNotShared(t *testing.T) {
	// The default client must not be http.DefaultClient: mutating the
	// global one must not change what the SDK does.
	e := newEcho(t, nil)
	saved := http.DefaultClient.Transport
	t.Cleanup(func() { http.DefaultClient.Transport = saved })
	http.DefaultClient.Transport = roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("http.DefaultClient was used")
	})
	c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(e.srv.URL))
	require.NoError(t, err)
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/v3/domains", nil, nil))
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestGivenHTTPClientIsNotModified(t *testing.T) {
	e := newEcho(t, nil)
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr, Timeout: 7 * time.Second}
	before := fmt.Sprintf("%#v", *hc)
	c := e.client(t, mailgun.WithHTTPClient(hc))
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/v3/domains", nil, nil))
	assert.Equal(t, before, fmt.Sprintf("%#v", *hc))
	assert.Same(t, tr, hc.Transport)
}

func TestClientIsSafeForConcurrentUse(t *testing.T) {
	e := newEcho(t, nil)
	c := e.client(t)
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			for j := range 10 {
				assert.NoError(t, c.Do(context.Background(), http.MethodGet, fmt.Sprintf("/v3/d%d/x%d", i, j), nil, nil))
			}
		})
	}
	wg.Wait()
	e.mu.Lock()
	assert.Len(t, e.reqs, 320)
	e.mu.Unlock()
}

func TestKeyNeverLeaks(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	calls := 0
	e := newEcho(t, func(w http.ResponseWriter, r *http.Request) {
		calls++
		switch calls {
		case 1:
			w.WriteHeader(http.StatusServiceUnavailable) // retried, logged with a wait
		case 2:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "Forbidden")
		}
	})
	c := e.client(t, mailgun.WithLogger(logger))
	err := c.Do(context.Background(), http.MethodGet, "/v3/example.com/bounces", nil, nil)
	require.ErrorIs(t, err, mailgun.ErrUnauthorized)

	dead, derr := mailgun.NewClient(testKey, mailgun.WithBaseURL("http://127.0.0.1:1"), mailgun.WithMaxRetries(0), mailgun.WithLogger(logger))
	require.NoError(t, derr)
	transportErr := dead.Do(context.Background(), http.MethodGet, "/v3/x", nil, nil)
	require.Error(t, transportErr)

	_, optErr := mailgun.NewClient(testKey, mailgun.WithBaseURL("https://api:"+testKey+"@h.example"))
	require.Error(t, optErr)

	secrets := []string{testKey, base64.StdEncoding.EncodeToString([]byte("api:" + testKey))}
	outputs := map[string]string{
		"%v":           fmt.Sprintf("%v", c),
		"%+v":          fmt.Sprintf("%+v", c),
		"%#v":          fmt.Sprintf("%#v", c),
		"%v value":     fmt.Sprintf("%v", *c),
		"%+v value":    fmt.Sprintf("%+v", *c),
		"%#v value":    fmt.Sprintf("%#v", *c),
		"%v service":   fmt.Sprintf("%+v", c.Bounces),
		"api error":    err.Error(),
		"api error %v": fmt.Sprintf("%+v", err),
		"transport":    transportErr.Error(),
		"option error": optErr.Error(),
		"logs":         logs.String(),
	}
	jsonClient, jerr := json.Marshal(c)
	require.NoError(t, jerr)
	outputs["json"] = string(jsonClient)
	var slogged bytes.Buffer
	slog.New(slog.NewTextHandler(&slogged, nil)).Info("client", "c", c)
	outputs["slog"] = slogged.String()
	for name, out := range outputs {
		for _, s := range secrets {
			assert.NotContains(t, out, s, name)
		}
		assert.NotContains(t, out, "Authorization", name)
	}
	assert.Contains(t, outputs["%v"], "[redacted]")
	assert.Contains(t, outputs["logs"], `"status":503`)
	assert.Contains(t, outputs["logs"], `"attempt":2`)
	assert.Contains(t, err.Error(), "check the API key")
}

func TestLoggingRecordsEveryAttempt(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := mailguntest.NewServer(t)
	srv.Fail("GET", "/v3/*/things", mailguntest.Fault{Status: 429, RetryAfter: "0"}, 2)
	c := srv.Client(mailgun.WithLogger(logger))
	err := c.Do(context.Background(), http.MethodGet, "/v3/example.com/things", nil, nil)
	require.ErrorIs(t, err, mailgun.ErrNotFound, "the fake has no such endpoint")

	var records []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(logs.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m))
		records = append(records, m)
	}
	require.Len(t, records, 3)
	for i, r := range records {
		assert.Equal(t, "DEBUG", r["level"])
		assert.Equal(t, "GET", r["method"])
		assert.Equal(t, "/v3/example.com/things", r["path"])
		assert.EqualValues(t, i+1, r["attempt"])
	}
	assert.EqualValues(t, 429, records[0]["status"])
	assert.EqualValues(t, 0, records[0]["wait"], "Retry-After: 0 means no wait")
	assert.EqualValues(t, 404, records[2]["status"])
	assert.NotContains(t, records[2], "wait")

	quiet := srv.Client(mailgun.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	logs.Reset()
	_ = quiet.Do(context.Background(), http.MethodGet, "/v3/example.com/things", nil, nil)
	assert.Empty(t, logs.String(), "no records above debug level")
}
