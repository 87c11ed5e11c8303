package mailgun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/formtest"
)

const (
	usMessages = "https://api.mailgun.net/v3/example.com/messages"
	usMIME     = "https://api.mailgun.net/v3/example.com/messages.mime"
	usStored   = "https://api.mailgun.net/v3/domains/example.com/messages/AwABB1234"
	queued     = `{"id":"<20240203180000.1a2b3c@example.com>","message":"Queued. Thank you."}`
)

// pair is one form field in wire order.
type pair struct{ Key, Value string }

// formPairs decodes a urlencoded body, keeping the order of its fields.
func formPairs(t *testing.T, body []byte) []pair {
	t.Helper()
	var out []pair
	for _, kv := range strings.Split(string(body), "&") {
		k, v, _ := strings.Cut(kv, "=")
		ku, err := url.QueryUnescape(k)
		require.NoError(t, err)
		vu, err := url.QueryUnescape(v)
		require.NoError(t, err)
		out = append(out, pair{ku, vu})
	}
	return out
}

// sentPart is one part of a multipart request.
type sentPart = formtest.Part

// multipartParts decodes a multipart request in order.
func multipartParts(t *testing.T, req wireRequest) []sentPart {
	t.Helper()
	parts, err := formtest.Parts(req.Header.Get("Content-Type"), req.Body)
	require.NoError(t, err)
	return parts
}

func fullMessage() *mailgun.Message {
	return &mailgun.Message{
		From:    "Excited User <mailgun@example.com>",
		To:      []string{"alice@example.org", "Bob <bob+news@example.net>, carol@example.net"},
		Cc:      []string{"dave@example.org"},
		Bcc:     []string{"audit@example.com"},
		Subject: "Hello & welcome",
		Text:    "Testing some Mailgun awesomeness!",
		AMPHTML: "<!doctype html><html ⚡4email></html>",

		MessageID: "order-42@example.com",
		Headers:   map[string]string{"Reply-To": "support@example.com", "X-Campaign": "spring"},
		Variables: map[string]string{"customer-id": "42", "order": `{"total": 10}`},
		RecipientVariables: map[string]map[string]any{
			"alice@example.org": {"first": "Alice", "id": 1},
		},
		Tags: []string{"welcome", "spring"},

		DeliveryTime:               time.Date(2011, 10, 14, 12, 0, 0, 0, time.UTC),
		DeliveryTimeOptimizePeriod: 48 * time.Hour,
		TimeZoneLocalize:           "09:00",
		DeliverWithin:              2*time.Hour + 30*time.Minute,

		TestMode:                 true,
		Tracking:                 mailgun.ToggleYes,
		TrackingClicks:           mailgun.ToggleHTMLOnly,
		TrackingOpens:            mailgun.ToggleNo,
		TrackingPixelLocationTop: mailgun.ToggleYes,
		RequireTLS:               mailgun.ToggleYes,
		SkipVerification:         mailgun.ToggleNo,
		DKIM:                     mailgun.ToggleYes,
		SecondaryDKIM:            "example.net/s1",
		SecondaryDKIMPublic:      "example.org/s2",
		SendingIP:                "192.0.2.10",
		SendingIPPool:            "pool-1",
		ArchiveTo:                "https://archive.example.com/in",
		SuppressHeaders:          []string{"X-Mailgun-Sid", "X-Mailgun-Variables"},
		Extra:                    url.Values{"o:new-option": {"a", "b"}},
	}
}

func TestMessagesSendFormWire(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodPost, usMessages, 200, []byte(queued))
	res, err := c.Messages.Send(context.Background(), "example.com", fullMessage())
	require.NoError(t, err)
	assert.Equal(t, &mailgun.SendResult{ID: "<20240203180000.1a2b3c@example.com>", Message: "Queued. Thank you."}, res)

	req := m.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/v3/example.com/messages", req.RequestURI)
	assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
	assert.Equal(t, []pair{
		{"from", "Excited User <mailgun@example.com>"},
		{"to", "alice@example.org"},
		{"to", "Bob <bob+news@example.net>, carol@example.net"},
		{"cc", "dave@example.org"},
		{"bcc", "audit@example.com"},
		{"subject", "Hello & welcome"},
		{"text", "Testing some Mailgun awesomeness!"},
		{"amp-html", "<!doctype html><html ⚡4email></html>"},
		{"o:tag", "welcome"},
		{"o:tag", "spring"},
		{"o:deliverytime", "Fri, 14 Oct 2011 12:00:00 +0000"},
		{"o:deliverytime-optimize-period", "48h"},
		{"o:time-zone-localize", "09:00"},
		{"o:deliver-within", "2h30m"},
		{"o:testmode", "yes"},
		{"o:tracking", "yes"},
		{"o:tracking-clicks", "htmlonly"},
		{"o:tracking-opens", "no"},
		{"o:tracking-pixel-location-top", "yes"},
		{"o:require-tls", "yes"},
		{"o:skip-verification", "no"},
		{"o:dkim", "yes"},
		{"o:secondary-dkim", "example.net/s1"},
		{"o:secondary-dkim-public", "example.org/s2"},
		{"o:sending-ip", "192.0.2.10"},
		{"o:sending-ip-pool", "pool-1"},
		{"o:archive-to", "https://archive.example.com/in"},
		{"o:suppress-headers", "X-Mailgun-Sid,X-Mailgun-Variables"},
		{"h:Message-Id", "<order-42@example.com>"},
		{"h:Reply-To", "support@example.com"},
		{"h:X-Campaign", "spring"},
		{"v:customer-id", "42"},
		{"v:order", `{"total": 10}`},
		{"recipient-variables", `{"alice@example.org":{"first":"Alice","id":1}}`},
		{"o:new-option", "a"},
		{"o:new-option", "b"},
	}, formPairs(t, req.Body))
	assert.NotContains(t, string(req.Body), testKey)
}

func TestMessagesSendTemplateWire(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodPost, usMessages, 200, []byte(queued))
	_, err := c.Messages.Send(context.Background(), "example.com", &mailgun.Message{
		To:                []string{"alice@example.org"},
		Template:          "welcome",
		TemplateVersion:   "v2",
		TemplateVariables: map[string]any{"name": "Alice", "items": []int{1, 2}},
		TemplateText:      true,
		MessageID:         "<t-1@example.com>",
	})
	require.NoError(t, err, "From, Subject and a body may come from the template")
	assert.Equal(t, []pair{
		{"to", "alice@example.org"},
		{"template", "welcome"},
		{"t:version", "v2"},
		{"t:variables", `{"items":[1,2],"name":"Alice"}`},
		{"t:text", "yes"},
		{"h:Message-Id", "<t-1@example.com>"},
	}, formPairs(t, m.only(t).Body))
}

var generatedID = regexp.MustCompile(`^<\d{14}\.[0-9a-f]{24}@example\.com>$`)

func TestMessagesSendGeneratesMessageID(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodPost, usMessages, 200, []byte(queued))
	msg := &mailgun.Message{From: "a@example.com", To: []string{"b@example.org"}, Subject: "s", HTML: "<p>hi</p>"}
	for range 2 {
		_, err := c.Messages.Send(context.Background(), "example.com", msg)
		require.NoError(t, err)
	}
	assert.Empty(t, msg.MessageID, "the caller's message is not modified")
	reqs := m.sent()
	ids := make([]string, len(reqs))
	for i, r := range reqs {
		form, err := url.ParseQuery(string(r.Body))
		require.NoError(t, err)
		ids[i] = form.Get("h:Message-Id")
		assert.Regexp(t, generatedID, ids[i])
	}
	assert.NotEqual(t, ids[0], ids[1], "every send gets its own id")

	// A Message-Id header counts as the id.
	msg.Headers = map[string]string{"message-id": "own@example.com"}
	_, err := c.Messages.Send(context.Background(), "example.com", msg)
	require.NoError(t, err)
	form, err := url.ParseQuery(string(m.sent()[2].Body))
	require.NoError(t, err)
	assert.Equal(t, []string{"<own@example.com>"}, form["h:Message-Id"])
	assert.NotContains(t, form, "h:message-id")
}

