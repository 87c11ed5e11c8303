package mailgun_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

const usDomains = "https://api.mailgun.net/v4/domains"

// newUncontractedMockClient is newMockClient without the contract check,
// for DomainsService.Update: PUT /v4/domains/{name} is documented by
// Mailgun but not part of testdata/openapi.
func newUncontractedMockClient(t *testing.T) (*mailgun.Client, *mock) {
	t.Helper()
	m := &mock{MockTransport: httpmock.NewMockTransport()}
	c, err := mailgun.NewClient(testKey, mailgun.WithHTTPClient(&http.Client{Transport: m.MockTransport}), fastRetry)
	require.NoError(t, err)
	return c, m
}

// onlySent checks the method and request URI of the one request m saw
// and returns it.
func onlySent(t *testing.T, m *mock, method, requestURI string) wireRequest {
	t.Helper()
	req := m.only(t)
	assert.Equal(t, method, req.Method)
	assert.Equal(t, requestURI, req.RequestURI)
	return req
}

// exampleChecker returns a function that reads a documented example of
// area (testdata/examples/<area>), checks it against the contract as the
// answer with status to method on path, and returns it.
func exampleChecker(area string) func(t *testing.T, method, path string, status int, name string) []byte {
	return func(t *testing.T, method, path string, status int, name string) []byte {
		t.Helper()
		body := example(t, ""+area+"/"+name, method, path, status)
		return body
	}
}

// exampleClient returns a client whose requests for method on path (its
// query ignored) are answered 200 with the documented example name of
// area, checked against the contract; name is added to covered.
func exampleClient(t *testing.T, covered *[]string, area, method, path, name string) *mailgun.Client {
	t.Helper()
	*covered = append(*covered, name)
	body := exampleChecker(area)(t, method, path, 200, name)
	c, m := newMockClient(t)
	p, _, _ := strings.Cut(path, "?")
	m.respond(method, "https://api.mailgun.net"+p, 200, body)
	return c
}

// errorExample is a documented error answer and a call that receives it.
type errorExample struct {
	name, method, path string // path may have a query
	status             int
	sentinel           error
	call               func(c *mailgun.Client) error
}

// checkErrorExamples serves each documented error to its call and checks
// the *APIError it becomes; it returns the names of the examples.
func checkErrorExamples(t *testing.T, area string, examples []errorExample) []string {
	check := exampleChecker(area)
	names := make([]string, 0, len(examples))
	for _, ex := range examples {
		names = append(names, ex.name)
		t.Run(ex.name, func(t *testing.T) {
			body := check(t, ex.method, ex.path, ex.status, ex.name)
			c, m := newMockClient(t)
			path, _, _ := strings.Cut(ex.path, "?")
			m.respond(ex.method, "https://api.mailgun.net"+path, ex.status, body)
			err := ex.call(c)
			var apiErr *mailgun.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.ErrorIs(t, err, ex.sentinel)
			assert.Equal(t, ex.status, apiErr.StatusCode)
			got, _ := json.Marshal(map[string]string{"message": apiErr.Message})
			assert.JSONEq(t, string(body), string(got), "the documented message")
		})
	}
	return names
}

