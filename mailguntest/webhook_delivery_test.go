package mailguntest_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// hangingReceiver is a webhook URL that reports each POST on posted and
// answers only once release is closed or the POST is cancelled.
func hangingReceiver(t *testing.T) (url string, posted <-chan struct{}, release chan struct{}) {
	t.Helper()
	rel := make(chan struct{})
	p := make(chan struct{}, 16)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		p <- struct{}{}
		select {
		case <-rel:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(recv.Close)
	return recv.URL, p, rel
}

// TestWebhookSlowReceiverDoesNotStallDeliveries: without a manual clock,
// a webhook POST runs beside the scheduled deliveries, as Mailgun delivers
// independently of webhook receivers: a receiver that does not answer
// holds up only its own webhook.
func TestWebhookSlowReceiverDoesNotStallDeliveries(t *testing.T) {
	hookURL, posted, release := hangingReceiver(t)
	defer close(release)

	srv := mailguntest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	_, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{URL: hookURL, EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventAccepted}})
	require.NoError(t, err)
	var out map[string]string
	require.NoError(t, c.Do(ctx, "POST", "/v3/"+domain+"/messages", basic("a@example.org"), &out))
	select {
	case <-posted: // the accepted webhook of the first message is in flight
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook POST")
	}
	require.NoError(t, c.Do(ctx, "POST", "/v3/"+domain+"/messages", basic("b@example.org"), &out))
	assert.Eventually(t, func() bool {
		m, ok := srv.Message(out["id"])
		return ok && m.Recipients[0].State == mailguntest.DeliveryDelivered
	}, 2*time.Second, 10*time.Millisecond, "the second message waits for the first message's webhook receiver")
}

// TestWebhookCloseCancelsHungPost: Close cancels a webhook POST in flight
// and waits for it (TestMain checks that nothing is left running); the
// cancelled POST is not logged.
func TestWebhookCloseCancelsHungPost(t *testing.T) {
	hookURL, posted, release := hangingReceiver(t)
	defer close(release)

	srv := mailguntest.Start()
	ctx := context.Background()
	_, err := srv.Client().AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{URL: hookURL, EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventAccepted}})
	require.NoError(t, err)
	require.NoError(t, srv.Client().Do(ctx, "POST", "/v3/"+domain+"/messages", basic("a@example.org"), nil))
	select {
	case <-posted:
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook POST")
	}
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for the receiver")
	}
	assert.Empty(t, srv.WebhookDeliveries())
}

// TestWebhookManualClockWaitsForPosts: with a manual clock, the POSTs run
// on goroutines of their own, yet Advance returns only once those due by
// then are answered and logged, in order, with the retries they caused.
func TestWebhookManualClockWaitsForPosts(t *testing.T) {
	l := newLifecycle(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer slow.Close()
	fast := newReceiver(t, l)
	for _, u := range []string{slow.URL, fast.URL} {
		_, err := l.c.AccountWebhooks.Create(context.Background(), mailgun.AccountWebhookInput{URL: u, EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventAccepted}})
		require.NoError(t, err)
	}
	log := func() []string {
		var got []string
		for _, d := range l.srv.WebhookDeliveries() {
			who := "fast"
			if d.URL == slow.URL {
				who = "slow"
			}
			got = append(got, who+" "+string(d.EventType)+" "+http.StatusText(d.StatusCode)+" "+d.At.Sub(t0).String())
		}
		return got
	}
	l.sendAndDeliver(t, basic("a@example.org"))
	want := []string{
		"slow accepted Service Unavailable 0s", "fast accepted OK 0s",
		"slow delivered Service Unavailable 0s", "fast delivered OK 0s",
	}
	assert.Equal(t, want, log(), "each POST is answered before the next action, in order")
	l.clock.Advance(time.Second) // the accepted event's first retry, 10 minutes compressed
	assert.Equal(t, append(want, "slow accepted Service Unavailable 2s"), log())
}

// TestWebhookPayloadHasEmptyTagsAndCampaigns: events.md lists tags and
// campaigns on every event, and the documented webhook payload
// (examples/general/webhook-payload.delivered.json) sends "tags": [] and
// "campaigns": [] for an untagged message; so do the fake's webhooks and
// its Events API, while a tagged message keeps its tags.
func TestWebhookPayloadHasEmptyTagsAndCampaigns(t *testing.T) {
	l := newLifecycle(t)
	rc := newReceiver(t, l)
	rc.register(t, l, mailgun.WebhookEventDelivered)
	l.sendAndDeliver(t, basic("a@example.org"))
	tagged := basic("b@example.org")
	tagged.Set("o:tag", "news")
	l.sendAndDeliver(t, tagged)
	rc.mu.Lock()
	bodies := rc.bodies
	rc.mu.Unlock()
	require.Len(t, bodies, 2)
	var payload struct {
		EventData map[string]json.RawMessage `json:"event-data"`
	}
	require.NoError(t, json.Unmarshal(bodies[0], &payload))
	assert.Equal(t, "[]", string(payload.EventData["tags"]), "tags")
	assert.Equal(t, "[]", string(payload.EventData["campaigns"]), "campaigns")
	require.NoError(t, json.Unmarshal(bodies[1], &payload))
	assert.JSONEq(t, `["news"]`, string(payload.EventData["tags"]))
	assert.Len(t, rc.received(), 2, "the payloads verify and decode")

	// The Events API answers the same shape; Events keeps the Go values.
	var page struct {
		Items []map[string]json.RawMessage `json:"items"`
	}
	res := l.raw(t, "GET", "/v3/"+domain+"/events?ascending=yes", "", nil)
	require.Equal(t, http.StatusOK, res.status, string(res.body))
	require.NoError(t, json.Unmarshal(res.body, &page))
	require.Len(t, page.Items, 4)
	for _, it := range page.Items {
		assert.Equal(t, "[]", string(it["campaigns"]))
	}
	assert.Equal(t, "[]", string(page.Items[0]["tags"]))
	assert.Nil(t, l.srv.Events(domain)[0].Tags)
}