func TestMessagesSendMultipartWire(t *testing.T) {
	dir := t.TempDir()
	report := filepath.Join(dir, "report.pdf")
	require.NoError(t, os.WriteFile(report, []byte("%PDF-1.4 report"), 0o600))

	c, m := newMockClient(t)
	m.respond(http.MethodPost, usMessages, 200, []byte(queued))
	_, err := c.Messages.Send(context.Background(), "example.com", &mailgun.Message{
		From:      "a@example.com",
		To:        []string{"b@example.org", "c@example.org"},
		Subject:   "Files",
		HTML:      `<img src="cid:logo.png">`,
		MessageID: "<files@example.com>",
		Tags:      []string{"files"},
		Attachments: []mailgun.Attachment{
			mailgun.FileAttachment(report),
			{Filename: "notes.txt", ContentType: "text/plain", Content: strings.NewReader("some notes")},
		},
		Inline: []mailgun.Attachment{{Filename: "logo.png", ContentType: "image/png", Content: bytes.NewReader([]byte("\x89PNG"))}},
	})
	require.NoError(t, err)
	req := m.only(t)
	assert.Equal(t, "/v3/example.com/messages", req.RequestURI)
	assert.Equal(t, []sentPart{
		formtest.Field("from", "a@example.com"),
		formtest.Field("to", "b@example.org"),
		formtest.Field("to", "c@example.org"),
		formtest.Field("subject", "Files"),
		formtest.Field("html", `<img src="cid:logo.png">`),
		formtest.Field("o:tag", "files"),
		formtest.Field("h:Message-Id", "<files@example.com>"),
		formtest.File("attachment", "report.pdf", "application/octet-stream", "%PDF-1.4 report"),
		formtest.File("attachment", "notes.txt", "text/plain", "some notes"),
		formtest.File("inline", "logo.png", "image/png", "\x89PNG"),
	}, multipartParts(t, req))
}

// lengthTransport records the Content-Length and Transfer-Encoding that
// the transport is given.
type lengthTransport struct {
	next    http.RoundTripper
	mu      sync.Mutex
	lengths []int64
}

func (l *lengthTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.lengths = append(l.lengths, r.ContentLength)
	l.mu.Unlock()
	return l.next.RoundTrip(r)
}

func TestMessagesSendContentLengthOnlyWhenEverySizeIsKnown(t *testing.T) {
	m := httpmock.NewMockTransport()
	var bodies [][]byte
	m.RegisterResponder(http.MethodPost, usMessages, func(r *http.Request) (*http.Response, error) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, b)
		return httpmock.NewStringResponse(200, queued), nil
	})
	lt := &lengthTransport{next: m}
	c, err := mailgun.NewClient(testKey, mailgun.WithHTTPClient(&http.Client{Transport: lt}))
	require.NoError(t, err)
	base := mailgun.Message{From: "a@example.com", To: []string{"b@example.org"}, Subject: "s", Text: "t"}
	for _, files := range [][]mailgun.Attachment{
		{{Filename: "a.txt", Content: strings.NewReader("abc")}},
		{{Filename: "a.txt", Content: iotest.OneByteReader(strings.NewReader("abc")), Size: 3}},
		{{Filename: "a.txt", Content: iotest.OneByteReader(strings.NewReader("abc"))}},
	} {
		msg := base
		msg.Attachments = files
		_, err := c.Messages.Send(context.Background(), "example.com", &msg)
		require.NoError(t, err)
	}
	require.Len(t, lt.lengths, 3)
	assert.Equal(t, int64(len(bodies[0])), lt.lengths[0], "known length")
	assert.Equal(t, int64(len(bodies[1])), lt.lengths[1], "declared Size")
	assert.Equal(t, int64(-1), lt.lengths[2], "a plain reader without Size is sent chunked")
}

func TestMessagesSendRejectsBadInput(t *testing.T) {
	ok := func() mailgun.Message {
		return mailgun.Message{From: "a@example.com", To: []string{"b@example.org"}, Subject: "s", Text: "t"}
	}
	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("u%d@example.org", i)
	}
	big := strings.Repeat("x", mailgun.MaxOptionBytes)
	cases := map[string]func(*mailgun.Message){
		"no to":                  func(m *mailgun.Message) { m.To = nil },
		"empty to entry":         func(m *mailgun.Message) { m.To = []string{" , "} },
		"to without @":           func(m *mailgun.Message) { m.To = []string{"bob"} },
		"line break in to":       func(m *mailgun.Message) { m.To = []string{"b@example.org\r\nBcc: x@y"} },
		"1001 recipients":        func(m *mailgun.Message) { m.To = many },
		"1001 with cc":           func(m *mailgun.Message) { m.To = many[:1000]; m.Cc = []string{"c@example.org"} },
		"1001 in one entry":      func(m *mailgun.Message) { m.To = []string{strings.Join(many, ", ")} },
		"no from":                func(m *mailgun.Message) { m.From = " " },
		"no subject":             func(m *mailgun.Message) { m.Subject = "" },
		"no body":                func(m *mailgun.Message) { m.Text = "" },
		"html with template":     func(m *mailgun.Message) { m.Template = "t"; m.HTML = "<p>" },
		"version, no template":   func(m *mailgun.Message) { m.TemplateVersion = "v1" },
		"variables, no template": func(m *mailgun.Message) { m.TemplateVariables = map[string]any{} },
		"t:text, no template":    func(m *mailgun.Message) { m.TemplateText = true },
		"4 tags":                 func(m *mailgun.Message) { m.Tags = []string{"a", "b", "c", "d"} },
		"empty tag":              func(m *mailgun.Message) { m.Tags = []string{" "} },
		"line break in subject":  func(m *mailgun.Message) { m.Subject = "a\nb" },
		"options over 16 kB":     func(m *mailgun.Message) { m.Variables = map[string]string{"a": big[:10000], "b": big[:7000]} },
		"header over 16 kB":      func(m *mailgun.Message) { m.Headers = map[string]string{"X-Big": big + "x"} },
		"bad header name":        func(m *mailgun.Message) { m.Headers = map[string]string{"X Bad": "v"} },
		"header name injection":  func(m *mailgun.Message) { m.Headers = map[string]string{"X-A:\r\nBcc": "v"} },
		"header value break":     func(m *mailgun.Message) { m.Headers = map[string]string{"X-A": "v\r\nBcc: x@y"} },
		"empty header name":      func(m *mailgun.Message) { m.Headers = map[string]string{"": "v"} },
		"empty variable name":    func(m *mailgun.Message) { m.Variables = map[string]string{"": "v"} },
		"bad toggle":             func(m *mailgun.Message) { m.TrackingOpens = "maybe" },
		"htmlonly opens":         func(m *mailgun.Message) { m.TrackingOpens = mailgun.ToggleHTMLOnly },
		"htmlonly require-tls":   func(m *mailgun.Message) { m.RequireTLS = mailgun.ToggleHTMLOnly },
		"optimize 12h":           func(m *mailgun.Message) { m.DeliveryTimeOptimizePeriod = 12 * time.Hour },
		"optimize 25.5h":         func(m *mailgun.Message) { m.DeliveryTimeOptimizePeriod = 25*time.Hour + 30*time.Minute },
		"deliver within 1m":      func(m *mailgun.Message) { m.DeliverWithin = time.Minute },
		"deliver within 25h":     func(m *mailgun.Message) { m.DeliverWithin = 25 * time.Hour },
		"deliver within seconds": func(m *mailgun.Message) { m.DeliverWithin = 10*time.Minute + time.Second },
		"bad local time":         func(m *mailgun.Message) { m.TimeZoneLocalize = "25:00" },
		"bad secondary dkim":     func(m *mailgun.Message) { m.SecondaryDKIM = "example.net" },
		"bad sending ip":         func(m *mailgun.Message) { m.SendingIP = "10.0.0.256" },
		"bad archive url":        func(m *mailgun.Message) { m.ArchiveTo = "ftp://x" },
		"bad suppress header":    func(m *mailgun.Message) { m.SuppressHeaders = []string{"a b"} },
		"two message ids":        func(m *mailgun.Message) { m.MessageID = "a@x"; m.Headers = map[string]string{"Message-Id": "b@x"} },
		"bad message id":         func(m *mailgun.Message) { m.MessageID = "no-at-sign" },
		"message id with space":  func(m *mailgun.Message) { m.MessageID = "a b@x" },
		"extra typed key":        func(m *mailgun.Message) { m.Extra = url.Values{"o:tag": {"x"}} },
		"extra header":           func(m *mailgun.Message) { m.Extra = url.Values{"h:X-A": {"x"}} },
		"extra variable":         func(m *mailgun.Message) { m.Extra = url.Values{"v:a": {"x"}} },
		"extra file":             func(m *mailgun.Message) { m.Extra = url.Values{"attachment": {"x"}} },
		"extra empty key":        func(m *mailgun.Message) { m.Extra = url.Values{"": {"x"}} },
		"template vars not JSON": func(m *mailgun.Message) { m.Template = "t"; m.TemplateVariables = map[string]any{"c": make(chan int)} },
		"recipient vars not JSON": func(m *mailgun.Message) {
			m.RecipientVariables = map[string]map[string]any{"b@example.org": {"f": func() {}}}
		},
		"attachment without name":    func(m *mailgun.Message) { m.Attachments = []mailgun.Attachment{{Content: strings.NewReader("x")}} },
		"attachment without content": func(m *mailgun.Message) { m.Attachments = []mailgun.Attachment{{Filename: "a"}} },
		"attachment name break": func(m *mailgun.Message) {
			m.Inline = []mailgun.Attachment{{Filename: "a\r\n.png", Content: strings.NewReader("x")}}
		},
		"attachment type break": func(m *mailgun.Message) {
			m.Attachments = []mailgun.Attachment{{Filename: "a", ContentType: "text/plain\r\nX: y", Content: strings.NewReader("x")}}
		},
		"attachment negative size": func(m *mailgun.Message) {
			m.Attachments = []mailgun.Attachment{{Filename: "a", Content: strings.NewReader("x"), Size: -1}}
		},
		"missing file": func(m *mailgun.Message) {
			m.Attachments = []mailgun.Attachment{mailgun.FileAttachment("/no/such/file.pdf")}
		},
		"directory as file": func(m *mailgun.Message) { m.Attachments = []mailgun.Attachment{mailgun.FileAttachment(t.TempDir())} },
		"over 25 MB": func(m *mailgun.Message) {
			m.Attachments = []mailgun.Attachment{{Filename: "big", Content: iotest.HalfReader(strings.NewReader("")), Size: mailgun.MaxMessageBytes + 1}}
		},
	}
	c, mk := newMockClient(t)
	mk.respond(http.MethodPost, usMessages, 200, []byte(queued))
	for name, mod := range cases {
		t.Run(name, func(t *testing.T) {
			msg := ok()
			mod(&msg)
			_, err := c.Messages.Send(context.Background(), "example.com", &msg)
			require.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			var se *mailgun.SendError
			assert.False(t, errors.As(err, &se), "nothing was sent: not a SendError")
		})
	}
	_, err := c.Messages.Send(context.Background(), "", &mailgun.Message{})
	assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
	valid := ok()
	_, err = c.Messages.Send(context.Background(), "..", &valid)
	assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
	assert.False(t, errors.As(err, new(*mailgun.SendError)), "a path the doer refuses is not a send")
	_, err = c.Messages.SendBatch(context.Background(), ".", &mailgun.Message{From: "a@example.com", Subject: "s", Text: "t"}, batchOf(1))
	assert.ErrorContains(t, err, "domain")
	assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
	assert.False(t, errors.As(err, new(*mailgun.BatchSendError)))
	_, err = c.Messages.Send(context.Background(), "example.com", nil)
	assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
	assert.Empty(t, mk.sent(), "nothing is sent for invalid input")

	// The limits themselves pass.
	msg := ok()
	msg.To = many[:1000]
	msg.Tags = []string{"a", "b", "c"}
	// 16 kB exactly: the tags, the Message-Id and the two options count.
	msg.Variables = map[string]string{"a": big[:mailgun.MaxOptionBytes-len("abc<x@y>9:30pm0h5m")]}
	msg.MessageID = "x@y"
	msg.DeliverWithin = 5 * time.Minute
	msg.TimeZoneLocalize = "9:30pm"
	_, err = c.Messages.Send(context.Background(), "example.com", &msg)
	require.NoError(t, err)
}

