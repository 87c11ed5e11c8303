package mailgun_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/mailguntest"
)

const (
	trackingURL = "https://api.mailgun.net/v3/domains/example.com/tracking"
	x509URL     = "https://api.mailgun.net/v2/x509/email.example.com"
	htmlFooter  = "\n<br>\n<p><a href=\"%unsubscribe_url%\">unsubscribe</a></p>\n"
	textFooter  = "\n\nTo unsubscribe click: <%unsubscribe_url%>\n\n"
)

func TestTrackingWire(t *testing.T) {
	ctx := context.Background()
	runWireCases(t, []wireCase{
		{
			name: "get", method: "GET", url: trackingURL, status: 200, body: fixture(t, "examples/tracking/get-v3-domains-name-tracking.200.json"),
			call:    func(c *mailgun.Client) error { _, err := c.Tracking.Get(ctx, "example.com"); return err },
			wantURI: "/v3/domains/example.com/tracking",
		},
		{
			name: "get escapes the domain", method: "GET", url: "https://api.mailgun.net/v3/domains/a%2Bb.example.com/tracking", status: 200,
			body:    fixture(t, "examples/tracking/get-v3-domains-name-tracking.200.json"),
			call:    func(c *mailgun.Client) error { _, err := c.Tracking.Get(ctx, "a+b.example.com"); return err },
			wantURI: "/v3/domains/a%2Bb.example.com/tracking",
		},
		{
			name: "open, one field", method: "PUT", url: trackingURL + "/open", status: 200, body: fixture(t, "examples/tracking/put-v3-domains-name-tracking-open.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Tracking.UpdateOpen(ctx, "example.com", mailgun.OpenTrackingUpdate{PlaceAtTheTop: new(true)})
				return err
			},
			wantURI: "/v3/domains/example.com/tracking/open", wantForm: "place_at_the_top=true",
		},
		{
			name: "open, both fields", method: "PUT", url: trackingURL + "/open", status: 200, body: fixture(t, "examples/tracking/put-v3-domains-name-tracking-open.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Tracking.UpdateOpen(ctx, "example.com", mailgun.OpenTrackingUpdate{Active: new(true), PlaceAtTheTop: new(false)})
				return err
			},
			wantURI: "/v3/domains/example.com/tracking/open", wantForm: "active=true&place_at_the_top=false",
		},
		{
			name: "click htmlonly", method: "PUT", url: trackingURL + "/click", status: 200, body: fixture(t, "examples/tracking/put-v3-domains-name-tracking-click.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Tracking.UpdateClick(ctx, "example.com", mailgun.ClickTrackingUpdate{Active: mailgun.ClickTrackingHTMLOnly})
				return err
			},
			wantURI: "/v3/domains/example.com/tracking/click", wantForm: "active=htmlonly",
		},
		{
			name: "click off", method: "PUT", url: trackingURL + "/click", status: 200, body: fixture(t, "examples/tracking/put-v3-domains-name-tracking-click.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Tracking.UpdateClick(ctx, "example.com", mailgun.ClickTrackingUpdate{Active: mailgun.ClickTrackingOff})
				return err
			},
			wantURI: "/v3/domains/example.com/tracking/click", wantForm: "active=false",
		},
		{
			name: "unsubscribe, all fields", method: "PUT", url: trackingURL + "/unsubscribe", status: 200, body: fixture(t, "examples/tracking/put-v3-domains-name-tracking-unsubscribe.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Tracking.UpdateUnsubscribe(ctx, "example.com", mailgun.UnsubscribeTrackingUpdate{Active: new(true), HTMLFooter: new(htmlFooter), TextFooter: new(textFooter)})
				return err
			},
			wantURI:  "/v3/domains/example.com/tracking/unsubscribe",
			wantForm: "active=true&html_footer=" + url.QueryEscape(htmlFooter) + "&text_footer=" + url.QueryEscape(textFooter),
		},
		{
			name: "unsubscribe, only active: unset footers are not sent", method: "PUT", url: trackingURL + "/unsubscribe", status: 200,
			body: fixture(t, "examples/tracking/put-v3-domains-name-tracking-unsubscribe.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Tracking.UpdateUnsubscribe(ctx, "example.com", mailgun.UnsubscribeTrackingUpdate{Active: new(false)})
				return err
			},
			wantURI: "/v3/domains/example.com/tracking/unsubscribe", wantForm: "active=false",
		},
		{
			name: "unsubscribe, an explicitly empty footer is sent", method: "PUT", url: trackingURL + "/unsubscribe", status: 200,
			body: fixture(t, "examples/tracking/put-v3-domains-name-tracking-unsubscribe.200.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Tracking.UpdateUnsubscribe(ctx, "example.com", mailgun.UnsubscribeTrackingUpdate{TextFooter: new("")})
				return err
			},
			wantURI: "/v3/domains/example.com/tracking/unsubscribe", wantForm: "text_footer=",
		},
		{
			name: "certificate status", method: "GET", url: x509URL + "/status", status: 200, body: fixture(t, "examples/tracking/get-v2-x509-domain-status.200-active.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Tracking.CertificateStatus(ctx, mailgun.TrackingHost("example.com", "email"))
				return err
			},
			wantURI: "/v2/x509/email.example.com/status",
		},
		{
			name: "generate certificate", method: "POST", url: x509URL, status: 202, body: fixture(t, "examples/tracking/post-v2-x509-domain.202.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Tracking.GenerateCertificate(ctx, "email.example.com")
				return err
			},
			wantURI: "/v2/x509/email.example.com",
		},
		{
			name: "regenerate certificate", method: "PUT", url: x509URL, status: 202, body: fixture(t, "examples/tracking/put-v2-x509-domain.202.json"),
			call: func(c *mailgun.Client) error {
				_, err := c.Tracking.RegenerateCertificate(ctx, "email.example.com")
				return err
			},
			wantURI: "/v2/x509/email.example.com",
		},
	})
}

