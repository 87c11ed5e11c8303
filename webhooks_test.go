package mailgun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
)

const webhooksURL = "https://api.mailgun.net/v1/webhooks"

var prodWebhook = mailgun.AccountWebhookInput{
	URL:         "https://api.example.com/webhooks/mailgun",
	EventTypes:  []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventPermanentFail, mailgun.WebhookEventComplained},
	Description: "Production alerts webhook",
}

func TestAccountWebhooksWire(t *testing.T) {
	ctx := context.Background()
	runWireCases(t, []wireCase{
		{
			name: "list all", method: "GET", url: webhooksURL, status: 200,
			body:    fixture(t, "examples/account-webhooks/get-v1-webhooks.200.json"),
			call:    func(c *mailgun.Client) error { _, err := c.AccountWebhooks.List(ctx); return err },
			wantURI: "/v1/webhooks",
		},
		{
			name: "list some", method: "GET", url: webhooksURL, status: 200,
			body:    fixture(t, "examples/account-webhooks/get-v1-webhooks.200.json"),
			call:    func(c *mailgun.Client) error { _, err := c.AccountWebhooks.List(ctx, "id1", "id 2"); return err },
			wantURI: "/v1/webhooks?webhook_ids=id1%2Cid+2",
		},
		{
			name: "create", method: "POST", url: webhooksURL, status: 200,
			body:     fixture(t, "examples/account-webhooks/post-v1-webhooks.200.json"),
			call:     func(c *mailgun.Client) error { _, err := c.AccountWebhooks.Create(ctx, prodWebhook); return err },
			wantURI:  "/v1/webhooks",
			wantForm: "description=Production+alerts+webhook&event_types=delivered&event_types=permanent_fail&event_types=complained&url=https%3A%2F%2Fapi.example.com%2Fwebhooks%2Fmailgun",
		},
		{
			name: "create without description", method: "POST", url: webhooksURL, status: 200,
			body: fixture(t, "examples/account-webhooks/post-v1-webhooks.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{URL: "http://example.com/h?a=1&b=2", EventTypes: []mailgun.WebhookEventType{"opened"}})
				return err
			},
			wantURI:  "/v1/webhooks",
			wantForm: "event_types=opened&url=http%3A%2F%2Fexample.com%2Fh%3Fa%3D1%26b%3D2",
		},
		{
			name: "get", method: "GET", url: webhooksURL + "/a%2Bb%2Fc", status: 200,
			body:    fixture(t, "examples/account-webhooks/get-v1-webhooks-webhook-id.200.json"),
			call:    func(c *mailgun.Client) error { _, err := c.AccountWebhooks.Get(ctx, "a+b/c"); return err },
			wantURI: "/v1/webhooks/a%2Bb%2Fc",
		},
		{
			name: "update", method: "PUT", url: webhooksURL + "/507f1f77bcf86cd799439011", status: 204,
			call: func(c *mailgun.Client) error {
				return c.AccountWebhooks.Update(ctx, "507f1f77bcf86cd799439011", mailgun.AccountWebhookInput{
					URL:         "https://api.example.com/webhooks/mailgun-v2",
					EventTypes:  []mailgun.WebhookEventType{mailgun.WebhookEventOpened, mailgun.WebhookEventClicked},
					Description: "updated description",
				})
			},
			wantURI:  "/v1/webhooks/507f1f77bcf86cd799439011",
			wantForm: "description=updated+description&event_types=opened&event_types=clicked&url=https%3A%2F%2Fapi.example.com%2Fwebhooks%2Fmailgun-v2",
		},
		{
			name: "delete", method: "DELETE", url: webhooksURL + "/507f1f77bcf86cd799439011", status: 204,
			call:    func(c *mailgun.Client) error { return c.AccountWebhooks.Delete(ctx, "507f1f77bcf86cd799439011") },
			wantURI: "/v1/webhooks/507f1f77bcf86cd799439011",
		},
		{
			name: "delete by ids", method: "DELETE", url: webhooksURL, status: 204,
			call:    func(c *mailgun.Client) error { return c.AccountWebhooks.DeleteByIDs(ctx, "a", "b") },
			wantURI: "/v1/webhooks?webhook_ids=a%2Cb",
		},
		{
			name: "delete all", method: "DELETE", url: webhooksURL, status: 204,
			call:    func(c *mailgun.Client) error { return c.AccountWebhooks.DeleteAll(ctx) },
			wantURI: "/v1/webhooks?all=true",
		},
	})
}

