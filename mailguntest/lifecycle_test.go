package mailguntest_test

//lint:file-ignore SA1019 the tests read the deprecated Events and Stats APIs too, which the fake still serves.

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func TestLifecycleDelivered(t *testing.T) {
	l := newLifecycle(t)
	rc := newReceiver(t, l)
	rc.register(t, l, mailgun.WebhookEventAccepted, mailgun.WebhookEventDelivered)

	fields := basic("Bob <bob@example.org>", "carol@example.net")
	fields.Set("o:tag", "welcome")
	fields.Set("v:customer-id", "42")
	res := l.send(t, fields)
	id := res.ID[1 : len(res.ID)-1]

	// Accepted at once; nothing delivered (or POSTed) until the clock moves.
	assert.Equal(t, []string{"accepted", "accepted"}, names(l.events(t, id)))
	assert.Empty(t, rc.received())
	msgs := l.srv.Messages(domain)
	require.Len(t, msgs, 1)
	assert.Equal(t, mailguntest.DeliveryQueued, msgs[0].Recipients[0].State)

	l.clock.Advance(time.Second)
	events := l.events(t, id)
	assert.Equal(t, []string{"accepted", "accepted", "delivered", "delivered"}, names(events))
	acc, del := events[0], events[2]
	assert.Equal(t, "bob@example.org", acc.Recipient)
	assert.Equal(t, "http", acc.Method)
	assert.Equal(t, []string{"welcome"}, acc.Tags)
	assert.JSONEq(t, `{"customer-id":"42"}`, string(acc.UserVariables))
	assert.Equal(t, id, acc.Message.Headers.MessageID)
	assert.Equal(t, "Sender <sender@"+domain+">", acc.Message.Headers.From)
	assert.Equal(t, "Bob <bob@example.org>, carol@example.net", acc.Message.Headers.To)
	assert.Equal(t, "Hello", acc.Message.Headers.Subject)
	assert.Equal(t, []string{"bob@example.org"}, acc.Message.Recipients)
	assert.True(t, *acc.Flags.IsAuthenticated)
	assert.False(t, *acc.Flags.IsTestMode)
	assert.Equal(t, "sender@"+domain, acc.Envelope.Sender)
	assert.Equal(t, l.srv.URL()+"/v3/domains/"+domain+"/messages/"+msgs[0].StorageKey, acc.Storage.URL)
	assert.Positive(t, acc.Message.Size)
	assert.Equal(t, 250, del.DeliveryStatus.Code)
	assert.Equal(t, 1, del.DeliveryStatus.AttemptNo)
	assert.Equal(t, "mx.example.org", del.DeliveryStatus.MXHost)
	assert.Equal(t, "bob@example.org", del.Envelope.Targets)
	assert.Equal(t, mailgun.LogLevelInfo, del.LogLevel)
	assert.Equal(t, t0, del.Timestamp, "delivered at the first attempt's time")

	msg, ok := l.srv.Message(res.ID)
	require.True(t, ok)
	assert.Equal(t, []mailguntest.Recipient{
		{Address: "bob@example.org", State: mailguntest.DeliveryDelivered, Attempts: 1, Subject: "Hello", Text: "Hi there"},
		{Address: "carol@example.net", State: mailguntest.DeliveryDelivered, Attempts: 1, Subject: "Hello", Text: "Hi there"},
	}, msg.Recipients)

	// Two accepted and two delivered webhooks, signed and verified.
	got := rc.received()
	require.Len(t, got, 4)
	var kinds []mailgun.EventName
	for _, ev := range got {
		kinds = append(kinds, ev.EventData.Event)
		require.NoError(t, mailgun.VerifyWebhookSignature(l.srv.WebhookSigningKey(), ev.Signature, mailgun.WithVerifyClock(l.clock.Now)))
		assert.Equal(t, id, ev.EventData.Message.Headers.MessageID)
	}
	assert.ElementsMatch(t, []mailgun.EventName{"accepted", "accepted", "delivered", "delivered"}, kinds)

	l.assertCounts(t, counts{Accepted: 2, Delivered: 2})
}

func TestLifecycleSuppressedByBounce(t *testing.T) {
	l := newLifecycle(t)
	rc := newReceiver(t, l)
	rc.register(t, l, mailgun.WebhookEventPermanentFail)
	l.srv.AddBounces(domain, mailgun.Bounce{Address: "gone@example.org"})

	_, events := l.sendAndDeliver(t, basic("gone@example.org", "ok@example.org"))
	require.Equal(t, []string{"accepted", "accepted", "failed/permanent", "delivered"}, names(events))
	f := events[2]
	assert.Equal(t, "gone@example.org", f.Recipient)
	assert.Equal(t, mailgun.ReasonSuppressBounce, f.Reason)
	assert.Equal(t, 605, f.DeliveryStatus.Code)
	assert.Equal(t, "Not delivering to previously bounced address", f.DeliveryStatus.Description)
	assert.Equal(t, mailgun.LogLevelError, f.LogLevel)

	got := rc.received()
	require.Len(t, got, 1)
	assert.Equal(t, mailgun.ReasonSuppressBounce, got[0].EventData.Reason)

	l.assertCounts(t, counts{Accepted: 2, Delivered: 1, PermanentFailed: 1})
	st, err := l.c.Stats.DomainTotals(context.Background(), domain, mailgun.StatsQuery{Events: []mailgun.EventName{mailgun.EventFailed}, Start: period.start, End: period.end})
	require.NoError(t, err)
	var suppressed int64
	for _, it := range st.Stats {
		suppressed += *it.Failed.Permanent.SuppressBounce
	}
	assert.EqualValues(t, 1, suppressed)
}