// TestTrackingUnsetFooterAbsent checks the form keys, not only the bytes:
// a footer the caller did not set must not reach the server at all.
func TestTrackingUnsetFooterAbsent(t *testing.T) {
	for name, u := range map[string]mailgun.UnsubscribeTrackingUpdate{
		"only active":      {Active: new(true)},
		"only html footer": {HTMLFooter: new("<p>%unsubscribe_url%</p>")},
		"only text footer": {TextFooter: new("%unsubscribe_url%")},
	} {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond("PUT", trackingURL+"/unsubscribe", 200, fixture(t, "examples/tracking/put-v3-domains-name-tracking-unsubscribe.200.json"))
			_, err := c.Tracking.UpdateUnsubscribe(context.Background(), "example.com", u)
			require.NoError(t, err)
			form, err := url.ParseQuery(string(m.only(t).Body))
			require.NoError(t, err)
			assert.Equal(t, u.HTMLFooter != nil, form.Has("html_footer"), "html_footer")
			assert.Equal(t, u.TextFooter != nil, form.Has("text_footer"), "text_footer")
			assert.Equal(t, u.Active != nil, form.Has("active"), "active")
		})
	}
}

func TestTrackingRequestExamples(t *testing.T) {
	contract := contracttest.Load(t)
	for _, section := range []string{"click", "open", "unsubscribe"} {
		body := formFromExample(t, fixture(t, "examples/tracking/put-v3-domains-name-tracking-"+section+".request-form.json"))
		assert.NoError(t, contract.CheckRequestExample("PUT", "/v3/domains/example.com/tracking/"+section, "application/x-www-form-urlencoded", body), section)
	}
	// The documented unsubscribe example is exactly what UpdateUnsubscribe sends.
	c, m := newMockClient(t)
	m.respond("PUT", trackingURL+"/unsubscribe", 200, fixture(t, "examples/tracking/put-v3-domains-name-tracking-unsubscribe.200.json"))
	_, err := c.Tracking.UpdateUnsubscribe(context.Background(), "example.com", mailgun.UnsubscribeTrackingUpdate{Active: new(true), HTMLFooter: new(htmlFooter), TextFooter: new(textFooter)})
	require.NoError(t, err)
	want, err := url.ParseQuery(string(formFromExample(t, fixture(t, "examples/tracking/put-v3-domains-name-tracking-unsubscribe.request-form.json"))))
	require.NoError(t, err)
	got, err := url.ParseQuery(string(m.only(t).Body))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestTrackingDecode(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, method, path string, status int, file string) []byte {
		t.Helper()
		body := example(t, "tracking/"+file, method, path, status)
		return body
	}

	t.Run("get, spec example", func(t *testing.T) {
		body := check(t, "GET", "/v3/domains/example.com/tracking", 200, "get-v3-domains-name-tracking.200.json")
		c, m := newMockClient(t)
		m.respond("GET", trackingURL, 200, body)
		got, err := c.Tracking.Get(ctx, "example.com")
		require.NoError(t, err)
		assert.Equal(t, mailgun.TrackingSettings{
			Open:        mailgun.OpenTracking{Active: true},
			Click:       mailgun.ClickTracking{Active: mailgun.ClickTrackingOn},
			Unsubscribe: mailgun.UnsubscribeTracking{Active: true, HTMLFooter: "off", TextFooter: "on"},
			WebScheme:   "http",
		}, *got)
	})

	t.Run("get, recorded", func(t *testing.T) {
		body := check(t, "GET", "/v3/domains/example.com/tracking", 200, "get-v3-domains-name-tracking.200-recorded.json")
		c, m := newMockClient(t)
		m.respond("GET", trackingURL, 200, body)
		got, err := c.Tracking.Get(ctx, "example.com")
		require.NoError(t, err)
		assert.Equal(t, mailgun.TrackingSettings{
			Open:        mailgun.OpenTracking{},
			Click:       mailgun.ClickTracking{Active: mailgun.ClickTrackingOff},
			Unsubscribe: mailgun.UnsubscribeTracking{HTMLFooter: htmlFooter, TextFooter: textFooter},
			WebScheme:   "https",
		}, *got)
		assert.False(t, got.Click.Active.Enabled())
	})

	for _, tt := range []struct {
		file string
		want mailgun.ClickTrackingMode
	}{
		{"put-v3-domains-name-tracking-click.200.json", mailgun.ClickTrackingOn},
		{"put-v3-domains-name-tracking-click.200-htmlonly-sdk-fixture.json", mailgun.ClickTrackingHTMLOnly},
	} {
		t.Run(tt.file, func(t *testing.T) {
			body := check(t, "PUT", "/v3/domains/example.com/tracking/click", 200, tt.file)
			c, m := newMockClient(t)
			m.respond("PUT", trackingURL+"/click", 200, body)
			got, err := c.Tracking.UpdateClick(ctx, "example.com", mailgun.ClickTrackingUpdate{Active: tt.want})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Active)
			assert.True(t, got.Active.Enabled())
		})
	}

	for _, tt := range []struct {
		file string
		want mailgun.OpenTracking
	}{
		{"put-v3-domains-name-tracking-open.200.json", mailgun.OpenTracking{Active: true}},
		{"put-v3-domains-name-tracking-open.200-recorded.json", mailgun.OpenTracking{}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			body := check(t, "PUT", "/v3/domains/example.com/tracking/open", 200, tt.file)
			c, m := newMockClient(t)
			m.respond("PUT", trackingURL+"/open", 200, body)
			got, err := c.Tracking.UpdateOpen(ctx, "example.com", mailgun.OpenTrackingUpdate{Active: new(tt.want.Active)})
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
		})
	}

	t.Run("unsubscribe", func(t *testing.T) {
		body := check(t, "PUT", "/v3/domains/example.com/tracking/unsubscribe", 200, "put-v3-domains-name-tracking-unsubscribe.200.json")
		c, m := newMockClient(t)
		m.respond("PUT", trackingURL+"/unsubscribe", 200, body)
		got, err := c.Tracking.UpdateUnsubscribe(ctx, "example.com", mailgun.UnsubscribeTrackingUpdate{Active: new(true)})
		require.NoError(t, err)
		assert.Equal(t, mailgun.UnsubscribeTracking{
			Active:     true,
			HTMLFooter: "<br>\n<p><a href=\"%unsubscribe_url%\">unsubscribe</a></p>\n",
			TextFooter: "To unsubscribe click: <%unsubscribe_url%>\n\n",
		}, *got)
	})

	for _, tt := range []struct {
		file string
		want mailgun.TrackingCertificate
	}{
		{"get-v2-x509-domain-status.200-processing.json", mailgun.TrackingCertificate{Status: mailgun.CertificateProcessing, Error: "Waiting for x509 key pair generation"}},
		{"get-v2-x509-domain-status.200-active.json", mailgun.TrackingCertificate{Status: mailgun.CertificateActive, Certificate: "{CERT}"}},
		{"get-v2-x509-domain-status.200-expired.json", mailgun.TrackingCertificate{Status: mailgun.CertificateExpired, Error: "x509 certificate has expired", Certificate: "{CERT}"}},
		{"get-v2-x509-domain-status.200-error.json", mailgun.TrackingCertificate{Status: mailgun.CertificateError, Error: "TLS x509 key pair generation failed, please contact support", Certificate: "{CERT}"}},
	} {
		t.Run(tt.file, func(t *testing.T) {
			body := check(t, "GET", "/v2/x509/email.example.com/status", 200, tt.file)
			c, m := newMockClient(t)
			m.respond("GET", x509URL+"/status", 200, body)
			got, err := c.Tracking.CertificateStatus(ctx, "email.example.com")
			require.NoError(t, err)
			assert.Equal(t, tt.want, *got)
		})
	}

	t.Run("certificate status with a null error", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond("GET", x509URL+"/status", 200, []byte(`{"status":"active","error":null,"certificate":"PEM"}`))
		got, err := c.Tracking.CertificateStatus(ctx, "email.example.com")
		require.NoError(t, err)
		assert.Equal(t, mailgun.TrackingCertificate{Status: mailgun.CertificateActive, Certificate: "PEM"}, *got)
	})

	for _, tt := range []struct{ method, file string }{
		{"POST", "post-v2-x509-domain.202.json"},
		{"PUT", "put-v2-x509-domain.202.json"},
	} {
		t.Run(tt.file, func(t *testing.T) {
			body := check(t, tt.method, "/v2/x509/example.com", 202, tt.file)
			c, m := newMockClient(t)
			m.respond(tt.method, "https://api.mailgun.net/v2/x509/example.com", 202, body)
			call := c.Tracking.GenerateCertificate
			if tt.method == "PUT" {
				call = c.Tracking.RegenerateCertificate
			}
			job, err := call(ctx, "example.com")
			require.NoError(t, err)
			assert.Equal(t, mailgun.CertificateJob{Message: "Initiated x509 key pair generation", Location: "/v2/x509/example.com/status"}, *job)
		})
	}
}