func TestMessagesSendMalformedReplies(t *testing.T) {
	for name, body := range map[string]string{
		"html page":      "<html><head><title>Welcome to the portal</title></head></html>",
		"truncated JSON": `{"id":"<x@y>","mess`,
		"no id":          `{"message":"Queued. Thank you."}`,
		"empty id":       `{"id":"","message":"Queued. Thank you."}`,
		"id not string":  `{"id":42,"message":"Queued. Thank you."}`,
		"array":          `[]`,
		"null":           `null`,
		"empty":          ``,
	} {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodPost, usMessages, 200, []byte(body))
			_, err := c.Messages.Send(context.Background(), "example.com",
				&mailgun.Message{From: "a@example.com", To: []string{"b@example.org"}, Subject: "s", Text: "t", MessageID: "m-1@example.com"})
			require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
			require.ErrorIs(t, err, mailgun.ErrOutcomeUnknown, "a 2xx that is not the API's answer may still be a send")
			var se *mailgun.SendError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, "<m-1@example.com>", se.MessageID)
			assert.Len(t, m.sent(), 1, "a 2xx is never retried")
		})
	}
}

func TestMessagesSendAPIErrors(t *testing.T) {
	msg := &mailgun.Message{From: "a@example.com", To: []string{"b@example.org"}, Subject: "s", Text: "t", MessageID: "e@example.com"}
	t.Run("400", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodPost, usMessages, 400, []byte(`{"message":"to parameter is not a valid address. please check documentation"}`))
		_, err := c.Messages.Send(context.Background(), "example.com", msg)
		require.ErrorIs(t, err, mailgun.ErrBadRequest)
		var apiErr *mailgun.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "to parameter is not a valid address. please check documentation", apiErr.Message)
		assert.ErrorContains(t, err, "(Message-Id <e@example.com>)")
		assert.Len(t, m.sent(), 1)
	})
	t.Run("401 plain text", func(t *testing.T) {
		c, m := newMockClient(t)
		m.RegisterResponder(http.MethodPost, usMessages, func(r *http.Request) (*http.Response, error) {
			m.record(r)
			return httpmock.NewStringResponse(401, "Forbidden"), nil
		})
		_, err := c.Messages.Send(context.Background(), "example.com", msg)
		require.ErrorIs(t, err, mailgun.ErrUnauthorized)
		assert.NotContains(t, err.Error(), testKey)
	})
}

func TestMessagesSendRetries(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.csv")
	require.NoError(t, os.WriteFile(path, bytes.Repeat([]byte("a,b\n"), 10_000), 0o600))
	base := mailgun.Message{From: "a@example.com", To: []string{"b@example.org"}, Subject: "s", Text: "t"}
	cases := []struct {
		name    string
		files   func() []mailgun.Attachment
		retried bool
	}{
		{"form", func() []mailgun.Attachment { return nil }, true},
		{"seekable attachment", func() []mailgun.Attachment {
			return []mailgun.Attachment{{Filename: "a.txt", Content: strings.NewReader(strings.Repeat("x", 50_000))}}
		}, true},
		{"file attachment", func() []mailgun.Attachment { return []mailgun.Attachment{mailgun.FileAttachment(path)} }, true},
		{"plain reader", func() []mailgun.Attachment {
			return []mailgun.Attachment{{Filename: "stream.bin", Content: iotest.HalfReader(strings.NewReader("a stream"))}}
		}, false},
	}
	for _, tc := range cases {
		for _, status := range []int{429, 420} {
			t.Run(fmt.Sprintf("%s %d", tc.name, status), func(t *testing.T) {
				c, m := newMockClient(t)
				respondSeq(m, http.MethodPost, usMessages, reply{status, `{"message":"Domain example.com is not allowed to send: rate limit exceeded"}`}, reply{200, queued})
				msg := base
				msg.Attachments = tc.files()
				res, err := c.Messages.Send(context.Background(), "example.com", &msg)
				reqs := m.sent()
				if !tc.retried {
					require.ErrorIs(t, err, mailgun.ErrRateLimited)
					assert.ErrorContains(t, err, `not retried: file "stream.bin" is a plain io.Reader`)
					assert.Len(t, reqs, 1)
					return
				}
				require.NoError(t, err)
				assert.Equal(t, "<20240203180000.1a2b3c@example.com>", res.ID)
				require.Len(t, reqs, 2)
				assert.Equal(t, reqs[0].Body, reqs[1].Body, "the retry sends the same message, Message-Id included")
			})
		}
	}
}

