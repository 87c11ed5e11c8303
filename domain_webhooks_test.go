package mailgun_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

const (
	usDomainWebhooks   = "https://api.mailgun.net/v3/domains/example.com/webhooks"
	usDomainWebhooksV4 = "https://api.mailgun.net/v4/domains/example.com/webhooks"
)

func domainWebhookExample(t *testing.T, name string) []byte {
	return fixture(t, "examples/domain-webhooks/"+name)
}

func TestDomainWebhooksWire(t *testing.T) {
	ctx := context.Background()
	hook := "https://hooks.example.com/mailgun?src=mg&x=1"
	runWireCases(t, []wireCase{
		{
			name: "list", method: "GET", url: usDomainWebhooks,
			body:    domainWebhookExample(t, "get-v3-domains-domain-webhooks.200.json"),
			call:    func(c *mailgun.Client) error { _, err := c.DomainWebhooks.List(ctx, "example.com"); return err },
			wantURI: "/v3/domains/example.com/webhooks",
		},
		{
			name: "get", method: "GET", url: usDomainWebhooks + "/permanent_fail",
			body: domainWebhookExample(t, "get-v3-domains-domain-webhooks-name.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.Get(ctx, "example.com", mailgun.WebhookEventPermanentFail)
				return err
			},
			wantURI: "/v3/domains/example.com/webhooks/permanent_fail",
		},
		{
			name: "create", method: "POST", url: usDomainWebhooks,
			body: domainWebhookExample(t, "post-v3-domains-domain-webhooks.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventDelivered, hook, "http://b.example.com/")
				return err
			},
			wantURI:  "/v3/domains/example.com/webhooks",
			wantForm: "id=delivered&url=https%3A%2F%2Fhooks.example.com%2Fmailgun%3Fsrc%3Dmg%26x%3D1&url=http%3A%2F%2Fb.example.com%2F",
		},
		{
			name: "update", method: "PUT", url: usDomainWebhooks + "/opened",
			body: domainWebhookExample(t, "put-v3-domains-domain-webhooks-name.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.Update(ctx, "example.com", mailgun.WebhookEventOpened, "https://a.example.com/", "https://b.example.com/", "https://c.example.com/")
				return err
			},
			wantURI:  "/v3/domains/example.com/webhooks/opened",
			wantForm: "url=https%3A%2F%2Fa.example.com%2F&url=https%3A%2F%2Fb.example.com%2F&url=https%3A%2F%2Fc.example.com%2F",
		},
		{
			name: "delete", method: "DELETE", url: usDomainWebhooks + "/clicked",
			body: domainWebhookExample(t, "delete-v3-domains-domain-webhooks-name.200.json"),
			call: func(c *mailgun.Client) error {
				return c.DomainWebhooks.Delete(ctx, "example.com", mailgun.WebhookEventClicked)
			},
			wantURI: "/v3/domains/example.com/webhooks/clicked",
		},
		{
			name: "create url (v4)", method: "POST", url: usDomainWebhooksV4,
			body: domainWebhookExample(t, "post-v4-domains-domain-webhooks.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.CreateURL(ctx, "example.com", hook, mailgun.WebhookEventAccepted, mailgun.WebhookEventDelivered)
				return err
			},
			wantURI:  "/v4/domains/example.com/webhooks",
			wantForm: "event_types=accepted&event_types=delivered&url=https%3A%2F%2Fhooks.example.com%2Fmailgun%3Fsrc%3Dmg%26x%3D1",
		},
		{
			name: "update url (v4)", method: "PUT", url: usDomainWebhooksV4,
			body: domainWebhookExample(t, "put-v4-domains-domain-webhooks.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.UpdateURL(ctx, "example.com", "https://example.com/webhooks", mailgun.WebhookEventOpened)
				return err
			},
			wantURI:  "/v4/domains/example.com/webhooks",
			wantForm: "event_types=opened&url=https%3A%2F%2Fexample.com%2Fwebhooks",
		},
		{
			name: "delete urls (v4)", method: "DELETE", url: usDomainWebhooksV4,
			body: domainWebhookExample(t, "delete-v4-domains-domain-webhooks.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.DeleteURLs(ctx, "example.com", "https://a.example.com/h", "https://b.example.com/h?x=1")
				return err
			},
			wantURI: "/v4/domains/example.com/webhooks?url=https%3A%2F%2Fa.example.com%2Fh%2Chttps%3A%2F%2Fb.example.com%2Fh%3Fx%3D1",
		},
		{
			name: "escaped domain", method: "GET", url: "https://api.mailgun.net/v3/domains/a%2Bb%2Fc.example.com/webhooks",
			body:    domainWebhookExample(t, "get-v3-domains-domain-webhooks.200.json"),
			call:    func(c *mailgun.Client) error { _, err := c.DomainWebhooks.List(ctx, "a+b/c.example.com"); return err },
			wantURI: "/v3/domains/a%2Bb%2Fc.example.com/webhooks",
		},
	})
}