func TestTrackingErrorShapes(t *testing.T) {
	ctx := context.Background()
	host := "email.example.com"
	get := func(c *mailgun.Client) error { _, err := c.Tracking.Get(ctx, "example.com"); return err }
	status := func(c *mailgun.Client) error { _, err := c.Tracking.CertificateStatus(ctx, host); return err }
	generate := func(c *mailgun.Client) error { _, err := c.Tracking.GenerateCertificate(ctx, host); return err }
	regenerate := func(c *mailgun.Client) error { _, err := c.Tracking.RegenerateCertificate(ctx, host); return err }
	tests := []struct {
		file, method, path string
		status             int
		call               func(c *mailgun.Client) error
		sentinel           error
		message            string
	}{
		{"tracking.401.json", "GET", "/v3/domains/example.com/tracking", 401, get, mailgun.ErrUnauthorized, "Invalid private key"},
		{"tracking.404.json", "GET", "/v3/domains/example.com/tracking", 404, get, mailgun.ErrNotFound, "Domain not found"},
		{"get-v2-x509-domain-status.404.json", "GET", "/v2/x509/" + host + "/status", 404, status, mailgun.ErrNotFound, "Please initiate x509 key pair generation at POST /v2/x509/{domain}"},
		{"x509.400.json", "POST", "/v2/x509/" + host, 400, generate, mailgun.ErrBadRequest, "invalid CNAME record"},
		{"x509.402.json", "POST", "/v2/x509/" + host, 402, generate, nil, "upgrade your account to enable this feature"},
		{"x509.404.json", "PUT", "/v2/x509/" + host, 404, regenerate, mailgun.ErrNotFound, "x509 cert not found"},
		{"post-v2-x509-domain.409.json", "POST", "/v2/x509/" + host, 409, generate, mailgun.ErrConflict, "x509 key pair generation has already been initiated for example.com"},
		{"put-v2-x509-domain.409.json", "PUT", "/v2/x509/" + host, 409, regenerate, mailgun.ErrConflict, "x509 certificate is still valid until 2009-11-10 23:00:00 +0000 UTC"},
		{"put-v2-x509-domain.429.json", "PUT", "/v2/x509/" + host, 429, regenerate, mailgun.ErrConflict, "x509 key pair generation job is already in progress for example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := example(t, "tracking/"+tt.file, tt.method, tt.path, tt.status)
			c, m := newMockClient(t)
			m.respond(tt.method, "https://api.mailgun.net"+tt.path, tt.status, body)
			err := tt.call(c)
			var apiErr *mailgun.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.message, apiErr.Message)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			}
			assert.Len(t, m.sent(), 1, "error answers of these endpoints are final: no retry")
		})
	}
}

