package mailguntest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun/mailguntest"
)

// call sends a raw request to the fake and returns status, Content-Type and body.
func call(t *testing.T, srv *mailguntest.Server, method, path, body string) (int, string, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL()+path, rd)
	require.NoError(t, err)
	req.SetBasicAuth("api", srv.APIKey())
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

func message(t *testing.T, b []byte) string {
	t.Helper()
	var m struct {
		Message string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(b, &m), string(b))
	return m.Message
}

func TestAlertsSlackEndpointsAnswer204WithoutBody(t *testing.T) {
	srv := mailguntest.NewServer(t)
	for _, c := range []struct{ method, path, body string }{
		{"PUT", "/v1/alerts/settings/slack", `{"token":"xoxb","team_id":null,"team_name":null,"scope":null}`},
		{"DELETE", "/v1/alerts/settings/slack", ""},
		{"DELETE", "/v1/alerts/slack/oauth", ""},
	} {
		status, _, body := call(t, srv, c.method, c.path, c.body)
		assert.Equal(t, http.StatusNoContent, status, c.path)
		assert.Empty(t, body, c.path)
	}
	status, _, body := call(t, srv, "PUT", "/v1/alerts/settings/slack", `{"token":""}`)
	assert.Equal(t, 400, status)
	assert.Equal(t, "token is required", message(t, body))
}

func TestAlertsReachabilityCheck(t *testing.T) {
	srv := mailguntest.NewServer(t)
	var mu sync.Mutex
	var methods []string
	status := http.StatusOK
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		methods = append(methods, r.Method)
		w.WriteHeader(status)
	}))
	defer hook.Close()
	body := `{"event_type":"ip_listed","channel":"webhook","settings":{"url":"` + hook.URL + `"}}`

	mu.Lock()
	status = http.StatusAccepted // 2xx but not 200 is refused too
	mu.Unlock()
	code, _, b := call(t, srv, "POST", "/v1/alerts/settings/events", body)
	assert.Equal(t, 400, code)
	assert.Contains(t, message(t, b), "answered 202")

	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	code, _, b = call(t, srv, "POST", "/v1/alerts/settings/events", body)
	require.Equal(t, 200, code, string(b))
	var created struct {
		ID         string  `json:"id"`
		DisabledAt *string `json:"disabled_at"`
	}
	require.NoError(t, json.Unmarshal(b, &created))
	assert.NotEmpty(t, created.ID)
	assert.Contains(t, string(b), `"disabled_at":null`)

	mu.Lock()
	assert.Equal(t, []string{"GET", "GET"}, methods, "one GET per save, never a POST")
	mu.Unlock()

	_, _, b = call(t, srv, "GET", "/v1/alerts/settings", "")
	var settings struct {
		Events []json.RawMessage `json:"events"`
	}
	require.NoError(t, json.Unmarshal(b, &settings))
	assert.Len(t, settings.Events, 1, "the refused create saved nothing")

	code, _, _ = call(t, srv, "POST", "/v1/alerts/settings/events",
		`{"event_type":"ip_listed","channel":"webhook","settings":{"url":"http://127.0.0.1:1/unreachable"}}`)
	assert.Equal(t, 400, code)
}

func TestAlertsFakeRejectsBadBodies(t *testing.T) {
	srv := mailguntest.NewServer(t)
	for _, c := range []struct{ path, body, want string }{
		{"/v1/alerts/settings/events", `{"channel":"email","settings":{"emails":["a@example.com"]}}`, "event_type is required"},
		{"/v1/alerts/settings/events", `{"event_type":"ip_listed","channel":"email","settings":{}}`, "settings.emails is required for the email channel"},
		{"/v1/alerts/settings/events", `{"event_type":"ip_listed","channel":"sms","settings":{}}`, `channel must be one of email, webhook, slack; got "sms"`},
		{"/v1/alerts/settings/events", `{"event_type":"ip_listed"`, "request body is not valid JSON"},
		{"/v1/thresholds/alerts/send", `{"name":"n","metric":"open_rate","comparator":"<","limit":"1","dimension":"ip"}`, `metric "open_rate" is not one of`},
		{"/v1/thresholds/alerts/send", `{"name":"n","metric":"delivered_rate","comparator":"<","limit":1,"dimension":"ip"}`, "request body is not valid JSON"},
		{"/v1/thresholds/alerts/send", `{"name":"n","metric":"delivered_rate","comparator":"<","limit":"1e3","dimension":"ip"}`, "limit must be a decimal number in a string"},
		{"/v1/thresholds/alerts/send", `{"name":"n","metric":"delivered_rate","comparator":"contains","limit":"1","dimension":"ip"}`, `comparator "contains" is not one of`},
		{"/v1/thresholds/alerts/send", `{"name":"n","metric":"delivered_rate","comparator":"<","limit":"1","dimension":"ip","filters":[{"dimension":"ip","comparator":"=","values":[]}]}`, "filter values are required"},
		{"/v1/alerts/email/test", `{"event_type":"ip_listed","emails":[]}`, "event_type and emails are required"},
	} {
		code, ctype, b := call(t, srv, "POST", c.path, c.body)
		assert.Equal(t, 400, code, c.body)
		assert.Contains(t, ctype, "application/json")
		assert.Contains(t, message(t, b), c.want, c.body)
	}

	req, err := http.NewRequest("POST", srv.URL()+"/v1/thresholds/alerts/send", strings.NewReader("name=n"))
	require.NoError(t, err)
	req.SetBasicAuth("api", srv.APIKey())
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 400, resp.StatusCode, "form bodies are refused")

	code, _, b := call(t, srv, "PUT", "/v1/alerts/settings/events/nope", `{"event_type":"ip_listed","channel":"email","settings":{"emails":["a@example.com"]}}`)
	assert.Equal(t, 404, code)
	assert.Equal(t, "alert setting not found", message(t, b))
	code, _, _ = call(t, srv, "GET", "/v1/thresholds/alerts/send/nope", "")
	assert.Equal(t, 404, code)
}

