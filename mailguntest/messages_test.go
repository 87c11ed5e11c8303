package mailguntest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestSendMultipartAttachmentsRecorded(t *testing.T) {
	l := newLifecycle(t)
	pdf := bytes.Repeat([]byte("%PDF-1.4 "), 1000)
	png := []byte("\x89PNG\r\n\x1a\nfake image")
	fields := basic("Ann <ann@example.org>")
	fields.Set("html", `<p>See <img src="cid:logo.png"></p>`)
	fields["cc"] = []string{"cc1@example.org, Cc Two <cc2@example.org>"}
	fields.Set("bcc", "hidden@example.org")
	fields["o:tag"] = []string{"invoice", "march"}
	fields.Set("o:tracking-clicks", "htmlonly")
	fields.Set("amp-html", "<html amp4email></html>")
	ct, body := multipartWithFiles(t, fields,
		filePart{"attachment", "invoice.pdf", "application/octet-stream", pdf},
		filePart{"attachment", "notes.txt", "text/plain; charset=utf-8", []byte("notes")},
		filePart{"inline", "logo.png", "image/png", png},
	)
	r := l.raw(t, "POST", "/v3/"+domain+"/messages", ct, body)
	require.Equal(t, 200, r.status, string(r.body))
	var res sendResult
	require.NoError(t, json.Unmarshal(r.body, &res))

	msg, ok := l.srv.Message(res.ID)
	require.True(t, ok)
	assert.Equal(t, domain, msg.Domain)
	assert.Equal(t, "Sender <sender@"+domain+">", msg.From)
	assert.Equal(t, []string{"Ann <ann@example.org>"}, msg.To)
	assert.Equal(t, []string{"cc1@example.org", "Cc Two <cc2@example.org>"}, msg.Cc, "comma lists are split")
	assert.Equal(t, []string{"hidden@example.org"}, msg.Bcc)
	assert.Equal(t, "Hello", msg.Subject)
	assert.Equal(t, "Hi there", msg.Text)
	assert.Equal(t, "<html amp4email></html>", msg.AMPHTML)
	assert.Equal(t, []string{"invoice", "march"}, msg.Tags)
	assert.Equal(t, map[string]string{"tracking-clicks": "htmlonly"}, msg.Options)
	assert.Equal(t, []mailguntest.Attachment{
		{Filename: "invoice.pdf", ContentType: "application/pdf", Data: pdf},
		{Filename: "notes.txt", ContentType: "text/plain; charset=utf-8", Data: []byte("notes")},
	}, msg.Attachments, "a generic content type is replaced by the file name's")
	assert.Equal(t, []mailguntest.Attachment{{Filename: "logo.png", ContentType: "image/png", Data: png}}, msg.Inline)
	var addrs []string
	for _, rc := range msg.Recipients {
		addrs = append(addrs, rc.Address)
	}
	assert.Equal(t, []string{"ann@example.org", "cc1@example.org", "cc2@example.org", "hidden@example.org"}, addrs)

	// The stored MIME is a real message with every part.
	parsed, err := mail.ReadMessage(bytes.NewReader(msg.MIME))
	require.NoError(t, err)
	assert.Equal(t, "<"+msg.ID+">", parsed.Header.Get("Message-Id"))
	assert.Empty(t, parsed.Header.Get("Bcc"))
	assert.Contains(t, parsed.Header.Get("Content-Type"), "multipart/mixed")

	// Copies: changing what Messages returned changes nothing stored.
	msg.Attachments[0].Data[0] = 'X'
	msg.Tags[0] = "changed"
	again, _ := l.srv.Message(res.ID)
	assert.Equal(t, pdf, again.Attachments[0].Data)
	assert.Equal(t, "invoice", again.Tags[0])

	ev := l.events(t, res.ID)[0]
	assert.Equal(t, []mailgun.EventAttachment{
		{Filename: "invoice.pdf", ContentType: "application/pdf", Size: int64(len(pdf))},
		{Filename: "notes.txt", ContentType: "text/plain; charset=utf-8", Size: 5},
		{Filename: "logo.png", ContentType: "image/png", Size: int64(len(png))},
	}, ev.Message.Attachments)
	assert.Greater(t, ev.Message.Size, int64(len(pdf)))
	assert.Len(t, l.srv.Messages(domain), 1)
	assert.Empty(t, l.srv.Messages("other.example"))
}

