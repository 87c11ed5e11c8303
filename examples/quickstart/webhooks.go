package main

import (
	"context"

	"github.com/mgkit/mailgun"
)

// webhooksStep creates an account webhook and turns click tracking on
// (the fake only), then shows the webhooks and the tracking settings.
func webhooksStep(ctx context.Context, e *env) error {
	if !e.live() {
		_, err := e.c.AccountWebhooks.Create(ctx, mailgun.AccountWebhookInput{
			URL:         "https://hooks.example.com/mailgun",
			EventTypes:  []mailgun.WebhookEventType{mailgun.WebhookEventOpened, mailgun.WebhookEventClicked},
			Description: "quickstart",
		})
		if err != nil {
			return err
		}
		if _, err := e.c.Tracking.UpdateClick(ctx, e.domain, mailgun.ClickTrackingUpdate{Active: mailgun.ClickTrackingOn}); err != nil {
			return err
		}
	}
	hooks, err := e.c.AccountWebhooks.List(ctx)
	if err != nil {
		return err
	}
	for _, h := range hooks[:min(len(hooks), 5)] {
		e.printf("account webhook: %s %v", h.URL, h.EventTypes)
	}
	table, err := e.c.DomainWebhooks.List(ctx, e.domain)
	if err != nil {
		return err
	}
	e.printf("%d account webhook(s); %s has webhooks for %d event type(s)", len(hooks), e.domain, len(table))

	t, err := e.c.Tracking.Get(ctx, e.domain)
	if err != nil {
		return err
	}
	e.printf("tracking of %s: open %t, click %s, unsubscribe %t, links over %s",
		e.domain, t.Open.Active, t.Click.Active, t.Unsubscribe.Active, t.WebScheme)
	return nil
}
