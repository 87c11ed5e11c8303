package mailgun_test

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
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

// assertJSONEqual compares JSON documents, ignoring formatting.
func assertJSONEqual(t *testing.T, want, got []byte) {
	t.Helper()
	require.JSONEq(t, string(want), string(bytes.TrimSpace(got)))
}
