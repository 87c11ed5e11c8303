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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
)

const usAllowlist = "https://api.mailgun.net/v3/example.com/whitelists"

func TestAllowlistWire(t *testing.T) {
	ctx := context.Background()

	t.Run("List", func(t *testing.T) {
		c, m := newMockClient(t)
		respondOK(m, http.MethodGet, usAllowlist,
			fixture(t, "examples/allowlist/get-v3-domain-whitelists.200.json"),
			[]byte(`{"items":[],"paging":{}}`))
		var got []string
		for e, err := range c.Allowlist.List(ctx, "example.com", &mailgun.ListOptions{Limit: 2, Term: "a"}) {
			require.NoError(t, err)
			got = append(got, e.Value)
		}
		assert.Equal(t, []string{"alice@example.com", "test.example.com"}, got)
		sent := m.sent()
		require.Len(t, sent, 2)
		assert.Equal(t, http.MethodGet, sent[0].Method)
		assert.Equal(t, "/v3/example.com/whitelists?limit=2&term=a", sent[0].RequestURI)
		assert.Equal(t, "application/json", sent[0].Header.Get("Accept"))
		assert.Equal(t, "/v3/example.com/whitelists?page=next&address=test.example.com&limit=100&term=", sent[1].RequestURI)
	})

	t.Run("ListPage cursor", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usAllowlist, 200, []byte(`{"items":[],"paging":{}}`))
		cursor := "/v3/example.com/whitelists?page=next&address=test.example.com&limit=100&term="
		page, err := c.Allowlist.ListPage(ctx, "example.com", &mailgun.ListOptions{Cursor: cursor})
		require.NoError(t, err)
		assert.Equal(t, cursor, m.only(t).RequestURI)
		assert.Empty(t, page.Items)
		assert.Empty(t, page.Next)
	})

	t.Run("Get", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usAllowlist+"/qa%2Bbot%40example.com", 200, fixture(t, "examples/allowlist/get-v3-domain-whitelists-value.200.json"))
		_, err := c.Allowlist.Get(ctx, "example.com", "qa+bot@example.com")
		require.NoError(t, err)
		req := m.only(t)
		assert.Equal(t, http.MethodGet, req.Method)
		assert.Equal(t, "/v3/example.com/whitelists/qa%2Bbot%40example.com", req.RequestURI)
		assert.Empty(t, req.Body)
	})

	t.Run("AddAddress", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usAllowlist, 200, fixture(t, "examples/allowlist/post-v3-domain-whitelists.200.json"))
		require.NoError(t, c.Allowlist.AddAddress(ctx, "example.com", "alice@example.com", "QA mailbox"))
		req := m.only(t)
		assert.Equal(t, http.MethodPost, req.Method)
		assert.Equal(t, "/v3/example.com/whitelists", req.RequestURI)
		assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
		assert.Equal(t, "address=alice%40example.com&reason=QA+mailbox", string(req.Body))
		assert.Equal(t, suppressionFormOf(t, "examples/allowlist/post-v3-domain-whitelists.request-form-address.json").Encode(), string(req.Body))
	})

	t.Run("AddDomain", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usAllowlist, 200, fixture(t, "examples/allowlist/post-v3-domain-whitelists.200.json"))
		require.NoError(t, c.Allowlist.AddDomain(ctx, "example.com", "example.com", ""))
		req := m.only(t)
		assert.Equal(t, "/v3/example.com/whitelists", req.RequestURI)
		assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
		assert.Equal(t, "domain=example.com", string(req.Body), "only the domain field, no empty reason")
		assert.Equal(t, suppressionFormOf(t, "examples/allowlist/post-v3-domain-whitelists.request-form-domain.json").Encode(), string(req.Body))
	})

	t.Run("Import", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usAllowlist+"/import", 202, fixture(t, "examples/allowlist/post-v3-domain-whitelists-import.202.json"))
		csv := "address,domain\nalice@example.com,\n,test.example.com\n"
		require.NoError(t, c.Allowlist.Import(ctx, "example.com", strings.NewReader(csv)))
		req := m.only(t)
		assert.Equal(t, http.MethodPost, req.Method)
		assert.Equal(t, "/v3/example.com/whitelists/import", req.RequestURI)
		parts := suppressionMultipartFile(t, req)
		require.Len(t, parts, 1)
		assert.Equal(t, csv, parts["file:whitelists.csv"])
	})

	t.Run("Delete", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodDelete, usAllowlist+"/example.com", 200, fixture(t, "examples/allowlist/delete-v3-domain-whitelists-value.200.json"))
		require.NoError(t, c.Allowlist.Delete(ctx, "example.com", "example.com"))
		req := m.only(t)
		assert.Equal(t, http.MethodDelete, req.Method)
		assert.Equal(t, "/v3/example.com/whitelists/example.com", req.RequestURI)
	})

	t.Run("DeleteAll", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodDelete, usAllowlist, 200, fixture(t, "examples/allowlist/delete-v3-domain-whitelists.200.json"))
		require.NoError(t, c.Allowlist.DeleteAll(ctx, "example.com"))
		req := m.only(t)
		assert.Equal(t, http.MethodDelete, req.Method)
		assert.Equal(t, "/v3/example.com/whitelists", req.RequestURI)
	})
}