func TestMessagesSendOutcomeUnknown(t *testing.T) {
	msg := &mailgun.Message{From: "a@example.com", To: []string{"b@example.org"}, Subject: "s", Text: "t"}
	sentID := func(t *testing.T, req wireRequest) string {
		form, err := url.ParseQuery(string(req.Body))
		require.NoError(t, err)
		return form.Get("h:Message-Id")
	}
	t.Run("5xx", func(t *testing.T) {
		c, m := newMockClient(t)
		respondSeq(m, http.MethodPost, usMessages, reply{503, `{"message":"Service Unavailable"}`}, reply{200, queued})
		_, err := c.Messages.Send(context.Background(), "example.com", msg)
		require.ErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		require.ErrorIs(t, err, mailgun.ErrServer)
		var se *mailgun.SendError
		require.ErrorAs(t, err, &se)
		reqs := m.sent()
		require.Len(t, reqs, 1, "never repeated")
		assert.Regexp(t, generatedID, se.MessageID)
		assert.Equal(t, sentID(t, reqs[0]), se.MessageID, "the error names the Message-Id that was sent")
		assert.Contains(t, se.Error(), se.MessageID)
	})
	t.Run("connection dropped after the request", func(t *testing.T) {
		c, m := newMockClient(t)
		m.RegisterResponder(http.MethodPost, usMessages, func(r *http.Request) (*http.Response, error) {
			m.record(r)
			return nil, io.ErrUnexpectedEOF
		})
		_, err := c.Messages.Send(context.Background(), "example.com", msg)
		require.ErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		require.ErrorIs(t, err, mailgun.ErrConnection)
		var se *mailgun.SendError
		require.ErrorAs(t, err, &se)
		require.Len(t, m.sent(), 1)
		assert.Equal(t, sentID(t, m.sent()[0]), se.MessageID)
	})
	t.Run("no answer within the attempt timeout", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}))
		defer srv.Close()
		c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(srv.URL),
			mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 3, AttemptTimeout: 50 * time.Millisecond}))
		require.NoError(t, err)
		_, err = c.Messages.Send(context.Background(), "example.com", msg)
		require.ErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		var se *mailgun.SendError
		require.ErrorAs(t, err, &se)
		assert.Regexp(t, generatedID, se.MessageID)
	})
	for _, tc := range []struct {
		status   int
		sentinel error
	}{{400, mailgun.ErrBadRequest}, {401, mailgun.ErrUnauthorized}, {429, mailgun.ErrRateLimited}} {
		t.Run(fmt.Sprintf("%d is definite", tc.status), func(t *testing.T) {
			c, m := newMockClient(t, mailgun.WithMaxRetries(0))
			respondSeq(m, http.MethodPost, usMessages, reply{tc.status, `{"message":"no"}`})
			_, err := c.Messages.Send(context.Background(), "example.com", msg)
			require.ErrorIs(t, err, tc.sentinel)
			assert.NotErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		})
	}
	t.Run("refused dial is retried and not unknown", func(t *testing.T) {
		dials := 0
		hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials++
			return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
		}}}
		c, err := mailgun.NewClient(testKey, mailgun.WithHTTPClient(hc), fastRetry)
		require.NoError(t, err)
		_, err = c.Messages.Send(context.Background(), "example.com", msg)
		require.ErrorIs(t, err, mailgun.ErrConnection)
		assert.NotErrorIs(t, err, mailgun.ErrOutcomeUnknown, "nothing was sent")
		assert.Equal(t, 4, dials, "a POST is retried when nothing was sent")
	})
	t.Run("MIME and resend", func(t *testing.T) {
		c, m := newMockClient(t)
		respondSeq(m, http.MethodPost, usMIME, reply{502, `{"message":"Bad Gateway"}`})
		respondSeq(m, http.MethodPost, usStored, reply{500, `{"message":"Internal Server Error"}`})
		_, err := c.Messages.SendMIME(context.Background(), "example.com", []string{"b@example.org"}, strings.NewReader("Subject: x\r\n\r\nbody"))
		require.ErrorIs(t, err, mailgun.ErrOutcomeUnknown)
		var se *mailgun.SendError
		require.ErrorAs(t, err, &se)
		assert.Empty(t, se.MessageID)
		_, err = c.Messages.Resend(context.Background(), mailgun.StoredRef{Domain: "example.com", Key: "AwABB1234"}, []string{"b@example.org"})
		require.ErrorIs(t, err, mailgun.ErrOutcomeUnknown)
	})
}

func TestMessagesSendBatch(t *testing.T) {
	const n = 2500
	recipients := make([]mailgun.BatchRecipient, n)
	for i := range recipients {
		recipients[i].Address = fmt.Sprintf("user%04d@example.org", i)
		if i%2 == 0 {
			recipients[i].Variables = map[string]any{"n": i}
		}
	}
	recipients[1].Address = "Named User <named@example.org>"
	msg := &mailgun.Message{
		From: "news@example.com", Subject: "Hi %recipient.n%", Text: "Number %recipient.n%",
		Attachments: []mailgun.Attachment{{Filename: "a.txt", Content: strings.NewReader("same file in every request")}},
	}

	c, m := newMockClient(t)
	var mu sync.Mutex
	calls := 0
	m.RegisterResponder(http.MethodPost, usMessages, func(r *http.Request) (*http.Response, error) {
		m.record(r)
		mu.Lock()
		calls++
		id := fmt.Sprintf(`{"id":"<batch-%d@example.com>","message":"Queued. Thank you."}`, calls)
		mu.Unlock()
		return httpmock.NewStringResponse(200, id), nil
	})
	res, err := c.Messages.SendBatch(context.Background(), "example.com", msg, recipients)
	require.NoError(t, err)
	require.Len(t, res.Parts, 3)
	ids := map[string]bool{}
	for i, p := range res.Parts {
		assert.Equal(t, i*1000, p.Start)
		assert.Equal(t, min((i+1)*1000, n), p.End)
		assert.Equal(t, fmt.Sprintf("<batch-%d@example.com>", i+1), p.ID)
		assert.Regexp(t, generatedID, p.MessageID)
		ids[p.MessageID] = true
	}
	assert.Len(t, ids, 3, "each request has its own Message-Id")

	reqs := m.sent()
	require.Len(t, reqs, 3)
	for i, req := range reqs {
		parts := multipartParts(t, req)
		var to []string
		var rv map[string]map[string]any
		var file, msgID string
		for _, p := range parts {
			switch p.Name {
			case "to":
				to = append(to, p.Data)
			case "recipient-variables":
				require.NoError(t, json.Unmarshal([]byte(p.Data), &rv))
			case "attachment":
				file = p.Data
			case "h:Message-Id":
				msgID = p.Data
			}
		}
		p := res.Parts[i]
		require.Len(t, to, p.End-p.Start)
		require.Len(t, rv, p.End-p.Start, "a copy of their own for everyone")
		assert.Equal(t, "same file in every request", file, "the attachment is rewound for each request")
		assert.Equal(t, p.MessageID, msgID)
		for j, a := range to {
			assert.Equal(t, recipients[p.Start+j].Address, a)
		}
	}
	assert.Equal(t, map[string]any{"n": float64(0)}, mustRV(t, reqs[0])["user0000@example.org"])
	assert.Equal(t, map[string]any{}, mustRV(t, reqs[0])["named@example.org"], "keyed by the bare address; {} without variables")
	assert.Equal(t, map[string]any{"n": float64(2498)}, mustRV(t, reqs[2])["user2498@example.org"])
}

func mustRV(t *testing.T, req wireRequest) map[string]any {
	t.Helper()
	for _, p := range multipartParts(t, req) {
		if p.Name == "recipient-variables" {
			var rv map[string]any
			require.NoError(t, json.Unmarshal([]byte(p.Data), &rv))
			return rv
		}
	}
	t.Fatal("no recipient-variables")
	return nil
}

func batchOf(n int) []mailgun.BatchRecipient {
	r := make([]mailgun.BatchRecipient, n)
	for i := range r {
		r[i].Address = fmt.Sprintf("u%04d@example.org", i)
	}
	return r
}

func TestMessagesSendBatchStopsAndSaysWhoWasSent(t *testing.T) {
	for _, tc := range []struct {
		name     string
		fail     reply
		sentinel error
		unknown  bool
		message  string
	}{
		{"refused", reply{400, `{"message":"from parameter is missing"}`}, mailgun.ErrBadRequest, false,
			"1000 recipients sent, 0 unknown, not sent from recipient 1000 on"},
		{"outcome unknown", reply{504, `{"message":"Gateway Timeout"}`}, mailgun.ErrOutcomeUnknown, true,
			"1000 recipients sent, 1000 unknown, not sent from recipient 2000 on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := &mailgun.Message{From: "news@example.com", Subject: "s", Text: "t"}
			c, m := newMockClient(t)
			respondSeq(m, http.MethodPost, usMessages, reply{200, queued}, tc.fail)
			_, err := c.Messages.SendBatch(context.Background(), "example.com", msg, batchOf(2500))
			var be *mailgun.BatchSendError
			require.ErrorAs(t, err, &be)
			require.ErrorIs(t, err, tc.sentinel)
			assert.ErrorContains(t, err, tc.message)
			require.Len(t, be.Sent, 1)
			assert.Equal(t, mailgun.BatchPart{Start: 0, End: 1000, MessageID: be.Sent[0].MessageID, ID: "<20240203180000.1a2b3c@example.com>"}, be.Sent[0])
			reqs := m.sent()
			require.Len(t, reqs, 2, "the third request was not sent")
			var se *mailgun.SendError
			require.ErrorAs(t, err, &se)
			form, err := url.ParseQuery(string(reqs[1].Body))
			require.NoError(t, err)
			assert.Equal(t, form.Get("h:Message-Id"), se.MessageID, "the failed request's Message-Id")
			if !tc.unknown {
				assert.Empty(t, be.Unknown, "a 400 means the second request was refused")
				assert.Equal(t, 1000, be.NotSent)
				return
			}
			require.Len(t, be.Unknown, 1)
			assert.Equal(t, mailgun.BatchPart{Start: 1000, End: 2000, MessageID: se.MessageID}, be.Unknown[0])
			assert.Equal(t, 2000, be.NotSent)
			var rv map[string]any
			require.NoError(t, json.Unmarshal([]byte(form.Get("recipient-variables")), &rv))
			assert.Len(t, rv, 1000)
			assert.Contains(t, rv, "u1000@example.org")
			assert.Contains(t, rv, "u1999@example.org")
		})
	}
}

