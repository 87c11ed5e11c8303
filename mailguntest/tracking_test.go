package mailguntest_test

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestTrackingForms(t *testing.T) {
	srv := mailguntest.NewServer(t)

	ct, body := multipartForm(t, url.Values{"active": {"yes"}, "place_at_the_top": {"TRUE"}})
	r := send(t, srv, "PUT", "/v3/domains/example.com/tracking/open", ct, body)
	require.Equal(t, 200, r.status, string(r.body))
	checkContract(t, "PUT", "/v3/domains/example.com/tracking/open", r)
	assert.JSONEq(t, `{"message":"Domain tracking settings have been updated","open":{"active":true,"place_at_the_top":true}}`, string(r.body))

	r = send(t, srv, "PUT", "/v3/domains/example.com/tracking/click", form, []byte("active=HTMLONLY"))
	require.Equal(t, 200, r.status)
	checkContract(t, "PUT", "/v3/domains/example.com/tracking/click", r)
	assert.JSONEq(t, `{"message":"Domain tracking settings have been updated","click":{"active":"htmlonly"}}`, string(r.body))

	r = send(t, srv, "PUT", "/v3/domains/example.com/tracking/click", form, []byte("active=no"))
	require.Equal(t, 200, r.status)
	assert.JSONEq(t, `{"message":"Domain tracking settings have been updated","click":{"active":false}}`, string(r.body))

	// An empty form changes nothing and answers the current state.
	r = send(t, srv, "PUT", "/v3/domains/example.com/tracking/open", form, nil)
	require.Equal(t, 200, r.status)
	assert.JSONEq(t, `{"message":"Domain tracking settings have been updated","open":{"active":true,"place_at_the_top":true}}`, string(r.body))

	for _, tt := range []struct{ path, body string }{
		{"/v3/domains/example.com/tracking/open", "active=maybe"},
		{"/v3/domains/example.com/tracking/click", "active=sometimes"},
		{"/v3/domains/example.com/tracking/unsubscribe", "active=1&html_footer=x"},
	} {
		r := send(t, srv, "PUT", tt.path, form, []byte(tt.body))
		assert.Equal(t, 400, r.status, tt.body)
		assert.Contains(t, string(r.body), `"message"`)
	}
	assert.Equal(t, mailgun.UnsubscribeTracking{
		HTMLFooter: "\n<br>\n<p><a href=\"%unsubscribe_url%\">unsubscribe</a></p>\n",
		TextFooter: "\n\nTo unsubscribe click: <%unsubscribe_url%>\n\n",
	}, srv.TrackingSettings("example.com").Unsubscribe, "a rejected update changes nothing")

	r = send(t, srv, "PUT", "/v3/domains/example.com/tracking/bogus", form, []byte("active=true"))
	assert.Equal(t, 404, r.status)

	r = send(t, srv, "GET", "/v3/domains/localhost/tracking", "", nil)
	assert.Equal(t, 404, r.status)
	assert.JSONEq(t, `{"message":"Domain not found"}`, string(r.body))
	checkContract(t, "GET", "/v3/domains/localhost/tracking", r)
}

func TestTrackingSeeding(t *testing.T) {
	srv := mailguntest.NewServer(t)
	srv.SetTrackingSettings("Example.com", mailgun.TrackingSettings{WebScheme: "https", Open: mailgun.OpenTracking{Active: true}})
	got := srv.TrackingSettings("example.com")
	assert.Equal(t, "https", got.WebScheme)
	assert.True(t, got.Open.Active)
	assert.Equal(t, mailgun.ClickTrackingOff, got.Click.Active, "an unset click mode is stored as off")

	r := send(t, srv, "GET", "/v3/domains/example.com/tracking", "", nil)
	require.Equal(t, 200, r.status)
	checkContract(t, "GET", "/v3/domains/example.com/tracking", r)
	assert.JSONEq(t, `{"tracking":{"open":{"active":true,"place_at_the_top":false},"click":{"active":false},
		"unsubscribe":{"active":false,"html_footer":"","text_footer":""},"web_scheme":"https"}}`, string(r.body))
}

func TestCertificateLifecycle(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return now }))
	const host = "email.example.com"

	r := send(t, srv, "GET", "/v2/x509/"+host+"/status", "", nil)
	assert.Equal(t, 404, r.status)
	checkContract(t, "GET", "/v2/x509/"+host+"/status", r)
	_, ok := srv.Certificate(host)
	assert.False(t, ok)

	r = send(t, srv, "POST", "/v2/x509/"+host, "", nil)
	require.Equal(t, 202, r.status)
	checkContract(t, "POST", "/v2/x509/"+host, r)
	assert.JSONEq(t, `{"message":"Initiated x509 key pair generation","location":"/v2/x509/email.example.com/status"}`, string(r.body))

	// The default delay is zero: active at the first read.
	r = send(t, srv, "GET", "/v2/x509/"+host+"/status", "", nil)
	require.Equal(t, 200, r.status)
	checkContract(t, "GET", "/v2/x509/"+host+"/status", r)
	cert, ok := srv.Certificate(host)
	require.True(t, ok)
	assert.Equal(t, mailgun.CertificateActive, cert.Status)
	assert.Contains(t, cert.Certificate, "-----BEGIN CERTIFICATE-----")

	r = send(t, srv, "PUT", "/v2/x509/"+host, "", nil)
	assert.Equal(t, 409, r.status)
	assert.JSONEq(t, `{"Description":"x509 certificate is still valid until 2026-05-30 12:00:00 +0000 UTC"}`, string(r.body))
	checkContract(t, "PUT", "/v2/x509/"+host, r)

	srv.SetCertificateState(host, mailgun.CertificateError, "TLS x509 key pair generation failed, please contact support")
	r = send(t, srv, "GET", "/v2/x509/"+host+"/status", "", nil)
	checkContract(t, "GET", "/v2/x509/"+host+"/status", r)
	assert.Contains(t, string(r.body), `"status":"error"`)
	r = send(t, srv, "PUT", "/v2/x509/"+host, "", nil)
	require.Equal(t, 202, r.status, "an errored certificate can be regenerated")
	checkContract(t, "PUT", "/v2/x509/"+host, r)

	// SetCertificateState also creates, and a manual delay keeps processing.
	manual := mailguntest.NewServer(t, mailguntest.WithCertificateDelay(-1))
	r = send(t, manual, "POST", "/v2/x509/"+host, "", nil)
	require.Equal(t, 202, r.status)
	for range 3 {
		r = send(t, manual, "GET", "/v2/x509/"+host+"/status", "", nil)
		assert.JSONEq(t, `{"status":"processing","error":"Waiting for x509 key pair generation"}`, string(r.body))
	}
	r = send(t, manual, "PUT", "/v2/x509/"+host, "", nil)
	assert.Equal(t, 429, r.status)
	checkContract(t, "PUT", "/v2/x509/"+host, r)
	manual.SetCertificateState(host, mailgun.CertificateActive, "")
	cert, _ = manual.Certificate(host)
	assert.Equal(t, mailgun.CertificateActive, cert.Status)
	manual.SetCertificateState("links.other.com", mailgun.CertificateExpired, "x509 certificate has expired")
	cert, ok = manual.Certificate("links.other.com")
	require.True(t, ok)
	assert.Equal(t, mailgun.TrackingCertificate{Status: mailgun.CertificateExpired, Error: "x509 certificate has expired", Certificate: cert.Certificate}, cert)
}