func TestClickTrackingModeJSON(t *testing.T) {
	tests := []struct {
		in   string
		want mailgun.ClickTrackingMode
	}{
		{`true`, mailgun.ClickTrackingOn},
		{`false`, mailgun.ClickTrackingOff},
		{`"true"`, mailgun.ClickTrackingOn},
		{`"false"`, mailgun.ClickTrackingOff},
		{`"yes"`, mailgun.ClickTrackingOn},
		{`"no"`, mailgun.ClickTrackingOff},
		{`"YES"`, mailgun.ClickTrackingOn},
		{`"htmlonly"`, mailgun.ClickTrackingHTMLOnly},
		{`"HTMLOnly"`, mailgun.ClickTrackingHTMLOnly},
		{`null`, ""},
		{`"textonly"`, "textonly"}, // a future mode is kept
	}
	for _, tt := range tests {
		var got struct {
			Active mailgun.ClickTrackingMode `json:"active"`
		}
		require.NoError(t, json.Unmarshal([]byte(`{"active":`+tt.in+`}`), &got), tt.in)
		assert.Equal(t, tt.want, got.Active, tt.in)
	}
	for _, in := range []string{`1`, `{}`, `[]`, `"unterminated`} {
		var m mailgun.ClickTrackingMode
		assert.Error(t, json.Unmarshal([]byte(in), &m), in)
	}

	for mode, want := range map[mailgun.ClickTrackingMode]string{
		mailgun.ClickTrackingOn:       `true`,
		mailgun.ClickTrackingOff:      `false`,
		mailgun.ClickTrackingHTMLOnly: `"htmlonly"`,
		"":                            `null`,
	} {
		b, err := json.Marshal(mode)
		require.NoError(t, err)
		assert.Equal(t, want, string(b))
	}
	assert.True(t, mailgun.ClickTrackingOn.Enabled())
	assert.True(t, mailgun.ClickTrackingHTMLOnly.Enabled())
	assert.False(t, mailgun.ClickTrackingOff.Enabled())
	assert.False(t, mailgun.ClickTrackingMode("").Enabled())
}

