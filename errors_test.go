package mailgun_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestAPIErrorMatchesSentinels(t *testing.T) {
	sentinels := []error{
		mailgun.ErrBadRequest, mailgun.ErrUnauthorized, mailgun.ErrForbidden, mailgun.ErrNotFound,
		mailgun.ErrConflict, mailgun.ErrPayloadTooLarge, mailgun.ErrRateLimited, mailgun.ErrServer,
	}
	cases := map[int]error{
		400: mailgun.ErrBadRequest, 401: mailgun.ErrUnauthorized, 403: mailgun.ErrForbidden,
		404: mailgun.ErrNotFound, 409: mailgun.ErrConflict, 413: mailgun.ErrPayloadTooLarge,
		420: mailgun.ErrRateLimited, 429: mailgun.ErrRateLimited, 500: mailgun.ErrServer,
		502: mailgun.ErrServer, 503: mailgun.ErrServer, 504: mailgun.ErrServer, 402: nil, 418: nil,
	}
	for status, want := range cases {
		err := error(&mailgun.APIError{StatusCode: status})
		for _, s := range sentinels {
			assert.Equal(t, s == want, errors.Is(err, s), "status %d vs %v", status, s)
		}
		assert.False(t, errors.Is(err, mailgun.ErrInvalidArgument))
	}
}

func TestAPIErrorText(t *testing.T) {
	e := &mailgun.APIError{StatusCode: 404, Method: "GET", Path: "/v3/example.com/bounces/bob%2Btag%40example.org", Message: "Address not found in bounces table"}
	assert.Equal(t, "mailgun: GET /v3/example.com/bounces/bob%2Btag%40example.org: 404 Not Found: Address not found in bounces table", e.Error())
	e = &mailgun.APIError{StatusCode: 401, Method: "GET", Path: "/v3/x", Message: "Forbidden"}
	assert.Contains(t, e.Error(), "401 Unauthorized: Forbidden (check the API key")
	assert.Contains(t, e.Error(), "region")
	e = &mailgun.APIError{StatusCode: 420, Method: "POST", Path: "/v3/x"}
	assert.Equal(t, "mailgun: POST /v3/x: 420", e.Error())
}

func TestDocumentedErrorBodies(t *testing.T) {
	cases := []struct {
		file   string
		status int
		want   string
	}{
		{"examples/general/error.400.json", 400, "to parameter is not a valid address. please check documentation"},
		{"examples/general/error.403.json", 403, "Domain example.com is not allowed to send: Free accounts are for test purposes only."},
		{"examples/general/error.404.json", 404, "Domain not found: example.invalid"},
		{"examples/general/error.429.json", 429, "account-requests-per-sec limit exceeded"},
		{"examples/general/error.500.json", 500, "Internal Server Error"},
		{"examples/account-webhooks/post-v1-webhooks.409.json", 409, "unable to add more than 3 urls for event type delivered"},
		{"examples/account-webhooks/post-v1-webhooks.400.json", 400, "event_types: duplicate event types: 'accepted'"},
		{"examples/tracking/x509.402.json", 402, "upgrade your account to enable this feature"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			c, m := newMockClient(t, mailgun.WithMaxRetries(0))
			m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/bounces", tc.status, fixture(t, tc.file))
			err := c.Do(context.Background(), http.MethodGet, "/v3/example.com/bounces", nil, nil)
			var apiErr *mailgun.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Contains(t, apiErr.Message, tc.want)
			assert.Equal(t, "/v3/example.com/bounces", apiErr.Path)
			assert.Equal(t, http.MethodGet, apiErr.Method)
		})
	}
}

func TestUnauthorizedFromTheFake(t *testing.T) {
	srv := mailguntest.NewServer(t)
	c, err := mailgun.NewClient("key-wrong", mailgun.WithBaseURL(srv.URL()))
	require.NoError(t, err)
	err = c.Do(context.Background(), http.MethodGet, "/v3/example.com/bounces", nil, nil)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.Equal(t, "Forbidden", apiErr.Message)
	assert.Equal(t, `Basic realm="MG API"`, apiErr.Header.Get("Www-Authenticate"))
	assert.ErrorIs(t, err, mailgun.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "key-wrong")
	assert.Len(t, srv.Requests(), 1, "401 is not retried")
}

func TestRateLimitedAfterRetries(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.Fail("GET", "/v3/*/bounces", mailguntest.Fault{Status: 429, RetryAfter: "1", Header: http.Header{"X-Request-Reset": {"1774529969637"}}}, -1)
	c := srv.Client(mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
	err := c.Do(context.Background(), http.MethodGet, "/v3/example.com/bounces", nil, nil)
	assert.ErrorIs(t, err, mailgun.ErrRateLimited)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, time.Second, apiErr.RetryAfter, "the server's hint, uncapped, for the caller")
	assert.Len(t, srv.Requests(), 3)
}

