package mailguntest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/mailguntest"
)

// response is a raw answer of the fake.
type response struct {
	status int
	header http.Header
	body   []byte
}

// send makes a raw, authenticated request to the fake; the SDK cannot
// produce some of the requests these tests need.
func send(t *testing.T, srv *mailguntest.Server, method, path, contentType string, body []byte) response {
	t.Helper()
	return sendWith(t, srv.HTTPClient(), srv, method, path, contentType, body)
}

// sendWith is send through hc, with extra headers as name, value pairs.
func sendWith(t *testing.T, hc *http.Client, srv *mailguntest.Server, method, path, contentType string, body []byte, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, bytes.NewReader(body))
	require.NoError(t, err)
	req.SetBasicAuth("api", srv.APIKey())
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return response{resp.StatusCode, resp.Header, b}
}

// checkContract validates a fake's answer against the contract.
func checkContract(t *testing.T, method, path string, r response) {
	t.Helper()
	require.NoError(t, contracttest.Load(t).CheckExample(method, path, r.status, r.header.Get("Content-Type"), r.body))
}

const form = "application/x-www-form-urlencoded"

func multipartForm(t *testing.T, fields url.Values) (string, []byte) {
	t.Helper()
	return multipartWithFiles(t, fields)
}

func TestAccountWebhookForms(t *testing.T) {
	srv := mailguntest.NewServer(t)

	ct, body := multipartForm(t, url.Values{"url": {"https://a.example.com/"}, "event_types": {"delivered", "opened"}, "description": {"multipart"}})
	r := send(t, srv, "POST", "/v1/webhooks", ct, body)
	require.Equal(t, 200, r.status, string(r.body))
	checkContract(t, "POST", "/v1/webhooks", r)
	hooks := srv.AccountWebhooks()
	require.Len(t, hooks, 1)
	assert.Equal(t, []mailgun.WebhookEventType{"delivered", "opened"}, hooks[0].EventTypes)
	assert.Equal(t, "multipart", hooks[0].Description)

	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"duplicate event types on create", "POST", "/v1/webhooks", "url=https://b.example.com/&event_types=accepted&event_types=accepted",
			400, `{"Field":"event_types","Value":"duplicate event types: 'accepted'"}`},
		{"unknown event type", "POST", "/v1/webhooks", "url=https://b.example.com/&event_types=invalid_type",
			404, `{"Description":"event_type 'invalid_type' is invalid"}`},
		{"no event types", "POST", "/v1/webhooks", "url=https://b.example.com/",
			400, `{"message":"Invalid parameter: event_types is required"}`},
		{"no url", "POST", "/v1/webhooks", "event_types=accepted",
			400, `{"message":"Invalid parameter: url must be an http or https URL"}`},
		{"ftp url", "POST", "/v1/webhooks", "url=ftp://b.example.com/&event_types=accepted",
			400, `{"message":"Invalid parameter: url must be an http or https URL"}`},
		{"duplicate event types on update", "PUT", "/v1/webhooks/" + hooks[0].ID, "url=https://b.example.com/&event_types=opened&event_types=opened",
			400, `{"message":"Invalid parameter: duplicate event types: 'opened'"}`},
		{"update unknown id", "PUT", "/v1/webhooks/nope", "url=https://b.example.com/&event_types=opened",
			404, `{"Description":"webhook not found"}`},
		{"delete malformed id", "DELETE", "/v1/webhooks/bad%20id", "",
			400, `{"Field":"webhook_id","Value":"is not valid"}`},
		{"bulk delete with an empty id", "DELETE", "/v1/webhooks?webhook_ids=a,,b", "",
			400, `{"message":"Invalid parameter: webhook_ids malformed webhook_ids parameter: empty values not allowed"}`},
		{"bulk delete without parameters", "DELETE", "/v1/webhooks", "",
			400, `{"message":"Invalid parameter: either webhook_ids or all=true is required"}`},
		{"bulk delete with all=false", "DELETE", "/v1/webhooks?all=false", "",
			400, `{"message":"Invalid parameter: either webhook_ids or all=true is required"}`},
		{"bulk delete of unknown ids", "DELETE", "/v1/webhooks?webhook_ids=x,y", "",
			404, `{"Description":"no webhooks found for account"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := ""
			if tt.body != "" {
				ct = form
			}
			r := send(t, srv, tt.method, tt.path, ct, []byte(tt.body))
			assert.Equal(t, tt.status, r.status)
			assert.JSONEq(t, tt.want, string(r.body))
			path, _, _ := strings.Cut(tt.path, "?")
			checkContract(t, tt.method, path, r)
		})
	}
	assert.Len(t, srv.AccountWebhooks(), 1, "no failed request changed anything")

	// With both parameters, only the listed ids are deleted.
	second := send(t, srv, "POST", "/v1/webhooks", form, []byte("url=https://c.example.com/&event_types=clicked"))
	require.Equal(t, 200, second.status)
	r = send(t, srv, "DELETE", "/v1/webhooks?all=true&webhook_ids="+hooks[0].ID, "", nil)
	require.Equal(t, 204, r.status)
	assert.Empty(t, r.body)
	left := srv.AccountWebhooks()
	require.Len(t, left, 1)
	assert.Equal(t, "https://c.example.com/", left[0].URL)
}

func TestAccountWebhooksNeedAuth(t *testing.T) {
	srv := mailguntest.NewServer(t)
	req, err := http.NewRequest("GET", srv.URL()+"/v1/webhooks", nil)
	require.NoError(t, err)
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 401, resp.StatusCode)
}

func TestDeliverWebhook(t *testing.T) {
	ctx := context.Background()
	srv := mailguntest.NewServer(t)
	require.Equal(t, mailguntest.DefaultWebhookSigningKey, srv.WebhookSigningKey())

	var mu sync.Mutex
	var got []*mailgun.WebhookEvent
	var contentType string
	h := mailgun.WebhookHandler(srv.WebhookSigningKey(), func(_ context.Context, ev *mailgun.WebhookEvent) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev)
		return nil
	})
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		contentType = r.Header.Get("Content-Type")
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	defer receiver.Close()

	at := time.Date(2026, 4, 1, 10, 0, 0, 123456000, time.UTC)
	event := mailgun.Event{Event: mailgun.EventDelivered, ID: "ev-1", Timestamp: at, Recipient: "bob@example.com"}
	require.NoError(t, srv.DeliverWebhook(ctx, receiver.URL, event))
	require.NoError(t, srv.DeliverWebhook(ctx, receiver.URL, mailgun.Event{Event: mailgun.EventOpened}))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2)
	assert.Equal(t, "application/json", contentType)
	assert.Equal(t, mailgun.EventDelivered, got[0].EventData.Event)
	assert.Equal(t, "ev-1", got[0].EventData.ID)
	assert.Equal(t, at, got[0].EventData.Timestamp)
	assert.Equal(t, "bob@example.com", got[0].EventData.Recipient)
	assert.Contains(t, string(got[0].EventData.Raw), `"timestamp":1775037600.123456`)
	// Missing ids and timestamps are filled in, as every real event has them.
	assert.Equal(t, mailgun.EventOpened, got[1].EventData.Event)
	assert.NotEmpty(t, got[1].EventData.ID)
	assert.WithinDuration(t, time.Now(), got[1].EventData.Timestamp, time.Hour)
	assert.NotEqual(t, got[0].Signature.Token, got[1].Signature.Token, "a fresh token per delivery")
	assert.NoError(t, mailgun.VerifyWebhookSignature(mailguntest.DefaultWebhookSigningKey, got[1].Signature))
}

func TestDeliverWebhookRejected(t *testing.T) {
	ctx := context.Background()
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		opts       []mailguntest.Option
		handlerKey string
		want       int
	}{
		{"other key", []mailguntest.Option{mailguntest.WithWebhookSigningKey("key-custom")}, mailguntest.DefaultWebhookSigningKey, 401},
		{"stale clock", []mailguntest.Option{mailguntest.WithClock(func() time.Time { return past })}, mailguntest.DefaultWebhookSigningKey, 401},
		{"custom key accepted", []mailguntest.Option{mailguntest.WithWebhookSigningKey("key-custom")}, "key-custom", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailguntest.NewServer(t, tt.opts...)
			receiver := httptest.NewServer(mailgun.WebhookHandler(tt.handlerKey, func(context.Context, *mailgun.WebhookEvent) error { return nil }))
			defer receiver.Close()
			err := srv.DeliverWebhook(ctx, receiver.URL, mailgun.Event{Event: mailgun.EventAccepted})
			if tt.want == 0 {
				require.NoError(t, err)
				return
			}
			var de *mailguntest.DeliveryError
			require.True(t, errors.As(err, &de), "%v", err)
			assert.Equal(t, tt.want, de.StatusCode)
			assert.Contains(t, err.Error(), "401 Unauthorized")
		})
	}

	// A TLS receiver needs a client that trusts it.
	tlsReceiver := httptest.NewTLSServer(mailgun.WebhookHandler(mailguntest.DefaultWebhookSigningKey, nil))
	defer tlsReceiver.Close()
	srv := mailguntest.NewServer(t, mailguntest.WithWebhookHTTPClient(tlsReceiver.Client()))
	require.NoError(t, srv.DeliverWebhook(ctx, tlsReceiver.URL, mailgun.Event{Event: mailgun.EventClicked}))

	assert.Error(t, srv.DeliverWebhook(ctx, "http://127.0.0.1:1/unreachable", mailgun.Event{}))
	assert.Error(t, srv.DeliverWebhook(ctx, "://bad url", mailgun.Event{}))
}
