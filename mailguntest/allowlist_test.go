package mailguntest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestAllowlistPagingLinks(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.AddAllowlist("example.com",
		mailgun.AllowlistEntry{Value: "alice@example.com"},
		mailgun.AllowlistEntry{Value: "test.example.com"},
		mailgun.AllowlistEntry{Value: "zed@example.com"})
	base := srv.URL() + "/v3/example.com/whitelists"

	p, keys := suppGetPage(t, srv, "/v3/example.com/whitelists?limit=2")
	assert.Equal(t, []string{"alice@example.com", "test.example.com"}, keys)
	assert.Equal(t, base+"?limit=2&term=", p.Paging.First)
	assert.Equal(t, base+"?page=last&limit=2&term=", p.Paging.Last)
	assert.Equal(t, base+"?page=next&address=test.example.com&limit=2&term=", p.Paging.Next)
	assert.Equal(t, base+"?page=previous&address=alice%40example.com&limit=2&term=", p.Paging.Previous)

	p, keys = suppGetPage(t, srv, strings.TrimPrefix(p.Paging.Next, srv.URL()))
	assert.Equal(t, []string{"zed@example.com"}, keys)
	p, keys = suppGetPage(t, srv, strings.TrimPrefix(p.Paging.Next, srv.URL()))
	assert.Empty(t, keys)
	assert.JSONEq(t, `[]`, string(p.Items))

	// The cursor entry was removed since: the page past it has items null.
	status, _ := suppCall(t, srv, http.MethodDelete, "/v3/example.com/whitelists/zed%40example.com", "", nil)
	require.Equal(t, http.StatusOK, status)
	p, _ = suppGetPage(t, srv, "/v3/example.com/whitelists?page=next&address=zed%40example.com&limit=2&term=")
	assert.Equal(t, "null", string(p.Items))
}

func TestAllowlistAnswers(t *testing.T) {
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return time.Date(2011, 10, 21, 11, 2, 55, 0, time.UTC) }))
	const form = "application/x-www-form-urlencoded"

	status, body := suppCall(t, srv, http.MethodPost, "/v3/example.com/whitelists", form, strings.NewReader("domain=example.com"))
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Address/Domain has been added to the allowlists table","type":"domain","value":"example.com"}`, string(body))

	status, body = suppCall(t, srv, http.MethodPost, "/v3/example.com/whitelists", form, strings.NewReader("address=alice%40example.com&reason=QA+mailbox"))
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Address/Domain has been added to the allowlists table","type":"address","value":"alice@example.com"}`, string(body))

	status, body = suppCall(t, srv, http.MethodGet, "/v3/example.com/whitelists/alice%40example.com", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"value":"alice@example.com","reason":"QA mailbox","type":"address","createdAt":"Fri, 21 Oct 2011 11:02:55 UTC"}`, string(body))

	for name, body := range map[string]string{
		"neither field":       "reason=x",
		"empty fields":        "address=&domain=",
		"address without @":   "address=alice",
		"domain with @":       "domain=a%40b.c",
		"domain only a space": "domain=+",
	} {
		status, resp := suppCall(t, srv, http.MethodPost, "/v3/example.com/whitelists", form, strings.NewReader(body))
		assert.Equal(t, http.StatusBadRequest, status, name)
		assert.Contains(t, string(resp), `"message"`, name)
	}
	status, body = suppCall(t, srv, http.MethodPost, "/v3/example.com/whitelists", "application/json", strings.NewReader(`[{"address":"a@b.c"}]`))
	assert.Equal(t, http.StatusBadRequest, status, "no JSON batches on the allowlist")
	assert.JSONEq(t, `{"message":"Missing mandatory parameter: address/domain"}`, string(body))

	status, body = suppCall(t, srv, http.MethodDelete, "/v3/example.com/whitelists/example.com", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Allowlist address/domain has been removed","value":"example.com"}`, string(body))
	status, body = suppCall(t, srv, http.MethodGet, "/v3/example.com/whitelists/example.com", "", nil)
	assert.Equal(t, http.StatusNotFound, status)
	assert.JSONEq(t, `{"message":"Address/Domain not found in allowlist table"}`, string(body))
	status, _ = suppCall(t, srv, http.MethodDelete, "/v3/example.com/whitelists/example.com", "", nil)
	assert.Equal(t, http.StatusNotFound, status)

	status, body = suppCall(t, srv, http.MethodDelete, "/v3/example.com/whitelists", "", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.JSONEq(t, `{"message":"Allowlist addresses/domains for this domain have been removed"}`, string(body))
	assert.Empty(t, srv.Allowlist("example.com"))
}