func TestDomainsWire(t *testing.T) {
	ctx := context.Background()

	t.Run("List follows skip until total_count", func(t *testing.T) {
		c, m := newMockClient(t)
		respondOK(m, http.MethodGet, usDomains,
			[]byte(`{"total_count":3,"items":[{"name":"a.example.com","id":"1","state":"active","type":"custom","created_at":"Thu, 13 Oct 2011 18:02:00 GMT"},{"name":"b.example.com","id":"2","state":"unverified","type":"custom","created_at":"Thu, 13 Oct 2011 18:02:00 GMT"}]}`),
			[]byte(`{"total_count":3,"items":[{"name":"c.example.com","id":"3","state":"disabled","type":"custom","created_at":"Thu, 13 Oct 2011 18:02:00 GMT"}]}`))
		var got []string
		for d, err := range c.Domains.List(ctx, &mailgun.DomainListOptions{Limit: 2}) {
			require.NoError(t, err)
			got = append(got, d.Name+"/"+string(d.State))
		}
		assert.Equal(t, []string{"a.example.com/active", "b.example.com/unverified", "c.example.com/disabled"}, got)
		sent := m.sent()
		require.Len(t, sent, 2, "the walk stops when skip reaches total_count")
		assert.Equal(t, http.MethodGet, sent[0].Method)
		assert.Equal(t, "/v4/domains?limit=2", sent[0].RequestURI)
		assert.Equal(t, "/v4/domains?limit=2&skip=2", sent[1].RequestURI)
		assert.Empty(t, sent[0].Body)
		assert.Equal(t, "application/json", sent[0].Header.Get("Accept"))
	})

	t.Run("List ends on a page that repeats the previous one", func(t *testing.T) {
		// A server that ignores skip answers every page with the first one.
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usDomains, 200, []byte(`{"total_count":1000,"items":[{"name":"a.example.com","id":"1","state":"active","type":"custom","created_at":"Thu, 13 Oct 2011 18:02:00 GMT"},{"name":"b.example.com","id":"2","state":"active","type":"custom","created_at":"Thu, 13 Oct 2011 18:02:00 GMT"}]}`))
		walk := c.Domains.List(ctx, &mailgun.DomainListOptions{Limit: 2})
		var got []string
		var errs []error
		for d, err := range walk {
			if err != nil {
				errs = append(errs, err)
				continue
			}
			got = append(got, d.Name)
		}
		assert.Equal(t, []string{"a.example.com", "b.example.com"}, got, "the repeated page is not yielded")
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], mailgun.ErrInvalidResponse)
		assert.ErrorContains(t, errs[0], "repeats the previous page")
		assert.Len(t, m.sent(), 2, "the walk stops at the first repeat, not at total_count")

		// Walking the same sequence again starts afresh.
		n := 0
		for _, err := range walk {
			if err == nil {
				n++
			}
		}
		assert.Equal(t, 2, n)
	})

	t.Run("ListPage filters", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usDomains, 200, fixture(t, "examples/domains/get-v4-domains.200.json"))
		page, err := c.Domains.ListPage(ctx, &mailgun.DomainListOptions{
			Limit: 1000, State: mailgun.DomainStateActive, Sort: mailgun.DomainSortNameDesc,
			Authority: "example.com", Search: "mg+ex", IncludeSubaccounts: true,
		})
		require.NoError(t, err)
		assert.Equal(t, "/v4/domains?authority=example.com&include_subaccounts=true&limit=1000&search=mg%2Bex&sort=name%3Adesc&state=active", m.only(t).RequestURI)
		require.Len(t, page.Items, 1)
		assert.Empty(t, page.Next, "total_count 1 is reached")
	})

	t.Run("ListPage cursor", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usDomains, 200, []byte(`{"total_count":3,"items":[{"name":"c.example.com","id":"3","state":"active","type":"custom","created_at":"Thu, 13 Oct 2011 18:02:00 GMT"}]}`))
		cursor := "/v4/domains?limit=2&skip=2&state=active"
		page, err := c.Domains.ListPage(ctx, &mailgun.DomainListOptions{Cursor: cursor, Limit: 5, State: mailgun.DomainStateDisabled})
		require.NoError(t, err)
		assert.Equal(t, cursor, m.only(t).RequestURI, "the cursor carries limit and filters")
		assert.Len(t, page.Items, 1)
		assert.Empty(t, page.Next)
	})

	t.Run("Get", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usDomains+"/mg.example.com", 200, fixture(t, "examples/domains/get-v4-domains-name.200.json"))
		d, err := c.Domains.Get(ctx, "mg.example.com")
		require.NoError(t, err)
		req := onlySent(t, m, http.MethodGet, "/v4/domains/mg.example.com")
		assert.Empty(t, req.Header.Get("Content-Type"))
		assert.Equal(t, "example.com", d.Domain.Name)
	})

	t.Run("Get escapes the name", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usDomains+"/a%2Fb%2Bc", 404, fixture(t, "examples/domains/get-v4-domains-name.404.json"))
		_, err := c.Domains.Get(ctx, "a/b+c")
		require.ErrorIs(t, err, mailgun.ErrNotFound)
		assert.Equal(t, "/v4/domains/a%2Fb%2Bc", m.only(t).RequestURI)
	})

	t.Run("Create", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usDomains, 200, fixture(t, "examples/domains/post-v4-domains.200.json"))
		_, err := c.Domains.Create(ctx, mailgun.DomainInput{
			Name: "mg.example.com", SMTPPassword: "s3cret-pass", SpamAction: mailgun.SpamActionTag, Wildcard: true,
			DKIMKeySize: 2048, DKIMSelector: "s1", DKIMHostName: "example.com",
			IPs: []string{"192.0.2.1", "2001:db8::1"}, PoolID: "pool-1",
			WebScheme: mailgun.WebSchemeHTTPS, WebPrefix: "track", RequireTLS: true, SkipVerification: true,
			UseAutomaticSenderSecurity: true, EncryptIncomingMessage: true,
			ArchiveTo: "https://archive.example.com/in?x=1", MessageTTL: 72 * time.Hour,
		})
		require.NoError(t, err)
		req := onlySent(t, m, http.MethodPost, "/v4/domains")
		assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
		form, err := url.ParseQuery(string(req.Body))
		require.NoError(t, err)
		assert.Equal(t, url.Values{
			"name": {"mg.example.com"}, "smtp_password": {"s3cret-pass"}, "spam_action": {"tag"}, "wildcard": {"true"},
			"dkim_key_size": {"2048"}, "dkim_selector": {"s1"}, "dkim_host_name": {"example.com"},
			"ips": {"192.0.2.1,2001:db8::1"}, "pool_id": {"pool-1"}, "web_scheme": {"https"}, "web_prefix": {"track"},
			"require_tls": {"true"}, "skip_verification": {"true"}, "use_automatic_sender_security": {"true"},
			"encrypt_incoming_message": {"true"}, "archive_to": {"https://archive.example.com/in?x=1"}, "message_ttl": {"259200"},
		}, form)
	})

	t.Run("Create name only", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usDomains, 200, fixture(t, "examples/domains/post-v4-domains.200.json"))
		_, err := c.Domains.Create(ctx, mailgun.DomainInput{Name: "mg.example.com", ForceRootDKIMHost: true})
		require.NoError(t, err)
		assert.Equal(t, "force_root_dkim_host=true&name=mg.example.com", string(m.only(t).Body))
	})

	t.Run("Verify", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPut, usDomains+"/mg.example.com/verify", 200, fixture(t, "examples/domains/put-v4-domains-name-verify.200.json"))
		d, err := c.Domains.Verify(ctx, "mg.example.com")
		require.NoError(t, err)
		assert.Empty(t, onlySent(t, m, http.MethodPut, "/v4/domains/mg.example.com/verify").Body)
		assert.Equal(t, mailgun.DomainStateUnverified, d.Domain.State)
	})

	t.Run("Delete", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodDelete, "https://api.mailgun.net/v3/domains/mg.example.com", 200, fixture(t, "examples/domains/delete-v3-domains-name.200.json"))
		require.NoError(t, c.Domains.Delete(ctx, "mg.example.com"))
		assert.Empty(t, onlySent(t, m, http.MethodDelete, "/v3/domains/mg.example.com").Body)
	})

	t.Run("Update (not in the contract)", func(t *testing.T) {
		c, m := newUncontractedMockClient(t)
		m.respond(http.MethodPut, usDomains+"/mg.example.org", 200, fixture(t, "examples/domains/put-v4-domains-name.200-with-message.json"))
		pw, spam, scheme := mailgun.Secret("n3w-password"), mailgun.SpamActionBlock, mailgun.WebSchemeHTTPS
		prefix, archive, host := "trk", "", "bounce.mg.example.org"
		ttl := 24 * time.Hour
		d, err := c.Domains.Update(ctx, "mg.example.org", mailgun.DomainUpdate{
			SMTPPassword: &pw, SpamAction: &spam, Wildcard: ptr(true), WebScheme: &scheme, WebPrefix: &prefix,
			RequireTLS: ptr(false), SkipVerification: ptr(true), UseAutomaticSenderSecurity: ptr(false),
			ArchiveTo: &archive, MessageTTL: &ttl, MailFromHost: &host,
		})
		require.NoError(t, err)
		req := onlySent(t, m, http.MethodPut, "/v4/domains/mg.example.org")
		assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
		assert.Equal(t, "archive_to=&mailfrom_host=bounce.mg.example.org&message_ttl=86400&require_tls=false&skip_verification=true&smtp_password=n3w-password&spam_action=block&use_automatic_sender_security=false&web_prefix=trk&web_scheme=https&wildcard=true", string(req.Body))
		assert.Equal(t, mailgun.SpamActionBlock, d.Domain.SpamAction)
		assert.True(t, d.Domain.Wildcard)
	})

	t.Run("Update sends back what Get returned", func(t *testing.T) {
		c, m := newUncontractedMockClient(t)
		m.respond(http.MethodGet, usDomains+"/example.com", 200, fixture(t, "examples/domains/get-v4-domains-name.200.json"))
		m.respond(http.MethodPut, usDomains+"/example.com", 200, fixture(t, "examples/domains/put-v4-domains-name.200.json"))
		got, err := c.Domains.Get(ctx, "example.com")
		require.NoError(t, err)
		d := got.Domain
		d.SpamAction = "quarantine" // a value Mailgun might add later
		_, err = c.Domains.Update(ctx, d.Name, mailgun.DomainUpdate{
			SpamAction: &d.SpamAction, WebScheme: &d.WebScheme, WebPrefix: &d.WebPrefix, Wildcard: &d.Wildcard,
			RequireTLS: &d.RequireTLS, SkipVerification: &d.SkipVerification, UseAutomaticSenderSecurity: &d.UseAutomaticSenderSecurity,
			ArchiveTo: &d.ArchiveTo,
		})
		require.NoError(t, err)
		assert.Contains(t, string(m.sent()[1].Body), "spam_action=quarantine")
	})
}