func TestAccountWebhooksDeleteAllNeverSentByAccident(t *testing.T) {
	c, m := newMockClient(t)
	m.respond("DELETE", webhooksURL, 204, nil)
	err := c.AccountWebhooks.DeleteByIDs(context.Background())
	require.ErrorIs(t, err, mailgun.ErrInvalidArgument)
	assert.Empty(t, m.sent())
}

// formFromExample turns a documented form example (JSON, arrays meaning a
// repeated field) into a urlencoded body.
func formFromExample(t *testing.T, b []byte) []byte {
	t.Helper()
	var fields map[string]any
	require.NoError(t, json.Unmarshal(b, &fields))
	f := url.Values{}
	for k, v := range fields {
		switch v := v.(type) {
		case string:
			f.Set(k, v)
		case []any:
			for _, item := range v {
				f.Add(k, item.(string))
			}
		default:
			t.Fatalf("field %s has an unexpected type %T", k, v)
		}
	}
	return []byte(f.Encode())
}

func TestAccountWebhooksRequestExamples(t *testing.T) {
	contract := contracttest.Load(t)
	for _, tt := range []struct{ method, path, file string }{
		{"POST", "/v1/webhooks", "post-v1-webhooks.request-form.json"},
		{"PUT", "/v1/webhooks/507f1f77bcf86cd799439011", "put-v1-webhooks-webhook-id.request-form.json"},
	} {
		body := formFromExample(t, fixture(t, "examples/account-webhooks/"+tt.file))
		assert.NoError(t, contract.CheckRequestExample(tt.method, tt.path, "application/x-www-form-urlencoded", body), tt.file)
	}

	// The documented POST example is what Create sends.
	c, m := newMockClient(t)
	m.respond("POST", webhooksURL, 200, fixture(t, "examples/account-webhooks/post-v1-webhooks.200.json"))
	_, err := c.AccountWebhooks.Create(context.Background(), prodWebhook)
	require.NoError(t, err)
	sent, err := url.ParseQuery(string(m.only(t).Body))
	require.NoError(t, err)
	want, err := url.ParseQuery(string(formFromExample(t, fixture(t, "examples/account-webhooks/post-v1-webhooks.request-form.json"))))
	require.NoError(t, err)
	assert.Equal(t, want, sent)
}

