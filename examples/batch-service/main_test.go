package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// TestMain fails the package if a test leaves goroutines behind.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// flaky plays a network between Mailgun and the service that loses some
// webhooks: the first deliveries of the failed event of each address in
// down never reach the service (503), and the service's answer to the
// first delivery of the failed event of lost is lost (the service handled
// it, Mailgun sees a 500).
type flaky struct {
	next http.Handler
	down map[string]int // address -> deliveries left to refuse
	lost map[string]int // address -> answers left to lose

	mu sync.Mutex
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var wh struct {
		EventData struct{ Event, Recipient string } `json:"event-data"`
	}
	_ = json.Unmarshal(body, &wh)
	addr := wh.EventData.Recipient
	f.mu.Lock()
	refuse := wh.EventData.Event == "failed" && f.down[addr] > 0
	lose := !refuse && wh.EventData.Event == "failed" && f.lost[addr] > 0
	if refuse {
		f.down[addr]--
	}
	if lose {
		f.lost[addr]--
	}
	f.mu.Unlock()
	switch {
	case refuse:
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
	case lose:
		f.next.ServeHTTP(httptest.NewRecorder(), r)
		http.Error(w, "the answer was lost", http.StatusInternalServerError)
	default:
		f.next.ServeHTTP(w, r)
	}
}

// TestBatchEndToEnd runs the service against the fake on a manual clock with
// Mailgun's own retry schedule: two recipients on the bounce list, one
// bounced by a recipient rule, three delivered; the webhooks of two
// failures need retries, one of them after the default 5-minute signature
// window.
func TestBatchEndToEnd(t *testing.T) {
	ctx := context.Background()
	const domain = "example.com"
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	clock := mailguntest.NewClock(t0)
	fake := mailguntest.NewServer(t, mailguntest.WithManualClock(clock), mailguntest.WithTiming(mailguntest.MailgunTiming()))
	fake.AddBounces(domain, mailgun.Bounce{Address: "bob@example.net"}, mailgun.Bounce{Address: "erin@example.net"})
	fake.SetRecipientRule("carol@example.com", mailguntest.RecipientRule{Bounce: true})
	c := fake.Client()

	tr := newTracker()
	network := &flaky{
		next: newMux(tr, fake.WebhookSigningKey(), clock.Now),
		down: map[string]int{"carol@example.com": 2}, // retried at +10 and +20 minutes
		lost: map[string]int{"bob@example.net": 1},   // retried at +10 minutes, already handled
	}
	svc := httptest.NewServer(network)
	defer svc.Close()
	hookURL := svc.URL + "/webhooks/mailgun"
	require.NoError(t, registerWebhook(ctx, c, domain, hookURL))
	require.NoError(t, registerWebhook(ctx, c, domain, hookURL), "registering again only updates")
	assert.Equal(t, []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventPermanentFail},
		fake.DomainWebhooks(domain).EventTypes(hookURL))

	res, err := sendNewsletter(ctx, c, tr, domain, "March", demoRecipients)
	require.NoError(t, err)
	require.Len(t, res.Parts, 1)
	states := func() map[string]string {
		m := map[string]string{}
		for _, s := range getStatus(t, svc.URL).Recipients {
			m[s.Address] = s.State + " " + s.Reason
		}
		return m
	}
	for _, st := range states() {
		assert.Equal(t, "queued ", st, "nothing happens before the clock moves")
	}

	// What was sent: one request, the template, a name per recipient.
	sent := fake.Messages(domain)
	require.Len(t, sent, 1)
	assert.Equal(t, templateName, sent[0].Template)
	assert.Equal(t, map[string]any{"month": "March"}, sent[0].TemplateVariables)
	assert.Equal(t, map[string]any{"name": "Carol"}, sent[0].RecipientVariables["carol@example.com"])
	assert.Equal(t, "Tea Shop <news@example.com>", sent[0].From, "the template's From")
	assert.Len(t, sent[0].To, 6)

	clock.Advance(0) // the delivery attempts, and the first webhook POSTs
	assert.Equal(t, map[string]string{
		"ann@example.org":   "delivered ",
		"bob@example.net":   "failed suppress-bounce", // handled; Mailgun saw a 500
		"carol@example.com": "queued ",                // the service was down
		"dan@example.org":   "delivered ",
		"erin@example.net":  "failed suppress-bounce",
		"frank@example.com": "delivered ",
	}, states())

	clock.Advance(10 * time.Minute) // the first retries: Bob's is acknowledged without handling it again
	clock.Advance(10 * time.Minute) // Carol's second retry, 20 minutes after the signature
	page := getStatus(t, svc.URL)
	assert.Equal(t, map[string]int{"delivered": 3, "failed": 3}, page.Counts)
	assert.Equal(t, 6, page.Webhooks, "one per recipient, retries included")
	assert.Equal(t, "failed bounce", states()["carol@example.com"])
	_, err = c.Bounces.Get(ctx, domain, "carol@example.com")
	assert.NoError(t, err, "the bounce put Carol on the bounce list")

	// The webhook log, per address of the failed events.
	attempts := map[string][]int{}
	for _, d := range fake.WebhookDeliveries() {
		require.Equal(t, hookURL, d.URL)
		if d.EventType == mailgun.WebhookEventPermanentFail {
			attempts[d.EventID] = append(attempts[d.EventID], d.StatusCode)
		}
	}
	byRecipient := map[string][]int{}
	for _, e := range fake.Events(domain) {
		if codes, ok := attempts[e.ID]; ok {
			byRecipient[e.Recipient] = codes
		}
	}
	assert.Equal(t, map[string][]int{
		"bob@example.net":   {500, 200},
		"carol@example.com": {503, 503, 200},
		"erin@example.net":  {200},
	}, byRecipient)
	_, pending := clock.Next()
	assert.False(t, pending, "no retry left")
}