func TestHTMLGatewayError(t *testing.T) {
	srv := mailguntest.NewServer(t)
	page := "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n" + strings.Repeat("<!-- padding -->\n", 100) + "</body>\r\n</html>"
	srv.Fail("*", "/v3/*/bounces", mailguntest.Fault{Status: 502, Body: page}, -1)
	c := srv.Client(mailgun.WithMaxRetries(1))
	err := c.Do(context.Background(), http.MethodGet, "/v3/example.com/bounces", nil, nil)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "HTML page: 502 Bad Gateway", apiErr.Message)
	assert.ErrorIs(t, err, mailgun.ErrServer)
	assert.NotContains(t, err.Error(), "<")
	assert.Len(t, srv.Requests(), 2)
}

func TestTruncatedSuccessBodyNamesTheCall(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/bounces/a@example.com", 200, []byte(`{"address":"a@exa`))
	var out map[string]any
	err := c.Do(context.Background(), http.MethodGet, "/v3/example.com/bounces/a@example.com", nil, &out)
	require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
	assert.Contains(t, err.Error(), "GET /v3/example.com/bounces/a@example.com")
	assert.Len(t, m.sent(), 1, "a malformed 2xx body is not retried")
}

func TestStalledBodyWithAttemptTimeout(t *testing.T) {
	// The server sends headers and part of a body, then stalls: the
	// per-attempt timeout ends each attempt and the GET is retried.
	stall := make(chan struct{})
	t.Cleanup(func() { close(stall) })
	hs := newEcho(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"items":[`)
		w.(http.Flusher).Flush()
		select {
		case <-stall:
		case <-r.Context().Done():
		}
	})
	c := hs.client(t, mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, AttemptTimeout: 30 * time.Millisecond}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := c.Do(ctx, http.MethodGet, "/v3/example.com/bounces", nil, &map[string]any{})
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NoError(t, ctx.Err(), "the caller's context did not end: the attempts timed out")
	hs.mu.Lock()
	assert.Len(t, hs.reqs, 3)
	hs.mu.Unlock()
}

func TestOutcomeUnknownClassifiesWrites(t *testing.T) {
	ctx := context.Background()
	fast := mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})
	bounce := mailgun.BounceInput{Address: "bob@example.org", Code: "550"}

	t.Run("POST dropped after it was written", func(t *testing.T) {
		srv := mailguntest.NewServer(t)
		srv.Fail("POST", "/v3/*/bounces", mailguntest.Fault{DropConnection: true}, 1)
		err := srv.Client(fast).Bounces.Add(ctx, "example.com", bounce)
		assert.ErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		assert.ErrorIs(t, err, mailgun.ErrConnection)
		// The fake logs a request after its handler returns, which may be after the client saw the drop.
		assert.Eventually(t, func() bool { return len(srv.Requests()) == 1 }, 5*time.Second, time.Millisecond,
			"a POST that may have been acted on is not repeated")
	})
	t.Run("POST refused with 429 until the retries are spent", func(t *testing.T) {
		srv := mailguntest.NewServer(t)
		srv.Fail("POST", "/v3/*/bounces", mailguntest.Fault{Status: 429}, -1)
		err := srv.Client(fast).Bounces.Add(ctx, "example.com", bounce)
		assert.ErrorIs(t, err, mailgun.ErrRateLimited)
		assert.NotErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		assert.Len(t, srv.Requests(), 3)
	})
	t.Run("POST whose dial is refused", func(t *testing.T) {
		srv := mailguntest.NewServer(t)
		c := srv.Client(fast)
		srv.Close()
		err := c.Bounces.Add(ctx, "example.com", bounce)
		assert.ErrorIs(t, err, mailgun.ErrConnection)
		assert.NotErrorIs(t, err, mailgun.ErrOutcomeUnknown)
	})
	t.Run("PUT answered 503 on every retry", func(t *testing.T) {
		srv := mailguntest.NewServer(t)
		srv.Fail("PUT", "/v3/domains/*/tracking/open", mailguntest.Fault{Status: 503}, -1)
		_, err := srv.Client(fast).Tracking.UpdateOpen(ctx, "example.com", mailgun.OpenTrackingUpdate{Active: new(true)})
		assert.ErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		assert.ErrorIs(t, err, mailgun.ErrServer)
		var apiErr *mailgun.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.StatusCode)
		assert.Len(t, srv.Requests(), 3)
	})
	t.Run("GET never", func(t *testing.T) {
		srv := mailguntest.NewServer(t)
		srv.Fail("GET", "/v3/*/bounces/*", mailguntest.Fault{DropConnection: true}, -1)
		_, err := srv.Client(fast).Bounces.Get(ctx, "example.com", "bob@example.org")
		assert.ErrorIs(t, err, mailgun.ErrConnection)
		assert.NotErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		assert.Eventually(t, func() bool { return len(srv.Requests()) == 3 }, 5*time.Second, time.Millisecond, "a GET is retried")
	})
}