func TestAccountWebhooksDecode(t *testing.T) {
	ctx := context.Background()

	t.Run("list", func(t *testing.T) {
		body := example(t, "account-webhooks/get-v1-webhooks.200.json", "GET", "/v1/webhooks", 200)
		c, m := newMockClient(t)
		m.respond("GET", webhooksURL, 200, body)
		hooks, err := c.AccountWebhooks.List(ctx)
		require.NoError(t, err)
		require.Len(t, hooks, 2)
		assert.Equal(t, mailgun.AccountWebhook{
			ID:          "507f1f77bcf86cd799439011",
			URL:         "https://api.example.com/webhooks/mailgun",
			EventTypes:  []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventPermanentFail, mailgun.WebhookEventComplained},
			Description: "Production alerts webhook",
			CreatedAt:   time.Date(2026, 2, 16, 19, 6, 1, 0, time.UTC),
		}, hooks[0])
		assert.Equal(t, "507f1f77bcf86cd799439012", hooks[1].ID)
		assert.Equal(t, "Analytics webhook", hooks[1].Description)
		assert.Equal(t, []mailgun.WebhookEventType{mailgun.WebhookEventOpened, mailgun.WebhookEventClicked}, hooks[1].EventTypes)
	})

	t.Run("list recorded", func(t *testing.T) {
		body := example(t, "account-webhooks/get-v1-webhooks.200-recorded.json", "GET", "/v1/webhooks", 200)
		c, m := newMockClient(t)
		m.respond("GET", webhooksURL, 200, body)
		hooks, err := c.AccountWebhooks.List(ctx)
		require.NoError(t, err)
		require.Len(t, hooks, 1)
		assert.Equal(t, "test", hooks[0].ID)
		assert.Equal(t, "http://example.com/mailgun/events", hooks[0].URL)
		assert.Equal(t, []mailgun.WebhookEventType{mailgun.WebhookEventAccepted}, hooks[0].EventTypes)
		assert.Equal(t, time.Date(2026, 5, 25, 9, 11, 2, 0, time.UTC), hooks[0].CreatedAt)
	})

	t.Run("empty list", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond("GET", webhooksURL, 200, []byte(`{"webhooks":[]}`))
		hooks, err := c.AccountWebhooks.List(ctx)
		require.NoError(t, err)
		assert.NotNil(t, hooks)
		assert.Empty(t, hooks)
	})

	t.Run("get", func(t *testing.T) {
		body := example(t, "account-webhooks/get-v1-webhooks-webhook-id.200.json", "GET", "/v1/webhooks/507f1f77bcf86cd799439011", 200)
		c, m := newMockClient(t)
		m.respond("GET", webhooksURL+"/507f1f77bcf86cd799439011", 200, body)
		h, err := c.AccountWebhooks.Get(ctx, "507f1f77bcf86cd799439011")
		require.NoError(t, err)
		assert.Equal(t, "507f1f77bcf86cd799439011", h.ID)
		assert.Equal(t, "https://api.example.com/webhooks/mailgun", h.URL)
		assert.Equal(t, "Production alerts webhook", h.Description)
		assert.Len(t, h.EventTypes, 3)
		assert.Equal(t, time.Date(2026, 2, 16, 19, 6, 1, 0, time.UTC), h.CreatedAt)
	})

	t.Run("create", func(t *testing.T) {
		body := example(t, "account-webhooks/post-v1-webhooks.200.json", "POST", "/v1/webhooks", 200)
		c, m := newMockClient(t)
		m.respond("POST", webhooksURL, 200, body)
		m.respond("GET", webhooksURL+"/507f1f77bcf86cd799439011", 200, fixture(t, "examples/account-webhooks/get-v1-webhooks-webhook-id.200.json"))
		h, err := c.AccountWebhooks.Create(ctx, prodWebhook)
		require.NoError(t, err)
		assert.Equal(t, "507f1f77bcf86cd799439011", h.ID)
	})

	t.Run("create without id", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond("POST", webhooksURL, 200, []byte(`{}`))
		_, err := c.AccountWebhooks.Create(ctx, prodWebhook)
		require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
	})
}