func TestAllowlistRequestExamples(t *testing.T) {
	k := contracttest.Load(t)
	for _, name := range []string{"post-v3-domain-whitelists.request-form-address.json", "post-v3-domain-whitelists.request-form-domain.json"} {
		form := suppressionFormOf(t, "examples/allowlist/"+name)
		require.NoError(t, k.CheckRequestExample(http.MethodPost, "/v3/example.com/whitelists", "application/x-www-form-urlencoded", []byte(form.Encode())), name)
	}
}

func TestAllowlistResponseExamples(t *testing.T) {
	ctx := context.Background()
	nobody := "/v3/example.com/whitelists/nobody.example"
	checkSuppressionExamples(t, "allowlist", []string{"post-v3-domain-whitelists.request-form-address.json", "post-v3-domain-whitelists.request-form-domain.json"}, []suppressionExample{
		{"get-v3-domain-whitelists.200.json", "GET", "/v3/example.com/whitelists", 200, func(c *mailgun.Client) (any, error) {
			p, err := c.Allowlist.ListPage(ctx, "example.com", nil)
			if err != nil {
				return nil, err
			}
			return mailgun.Page[mailgun.AllowlistEntry]{Items: inUTC(p.Items, func(e *mailgun.AllowlistEntry) *time.Time { return &e.CreatedAt }), Next: p.Next}, nil
		}, mailgun.Page[mailgun.AllowlistEntry]{
			Items: []mailgun.AllowlistEntry{
				{Value: "alice@example.com", Reason: "QA mailbox", Type: mailgun.AllowlistAddress, CreatedAt: time.Date(2011, 10, 21, 11, 2, 55, 0, time.UTC)},
				{Value: "test.example.com", Reason: "internal test domain", Type: mailgun.AllowlistDomain, CreatedAt: time.Date(2025, 12, 11, 1, 49, 40, 0, time.UTC)},
			},
			Next: "/v3/example.com/whitelists?page=next&address=test.example.com&limit=100&term=",
		}, nil},
		{"get-v3-domain-whitelists-value.200.json", "GET", "/v3/example.com/whitelists/alice%40example.com", 200, func(c *mailgun.Client) (any, error) {
			e, err := c.Allowlist.Get(ctx, "example.com", "alice@example.com")
			if err != nil {
				return nil, err
			}
			e.CreatedAt = e.CreatedAt.UTC() // GMT is UTC
			return e, nil
		}, &mailgun.AllowlistEntry{Value: "alice@example.com", Reason: "why the record was created", Type: mailgun.AllowlistAddress, CreatedAt: time.Date(2011, 10, 21, 11, 2, 55, 0, time.UTC)}, nil},
		{"get-v3-domain-whitelists-value.404.json", "GET", nobody, 404, func(c *mailgun.Client) (any, error) {
			return c.Allowlist.Get(ctx, "example.com", "nobody.example")
		}, nil, mailgun.ErrNotFound},
		{"post-v3-domain-whitelists.200.json", "POST", "/v3/example.com/whitelists", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Allowlist.AddDomain(ctx, "example.com", "example.com", ""))
		}, nil, nil},
		{"post-v3-domain-whitelists.400.json", "POST", "/v3/example.com/whitelists", 400, func(c *mailgun.Client) (any, error) {
			return noValue(c.Allowlist.AddAddress(ctx, "example.com", "alice@example.com", ""))
		}, nil, mailgun.ErrBadRequest},
		{"post-v3-domain-whitelists-import.202.json", "POST", "/v3/example.com/whitelists/import", 202, func(c *mailgun.Client) (any, error) {
			return noValue(c.Allowlist.Import(ctx, "example.com", strings.NewReader("address,domain\n,example.com\n")))
		}, nil, nil},
		{"delete-v3-domain-whitelists-value.200.json", "DELETE", "/v3/example.com/whitelists/example.com", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Allowlist.Delete(ctx, "example.com", "example.com"))
		}, nil, nil},
		{"delete-v3-domain-whitelists-value.404.json", "DELETE", nobody, 404, func(c *mailgun.Client) (any, error) {
			return noValue(c.Allowlist.Delete(ctx, "example.com", "nobody.example"))
		}, nil, mailgun.ErrNotFound},
		{"delete-v3-domain-whitelists.200.json", "DELETE", "/v3/example.com/whitelists", 200, func(c *mailgun.Client) (any, error) {
			return noValue(c.Allowlist.DeleteAll(ctx, "example.com"))
		}, nil, nil},
	})
}

