package mailguntest

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/mgkit/mailgun"
)

// Send webhooks of the lifecycle: every event of a message is POSTed,
// signed, to the URLs registered for its type, and retried on the
// Timing.WebhookRetries schedule while the receiver does not take it, as
// Mailgun does: a 2xx answer is taken, a 406 refuses the event for good,
// and delivered events are never retried.

// webhookDeliveryState is the log of webhook POSTs.
type webhookDeliveryState struct {
	log []WebhookDelivery
}

// WebhookDelivery is one POST of a send webhook by the lifecycle.
type WebhookDelivery struct {
	URL       string
	EventType mailgun.WebhookEventType
	// EventID is the id of the event in the payload.
	EventID string
	// Attempt counts the POSTs of this event to this URL from 1.
	Attempt int
	// At is when it was sent, by the server's clock.
	At time.Time
	// StatusCode is the receiver's answer; 0 when it could not be
	// reached, and Err says why.
	StatusCode int
	Err        string
	// Final is true when no retry follows: the receiver took the event
	// (2xx) or refused it (406), the event is a delivered one, or the
	// retry schedule is over.
	Final bool
}

// WebhookDeliveries returns the webhook POSTs made so far, in the order
// they were made.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.messages.webhooks.log)
}

// webhookEventType is the webhook type that receives e, if any.
func webhookEventType(e *mailgun.Event) (mailgun.WebhookEventType, bool) {
	switch e.Event {
	case mailgun.EventAccepted:
		return mailgun.WebhookEventAccepted, true
	case mailgun.EventDelivered:
		return mailgun.WebhookEventDelivered, true
	case mailgun.EventOpened:
		return mailgun.WebhookEventOpened, true
	case mailgun.EventClicked:
		return mailgun.WebhookEventClicked, true
	case mailgun.EventUnsubscribed:
		return mailgun.WebhookEventUnsubscribed, true
	case mailgun.EventComplained:
		return mailgun.WebhookEventComplained, true
	case mailgun.EventFailed:
		switch e.Severity {
		case mailgun.SeverityPermanent:
			return mailgun.WebhookEventPermanentFail, true
		case mailgun.SeverityTemporary:
			return mailgun.WebhookEventTemporaryFail, true
		}
	}
	return "", false
}

// webhookTargetsLocked returns the URLs that receive events of type et on
// domain: the account webhooks and the domain's webhooks registered for
// et. A URL registered at both levels receives the event once, as the API
// documents.
func (s *Server) webhookTargetsLocked(domain string, et mailgun.WebhookEventType) []string {
	var urls []string
	for _, id := range s.webhooks.order {
		h := s.webhooks.hooks[id]
		if slices.Contains(h.EventTypes, et) && !slices.Contains(urls, h.URL) {
			urls = append(urls, h.URL)
		}
	}
	for _, u := range s.domainWebhookURLsLocked(domain, et) {
		if !slices.Contains(urls, u) {
			urls = append(urls, u)
		}
	}
	return urls
}

// sendWebhooksLocked schedules the POST of e (an event of domain as
// stored) to each of its webhook URLs. The body is signed once: retries
// send it again as it was.
func (s *Server) sendWebhooksLocked(domain string, e mailgun.Event) {
	et, ok := webhookEventType(&e)
	if !ok {
		return
	}
	urls := s.webhookTargetsLocked(domain, et)
	if len(urls) == 0 {
		return
	}
	now := s.now()
	body, err := webhookBody(s.webhooks.signingKey, now, e)
	if err != nil {
		return // an event decoded from JSON always encodes again
	}
	for _, u := range urls {
		d := &pendingWebhook{url: u, eventType: et, eventID: e.ID, body: body}
		s.scheduleDetachedAt(now, func(ctx context.Context) { s.postPendingWebhook(ctx, d) })
	}
}

// pendingWebhook is a webhook being delivered.
type pendingWebhook struct {
	url       string
	eventType mailgun.WebhookEventType
	eventID   string
	body      []byte
	attempts  int
}

// postPendingWebhook makes one attempt and schedules the next if needed.
// It runs on a goroutine of its own (scheduleDetachedAt): a slow receiver
// delays only its own webhook.
func (s *Server) postPendingWebhook(ctx context.Context, d *pendingWebhook) {
	d.attempts++
	at := s.now()
	status, err := s.postWebhook(ctx, d.url, d.body)
	if ctx.Err() != nil {
		return // the server closed
	}
	rec := WebhookDelivery{URL: d.url, EventType: d.eventType, EventID: d.eventID, Attempt: d.attempts, At: at, StatusCode: status}
	if err != nil {
		rec.Err = err.Error()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	retries := s.messages.lifecycle.timing.WebhookRetries
	taken := err == nil && (status >= 200 && status <= 299 || status == http.StatusNotAcceptable)
	rec.Final = taken || d.eventType == mailgun.WebhookEventDelivered || d.attempts > len(retries)
	s.messages.webhooks.log = append(s.messages.webhooks.log, rec)
	if !rec.Final {
		s.scheduleDetachedAt(at.Add(retries[d.attempts-1]), func(ctx context.Context) { s.postPendingWebhook(ctx, d) })
	}
}