func TestLifecycleBouncedByRule(t *testing.T) {
	l := newLifecycle(t)
	l.srv.SetRecipientRule("Hard@Example.org", mailguntest.RecipientRule{Bounce: true})
	l.srv.SetRecipientRule("*@allowed.example", mailguntest.RecipientRule{Bounce: true, BounceCode: 554, BounceMessage: "5.7.1 rejected"})
	l.srv.AddAllowlist(domain, mailgun.AllowlistEntry{Value: "allowed.example"})

	_, events := l.sendAndDeliver(t, basic("hard@example.org", "x@allowed.example"))
	require.Equal(t, []string{"accepted", "accepted", "failed/permanent", "failed/permanent"}, names(events))
	hard := events[2]
	assert.Equal(t, mailgun.ReasonBounce, hard.Reason)
	assert.Equal(t, 550, hard.DeliveryStatus.Code)
	assert.Equal(t, "5.1.1", hard.DeliveryStatus.EnhancedCode)
	assert.Equal(t, "hard", hard.DeliveryStatus.BounceType)
	assert.Equal(t, 554, events[3].DeliveryStatus.Code)

	// Like Mailgun, the bounce puts the address on the bounce list (not
	// an allowlisted one), so the next message to it is suppressed.
	b, err := l.c.Bounces.Get(context.Background(), domain, "hard@example.org")
	require.NoError(t, err)
	assert.Equal(t, "550", b.Code)
	_, err = l.c.Bounces.Get(context.Background(), domain, "x@allowed.example")
	assert.ErrorIs(t, err, mailgun.ErrNotFound)

	_, ev := l.sendAndDeliver(t, basic("hard@example.org"))
	require.Equal(t, []string{"accepted", "failed/permanent"}, names(ev))
	assert.Equal(t, mailgun.ReasonSuppressBounce, ev[1].Reason)

	l.assertCounts(t, counts{Accepted: 3, PermanentFailed: 3})
	m, err := l.c.Metrics.Query(context.Background(), mailgun.MetricsQuery{Start: period.start, End: period.end, IncludeAggregates: true,
		Metrics: []mailgun.Metric{mailgun.MetricHardBouncesCount, mailgun.MetricSuppressedBouncesCount}})
	require.NoError(t, err)
	assert.EqualValues(t, 2, *m.Aggregates.HardBouncesCount)
	assert.EqualValues(t, 1, *m.Aggregates.SuppressedBouncesCount)
}

func TestLifecycleTemporaryThenDelivered(t *testing.T) {
	l := newLifecycle(t)
	rc := newReceiver(t, l)
	rc.register(t, l, mailgun.WebhookEventTemporaryFail, mailgun.WebhookEventDelivered)
	l.srv.SetRecipientRule("slow@example.org", mailguntest.RecipientRule{TemporaryFailures: 2})

	res := l.send(t, basic("slow@example.org"))
	l.clock.Advance(0)
	events := l.events(t, res.ID)
	require.Equal(t, []string{"accepted", "failed/temporary"}, names(events))
	assert.Equal(t, 451, events[1].DeliveryStatus.Code)
	assert.Equal(t, 2, events[1].DeliveryStatus.RetrySeconds, "the first retry of the compressed schedule")
	assert.Equal(t, mailgun.LogLevelWarn, events[1].LogLevel)
	next, ok := l.clock.Next()
	require.True(t, ok)
	assert.Equal(t, t0.Add(2*time.Second), next)

	l.clock.Advance(2 * time.Second)
	events = l.events(t, res.ID)
	require.Equal(t, []string{"accepted", "failed/temporary", "failed/temporary"}, names(events))
	assert.Equal(t, 3, events[2].DeliveryStatus.RetrySeconds, "the second retry: 15 minutes compressed")
	l.clock.Advance(3 * time.Second)
	events = l.events(t, res.ID)
	require.Equal(t, []string{"accepted", "failed/temporary", "failed/temporary", "delivered"}, names(events))
	assert.Equal(t, 3, events[3].DeliveryStatus.AttemptNo)
	assert.Equal(t, t0.Add(5*time.Second), events[3].Timestamp)
	assert.Len(t, rc.received(), 3)

	l.assertCounts(t, counts{Accepted: 1, Delivered: 1, TemporaryFailed: 2})
	m, err := l.c.Metrics.Query(context.Background(), mailgun.MetricsQuery{Start: period.start, End: period.end, IncludeAggregates: true,
		Metrics: []mailgun.Metric{mailgun.MetricDeliveredTwoPlusAttemptsCount, mailgun.MetricDeliveredFirstAttemptCount}})
	require.NoError(t, err)
	assert.EqualValues(t, 1, *m.Aggregates.DeliveredTwoPlusAttemptsCount)
	assert.EqualValues(t, 0, *m.Aggregates.DeliveredFirstAttemptCount)
}