func TestDomainsResponseExamples(t *testing.T) {
	ctx := context.Background()
	var covered []string
	gmt := func(s string) time.Time {
		v, err := time.Parse(time.RFC1123, s)
		require.NoError(t, err)
		return v
	}

	for _, name := range []string{"get-v4-domains.200.json", "get-v4-domains.200-subaccounts.json"} {
		t.Run(name, func(t *testing.T) {
			c := exampleClient(t, &covered, "domains", "GET", "/v4/domains", name)
			page, err := c.Domains.ListPage(ctx, nil)
			require.NoError(t, err)
			require.Len(t, page.Items, 1)
			d := page.Items[0]
			want := mailgun.Domain{
				Name: "example.com", ID: "1", State: mailgun.DomainStateUnverified, Type: mailgun.DomainTypeCustom,
				CreatedAt: gmt("Mon, 02 Jan 2006 15:04:05 MST"), WebPrefix: "email",
				Disabled: &mailgun.DomainDisabled{Code: "blacklisted", Note: "for debugging", Permanently: true, Reason: "bad customer"},
			}
			if strings.Contains(name, "subaccounts") {
				want.SubaccountID = "6fr783930fhhriu673"
			}
			assert.Equal(t, want, d)
			assert.Empty(t, page.Next)
		})
	}

	t.Run("get", func(t *testing.T) {
		c := exampleClient(t, &covered, "domains", "GET", "/v4/domains/example.com", "get-v4-domains-name.200.json")
		d, err := c.Domains.Get(ctx, "example.com")
		require.NoError(t, err)
		assert.Equal(t, mailgun.Domain{
			Name: "example.com", ID: "123456789012345678901234", State: mailgun.DomainStateActive, Type: mailgun.DomainTypeSandbox,
			CreatedAt: gmt("Thu, 13 Oct 2011 18:02:00 GMT"), SMTPLogin: "postmaster@example.com", SpamAction: mailgun.SpamActionDisabled,
			RequireTLS: true, UseAutomaticSenderSecurity: true, WebPrefix: "email", WebScheme: mailgun.WebSchemeHTTP,
		}, d.Domain)
		require.Len(t, d.ReceivingRecords, 2)
		assert.Equal(t, mailgun.DNSRecord{
			RecordType: "MX", Value: "mxa.mailgun.org", Priority: "10", Valid: mailgun.DNSValid, IsActive: true,
			Cached: []string{"10 mxa.mailgun.org", "10 mxb.mailgun.org"},
		}, d.ReceivingRecords[0])
		require.Len(t, d.SendingRecords, 3)
		assert.Equal(t, mailgun.DNSRecord{
			RecordType: "TXT", Name: "mx._domainkey.mg.example.com", Value: "k=rsa; p=M......", Valid: mailgun.DNSValid,
			IsActive: true, Cached: []string{"k=rsa; p=M......"},
		}, d.SendingRecords[1])
		assert.Equal(t, "CNAME", d.SendingRecords[2].RecordType)
		assert.True(t, d.Verified())
	})

	t.Run("create", func(t *testing.T) {
		c := exampleClient(t, &covered, "domains", "POST", "/v4/domains", "post-v4-domains.200.json")
		d, err := c.Domains.Create(ctx, mailgun.DomainInput{Name: "example.com"})
		require.NoError(t, err)
		assert.True(t, d.Domain.EncryptIncomingMessage)
		assert.Equal(t, 24*time.Hour, d.Domain.MessageTTL)
		assert.Equal(t, []mailgun.DNSRecord{{RecordType: "MX", Name: "example.com", Priority: "10", Valid: mailgun.DNSUnknown, Cached: []string{}}}, d.ReceivingRecords)
		assert.Equal(t, []mailgun.DNSRecord{{
			RecordType: "A", Name: "example.com", Value: "1.2.3.4", Priority: "10", Valid: mailgun.DNSValid,
			Cached: []string{"mxa.example.com", "mxb.example.com"},
		}}, d.SendingRecords)
	})

	t.Run("create, the shape live answers have", func(t *testing.T) {
		c := exampleClient(t, &covered, "domains", "POST", "/v4/domains", "post-v4-domains.200-live-shape.json")
		d, err := c.Domains.Create(ctx, mailgun.DomainInput{Name: "mg.example.org", SpamAction: mailgun.SpamActionTag})
		require.NoError(t, err)
		assert.Equal(t, mailgun.DomainTypeCustom, d.Domain.Type)
		assert.Equal(t, mailgun.SpamActionTag, d.Domain.SpamAction)
		assert.Equal(t, time.Date(2025, 6, 3, 9, 15, 27, 0, time.UTC), d.Domain.CreatedAt.UTC())
		require.Len(t, d.ReceivingRecords, 2)
		assert.Empty(t, d.ReceivingRecords[0].Name, "MX records have no name")
		assert.Equal(t, "mxb.mailgun.org", d.ReceivingRecords[1].Value)
		require.Len(t, d.SendingRecords, 3)
		assert.False(t, d.SendingRecords[0].IsActive)
		assert.Equal(t, []string{}, d.SendingRecords[0].Cached)
		assert.False(t, d.Verified())
	})

	t.Run("verify", func(t *testing.T) {
		c := exampleClient(t, &covered, "domains", "PUT", "/v4/domains/example.com/verify", "put-v4-domains-name-verify.200.json")
		d, err := c.Domains.Verify(ctx, "example.com")
		require.NoError(t, err)
		assert.Equal(t, &mailgun.DomainDisabled{Code: "blacklisted", Note: "for debugging", Permanently: true, Reason: "bad customer"}, d.Domain.Disabled)
		assert.Equal(t, "0.0.0.0", d.SendingRecords[0].Value)
		assert.Equal(t, "0.0.0.0", d.ReceivingRecords[0].Value)
	})

	t.Run("delete", func(t *testing.T) {
		c := exampleClient(t, &covered, "domains", "DELETE", "/v3/domains/example.com", "delete-v3-domains-name.200.json")
		require.NoError(t, c.Domains.Delete(ctx, "example.com"))
	})

	// Update is not in the contract: its examples (Mailgun's reference
	// example, without message, and the live shape, with one) are decoded
	// without a contract check.
	for _, name := range []string{"put-v4-domains-name.200.json", "put-v4-domains-name.200-with-message.json"} {
		covered = append(covered, name)
		t.Run(name, func(t *testing.T) {
			c, m := newUncontractedMockClient(t)
			m.respond(http.MethodPut, usDomains+"/example.com", 200, fixture(t, "examples/domains/"+name))
			d, err := c.Domains.Update(ctx, "example.com", mailgun.DomainUpdate{Wildcard: ptr(true)})
			require.NoError(t, err)
			assert.NotEmpty(t, d.Domain.Name)
			assert.NotEmpty(t, d.SendingRecords)
			assert.NotEmpty(t, d.ReceivingRecords)
		})
	}

	covered = append(covered, checkErrorExamples(t, "domains", []errorExample{
		{"get-v4-domains-name.404.json", "GET", "/v4/domains/nope.example.com", 404, mailgun.ErrNotFound, func(c *mailgun.Client) error {
			_, err := c.Domains.Get(ctx, "nope.example.com")
			return err
		}},
		{"put-v4-domains-name-verify.404.json", "PUT", "/v4/domains/nope.example.com/verify", 404, mailgun.ErrNotFound, func(c *mailgun.Client) error {
			_, err := c.Domains.Verify(ctx, "nope.example.com")
			return err
		}},
		{"delete-v3-domains-name.404.json", "DELETE", "/v3/domains/nope.example.com", 404, mailgun.ErrNotFound, func(c *mailgun.Client) error {
			return c.Domains.Delete(ctx, "nope.example.com")
		}},
		{"post-v4-domains.400.json", "POST", "/v4/domains", 400, mailgun.ErrBadRequest, func(c *mailgun.Client) error {
			_, err := c.Domains.Create(ctx, mailgun.DomainInput{Name: "nope.example.com"})
			return err
		}},
	})...)

	suppressionCoverExamples(t, "domains", covered)
}