func TestAllowlistImportCSV(t *testing.T) {
	srv := mailguntest.NewServer(t)
	ctype, body := suppMultipart(t, "address,domain\nalice@example.com,\n,test.example.com\nboth@example.com,example.org\n,\nnot-an-address,\n,bad@domain\n")
	status, resp := suppCall(t, srv, http.MethodPost, "/v3/example.com/whitelists/import", ctype, body)
	assert.Equal(t, http.StatusAccepted, status)
	assert.JSONEq(t, `{"message":"file uploaded successfully for processing. standby..."}`, string(resp))
	got := srv.Allowlist("example.com")
	require.Len(t, got, 2)
	assert.Equal(t, "alice@example.com", got[0].Value)
	assert.Equal(t, mailgun.AllowlistAddress, got[0].Type)
	assert.Equal(t, "test.example.com", got[1].Value)
	assert.Equal(t, mailgun.AllowlistDomain, got[1].Type)

	// One column is enough; a column of another list is not.
	ctype, body = suppMultipart(t, "domain\nexample.net\n")
	status, _ = suppCall(t, srv, http.MethodPost, "/v3/example.com/whitelists/import", ctype, body)
	assert.Equal(t, http.StatusAccepted, status)
	assert.Len(t, srv.Allowlist("example.com"), 3)
	ctype, body = suppMultipart(t, "address,code\nalice@example.com,550\n")
	status, resp = suppCall(t, srv, http.MethodPost, "/v3/example.com/whitelists/import", ctype, body)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.JSONEq(t, `{"message":"while reading csv header"}`, string(resp))
}

func TestAllowlistSeedingAndInspection(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return now }))
	srv.AddAllowlist("example.com",
		mailgun.AllowlistEntry{Value: "qa@example.org", Reason: "QA"},
		mailgun.AllowlistEntry{Value: "internal.example", Type: mailgun.AllowlistDomain, CreatedAt: now.Add(-time.Hour)})
	assert.Equal(t, []mailgun.AllowlistEntry{
		{Value: "internal.example", Type: mailgun.AllowlistDomain, CreatedAt: now.Add(-time.Hour)},
		{Value: "qa@example.org", Reason: "QA", Type: mailgun.AllowlistAddress, CreatedAt: now},
	}, srv.Allowlist("example.com"))
	assert.Empty(t, srv.Allowlist("other.example"))

	assert.True(t, srv.Allowlisted("example.com", "qa@example.org"))
	assert.True(t, srv.Allowlisted("example.com", "anyone@internal.example"), "through its domain")
	assert.False(t, srv.Allowlisted("example.com", "qa@internal.example.org"))
	assert.False(t, srv.Allowlisted("example.com", "internal.example"), "a domain is not an address")
	assert.False(t, srv.Allowlisted("other.example", "qa@example.org"))
}

// TestAllowlistIgnoresCase: mail domains, and the fake's other
// suppression lookups, ignore letter case, so an allowlisted domain
// protects Bob@Partner.Example from the bounce list, and Allowlisted
// answers for any case of an address or a domain.
func TestAllowlistIgnoresCase(t *testing.T) {
	l := newLifecycle(t)
	l.srv.AddAllowlist(domain, mailgun.AllowlistEntry{Value: "partner.example", Type: mailgun.AllowlistDomain},
		mailgun.AllowlistEntry{Value: "Ann@Example.org"})
	l.srv.SetRecipientRule("*@partner.example", mailguntest.RecipientRule{Bounce: true})
	_, events := l.sendAndDeliver(t, basic("Bob@Partner.Example"))
	require.Equal(t, []string{"accepted", "failed/permanent"}, names(events))
	assert.True(t, l.srv.Allowlisted(domain, "bob@PARTNER.example"))
	assert.Empty(t, l.srv.Bounces(domain), "an allowlisted domain's bounce is not stored")

	assert.True(t, l.srv.Allowlisted(domain, "ann@example.ORG"), "an allowlisted address, in another case")
	assert.False(t, l.srv.Allowlisted(domain, "ann@example.net"))
}