func TestDomainWebhooksResponseExamples(t *testing.T) {
	ctx := context.Background()
	both := []string{"https://foo.com", "https://bar.com"}
	var covered []string
	check := func(t *testing.T, file, method, path string, status int) []byte {
		t.Helper()
		covered = append(covered, file)
		return example(t, "domain-webhooks/"+file, method, path, status)
	}

	t.Run("list", func(t *testing.T) {
		body := check(t, "get-v3-domains-domain-webhooks.200.json", "GET", "/v3/domains/example.com/webhooks", 200)
		c, m := newMockClient(t)
		m.respond("GET", usDomainWebhooks, 200, body)
		hooks, err := c.DomainWebhooks.List(ctx, "example.com")
		require.NoError(t, err)
		want := mailgun.DomainWebhooks{}
		for _, et := range mailgun.WebhookEventTypes() {
			want[et] = both
		}
		assert.Equal(t, want, hooks)
		assert.Equal(t, mailgun.WebhookEventTypes(), hooks.EventTypes("https://bar.com"))
	})
	for _, tt := range []struct {
		file, method, path string
		call               func(c *mailgun.Client) ([]string, error)
		want               []string
	}{
		{"get-v3-domains-domain-webhooks-name.200.json", "GET", "/delivered",
			func(c *mailgun.Client) ([]string, error) {
				return c.DomainWebhooks.Get(ctx, "example.com", mailgun.WebhookEventDelivered)
			}, []string{"https://foo.com"}},
		{"post-v3-domains-domain-webhooks.200.json", "POST", "",
			func(c *mailgun.Client) ([]string, error) {
				return c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventDelivered, both...)
			}, both},
		{"put-v3-domains-domain-webhooks-name.200.json", "PUT", "/delivered",
			func(c *mailgun.Client) ([]string, error) {
				return c.DomainWebhooks.Update(ctx, "example.com", mailgun.WebhookEventDelivered, "https://foo.com")
			}, []string{"https://foo.com"}},
		{"delete-v3-domains-domain-webhooks-name.200.json", "DELETE", "/delivered",
			func(c *mailgun.Client) ([]string, error) {
				return nil, c.DomainWebhooks.Delete(ctx, "example.com", mailgun.WebhookEventDelivered)
			}, nil},
	} {
		t.Run(tt.file, func(t *testing.T) {
			body := check(t, tt.file, tt.method, "/v3/domains/example.com/webhooks"+tt.path, 200)
			c, m := newMockClient(t)
			m.respond(tt.method, usDomainWebhooks+tt.path, 200, body)
			got, err := tt.call(c)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	for _, tt := range []struct {
		file, method string
		call         func(c *mailgun.Client) (mailgun.DomainWebhooks, error)
		want         mailgun.DomainWebhooks
	}{
		{"post-v4-domains-domain-webhooks.200.json", "POST",
			func(c *mailgun.Client) (mailgun.DomainWebhooks, error) {
				return c.DomainWebhooks.CreateURL(ctx, "example.com", "https://example.com/webhooks", mailgun.WebhookEventAccepted, mailgun.WebhookEventDelivered)
			}, mailgun.DomainWebhooks{
				mailgun.WebhookEventAccepted:      {"https://example.com/webhooks"},
				mailgun.WebhookEventDelivered:     {"https://example.com/webhooks"},
				mailgun.WebhookEventClicked:       {"https://foo.com"},
				mailgun.WebhookEventPermanentFail: {"https://bar.com"},
			}},
		{"put-v4-domains-domain-webhooks.200.json", "PUT",
			func(c *mailgun.Client) (mailgun.DomainWebhooks, error) {
				return c.DomainWebhooks.UpdateURL(ctx, "example.com", "https://example.com/webhooks", mailgun.WebhookEventDelivered, mailgun.WebhookEventOpened)
			}, mailgun.DomainWebhooks{
				mailgun.WebhookEventDelivered: {"https://example.com/webhooks"},
				mailgun.WebhookEventOpened:    {"https://example.com/webhooks"},
				mailgun.WebhookEventClicked:   {"https://foo.com"},
			}},
		{"delete-v4-domains-domain-webhooks.200.json", "DELETE",
			func(c *mailgun.Client) (mailgun.DomainWebhooks, error) {
				return c.DomainWebhooks.DeleteURLs(ctx, "example.com", "https://bar.com")
			}, mailgun.DomainWebhooks{
				mailgun.WebhookEventDelivered: {"https://example.com/webhooks"},
				mailgun.WebhookEventClicked:   {"https://foo.com"},
			}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			body := check(t, tt.file, tt.method, "/v4/domains/example.com/webhooks", 200)
			c, m := newMockClient(t)
			m.respond(tt.method, usDomainWebhooksV4, 200, body)
			got, err := tt.call(c)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	// Every documented error reaches APIError with its message and sentinel.
	for _, tt := range []struct {
		file, method, path string
		status             int
		call               func(c *mailgun.Client) error
		wantMessage        string
	}{
		{"get-v3-domains-domain-webhooks.404.json", "GET", "/v3/domains/example.com/webhooks", 404,
			func(c *mailgun.Client) error { _, err := c.DomainWebhooks.List(ctx, "example.com"); return err }, "Domain not found"},
		{"post-v3-domains-domain-webhooks.400.json", "POST", "/v3/domains/example.com/webhooks", 400,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventDelivered, "https://example.com/")
				return err
			}, "https://example.com/ is not a valid url: host not found"},
		{"post-v3-domains-domain-webhooks.404.json", "POST", "/v3/domains/example.com/webhooks", 404,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventDelivered, "https://example.com/")
				return err
			}, "Domain not found"},
		{"get-v3-domains-domain-webhooks-name.404.json", "GET", "/v3/domains/example.com/webhooks/opened", 404,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.Get(ctx, "example.com", mailgun.WebhookEventOpened)
				return err
			}, "Domain not found"},
		{"put-v3-domains-domain-webhooks-name.400.json", "PUT", "/v3/domains/example.com/webhooks/opened", 400,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.Update(ctx, "example.com", mailgun.WebhookEventOpened, "https://example.com/")
				return err
			}, "https://example.com/ is not a valid url: host not found"},
		{"put-v3-domains-domain-webhooks-name.404.json", "PUT", "/v3/domains/example.com/webhooks/opened", 404,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.Update(ctx, "example.com", mailgun.WebhookEventOpened, "https://example.com/")
				return err
			}, "Domain not found"},
		{"delete-v3-domains-domain-webhooks-name.404.json", "DELETE", "/v3/domains/example.com/webhooks/opened", 404,
			func(c *mailgun.Client) error {
				return c.DomainWebhooks.Delete(ctx, "example.com", mailgun.WebhookEventOpened)
			},
			"Domain not found"},
		{"post-v4-domains-domain-webhooks.400.json", "POST", "/v4/domains/example.com/webhooks", 400,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.CreateURL(ctx, "example.com", "https://example.com/webhooks", mailgun.WebhookEventClicked)
				return err
			}, "Webhook for event type 'clicked' with URL 'https://example.com/webhooks' already exists"},
		{"post-v4-domains-domain-webhooks.404.json", "POST", "/v4/domains/example.com/webhooks", 404,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.CreateURL(ctx, "example.com", "https://example.com/webhooks", mailgun.WebhookEventClicked)
				return err
			}, "Domain not found"},
		{"put-v4-domains-domain-webhooks.400.json", "PUT", "/v4/domains/example.com/webhooks", 400,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.UpdateURL(ctx, "example.com", "https://invalid", mailgun.WebhookEventClicked)
				return err
			}, "invalid parameters: https://invalid is not a valid url: invalid URL scheme"},
		{"put-v4-domains-domain-webhooks.404.json", "PUT", "/v4/domains/example.com/webhooks", 404,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.UpdateURL(ctx, "example.com", "https://example.com/webhooks", mailgun.WebhookEventClicked)
				return err
			}, "Webhook not found"},
		{"delete-v4-domains-domain-webhooks.400.json", "DELETE", "/v4/domains/example.com/webhooks", 400,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.DeleteURLs(ctx, "example.com", "https://example.com/webhooks")
				return err
			}, "url is invalid"},
		{"delete-v4-domains-domain-webhooks.404.json", "DELETE", "/v4/domains/example.com/webhooks", 404,
			func(c *mailgun.Client) error {
				_, err := c.DomainWebhooks.DeleteURLs(ctx, "example.com", "https://example.com/webhooks")
				return err
			}, "Domain not found"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			body := check(t, tt.file, tt.method, tt.path, tt.status)
			c, m := newMockClient(t)
			m.respond(tt.method, "https://api.mailgun.net"+tt.path, tt.status, body)
			err := tt.call(c)
			requireAPIError(t, err, tt.status, tt.wantMessage)
			if tt.status == 404 {
				assert.ErrorIs(t, err, mailgun.ErrNotFound)
			} else {
				assert.ErrorIs(t, err, mailgun.ErrBadRequest)
			}
			assert.Len(t, m.sent(), 1, "4xx is not retried")
		})
	}
	suppressionCoverExamples(t, "domain-webhooks", covered)
}

