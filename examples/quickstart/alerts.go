package main

import (
	"context"
	"net/http/httptest"

	"github.com/mgkit/mailgun"
)

// alertsStep creates an ip_listed alert whose webhook is a handler of this
// program, has the fake deliver a signed alert to it, and creates a
// threshold alert. Against the real API it only reads.
func alertsStep(ctx context.Context, e *env) error {
	settings, err := e.c.Alerts.GetSettings(ctx)
	if err != nil {
		return err
	}
	// Secrets print redacted: the key never reaches a log by accident.
	e.printf("alert settings: %d, webhook signing key %v", len(settings.Events), settings.WebhookSigningKey)
	if !e.live() {
		if err := alertWebhook(ctx, e, string(settings.WebhookSigningKey)); err != nil {
			return err
		}
		a, err := e.c.Alerts.CreateSendAlert(ctx, mailgun.SendAlertRequest{
			Name:          "hard bounce rate",
			Metric:        mailgun.AlertMetricHardBounceRate,
			Comparator:    mailgun.AlertCompareGreater,
			Limit:         ".05",
			Dimension:     mailgun.AlertDimensionDomain,
			AlertChannels: []mailgun.Channel{mailgun.ChannelWebhook},
			Period:        "1h",
		})
		if err != nil {
			return err
		}
		e.printf("created threshold alert %q: %s %s %s per %s", a.Name, a.Metric, a.Comparator, a.Limit, a.Dimension)
	}
	list, err := e.c.Alerts.ListSendAlerts(ctx)
	if err != nil {
		return err
	}
	hits, err := e.c.Alerts.ListThresholdHits(ctx)
	if err != nil {
		return err
	}
	e.printf("threshold alerts: %d, hits: %d", len(list.Items), len(hits.Items))
	return nil
}

// alertWebhook serves AlertWebhookHandler locally, registers it for
// ip_listed alerts and has the fake deliver one.
func alertWebhook(ctx context.Context, e *env, signingKey string) error {
	received := make(chan *mailgun.AlertWebhook, 1)
	hook := httptest.NewServer(mailgun.AlertWebhookHandler(signingKey, func(_ context.Context, wh *mailgun.AlertWebhook) error {
		received <- wh
		return nil
	}))
	defer hook.Close()

	s, err := e.c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel(hook.URL))
	if err != nil {
		return err
	}
	e.printf("created alert: %s -> a local AlertWebhookHandler (Mailgun checked the URL with a GET)", s.EventType)
	err = e.srv.DeliverAlert(ctx, hook.URL, map[string]string{
		"id": "927156bd-0000-0000-0000-38100897278d", "event": "ip_listed", "ip": "192.0.2.10",
		"blocklist": "Spamhaus", "message": "IP 192.0.2.10 was blocklisted by Spamhaus",
	})
	if err != nil {
		return err
	}
	wh := <-received
	e.printf("verified alert: %s ip=%s blocklist=%s", wh.EventData.Event, wh.EventData.IP, wh.EventData.Blocklist)
	return nil
}
