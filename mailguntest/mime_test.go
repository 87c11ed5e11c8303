package mailguntest

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBuildMIMEReadsBack(t *testing.T) {
	m := &Message{
		ID: "x.1@mg.example.com", From: "Shop <shop@mg.example.com>", To: []string{"Ann <ann@example.org>", "ben@example.org"},
		Cc: []string{"cc@example.org"}, Bcc: []string{"hidden@example.org"}, Subject: "Grüße", AMPHTML: "<html amp4email></html>",
		Tags: []string{"a", "b"}, Headers: http.Header{"Reply-To": {"help@example.org"}},
		Attachments: []Attachment{{Filename: "report.pdf", ContentType: "application/pdf", Data: bytes.Repeat([]byte{0, 1, 2, 255}, 100)}},
		Inline:      []Attachment{{Filename: "logo.png", ContentType: "image/png", Data: []byte("png")}},
	}
	text, html := "Hello = world, a long line "+strings.Repeat("x", 100), "<p>Hi</p>"
	headers, body := buildMIME(m, map[string]any{"k": "v", "n": 0.0}, text, html, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	raw := (&storedMessage{headers: headers, body: body}).mime()

	h, b, c, err := parseMIME(raw)
	require.NoError(t, err)
	assert.Equal(t, headers, h)
	assert.Equal(t, body, b)
	assert.Equal(t, text, c.text)
	assert.Equal(t, html, c.html)
	assert.Equal(t, m.Attachments, c.attachments)
	assert.Equal(t, m.Inline, c.inline)
	st := &storedMessage{headers: h}
	assert.Equal(t, "Grüße", decodeHeader(st.header("Subject")))
	assert.Equal(t, "Ann <ann@example.org>, ben@example.org", st.header("To"))
	assert.Equal(t, "<x.1@mg.example.com>", st.header("Message-Id"))
	assert.Equal(t, `{"k":"v","n":0}`, st.header("X-Mailgun-Variables"))
	assert.Equal(t, "help@example.org", st.header("Reply-To"))
	assert.Empty(t, st.header("Bcc"))

	// A text-only message is one part, no multipart.
	headers, body = buildMIME(&Message{ID: "y@d.example"}, nil, "just text", "", time.Now())
	assert.Equal(t, "text/plain; charset=utf-8", (&storedMessage{headers: headers}).header("Content-Type"))
	assert.Equal(t, "just text", string(body))
}

func TestParseMIMERejects(t *testing.T) {
	for name, raw := range map[string]string{
		"no header":         "\r\nbody",
		"not a header":      "this is not a header\r\n\r\nbody",
		"multipart, no end": "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx",
		"multipart, no bnd": "Content-Type: multipart/mixed\r\n\r\nx",
		"bad base64":        "Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!",
		"too deeply nested": strings.Repeat("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n", 12),
		"empty header name": ": value\r\n\r\nbody",
		"space in a name":   "Bad Name: value\r\n\r\nbody",
	} {
		_, _, _, err := parseMIME([]byte(raw))
		assert.ErrorIs(t, err, errBadMIME, name)
	}
	// LF line ends and folded headers are read.
	h, b, c, err := parseMIME([]byte("Subject: a\n  folded\nX: y\n\nbody\n"))
	require.NoError(t, err)
	assert.Equal(t, [][2]string{{"Subject", "a folded"}, {"X", "y"}}, h)
	assert.Equal(t, "body\n", string(b))
	assert.Equal(t, "body\n", c.text)
}

// FuzzParseMIME checks that any upload is read or refused without a panic.
func FuzzParseMIME(f *testing.F) {
	headers, body := buildMIME(&Message{ID: "f@d.example", Attachments: []Attachment{{Filename: "a", ContentType: "text/plain", Data: []byte("a")}}}, nil, "t", "<p>h</p>", time.Now())
	f.Add((&storedMessage{headers: headers, body: body}).mime())
	f.Add([]byte("Subject: x\r\n\r\nbody"))
	f.Add([]byte("Content-Type: multipart/alternative; boundary=q\r\n\r\n--q\r\n\r\nx\r\n--q--\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		h, _, _, err := parseMIME(raw)
		if err == nil && len(h) == 0 {
			t.Fatal("a message without headers was accepted")
		}
	})
}