func TestLifecycleRetriesExhausted(t *testing.T) {
	l := newLifecycle(t, mailguntest.WithTiming(mailguntest.Timing{DeliveryRetries: []time.Duration{time.Minute, time.Hour}}))
	l.srv.SetRecipientRule("*@down.example", mailguntest.RecipientRule{TemporaryFailures: 10})

	res := l.send(t, basic("a@down.example"))
	l.clock.Advance(time.Minute)
	assert.Equal(t, []string{"accepted", "failed/temporary", "failed/temporary"}, names(l.events(t, res.ID)))
	l.clock.Advance(time.Hour)
	events := l.events(t, res.ID)
	require.Equal(t, []string{"accepted", "failed/temporary", "failed/temporary", "failed/permanent"}, names(events))
	old := events[3]
	assert.Equal(t, mailgun.ReasonOld, old.Reason)
	assert.Equal(t, 602, old.DeliveryStatus.Code)
	assert.Equal(t, 451, old.DeliveryStatus.LastCode)
	assert.Equal(t, 3, old.DeliveryStatus.AttemptNo)
	msg, _ := l.srv.Message(res.ID)
	assert.Equal(t, mailguntest.DeliveryFailed, msg.Recipients[0].State)
	_, ok := l.clock.Next()
	assert.False(t, ok, "nothing left to do")
	l.assertCounts(t, counts{Accepted: 1, TemporaryFailed: 2, PermanentFailed: 1})
}

func TestLifecycleOpenedAndClicked(t *testing.T) {
	l := newLifecycle(t)
	rc := newReceiver(t, l)
	rc.register(t, l, mailgun.WebhookEventOpened, mailgun.WebhookEventClicked)

	tracked := basic("ann@example.org", "ben@example.org")
	tracked.Set("html", `<a href="https://example.com/x">x</a>`)
	tracked.Set("o:tracking", "yes")
	tracked.Set("o:tag", "promo")
	res := l.send(t, tracked)

	assert.ErrorIs(t, l.srv.Open(res.ID), mailguntest.ErrNotDelivered, "not delivered yet")
	l.clock.Advance(time.Second)

	require.NoError(t, l.srv.Open(res.ID))                    // both recipients
	require.NoError(t, l.srv.Open(res.ID, "ANN@example.org")) // ann again
	require.NoError(t, l.srv.Click(res.ID, "https://example.com/x", "ben@example.org"))
	assert.ErrorIs(t, l.srv.Open(res.ID, "nobody@example.org"), mailguntest.ErrNotDelivered)
	assert.ErrorIs(t, l.srv.Open("<nope@"+domain+">"), mailguntest.ErrMessageNotFound)

	events := l.events(t, res.ID)
	require.Equal(t, []string{"accepted", "accepted", "delivered", "delivered", "opened", "opened", "opened", "clicked"}, names(events))
	click := events[7]
	assert.Equal(t, "https://example.com/x", click.URL)
	assert.Equal(t, "ben@example.org", click.Recipient)
	assert.Equal(t, []string{"promo"}, click.Tags)
	assert.NotEmpty(t, click.IP)
	assert.Equal(t, "desktop", click.ClientInfo.DeviceType)
	assert.Equal(t, "US", click.Geolocation.Country)
	l.clock.Advance(0)
	assert.Len(t, rc.received(), 4, "webhooks go out when the clock next moves")

	// Without tracking (the domain's default is off), opens are invisible.
	plain := l.send(t, basic("ann@example.org"))
	l.clock.Advance(time.Second)
	assert.ErrorIs(t, l.srv.Open(plain.ID), mailguntest.ErrNotTracked)
	assert.ErrorIs(t, l.srv.Click(plain.ID, "https://example.com"), mailguntest.ErrNotTracked)
	// The domain's setting applies when the message says nothing.
	l.srv.SetTrackingSettings(domain, mailgun.TrackingSettings{Open: mailgun.OpenTracking{Active: true}})
	assert.ErrorIs(t, l.srv.Open(plain.ID), mailguntest.ErrNotTracked, "a text-only message has no open pixel")

	// Rules by address open and click right after delivery.
	l.srv.SetRecipientRule("eve@example.org", mailguntest.RecipientRule{Opens: 2, Clicks: []string{"https://example.com/a"}})
	html := basic("eve@example.org")
	html.Set("html", "<p>hi</p>")
	ruled := l.send(t, html)
	l.clock.Advance(time.Second)
	assert.Equal(t, []string{"accepted", "delivered", "opened", "opened"}, names(l.events(t, ruled.ID)),
		"clicks follow the domain's click tracking, which is off")

	l.assertCounts(t, counts{Accepted: 4, Delivered: 4, Opened: 5, Clicked: 1})
	m, err := l.c.Metrics.Query(context.Background(), mailgun.MetricsQuery{Start: period.start, End: period.end, IncludeAggregates: true,
		Metrics: []mailgun.Metric{mailgun.MetricUniqueOpenedCount}})
	require.NoError(t, err)
	assert.EqualValues(t, 3, *m.Aggregates.UniqueOpenedCount, "ann, ben and eve")
}

