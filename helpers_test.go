package mailgun_test

import (
	"bytes"
	"io"
	"iter"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/mailguntest"
)

// testKey is the API key of mock clients; tests assert it never leaks.
const testKey = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"

// fastRetry keeps retry tests quick.
var fastRetry = mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})

// wireRequest is a request as it left the SDK.
type wireRequest struct {
	Method     string
	RequestURI string // escaped path and query, as on the request line
	Header     http.Header
	Body       []byte
}

// mock is an httpmock transport that records every request it answers.
type mock struct {
	*httpmock.MockTransport
	mu       sync.Mutex
	requests []wireRequest
}

// newMockClient returns a client for the US region whose requests go to an
// httpmock transport, each one validated against the OpenAPI contract.
// Responses are not validated: mocks may answer with undeclared errors.
func newMockClient(t *testing.T, opts ...mailgun.Option) (*mailgun.Client, *mock) {
	t.Helper()
	m := &mock{MockTransport: httpmock.NewMockTransport()}
	hc := &http.Client{Transport: contracttest.Load(t).RequestTransport(t, m.MockTransport)}
	c, err := mailgun.NewClient(testKey, append([]mailgun.Option{mailgun.WithHTTPClient(hc), fastRetry}, opts...)...)
	require.NoError(t, err)
	return c, m
}

// respond registers a responder for method and URL (as httpmock matches
// them) that records the request and answers status with body as JSON.
func (m *mock) respond(method, url string, status int, body []byte) {
	m.RegisterResponder(method, url, func(r *http.Request) (*http.Response, error) {
		m.record(r)
		resp := httpmock.NewBytesResponse(status, body)
		resp.Header.Set("Content-Type", "application/json")
		return resp, nil
	})
}

func (m *mock) record(r *http.Request) {
	var b []byte
	if r.Body != nil {
		b, _ = io.ReadAll(r.Body)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests = append(m.requests, wireRequest{Method: r.Method, RequestURI: r.URL.RequestURI(), Header: r.Header.Clone(), Body: b})
}

// only returns the one request the mock saw, failing the test otherwise.
func (m *mock) only(t *testing.T) wireRequest {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	require.Len(t, m.requests, 1, "requests sent")
	return m.requests[0]
}

// sent returns every request the mock saw.
func (m *mock) sent() []wireRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]wireRequest(nil), m.requests...)
}

// newFake starts a mailguntest server and returns a client for it whose
// requests and responses are validated against the OpenAPI contract.
func newFake(t *testing.T, opts ...mailguntest.Option) (*mailguntest.Server, *mailgun.Client) {
	t.Helper()
	srv := mailguntest.NewServer(t, opts...)
	hc := &http.Client{Transport: contracttest.Load(t).Transport(t, srv.HTTPClient().Transport)}
	return srv, srv.Client(mailgun.WithHTTPClient(hc))
}

// fixture reads a file under testdata.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(name)))
	require.NoError(t, err)
	return b
}

// example reads the documented example name (under testdata/examples),
// checks it against the contract as the answer with status to method on
// path (which may have a query), and returns it.
func example(t testing.TB, name, method, path string, status int) []byte {
	t.Helper()
	body := fixture(t, "examples/"+name)
	require.NoError(t, contracttest.Load(t).CheckExample(method, path, status, "application/json", body), name)
	return body
}

// assertJSONEqual compares JSON documents, ignoring formatting.
func assertJSONEqual(t *testing.T, want, got []byte) {
	t.Helper()
	require.JSONEq(t, string(want), string(bytes.TrimSpace(got)))
}

// wireCase is one exact-request test: call, answered status (0 means 200)
// with body by a mock of method and url, must send method to wantURI
// (escaped path and query) with wantForm as its urlencoded body ("" for
// none).
type wireCase struct {
	name, method, url string
	status            int
	body              []byte
	call              func(c *mailgun.Client) error
	wantURI, wantForm string
}

// wireSummary is what a wireCase checks of the request sent.
type wireSummary struct {
	Method, URI, Accept, ContentType, Body string
}

// runWireCases runs each case as a subtest against newMockClient.
func runWireCases(t *testing.T, cases []wireCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, m := newMockClient(t)
			status := tc.status
			if status == 0 {
				status = http.StatusOK
			}
			m.respond(tc.method, tc.url, status, tc.body)
			require.NoError(t, tc.call(c))
			req := m.only(t)
			want := wireSummary{Method: tc.method, URI: tc.wantURI, Accept: "application/json", Body: tc.wantForm}
			if tc.wantForm != "" {
				want.ContentType = "application/x-www-form-urlencoded"
			}
			assert.Equal(t, want, wireSummary{
				Method: req.Method, URI: req.RequestURI, Accept: req.Header.Get("Accept"),
				ContentType: req.Header.Get("Content-Type"), Body: string(req.Body),
			})
		})
	}
}

// reply is one canned answer.
type reply struct {
	status int
	body   string
}

// respondSeq answers method/url with replies in turn (the last one
// repeats), recording each request.
func respondSeq(m *mock, method, rawURL string, replies ...reply) {
	var mu sync.Mutex
	i := 0
	m.RegisterResponder(method, rawURL, func(r *http.Request) (*http.Response, error) {
		m.record(r)
		mu.Lock()
		rp := replies[min(i, len(replies)-1)]
		i++
		mu.Unlock()
		resp := httpmock.NewStringResponse(rp.status, rp.body)
		resp.Header.Set("Content-Type", "application/json")
		if rp.status == http.StatusTooManyRequests {
			resp.Header.Set("Retry-After", "0")
		}
		return resp, nil
	})
}

// respondOK is respondSeq with every reply a 200 carrying one of bodies.
func respondOK(m *mock, method, rawURL string, bodies ...[]byte) {
	replies := make([]reply, len(bodies))
	for i, b := range bodies {
		replies[i] = reply{http.StatusOK, string(b)}
	}
	respondSeq(m, method, rawURL, replies...)
}

// assertFailsOnce checks that a walk yields exactly one value: an error
// matching target.
func assertFailsOnce[T any](t *testing.T, seq iter.Seq2[T, error], target error) {
	t.Helper()
	n := 0
	for _, err := range seq {
		assert.ErrorIs(t, err, target)
		n++
	}
	assert.Equal(t, 1, n, "the error is yielded once, and nothing else")
}