func TestMessagesSendBatchRejectsBadInput(t *testing.T) {
	ok := func() *mailgun.Message { return &mailgun.Message{From: "a@example.com", Subject: "s", Text: "t"} }
	plain := iotest.HalfReader(strings.NewReader("x"))
	cases := map[string]struct {
		msg        *mailgun.Message
		recipients []mailgun.BatchRecipient
	}{
		"nil message":        {nil, batchOf(2)},
		"no recipients":      {ok(), nil},
		"to set":             {&mailgun.Message{From: "a@example.com", Subject: "s", Text: "t", To: []string{"x@example.org"}}, batchOf(2)},
		"cc set":             {&mailgun.Message{From: "a@example.com", Subject: "s", Text: "t", Cc: []string{"x@example.org"}}, batchOf(2)},
		"recipient vars set": {&mailgun.Message{From: "a@example.com", Subject: "s", Text: "t", RecipientVariables: map[string]map[string]any{}}, batchOf(2)},
		"duplicate address": {ok(), []mailgun.BatchRecipient{
			{Address: "Ann <ann@example.org>"}, {Address: "ANN@example.org"},
		}},
		"two addresses in one": {ok(), []mailgun.BatchRecipient{{Address: "a@example.org, b@example.org"}}},
		"not an address":       {ok(), []mailgun.BatchRecipient{{Address: "ann"}}},
		"message id, 2 requests": {&mailgun.Message{From: "a@example.com", Subject: "s", Text: "t", MessageID: "x@y"},
			batchOf(1001)},
		"plain reader, 2 requests": {&mailgun.Message{From: "a@example.com", Subject: "s", Text: "t",
			Attachments: []mailgun.Attachment{{Filename: "s.bin", Content: plain}}}, batchOf(1001)},
		"bad message":      {&mailgun.Message{Subject: "s", Text: "t"}, batchOf(2)},
		"bad variables":    {ok(), []mailgun.BatchRecipient{{Address: "a@example.org", Variables: map[string]any{"c": make(chan int)}}}},
		"line break":       {ok(), []mailgun.BatchRecipient{{Address: "a@example.org\nBcc: x@y"}}},
		"last part broken": {ok(), append(batchOf(1500), mailgun.BatchRecipient{Address: "broken"})},
	}
	c, m := newMockClient(t)
	m.respond(http.MethodPost, usMessages, 200, []byte(queued))
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := c.Messages.SendBatch(context.Background(), "example.com", tc.msg, tc.recipients)
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
		})
	}
	_, err := c.Messages.SendBatch(context.Background(), "", ok(), batchOf(1))
	assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
	assert.Empty(t, m.sent())

	// One request may keep the caller's Message-Id and a plain reader.
	msg := ok()
	msg.MessageID = "one@example.com"
	msg.Attachments = []mailgun.Attachment{{Filename: "s.bin", Content: plain}}
	res, err := c.Messages.SendBatch(context.Background(), "example.com", msg, batchOf(1000))
	require.NoError(t, err)
	assert.Equal(t, "<one@example.com>", res.Parts[0].MessageID)
}

func TestMessagesSendMIMEWire(t *testing.T) {
	const raw = "From: a@example.com\r\nTo: b@example.org\r\nSubject: MIME\r\nMessage-Id: <mime-1@example.com>\r\n\r\nbody\r\n"
	c, m := newMockClient(t)
	respondSeq(m, http.MethodPost, usMIME, reply{429, `{"message":"slow down"}`}, reply{200, queued})
	res, err := c.Messages.SendMIME(context.Background(), "example.com", []string{"b@example.org", "Carol <c@example.org>"}, strings.NewReader(raw))
	require.NoError(t, err)
	assert.Equal(t, "<20240203180000.1a2b3c@example.com>", res.ID)
	reqs := m.sent()
	require.Len(t, reqs, 2, "a seekable MIME is sent again after a 429")
	for _, req := range reqs {
		assert.Equal(t, "/v3/example.com/messages.mime", req.RequestURI)
		assert.Equal(t, []sentPart{
			formtest.Field("to", "b@example.org"),
			formtest.Field("to", "Carol <c@example.org>"),
			formtest.File("message", "message.mime", "message/rfc822", raw),
		}, multipartParts(t, req))
	}

	for name, call := range map[string]func() error{
		"nil mime": func() error {
			_, err := c.Messages.SendMIME(context.Background(), "example.com", []string{"b@example.org"}, nil)
			return err
		},
		"no to": func() error {
			_, err := c.Messages.SendMIME(context.Background(), "example.com", nil, strings.NewReader(raw))
			return err
		},
		"no domain": func() error {
			_, err := c.Messages.SendMIME(context.Background(), " ", []string{"b@example.org"}, strings.NewReader(raw))
			return err
		},
		"bad address": func() error {
			_, err := c.Messages.SendMIME(context.Background(), "example.com", []string{"bob"}, strings.NewReader(raw))
			return err
		},
		"1001 entries": func() error {
			_, err := c.Messages.SendMIME(context.Background(), "example.com", batchAddresses(1001), strings.NewReader(raw))
			return err
		},
	} {
		assert.ErrorIs(t, call(), mailgun.ErrInvalidArgument, name)
	}
	assert.Len(t, m.sent(), 2)
}

func batchAddresses(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("u%d@example.org", i)
	}
	return out
}

func TestMessagesStoredWire(t *testing.T) {
	ctx := context.Background()
	stored := fixture(t, "examples/sending/get-v3-domains-domain-messages-storage-key.200.json")

	t.Run("by key", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, "https://api.mailgun.net/v3/domains/example.com/messages/Aw%2BB%2FC", 200, stored)
		got, err := c.Messages.GetStored(ctx, mailgun.StoredRef{Domain: "example.com", Key: "Aw+B/C"})
		require.NoError(t, err)
		assert.Equal(t, "foo.bar@my-domain.com", got.Sender)
		req := m.only(t)
		assert.Equal(t, "/v3/domains/example.com/messages/Aw%2BB%2FC", req.RequestURI)
		assert.Equal(t, "application/json", req.Header.Get("Accept"))
	})
	t.Run("by storage URL on a storage host", func(t *testing.T) {
		c, m := newMockClient(t)
		link := "https://storage-us-east4.api.mailgun.net/v3/domains/example.com/messages/AwABB1234"
		m.respond(http.MethodGet, link, 200, stored)
		_, err := c.Messages.GetStored(ctx, mailgun.StoredRef{URL: link})
		require.NoError(t, err)
		req := m.only(t)
		assert.Equal(t, "/v3/domains/example.com/messages/AwABB1234", req.RequestURI)
		assert.NotEmpty(t, req.Header.Get("Authorization"), "the key goes to the region's storage host")
	})
	t.Run("EU", func(t *testing.T) {
		c, m := newMockClient(t, mailgun.WithRegion(mailgun.RegionEU))
		link := "https://storage.eu.mailgun.net/v3/domains/example.com/messages/K"
		m.respond(http.MethodGet, link, 200, stored)
		_, err := c.Messages.GetStored(ctx, mailgun.StoredRef{URL: link})
		require.NoError(t, err)
		_, err = c.Messages.GetStored(ctx, mailgun.StoredRef{URL: "https://status.mailgun.net/v3/domains/example.com/messages/K"})
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, "a host under mailgun.net that is no API or storage host")
		assert.Len(t, m.sent(), 1)
	})
	t.Run("custom base URL rebases", func(t *testing.T) {
		m := httpmock.NewMockTransport()
		var got []string
		m.RegisterNoResponder(func(r *http.Request) (*http.Response, error) {
			got = append(got, r.URL.String())
			return httpmock.NewBytesResponse(200, stored), nil
		})
		c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL("https://proxy.internal/mailgun"), mailgun.WithHTTPClient(&http.Client{Transport: m}))
		require.NoError(t, err)
		_, err = c.Messages.GetStored(ctx, mailgun.StoredRef{URL: "https://storage-us-east4.api.mailgun.net/v3/domains/example.com/messages/K"})
		require.NoError(t, err)
		_, err = c.Messages.GetStored(ctx, mailgun.StoredRef{URL: "https://evil.example/v3/domains/example.com/messages/K"})
		require.NoError(t, err)
		assert.Equal(t, []string{
			"https://proxy.internal/mailgun/v3/domains/example.com/messages/K",
			"https://proxy.internal/mailgun/v3/domains/example.com/messages/K",
		}, got, "the key never leaves the configured host")
	})
	t.Run("bad references", func(t *testing.T) {
		c, m := newMockClient(t)
		for name, ref := range map[string]mailgun.StoredRef{
			"empty":            {},
			"no key":           {Domain: "example.com"},
			"no domain":        {Key: "K"},
			"dot key":          {Domain: "example.com", Key: ".."},
			"both":             {URL: "https://api.mailgun.net/v3/domains/example.com/messages/K", Key: "K"},
			"foreign host":     {URL: "https://evil.example/v3/domains/example.com/messages/K"},
			"lookalike host":   {URL: "https://api.mailgun.net.evil.example/v3/domains/example.com/messages/K"},
			"plain http":       {URL: "http://storage.api.mailgun.net/v3/domains/example.com/messages/K"},
			"credentials":      {URL: "https://u:p@api.mailgun.net/v3/domains/example.com/messages/K"},
			"other endpoint":   {URL: "https://api.mailgun.net/v3/example.com/bounces"},
			"no key in URL":    {URL: "https://api.mailgun.net/v3/domains/example.com/messages/"},
			"dot dot":          {URL: "https://api.mailgun.net/v3/domains/example.com/messages/../x"},
			"not a URL":        {URL: "::"},
			"relative":         {URL: "/v3/domains/example.com/messages/K"},
			"longer path":      {URL: "https://api.mailgun.net/v3/domains/example.com/messages/K/x"},
			"version mismatch": {URL: "https://api.mailgun.net/v4/domains/example.com/messages/K"},
		} {
			_, err := c.Messages.GetStored(ctx, ref)
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, name)
			_, err = c.Messages.Resend(ctx, ref, []string{"x@example.org"})
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, name)
		}
		assert.Empty(t, m.sent())
	})
	t.Run("MIME", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usStored, 200, fixture(t, "examples/sending/get-v3-domains-domain-messages-storage-key.200-mime.json"))
		raw, err := c.Messages.GetStoredMIME(ctx, mailgun.StoredRef{Domain: "example.com", Key: "AwABB1234"})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(raw), "Received: by luna.mailgun.net with HTTP;"), string(raw))
		assert.Contains(t, string(raw), "\r\n\r\nHello\r\n")
		assert.Equal(t, "message/rfc2822", m.only(t).Header.Get("Accept"))
	})
	t.Run("resend", func(t *testing.T) {
		c, m := newMockClient(t)
		link := "https://storage-us-east4.api.mailgun.net/v3/domains/example.com/messages/AwABB1234"
		m.respond(http.MethodPost, link, 200, fixture(t, "examples/sending/post-v3-domains-domain-messages-storage-key.200.json"))
		res, err := c.Messages.Resend(ctx, mailgun.StoredRef{URL: link}, []string{"new@example.org", "Other <o@example.org>"})
		require.NoError(t, err)
		assert.Equal(t, &mailgun.SendResult{ID: "message-id", Message: "Queued. Thank you."}, res)
		req := m.only(t)
		assert.Equal(t, "/v3/domains/example.com/messages/AwABB1234", req.RequestURI)
		assert.Equal(t, "application/x-www-form-urlencoded", req.Header.Get("Content-Type"))
		assert.Equal(t, []pair{{"to", "new@example.org"}, {"to", "Other <o@example.org>"}}, formPairs(t, req.Body))
		_, err = c.Messages.Resend(ctx, mailgun.StoredRef{URL: link}, nil)
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
	})
}