func TestLifecycleWebhookRetriedUntil2xx(t *testing.T) {
	l := newLifecycle(t)
	l.srv.SetRecipientRule("gone@example.org", mailguntest.RecipientRule{Bounce: true})
	failing := newReceiver(t, l, 500, 503)
	failing.register(t, l, mailgun.WebhookEventPermanentFail, mailgun.WebhookEventDelivered)
	refusing := newReceiver(t, l, http.StatusNotAcceptable)
	refusing.register(t, l, mailgun.WebhookEventPermanentFail)

	res := l.send(t, basic("gone@example.org"))
	l.clock.Advance(0)
	deliveries := l.srv.WebhookDeliveries()
	require.Len(t, deliveries, 2)
	assert.Empty(t, failing.received())

	// The compressed schedule: 10 minutes become 2 s.
	l.clock.Advance(1999 * time.Millisecond)
	assert.Len(t, l.srv.WebhookDeliveries(), 2)
	l.clock.Advance(time.Millisecond)
	assert.Len(t, l.srv.WebhookDeliveries(), 3)
	l.clock.Advance(2 * time.Second)

	got := failing.received()
	require.Len(t, got, 1, "taken at the third attempt")
	assert.Equal(t, mailgun.EventFailed, got[0].EventData.Event)
	assert.Equal(t, res.ID, "<"+got[0].EventData.Message.Headers.MessageID+">")
	sigs := failing.signatures(t)
	require.Len(t, sigs, 3)
	assert.Equal(t, sigs[0], sigs[2], "a retry sends the same signed body")

	var attempts []string
	for _, d := range l.srv.WebhookDeliveries() {
		attempts = append(attempts, d.At.Sub(t0).String()+" "+http.StatusText(d.StatusCode))
		assert.Equal(t, mailgun.WebhookEventPermanentFail, d.EventType)
	}
	assert.Equal(t, []string{"0s Internal Server Error", "0s Not Acceptable", "2s Service Unavailable", "4s OK"}, attempts)
	last := l.srv.WebhookDeliveries()[3]
	assert.True(t, last.Final)
	assert.Equal(t, 3, last.Attempt)
	assert.Empty(t, refusing.received(), "406 refuses the event for good")
	_, pending := l.clock.Next()
	assert.False(t, pending)

	// Delivered notifications are never retried, as Mailgun documents.
	failing.mu.Lock()
	failing.script = []int{500}
	failing.mu.Unlock()
	ok := l.send(t, basic("fine@example.org"))
	l.clock.Advance(time.Hour)
	var delivered []mailguntest.WebhookDelivery
	for _, d := range l.srv.WebhookDeliveries() {
		if d.EventType == mailgun.WebhookEventDelivered {
			delivered = append(delivered, d)
		}
	}
	require.Len(t, delivered, 1)
	assert.True(t, delivered[0].Final)
	assert.Equal(t, 500, delivered[0].StatusCode)
	assert.NotEmpty(t, ok.ID)

	// An unreachable receiver is retried until the schedule ends.
	l2 := newLifecycle(t, mailguntest.WithTiming(mailguntest.Timing{WebhookRetries: []time.Duration{time.Second}}))
	_, err := l2.c.AccountWebhooks.Create(context.Background(), mailgun.AccountWebhookInput{URL: "http://127.0.0.1:1/hook", EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventAccepted}})
	require.NoError(t, err)
	l2.send(t, basic("x@example.org"))
	l2.clock.Advance(time.Minute)
	ds := l2.srv.WebhookDeliveries()
	require.Len(t, ds, 2)
	assert.Zero(t, ds[1].StatusCode)
	assert.NotEmpty(t, ds[1].Err)
	assert.True(t, ds[1].Final)
}

func TestLifecycleTestMode(t *testing.T) {
	l := newLifecycle(t)
	rc := newReceiver(t, l)
	rc.register(t, l, mailgun.WebhookEventDelivered, mailgun.WebhookEventPermanentFail)
	l.srv.SetRecipientRule("bounce@example.org", mailguntest.RecipientRule{Bounce: true})

	fields := basic("bounce@example.org")
	fields.Set("o:testmode", "yes")
	fields.Set("o:tracking", "yes")
	fields.Set("html", "<p>x</p>")
	res := l.send(t, fields)
	l.clock.Advance(time.Second)

	// Mailgun logs test-mode messages as delivered, flagged, without
	// sending them: no bounce, nothing on the bounce list, no opens.
	events := l.events(t, res.ID)
	require.Equal(t, []string{"accepted", "delivered"}, names(events))
	for _, e := range events {
		assert.True(t, *e.Flags.IsTestMode, e.Event)
	}
	assert.Empty(t, l.srv.Bounces(domain))
	assert.ErrorIs(t, l.srv.Open(res.ID), mailguntest.ErrNotDelivered)
	msg, _ := l.srv.Message(res.ID)
	assert.True(t, msg.TestMode)
	require.Len(t, rc.received(), 1)
	assert.True(t, *rc.received()[0].EventData.Flags.IsTestMode)
	l.assertCounts(t, counts{Accepted: 1, Delivered: 1})
}

