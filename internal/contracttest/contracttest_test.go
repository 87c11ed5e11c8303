package contracttest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeT records failures instead of failing the real test.
type fakeT struct {
	testing.TB
	errors []string
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeT) Helper() {}

func send(t *testing.T, rt http.RoundTripper, method, target, ctype, body string, auth bool) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, r)
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth {
		req.SetBasicAuth("api", "key-x")
	}
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
}

func TestContractLoads(t *testing.T) {
	c := Load(t)
	ops := c.Operations()
	assert.Len(t, ops, 57+46)
	assert.Len(t, c.OperationsIn("mailgun.yaml"), 57)
	assert.Len(t, c.OperationsIn("sending.yaml"), 46)
	assert.Contains(t, ops, "GET-v3--domainID--bounces--address-")
}

func TestTransportValidatesBothWays(t *testing.T) {
	c := Load(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/fault"):
			w.Header().Set(FaultHeader, "true")
			w.WriteHeader(503)
		case strings.Contains(r.URL.Path, "/v3/example.com/bounces/"):
			_, _ = io.WriteString(w, `{"address":"a@example.com","code":"550","error":"","created_at":"Thu, 11 Dec 2025 01:49:40 UTC"}`)
		case r.URL.Path == "/v1/webhooks":
			_, _ = io.WriteString(w, `{"wrong":"shape"}`)
		default:
			_, _ = io.WriteString(w, `{"items":[],"paging":{}}`)
		}
	}))
	t.Cleanup(srv.Close)

	good := &fakeT{TB: t}
	rt := c.Transport(good, srv.Client().Transport)
	send(t, rt, "GET", srv.URL+"/v3/example.com/bounces/a%2Bb%40example.com", "", "", true)
	send(t, rt, "GET", srv.URL+"/prefix/v3/example.com/bounces/x%40example.com", "", "", true)
	send(t, rt, "GET", srv.URL+"/v3/example.com/bounces/fault", "", "", true)
	assert.Empty(t, good.errors)

	bad := &fakeT{TB: t}
	rt = c.Transport(bad, srv.Client().Transport)
	send(t, rt, "GET", srv.URL+"/v3/example.com/events?limit=500", "", "", true)                   // limit above 300
	send(t, rt, "GET", srv.URL+"/v3/example.com/bounces/x", "", "", false)                         // no credentials
	send(t, rt, "POST", srv.URL+"/v3/example.com/nowhere", "", "", true)                           // no such operation
	send(t, rt, "GET", srv.URL+"/v1/webhooks", "", "", true)                                       // response without webhooks
	send(t, rt, "POST", srv.URL+"/v1/alerts/settings/events", "application/json", `{"x":1}`, true) // missing channel
	assert.Len(t, bad.errors, 5)

	reqs, resps := c.Coverage()
	assert.Positive(t, reqs["GET-v3--domainID--bounces--address-"])
	assert.Positive(t, resps["GET-v3--domainID--bounces--address-"])
}

func TestCheckExamples(t *testing.T) {
	c := Load(t)
	assert.NoError(t, c.CheckExample("GET", "/v3/example.com/bounces", 200, "application/json",
		[]byte(`{"items":[],"paging":{"first":"a","last":"b","next":"c","previous":"d"}}`)))
	assert.Error(t, c.CheckExample("GET", "/v2/x509/t.example.com/status", 200, "application/json", []byte(`{"status":"sometimes"}`)))
	assert.Error(t, c.CheckExample("GET", "/v3/example.com/bounces", 418, "application/json", []byte(`{}`)), "undeclared status")
	assert.NoError(t, c.CheckRequestExample("POST", "/v3/example.com/bounces", "application/x-www-form-urlencoded", []byte("address=bob%40example.com&code=550")))
	assert.Error(t, c.CheckRequestExample("PUT", "/v3/domains/example.com/tracking/click", "application/x-www-form-urlencoded", []byte("active=maybe")))
}