// storedRecorder answers every request with a stored message and records
// where it was sent.
type storedRecorder struct {
	mu    sync.Mutex
	hosts []string
}

func (r *storedRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.hosts = append(r.hosts, req.URL.Host)
	r.mu.Unlock()
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body:    io.NopCloser(strings.NewReader(`{"From":"a@example.eu","Subject":"hi","body-mime":"MIME"}`)),
		Request: req,
	}, nil
}

// EU domains' events name storage hosts such as
// storage-europe-west1.api.mailgun.net, under the US API host and not
// under api.eu.mailgun.net (code that rewrites them onto api.eu.mailgun.net
// gets 404s): an EU client sends the request there as it is.
func TestMessagesStoredEUStorageHostUnderUSAPIHost(t *testing.T) {
	rec := &storedRecorder{}
	c, err := mailgun.NewClient(testKey, mailgun.WithRegion(mailgun.RegionEU), mailgun.WithHTTPClient(&http.Client{Transport: rec}))
	require.NoError(t, err)
	ref := mailgun.StoredRef{URL: "https://storage-europe-west1.api.mailgun.net/v3/domains/mg.example.eu/messages/BAABAgBOwN7VlwKy-rBPuLI8IXFCVl0GYg"}
	m, err := c.Messages.GetStored(context.Background(), ref)
	require.NoError(t, err, "an EU storage URL is refused")
	assert.Equal(t, "hi", m.Subject)
	assert.Equal(t, []string{"storage-europe-west1.api.mailgun.net"}, rec.hosts)
}

func TestMessagesStoredDecodesWhatItCan(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		body string
		want func(*testing.T, *mailgun.StoredMessage)
		err  error
	}{
		"wrong field types are dropped": {
			body: `{"sender":1,"recipients":"a@x, b@y","message-headers":[["A","1"],["bad"],7,["B","2"]],"attachments":[{"url":"u","size":"big"},{"name":"ok.txt","size":3}],"body-plain":"hi","content-id-map":{"<c1>":{"name":"logo.png"},"<c2>":"bad","<c3>":{"name":"x.png","size":"big"}}}`,
			want: func(t *testing.T, m *mailgun.StoredMessage) {
				assert.Equal(t, "", m.Sender)
				assert.Equal(t, []string{"a@x", "b@y"}, m.Recipients)
				assert.Equal(t, []mailgun.Header{{Name: "A", Value: "1"}, {Name: "B", Value: "2"}}, m.Headers)
				assert.Equal(t, []mailgun.StoredAttachment{{URL: "u"}, {Name: "ok.txt", Size: 3}}, m.Attachments,
					"an attachment keeps its other fields when one has an unexpected type")
				assert.Equal(t, map[string]mailgun.StoredAttachment{"<c1>": {Name: "logo.png"}, "<c3>": {Name: "x.png"}}, m.ContentIDMap)
				assert.Equal(t, "hi", m.BodyPlain)
			},
		},
		"headers not a list": {body: `{"message-headers":{"a":"b"}}`, want: func(t *testing.T, m *mailgun.StoredMessage) { assert.Empty(t, m.Headers) }},
		"array":              {body: `[]`, err: mailgun.ErrInvalidResponse},
		"null":               {body: `null`, err: mailgun.ErrInvalidResponse},
		"truncated":          {body: `{"sender":"a`, err: mailgun.ErrInvalidResponse},
		"html page":          {body: `<!DOCTYPE html><title>Oops</title>`, err: mailgun.ErrInvalidResponse},
	} {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, usStored, 200, []byte(tc.body))
			got, err := c.Messages.GetStored(ctx, mailgun.StoredRef{Domain: "example.com", Key: "AwABB1234"})
			if tc.err != nil {
				assert.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			tc.want(t, got)
		})
	}
	c, m := newMockClient(t)
	m.respond(http.MethodGet, usStored, 200, []byte(`{"sender":"a@x"}`))
	_, err := c.Messages.GetStoredMIME(ctx, mailgun.StoredRef{Domain: "example.com", Key: "AwABB1234"})
	assert.ErrorIs(t, err, mailgun.ErrInvalidResponse, "no body-mime")
}