func TestLifecycleScheduledDelivery(t *testing.T) {
	l := newLifecycle(t)
	at := t0.Add(time.Hour)
	fields := basic("later@example.org")
	fields.Set("o:deliverytime", at.Format(time.RFC1123Z))
	res := l.send(t, fields)

	events := l.events(t, res.ID)
	require.Equal(t, []string{"accepted"}, names(events))
	assert.Equal(t, at.Format(time.RFC1123Z), events[0].Message.ScheduledFor)
	msg, _ := l.srv.Message(res.ID)
	assert.Equal(t, at, msg.ScheduledFor)

	l.clock.Advance(59 * time.Minute)
	assert.Len(t, l.events(t, res.ID), 1)
	l.clock.Advance(time.Minute)
	events = l.events(t, res.ID)
	require.Equal(t, []string{"accepted", "delivered"}, names(events))
	assert.Equal(t, at, events[1].Timestamp)

	var logged []mailgun.LogItem
	for it, err := range l.c.Logs.List(context.Background(), mailgun.LogsQuery{Start: period.start, End: period.end, Events: []mailgun.EventName{mailgun.EventAccepted}}) {
		require.NoError(t, err)
		logged = append(logged, it)
	}
	require.Len(t, logged, 1)
	assert.Equal(t, at.Unix(), logged[0].Message.ScheduledFor)
	l.assertCounts(t, counts{Accepted: 1, Delivered: 1})

	// More than 7 days ahead is refused.
	fields.Set("o:deliverytime", t0.Add(8*24*time.Hour).Format(time.RFC1123Z))
	err := l.c.Do(context.Background(), "POST", "/v3/"+domain+"/messages", fields, nil)
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)
}

func TestLifecycleCustomMessageIDAndBatch(t *testing.T) {
	l := newLifecycle(t)
	fields := basic("a@example.org", "b@example.org")
	fields.Set("h:Message-Id", "<order-17@shop.example>")
	fields.Set("h:Reply-To", "help@shop.example")
	fields.Set("h:X-Mailgun-Variables", `{"order": 17, "kind": "receipt"}`)
	fields.Set("recipient-variables", `{"a@example.org": {"name": "Ann"}, "b@example.org": {"name": "Ben"}}`)
	res := l.send(t, fields)
	assert.Equal(t, "<order-17@shop.example>", res.ID, "Mailgun keeps a Message-Id the sender chose")

	msg, ok := l.srv.Message("order-17@shop.example")
	require.True(t, ok)
	assert.Equal(t, "help@shop.example", msg.Headers.Get("Reply-To"))
	assert.Equal(t, map[string]string{"order": "17", "kind": "receipt"}, msg.UserVariables)
	assert.Equal(t, map[string]any{"name": "Ann"}, msg.RecipientVariables["a@example.org"])

	events := l.events(t, res.ID)
	require.Len(t, events, 2)
	assert.Equal(t, "a@example.org", events[0].Message.Headers.To, "batch sends give each recipient a copy of their own")
	assert.Equal(t, "b@example.org", events[1].Message.Headers.To)
}

func TestLifecycleTemplateSendRecorded(t *testing.T) {
	l := newLifecycle(t)
	fields := url.Values{
		"to": {"a@example.org"}, "template": {"welcome"}, "t:version": {"v2"}, "t:text": {"yes"},
		"t:variables": {`{"name": "Ann", "n": 3}`},
	}
	res := l.send(t, fields)
	msg, ok := l.srv.Message(res.ID)
	require.True(t, ok)
	assert.Equal(t, "welcome", msg.Template)
	assert.Equal(t, "v2", msg.TemplateVersion)
	assert.True(t, msg.TemplateText)
	assert.Equal(t, map[string]any{"name": "Ann", "n": 3.0}, msg.TemplateVariables)
	assert.Contains(t, string(msg.MIME), "X-Mailgun-Template-Name: welcome")
	ev := l.events(t, res.ID)[0]
	require.NotNil(t, ev.Template)
	assert.Equal(t, "welcome", ev.Template.Name)
	assert.Equal(t, "v2", ev.Template.Version)
	assert.Equal(t, "postmaster@"+domain, ev.Envelope.Sender, "no From: the domain's postmaster sends")

	// Without t:variables, the user variables feed the template.
	fields = url.Values{"to": {"a@example.org"}, "template": {"welcome"}, "v:name": {"Ben"}}
	res = l.send(t, fields)
	msg, _ = l.srv.Message(res.ID)
	assert.Equal(t, map[string]any{"name": "Ben"}, msg.TemplateVariables)
}

// TestLifecycleTemplateVariablesFromHeaderKeepJSONTypes: sending.md 1.3
// says a template's variables may come from the h:X-Mailgun-Variables
// JSON header; the template sees its decoded JSON values (an object, 0,
// an array), and the stored X-Mailgun-Variables header keeps them, while
// Message.UserVariables holds them as text, as events carry them.
func TestLifecycleTemplateVariablesFromHeaderKeepJSONTypes(t *testing.T) {
	l := newLifecycle(t)
	l.createTemplate(t, "welcome", "<p>Hello {{user.name}}{{#if count}} has items{{/if}}{{#each items}} {{this}}{{/each}}</p>")
	res := l.send(t, templated("welcome",
		"h:X-Mailgun-Variables", `{"user": {"name": "Ann"}, "count": 0, "items": ["tea", "cake"]}`,
		"v:kind", "welcome"))
	msg, ok := l.srv.Message(res.ID)
	require.True(t, ok)
	assert.Contains(t, string(msg.MIME), "<p>Hello Ann tea cake</p>")
	assert.Contains(t, string(msg.MIME), `X-Mailgun-Variables: {"count":0,"items":["tea","cake"],"kind":"welcome","user":{"name":"Ann"}}`)
	assert.Equal(t, map[string]string{"count": "0", "items": `["tea","cake"]`, "kind": "welcome", "user": `{"name":"Ann"}`}, msg.UserVariables)
}