// Create returns the webhook read back after the POST; when that read
// fails, the webhook was still created: its ID comes back, never an error
// that would lead the caller to create it again.
func TestAccountWebhooksCreateReturnsWebhook(t *testing.T) {
	const id = "507f1f77bcf86cd799439011"
	postBody := fixture(t, "examples/account-webhooks/post-v1-webhooks.200.json")
	getBody := fixture(t, "examples/account-webhooks/get-v1-webhooks-webhook-id.200.json")

	t.Run("read back", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond("POST", webhooksURL, 200, postBody)
		m.respond("GET", webhooksURL+"/"+id, 200, getBody)
		h, err := c.AccountWebhooks.Create(context.Background(), prodWebhook)
		require.NoError(t, err)
		assert.Equal(t, &mailgun.AccountWebhook{
			ID: id, URL: prodWebhook.URL, EventTypes: prodWebhook.EventTypes, Description: prodWebhook.Description,
			CreatedAt: time.Date(2026, 2, 16, 19, 6, 1, 0, time.UTC),
		}, h)
		sent := m.sent()
		require.Len(t, sent, 2)
		assert.Equal(t, "POST /v1/webhooks", sent[0].Method+" "+sent[0].RequestURI)
		assert.Equal(t, "GET /v1/webhooks/"+id, sent[1].Method+" "+sent[1].RequestURI)
	})

	fallback := &mailgun.AccountWebhook{ID: id, URL: prodWebhook.URL, EventTypes: prodWebhook.EventTypes, Description: prodWebhook.Description}
	for _, tt := range []struct {
		name   string
		status int
		body   []byte
	}{
		{"not yet readable (eventual consistency)", 404, []byte(`{"message":"webhook not found"}`)},
		{"server error, retries exhausted", 503, []byte(`{"message":"unavailable"}`)},
		{"not JSON", 200, []byte(`<html>OK</html>`)},
		{"another webhook", 200, []byte(`{"webhook_id":"other","url":"https://x.example.com/","event_types":["opened"]}`)},
	} {
		t.Run("read fails: "+tt.name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond("POST", webhooksURL, 200, postBody)
			m.respond("GET", webhooksURL+"/"+id, tt.status, tt.body)
			in := prodWebhook
			in.EventTypes = slices.Clone(prodWebhook.EventTypes)
			h, err := c.AccountWebhooks.Create(context.Background(), in)
			require.NoError(t, err, "the webhook was created")
			assert.Equal(t, fallback, h)
			in.EventTypes[0] = "changed"
			assert.Equal(t, prodWebhook.EventTypes, h.EventTypes, "the result does not share the input's slice")
		})
	}

	t.Run("read fails: context canceled after the POST", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c, m := newMockClient(t)
		m.RegisterResponder("POST", webhooksURL, func(r *http.Request) (*http.Response, error) {
			m.record(r)
			return httpmock.NewBytesResponse(200, postBody), nil
		})
		m.RegisterResponder("GET", webhooksURL+"/"+id, func(r *http.Request) (*http.Response, error) {
			// The caller gives up once the POST is answered and read,
			// while the read-back is on its way. (Cancelling inside the
			// POST's responder would race the SDK's read of its answer.)
			cancel()
			if err := r.Context().Err(); err != nil {
				return nil, err // as net/http's transport does
			}
			return httpmock.NewBytesResponse(200, getBody), nil
		})
		h, err := c.AccountWebhooks.Create(ctx, prodWebhook)
		require.NoError(t, err)
		assert.Equal(t, fallback, h)
	})

	t.Run("the POST fails", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond("POST", webhooksURL, 409, []byte(`{"Description":"unable to add more than 3 urls for event type delivered"}`))
		h, err := c.AccountWebhooks.Create(context.Background(), prodWebhook)
		assert.ErrorIs(t, err, mailgun.ErrConflict)
		assert.Nil(t, h)
		assert.Len(t, m.sent(), 1, "nothing is read")
	})
}

