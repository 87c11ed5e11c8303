package mailgun_test

// Regression tests for defects a review of the client found: a retried
// DELETE answered 404, a valid toggle refused, a seekable attachment's size
// unchecked. Each says what went wrong and what is expected.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

// r1Retry keeps these retry tests quick.
var r1Retry = mailgun.WithRetry(mailgun.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond})

// r1Script serves attempt i with steps[i] (the last repeats): a status
// code answered with a JSON message.
func r1Script(t *testing.T, steps ...int) (*mailgun.Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		i := int(n.Add(1)) - 1
		code := steps[min(i, len(steps)-1)]
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = io.WriteString(w, `{"message":"step"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(srv.URL), r1Retry)
	require.NoError(t, err)
	return c, &n
}

// TestDomainWebhooksDeleteRetriedAnswered404IsDone: the doer turns a retried
// DELETE answered 404 (after an attempt that may have deleted it, here a
// 503) into success without decoding a body (internal/doer/doer.go:234),
// but DomainWebhooksService.Delete (domain_webhooks.go, v3 -> webhookReply.urls)
// then demands a "webhook" object and fails with ErrInvalidResponse.
// Expected: nil, as RetryPolicy's doc promises ("A retried DELETE that gets
// 404 after such an attempt returns nil").
func TestDomainWebhooksDeleteRetriedAnswered404IsDone(t *testing.T) {
	c, n := r1Script(t, http.StatusServiceUnavailable, http.StatusNotFound)
	err := c.DomainWebhooks.Delete(context.Background(), "example.com", mailgun.WebhookEventType("delivered"))
	assert.Equal(t, int32(2), n.Load(), "attempts")
	assert.NoError(t, err, "retried DELETE answered 404 must be done")
}

// TestDomainWebhooksDeleteURLsRetriedAnswered404ReadsTheTable: same for the v4 DELETE
// (webhooksReply.table demands "webhooks").
func TestDomainWebhooksDeleteURLsRetriedAnswered404ReadsTheTable(t *testing.T) {
	var methods []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		methods = append(methods, r.Method)
		w.Header().Set("Content-Type", "application/json")
		switch len(methods) {
		case 1:
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, `{"message":"bad gateway"}`)
		case 2:
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"message":"webhook not found"}`)
		default:
			_, _ = io.WriteString(w, `{"webhooks":{"opened":{"urls":["https://other.example.com/mg"]}}}`)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := mailgun.NewClient(testKey, mailgun.WithBaseURL(srv.URL), r1Retry)
	require.NoError(t, err)
	table, err := c.DomainWebhooks.DeleteURLs(context.Background(), "example.com", "https://hooks.example.com/mg")
	require.NoError(t, err, "retried DELETE answered 404 must be done")
	assert.Equal(t, []string{"DELETE", "DELETE", "GET"}, methods, "the table is read with List")
	assert.Equal(t, mailgun.DomainWebhooks{"opened": {"https://other.example.com/mg"}}, table)
}

// TestTemplatesDeleteRetriedAnswered404IsDone: same for TemplatesService.Delete
// and DeleteVersion (templates.go call -> templateReply.template demands
// "template").
func TestTemplatesDeleteRetriedAnswered404IsDone(t *testing.T) {
	c, _ := r1Script(t, http.StatusServiceUnavailable, http.StatusNotFound)
	assert.NoError(t, c.Templates.Delete(context.Background(), "example.com", "welcome"), "Delete")
	c, _ = r1Script(t, http.StatusServiceUnavailable, http.StatusNotFound)
	assert.NoError(t, c.Templates.DeleteVersion(context.Background(), "example.com", "welcome", "v1"), "DeleteVersion")
}

// TestMessagesPixelLocationTopTakesHTMLOnly: the contract
// (testdata/openapi/sending.yaml, o:tracking-pixel-location-top) accepts
// yes/no/true/false/htmlonly, but Message.prepare (messages.go,
// addToggle(..., false)) refuses ToggleHTMLOnly for
// TrackingPixelLocationTop, and Extra cannot carry the key (a typed
// field). A valid option can therefore not be sent at all.
func TestMessagesPixelLocationTopTakesHTMLOnly(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodPost, "https://api.mailgun.net/v3/mg.example.com/messages", http.StatusOK, []byte(`{"id":"<x@mg.example.com>","message":"Queued. Thank you."}`))
	_, err := c.Messages.Send(context.Background(), "mg.example.com", &mailgun.Message{
		From: "a@mg.example.com", To: []string{"b@example.org"}, Subject: "s", HTML: "<p>t</p>",
		TrackingPixelLocationTop: mailgun.ToggleHTMLOnly,
	})
	require.NoError(t, err, "htmlonly is a documented value of o:tracking-pixel-location-top")
}

// r1ZeroReaderAt is size bytes of zeros, without holding them.
type r1ZeroReaderAt struct{}

func (r1ZeroReaderAt) ReadAt(p []byte, _ int64) (int, error) { clear(p); return len(p), nil }

// TestMessagesSeekableAttachmentSizeChecked: Attachment.check
// (messages.go, "if l, ok := a.Content.(interface{ Len() int })") knows a
// size only from Len or Size, so a 30 MB attachment whose Content is an
// io.Seeker without Len (an *os.File passed as Content, an
// io.SectionReader) passes the MaxMessageBytes check and is uploaded in
// full before Mailgun refuses it, while the same file as FileAttachment is
// refused up front. The doer measures seekers anyway (doer/body.go
// remaining). Expected: ErrInvalidArgument, nothing sent.
func TestMessagesSeekableAttachmentSizeChecked(t *testing.T) {
	var sent atomic.Bool
	hc := &http.Client{Transport: r1RoundTrip(func(r *http.Request) (*http.Response, error) {
		sent.Store(true)
		return &http.Response{StatusCode: http.StatusRequestEntityTooLarge, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"message":"too large"}`)), Request: r}, nil
	})}
	c, err := mailgun.NewClient(testKey, mailgun.WithHTTPClient(hc), r1Retry)
	require.NoError(t, err)
	big := io.NewSectionReader(r1ZeroReaderAt{}, 0, 30<<20)
	_, err = c.Messages.Send(context.Background(), "mg.example.com", &mailgun.Message{
		From: "a@mg.example.com", To: []string{"b@example.org"}, Subject: "s", Text: "t",
		Attachments: []mailgun.Attachment{{Filename: "big.bin", Content: big}},
	})
	require.Error(t, err)
	assert.ErrorIs(t, err, mailgun.ErrInvalidArgument, "a 30 MB attachment of known size is over MaxMessageBytes")
	assert.False(t, sent.Load(), "nothing may be sent")
}

type r1RoundTrip func(*http.Request) (*http.Response, error)

func (f r1RoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