const uploadedMIME = "From: Ann <ann@" + domain + ">\r\n" +
	"To: Someone <someone@example.org>\r\n" +
	"Subject: =?utf-8?q?Caf=C3=A9?=\r\n" +
	"X-Custom: folded\r\n value\r\n" +
	"Content-Type: multipart/mixed; boundary=b1\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: multipart/alternative; boundary=b2\r\n" +
	"\r\n" +
	"--b2\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Caf=C3=A9 time\r\n" +
	"--b2\r\n" +
	"Content-Type: text/html\r\n" +
	"\r\n" +
	"<b>hi</b>\r\n" +
	"--b2--\r\n" +
	"--b1\r\n" +
	"Content-Type: text/csv; name=data.csv\r\n" +
	"Content-Disposition: attachment; filename=data.csv\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"YSxiCjEsMgo=\r\n" +
	"--b1--\r\n"

func TestSendMIME(t *testing.T) {
	l := newLifecycle(t)
	ct, body := multipartWithFiles(t, url.Values{"to": {"envelope@example.org"}, "o:tag": {"mime"}, "v:k": {"v"}},
		filePart{"message", "message.mime", "message/rfc822", []byte(uploadedMIME)})
	r := l.raw(t, "POST", "/v3/"+domain+"/messages.mime", ct, body)
	require.Equal(t, 200, r.status, string(r.body))
	checkContract(t, "POST", "/v3/"+domain+"/messages.mime", r)
	var res sendResult
	require.NoError(t, json.Unmarshal(r.body, &res))

	msg, ok := l.srv.Message(res.ID)
	require.True(t, ok)
	assert.True(t, msg.MIMESend)
	assert.Equal(t, "Ann <ann@"+domain+">", msg.From)
	assert.Equal(t, "Café", msg.Subject)
	assert.Equal(t, "Café time", strings.TrimSpace(msg.Text))
	assert.Equal(t, "<b>hi</b>", msg.HTML)
	assert.Equal(t, []mailguntest.Attachment{{Filename: "data.csv", ContentType: "text/csv", Data: []byte("a,b\n1,2\n")}}, msg.Attachments)
	assert.Equal(t, []string{"envelope@example.org"}, msg.To, "the envelope recipients")
	assert.Equal(t, []string{"mime"}, msg.Tags)
	assert.Equal(t, map[string]string{"k": "v"}, msg.UserVariables)
	// Stored as uploaded, with the Message-Id Mailgun adds.
	assert.True(t, bytes.HasPrefix(msg.MIME, []byte("From: Ann")))
	assert.Contains(t, string(msg.MIME), "X-Custom: folded value\r\nContent-Type: multipart/mixed; boundary=b1\r\nMessage-Id: <"+msg.ID+">\r\n\r\n--b1")

	l.clock.Advance(time.Second)
	events := l.events(t, res.ID)
	require.Equal(t, []string{"accepted", "delivered"}, names(events))
	assert.Equal(t, "envelope@example.org", events[1].Recipient)
	assert.Equal(t, "Someone <someone@example.org>", events[1].Message.Headers.To, "the MIME's To header")
	assert.Equal(t, "ann@"+domain, events[1].Envelope.Sender)

	// A Message-Id in the uploaded MIME is kept.
	withID := "Message-Id: <mine@" + domain + ">\r\n" + uploadedMIME
	ct, body = multipartWithFiles(t, url.Values{"to": {"x@example.org"}}, filePart{"message", "m.eml", "message/rfc822", []byte(withID)})
	r = l.raw(t, "POST", "/v3/"+domain+"/messages.mime", ct, body)
	require.Equal(t, 200, r.status, string(r.body))
	assert.JSONEq(t, `{"id": "<mine@`+domain+`>", "message": "Queued. Thank you."}`, string(r.body))

	for name, tc := range map[string]struct {
		fields url.Values
		files  []filePart
		want   string
	}{
		"no to":      {url.Values{}, []filePart{{"message", "m", "message/rfc822", []byte(uploadedMIME)}}, "to parameter is missing"},
		"no message": {url.Values{"to": {"a@example.org"}}, nil, "message parameter is missing"},
		"not MIME":   {url.Values{"to": {"a@example.org"}}, []filePart{{"message", "m", "message/rfc822", []byte("just text")}}, "message is not a valid MIME message"},
	} {
		ct, body := multipartWithFiles(t, tc.fields, tc.files...)
		r := send(t, l.srv, "POST", "/v3/"+domain+"/messages.mime", ct, body)
		assert.Equal(t, 400, r.status, name)
		assert.JSONEq(t, fmt.Sprintf(`{"message": %q}`, tc.want), string(r.body), name)
		checkContract(t, "POST", "/v3/"+domain+"/messages.mime", r)
	}
	r = send(t, l.srv, "POST", "/v3/"+domain+"/messages.mime", form, []byte("to=a%40example.org"))
	assert.Equal(t, 400, r.status, "multipart only")
}