func TestAllowlistEntryDecode(t *testing.T) {
	var e mailgun.AllowlistEntry
	require.NoError(t, json.Unmarshal([]byte(`{"value":"x.io","reason":"","type":"domain","createdAt":"2025-12-11T01:49:40.5Z"}`), &e))
	assert.Equal(t, time.Date(2025, 12, 11, 1, 49, 40, 5e8, time.UTC), e.CreatedAt, "the ISO 8601 form of the JS SDK's fixture")
	require.NoError(t, json.Unmarshal([]byte(`{"value":"x.io","createdAt":null}`), &e))
	assert.True(t, e.CreatedAt.IsZero())
	// A date that does not parse is dropped, not fatal; a non-object is an error.
	require.NoError(t, json.Unmarshal([]byte(`{"value":"x.io","createdAt":"soon"}`), &e))
	assert.Equal(t, mailgun.AllowlistEntry{Value: "x.io"}, e)
	assert.Error(t, json.Unmarshal([]byte(`["x.io"]`), &e))
	// created_at is the bounce spelling; the allowlist uses createdAt.
	require.NoError(t, json.Unmarshal([]byte(`{"created_at":"Thu, 11 Dec 2025 01:49:40 UTC"}`), &e))
	assert.True(t, e.CreatedAt.IsZero())
}