// TestLifecycleTemplateVariablesHeader: the variables of a template come
// from t:variables, else from the h:X-Mailgun-Template-Variables header
// (Mailgun's handlebars page names both), else from the user variables
// (sending.md 1.3).
func TestLifecycleTemplateVariablesHeader(t *testing.T) {
	l := newLifecycle(t)
	l.createTemplate(t, "welcome", "<p>Hi {{name}}</p>")
	fields := templated("welcome", "h:X-Mailgun-Template-Variables", `{"name": "Ann"}`)
	res := l.send(t, fields)
	msg, ok := l.srv.Message(res.ID)
	require.True(t, ok)
	assert.Contains(t, string(msg.MIME), "<p>Hi Ann</p>")
	assert.Equal(t, map[string]any{"name": "Ann"}, msg.TemplateVariables)
	assert.Equal(t, 1, strings.Count(string(msg.MIME), "X-Mailgun-Template-Variables:"), "the header once")

	fields.Set("v:name", "Ben") // the header wins over the user variables
	msg, _ = l.srv.Message(l.send(t, fields).ID)
	assert.Contains(t, string(msg.MIME), "<p>Hi Ann</p>")
	fields.Set("t:variables", `{"name": "Cy"}`) // t:variables wins over both
	msg, _ = l.srv.Message(l.send(t, fields).ID)
	assert.Contains(t, string(msg.MIME), "<p>Hi Cy</p>")
}

func TestClockRunsActionsInOrder(t *testing.T) {
	l := newLifecycle(t)
	clock := l.clock
	l.srv.SetRecipientRule("a@example.org", mailguntest.RecipientRule{TemporaryFailures: 1})
	first := l.send(t, basic("a@example.org"))
	l.clock.Advance(time.Second)
	second := l.send(t, basic("b@example.org"))

	// One big step runs everything due, each at its own time.
	clock.Advance(time.Hour)
	assert.Equal(t, t0.Add(time.Hour+time.Second), clock.Now())
	ea, eb := l.events(t, first.ID), l.events(t, second.ID)
	require.Len(t, ea, 3)
	require.Len(t, eb, 2)
	assert.Equal(t, t0.Add(2*time.Second), ea[2].Timestamp, "the retry ran at its due time")
	assert.Equal(t, t0.Add(time.Second), eb[1].Timestamp)

	// Moving back runs nothing.
	clock.Set(t0)
	assert.Equal(t, t0, clock.Now())
	_, ok := clock.Next()
	assert.False(t, ok)
}

func TestLifecycleRealTime(t *testing.T) {
	// No manual clock: the lifecycle runs in the background, promptly.
	srv := mailguntest.NewServer(t)
	c := srv.Client()
	ctx := context.Background()
	got := make(chan *mailgun.WebhookEvent, 4)
	rec := httptest.NewServer(mailgun.WebhookHandler(srv.WebhookSigningKey(), func(_ context.Context, ev *mailgun.WebhookEvent) error {
		got <- ev
		return nil
	}))
	defer rec.Close()
	_, err := c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{URL: rec.URL, EventTypes: []mailgun.WebhookEventType{mailgun.WebhookEventDelivered}})
	require.NoError(t, err)

	var res sendResult
	require.NoError(t, c.Do(ctx, "POST", "/v3/"+domain+"/messages", basic("rt@example.org"), &res))
	select {
	case ev := <-got:
		assert.Equal(t, mailgun.EventDelivered, ev.EventData.Event)
		assert.Equal(t, "rt@example.org", ev.EventData.Recipient)
	case <-time.After(10 * time.Second):
		t.Fatal("no delivered webhook")
	}
	msg, ok := srv.Message(res.ID)
	require.True(t, ok)
	assert.Equal(t, mailguntest.DeliveryDelivered, msg.Recipients[0].State)

	// A retry pending at Close is dropped without leaking (TestMain checks).
	srv.SetRecipientRule("slow@example.org", mailguntest.RecipientRule{TemporaryFailures: 1})
	require.NoError(t, c.Do(ctx, "POST", "/v3/"+domain+"/messages", basic("slow@example.org"), nil))
	srv.Close()

	// A server with a frozen clock function still delivers what is due.
	frozen := mailguntest.NewServer(t, mailguntest.WithClock(func() time.Time { return t0 }))
	require.NoError(t, frozen.Client().Do(ctx, "POST", "/v3/"+domain+"/messages", basic("f@example.org"), &res))
	require.Eventually(t, func() bool {
		m, _ := frozen.Message(res.ID)
		return m.Recipients[0].State == mailguntest.DeliveryDelivered
	}, 10*time.Second, time.Millisecond)
}

