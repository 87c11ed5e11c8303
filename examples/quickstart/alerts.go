package main

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/mgkit/mailgun"
)

// alertsStep creates an ip_listed alert whose webhook is a handler of this
// program, has the fake deliver a signed alert to it, and prints the
// verified event. Against the real API it only reads the settings.
func alertsStep(ctx context.Context, e *env) error {
	settings, err := e.c.Alerts.GetSettings(ctx)
	if err != nil {
		return err
	}
	// Secrets print redacted: the key never reaches a log by accident.
	fmt.Printf("alert settings: %d, webhook signing key %v\n", len(settings.Events), settings.WebhookSigningKey)
	if e.live() {
		types, err := e.c.Alerts.ListEventTypes(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("event types you can alert on: %v\n", types)
		for _, s := range settings.Events {
			fmt.Printf("  %s -> %s (disabled: %v)\n", s.EventType, s.Channel, s.Disabled())
		}
		return nil
	}

	received := make(chan *mailgun.AlertWebhook, 1)
	hook := httptest.NewServer(mailgun.AlertWebhookHandler(string(settings.WebhookSigningKey),
		func(_ context.Context, wh *mailgun.AlertWebhook) error {
			received <- wh
			return nil
		}))
	defer hook.Close()

	s, err := e.c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel(hook.URL))
	if err != nil {
		return err
	}
	fmt.Printf("created alert %s: %s -> %s (Mailgun checked the URL with a GET)\n", s.ID, s.EventType, s.Settings.URL)

	err = e.srv.DeliverAlert(ctx, hook.URL, map[string]string{
		"id": "927156bd-0000-0000-0000-38100897278d", "event": "ip_listed", "ip": "192.0.2.10",
		"blocklist": "Spamhaus", "message": "IP 192.0.2.10 was blocklisted by Spamhaus",
	})
	if err != nil {
		return err
	}
	wh := <-received
	fmt.Printf("verified alert: %s ip=%s blocklist=%s: %s\n", wh.EventData.Event, wh.EventData.IP, wh.EventData.Blocklist, wh.EventData.Message)
	return nil
}

// thresholdAlertsStep creates a threshold alert, changes its limit and
// lists the alerts that fired. Against the real API it only lists.
func thresholdAlertsStep(ctx context.Context, e *env) error {
	if !e.live() {
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
		fmt.Printf("created threshold alert %q: %s %s %s per %s\n", a.Name, a.Metric, a.Comparator, a.Limit, a.Dimension)
		err = e.c.Alerts.ModifySendAlert(ctx, a.Name, func(r *mailgun.SendAlertRequest) error {
			r.Limit = ".03"
			return nil
		})
		if err != nil {
			return err
		}
	}
	list, err := e.c.Alerts.ListSendAlerts(ctx)
	if err != nil {
		return err
	}
	for _, a := range list.Items {
		fmt.Printf("threshold alert %q: %s %s %s\n", a.Name, a.Metric, a.Comparator, a.Limit)
	}
	hits, err := e.c.Alerts.ListThresholdHits(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("threshold hits: %d\n", len(hits.Items))
	return nil
}
