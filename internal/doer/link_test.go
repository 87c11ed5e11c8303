package doer

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLinkTargetRegionTrustsOnlyMailgunHosts(t *testing.T) {
	for _, base := range []string{"https://api.mailgun.net", "https://api.eu.mailgun.net"} {
		d := New(Config{BaseURL: base, HTTPClient: &http.Client{}, MailgunLinks: true})
		ok := map[string]string{
			"https://storage-us-east4.api.mailgun.net/v3/domains/example.com/messages/AwAB": "https://storage-us-east4.api.mailgun.net/v3/domains/example.com/messages/AwAB",
			"https://api.mailgun.net/v3/domains/example.com/messages/AwAB":                  "https://api.mailgun.net/v3/domains/example.com/messages/AwAB",
			"https://a.b.api.mailgun.net/v3/domains/d/messages/k":                           "https://a.b.api.mailgun.net/v3/domains/d/messages/k",
			"HTTPS://Storage.API.Mailgun.NET/v3/domains/d/messages/k?x=1":                   "https://storage.api.mailgun.net/v3/domains/d/messages/k?x=1",
			// EU events name storage hosts under the US API host, and under eu.mailgun.net.
			"https://storage-europe-west1.api.mailgun.net/v3/domains/d/messages/k": "https://storage-europe-west1.api.mailgun.net/v3/domains/d/messages/k",
			"https://storage.eu.mailgun.net/v3/domains/d/messages/k":               "https://storage.eu.mailgun.net/v3/domains/d/messages/k",
			"https://storage-x1.mailgun.net/v3/domains/d/messages/k":               "https://storage-x1.mailgun.net/v3/domains/d/messages/k",
			"https://api.eu.mailgun.net/v3/domains/d/messages/k":                   "https://api.eu.mailgun.net/v3/domains/d/messages/k",
			"https://se.api.eu.mailgun.net/v3/domains/d/messages/k":                "https://se.api.eu.mailgun.net/v3/domains/d/messages/k",
		}
		for link, want := range ok {
			got, path, err := d.LinkTarget(link)
			require.NoError(t, err, link)
			assert.Equal(t, want, got)
			assert.Contains(t, want, path)
		}
		for _, link := range []string{
			"https://evil.example.com/v3/domains/d/messages/k",
			"https://evilapi.mailgun.net/v3/domains/d/messages/k",
			"https://api.mailgun.net.evil.com/v3/domains/d/messages/k",
			"https://mailgun.net/v3/domains/d/messages/k",        // not an API or storage host
			"https://status.mailgun.net/v3/domains/d/messages/k", // maybe served by a third party
			"https://help.eu.mailgun.net/v3/domains/d/messages/k",
			"https://storage.evil.mailgun.net/v3/domains/d/messages/k", // storage only directly under a zone
			"https://storagex.mailgun.net/v3/domains/d/messages/k",
			"https://storage-a_b.mailgun.net/v3/domains/d/messages/k",
			"https://storage.mailgun.com/v3/domains/d/messages/k",
			"https://storage.api.mailgun.net./v3/domains/d/messages/k",
			"https://a..api.mailgun.net/v3/domains/d/messages/k",
			"https://a_b.api.mailgun.net/v3/domains/d/messages/k",
			"http://storage.api.mailgun.net/v3/domains/d/messages/k",      // not TLS
			"https://storage.api.mailgun.net:443/v3/domains/d/messages/k", // a port
			"https://storage.eu.mailgun.net:8443/v3/domains/d/messages/k",
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

	trusting := rec.doer(func(c *Config) { c.MailgunLinks = true })
	r = Request{Method: http.MethodGet, Link: "https://evil.example.com/v3/domains/d/messages/k"}
	err := trusting.Do(context.Background(), &r, nil)
	assert.ErrorIs(t, err, errInvalid)
	assert.Len(t, rec.requests(), 1, "nothing sent")
}