func FuzzClickTrackingMode(f *testing.F) {
	for _, s := range []string{`true`, `false`, `"yes"`, `"no"`, `"htmlonly"`, `null`, `"x"`, `1`, `{}`, `" True "`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var m mailgun.ClickTrackingMode
		if json.Unmarshal([]byte(in), &m) != nil {
			return
		}
		// Whatever decodes encodes to JSON that decodes to the same mode.
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("marshal %q: %v", m, err)
		}
		var back mailgun.ClickTrackingMode
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("unmarshal %s: %v", b, err)
		}
		if back != m && !(m.Enabled() && back.Enabled()) {
			t.Fatalf("%s decoded to %q, re-encoded as %s, decoded to %q", in, m, b, back)
		}
	})
}

func TestTrackingHost(t *testing.T) {
	for _, tt := range []struct{ domain, prefix, want string }{
		{"example.com", "email", "email.example.com"},
		{"example.com", "", "email.example.com"},
		{"Example.COM.", ".Track.", "track.example.com"},
		{" mg.example.com ", "links", "links.mg.example.com"},
		{"", "email", ""},
		{".", "email", ""},
	} {
		assert.Equal(t, tt.want, mailgun.TrackingHost(tt.domain, tt.prefix), "%q %q", tt.domain, tt.prefix)
	}
}

func TestTrackingBadInput(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(c *mailgun.Client) error{
		"get empty domain": func(c *mailgun.Client) error { _, err := c.Tracking.Get(ctx, ""); return err },
		"get dot domain":   func(c *mailgun.Client) error { _, err := c.Tracking.Get(ctx, ".."); return err },
		"open empty domain": func(c *mailgun.Client) error {
			_, err := c.Tracking.UpdateOpen(ctx, " ", mailgun.OpenTrackingUpdate{Active: new(true)})
			return err
		},
		"open nothing set": func(c *mailgun.Client) error {
			_, err := c.Tracking.UpdateOpen(ctx, "example.com", mailgun.OpenTrackingUpdate{})
			return err
		},
		"click empty domain": func(c *mailgun.Client) error {
			_, err := c.Tracking.UpdateClick(ctx, "", mailgun.ClickTrackingUpdate{Active: mailgun.ClickTrackingOn})
			return err
		},
		"click nothing set": func(c *mailgun.Client) error {
			_, err := c.Tracking.UpdateClick(ctx, "example.com", mailgun.ClickTrackingUpdate{})
			return err
		},
		"click blank mode": func(c *mailgun.Client) error {
			_, err := c.Tracking.UpdateClick(ctx, "example.com", mailgun.ClickTrackingUpdate{Active: " "})
			return err
		},
		"unsubscribe empty domain": func(c *mailgun.Client) error {
			_, err := c.Tracking.UpdateUnsubscribe(ctx, "", mailgun.UnsubscribeTrackingUpdate{Active: new(true)})
			return err
		},
		"unsubscribe nothing set": func(c *mailgun.Client) error {
			_, err := c.Tracking.UpdateUnsubscribe(ctx, "example.com", mailgun.UnsubscribeTrackingUpdate{})
			return err
		},
		"status empty host":     func(c *mailgun.Client) error { _, err := c.Tracking.CertificateStatus(ctx, ""); return err },
		"generate empty host":   func(c *mailgun.Client) error { _, err := c.Tracking.GenerateCertificate(ctx, ""); return err },
		"regenerate empty host": func(c *mailgun.Client) error { _, err := c.Tracking.RegenerateCertificate(ctx, "  "); return err },
		"status from an empty domain": func(c *mailgun.Client) error {
			_, err := c.Tracking.CertificateStatus(ctx, mailgun.TrackingHost("", "email"))
			return err
		},
		"wait empty host": func(c *mailgun.Client) error {
			_, err := c.Tracking.WaitForCertificate(ctx, "", time.Second)
			return err
		},
		"wait zero poll": func(c *mailgun.Client) error {
			_, err := c.Tracking.WaitForCertificate(ctx, "email.example.com", 0)
			return err
		},
		"wait negative poll": func(c *mailgun.Client) error {
			_, err := c.Tracking.WaitForCertificate(ctx, "email.example.com", -time.Second)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			assert.ErrorIs(t, call(c), mailgun.ErrInvalidArgument)
			assert.Empty(t, m.sent())
		})
	}
}