// TestAccountWebhooksErrorShapes decodes every documented error example:
// the {message}, {Description} and {Field, Value} shapes all reach APIError.
func TestAccountWebhooksErrorShapes(t *testing.T) {
	ctx := context.Background()
	id := "507f1f77bcf86cd799439011"
	tests := []struct {
		file        string
		method      string
		path        string
		status      int
		call        func(c *mailgun.Client) error
		sentinel    error
		wantMessage string
		wantField   string
	}{
		{
			file: "account-webhooks.403.json", method: "GET", path: "/v1/webhooks", status: 403,
			call:     func(c *mailgun.Client) error { _, err := c.AccountWebhooks.List(ctx); return err },
			sentinel: mailgun.ErrForbidden, wantMessage: "Forbidden",
		},
		{
			file: "post-v1-webhooks.400.json", method: "POST", path: "/v1/webhooks", status: 400,
			call:     func(c *mailgun.Client) error { _, err := c.AccountWebhooks.Create(ctx, prodWebhook); return err },
			sentinel: mailgun.ErrBadRequest, wantMessage: "event_types: duplicate event types: 'accepted'", wantField: "event_types",
		},
		{
			file: "post-v1-webhooks.404.json", method: "POST", path: "/v1/webhooks", status: 404,
			call:     func(c *mailgun.Client) error { _, err := c.AccountWebhooks.Create(ctx, prodWebhook); return err },
			sentinel: mailgun.ErrNotFound, wantMessage: "event_type 'invalid_type' is invalid",
		},
		{
			file: "post-v1-webhooks.409.json", method: "POST", path: "/v1/webhooks", status: 409,
			call:     func(c *mailgun.Client) error { _, err := c.AccountWebhooks.Create(ctx, prodWebhook); return err },
			sentinel: mailgun.ErrConflict, wantMessage: "unable to add more than 3 urls for event type delivered",
		},
		{
			file: "get-v1-webhooks-webhook-id.404.json", method: "GET", path: "/v1/webhooks/" + id, status: 404,
			call:     func(c *mailgun.Client) error { _, err := c.AccountWebhooks.Get(ctx, id); return err },
			sentinel: mailgun.ErrNotFound, wantMessage: "webhook not found",
		},
		{
			file: "delete-v1-webhooks-webhook-id.400.json", method: "DELETE", path: "/v1/webhooks/" + id, status: 400,
			call:     func(c *mailgun.Client) error { return c.AccountWebhooks.Delete(ctx, id) },
			sentinel: mailgun.ErrBadRequest, wantMessage: "webhook_id: is not valid", wantField: "webhook_id",
		},
		{
			file: "delete-v1-webhooks-webhook-id.404.json", method: "DELETE", path: "/v1/webhooks/" + id, status: 404,
			call:     func(c *mailgun.Client) error { return c.AccountWebhooks.Delete(ctx, id) },
			sentinel: mailgun.ErrNotFound, wantMessage: "webhook_id not found: " + id,
		},
		{
			file: "delete-v1-webhooks.400.json", method: "DELETE", path: "/v1/webhooks", status: 400,
			call:        func(c *mailgun.Client) error { return c.AccountWebhooks.DeleteByIDs(ctx, "a") },
			sentinel:    mailgun.ErrBadRequest,
			wantMessage: "Invalid parameter: webhook_ids malformed webhook_ids parameter: empty values not allowed",
		},
		{
			file: "delete-v1-webhooks.404.json", method: "DELETE", path: "/v1/webhooks", status: 404,
			call:     func(c *mailgun.Client) error { return c.AccountWebhooks.DeleteAll(ctx) },
			sentinel: mailgun.ErrNotFound, wantMessage: "no webhooks found for account",
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := example(t, "account-webhooks/"+tt.file, tt.method, tt.path, tt.status)
			c, m := newMockClient(t)
			m.respond(tt.method, "https://api.mailgun.net"+tt.path, tt.status, body)
			err := tt.call(c)
			var apiErr *mailgun.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.wantMessage, apiErr.Message)
			assert.Equal(t, tt.wantField, apiErr.Field)
			assert.ErrorIs(t, err, tt.sentinel)
			assert.Len(t, m.sent(), 1, "4xx is not retried")
		})
	}
}