func TestMessagesResponseExamples(t *testing.T) {
	ctx := context.Background()
	var covered []string
	check := func(t *testing.T, method, path string, status int, name string) []byte {
		t.Helper()
		body := example(t, "sending/"+name, method, path, status)
		covered = append(covered, name)
		return body
	}
	msg := &mailgun.Message{From: "a@example.com", To: []string{"b@example.org"}, Subject: "s", Text: "t"}

	for _, op := range []struct {
		prefix, url, path string
		send              func(*mailgun.Client) (*mailgun.SendResult, error)
	}{
		{"post-v3-domain-messages", usMessages, "/v3/example.com/messages", func(c *mailgun.Client) (*mailgun.SendResult, error) {
			return c.Messages.Send(ctx, "example.com", msg)
		}},
		{"post-v3-domain-messages-mime", usMIME, "/v3/example.com/messages.mime", func(c *mailgun.Client) (*mailgun.SendResult, error) {
			return c.Messages.SendMIME(ctx, "example.com", []string{"b@example.org"}, strings.NewReader("Subject: x\r\n\r\nbody"))
		}},
		{"post-v3-domains-domain-messages-storage-key", usStored, "/v3/domains/example.com/messages/AwABB1234", func(c *mailgun.Client) (*mailgun.SendResult, error) {
			return c.Messages.Resend(ctx, mailgun.StoredRef{Domain: "example.com", Key: "AwABB1234"}, []string{"b@example.org"})
		}},
	} {
		t.Run(op.prefix, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodPost, op.url, 200, check(t, "POST", op.path, 200, op.prefix+".200.json"))
			res, err := op.send(c)
			require.NoError(t, err)
			assert.Equal(t, &mailgun.SendResult{ID: "message-id", Message: "Queued. Thank you."}, res)
			for _, e := range []struct {
				status   int
				sentinel error
				message  string
			}{
				{400, mailgun.ErrBadRequest, "A simple message describing the issue"},
				{429, mailgun.ErrRateLimited, "account-requests-per-sec limit exceeded"},
				{500, mailgun.ErrServer, "Internal Server Error"},
			} {
				name := fmt.Sprintf("%s.%d.json", op.prefix, e.status)
				if _, err := os.Stat(filepath.Join("testdata", "examples", "sending", name)); err != nil {
					continue
				}
				c, m := newMockClient(t, mailgun.WithMaxRetries(0))
				m.respond(http.MethodPost, op.url, e.status, check(t, "POST", op.path, e.status, name))
				_, err := op.send(c)
				require.ErrorIs(t, err, e.sentinel, name)
				var apiErr *mailgun.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Contains(t, apiErr.Message, e.message)
			}
		})
	}

	t.Run("stored message", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usStored, 200, check(t, "GET", "/v3/domains/example.com/messages/AwABB1234", 200, "get-v3-domains-domain-messages-storage-key.200.json"))
		got, err := c.Messages.GetStored(ctx, mailgun.StoredRef{Domain: "example.com", Key: "AwABB1234"})
		require.NoError(t, err)
		assert.Equal(t, "foo.bar@my-domain.com", got.From)
		assert.Equal(t, "Cool Bar <cool.barr@cool.com>, bar.baz@gmail.com", got.To)
		assert.Equal(t, `"Mailgun is awesome"`, got.Subject)
		assert.Equal(t, "<xxxxxxxxxxxxx.111111111111111@my-domain.com>", got.MessageID)
		assert.Equal(t, "foo.bar@my-domain.com", got.Sender)
		assert.Equal(t, []string{"cool.barr@cool.com", "bar.baz@gmail.com"}, got.Recipients)
		assert.Equal(t, "This is some html", got.BodyPlain)
		assert.Equal(t, "<html>This is some html</html>", got.BodyHTML)
		assert.Equal(t, "This is some html", got.StrippedText)
		assert.Equal(t, "<html>This is some html</html>", got.StrippedHTML)
		assert.Equal(t, "the signature block stripped from the plain text message (if found)", got.StrippedSignature)
		require.Len(t, got.Headers, 8)
		assert.Equal(t, mailgun.Header{Name: "Mime-Version", Value: "1.0"}, got.Headers[0])
		assert.Equal(t, "text/html; charset=ascii", got.Header("content-type"))
		assert.Equal(t, "", got.Header("X-Absent"))
		assert.Equal(t, "my-awesome-template", got.Fields["X-Mailgun-Template-Name"])
		assert.Equal(t, `{"name":"Foo","phrase":"Bar"}`, got.Fields["X-Mailgun-Template-Variables"])
		assert.Equal(t, "Earth", got.Fields["X-Mailgun-Tag"])
		assert.Len(t, got.Fields, 17, "every top-level string field")
	})
	t.Run("stored MIME", func(t *testing.T) {
		name := "get-v3-domains-domain-messages-storage-key.200-mime.json"
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usStored, 200, check(t, "GET", "/v3/domains/example.com/messages/AwABB1234", 200, name))
		raw, err := c.Messages.GetStoredMIME(ctx, mailgun.StoredRef{Domain: "example.com", Key: "AwABB1234"})
		require.NoError(t, err)
		var doc struct {
			MIME string `json:"body-mime"`
		}
		require.NoError(t, json.Unmarshal(fixture(t, "examples/sending/"+name), &doc))
		assert.Equal(t, doc.MIME, string(raw))

		// It decodes as a stored message as well, with its attachments.
		m.respond(http.MethodGet, usStored, 200, fixture(t, "examples/sending/"+name))
		got, err := c.Messages.GetStored(ctx, mailgun.StoredRef{Domain: "example.com", Key: "AwABB1234"})
		require.NoError(t, err)
		assert.Equal(t, []mailgun.StoredAttachment{{
			URL: "https://storage-us-east4.api.mailgun.net/v3/domains/example.com/messages/AwABB1234/attachments/0", ContentType: "text/plain", Name: "notes.txt", Size: 11,
		}}, got.Attachments)
	})
	t.Run("stored 404", func(t *testing.T) {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, usStored, 404, check(t, "GET", "/v3/domains/example.com/messages/AwABB1234", 404, "get-v3-domains-domain-messages-storage-key.404.json"))
		_, err := c.Messages.GetStored(ctx, mailgun.StoredRef{Domain: "example.com", Key: "AwABB1234"})
		require.ErrorIs(t, err, mailgun.ErrNotFound)
		assert.ErrorContains(t, err, "Message not found")
	})
	suppressionCoverExamples(t, "sending", covered)
}

func TestClientDoMultipart(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodPost, usMessages, 200, []byte(queued))
	var out struct{ ID string }
	body := mailgun.Multipart{
		Fields: url.Values{"from": {"a@example.com"}, "to": {"b@example.org", "c@example.org"}, "subject": {"s"}, "text": {"t"}},
		Files:  []mailgun.FormFile{{Field: "attachment", Attachment: mailgun.Attachment{Filename: "a.txt", Content: strings.NewReader("file")}}},
	}
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/v3/example.com/messages", body, &out))
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/v3/example.com/messages", &body, &out))
	assert.Equal(t, "<20240203180000.1a2b3c@example.com>", out.ID)
	reqs := m.sent()
	require.Len(t, reqs, 2)
	assert.Equal(t, []sentPart{
		formtest.Field("from", "a@example.com"),
		formtest.Field("subject", "s"),
		formtest.Field("text", "t"),
		formtest.Field("to", "b@example.org"),
		formtest.Field("to", "c@example.org"),
		formtest.File("attachment", "a.txt", "application/octet-stream", "file"),
	}, multipartParts(t, reqs[0]))

	for name, b := range map[string]any{
		"nil":            (*mailgun.Multipart)(nil),
		"bad file":       mailgun.Multipart{Files: []mailgun.FormFile{{Field: "attachment"}}},
		"empty field":    mailgun.Multipart{Files: []mailgun.FormFile{{Attachment: mailgun.Attachment{Filename: "a", Content: strings.NewReader("x")}}}},
		"bad field name": mailgun.Multipart{Fields: url.Values{"a\r\nb": {"x"}}},
	} {
		err := c.Do(context.Background(), http.MethodPost, "/v3/example.com/messages", b, nil)
		assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, name)
	}
	assert.Len(t, m.sent(), 2)
}

// TestMessagesSendStreams20MBAttachment shows that an attachment is
// copied into the request as it is sent: the live heap stays far below
// the attachment's size while a server reads a 20 MiB file.
func TestMessagesSendStreams20MBAttachment(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 20 MiB")
	}
	const size = 20 << 20
	path := filepath.Join(t.TempDir(), "big.bin")
	f, err := os.Create(path)
	require.NoError(t, err)
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	for written := 0; written < size; written += len(chunk) {
		_, err := f.Write(chunk)
		require.NoError(t, err)
	}
	require.NoError(t, f.Close())
	chunk = nil

	base := suppressionHeap()
	var peak uint64
	var received int64
	srv := newSendServer(t, func(name string, r io.Reader) {
		if name != "attachment" {
			return
		}
		buf := make([]byte, 64<<10)
		next := int64(0)
		for {
			n, err := r.Read(buf)
			received += int64(n)
			if received >= next {
				next += 4 << 20
				if h := suppressionHeap(); h > base {
					peak = max(peak, h-base)
				}
			}
			if err != nil {
				return
			}
		}
	})
	c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(srv.URL))
	require.NoError(t, err)
	_, err = c.Messages.Send(context.Background(), "example.com", &mailgun.Message{
		From: "a@example.com", To: []string{"b@example.org"}, Subject: "big", Text: "see attachment",
		Attachments: []mailgun.Attachment{mailgun.FileAttachment(path)},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(size), received, "the whole file arrived")
	t.Logf("sent %d MiB; peak live heap growth %d KiB", size>>20, peak>>10)
	assert.Less(t, peak, uint64(4<<20), "the attachment is streamed, not buffered")
}

// newSendServer stands in for the send endpoint: it reads the multipart
// request part by part (each part's reader to read), and answers queued.
func newSendServer(t *testing.T, read func(name string, r io.Reader)) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mr, err := r.MultipartReader()
		if err != nil {
			http.Error(w, `{"message":"not multipart"}`, http.StatusBadRequest)
			return
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			read(p.FormName(), p)
			_, _ = io.Copy(io.Discard, p)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, queued)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// FuzzStoredMessageDecodeBody: any body decodes or fails, never panics.
