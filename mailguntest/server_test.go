package mailguntest_test

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

func get(t *testing.T, srv *mailguntest.Server, path, key string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL()+path, nil)
	require.NoError(t, err)
	if key != "" {
		req.SetBasicAuth("api", key)
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

func TestAuth(t *testing.T) {
	srv := mailguntest.NewServer(t, mailguntest.WithAPIKey("key-custom"))
	assert.Equal(t, "key-custom", srv.APIKey())
	for _, key := range []string{"", "key-wrong", mailguntest.DefaultAPIKey} {
		resp, body := get(t, srv, "/v3/example.com/anything", key)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, key)
		assert.Equal(t, "Forbidden", body)
		assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
		assert.Equal(t, `Basic realm="MG API"`, resp.Header.Get("Www-Authenticate"))
	}
	resp, _ := get(t, srv, "/v3/example.com/anything", "key-custom")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "authenticated, unknown path")
}

func TestRequestLog(t *testing.T) {
	srv := mailguntest.NewServer(t)
	c := srv.Client()
	_ = c.Do(context.Background(), http.MethodPost, "/v3/example.com/nothing?x=1", map[string]string{"a": "b"}, nil)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/v3/example.com/nothing", r.Path)
	assert.Equal(t, "x=1", r.RawQuery)
	assert.Equal(t, "1", r.Query.Get("x"))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.JSONEq(t, `{"a":"b"}`, string(r.Body))
	assert.EqualValues(t, len(r.Body), r.BodySize)
	assert.False(t, r.Fault)

	srv.ResetRequests()
	assert.Empty(t, srv.Requests())
}

func TestFaultStatusAndRetryAfter(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.Fail("GET", "/v3/*/bounces", mailguntest.Fault{Status: 503, RetryAfter: "0", Header: http.Header{"X-Request-Reset": {"1"}}}, 2)
	resp, body := get(t, srv, "/v3/example.com/bounces", srv.APIKey())
	assert.Equal(t, 503, resp.StatusCode)
	assert.Equal(t, "0", resp.Header.Get("Retry-After"))
	assert.Equal(t, "1", resp.Header.Get("X-Request-Reset"))
	assert.Equal(t, "true", resp.Header.Get(mailguntest.FaultHeader))
	assert.JSONEq(t, `{"message":"Service Unavailable"}`, body)

	resp, _ = get(t, srv, "/v3/other.org/bounces", "") // faults come before auth, like a proxy
	assert.Equal(t, 503, resp.StatusCode)
	resp, _ = get(t, srv, "/v3/example.com/bounces", srv.APIKey())
	assert.Equal(t, 200, resp.StatusCode, "the fault was used up after two requests")

	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	assert.True(t, reqs[0].Fault)
	assert.True(t, reqs[1].Fault)
	assert.False(t, reqs[2].Fault)
}

func TestFaultMatching(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.Fail("DELETE", "/v3/*/bounces/*", mailguntest.Fault{Status: 500}, -1)
	srv.Fail("", "/v1/*", mailguntest.Fault{Status: 502, Body: "<html><title>502</title></html>"}, -1)

	resp, _ := get(t, srv, "/v3/example.com/bounces/a@b.c", srv.APIKey())
	assert.Equal(t, 404, resp.StatusCode, "method does not match")
	resp, body := get(t, srv, "/v1/webhooks", srv.APIKey())
	assert.Equal(t, 502, resp.StatusCode)
	assert.Equal(t, "<html><title>502</title></html>", body)
	assert.Contains(t, resp.Header.Get("Content-Type"), "text/html")
	resp, _ = get(t, srv, "/v1/alerts/events", srv.APIKey())
	assert.Equal(t, 200, resp.StatusCode, "* does not cross a slash")

	srv.ClearFaults()
	resp, _ = get(t, srv, "/v1/webhooks", srv.APIKey())
	assert.NotEqual(t, 502, resp.StatusCode)

	assert.Panics(t, func() { srv.Fail("GET", "[", mailguntest.Fault{}, 1) })
}