// TestDomainsTolerance gives each field of a listed domain and of a DNS
// record a value of the wrong type, one at a time: the page still decodes,
// every item is kept, only that field is lost.
func TestDomainsTolerance(t *testing.T) {
	ctx := context.Background()
	item := map[string]any{
		"archive_to": "https://a.example.com", "created_at": "Thu, 13 Oct 2011 18:02:00 GMT", "id": "1", "is_disabled": true,
		"name": "a.example.com", "require_tls": true, "skip_verification": true, "smtp_login": "postmaster@a.example.com",
		"spam_action": "tag", "subaccount_id": "s1", "state": "active", "type": "custom", "tracking_host": "email.a.example.com",
		"use_automatic_sender_security": true, "web_prefix": "email", "web_scheme": "https", "wildcard": true,
		"disabled":                 map[string]any{"code": "c", "note": "n", "permanently": true, "reason": "r", "until": "Thu, 13 Oct 2011 18:02:00 GMT"},
		"encrypt_incoming_message": true, "message_ttl": 3600,
	}
	wrong := func(v any) any {
		switch v.(type) {
		case string:
			return 12
		case bool:
			return "yes"
		case int:
			return "soon"
		}
		return []int{1}
	}
	for field := range item {
		t.Run(field, func(t *testing.T) {
			bad := map[string]any{}
			for k, v := range item {
				bad[k] = v
			}
			bad[field] = wrong(item[field])
			body, err := json.Marshal(map[string]any{"total_count": 2, "items": []any{bad, item}})
			require.NoError(t, err)
			c, m := newMockClient(t)
			m.respond(http.MethodGet, usDomains, 200, body)
			page, err := c.Domains.ListPage(ctx, nil)
			require.NoError(t, err)
			require.Len(t, page.Items, 2)
			assert.Equal(t, "a.example.com", page.Items[1].Name)
			got, full := page.Items[0], page.Items[1]
			assert.NotEqual(t, full, got, "the mistyped field is dropped")
			if field != "name" {
				assert.Equal(t, "a.example.com", got.Name)
			}
			if field != "created_at" {
				assert.False(t, got.CreatedAt.IsZero())
			}
		})
	}

	t.Run("inside disabled", func(t *testing.T) {
		body := `{"total_count":1,"items":[{"name":"a.example.com","disabled":{"code":"c","permanently":"yes","until":"someday"}}]}`
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usDomains, 200, []byte(body))
		page, err := c.Domains.ListPage(ctx, nil)
		require.NoError(t, err)
		assert.Equal(t, &mailgun.DomainDisabled{Code: "c"}, page.Items[0].Disabled)
	})

	t.Run("records", func(t *testing.T) {
		body := `{"domain":{"name":"a.example.com"},
			"sending_dns_records":[{"record_type":"TXT","name":"a.example.com","valid":"VALID","value":"v","cached":["v",7],"is_active":"true","priority":null},null],
			"receiving_dns_records":[{"record_type":7,"valid":"unknown","priority":10,"value":"mxa.mailgun.org"}]}`
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usDomains+"/a.example.com", 200, []byte(body))
		d, err := c.Domains.Get(ctx, "a.example.com")
		require.NoError(t, err)
		assert.Equal(t, []mailgun.DNSRecord{{RecordType: "TXT", Name: "a.example.com", Value: "v", Valid: mailgun.DNSValid, Cached: []string{"v", ""}}}, d.SendingRecords,
			"a mistyped array element reads as its zero value")
		assert.Equal(t, []mailgun.DNSRecord{{Value: "mxa.mailgun.org", Priority: "10", Valid: mailgun.DNSUnknown}}, d.ReceivingRecords)
	})
}