func TestStoredMessageGetAndResend(t *testing.T) {
	l := newLifecycle(t)
	fields := basic("first@example.org")
	fields.Set("html", `<p><img src="cid:logo.png"></p>`)
	fields.Set("o:tag", "t1")
	ct, body := multipartWithFiles(t, fields,
		filePart{"attachment", "a.txt", "text/plain", []byte("attached")},
		filePart{"inline", "logo.png", "image/png", []byte("png")})
	r := l.raw(t, "POST", "/v3/"+domain+"/messages", ct, body)
	require.Equal(t, 200, r.status, string(r.body))
	var res sendResult
	require.NoError(t, json.Unmarshal(r.body, &res))
	l.clock.Advance(time.Second)

	// The storage URL of the events is where the message is fetched.
	storageURL := l.events(t, res.ID)[1].Storage.URL
	path := strings.TrimPrefix(storageURL, l.srv.URL())
	r = l.raw(t, "GET", path, "", nil)
	require.Equal(t, 200, r.status, string(r.body))
	var stored map[string]any
	require.NoError(t, json.Unmarshal(r.body, &stored))
	assert.Equal(t, "sender@"+domain, stored["sender"])
	assert.Equal(t, "first@example.org", stored["recipients"])
	assert.Equal(t, "Hello", stored["Subject"])
	assert.Equal(t, res.ID, stored["Message-Id"])
	assert.Equal(t, "t1", stored["X-Mailgun-Tag"])
	assert.Equal(t, "Hi there", stored["body-plain"])
	assert.Equal(t, `<p><img src="cid:logo.png"></p>`, stored["body-html"])
	assert.Contains(t, stored["message-headers"], []any{"Subject", "Hello"})
	attachments := stored["attachments"].([]any)
	require.Len(t, attachments, 1)
	a := attachments[0].(map[string]any)
	assert.Equal(t, "a.txt", a["name"])
	assert.EqualValues(t, 8, a["size"])
	cid := stored["content-id-map"].(map[string]any)["<logo.png>"].(map[string]any)
	assert.Equal(t, "image/png", cid["content-type"])

	// Attachment links serve the bytes.
	for link, want := range map[string]string{a["url"].(string): "attached", cid["url"].(string): "png"} {
		resp := send(t, l.srv, "GET", strings.TrimPrefix(link, l.srv.URL()), "", nil)
		assert.Equal(t, 200, resp.status)
		assert.Equal(t, want, string(resp.body))
	}
	assert.Equal(t, 404, send(t, l.srv, "GET", path+"/attachments/9", "", nil).status)

	// Accept: message/rfc2822 answers the raw MIME.
	r = l.raw(t, "GET", path, "", nil, "Accept", "message/rfc2822")
	require.Equal(t, 200, r.status)
	stored = nil
	require.NoError(t, json.Unmarshal(r.body, &stored))
	msg, _ := l.srv.Message(res.ID)
	assert.Equal(t, string(msg.MIME), stored["body-mime"])
	assert.NotContains(t, stored, "body-plain")

	// Resend to new recipients: a new message with the same content.
	r = l.raw(t, "POST", path, form, []byte(url.Values{"to": {"second@example.org", "third@example.org"}}.Encode()))
	require.Equal(t, 200, r.status, string(r.body))
	var again sendResult
	require.NoError(t, json.Unmarshal(r.body, &again))
	assert.NotEqual(t, res.ID, again.ID)
	l.clock.Advance(time.Second)
	resent, ok := l.srv.Message(again.ID)
	require.True(t, ok)
	assert.Equal(t, []string{"second@example.org", "third@example.org"}, resent.To)
	assert.Equal(t, msg.Attachments, resent.Attachments)
	assert.Equal(t, mailguntest.DeliveryDelivered, resent.Recipients[1].State)
	assert.Contains(t, string(resent.MIME), "Message-Id: <"+resent.ID+">")
	assert.Equal(t, []string{"accepted", "accepted", "delivered", "delivered"}, names(l.events(t, again.ID)))

	// Unknown keys, other domains and expired messages are not found.
	notFound := send(t, l.srv, "GET", "/v3/domains/"+domain+"/messages/nope", "", nil)
	assert.Equal(t, 404, notFound.status)
	checkContract(t, "GET", "/v3/domains/"+domain+"/messages/nope", notFound)
	assert.Equal(t, 404, send(t, l.srv, "GET", "/v3/domains/other.example/messages/"+msg.StorageKey, "", nil).status)
	assert.Equal(t, 404, send(t, l.srv, "POST", "/v3/domains/"+domain+"/messages/nope", form, []byte("to=a%40example.org")).status)
	assert.Equal(t, 400, send(t, l.srv, "POST", path, form, nil).status, "to is required")
	l.clock.Advance(73 * time.Hour)
	assert.Equal(t, 404, send(t, l.srv, "GET", path, "", nil).status, "kept about 3 days")
}