// TestBatchStopsAtAFailedRequest: a refused batch marks its recipients not sent.
func TestBatchStopsAtAFailedRequest(t *testing.T) {
	fake := mailguntest.NewServer(t)
	fake.Fail(http.MethodPost, "/v3/*/messages", mailguntest.Fault{Status: http.StatusBadRequest}, 1)
	tr := newTracker()
	_, err := sendNewsletter(context.Background(), fake.Client(), tr, "example.com", "March", demoRecipients[:2])
	require.ErrorIs(t, err, mailgun.ErrBadRequest)
	assert.Equal(t, map[string]int{"not sent": 2}, tr.page().Counts)
}

func TestBadRecipient(t *testing.T) {
	fake := mailguntest.NewServer(t)
	_, err := sendNewsletter(context.Background(), fake.Client(), newTracker(), "example.com", "March", []string{"not an address"})
	require.ErrorContains(t, err, `recipient "not an address"`)
	assert.Empty(t, fake.Requests(), "nothing is sent")
}

func TestDemo(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, demo(context.Background(), &out, "March"))
	_, body, ok := strings.Cut(out.String(), "/status:\n")
	require.True(t, ok, out.String())
	var page statusPage
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	assert.Equal(t, map[string]int{"delivered": 3, "failed": 3}, page.Counts)
	assert.Contains(t, out.String(), "sent the March newsletter to 6 recipients in 1 request(s)")
}

// TestServe runs the real-API mode against a fake behind MAILGUN_BASE_URL.
func TestServe(t *testing.T) {
	fake := mailguntest.NewServer(t)
	fake.SetRecipientRule("bob@example.net", mailguntest.RecipientRule{Bounce: true})
	t.Setenv("MAILGUN_API_KEY", fake.APIKey())
	t.Setenv("MAILGUN_BASE_URL", fake.URL())
	t.Setenv("MAILGUN_DOMAIN", "mg.example.com")
	t.Setenv("MAILGUN_WEBHOOK_SIGNING_KEY", fake.WebhookSigningKey())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, &out, addr, "http://"+addr+"/", "April", []string{"ann@example.org", "Bob <bob@example.net>"})
	}()
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/status")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var page statusPage
		return json.NewDecoder(resp.Body).Decode(&page) == nil && page.Counts["delivered"] == 1 && page.Counts["failed"] == 1
	}, 10*time.Second, 10*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, out.String(), "sent 2 recipients in 1 request(s); status at http://"+addr+"/status")
	assert.Equal(t, []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventPermanentFail},
		fake.DomainWebhooks("mg.example.com").EventTypes("http://"+addr+"/webhooks/mailgun"))
}

func TestServeNeedsItsSettings(t *testing.T) {
	t.Setenv("MAILGUN_DOMAIN", "mg.example.com")
	t.Setenv("MAILGUN_WEBHOOK_SIGNING_KEY", "")
	err := serve(context.Background(), io.Discard, "127.0.0.1:0", "", "April", []string{"ann@example.org"})
	require.ErrorContains(t, err, "MAILGUN_WEBHOOK_SIGNING_KEY")
}

func getStatus(t *testing.T, base string) statusPage {
	t.Helper()
	resp, err := http.Get(base + "/status")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var page statusPage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&page))
	return page
}