func FuzzStoredMessageDecodeBody(f *testing.F) {
	for _, name := range []string{"get-v3-domains-domain-messages-storage-key.200.json", "get-v3-domains-domain-messages-storage-key.200-mime.json"} {
		f.Add(fixture(f, "examples/sending/"+name))
	}
	f.Add([]byte(`{"message-headers":[["a"],null,["b","c","d"]],"attachments":{},"content-id-map":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var m mailgun.StoredMessage
		if m.DecodeBody(data) == nil {
			_ = m.Header("From")
		}
	})
}

// recordingTransport answers every request with queued and keeps it.
type recordingTransport struct{ reqs []wireRequest }

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	rt.reqs = append(rt.reqs, wireRequest{Method: r.Method, RequestURI: r.URL.RequestURI(), Header: r.Header.Clone(), Body: b})
	return httpmock.NewStringResponse(200, queued), nil
}

// FuzzSendEncodesFaithfully: Send either refuses a message before sending
// it, or sends exactly its values, as a form or as multipart.
func FuzzSendEncodesFaithfully(f *testing.F) {
	f.Add("Ann <a@example.com>", "b@example.org, \"Doe, J\" <j@example.org>", "Hi ü", "text\r\nbody", "X-Tag", "v", "", "file.txt")
	f.Add("a@x", "b@y", "s", "t", "Reply-To", "r@x", "tag", "")
	f.Add("a@x", "<b@y>", "s\n", "", "X A", "\r", " ", "a\"b\\c.txt")
	f.Fuzz(func(t *testing.T, from, to, subject, text, header, value, tag, filename string) {
		rt := &recordingTransport{}
		c, err := mailgun.NewClient(testKey, mailgun.WithHTTPClient(&http.Client{Transport: rt}), mailgun.WithMaxRetries(0))
		require.NoError(t, err)
		msg := &mailgun.Message{From: from, To: []string{to}, Subject: subject, Text: text, Headers: map[string]string{header: value}}
		if tag != "" {
			msg.Tags = []string{tag}
		}
		if filename != "" {
			msg.Attachments = []mailgun.Attachment{{Filename: filename, Content: strings.NewReader(text)}}
		}
		_, err = c.Messages.Send(context.Background(), "example.com", msg)
		if err != nil {
			require.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			require.Empty(t, rt.reqs)
			return
		}
		require.Len(t, rt.reqs, 1)
		req := rt.reqs[0]
		got := map[string][]string{}
		var file *formtest.Part
		if filename == "" {
			form, err := url.ParseQuery(string(req.Body))
			require.NoError(t, err)
			got = form
		} else {
			parts, err := formtest.Parts(req.Header.Get("Content-Type"), req.Body)
			require.NoError(t, err)
			for i, p := range parts {
				if p.Name == "attachment" {
					file = &parts[i]
					continue
				}
				got[p.Name] = append(got[p.Name], p.Data)
			}
			require.NotNil(t, file)
			assert.Equal(t, text, file.Data)
		}
		assert.Equal(t, []string{from}, got["from"])
		assert.Equal(t, []string{to}, got["to"])
		assert.Equal(t, []string{subject}, got["subject"])
		assert.Equal(t, []string{text}, got["text"])
		if !strings.EqualFold(header, "Message-Id") {
			assert.Equal(t, []string{value}, got["h:"+header])
		}
		if tag != "" {
			assert.Equal(t, []string{tag}, got["o:tag"])
		}
	})
}

// TestMessagesFakeRoundTrip sends through mailguntest and reads the
// message back through the API as a caller would, every request and
// response checked against the contract.
func TestMessagesFakeRoundTrip(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	// A fake without the send endpoint answers 404 (400 here: no from).
	probe := srv.Client().Do(ctx, http.MethodPost, "/v3/example.com/messages", url.Values{"to": {"a@example.org"}}, nil)
	if errors.Is(probe, mailgun.ErrNotFound) {
		t.Skip("this mailguntest does not accept sends")
	}
	require.ErrorIs(t, probe, mailgun.ErrBadRequest, "the fake validates sends")
	msg := &mailgun.Message{
		From: "Tea Shop <shop@example.com>", To: []string{"Alice <alice@example.org>"},
		Subject: "Your receipt", Text: "Thank you.", HTML: "<p>Thank you.</p>",
		Tags: []string{"receipt"}, Variables: map[string]string{"order": "42"},
		MessageID:   "order-42@example.com",
		Attachments: []mailgun.Attachment{{Filename: "receipt.txt", ContentType: "text/plain", Content: strings.NewReader("1 x green tea\n")}},
	}
	res, err := c.Messages.Send(ctx, "example.com", msg)
	require.NoError(t, err)
	assert.Equal(t, "<order-42@example.com>", res.ID, "the fake keeps the Message-Id the SDK sent")

	// Find the message as a caller reconciling an unknown outcome would.
	var accepted *mailgun.Event
	q := &mailgun.EventsQuery{EventFilter: mailgun.EventFilter{MessageID: res.ID, Event: mailgun.EventAccepted}, Ascending: true}
	for e, err := range c.Events.List(ctx, "example.com", q) {
		require.NoError(t, err)
		accepted = &e
		break
	}
	require.NotNil(t, accepted, "the accepted event is found by Message-Id")
	require.NotNil(t, accepted.Storage)
	assert.Equal(t, []string{"receipt"}, accepted.Tags)

	ref := mailgun.StoredRef{URL: accepted.Storage.URL}
	stored, err := c.Messages.GetStored(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, "Your receipt", stored.Subject)
	assert.Equal(t, "<order-42@example.com>", stored.MessageID)
	assert.Equal(t, "Thank you.", strings.TrimSpace(stored.BodyPlain))
	require.Len(t, stored.Attachments, 1)
	assert.Equal(t, "receipt.txt", stored.Attachments[0].Name)
	assert.Equal(t, int64(len("1 x green tea\n")), stored.Attachments[0].Size)
	byKey, err := c.Messages.GetStored(ctx, mailgun.StoredRef{Domain: "example.com", Key: accepted.Storage.Key})
	require.NoError(t, err)
	assert.Equal(t, stored, byKey)

	raw, err := c.Messages.GetStoredMIME(ctx, ref)
	require.NoError(t, err)
	assert.Contains(t, string(raw), "Subject: Your receipt")

	resent, err := c.Messages.Resend(ctx, ref, []string{"bob@example.net"})
	require.NoError(t, err)
	assert.NotEqual(t, res.ID, resent.ID)

	again, err := c.Messages.SendMIME(ctx, "example.com", []string{"carol@example.org"}, bytes.NewReader(raw))
	require.NoError(t, err)
	assert.NotEmpty(t, again.ID)

	batch, err := c.Messages.SendBatch(ctx, "example.com", &mailgun.Message{From: "news@example.com", Subject: "Hi %recipient.name%", Text: "Hello"},
		[]mailgun.BatchRecipient{{Address: "a@example.org", Variables: map[string]any{"name": "A"}}, {Address: "b@example.org"}})
	require.NoError(t, err)
	require.Len(t, batch.Parts, 1)
	assert.Equal(t, batch.Parts[0].MessageID, batch.Parts[0].ID)

	// What the fake refuses comes back as the API's errors.
	_, err = c.Messages.GetStored(ctx, mailgun.StoredRef{Domain: "example.com", Key: "no-such-key"})
	assert.ErrorIs(t, err, mailgun.ErrNotFound)
}

// stuckSeeker gives n bytes, then blocks in Read until release closes.
type stuckSeeker struct {
	n, off  int64
	release chan struct{}
}

func (s *stuckSeeker) Read(p []byte) (int, error) {
	if s.off >= s.n {
		<-s.release
		return 0, errors.New("released")
	}
	k := min(int64(len(p)), s.n-s.off)
	clear(p[:k])
	s.off += k
	return int(k), nil
}

func (s *stuckSeeker) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekEnd {
		return 0, errors.New("no end")
	}
	if whence == io.SeekCurrent {
		off += s.off
	}
	s.off = off
	return off, nil
}

// An attempt that ends on the idle timeout while a read is blocked in a
// seekable attachment (a stalled network ReadSeeker, a hung NFS file)
// returns soon after it: no retry can follow (a POST whose outcome is
// unknown), so nothing waits for the read, and the transport is not held
// up by it either.
func TestMessagesSendStuckSeekableAttachmentReturnsAfterIdleTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer srv.Close()
	c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(srv.URL),
		mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 1, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, IdleTimeout: 200 * time.Millisecond}))
	require.NoError(t, err)
	src := &stuckSeeker{n: 1000, release: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		_, err := c.Messages.Send(context.Background(), "mg.example.com", &mailgun.Message{
			From: "a@mg.example.com", To: []string{"b@example.org"}, Subject: "s", Text: "t",
			Attachments: []mailgun.Attachment{{Filename: "a.bin", Content: src}},
		})
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(5 * time.Second):
		t.Errorf("Send still running 5 s after a 200 ms idle timeout")
		close(src.release)
		t.Logf("after release: %v", <-done)
		return
	}
	close(src.release)
}

// Send to a host whose certificate does not verify never sent the
// message: its error does not match ErrOutcomeUnknown (which would tell
// the caller to search Logs before sending again).
func TestMessagesSendTLSFailureIsNotOutcomeUnknown(t *testing.T) {
	var reached atomic.Bool
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Store(true) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	hc := &http.Client{Transport: &http.Transport{}}
	defer hc.CloseIdleConnections()
	c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(srv.URL), mailgun.WithHTTPClient(hc),
		mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	require.NoError(t, err)
	_, err = c.Messages.Send(context.Background(), "mg.example.com", &mailgun.Message{
		From: "a@mg.example.com", To: []string{"b@example.org"}, Subject: "s", Text: "t",
	})
	require.Error(t, err)
	assert.False(t, reached.Load())
	assert.False(t, errors.Is(err, mailgun.ErrOutcomeUnknown), "never sent, reported unknown: %v", err)
}
