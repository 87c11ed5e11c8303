package mailgun_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

func ExampleAlertsService_CreateSetting() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	s, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.EmailChannel("ops@example.com"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(s.EventType, s.Channel, s.Settings.Emails)

	// An email channel without addresses is refused before anything is sent.
	_, err = c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.EmailChannel())
	fmt.Println(errors.Is(err, mailgun.ErrInvalidArgument))
	// Output:
	// ip_listed email [ops@example.com]
	// true
}

func ExampleAlertsService_CreateSendAlert() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	a, err := c.Alerts.CreateSendAlert(ctx, mailgun.SendAlertRequest{
		Name:          "hard bounce rate",
		Metric:        mailgun.AlertMetricHardBounceRate,
		Comparator:    mailgun.AlertCompareGreater,
		Limit:         ".05",
		Dimension:     mailgun.AlertDimensionDomain,
		AlertChannels: []mailgun.Channel{mailgun.ChannelEmail},
		Period:        "1h",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Names contain spaces; the SDK escapes them as one path segment.
	got, err := c.Alerts.GetSendAlert(ctx, a.Name)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(got.Name+":", got.Metric, got.Comparator, got.Limit, "per", got.Dimension, "over", got.Period)
	// Output: hard bounce rate: hard_bounce_rate > .05 per domain over 1h
}

func ExampleAlertsService_ModifySendAlert() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	_, err := c.Alerts.CreateSendAlert(ctx, mailgun.SendAlertRequest{
		Name: "complaint rate", Metric: mailgun.AlertMetricComplainedRate, Comparator: mailgun.AlertCompareGreater,
		Limit: ".001", Dimension: mailgun.AlertDimensionDomain, AlertChannels: []mailgun.Channel{mailgun.ChannelSlack},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Replace is a full replacement; ModifySendAlert keeps what the callback leaves alone.
	err = c.Alerts.ModifySendAlert(ctx, "complaint rate", func(r *mailgun.SendAlertRequest) error {
		r.Limit = ".002"
		return nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := c.Alerts.GetSendAlert(ctx, "complaint rate")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Limit, a.AlertChannels)
	// Output: .002 [slack]
}

func ExampleAlertsService_ListThresholdHits() {
	srv := mailguntest.Start()
	defer srv.Close()
	srv.AddThresholdHit(mailguntest.ThresholdHit{Name: "hard bounce rate", Metric: "hard_bounce_rate", Comparator: ">",
		Limit: ".05", LatestValue: "0.0712", Dimension: "domain", DimensionValue: "example.com", Triggered: true})

	hits, err := srv.Client().Alerts.ListThresholdHits(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range hits.Items {
		fmt.Printf("%s on %s: %s %s %s (expires set: %v)\n", h.Name, h.DimensionValue, h.LatestValue, h.Comparator, h.Limit, !h.ExpiresAt.IsZero())
	}
	// Output: hard bounce rate on example.com: 0.0712 > .05 (expires set: false)
}

func ExampleAlertWebhookHandler() {
	srv := mailguntest.Start()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	settings, err := c.Alerts.GetSettings(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	h := mailgun.AlertWebhookHandler(string(settings.WebhookSigningKey), func(ctx context.Context, wh *mailgun.AlertWebhook) error {
		fmt.Printf("%s: %s\n", wh.EventData.Event, wh.EventData.Message)
		return nil
	})
	hook := httptest.NewServer(h) // in production: http.Handle("/mailgun/alerts", h)
	defer hook.Close()

	// Mailgun checks the URL with a GET, which the handler answers 200.
	if _, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel(hook.URL)); err != nil {
		fmt.Println(err)
		return
	}
	// The fake delivers a signed alert, as Mailgun does when the IP is listed.
	err = srv.DeliverAlert(ctx, hook.URL, map[string]string{
		"event": "ip_listed", "ip": "192.0.2.10", "blocklist": "Spamhaus", "message": "IP 192.0.2.10 was blocklisted by Spamhaus",
	})
	fmt.Println("delivered:", err == nil)
	// Output:
	// ip_listed: IP 192.0.2.10 was blocklisted by Spamhaus
	// delivered: true
}

func ExampleVerifyAlertSignature() {
	body := []byte(`{"signature":{"timestamp":1661445572,"token":"b912851220af04be63e2feacebeafc7844f813847d309631ec"},"event_data":{"event":"ip_listed"}}`)
	xSign := mailguntest.SignAlert("alert-signing-key", body) // what Mailgun sends in X-Sign

	fmt.Println(mailgun.VerifyAlertSignature("alert-signing-key", body, xSign))
	fmt.Println(mailgun.VerifyAlertSignature("rotated-away-key", body, xSign))
	fmt.Println(mailgun.VerifyAlertSignature("alert-signing-key", body, ""))
	// Output:
	// <nil>
	// mailgun: webhook signature mismatch
	// mailgun: webhook signature missing
}