func FuzzAllowlistEntryDecode(f *testing.F) {
	for _, seed := range []string{
		`{"value":"alice@example.com","reason":"QA","type":"address","createdAt":"Fri, 21 Oct 2011 11:02:55 GMT"}`,
		`{"value":"x.io","type":"domain","createdAt":"Thu, 1 Dec 2025 01:49:40 +0000"}`,
		`{"createdAt":"2025-12-11T01:49:40Z"}`,
		`{"createdAt":null}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var e mailgun.AllowlistEntry
		if json.Unmarshal(data, &e) != nil {
			return
		}
		enc, err := json.Marshal(e)
		if err != nil {
			return
		}
		var back mailgun.AllowlistEntry
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatalf("decoding %s: %v", enc, err)
		}
		if !back.CreatedAt.Equal(e.CreatedAt) || back.Value != e.Value || back.Reason != e.Reason || back.Type != e.Type {
			t.Fatalf("%+v became %+v", e, back)
		}
	})
}

func TestAllowlistInvalidArguments(t *testing.T) {
	ctx := context.Background()
	c, m := newMockClient(t)
	list := func(domain string, opts *mailgun.ListOptions) error {
		for _, err := range c.Allowlist.List(ctx, domain, opts) {
			return err
		}
		return errors.New("no error yielded")
	}
	page := func(domain string, opts *mailgun.ListOptions) error {
		_, err := c.Allowlist.ListPage(ctx, domain, opts)
		return err
	}
	get := func(domain, value string) error {
		_, err := c.Allowlist.Get(ctx, domain, value)
		return err
	}
	for name, err := range map[string]error{
		"List empty domain":         list("", nil),
		"List limit too big":        list("example.com", &mailgun.ListOptions{Limit: 1001}),
		"List bounce cursor":        list("example.com", &mailgun.ListOptions{Cursor: "/v3/example.com/bounces?page=next&address=a"}),
		"ListPage limit negative":   page("example.com", &mailgun.ListOptions{Limit: -5}),
		"ListPage malformed cursor": page("example.com", &mailgun.ListOptions{Cursor: "page=next"}),
		"Get empty domain":          get("", "alice@example.com"),
		"Get empty value":           get("example.com", ""),
		"AddAddress empty domain":   c.Allowlist.AddAddress(ctx, "", "alice@example.com", ""),
		"AddAddress empty address":  c.Allowlist.AddAddress(ctx, "example.com", "", "r"),
		"AddAddress without @":      c.Allowlist.AddAddress(ctx, "example.com", "example.org", ""),
		"AddDomain empty domain":    c.Allowlist.AddDomain(ctx, "", "example.org", ""),
		"AddDomain empty name":      c.Allowlist.AddDomain(ctx, "example.com", " ", ""),
		"AddDomain name is address": c.Allowlist.AddDomain(ctx, "example.com", "alice@example.org", ""),
		"Import empty domain":       c.Allowlist.Import(ctx, "", strings.NewReader("address,domain\n")),
		"Import nil reader":         c.Allowlist.Import(ctx, "example.com", nil),
		"Delete empty domain":       c.Allowlist.Delete(ctx, "", "example.org"),
		"Delete empty value":        c.Allowlist.Delete(ctx, "example.com", ""),
		"DeleteAll empty domain":    c.Allowlist.DeleteAll(ctx, "\t"),
		"ListPage limit huge":       page("example.com", &mailgun.ListOptions{Limit: 1 << 40}),
	} {
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, name)
	}
	assert.Empty(t, m.sent(), "nothing is sent on bad input")
}

func TestAllowlistTruncatedResponse(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodGet, usAllowlist+"/example.org", 200, []byte(`{"value":"exam`))
	_, err := c.Allowlist.Get(context.Background(), "example.com", "example.org")
	require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
}

func TestAllowlistFakeRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	for _, tc := range []struct{ value, escaped string }{
		{"qa+bot@example.com", "qa%2Bbot%40example.com"},
		{"a/b@example.com", "a%2Fb%40example.com"},
		{"50%off@example.com", "50%25off%40example.com"},
		{"first last@example.com", "first%20last%40example.com"},
		{"zoë@exämple.com", "zo%C3%AB%40ex%C3%A4mple.com"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			srv.ResetRequests()
			require.NoError(t, c.Allowlist.AddAddress(ctx, "example.com", tc.value, "test mailbox"))
			e, err := c.Allowlist.Get(ctx, "example.com", tc.value)
			require.NoError(t, err)
			assert.Equal(t, mailgun.AllowlistEntry{Value: tc.value, Reason: "test mailbox", Type: mailgun.AllowlistAddress, CreatedAt: e.CreatedAt}, *e)
			assert.False(t, e.CreatedAt.IsZero())
			require.NoError(t, c.Allowlist.Delete(ctx, "example.com", tc.value))
			_, err = c.Allowlist.Get(ctx, "example.com", tc.value)
			require.ErrorIs(t, err, mailgun.ErrNotFound)

			var paths []string
			for _, r := range srv.Requests() {
				if r.Method != http.MethodPost {
					paths = append(paths, r.Method+" "+r.Path)
				}
			}
			want := "/v3/example.com/whitelists/" + tc.escaped
			assert.Equal(t, []string{"GET " + want, "DELETE " + want, "GET " + want}, paths)
		})
	}
}