func TestAccountWebhooksBadInput(t *testing.T) {
	ctx := context.Background()
	valid := prodWebhook
	withURL := func(u string) mailgun.AccountWebhookInput { in := valid; in.URL = u; return in }
	withTypes := func(ts ...mailgun.WebhookEventType) mailgun.AccountWebhookInput {
		in := valid
		in.EventTypes = ts
		return in
	}
	bad := map[string]mailgun.AccountWebhookInput{
		"empty url":          withURL(""),
		"blank url":          withURL("  "),
		"ftp url":            withURL("ftp://example.com/hook"),
		"mailto url":         withURL("mailto:ops@example.com"),
		"relative url":       withURL("/hooks/mailgun"),
		"no host":            withURL("https:///path"),
		"unparseable url":    withURL("https://exa mple.com/%zz"),
		"no event types":     withTypes(),
		"empty event type":   withTypes(mailgun.WebhookEventDelivered, ""),
		"duplicate event":    withTypes(mailgun.WebhookEventDelivered, mailgun.WebhookEventOpened, mailgun.WebhookEventDelivered),
		"blank event type":   withTypes(" "),
		"nil event types":    {URL: valid.URL},
		"zero value request": {},
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			_, err := c.AccountWebhooks.Create(ctx, in)
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			err = c.AccountWebhooks.Update(ctx, "id", in)
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			assert.Empty(t, m.sent())
		})
	}

	calls := map[string]func(c *mailgun.Client) error{
		"get empty id":          func(c *mailgun.Client) error { _, err := c.AccountWebhooks.Get(ctx, ""); return err },
		"get blank id":          func(c *mailgun.Client) error { _, err := c.AccountWebhooks.Get(ctx, " "); return err },
		"update empty id":       func(c *mailgun.Client) error { return c.AccountWebhooks.Update(ctx, "", valid) },
		"delete empty id":       func(c *mailgun.Client) error { return c.AccountWebhooks.Delete(ctx, "") },
		"delete by no ids":      func(c *mailgun.Client) error { return c.AccountWebhooks.DeleteByIDs(ctx) },
		"delete by empty id":    func(c *mailgun.Client) error { return c.AccountWebhooks.DeleteByIDs(ctx, "a", "") },
		"delete by comma id":    func(c *mailgun.Client) error { return c.AccountWebhooks.DeleteByIDs(ctx, "a,b") },
		"list with empty id":    func(c *mailgun.Client) error { _, err := c.AccountWebhooks.List(ctx, ""); return err },
		"list with a comma":     func(c *mailgun.Client) error { _, err := c.AccountWebhooks.List(ctx, "a,b"); return err },
		"delete dot-dot id":     func(c *mailgun.Client) error { return c.AccountWebhooks.Delete(ctx, "..") },
		"get dot id":            func(c *mailgun.Client) error { _, err := c.AccountWebhooks.Get(ctx, "."); return err },
		"delete by spaces only": func(c *mailgun.Client) error { return c.AccountWebhooks.DeleteByIDs(ctx, "  ") },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			assert.ErrorIs(t, call(c), mailgun.ErrInvalidArgument)
			assert.Empty(t, m.sent())
		})
	}
}

func TestAccountWebhooksTruncatedBody(t *testing.T) {
	c, m := newMockClient(t)
	m.respond("GET", webhooksURL, 200, []byte(`{"webhooks":[{"webhook_id":"a"`))
	_, err := c.AccountWebhooks.List(context.Background())
	require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
}