func TestDomainsMalformedResponses(t *testing.T) {
	ctx := context.Background()
	for name, body := range map[string]string{
		"truncated":            `{"total_count":1,"items":[{"name":"a.exa`,
		"HTML":                 `<html><title>502 Bad Gateway</title></html>`,
		"no total_count":       `{"items":[]}`,
		"items not an array":   `{"total_count":1,"items":{"name":"a.example.com"}}`,
		"total_count mistyped": `{"total_count":"1","items":[]}`,
	} {
		t.Run("list "+name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, usDomains, 200, []byte(body))
			assertFailsOnce(t, c.Domains.List(ctx, nil), mailgun.ErrInvalidResponse)
		})
	}
	for name, body := range map[string]string{
		"no domain":            `{"receiving_dns_records":[],"sending_dns_records":[]}`,
		"null domain":          `{"domain":null}`,
		"domain not an object": `{"domain":"a.example.com"}`,
		"records not an array": `{"domain":{"name":"a.example.com"},"sending_dns_records":{}}`,
		"not JSON":             `Domain found`,
		"truncated":            `{"domain":{"name":"a.exa`,
	} {
		t.Run("get "+name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, usDomains+"/a.example.com", 200, []byte(body))
			_, err := c.Domains.Get(ctx, "a.example.com")
			require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
		})
	}
	t.Run("an item or record that is not an object is skipped", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usDomains, 200, []byte(`{"total_count":3,"items":["a.example.com",null,{"name":"b.example.com"}]}`))
		page, err := c.Domains.ListPage(ctx, nil)
		require.NoError(t, err)
		require.Len(t, page.Items, 1)
		assert.Equal(t, "b.example.com", page.Items[0].Name)
		assert.Empty(t, page.Next, "the skipped items count toward the total")
		m.respond(http.MethodGet, usDomains+"/a.example.com", 200, []byte(`{"domain":{"name":"a.example.com"},"sending_dns_records":["TXT",{"record_type":"MX"}]}`))
		d, err := c.Domains.Get(ctx, "a.example.com")
		require.NoError(t, err)
		assert.Equal(t, []mailgun.DNSRecord{{RecordType: "MX"}}, d.SendingRecords)
	})
	t.Run("null items end the walk", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usDomains, 200, []byte(`{"total_count":5,"items":null}`))
		page, err := c.Domains.ListPage(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, page.Items)
		assert.Empty(t, page.Next)
	})
	t.Run("delete answered with HTML", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodDelete, "https://api.mailgun.net/v3/domains/a.example.com", 200, []byte(`<html>OK</html>`))
		require.ErrorIs(t, c.Domains.Delete(ctx, "a.example.com"), mailgun.ErrInvalidResponse)
	})
}

