package mailguntest_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// domainAnswer is the part of a domain answer these tests read.
type domainAnswer struct {
	Domain struct {
		ID    string `json:"id"`
		Name  string `json:"name"`
		State string `json:"state"`
	} `json:"domain"`
	Sending []struct {
		Type  string `json:"record_type"`
		Name  string `json:"name"`
		Value string `json:"value"`
		Valid string `json:"valid"`
	} `json:"sending_dns_records"`
}

func decodeDomain(t *testing.T, r response) domainAnswer {
	t.Helper()
	var a domainAnswer
	require.NoError(t, json.Unmarshal(r.body, &a), string(r.body))
	return a
}

func TestDomainsDKIMRecords(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.AddDomains(mailgun.Domain{Name: "example.com"})

	// Multipart, as Mailgun documents it; automatic sender security
	// publishes two CNAMEs under the root domain.
	ct, body := multipartForm(t, url.Values{"name": {"mg.example.com"}, "use_automatic_sender_security": {"true"}, "force_root_dkim_host": {"true"}})
	r := send(t, srv, "POST", "/v4/domains", ct, body)
	require.Equal(t, 200, r.status, string(r.body))
	checkContract(t, "POST", "/v4/domains", r)
	a := decodeDomain(t, r)
	require.Len(t, a.Sending, 4)
	assert.Equal(t, "pdk1._domainkey.example.com", a.Sending[1].Name)
	assert.Equal(t, "pdk1._domainkey."+a.Domain.ID+".service.mailgun.com", a.Sending[1].Value)
	assert.Equal(t, "pdk2._domainkey.example.com", a.Sending[2].Name)

	// Turning it off brings the TXT key back, not yet verified.
	r = send(t, srv, "PUT", "/v4/domains/mg.example.com", form, []byte("use_automatic_sender_security=false"))
	require.Equal(t, 200, r.status, string(r.body))
	a = decodeDomain(t, r)
	require.Len(t, a.Sending, 3)
	assert.Equal(t, "TXT", a.Sending[1].Type)
	assert.Equal(t, "smtp._domainkey.example.com", a.Sending[1].Name)
	assert.Equal(t, "unknown", a.Sending[1].Valid)

	// An explicit DKIM host and selector, and a 2048-bit key.
	r = send(t, srv, "POST", "/v4/domains", form, []byte("name=news.example.org&dkim_host_name=example.org&dkim_selector=s2&dkim_key_size=2048"))
	require.Equal(t, 200, r.status, string(r.body))
	long := decodeDomain(t, r).Sending[1]
	assert.Equal(t, "s2._domainkey.example.org", long.Name)
	assert.Greater(t, len(long.Value), len(a.Sending[1].Value), "a 2048-bit key is longer")
	assert.True(t, strings.HasPrefix(long.Value, "k=rsa; p="))
}

func TestDomainsUpdateForm(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.AddDomains(mailgun.Domain{Name: "mg.example.com", State: mailgun.DomainStateActive})
	for _, tt := range []struct {
		path, body string
		status     int
	}{
		{"/v4/domains/mg.example.com", "", 400},
		{"/v4/domains/mg.example.com", "unknown_field=1", 400},
		{"/v4/domains/mg.example.com", "mailfrom_host=Bounce.mg.example.com", 400},
		{"/v4/domains/mg.example.com", "web_scheme=ftp", 400},
		{"/v4/domains/mg.example.com", "message_ttl=-5", 400},
		{"/v4/domains/mg.example.com", "smtp_password=abc", 400},
		{"/v4/domains/nope.example.com", "wildcard=true", 404},
		{"/v4/domains/mg.example.com", "mailfrom_host=bounce.mg.example.com&smtp_password=abcdef", 200},
	} {
		r := send(t, srv, "PUT", tt.path, form, []byte(tt.body))
		assert.Equal(t, tt.status, r.status, "%s %s: %s", tt.path, tt.body, r.body)
	}
	d, ok := srv.Domain("mg.example.com")
	require.True(t, ok)
	assert.Equal(t, mailgun.DomainStateActive, d.Domain.State, "updates keep the state")
	assert.True(t, d.Verified())
	assert.NotContains(t, string(send(t, srv, "GET", "/v4/domains/mg.example.com", "", nil).body), "abcdef", "the password is never shown")
}

func TestDomainsListParameters(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.AddDomains(mailgun.Domain{Name: "a.example.com"}, mailgun.Domain{Name: "b.example.com"})
	r := send(t, srv, "GET", "/v4/domains?include_subaccounts=true&limit=1&skip=1&sort=name", "", nil)
	require.Equal(t, 200, r.status)
	checkContract(t, "GET", "/v4/domains", r)
	assert.JSONEq(t, `2`, string(mustField(t, r.body, "total_count")))
	assert.Contains(t, string(r.body), `"b.example.com"`)
	for _, q := range []string{"limit=0", "limit=1001", "skip=-1", "skip=x", "state=gone", "sort=id"} {
		assert.Equal(t, 400, send(t, srv, "GET", "/v4/domains?"+q, "", nil).status, q)
	}
}

func mustField(t *testing.T, body []byte, key string) json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &m))
	return m[key]
}