func TestAllowlistFakeBehaviour(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	const domain = "example.com"

	require.NoError(t, c.Allowlist.AddDomain(ctx, domain, "test.example.org", "internal"))
	require.NoError(t, c.Allowlist.AddAddress(ctx, domain, "qa@example.net", ""))
	e, err := c.Allowlist.Get(ctx, domain, "test.example.org")
	require.NoError(t, err)
	assert.Equal(t, mailgun.AllowlistDomain, e.Type)
	assert.Equal(t, "internal", e.Reason)
	assert.True(t, srv.Allowlisted(domain, "anyone@test.example.org"))
	assert.True(t, srv.Allowlisted(domain, "qa@example.net"))
	assert.False(t, srv.Allowlisted(domain, "other@example.net"))
	assert.False(t, srv.Allowlisted("other.example", "qa@example.net"), "lists are per domain")

	// Adding again replaces the entry; deleting and adding again shows it again.
	require.NoError(t, c.Allowlist.AddAddress(ctx, domain, "qa@example.net", "new reason"))
	require.NoError(t, c.Allowlist.Delete(ctx, domain, "qa@example.net"))
	require.ErrorIs(t, c.Allowlist.Delete(ctx, domain, "qa@example.net"), mailgun.ErrNotFound)
	require.NoError(t, c.Allowlist.AddAddress(ctx, domain, "qa@example.net", "back"))
	e, err = c.Allowlist.Get(ctx, domain, "qa@example.net")
	require.NoError(t, err)
	assert.Equal(t, "back", e.Reason)

	// Paging over seeded entries, by value.
	for i := range 7 {
		srv.AddAllowlist(domain, mailgun.AllowlistEntry{Value: fmt.Sprintf("host%d.example", i)})
	}
	var values []string
	var pages int
	opts := &mailgun.ListOptions{Limit: 3, Term: "host"}
	for {
		page, err := c.Allowlist.ListPage(ctx, domain, opts)
		require.NoError(t, err)
		pages++
		for _, e := range page.Items {
			values = append(values, e.Value)
			assert.Equal(t, mailgun.AllowlistDomain, e.Type, "seeded without a type: inferred")
		}
		if page.Next == "" {
			break
		}
		opts = &mailgun.ListOptions{Cursor: page.Next}
	}
	assert.Equal(t, 4, pages, "3 + 3 + 1, then the empty last page")
	assert.Equal(t, []string{"host0.example", "host1.example", "host2.example", "host3.example", "host4.example", "host5.example", "host6.example"}, values)

	n := 0
	for _, err := range c.Allowlist.List(ctx, domain, nil) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 9, n)

	require.NoError(t, c.Allowlist.DeleteAll(ctx, domain))
	assert.Empty(t, srv.Allowlist(domain))
}

func TestAllowlistFakeImport(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	csv := "address,domain\n" +
		"alice@example.com,\n" +
		",test.example.com\n" +
		"both@example.com,example.org\n" + // both columns: skipped
		",\n" +
		"no-at-sign,\n"
	require.NoError(t, c.Allowlist.Import(ctx, "example.com", strings.NewReader(csv)))
	got := srv.Allowlist("example.com")
	require.Len(t, got, 2)
	assert.Equal(t, "alice@example.com", got[0].Value)
	assert.Equal(t, mailgun.AllowlistAddress, got[0].Type)
	assert.Equal(t, "test.example.com", got[1].Value)
	assert.Equal(t, mailgun.AllowlistDomain, got[1].Type)

	err := c.Allowlist.Import(ctx, "example.com", strings.NewReader("value\nalice@example.com\n"))
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "while reading csv header", apiErr.Message)
}

func TestAllowlistFakeMissingField(t *testing.T) {
	srv, c := newFake(t)
	// The contract forbids this request, so it goes through a plain client.
	err := srv.Client().Do(context.Background(), http.MethodPost, "/v3/example.com/whitelists", url.Values{"reason": {"x"}}, nil)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "Missing mandatory parameter: address/domain", apiErr.Message)

	// When both are sent, the address wins, as on the real API.
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/v3/example.com/whitelists",
		url.Values{"address": {"a@example.org"}, "domain": {"example.org"}}, nil))
	got := srv.Allowlist("example.com")
	require.Len(t, got, 1)
	assert.Equal(t, "a@example.org", got[0].Value)
}