func TestAccountWebhooksAgainstFake(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)

	hooks, err := c.AccountWebhooks.List(ctx)
	require.NoError(t, err)
	assert.Empty(t, hooks)

	created, err := c.AccountWebhooks.Create(ctx, prodWebhook)
	require.NoError(t, err)
	id := created.ID
	require.NotEmpty(t, id)
	assert.Equal(t, prodWebhook.URL, created.URL)
	assert.Equal(t, prodWebhook.EventTypes, created.EventTypes)
	assert.Equal(t, prodWebhook.Description, created.Description)
	assert.False(t, created.CreatedAt.IsZero(), "read back from the server")

	got, err := c.AccountWebhooks.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, created, got)

	// Update replaces everything, the description included.
	next := mailgun.AccountWebhookInput{URL: "https://hooks.example.com/v2", EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventOpened}}
	require.NoError(t, c.AccountWebhooks.Update(ctx, id, next))
	got, err = c.AccountWebhooks.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, next.URL, got.URL)
	assert.Equal(t, next.EventTypes, got.EventTypes)
	assert.Empty(t, got.Description)

	created2, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{URL: "https://b.example.com/", EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventClicked}})
	require.NoError(t, err)
	id2 := created2.ID
	assert.NotEqual(t, id, id2)

	some, err := c.AccountWebhooks.List(ctx, id2, "unknown")
	require.NoError(t, err)
	require.Len(t, some, 1)
	assert.Equal(t, id2, some[0].ID)

	all, err := c.AccountWebhooks.List(ctx)
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, []string{id, id2}, []string{all[0].ID, all[1].ID})
	assert.Equal(t, all, srv.AccountWebhooks())

	require.NoError(t, c.AccountWebhooks.Delete(ctx, id))
	_, err = c.AccountWebhooks.Get(ctx, id)
	assert.ErrorIs(t, err, mailgun.ErrNotFound)
	err = c.AccountWebhooks.Delete(ctx, id)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "webhook_id not found: "+id, apiErr.Message)
	err = c.AccountWebhooks.Update(ctx, id, next)
	assert.ErrorIs(t, err, mailgun.ErrNotFound)

	require.NoError(t, c.AccountWebhooks.DeleteByIDs(ctx, id2))
	assert.Empty(t, srv.AccountWebhooks())
	err = c.AccountWebhooks.DeleteByIDs(ctx, id2)
	assert.ErrorIs(t, err, mailgun.ErrNotFound)

	for range 3 {
		_, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{URL: "https://x.example.com/", EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventAccepted}})
		require.NoError(t, err)
	}
	require.NoError(t, c.AccountWebhooks.DeleteAll(ctx))
	assert.Empty(t, srv.AccountWebhooks())
	assert.ErrorIs(t, c.AccountWebhooks.DeleteAll(ctx), mailgun.ErrNotFound)
}

func TestAccountWebhooksURLLimit(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t)
	delivered := []mailgun.WebhookEventType{mailgun.WebhookEventDelivered}
	var ids []string
	for _, u := range []string{"https://a.example.com/", "https://b.example.com/", "https://c.example.com/"} {
		h, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{URL: u, EventTypes: delivered})
		require.NoError(t, err)
		ids = append(ids, h.ID)
	}
	// A URL already receiving the event type does not count twice.
	_, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{URL: "https://a.example.com/", EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventOpened}})
	require.NoError(t, err)

	fourth := mailgun.AccountWebhookInput{URL: "https://d.example.com/", EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventOpened, mailgun.WebhookEventDelivered}}
	_, err = c.AccountWebhooks.Create(ctx, fourth)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusConflict, apiErr.StatusCode)
	assert.Equal(t, "unable to add more than 3 urls for event type delivered", apiErr.Message)
	assert.ErrorIs(t, err, mailgun.ErrConflict)

	// Update counts the other webhooks only: moving c to d frees c's slot.
	require.NoError(t, c.AccountWebhooks.Update(ctx, ids[2], mailgun.AccountWebhookInput{URL: "https://d.example.com/", EventTypes: delivered}))
	// Moving the first webhook from a to e does not free a's slot, which
	// the fourth webhook still uses: a, b, d and e would be four.
	err = c.AccountWebhooks.Update(ctx, ids[0], mailgun.AccountWebhookInput{URL: "https://e.example.com/", EventTypes: delivered})
	assert.ErrorIs(t, err, mailgun.ErrConflict)
}

func TestAccountWebhooksUnknownEventType(t *testing.T) {
	// Sent without the contract transport: the contract's enum would
	// reject the request before the fake saw it.
	srv, _ := newFake(t)
	c := srv.Client()
	_, err := c.AccountWebhooks.Create(context.Background(), mailgun.AccountWebhookInput{URL: "https://a.example.com/", EventTypes: []mailgun.WebhookEventType{"bounced"}})
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, "event_type 'bounced' is invalid", apiErr.Message)
	assert.Empty(t, srv.AccountWebhooks())
}