// TestDomainWebhooksLenientDecode: a mistyped part of the table is dropped,
// never fatal; a reply without its table or webhook is an invalid response.
func TestDomainWebhooksLenientDecode(t *testing.T) {
	ctx := context.Background()
	c, m := newMockClient(t)
	m.respond("GET", usDomainWebhooks, 200, []byte(`{"webhooks": {
		"delivered": {"urls": ["https://a.example/", 7, null, "https://b.example/"]},
		"opened": "https://not-an-object.example/",
		"clicked": null,
		"complained": {"urls": "https://not-an-array.example/"},
		"unsubscribed": {"url": "https://legacy.example/"},
		"accepted": {"urls": []},
		"bounced": {"urls": ["https://future.example/"]}
	}, "extra": 1}`))
	hooks, err := c.DomainWebhooks.List(ctx, "example.com")
	require.NoError(t, err)
	assert.Equal(t, mailgun.DomainWebhooks{
		mailgun.WebhookEventDelivered:    {"https://a.example/", "https://b.example/"},
		mailgun.WebhookEventUnsubscribed: {"https://legacy.example/"},
		"bounced":                        {"https://future.example/"},
	}, hooks)
	assert.Equal(t, []mailgun.WebhookEventType{mailgun.WebhookEventUnsubscribed}, hooks.EventTypes("https://legacy.example/"))
	assert.Equal(t, []mailgun.WebhookEventType{"bounced"}, hooks.EventTypes("https://future.example/"))
	assert.Empty(t, hooks.EventTypes("https://nowhere.example/"))

	for name, body := range map[string]string{
		"no table":         `{"message": "ok"}`,
		"null table":       `{"webhooks": null}`,
		"table not object": `{"webhooks": ["delivered"]}`,
		"truncated":        `{"webhooks": {"delivered": {"urls": ["https://a.exa`,
		"html page":        `<html><title>Welcome to nginx!</title></html>`,
		"empty body":       ``,
	} {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond("GET", usDomainWebhooks, 200, []byte(body))
			m.respond("POST", usDomainWebhooksV4, 200, []byte(body))
			_, err := c.DomainWebhooks.List(ctx, "example.com")
			assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
			_, err = c.DomainWebhooks.CreateURL(ctx, "example.com", "https://a.example/", mailgun.WebhookEventOpened)
			assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
		})
	}
	for name, body := range map[string]string{
		"no webhook":         `{"message": "Webhook has been created"}`,
		"webhook not object": `{"message": "ok", "webhook": "https://a.example/"}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond("GET", usDomainWebhooks+"/delivered", 200, []byte(body))
			_, err := c.DomainWebhooks.Get(ctx, "example.com", mailgun.WebhookEventDelivered)
			assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
		})
	}
	c, m = newMockClient(t)
	m.respond("GET", usDomainWebhooks+"/delivered", 200, []byte(`{"webhook": {"urls": null}}`))
	urls, err := c.DomainWebhooks.Get(ctx, "example.com", mailgun.WebhookEventDelivered)
	require.NoError(t, err)
	assert.NotNil(t, urls)
	assert.Empty(t, urls)
}

// TestDomainWebhooksDecodeRepeatedMembers: a member repeated with a value
// of an unexpected type reads as absent (the list rule), so the value
// before it stands.
func TestDomainWebhooksDecodeRepeatedMembers(t *testing.T) {
	var hooks mailgun.DomainWebhooks
	require.NoError(t, json.Unmarshal([]byte(`{"delivered": {"urls": ["https://a.example/"], "urls": 5}, "opened": {"urls": ["https://b.example/"]}, "opened": "x"}`), &hooks))
	assert.Equal(t, mailgun.DomainWebhooks{
		mailgun.WebhookEventDelivered: {"https://a.example/"},
		mailgun.WebhookEventOpened:    {"https://b.example/"},
	}, hooks)
}

func TestDomainWebhooksBadInput(t *testing.T) {
	ctx := context.Background()
	ok := "https://hooks.example.com/"
	four := []string{"https://a.example/", "https://b.example/", "https://c.example/", "https://d.example/"}
	calls := map[string]func(c *mailgun.Client) error{
		"list empty domain": func(c *mailgun.Client) error { _, err := c.DomainWebhooks.List(ctx, ""); return err },
		"list dot domain":   func(c *mailgun.Client) error { _, err := c.DomainWebhooks.List(ctx, ".."); return err },
		"get empty event": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Get(ctx, "example.com", "")
			return err
		},
		"get blank domain": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Get(ctx, " ", mailgun.WebhookEventOpened)
			return err
		},
		"create no urls": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventOpened)
			return err
		},
		"create four urls": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventOpened, four...)
			return err
		},
		"create repeated url": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventOpened, ok, ok)
			return err
		},
		"create ftp url": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventOpened, "ftp://example.com/")
			return err
		},
		"create relative url": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventOpened, ok, "/hooks")
			return err
		},
		"create empty url": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Create(ctx, "example.com", mailgun.WebhookEventOpened, "")
			return err
		},
		"create blank event": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Create(ctx, "example.com", " ", ok)
			return err
		},
		"create empty domain": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Create(ctx, "", mailgun.WebhookEventOpened, ok)
			return err
		},
		"update no urls": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Update(ctx, "example.com", mailgun.WebhookEventOpened)
			return err
		},
		"update four urls": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Update(ctx, "example.com", mailgun.WebhookEventOpened, four...)
			return err
		},
		"update empty event": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.Update(ctx, "example.com", "", ok)
			return err
		},
		"delete empty event":  func(c *mailgun.Client) error { return c.DomainWebhooks.Delete(ctx, "example.com", "") },
		"delete dot event":    func(c *mailgun.Client) error { return c.DomainWebhooks.Delete(ctx, "example.com", ".") },
		"delete empty domain": func(c *mailgun.Client) error { return c.DomainWebhooks.Delete(ctx, "", mailgun.WebhookEventOpened) },
		"create url no events": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.CreateURL(ctx, "example.com", ok)
			return err
		},
		"create url repeated event": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.CreateURL(ctx, "example.com", ok, mailgun.WebhookEventOpened, mailgun.WebhookEventOpened)
			return err
		},
		"create url blank event": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.CreateURL(ctx, "example.com", ok, mailgun.WebhookEventOpened, "")
			return err
		},
		"create url bad url": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.CreateURL(ctx, "example.com", "mailto:ops@example.com", mailgun.WebhookEventOpened)
			return err
		},
		"update url empty url": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.UpdateURL(ctx, "example.com", "", mailgun.WebhookEventOpened)
			return err
		},
		"update url no events": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.UpdateURL(ctx, "example.com", ok)
			return err
		},
		"update url empty domain": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.UpdateURL(ctx, "", ok, mailgun.WebhookEventOpened)
			return err
		},
		"delete urls none": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.DeleteURLs(ctx, "example.com")
			return err
		},
		"delete urls with a comma": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.DeleteURLs(ctx, "example.com", "https://a.example/x,y")
			return err
		},
		"delete urls bad url": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.DeleteURLs(ctx, "example.com", ok, "no scheme")
			return err
		},
		"delete urls empty domain": func(c *mailgun.Client) error {
			_, err := c.DomainWebhooks.DeleteURLs(ctx, "", ok)
			return err
		},
	}
	refusedBeforeSending(t, calls)
}

// refusedBeforeSending makes each call, in name order, on one mock client:
// every one must fail with ErrInvalidArgument without sending anything.
func refusedBeforeSending(t *testing.T, calls map[string]func(c *mailgun.Client) error) {
	t.Helper()
	c, m := newMockClient(t)
	for _, name := range slices.Sorted(maps.Keys(calls)) {
		assert.ErrorIs(t, calls[name](c), mailgun.ErrInvalidArgument, name)
		require.Empty(t, m.sent(), "%s sent a request", name)
	}
}

// TestDomainWebhookEventTypesMatchContract: the v3 ids and v4 event_types of
// sending.yaml (the enum anchored as &id001) are the event types shared
// with account webhooks. The YAML is read as text, so the test needs no
// OpenAPI library.
func TestDomainWebhookEventTypesMatchContract(t *testing.T) {
	spec := string(fixture(t, "openapi/sending.yaml"))
	_, rest, found := strings.Cut(spec, "enum: &id001\n")
	require.True(t, found, "the webhook event enum of sending.yaml")
	var documented []string
	for line := range strings.Lines(rest) {
		item, ok := strings.CutPrefix(strings.TrimSpace(line), "- ")
		if !ok {
			break
		}
		documented = append(documented, item)
	}
	var ours []string
	for _, et := range mailgun.WebhookEventTypes() {
		ours = append(ours, string(et))
	}
	assert.ElementsMatch(t, documented, ours)
	assert.Len(t, documented, 8)
}

// TestDomainWebhooksFake: v3 and v4 edit one table; limits and errors as the
// API documents them. Every request and response is checked against the contract.
func TestDomainWebhooksFake(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	const d = "example.com"
	a, b, x := "https://a.example.com/hook", "https://b.example.com/hook?k=1&v=2", "https://x.example.com/"

	hooks, err := c.DomainWebhooks.List(ctx, d)
	require.NoError(t, err)
	assert.Empty(t, hooks)
	_, err = c.DomainWebhooks.Get(ctx, d, mailgun.WebhookEventDelivered)
	assert.ErrorIs(t, err, mailgun.ErrNotFound)

	// v3: one event type at a time.
	urls, err := c.DomainWebhooks.Create(ctx, d, mailgun.WebhookEventDelivered, a, b)
	require.NoError(t, err)
	assert.Equal(t, []string{a, b}, urls)
	urls, err = c.DomainWebhooks.Get(ctx, d, mailgun.WebhookEventDelivered)
	require.NoError(t, err)
	assert.Equal(t, []string{a, b}, urls)

	// v4: one URL, several event types; the v3 read sees it.
	table, err := c.DomainWebhooks.CreateURL(ctx, d, a, mailgun.WebhookEventOpened, mailgun.WebhookEventClicked)
	require.NoError(t, err)
	assert.Equal(t, mailgun.DomainWebhooks{
		mailgun.WebhookEventDelivered: {a, b},
		mailgun.WebhookEventOpened:    {a},
		mailgun.WebhookEventClicked:   {a},
	}, table)
	hooks, err = c.DomainWebhooks.List(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, table, hooks)
	assert.Equal(t, table, srv.DomainWebhooks(d))
	assert.Equal(t, []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventOpened, mailgun.WebhookEventClicked}, hooks.EventTypes(a))

	// v4 update: exactly these event types for the URL.
	table, err = c.DomainWebhooks.UpdateURL(ctx, d, a, mailgun.WebhookEventClicked, mailgun.WebhookEventComplained)
	require.NoError(t, err)
	assert.Equal(t, mailgun.DomainWebhooks{
		mailgun.WebhookEventDelivered:  {b},
		mailgun.WebhookEventClicked:    {a},
		mailgun.WebhookEventComplained: {a},
	}, table)

	// v3 update replaces an event type's URLs; the v4 view follows.
	urls, err = c.DomainWebhooks.Update(ctx, d, mailgun.WebhookEventClicked, b, x)
	require.NoError(t, err)
	assert.Equal(t, []string{b, x}, urls)
	hooks, err = c.DomainWebhooks.List(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, []mailgun.WebhookEventType{mailgun.WebhookEventComplained}, hooks.EventTypes(a))
	assert.Equal(t, []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventClicked}, hooks.EventTypes(b))

	// v4 delete removes URLs from every event type; unknown ones are ignored.
	table, err = c.DomainWebhooks.DeleteURLs(ctx, d, b, "https://unknown.example/")
	require.NoError(t, err)
	assert.Equal(t, mailgun.DomainWebhooks{
		mailgun.WebhookEventClicked:    {x},
		mailgun.WebhookEventComplained: {a},
	}, table)

	// v3 delete.
	require.NoError(t, c.DomainWebhooks.Delete(ctx, d, mailgun.WebhookEventClicked))
	assert.ErrorIs(t, c.DomainWebhooks.Delete(ctx, d, mailgun.WebhookEventClicked), mailgun.ErrNotFound)
	assert.Equal(t, mailgun.DomainWebhooks{mailgun.WebhookEventComplained: {a}}, srv.DomainWebhooks(d))

	// Tables are per domain.
	hooks, err = c.DomainWebhooks.List(ctx, "other.example.com")
	require.NoError(t, err)
	assert.Empty(t, hooks)
}

// TestDomainWebhooksFakeErrors checks the fake's refusals, in the shapes the
// contract declares (a client without the contract transport sends what the
// contract's enums would refuse).
func TestDomainWebhooksFakeErrors(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	raw := srv.Client()
	const d = "example.com"
	u := func(host string) string { return "https://" + host + ".example.com/" }
	apiErr := requireAPIError

	_, err := c.DomainWebhooks.Create(ctx, d, mailgun.WebhookEventDelivered, u("a"), u("b"), u("c"))
	require.NoError(t, err)
	// An event type that has webhooks cannot be created again (v3).
	_, err = c.DomainWebhooks.Create(ctx, d, mailgun.WebhookEventDelivered, u("d"))
	apiErr(t, err, 400, "webhook delivered already exists")
	// A fourth URL through v4 is refused, and nothing changes.
	_, err = c.DomainWebhooks.CreateURL(ctx, d, u("d"), mailgun.WebhookEventOpened, mailgun.WebhookEventDelivered)
	apiErr(t, err, 400, "Webhook for event type 'delivered' already has 3 URLs")
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)
	assert.Equal(t, mailgun.DomainWebhooks{mailgun.WebhookEventDelivered: {u("a"), u("b"), u("c")}}, srv.DomainWebhooks(d))
	// A URL that is already there.
	_, err = c.DomainWebhooks.CreateURL(ctx, d, u("a"), mailgun.WebhookEventDelivered)
	apiErr(t, err, 400, "Webhook for event type 'delivered' with URL 'https://a.example.com/' already exists")
	// UpdateURL of a URL the domain does not use.
	_, err = c.DomainWebhooks.UpdateURL(ctx, d, u("z"), mailgun.WebhookEventOpened)
	apiErr(t, err, 404, "Webhook not found")
	// Moving a URL to a full event type is refused; moving within is fine.
	_, err = c.DomainWebhooks.CreateURL(ctx, d, u("z"), mailgun.WebhookEventOpened)
	require.NoError(t, err)
	_, err = c.DomainWebhooks.UpdateURL(ctx, d, u("z"), mailgun.WebhookEventDelivered)
	apiErr(t, err, 400, "Webhook for event type 'delivered' already has 3 URLs")
	_, err = c.DomainWebhooks.UpdateURL(ctx, d, u("a"), mailgun.WebhookEventDelivered, mailgun.WebhookEventOpened)
	require.NoError(t, err)
	// Update and Get of an event type without webhooks.
	_, err = c.DomainWebhooks.Update(ctx, d, mailgun.WebhookEventClicked, u("a"))
	apiErr(t, err, 404, "Webhook not found")
	// An unknown domain.
	_, err = c.DomainWebhooks.List(ctx, "localhost")
	apiErr(t, err, 404, "Domain not found")
	_, err = c.DomainWebhooks.CreateURL(ctx, "localhost", u("a"), mailgun.WebhookEventOpened)
	apiErr(t, err, 404, "Domain not found")

	// What the contract would refuse before it reached the fake.
	_, err = raw.DomainWebhooks.Create(ctx, d, "bounced", u("a"))
	apiErr(t, err, 400, `invalid webhook id "bounced"`)
	_, err = raw.DomainWebhooks.CreateURL(ctx, d, u("a"), "bounced")
	apiErr(t, err, 400, "event_types: invalid or repeated event type 'bounced'")
	rawResp, err := srv.HTTPClient().Do(fakeRequest(t, srv, http.MethodPost, "/v3/domains/example.com/webhooks", "id=clicked&url=a&url=b&url=c&url=d"))
	require.NoError(t, err)
	_ = rawResp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, rawResp.StatusCode)
	rawResp, err = srv.HTTPClient().Do(fakeRequest(t, srv, http.MethodDelete, "/v4/domains/example.com/webhooks", ""))
	require.NoError(t, err)
	_ = rawResp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, rawResp.StatusCode)
}

// requireAPIError checks that err is an *APIError with status and, unless
// message is "", that message.
func requireAPIError(t *testing.T, err error, status int, message string) {
	t.Helper()
	var e *mailgun.APIError
	require.ErrorAs(t, err, &e)
	got := [2]any{e.StatusCode, e.Message}
	if message == "" {
		got[1] = ""
	}
	assert.Equal(t, [2]any{status, message}, got, e.Message)
}

// fakeRequest builds an authenticated request to srv, with a form body when form is not "".
func fakeRequest(t *testing.T, srv *mailguntest.Server, method, path, form string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(form))
	require.NoError(t, err)
	req.SetBasicAuth("api", srv.APIKey())
	if form != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return req
}