func TestAlertsFakeNeedsAuth(t *testing.T) {
	srv := mailguntest.NewServer(t)
	resp, err := srv.HTTPClient().Get(srv.URL() + "/v1/alerts/settings")
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
	assert.Equal(t, "Forbidden", string(b))
	assert.NotContains(t, string(b), srv.AlertSigningKey())
}

func TestSendAlertRenameOnReplace(t *testing.T) {
	srv := mailguntest.NewServer(t)
	mk := func(name string) string {
		return `{"name":"` + name + `","metric":"delivered_rate","comparator":"<","limit":".9","dimension":"domain"}`
	}
	for _, n := range []string{"a b", "c"} {
		code, _, b := call(t, srv, "POST", "/v1/thresholds/alerts/send", mk(n))
		require.Equal(t, 200, code, string(b))
	}
	code, _, _ := call(t, srv, "PUT", "/v1/thresholds/alerts/send/a%20b", mk("c"))
	assert.Equal(t, http.StatusConflict, code, "renaming onto another alert")
	code, _, _ = call(t, srv, "PUT", "/v1/thresholds/alerts/send/a%20b", mk("d"))
	assert.Equal(t, 200, code)
	code, _, _ = call(t, srv, "GET", "/v1/thresholds/alerts/send/d", "")
	assert.Equal(t, 200, code)
	code, _, _ = call(t, srv, "GET", "/v1/thresholds/alerts/send/a%20b", "")
	assert.Equal(t, 404, code)
}

func TestDeliverAlert(t *testing.T) {
	clock := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return clock }))
	type got struct {
		body []byte
		sign string
	}
	ch := make(chan got, 4)
	var status atomic.Int32
	status.Store(http.StatusOK)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- got{b, r.Header.Get("X-Sign")}
		w.WriteHeader(int(status.Load()))
	}))
	defer hook.Close()
	ctx := context.Background()

	require.NoError(t, srv.DeliverAlert(ctx, hook.URL, json.RawMessage(`{"event":"ip_listed"}`)))
	g := <-ch
	assert.Equal(t, mailguntest.SignAlert(srv.AlertSigningKey(), g.body), g.sign)
	var env struct {
		Signature struct {
			Timestamp json.Number `json:"timestamp"`
			Token     string      `json:"token"`
		} `json:"signature"`
		EventData map[string]any `json:"event_data"`
	}
	require.NoError(t, json.Unmarshal(g.body, &env))
	assert.Equal(t, "1770091506", env.Signature.Timestamp.String(), "a JSON number from the server's clock")
	assert.Len(t, env.Signature.Token, 50)
	assert.Equal(t, map[string]any{"event": "ip_listed"}, env.EventData)

	status.Store(http.StatusInternalServerError)
	err := srv.DeliverAlert(ctx, hook.URL, map[string]string{"event": "ip_listed"})
	var de *mailguntest.AlertDeliveryError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 500, de.StatusCode)
	<-ch

	for _, bad := range []any{[]byte("[1]"), json.RawMessage("nope"), "text", 3, nil} {
		assert.Error(t, srv.DeliverAlert(ctx, hook.URL, bad))
	}
	assert.Empty(t, ch, "bad event data is not sent")

	b, err := mailguntest.AlertBody(map[string]int{"n": 1}, clock)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(b, []byte(`{"signature":{"timestamp":1770091506,"token":"`)), string(b))
	assert.True(t, bytes.HasSuffix(b, []byte(`"event_data":{"n":1}}`)), string(b))
}