func TestLifecycleTiming(t *testing.T) {
	s, m := time.Second, time.Minute
	assert.Equal(t, []time.Duration{10 * m, 15 * m, 30 * m, 60 * m, 120 * m, 240 * m}, mailguntest.MailgunTiming().DeliveryRetries,
		"Mailgun's help center: 10 min, 15 min, 30 min, 1 h, 2 h, 4 h")
	assert.Equal(t, []time.Duration{2 * s, 3 * s, 6 * s, 12 * s, 24 * s, 48 * s}, mailguntest.DefaultTiming().DeliveryRetries)
	assert.Equal(t, []time.Duration{2 * s, 2 * s, 3 * s, 6 * s, 12 * s, 24 * s, 48 * s}, mailguntest.DefaultTiming().WebhookRetries)

	// With Mailgun's real schedule on a manual clock, the first retry
	// comes ten minutes later; a zero rule removes the rule.
	l := newLifecycle(t, mailguntest.WithTiming(mailguntest.MailgunTiming()))
	l.srv.SetRecipientRule("a@example.org", mailguntest.RecipientRule{TemporaryFailures: 1})
	res, events := l.sendAndDeliver(t, basic("a@example.org"))
	require.Equal(t, []string{"accepted", "failed/temporary"}, names(events))
	assert.Equal(t, 600, events[1].DeliveryStatus.RetrySeconds)
	l.clock.Advance(10 * time.Minute)
	assert.Equal(t, []string{"accepted", "failed/temporary", "delivered"}, names(l.events(t, res.ID)))

	l.srv.SetRecipientRule("A@example.org", mailguntest.RecipientRule{})
	_, events = l.sendAndDeliver(t, basic("a@example.org"))
	assert.Equal(t, []string{"accepted", "delivered"}, names(events))
}

// TestLifecycleWebhookRetriesFollowMailgunSchedule: general.md §8
// documents Mailgun's webhook retries as 10 min, 10 min, 15 min, 30 min,
// 1 h, 2 h, 4 h (about 8 hours); MailgunTiming has that schedule, and the
// POSTs of a refused event come at those gaps.
func TestLifecycleWebhookRetriesFollowMailgunSchedule(t *testing.T) {
	m := time.Minute
	documented := []time.Duration{10 * m, 10 * m, 15 * m, 30 * m, 60 * m, 120 * m, 240 * m}
	assert.Equal(t, documented, mailguntest.MailgunTiming().WebhookRetries, "MailgunTiming().WebhookRetries")

	l := newLifecycle(t, mailguntest.WithTiming(mailguntest.MailgunTiming()))
	rc := newReceiver(t, l, 500, 500, 500, 500, 500, 500, 500, 500, 500)
	rc.register(t, l, mailgun.WebhookEventAccepted)
	l.send(t, basic("a@example.org"))
	l.clock.Advance(9 * time.Hour)

	var gaps []time.Duration
	deliveries := l.srv.WebhookDeliveries()
	for i := 1; i < len(deliveries); i++ {
		gaps = append(gaps, deliveries[i].At.Sub(deliveries[i-1].At))
	}
	assert.Equal(t, documented, gaps, "gaps between the POSTs of a refused accepted event")
}

func TestLifecycleTemplateRendered(t *testing.T) {
	l := newLifecycle(t)
	ctx := context.Background()
	_, err := l.c.Templates.Create(ctx, domain, mailgun.TemplateInput{
		Name: "Welcome",
		Version: &mailgun.TemplateVersionInput{
			Tag:      "v1",
			Template: `<p>Hello {{name}}!</p>{{#if vip}}<p>VIP</p>{{/if}}<ul>{{#each items}}<li>{{this}}</li>{{/each}}</ul>`,
			Headers:  mailgun.TemplateHeaders{From: "Shop <shop@" + domain + ">", Subject: "Hi {{name}}", ReplyTo: "help@" + domain},
		},
	})
	require.NoError(t, err)

	res := l.send(t, url.Values{
		"to": {"a@example.org"}, "template": {"welcome"}, "t:text": {"yes"},
		"t:variables": {`{"name": "Ann <3", "vip": true, "items": ["tea", "cake"]}`},
	})
	msg, ok := l.srv.Message(res.ID)
	require.True(t, ok)
	mime := string(msg.MIME)
	assert.Contains(t, mime, "<p>Hello Ann &lt;3!</p><p>VIP</p><ul><li>tea</li><li>cake</li></ul>")
	assert.Contains(t, mime, "Hello Ann <3!", "t:text adds the plain-text rendering")
	assert.Equal(t, "Shop <shop@"+domain+">", msg.From, "the template's From applies when the message has none")
	assert.Equal(t, "Hi Ann <3", msg.Subject)
	assert.Equal(t, "help@"+domain, msg.Headers.Get("Reply-To"))

	// The message's own From and Subject win over the template's.
	res = l.send(t, url.Values{
		"from": {"me@" + domain}, "subject": {"Mine"}, "to": {"a@example.org"}, "template": {"welcome"},
		"t:variables": {`{"name": "Ben"}`},
	})
	msg, _ = l.srv.Message(res.ID)
	assert.Equal(t, "me@"+domain, msg.From)
	assert.Equal(t, "Mine", msg.Subject)
	assert.Contains(t, string(msg.MIME), "<p>Hello Ben!</p><ul></ul>")
}

// TestLifecycleTemplateEqualHelper: Mailgun's handlebars page lists the
// block helpers if, unless, each, with and equal ({{#equal a "b"}} renders
// its block when both arguments are equal as strings); the fake renders
// equal in RenderTemplate and in templated sends.
func TestLifecycleTemplateEqualHelper(t *testing.T) {
	l := newLifecycle(t)
	l.createTemplate(t, "plan", `<p>{{#equal plan "pro"}}PRO{{else}}FREE{{/equal}}</p>`)
	r, err := l.srv.RenderTemplate(domain, "plan", "", map[string]any{"plan": "pro"})
	if assert.NoError(t, err) {
		assert.Equal(t, "<p>PRO</p>", r.HTML)
	}

	res := l.send(t, templated("plan", "t:variables", `{"plan": "free"}`))
	msg, ok := l.srv.Message(res.ID)
	require.True(t, ok)
	assert.Contains(t, string(msg.MIME), "<p>FREE</p>")
	assert.Empty(t, msg.TemplateError)
}