func TestDomainsInvalidArguments(t *testing.T) {
	ctx := context.Background()
	c, m := newMockClient(t)
	list := func(opts *mailgun.DomainListOptions) error {
		for _, err := range c.Domains.List(ctx, opts) {
			return err
		}
		return errors.New("no error yielded")
	}
	page := func(opts *mailgun.DomainListOptions) error {
		_, err := c.Domains.ListPage(ctx, opts)
		return err
	}
	create := func(in mailgun.DomainInput) error {
		_, err := c.Domains.Create(ctx, in)
		return err
	}
	update := func(name string, u mailgun.DomainUpdate) error {
		_, err := c.Domains.Update(ctx, name, u)
		return err
	}
	get := func(name string) error { _, err := c.Domains.Get(ctx, name); return err }
	verify := func(name string) error { _, err := c.Domains.Verify(ctx, name); return err }
	shortPW, badSpam, badScheme := mailgun.Secret("abcd"), mailgun.SpamAction("Block"), mailgun.WebScheme("https://")
	empty, upper, badPrefix, badURL := "", "Mail.Example.com", "a b", "ftp://x"
	subSecond, negative := 1500*time.Millisecond, -time.Second
	for name, err := range map[string]error{
		"List limit negative":            list(&mailgun.DomainListOptions{Limit: -1}),
		"List limit too big":             list(&mailgun.DomainListOptions{Limit: 1001}),
		"List bad state":                 list(&mailgun.DomainListOptions{State: "Active"}),
		"List bad sort":                  list(&mailgun.DomainListOptions{Sort: "created"}),
		"List foreign cursor":            list(&mailgun.DomainListOptions{Cursor: "/v3/example.com/bounces?page=next"}),
		"List v3 cursor":                 list(&mailgun.DomainListOptions{Cursor: "/v3/domains?skip=1"}),
		"List absolute cursor":           list(&mailgun.DomainListOptions{Cursor: "https://evil.example/v4/domains?skip=1"}),
		"ListPage bad skip":              page(&mailgun.DomainListOptions{Cursor: "/v4/domains?skip=-3"}),
		"ListPage sub-path cursor":       page(&mailgun.DomainListOptions{Cursor: "/v4/domains/x.example.com"}),
		"Get empty":                      get(" "),
		"Get dot-dot":                    get(".."),
		"Verify empty":                   verify(""),
		"Delete empty":                   c.Domains.Delete(ctx, ""),
		"Create no name":                 create(mailgun.DomainInput{}),
		"Create name without dot":        create(mailgun.DomainInput{Name: "localhost"}),
		"Create name with slash":         create(mailgun.DomainInput{Name: "a/b.example.com"}),
		"Create short password":          create(mailgun.DomainInput{Name: "mg.example.com", SMTPPassword: shortPW}),
		"Create long password":           create(mailgun.DomainInput{Name: "mg.example.com", SMTPPassword: mailgun.Secret(strings.Repeat("x", 33))}),
		"Create bad spam action":         create(mailgun.DomainInput{Name: "mg.example.com", SpamAction: badSpam}),
		"Create bad web scheme":          create(mailgun.DomainInput{Name: "mg.example.com", WebScheme: badScheme}),
		"Create DKIM key size":           create(mailgun.DomainInput{Name: "mg.example.com", DKIMKeySize: 4096}),
		"Create DKIM selector":           create(mailgun.DomainInput{Name: "mg.example.com", DKIMSelector: "a.b"}),
		"Create DKIM host and authority": create(mailgun.DomainInput{Name: "mg.example.com", DKIMHostName: "example.com", ForceDKIMAuthority: true}),
		"Create DKIM host and root":      create(mailgun.DomainInput{Name: "mg.example.com", DKIMHostName: "example.com", ForceRootDKIMHost: true}),
		"Create bad IP":                  create(mailgun.DomainInput{Name: "mg.example.com", IPs: []string{"192.0.2.1", "300.1.1.1"}}),
		"Create bad web prefix":          create(mailgun.DomainInput{Name: "mg.example.com", WebPrefix: "a.b"}),
		"Create bad archive URL":         create(mailgun.DomainInput{Name: "mg.example.com", ArchiveTo: badURL}),
		"Create sub-second TTL":          create(mailgun.DomainInput{Name: "mg.example.com", MessageTTL: subSecond}),
		"Create negative TTL":            create(mailgun.DomainInput{Name: "mg.example.com", MessageTTL: negative}),
		"Update empty name":              update("", mailgun.DomainUpdate{Wildcard: ptr(true)}),
		"Update nothing":                 update("mg.example.com", mailgun.DomainUpdate{}),
		"Update short password":          update("mg.example.com", mailgun.DomainUpdate{SMTPPassword: &shortPW}),
		"Update bad spam action":         update("mg.example.com", mailgun.DomainUpdate{SpamAction: &badSpam}),
		"Update bad web scheme":          update("mg.example.com", mailgun.DomainUpdate{WebScheme: &badScheme}),
		"Update empty web prefix":        update("mg.example.com", mailgun.DomainUpdate{WebPrefix: &empty}),
		"Update bad web prefix":          update("mg.example.com", mailgun.DomainUpdate{WebPrefix: &badPrefix}),
		"Update bad archive URL":         update("mg.example.com", mailgun.DomainUpdate{ArchiveTo: &badURL}),
		"Update bad TTL":                 update("mg.example.com", mailgun.DomainUpdate{MessageTTL: &negative}),
		"Update upper-case mail-from":    update("mg.example.com", mailgun.DomainUpdate{MailFromHost: &upper}),
		"Update empty mail-from":         update("mg.example.com", mailgun.DomainUpdate{MailFromHost: &empty}),
	} {
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, name)
	}
	assert.Empty(t, m.sent(), "nothing is sent on bad input")
}

