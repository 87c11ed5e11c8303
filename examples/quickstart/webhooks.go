package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// accountWebhookStep creates an account webhook for delivery events (the
// fake only) and lists the account's webhooks.
func accountWebhookStep(ctx context.Context, e *env) error {
	if !e.live() {
		hook, err := e.c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{
			URL:         "https://hooks.example.com/mailgun",
			EventTypes:  []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventPermanentFail},
			Description: "quickstart",
		})
		if err != nil {
			return err
		}
		fmt.Printf("created account webhook %s\n", hook.ID)
	}
	hooks, err := e.c.AccountWebhooks.List(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("%d account webhook(s)\n", len(hooks))
	for _, h := range hooks {
		fmt.Printf("  %s -> %s %v\n", h.ID, h.URL, h.EventTypes)
	}
	return nil
}

// clickTrackingStep turns click tracking on (the fake only) and shows the
// domain's tracking settings.
func clickTrackingStep(ctx context.Context, e *env) error {
	if !e.live() {
		click, err := e.c.Tracking.UpdateClick(ctx, e.domain, mailgun.ClickTrackingUpdate{Active: mailgun.ClickTrackingOn})
		if err != nil {
			return err
		}
		fmt.Printf("click tracking of %s is now %s\n", e.domain, click.Active)
	}
	t, err := e.c.Tracking.Get(ctx, e.domain)
	if err != nil {
		return err
	}
	fmt.Printf("tracking of %s: open %v, click %s, unsubscribe %v, links over %s\n",
		e.domain, t.Open.Active, t.Click.Active, t.Unsubscribe.Active, t.WebScheme)
	return nil
}

// signedWebhookStep serves WebhookHandler locally and sends it a signed
// send webhook: from the fake, or signed here with a demo key when talking
// to the real API (nothing is sent to Mailgun).
func signedWebhookStep(ctx context.Context, e *env) error {
	key := "key-quickstart-demo"
	if !e.live() {
		key = e.srv.WebhookSigningKey()
	}
	received := make(chan mailgun.Event, 1)
	handler := mailgun.WebhookHandler(key, func(_ context.Context, ev *mailgun.WebhookEvent) error {
		received <- ev.EventData
		return nil
	}, mailgun.WithVerifyOptions(mailgun.WithTokenStore(mailgun.NewMemoryTokenStore(0, nil))))
	receiver := httptest.NewServer(handler)
	defer receiver.Close()

	event := mailgun.Event{Event: mailgun.EventDelivered, Recipient: "bob@example.com"}
	if e.live() {
		if err := postSigned(ctx, receiver.URL, key, event); err != nil {
			return err
		}
	} else if err := e.srv.DeliverWebhook(ctx, receiver.URL, event); err != nil {
		return err
	}
	ev := <-received
	fmt.Printf("handler verified and received a %s event for %s\n", ev.Event, ev.Recipient)

	// A forged signature never reaches the handler's function.
	forged := `{"signature":{"timestamp":"1","token":"t","signature":"00"},"event-data":{"event":"delivered"}}`
	resp, err := http.Post(receiver.URL, "application/json", strings.NewReader(forged))
	if err != nil {
		return err
	}
	resp.Body.Close()
	fmt.Printf("a forged webhook is answered %d\n", resp.StatusCode)
	return nil
}

// postSigned sends event to url signed with key now, as Mailgun would.
func postSigned(ctx context.Context, url, key string, event mailgun.Event) error {
	event.Timestamp = time.Now()
	body, err := json.Marshal(mailgun.WebhookEvent{Signature: mailgun.NewWebhookSignature(key, time.Now()), EventData: event})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webhook answered %d", resp.StatusCode)
	}
	return nil
}