func TestFaultDropConnectionAndDelay(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.Fail("GET", "/v3/*/drop", mailguntest.Fault{DropConnection: true}, 1)
	c := srv.Client(mailgun.WithMaxRetries(0))
	err := c.Do(context.Background(), http.MethodGet, "/v3/example.com/drop", nil, nil)
	require.Error(t, err)
	var apiErr *mailgun.APIError
	assert.False(t, errors.As(err, &apiErr), "a dropped connection is a transport error: %v", err)

	// With retries, the GET survives one dropped connection.
	srv.Fail("GET", "/v3/*/drop", mailguntest.Fault{DropConnection: true}, 1)
	err = srv.Client().Do(context.Background(), http.MethodGet, "/v3/example.com/drop", nil, nil)
	assert.ErrorIs(t, err, mailgun.ErrNotFound, "the retry reached the (unknown) endpoint")

	// A delay longer than the caller's deadline.
	srv.Fail("GET", "/v3/*/slow", mailguntest.Fault{Delay: time.Minute}, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = c.Do(ctx, http.MethodGet, "/v3/example.com/slow", nil, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// TestFaultDropAfterHandler: the request reaches the real handler, whose
// effect stays, and the connection then drops without its answer, so a
// test can exercise the reconciliation of a write whose outcome is
// unknown (mailgun.ErrOutcomeUnknown) against a fake that did act on it.
func TestFaultDropAfterHandler(t *testing.T) {
	srv := mailguntest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()

	srv.Fail("POST", "/v3/*/messages", mailguntest.Fault{DropAfterHandler: true}, 1)
	_, err := c.Messages.Send(ctx, domain, &mailgun.Message{From: "me@" + domain, To: []string{"a@example.org"}, Subject: "Hi", Text: "Hello"})
	require.ErrorIs(t, err, mailgun.ErrOutcomeUnknown)
	sent := srv.Messages(domain)
	require.Len(t, sent, 1, "the send was accepted all the same")
	assert.Equal(t, "Hello", sent[0].Text)
	reqs := srv.Requests()
	require.Len(t, reqs, 1, "a send is not retried")
	assert.True(t, reqs[0].Fault)
	assert.NotZero(t, reqs[0].BodySize)

	srv.Fail("POST", "/v3/*/bounces", mailguntest.Fault{DropAfterHandler: true}, 1)
	err = c.Bounces.Add(ctx, "example.com", mailgun.BounceInput{Address: "bob@example.com"})
	require.ErrorIs(t, err, mailgun.ErrOutcomeUnknown)
	_, err = c.Bounces.Get(ctx, "example.com", "bob@example.com")
	assert.NoError(t, err, "stored: reading back tells the outcome")

	// A bad key is still refused, with its answer, before any handler runs.
	srv.Fail("POST", "/v3/*/bounces", mailguntest.Fault{DropAfterHandler: true}, 1)
	req, err := http.NewRequest(http.MethodPost, srv.URL()+"/v3/example.com/bounces", strings.NewReader("address=carol%40example.com"))
	require.NoError(t, err)
	req.SetBasicAuth("api", "key-wrong")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Len(t, srv.Bounces("example.com"), 1, "carol is not stored")
}

func TestStartOutsideATest(t *testing.T) {
	srv := mailguntest.Start()
	assert.True(t, strings.HasPrefix(srv.URL(), "http://127.0.0.1:"))
	c := srv.Client()
	assert.Equal(t, srv.URL(), c.BaseURL())
	srv.Close()
	err := c.Do(context.Background(), http.MethodGet, "/v3/x", nil, nil)
	assert.Error(t, err)
}

func TestFaultProbability(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.Fail("GET", "/v3/*/x", mailguntest.Fault{Status: 503, Probability: 0.25}, -1)
	faults := 0
	for range 400 {
		resp, _ := get(t, srv, "/v3/example.com/x", srv.APIKey())
		if resp.StatusCode == 503 {
			faults++
		}
	}
	// 400 draws at p=0.25: mean 100, standard deviation ~8.7.
	assert.InDelta(t, 100, faults, 45)
	logged := 0
	for _, r := range srv.Requests() {
		if r.Fault {
			logged++
		}
	}
	assert.Equal(t, faults, logged)
}

// TestServerEarlyAnswerDoesNotWaitForBody: an answer given without reading
// the request body (401 for a bad key, an injected fault) reaches a client
// that is still streaming its body (an attachment from a slow reader, an
// import from a pipe) at once, as the real API's would. The request is in
// the log as soon as it is answered, and its body is logged once it ends.
func TestServerEarlyAnswerDoesNotWaitForBody(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.Fail("POST", "/v3/*/bounces", mailguntest.Fault{Status: http.StatusServiceUnavailable}, 1)
	for _, tt := range []struct {
		path, key string
		status    int
	}{
		{"/v3/" + domain + "/messages", "wrong-key", http.StatusUnauthorized},
		{"/v3/" + domain + "/bounces", srv.APIKey(), http.StatusServiceUnavailable},
	} {
		srv.ResetRequests()
		pr, pw := io.Pipe()
		req, err := http.NewRequest(http.MethodPost, srv.URL()+tt.path, pr)
		require.NoError(t, err)
		req.SetBasicAuth("api", tt.key)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		go func() { _, _ = pw.Write([]byte("to=a%40example.org&")) }()
		type answer struct {
			status int
			err    error
		}
		done := make(chan answer, 1)
		go func() {
			resp, err := srv.HTTPClient().Do(req)
			if err != nil {
				done <- answer{err: err}
				return
			}
			resp.Body.Close()
			done <- answer{status: resp.StatusCode}
		}()
		select {
		case a := <-done:
			require.NoError(t, a.err)
			assert.Equal(t, tt.status, a.status, tt.path)
		case <-time.After(2 * time.Second):
			t.Errorf("%s: the %d is held back until the client ends its body", tt.path, tt.status)
			pw.Close()
			<-done
			continue
		}
		reqs := srv.Requests()
		require.Len(t, reqs, 1, "logged once answered")
		assert.Equal(t, tt.status == http.StatusServiceUnavailable, reqs[0].Fault)
		pw.Close() // the client gave up its body on the answer: what arrived is logged
		assert.Eventually(t, func() bool {
			r := srv.Requests()[0]
			return strings.HasPrefix("to=a%40example.org&", string(r.Body)) && r.BodySize == int64(len(r.Body))
		}, 2*time.Second, 5*time.Millisecond)
	}
}