func TestTrackingTruncatedBody(t *testing.T) {
	c, m := newMockClient(t)
	m.respond("GET", trackingURL, 200, []byte(`{"tracking":{"open":{"active":tr`))
	_, err := c.Tracking.Get(context.Background(), "example.com")
	require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
}

func TestTrackingAgainstFake(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)

	got, err := c.Tracking.Get(ctx, "example.com")
	require.NoError(t, err)
	assert.Equal(t, srv.TrackingSettings("example.com"), *got)
	assert.Equal(t, mailgun.ClickTrackingOff, got.Click.Active)
	defaults := got.Unsubscribe

	click, err := c.Tracking.UpdateClick(ctx, "example.com", mailgun.ClickTrackingUpdate{Active: mailgun.ClickTrackingHTMLOnly})
	require.NoError(t, err)
	assert.Equal(t, mailgun.ClickTrackingHTMLOnly, click.Active)

	open, err := c.Tracking.UpdateOpen(ctx, "example.com", mailgun.OpenTrackingUpdate{PlaceAtTheTop: new(true)})
	require.NoError(t, err)
	assert.Equal(t, mailgun.OpenTracking{Active: false, PlaceAtTheTop: true}, *open)
	open, err = c.Tracking.UpdateOpen(ctx, "example.com", mailgun.OpenTrackingUpdate{Active: new(true)})
	require.NoError(t, err)
	assert.Equal(t, mailgun.OpenTracking{Active: true, PlaceAtTheTop: true}, *open, "place_at_the_top kept")

	// Only active: the footers stay as they were.
	unsub, err := c.Tracking.UpdateUnsubscribe(ctx, "example.com", mailgun.UnsubscribeTrackingUpdate{Active: new(true)})
	require.NoError(t, err)
	assert.Equal(t, mailgun.UnsubscribeTracking{Active: true, HTMLFooter: defaults.HTMLFooter, TextFooter: defaults.TextFooter}, *unsub)

	// Footers travel byte for byte: CRLF, tabs, trailing blanks, non-ASCII.
	footer := "\r\n\t<p>Abmelden: <a href=\"%unsubscribe_url%\">hier</a> — ✉ </p>  \r\n"
	unsub, err = c.Tracking.UpdateUnsubscribe(ctx, "example.com", mailgun.UnsubscribeTrackingUpdate{HTMLFooter: new(footer)})
	require.NoError(t, err)
	assert.Equal(t, footer, unsub.HTMLFooter)
	assert.Equal(t, defaults.TextFooter, unsub.TextFooter)
	assert.True(t, unsub.Active)

	got, err = c.Tracking.Get(ctx, "example.com")
	require.NoError(t, err)
	assert.Equal(t, mailgun.TrackingSettings{
		Open:        mailgun.OpenTracking{Active: true, PlaceAtTheTop: true},
		Click:       mailgun.ClickTracking{Active: mailgun.ClickTrackingHTMLOnly},
		Unsubscribe: mailgun.UnsubscribeTracking{Active: true, HTMLFooter: footer, TextFooter: defaults.TextFooter},
		WebScheme:   "http",
	}, *got)

	// Another domain is untouched.
	other, err := c.Tracking.Get(ctx, "other.example.com")
	require.NoError(t, err)
	assert.False(t, other.Open.Active)

	_, err = c.Tracking.Get(ctx, "no-such-domain")
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.StatusCode)
	assert.Equal(t, "Domain not found", apiErr.Message)
}