// TestLifecycleTemplateSendKeepsText: sending.md says only html cannot be
// combined with template, so a templated send may carry its own text
// part; the stored MIME keeps it (t:text=yes replaces it with the
// template's text rendering).
func TestLifecycleTemplateSendKeepsText(t *testing.T) {
	l := newLifecycle(t)
	l.createTemplate(t, "welcome", "<p>Hello</p>")
	fields := templated("welcome", "text", "my plain text")
	res := l.send(t, fields)
	msg, ok := l.srv.Message(res.ID)
	require.True(t, ok)
	assert.Equal(t, "my plain text", msg.Text)
	assert.Contains(t, string(msg.MIME), "my plain text", "the text part the send carried is in the stored MIME")
	assert.Contains(t, string(msg.MIME), "<p>Hello</p>")

	fields.Set("t:text", "yes")
	res = l.send(t, fields)
	msg, _ = l.srv.Message(res.ID)
	assert.NotContains(t, string(msg.MIME), "my plain text", "t:text=yes: the template's text instead")
	assert.Contains(t, string(msg.MIME), "text/plain")
}

// TestLifecycleTemplateRenderErrorRecorded: Mailgun renders a template
// when it delivers, so a send whose template is missing or does not
// render is accepted; the fake says why on the stored Message instead of
// storing an empty body silently.
func TestLifecycleTemplateRenderErrorRecorded(t *testing.T) {
	l := newLifecycle(t)
	l.createTemplate(t, "odd", `<p>{{#compare a b}}x{{/compare}}</p>`)
	for tmpl, want := range map[string]string{
		"odd":     `block helper "compare" is not supported`,
		"missing": "template not found",
	} {
		res := l.send(t, templated(tmpl))
		msg, ok := l.srv.Message(res.ID)
		require.True(t, ok)
		assert.Contains(t, msg.TemplateError, want, tmpl)
		assert.NotContains(t, string(msg.MIME), "<p>", tmpl)
	}
}

func TestLifecycleDomainWebhooks(t *testing.T) {
	l := newLifecycle(t)
	ctx := context.Background()
	both := newReceiver(t, l)
	both.register(t, l, mailgun.WebhookEventDelivered) // account level
	domainOnly := newReceiver(t, l)
	_, err := l.c.DomainWebhooks.Create(ctx, domain, mailgun.WebhookEventDelivered, both.URL, domainOnly.URL)
	require.NoError(t, err)
	otherDomain := newReceiver(t, l)
	_, err = l.c.DomainWebhooks.Create(ctx, "other.example.com", mailgun.WebhookEventDelivered, otherDomain.URL)
	require.NoError(t, err)

	res := l.send(t, basic("a@example.org"))
	l.clock.Advance(time.Minute)
	for _, rc := range []*receiver{both, domainOnly} {
		got := rc.received()
		require.Len(t, got, 1, "a URL registered for the account and the domain gets the event once")
		assert.Equal(t, mailgun.EventDelivered, got[0].EventData.Event)
		assert.Equal(t, res.ID, "<"+got[0].EventData.Message.Headers.MessageID+">")
	}
	assert.Empty(t, otherDomain.received(), "another domain's webhooks are not called")
}

func TestLifecycleSuppressedByUnsubscribeAndComplaint(t *testing.T) {
	l := newLifecycle(t)
	l.srv.AddUnsubscribes(domain,
		mailgun.Unsubscribe{Address: "all@example.org"}, // no tags: unsubscribed from everything
		mailgun.Unsubscribe{Address: "news@example.org", Tags: []string{"newsletter"}},
	)
	l.srv.AddComplaints(domain, mailgun.Complaint{Address: "Angry@Example.org"})

	// A message without tags reaches news@ (unsubscribed from one tag only).
	_, events := l.sendAndDeliver(t, basic("all@example.org", "news@example.org", "angry@example.org"))
	byRecipient := map[string]mailgun.Event{}
	for _, e := range events[3:] {
		byRecipient[e.Recipient] = e
	}
	require.Len(t, byRecipient, 3, names(events))
	assert.Equal(t, mailgun.ReasonSuppressUnsubscribe, byRecipient["all@example.org"].Reason)
	assert.Equal(t, 606, byRecipient["all@example.org"].DeliveryStatus.Code)
	assert.Equal(t, mailgun.EventDelivered, byRecipient["news@example.org"].Event)
	assert.Equal(t, mailgun.ReasonSuppressComplaint, byRecipient["angry@example.org"].Reason)
	assert.Equal(t, 607, byRecipient["angry@example.org"].DeliveryStatus.Code)

	// With the tag it unsubscribed from, news@ is suppressed too.
	fields := basic("news@example.org")
	fields.Set("o:tag", "newsletter")
	_, events = l.sendAndDeliver(t, fields)
	require.Equal(t, []string{"accepted", "failed/permanent"}, names(events))
	assert.Equal(t, mailgun.ReasonSuppressUnsubscribe, events[1].Reason)
	l.assertCounts(t, counts{Accepted: 4, Delivered: 1, PermanentFailed: 3})
}