func TestSendValidation(t *testing.T) {
	l := newLifecycle(t)
	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("r%d@example.org", i)
	}
	with := func(k, v string) url.Values {
		f := basic("a@example.org")
		f.Set(k, v)
		return f
	}
	without := func(k string) url.Values {
		f := basic("a@example.org")
		f.Del(k)
		return f
	}
	tests := []struct {
		name   string
		fields url.Values
		want   string
	}{
		{"no to", without("to"), "to parameter is missing"},
		{"no from", without("from"), "from parameter is missing"},
		{"no subject", without("subject"), "subject parameter is missing"},
		{"no body", without("text"), "Need at least one of 'text', 'html', 'amp-html' or 'template' parameters specified"},
		{"html and template", url.Values{"to": {"a@example.org"}, "template": {"t"}, "html": {"<p>"}}, "Only one parameters 'html' or 'template' is allowed."},
		{"bad to", with("to", "not an address"), "to parameter is not a valid address. please check documentation"},
		{"bad cc", with("cc", "ok@example.org, not-an-address"), "cc parameter is not a valid address. please check documentation"},
		{"bcc without a dotted domain", with("bcc", "root@localhost"), "bcc parameter is not a valid address. please check documentation"},
		{"bad from", with("from", "nobody"), "from parameter is not a valid address. please check documentation"},
		{"too many recipients", url.Values{"from": {"a@" + domain}, "to": many, "subject": {"s"}, "text": {"t"}}, "Too many recipients, max is 1000"},
		{"bad tracking", with("o:tracking", "maybe"), `o:tracking parameter is not valid: "maybe" (expected one of yes, no, true, false, htmlonly)`},
		{"bad require-tls", with("o:require-tls", "htmlonly"), `o:require-tls parameter is not valid: "htmlonly" (expected one of yes, no, true, false)`},
		{"bad deliver-within", with("o:deliver-within", "2m"), `o:deliver-within parameter is not valid: "2m" (expected from 5m to 24h)`},
		{"bad optimize period", with("o:deliverytime-optimize-period", "12h"), `o:deliverytime-optimize-period parameter is not valid: "12h" (expected a number of hours from 24h to 72h)`},
		{"bad time zone", with("o:time-zone-localize", "25:00"), `o:time-zone-localize parameter is not valid: "25:00" (expected a time of day as HH:mm or hh:mmaa)`},
		{"bad deliverytime", with("o:deliverytime", "tomorrow"), `o:deliverytime parameter is not a valid RFC 2822 date: "tomorrow"`},
		{"too many tags", url.Values{"from": {"a@" + domain}, "to": {"a@example.org"}, "subject": {"s"}, "text": {"t"}, "o:tag": {"1", "2", "3", "4"}}, "Too many tags: a message may have at most 3"},
		{"options too big", with("v:big", strings.Repeat("x", 16<<10+1)), "Send options (parameters starting with o:, h:, or v:) are limited to 16KB total"},
		{"bad recipient-variables", with("recipient-variables", "[1]"), "recipient-variables parameter is not a valid JSON object of objects"},
		{"bad t:variables", url.Values{"to": {"a@example.org"}, "template": {"t"}, "t:variables": {"{"}}, "t:variables parameter is not a valid JSON object"},
		{"bad t:text", url.Values{"to": {"a@example.org"}, "template": {"t"}, "t:text": {"no"}}, `t:text parameter is not valid: "no" (expected yes)`},
		{"bad X-Mailgun-Variables", with("h:X-Mailgun-Variables", "nope"), "h:X-Mailgun-Variables parameter is not a valid JSON object"},
		{"bad X-Mailgun-Template-Variables", url.Values{"to": {"a@example.org"}, "template": {"t"}, "h:X-Mailgun-Template-Variables": {"[]"}}, "h:X-Mailgun-Template-Variables parameter is not a valid JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, l.srv, "POST", "/v3/"+domain+"/messages", form, []byte(tt.fields.Encode()))
			assert.Equal(t, 400, r.status)
			assert.JSONEq(t, fmt.Sprintf(`{"message": %q}`, tt.want), string(r.body))
			checkContract(t, "POST", "/v3/"+domain+"/messages", r)
		})
	}
	assert.Empty(t, l.srv.Messages(domain), "nothing is accepted")
	assert.Empty(t, l.srv.Events(domain))

	// The SDK's client sees them as bad requests (a client without the
	// contract check: the request is invalid on purpose).
	err := l.srv.Client().Do(t.Context(), "POST", "/v3/"+domain+"/messages", without("from"), nil)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "from parameter is missing", apiErr.Message)

	// The body's encoding and size, and the domain.
	r := send(t, l.srv, "POST", "/v3/"+domain+"/messages", "application/json", []byte(`{}`))
	assert.Equal(t, 400, r.status)
	r = send(t, l.srv, "POST", "/v3/not_a_domain/messages", form, []byte(basic("a@example.org").Encode()))
	assert.Equal(t, 404, r.status)
	ct, body := multipartWithFiles(t, basic("a@example.org"), filePart{"attachment", "big.bin", "application/octet-stream", make([]byte, 25<<20)})
	r = send(t, l.srv, "POST", "/v3/"+domain+"/messages", ct, body)
	assert.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	assert.Contains(t, string(r.body), "25MB")

	// Values the API accepts in other spellings.
	ok := basic("a@example.org")
	ok.Set("o:testmode", "true")
	ok.Set("o:tracking", "HTMLONLY")
	ok.Set("o:deliver-within", "1h30m")
	ok.Set("o:time-zone-localize", "09:30am")
	ok.Set("subject", "")
	r = send(t, l.srv, "POST", "/v3/"+domain+"/messages", form, []byte(ok.Encode()))
	require.Equal(t, 200, r.status, string(r.body))
	checkContract(t, "POST", "/v3/"+domain+"/messages", r)
}