func TestDomainsSMTPPasswordRedacted(t *testing.T) {
	const secret = "hunter2-hunter2"
	pw := mailgun.Secret(secret)
	in := mailgun.DomainInput{Name: "mg.example.com", SMTPPassword: pw}
	u := mailgun.DomainUpdate{SMTPPassword: &pw}
	for _, s := range []string{
		fmt.Sprint(pw), fmt.Sprintf("%v %+v %#v %s %q", in, in, in, pw, pw), fmt.Sprintf("%+v %#v", u, *u.SMTPPassword),
	} {
		assert.NotContains(t, s, secret)
	}
	assert.Equal(t, "[redacted]", pw.String())
	assert.Equal(t, secret, string(pw), "the value itself is kept")
	assert.Empty(t, mailgun.Secret("").String())

	// Nor does it show up in an error about it.
	c, _ := newMockClient(t)
	_, err := c.Domains.Create(context.Background(), mailgun.DomainInput{Name: "mg.example.com", SMTPPassword: "abc"})
	require.ErrorIs(t, err, mailgun.ErrInvalidArgument)
	assert.NotContains(t, err.Error(), "abc")
}

func TestDomainsFakeRoundTrip(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 3, 9, 15, 27, 0, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))

	created, err := c.Domains.Create(ctx, mailgun.DomainInput{Name: "mg.example.com", SpamAction: mailgun.SpamActionTag, DKIMSelector: "s1", MessageTTL: time.Hour})
	require.NoError(t, err)
	d := created.Domain
	assert.Equal(t, "mg.example.com", d.Name)
	assert.Equal(t, mailgun.DomainStateUnverified, d.State)
	assert.Equal(t, mailgun.DomainTypeCustom, d.Type)
	assert.Equal(t, mailgun.SpamActionTag, d.SpamAction)
	assert.Equal(t, "postmaster@mg.example.com", d.SMTPLogin)
	assert.Equal(t, time.Hour, d.MessageTTL)
	assert.True(t, d.CreatedAt.Equal(now))
	assert.Len(t, d.ID, 24)
	require.Len(t, created.SendingRecords, 3)
	assert.Equal(t, "s1._domainkey.mg.example.com", created.SendingRecords[1].Name)
	assert.True(t, strings.HasPrefix(created.SendingRecords[1].Value, "k=rsa; p="))
	assert.Equal(t, "email.mg.example.com", created.SendingRecords[2].Name)
	require.Len(t, created.ReceivingRecords, 2)
	for _, r := range append(created.SendingRecords, created.ReceivingRecords...) {
		assert.Equal(t, mailgun.DNSUnknown, r.Valid)
	}
	assert.False(t, created.Verified())

	_, err = c.Domains.Create(ctx, mailgun.DomainInput{Name: "mg.example.com"})
	assert.ErrorIs(t, err, mailgun.ErrBadRequest, "a name already there")

	got, err := c.Domains.Get(ctx, "MG.example.com")
	require.NoError(t, err)
	assert.Equal(t, created, got)

	// Verification finds what SetDNSValidity says.
	srv.SetDNSValidity("mg.example.com", mailgun.DNSInvalid)
	v, err := c.Domains.Verify(ctx, "mg.example.com")
	require.NoError(t, err)
	assert.Equal(t, mailgun.DomainStateUnverified, v.Domain.State)
	assert.Equal(t, mailgun.DNSInvalid, v.SendingRecords[0].Valid)
	srv.SetDNSValidity("mg.example.com", mailgun.DNSValid)
	v, err = c.Domains.Verify(ctx, "mg.example.com")
	require.NoError(t, err)
	assert.Equal(t, mailgun.DomainStateActive, v.Domain.State)
	assert.True(t, v.Verified())
	assert.Equal(t, []string{"10 mxa.mailgun.org", "10 mxb.mailgun.org"}, v.ReceivingRecords[0].Cached)

	// Update (not in the contract, so through a client without the check).
	plain := srv.Client()
	scheme, prefix := mailgun.WebSchemeHTTPS, "trk"
	u, err := plain.Domains.Update(ctx, "mg.example.com", mailgun.DomainUpdate{WebScheme: &scheme, WebPrefix: &prefix, Wildcard: ptr(true)})
	require.NoError(t, err)
	assert.Equal(t, mailgun.WebSchemeHTTPS, u.Domain.WebScheme)
	assert.True(t, u.Domain.Wildcard)
	assert.Equal(t, "trk.mg.example.com", u.SendingRecords[2].Name)
	assert.Equal(t, mailgun.DNSUnknown, u.SendingRecords[2].Valid, "a new tracking record is not verified yet")
	assert.Equal(t, mailgun.DNSValid, u.SendingRecords[0].Valid, "the others keep their state")
	tr, err := c.Tracking.Get(ctx, "mg.example.com")
	require.NoError(t, err)
	assert.Equal(t, "https", tr.WebScheme, "tracking sees the domain's web scheme")
	_, err = plain.Domains.Update(ctx, "nope.example.com", mailgun.DomainUpdate{Wildcard: ptr(true)})
	assert.ErrorIs(t, err, mailgun.ErrNotFound)

	// Every value Get returns is accepted back by Update.
	back := u.Domain
	_, err = plain.Domains.Update(ctx, back.Name, mailgun.DomainUpdate{
		SpamAction: &back.SpamAction, WebScheme: &back.WebScheme, WebPrefix: &back.WebPrefix, Wildcard: &back.Wildcard,
		RequireTLS: &back.RequireTLS, SkipVerification: &back.SkipVerification,
		UseAutomaticSenderSecurity: &back.UseAutomaticSenderSecurity, ArchiveTo: &back.ArchiveTo, MessageTTL: &back.MessageTTL,
	})
	require.NoError(t, err)

	// Delete, then 404s in the documented shape.
	require.NoError(t, c.Domains.Delete(ctx, "mg.example.com"))
	_, ok := srv.Domain("mg.example.com")
	assert.False(t, ok)
	_, err = c.Domains.Get(ctx, "mg.example.com")
	assert.ErrorIs(t, err, mailgun.ErrNotFound)
	_, err = c.Domains.Verify(ctx, "mg.example.com")
	assert.ErrorIs(t, err, mailgun.ErrNotFound)
	err = c.Domains.Delete(ctx, "mg.example.com")
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, "Domain not found", apiErr.Message)
}