// clock is a settable time source for the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestCertificateLifecycleAgainstFake(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	srv, c := newFake(t, mailguntest.WithClock(clk.Now), mailguntest.WithCertificateDelay(time.Minute))
	host := mailgun.TrackingHost("example.com", "email")

	_, err := c.Tracking.CertificateStatus(ctx, host)
	require.ErrorIs(t, err, mailgun.ErrNotFound)
	_, err = c.Tracking.RegenerateCertificate(ctx, host)
	require.ErrorIs(t, err, mailgun.ErrNotFound)

	job, err := c.Tracking.GenerateCertificate(ctx, host)
	require.NoError(t, err)
	assert.Equal(t, "/v2/x509/email.example.com/status", job.Location)

	cert, err := c.Tracking.CertificateStatus(ctx, host)
	require.NoError(t, err)
	assert.Equal(t, mailgun.CertificateProcessing, cert.Status)
	assert.Empty(t, cert.Certificate)

	_, err = c.Tracking.GenerateCertificate(ctx, host)
	require.ErrorIs(t, err, mailgun.ErrConflict)
	_, err = c.Tracking.RegenerateCertificate(ctx, host)
	require.ErrorIs(t, err, mailgun.ErrRateLimited, "the API's 429 for a job in progress")
	require.ErrorIs(t, err, mailgun.ErrConflict, "which is a conflict, not a rate limit")

	clk.Add(time.Minute)
	cert, err = c.Tracking.CertificateStatus(ctx, host)
	require.NoError(t, err)
	assert.Equal(t, mailgun.CertificateActive, cert.Status)
	assert.Contains(t, cert.Certificate, "BEGIN CERTIFICATE")
	assert.Empty(t, cert.Error)

	_, err = c.Tracking.RegenerateCertificate(ctx, host)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusConflict, apiErr.StatusCode)
	assert.Equal(t, "x509 certificate is still valid until 2026-05-30 12:01:00 +0000 UTC", apiErr.Message)

	srv.SetCertificateState(host, mailgun.CertificateExpired, "x509 certificate has expired")
	cert, err = c.Tracking.CertificateStatus(ctx, host)
	require.NoError(t, err)
	assert.Equal(t, mailgun.TrackingCertificate{Status: mailgun.CertificateExpired, Error: "x509 certificate has expired", Certificate: cert.Certificate}, *cert)
	_, err = c.Tracking.RegenerateCertificate(ctx, host)
	require.NoError(t, err)
	got, ok := srv.Certificate(host)
	require.True(t, ok)
	assert.Equal(t, mailgun.CertificateProcessing, got.Status)

	_, err = c.Tracking.GenerateCertificate(ctx, "not-a-host")
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "invalid CNAME record", apiErr.Message)
}