// --- the list rule and round trips (issue 10, items 7 and 8) ---

func TestAccountWebhooksListKeepsEveryItemWithAMistypedField(t *testing.T) {
	var example struct {
		Webhooks []json.RawMessage `json:"webhooks"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "examples/account-webhooks/get-v1-webhooks.200.json"), &example))
	for _, item := range example.Webhooks {
		mailgun.CheckListTolerance(t, item, nil, func(items [][]byte) []byte {
			return []byte(`{"webhooks":[` + string(bytes.Join(items, []byte(","))) + `]}`)
		}, func(t *testing.T, body []byte) ([]mailgun.AccountWebhook, error) {
			c, m := newMockClient(t)
			m.respond("GET", webhooksURL, 200, body)
			return c.AccountWebhooks.List(context.Background())
		})
	}
}

func TestAccountWebhooksListStructure(t *testing.T) {
	for _, c := range []struct {
		body string
		n    int // -1: an error
	}{
		{`{"webhooks":[{"webhook_id":"a","created_at":"yesterday","event_types":"delivered"},"x",null,{"webhook_id":"b"}],"total":"x"}`, 2},
		{`{"webhooks":null}`, 0},
		{`{"webhooks":{"webhook_id":"a"}}`, -1},
		{`{"webhooks":"a"}`, -1},
		{`[{"webhook_id":"a"}]`, -1},
	} {
		cl, m := newMockClient(t)
		m.respond("GET", webhooksURL, 200, []byte(c.body))
		hooks, err := cl.AccountWebhooks.List(context.Background())
		if c.n < 0 {
			assert.ErrorIs(t, err, mailgun.ErrInvalidResponse, c.body)
			continue
		}
		require.NoError(t, err, c.body)
		assert.Len(t, hooks, c.n, c.body)
	}
}

// TestAccountWebhooksRoundTrip: every webhook Get and List return can be
// sent back by Update as it is.
func TestAccountWebhooksRoundTrip(t *testing.T) {
	ctx := context.Background()
	c, m := newMockClient(t)
	m.respond("GET", webhooksURL, 200, fixture(t, "examples/account-webhooks/get-v1-webhooks.200.json"))
	m.respond("GET", webhooksURL+"/507f1f77bcf86cd799439011", 200, fixture(t, "examples/account-webhooks/get-v1-webhooks-webhook-id.200.json"))
	hooks, err := c.AccountWebhooks.List(ctx)
	require.NoError(t, err)
	one, err := c.AccountWebhooks.Get(ctx, "507f1f77bcf86cd799439011")
	require.NoError(t, err)
	for _, w := range append(hooks, *one) {
		m.respond("PUT", webhooksURL+"/"+w.ID, 200, []byte(`{"message":"ok"}`))
		require.NoError(t, c.AccountWebhooks.Update(ctx, w.ID, mailgun.AccountWebhookInput{URL: w.URL, EventTypes: w.EventTypes, Description: w.Description}))
		sent := m.sent()
		form, err := url.ParseQuery(string(sent[len(sent)-1].Body))
		require.NoError(t, err)
		assert.Equal(t, w.URL, form.Get("url"))
		assert.Equal(t, w.Description, form.Get("description"))
		var types []mailgun.WebhookEventType
		for _, v := range form["event_types"] {
			types = append(types, mailgun.WebhookEventType(v))
		}
		assert.Equal(t, w.EventTypes, types)
	}

	// Against the fake, for webhooks made through the API.
	_, fc := newFake(t)
	created, err := fc.AccountWebhooks.Create(ctx, prodWebhook)
	require.NoError(t, err)
	w, err := fc.AccountWebhooks.Get(ctx, created.ID)
	require.NoError(t, err)
	require.NoError(t, fc.AccountWebhooks.Update(ctx, created.ID, mailgun.AccountWebhookInput{URL: w.URL, EventTypes: w.EventTypes, Description: w.Description}))
	again, err := fc.AccountWebhooks.Get(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, w, again)
}