func TestDomainsFakeListing(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	srv, c := newFake(t)
	// Added out of order: the list is ordered by creation time.
	for _, i := range []int{3, 0, 6, 1, 5, 2, 4} {
		name := fmt.Sprintf("d%d.example.com", i)
		state := mailgun.DomainStateUnverified
		if i%2 == 0 {
			state = mailgun.DomainStateActive
		}
		srv.AddDomains(mailgun.Domain{Name: name, State: state, CreatedAt: start.Add(time.Duration(i) * time.Hour)})
	}

	var got []string
	for d, err := range c.Domains.List(ctx, &mailgun.DomainListOptions{Limit: 3}) {
		require.NoError(t, err)
		got = append(got, d.Name)
	}
	assert.Equal(t, []string{"d6.example.com", "d5.example.com", "d4.example.com", "d3.example.com", "d2.example.com", "d1.example.com", "d0.example.com"}, got, "newest first")

	page, err := c.Domains.ListPage(ctx, &mailgun.DomainListOptions{Limit: 2, Sort: mailgun.DomainSortName, State: mailgun.DomainStateActive})
	require.NoError(t, err)
	assert.Equal(t, []string{"d0.example.com", "d2.example.com"}, domainNames(page.Items))
	page, err = c.Domains.ListPage(ctx, &mailgun.DomainListOptions{Cursor: page.Next})
	require.NoError(t, err)
	assert.Equal(t, []string{"d4.example.com", "d6.example.com"}, domainNames(page.Items))
	assert.Empty(t, page.Next, "four active domains")

	page, err = c.Domains.ListPage(ctx, &mailgun.DomainListOptions{Search: "D3", Sort: mailgun.DomainSortNameDesc})
	require.NoError(t, err)
	assert.Equal(t, []string{"d3.example.com"}, domainNames(page.Items))

	active, ok := srv.Domain("d0.example.com")
	require.True(t, ok)
	assert.True(t, active.Verified(), "AddDomains makes an active domain's records valid")

	// A sandbox domain and the authority of another cannot be deleted.
	srv.AddDomains(mailgun.Domain{Name: "sandbox1.mailgun.org", Type: mailgun.DomainTypeSandbox, State: mailgun.DomainStateActive})
	// (400 is not a status the contract declares for delete: no contract check.)
	err = srv.Client().Domains.Delete(ctx, "sandbox1.mailgun.org")
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)
	_, err = srv.Client().Domains.Create(ctx, mailgun.DomainInput{Name: "sub.d1.example.com"})
	require.NoError(t, err)
	err = srv.Client().Domains.Delete(ctx, "d1.example.com")
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)
	page, err = c.Domains.ListPage(ctx, &mailgun.DomainListOptions{Authority: "d1.example.com", Sort: mailgun.DomainSortName})
	require.NoError(t, err)
	assert.Equal(t, []string{"d1.example.com", "sub.d1.example.com"}, domainNames(page.Items))
}

func TestDomainsFakeRefusesBadCreates(t *testing.T) {
	ctx := context.Background()
	srv := mailguntest.NewServer(t)
	for name, form := range map[string]url.Values{
		"no name":         {},
		"bad name":        {"name": {"not a domain"}},
		"short password":  {"name": {"a.example.com"}, "smtp_password": {"abc"}},
		"bad spam action": {"name": {"a.example.com"}, "spam_action": {"quarantine"}},
		"bad key size":    {"name": {"a.example.com"}, "dkim_key_size": {"512"}},
		"bad boolean":     {"name": {"a.example.com"}, "wildcard": {"maybe"}},
		"host and root":   {"name": {"a.example.com"}, "dkim_host_name": {"example.com"}, "force_root_dkim_host": {"true"}},
		"bad ip":          {"name": {"a.example.com"}, "ips": {"1.2.3"}},
	} {
		err := srv.Client().Do(ctx, http.MethodPost, "/v4/domains", form, nil)
		assert.ErrorIs(t, err, mailgun.ErrBadRequest, name)
	}
	_, ok := srv.Domain("a.example.com")
	assert.False(t, ok)
}

func domainNames(ds []mailgun.Domain) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Name
	}
	return out
}

// An error about an archive URL quotes it without its credentials.
func TestDomainsArchiveURLErrorsRedactCredentials(t *testing.T) {
	c, m := newMockClient(t)
	ctx := context.Background()
	for _, u := range credentialURLs {
		_, err := c.Domains.Create(ctx, mailgun.DomainInput{Name: "mg.example.com", ArchiveTo: u})
		require.ErrorIs(t, err, mailgun.ErrInvalidArgument, u)
		assert.NotContains(t, err.Error(), "s3cret-pw")
		assert.Contains(t, err.Error(), "[redacted]@hooks")
		_, err = c.Domains.Update(ctx, "mg.example.com", mailgun.DomainUpdate{ArchiveTo: &u})
		require.ErrorIs(t, err, mailgun.ErrInvalidArgument, u)
		assert.NotContains(t, err.Error(), "s3cret-pw")
	}
	assert.Empty(t, m.sent())
}