func TestWaitForCertificate(t *testing.T) {
	host := "email.example.com"

	t.Run("active", func(t *testing.T) {
		srv, c := newFake(t, mailguntest.WithCertificateDelay(-1))
		_, err := c.Tracking.GenerateCertificate(context.Background(), host)
		require.NoError(t, err)
		done := make(chan struct{})
		var cert *mailgun.TrackingCertificate
		go func() {
			defer close(done)
			cert, err = c.Tracking.WaitForCertificate(context.Background(), host, time.Millisecond)
		}()
		require.Eventually(t, func() bool { return countRequests(srv, "GET") >= 3 }, 5*time.Second, time.Millisecond)
		srv.SetCertificateState(host, mailgun.CertificateActive, "")
		<-done
		require.NoError(t, err)
		assert.Equal(t, mailgun.CertificateActive, cert.Status)
	})

	t.Run("error", func(t *testing.T) {
		srv, c := newFake(t)
		srv.SetCertificateState(host, mailgun.CertificateError, "TLS x509 key pair generation failed")
		cert, err := c.Tracking.WaitForCertificate(context.Background(), host, time.Millisecond)
		require.ErrorIs(t, err, mailgun.ErrCertificateFailed)
		assert.Contains(t, err.Error(), "TLS x509 key pair generation failed")
		assert.Equal(t, mailgun.CertificateError, cert.Status)
	})

	t.Run("context ends", func(t *testing.T) {
		srv, c := newFake(t, mailguntest.WithCertificateDelay(-1))
		srv.SetCertificateState(host, mailgun.CertificateProcessing, "")
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			for countRequests(srv, "GET") < 2 {
				time.Sleep(time.Millisecond)
			}
			cancel()
		}()
		cert, err := c.Tracking.WaitForCertificate(ctx, host, time.Millisecond)
		require.ErrorIs(t, err, context.Canceled)
		require.NotNil(t, cert)
		assert.Equal(t, mailgun.CertificateProcessing, cert.Status)
	})

	t.Run("expired keeps waiting", func(t *testing.T) {
		srv, c := newFake(t)
		srv.SetCertificateState(host, mailgun.CertificateExpired, "x509 certificate has expired")
		go func() {
			for countRequests(srv, "GET") < 2 {
				time.Sleep(time.Millisecond)
			}
			srv.SetCertificateState(host, mailgun.CertificateActive, "")
		}()
		cert, err := c.Tracking.WaitForCertificate(context.Background(), host, time.Millisecond)
		require.NoError(t, err)
		assert.Equal(t, mailgun.CertificateActive, cert.Status)
	})

	t.Run("not requested", func(t *testing.T) {
		srv, c := newFake(t)
		_, err := c.Tracking.WaitForCertificate(context.Background(), host, time.Millisecond)
		require.ErrorIs(t, err, mailgun.ErrNotFound)
		assert.Equal(t, 1, countRequests(srv, "GET"))
	})

	t.Run("server errors keep it waiting", func(t *testing.T) {
		srv, c := newFake(t)
		_, err := c.Tracking.GenerateCertificate(context.Background(), host)
		require.NoError(t, err)
		// Five 503s outlast the first call's retries (1 + 3 attempts).
		srv.Fail("GET", "/v2/x509/*/status", mailguntest.Fault{Status: http.StatusServiceUnavailable}, 5)
		cert, err := c.Tracking.WaitForCertificate(context.Background(), host, time.Millisecond)
		require.NoError(t, err)
		assert.Equal(t, mailgun.CertificateActive, cert.Status)
		assert.Equal(t, 6, countRequests(srv, "GET"))
	})
}

func countRequests(srv *mailguntest.Server, method string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == method {
			n++
		}
	}
	return n
}

// TestTrackingRoundTrip: every state Get returns can be sent back by the
// updates as it is, click modes Mailgun adds later included. The requests
// go to a plain httpmock transport: a future mode is outside the contract
// the other mocks check requests against.
func TestTrackingRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, active := range []string{`true`, `false`, `"htmlonly"`, `"yes"`, `"HTMLOnly"`, `"textonly"`} {
		t.Run(active, func(t *testing.T) {
			mt := httpmock.NewMockTransport()
			var forms []url.Values
			mt.RegisterResponder("GET", trackingURL, httpmock.NewStringResponder(200, `{"tracking":{
				"open":{"active":true,"place_at_the_top":true},"click":{"active":`+active+`},
				"unsubscribe":{"active":false,"html_footer":"\n<b>%unsubscribe_url%</b>\n","text_footer":""},"web_scheme":"https"}}`))
			mt.RegisterRegexpResponder("PUT", regexp.MustCompile(`/tracking/`), func(r *http.Request) (*http.Response, error) {
				require.NoError(t, r.ParseForm())
				forms = append(forms, r.PostForm)
				return httpmock.NewStringResponse(200, `{"message":"ok"}`), nil
			})
			c, err := mailgun.NewClient(testKey, mailgun.WithHTTPClient(&http.Client{Transport: mt}))
			require.NoError(t, err)
			got, err := c.Tracking.Get(ctx, "example.com")
			require.NoError(t, err)
			_, err = c.Tracking.UpdateOpen(ctx, "example.com", mailgun.OpenTrackingUpdate{Active: &got.Open.Active, PlaceAtTheTop: &got.Open.PlaceAtTheTop})
			require.NoError(t, err)
			_, err = c.Tracking.UpdateClick(ctx, "example.com", mailgun.ClickTrackingUpdate{Active: got.Click.Active})
			require.NoError(t, err)
			_, err = c.Tracking.UpdateUnsubscribe(ctx, "example.com", mailgun.UnsubscribeTrackingUpdate{
				Active: &got.Unsubscribe.Active, HTMLFooter: &got.Unsubscribe.HTMLFooter, TextFooter: &got.Unsubscribe.TextFooter})
			require.NoError(t, err)
			require.Len(t, forms, 3)
			assert.Equal(t, url.Values{"active": {"true"}, "place_at_the_top": {"true"}}, forms[0])
			assert.Equal(t, url.Values{"active": {got.Click.Active.String()}}, forms[1])
			assert.Equal(t, url.Values{"active": {"false"}, "html_footer": {"\n<b>%unsubscribe_url%</b>\n"}, "text_footer": {""}}, forms[2])
		})
	}
}
