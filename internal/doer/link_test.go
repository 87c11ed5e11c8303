package doer

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinkTargetRegionTrustsOnlyItsSubdomains(t *testing.T) {
	d := New(Config{BaseURL: "https://api.mailgun.net", HTTPClient: &http.Client{}, TrustSubdomains: true})
	ok := map[string]string{
		"https://storage-us-east4.api.mailgun.net/v3/domains/example.com/messages/AwAB": "https://storage-us-east4.api.mailgun.net/v3/domains/example.com/messages/AwAB",
		"https://api.mailgun.net/v3/domains/example.com/messages/AwAB":                  "https://api.mailgun.net/v3/domains/example.com/messages/AwAB",
		"https://a.b.api.mailgun.net/v3/domains/d/messages/k":                           "https://a.b.api.mailgun.net/v3/domains/d/messages/k",
		"HTTPS://Storage.API.Mailgun.NET/v3/domains/d/messages/k?x=1":                   "https://storage.api.mailgun.net/v3/domains/d/messages/k?x=1",
		"https://storage.api.mailgun.net:443/v3/domains/d/messages/k":                   "", // a port the base does not name
	}
	for link, want := range ok {
		got, path, err := d.LinkTarget(link)
		if want == "" {
			assert.Error(t, err, link)
			continue
		}
		require.NoError(t, err, link)
		assert.Equal(t, want, got)
		assert.Contains(t, want, path)
	}
	for _, link := range []string{
		"https://evil.example.com/v3/domains/d/messages/k",
		"https://evilapi.mailgun.net/v3/domains/d/messages/k",
		"https://api.mailgun.net.evil.com/v3/domains/d/messages/k",
		"https://api.eu.mailgun.net/v3/domains/d/messages/k", // another region
		"https://storage.api.mailgun.net./v3/domains/d/messages/k",
		"https://a..api.mailgun.net/v3/domains/d/messages/k",
		"https://a_b.api.mailgun.net/v3/domains/d/messages/k",
		"http://storage.api.mailgun.net/v3/domains/d/messages/k", // not TLS
		"https://user:pw@storage.api.mailgun.net/v3/domains/d/messages/k",
		"https://storage.api.mailgun.net/domains/d/messages/k", // no version
		"https://storage.api.mailgun.net/v3/domains/../messages/k",
		"/v3/domains/d/messages/k", // not absolute
		"::",
	} {
		_, _, err := d.LinkTarget(link)
		assert.Error(t, err, link)
	}
}

func TestLinkTargetCustomBaseRebasesEveryHost(t *testing.T) {
	d := New(Config{BaseURL: "http://127.0.0.1:8080/prefix", HTTPClient: &http.Client{}})
	for link, want := range map[string]string{
		"https://storage-us-east4.api.mailgun.net/v3/domains/d/messages/k": "http://127.0.0.1:8080/prefix/v3/domains/d/messages/k",
		"https://evil.example.com/x/v3/domains/d/messages/k%2B1":           "http://127.0.0.1:8080/prefix/v3/domains/d/messages/k%2B1",
	} {
		got, path, err := d.LinkTarget(link)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		assert.Equal(t, want[len("http://127.0.0.1:8080/prefix"):], path)
	}
	_, _, err := d.LinkTarget("https://evil.example.com/v3/domains/%2e%2e/messages/k")
	assert.Error(t, err)
}

func TestRequestLinkIsSentWithCredentialsOnlyWhereAllowed(t *testing.T) {
	rec := newRecorder(t, nil)
	d := rec.doer()
	r := Request{Method: http.MethodGet, Link: "https://storage.api.mailgun.net/v3/domains/d/messages/k"}
	require.NoError(t, d.Do(context.Background(), &r, nil))
	reqs := rec.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v3/domains/d/messages/k", reqs[0].RequestURI, "rebased onto the base URL")

	trusting := rec.doer(func(c *Config) { c.TrustSubdomains = true })
	r = Request{Method: http.MethodGet, Link: "https://evil.example.com/v3/domains/d/messages/k"}
	err := trusting.Do(context.Background(), &r, nil)
	assert.ErrorIs(t, err, errInvalid)
	assert.Len(t, rec.requests(), 1, "nothing sent")
}
