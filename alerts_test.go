package mailgun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/mailguntest"
)

const alertsBase = "https://api.mailgun.net"

// alertWireCase is one method call and the request it must send.
type alertWireCase struct {
	name     string
	method   string // of the responder and the request
	path     string // escaped path the responder answers
	status   int
	response []byte
	call     func(ctx context.Context, c *mailgun.Client) error
	wantURI  string
	wantBody []byte // nil: no body
}

func alertWireCases(t *testing.T) []alertWireCase {
	ex := func(name string) []byte { return fixture(t, "examples/alerts/"+name) }
	msg := []byte(`{"message":"ok"}`)
	return []alertWireCase{
		{
			name: "ListEventTypes", method: "GET", path: "/v1/alerts/events", status: 200,
			response: ex("get-v1-alerts-events.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				types, err := c.Alerts.ListEventTypes(ctx)
				if err == nil && len(types) != 2 {
					err = fmt.Errorf("got %v", types)
				}
				return err
			},
			wantURI: "/v1/alerts/events",
		},
		{
			name: "GetSettings", method: "GET", path: "/v1/alerts/settings", status: 200,
			response: ex("get-v1-alerts-settings.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.GetSettings(ctx)
				return err
			},
			wantURI: "/v1/alerts/settings",
		},
		{
			name: "CreateSetting webhook", method: "POST", path: "/v1/alerts/settings/events", status: 200,
			response: ex("post-v1-alerts-settings-events.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel("https://alerts.example.com/mailgun"))
				return err
			},
			wantURI: "/v1/alerts/settings/events", wantBody: ex("post-v1-alerts-settings-events.request-webhook.json"),
		},
		{
			name: "CreateSetting email", method: "POST", path: "/v1/alerts/settings/events", status: 200,
			response: ex("post-v1-alerts-settings-events.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.EmailChannel("recipient-a@example.com", "recipient-b@example.com"))
				return err
			},
			wantURI: "/v1/alerts/settings/events", wantBody: ex("post-v1-alerts-settings-events.request-email.json"),
		},
		{
			name: "CreateSetting slack", method: "POST", path: "/v1/alerts/settings/events", status: 200,
			response: ex("post-v1-alerts-settings-events.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.SlackChannel("C0123", "C0456"))
				return err
			},
			wantURI: "/v1/alerts/settings/events", wantBody: ex("post-v1-alerts-settings-events.request-slack.json"),
		},
		{
			name: "UpdateSetting", method: "PUT", path: "/v1/alerts/settings/events/8a2db565-cdd0-41d2-ae5d-461ee9c64492", status: 200,
			response: ex("put-v1-alerts-settings-events-id.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.UpdateSetting(ctx, "8a2db565-cdd0-41d2-ae5d-461ee9c64492", mailgun.AlertEventIPDelisted,
					mailgun.EmailChannel("recipient-a@example.com", "recipient-b@example.com"))
			},
			wantURI:  "/v1/alerts/settings/events/8a2db565-cdd0-41d2-ae5d-461ee9c64492",
			wantBody: ex("put-v1-alerts-settings-events-id.request.json"),
		},
		{
			name: "UpdateSetting does not send read-only settings", method: "PUT", path: "/v1/alerts/settings/events/id-1", status: 200,
			response: msg,
			call: func(ctx context.Context, c *mailgun.Client) error {
				to := mailgun.SlackChannel("C1")
				to.Settings.DisabledChannelIDs = map[string]mailgun.DisabledSlackChannel{"C1": {Reason: "archived"}}
				return c.Alerts.UpdateSetting(ctx, "id-1", "new_event_type", to)
			},
			wantURI:  "/v1/alerts/settings/events/id-1",
			wantBody: []byte(`{"event_type":"new_event_type","channel":"slack","settings":{"channel_ids":["C1"]}}`),
		},
		{
			name: "DeleteSetting", method: "DELETE", path: "/v1/alerts/settings/events/8a2db565", status: 200,
			response: ex("delete-v1-alerts-settings-events-id.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.DeleteSetting(ctx, "8a2db565")
			},
			wantURI: "/v1/alerts/settings/events/8a2db565",
		},
		{
			name: "SetSlackSettings", method: "PUT", path: "/v1/alerts/settings/slack", status: 204,
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.SetSlackSettings(ctx, mailgun.SlackSettings{Token: "xoxb-1", TeamID: "T1", TeamName: "Team"})
			},
			wantURI:  "/v1/alerts/settings/slack",
			wantBody: []byte(`{"token":"xoxb-1","team_id":"T1","team_name":"Team","scope":null}`),
		},
		{
			name: "DeleteSlackSettings", method: "DELETE", path: "/v1/alerts/settings/slack", status: 204,
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.DeleteSlackSettings(ctx)
			},
			wantURI: "/v1/alerts/settings/slack",
		},
		{
			name: "RevokeSlack", method: "DELETE", path: "/v1/alerts/slack/oauth", status: 204,
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.RevokeSlack(ctx)
			},
			wantURI: "/v1/alerts/slack/oauth",
		},
		{
			name: "RotateSigningKey", method: "PUT", path: "/v1/alerts/settings/webhooks/signing_key", status: 200,
			response: []byte(`{"signing_key":"new-key-123"}`),
			call: func(ctx context.Context, c *mailgun.Client) error {
				k, err := c.Alerts.RotateSigningKey(ctx)
				if err == nil && string(k) != "new-key-123" {
					err = errors.New("wrong key")
				}
				return err
			},
			wantURI: "/v1/alerts/settings/webhooks/signing_key",
		},
		{
			name: "SendTestWebhook", method: "POST", path: "/v1/alerts/webhooks/test", status: 200,
			response: ex("post-v1-alerts-webhooks-test.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.SendTestWebhook(ctx, "some-event", "https://alerts.example.com/webhook")
			},
			wantURI: "/v1/alerts/webhooks/test", wantBody: ex("post-v1-alerts-webhooks-test.request.json"),
		},
		{
			name: "SendTestEmail", method: "POST", path: "/v1/alerts/email/test", status: 200,
			response: ex("post-v1-alerts-email-test.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.SendTestEmail(ctx, "some-event", "email1@example.com", "email2@example.com")
			},
			wantURI: "/v1/alerts/email/test", wantBody: ex("post-v1-alerts-email-test.request.json"),
		},
		{
			name: "SendTestSlack", method: "POST", path: "/v1/alerts/slack/test", status: 200,
			response: ex("post-v1-alerts-slack-test.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.SendTestSlack(ctx, "some-event", "C0123", "C0456")
			},
			wantURI: "/v1/alerts/slack/test", wantBody: ex("post-v1-alerts-slack-test.request.json"),
		},
		{
			name: "SendTestSlack without channels", method: "POST", path: "/v1/alerts/slack/test", status: 200,
			response: msg,
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.SendTestSlack(ctx, mailgun.AlertEventIPListed)
			},
			wantURI: "/v1/alerts/slack/test", wantBody: []byte(`{"event_type":"ip_listed"}`),
		},
		{
			name: "ListSlackChannels", method: "GET", path: "/v1/alerts/slack/channels", status: 200,
			response: ex("get-v1-alerts-slack-channels.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				p, err := c.Alerts.ListSlackChannels(ctx, &mailgun.SlackChannelsOptions{Limit: 10})
				if err == nil && p.Next != "/v1/alerts/slack/channels?page=bar" {
					err = fmt.Errorf("next cursor %q", p.Next)
				}
				return err
			},
			wantURI: "/v1/alerts/slack/channels?limit=10",
		},
		{
			name: "ListSlackChannels from a cursor", method: "GET", path: "/v1/alerts/slack/channels", status: 200,
			response: ex("get-v1-alerts-slack-channels.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.ListSlackChannels(ctx, &mailgun.SlackChannelsOptions{Cursor: "/v1/alerts/slack/channels?page=bar"})
				return err
			},
			wantURI: "/v1/alerts/slack/channels?page=bar",
		},
		{
			name: "GetSlackChannel", method: "GET", path: "/v1/alerts/slack/channels/C012AB3CD", status: 200,
			response: ex("get-v1-alerts-slack-channels-id.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.GetSlackChannel(ctx, "C012AB3CD")
				return err
			},
			wantURI: "/v1/alerts/slack/channels/C012AB3CD",
		},
		{
			name: "ListSendAlerts", method: "GET", path: "/v1/thresholds/alerts/send", status: 200,
			response: ex("get-v1-thresholds-alerts-send.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.ListSendAlerts(ctx)
				return err
			},
			wantURI: "/v1/thresholds/alerts/send",
		},
		{
			name: "CreateSendAlert", method: "POST", path: "/v1/thresholds/alerts/send", status: 200,
			response: ex("post-v1-thresholds-alerts-send.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.CreateSendAlert(ctx, mailgun.SendAlertRequest{
					Name: "hard bounce rate", Metric: mailgun.AlertMetricHardBounceRate, Comparator: mailgun.AlertCompareLess,
					Limit: ".99", Dimension: mailgun.AlertDimensionSubaccount,
					AlertChannels: []mailgun.Channel{mailgun.ChannelEmail, mailgun.ChannelWebhook, mailgun.ChannelSlack},
					Period:        "1h",
				})
				return err
			},
			wantURI: "/v1/thresholds/alerts/send", wantBody: ex("post-v1-thresholds-alerts-send.request.json"),
		},
		{
			name: "CreateSendAlert with filters", method: "POST", path: "/v1/thresholds/alerts/send", status: 200,
			response: ex("post-v1-thresholds-alerts-send.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.CreateSendAlert(ctx, mailgun.SendAlertRequest{
					Name:        "gmail complaint rate",
					Description: "Complaint rate per sending domain for Gmail recipients",
					Metric:      mailgun.AlertMetricComplainedRate, Comparator: mailgun.AlertCompareGreater,
					Limit: ".001", Dimension: mailgun.AlertDimensionDomain,
					Filters: []mailgun.AlertFilter{{
						Dimension: mailgun.AlertDimensionRecipientProvider, Comparator: mailgun.AlertCompareEqual, Values: []string{"Gmail"},
					}},
					AlertChannels: []mailgun.Channel{mailgun.ChannelEmail, mailgun.ChannelWebhook},
					Period:        "1d",
				})
				return err
			},
			wantURI: "/v1/thresholds/alerts/send", wantBody: ex("post-v1-thresholds-alerts-send.request-with-filters.json"),
		},
		{
			name: "GetSendAlert escapes the name", method: "GET", path: "/v1/thresholds/alerts/send/delivery%20rate", status: 200,
			response: ex("get-v1-thresholds-alerts-send-name.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.GetSendAlert(ctx, "delivery rate")
				return err
			},
			wantURI: "/v1/thresholds/alerts/send/delivery%20rate",
		},
		{
			name: "ReplaceSendAlert", method: "PUT", path: "/v1/thresholds/alerts/send/hard%20bounce%20rate", status: 200,
			response: ex("put-v1-thresholds-alerts-send-name.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.ReplaceSendAlert(ctx, "hard bounce rate", mailgun.SendAlertRequest{
					Metric: mailgun.AlertMetricHardBounceRate, Comparator: mailgun.AlertCompareLess,
					Limit: ".98", Dimension: mailgun.AlertDimensionSubaccount,
					AlertChannels: []mailgun.Channel{mailgun.ChannelEmail, mailgun.ChannelWebhook, mailgun.ChannelSlack},
					Period:        "1h",
				})
			},
			wantURI:  "/v1/thresholds/alerts/send/hard%20bounce%20rate",
			wantBody: ex("put-v1-thresholds-alerts-send-name.request.json"),
		},
		{
			name: "DeleteSendAlert keeps slash and plus inside the segment", method: "DELETE", path: "/v1/thresholds/alerts/send/a%2Fb%2Bc%20d", status: 200,
			response: ex("delete-v1-thresholds-alerts-send-name.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				return c.Alerts.DeleteSendAlert(ctx, "a/b+c d")
			},
			wantURI: "/v1/thresholds/alerts/send/a%2Fb%2Bc%20d",
		},
		{
			name: "ListThresholdHits", method: "GET", path: "/v1/thresholds/hits", status: 200,
			response: ex("get-v1-thresholds-hits.200.json"),
			call: func(ctx context.Context, c *mailgun.Client) error {
				_, err := c.Alerts.ListThresholdHits(ctx)
				return err
			},
			wantURI: "/v1/thresholds/hits",
		},
	}
}

func TestAlertsWire(t *testing.T) {
	for _, tc := range alertWireCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(tc.method, alertsBase+tc.path, tc.status, tc.response)
			require.NoError(t, tc.call(context.Background(), c))
			req := m.only(t)
			assert.Equal(t, tc.method, req.Method)
			assert.Equal(t, tc.wantURI, req.RequestURI)
			assert.Equal(t, "application/json", req.Header.Get("Accept"))
			user, pass, ok := (&http.Request{Header: req.Header}).BasicAuth()
			assert.True(t, ok && user == "api" && pass == testKey, "basic auth")
			if tc.wantBody == nil {
				assert.Empty(t, req.Body)
				assert.Empty(t, req.Header.Get("Content-Type"))
				return
			}
			assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
			assertJSONEqual(t, tc.wantBody, req.Body)
		})
	}
}

func TestAlertsRequestExamplesMatchContract(t *testing.T) {
	ct := contracttest.Load(t)
	for file, route := range map[string][2]string{
		"post-v1-alerts-settings-events.request-webhook.json":      {"POST", "/v1/alerts/settings/events"},
		"post-v1-alerts-settings-events.request-email.json":        {"POST", "/v1/alerts/settings/events"},
		"post-v1-alerts-settings-events.request-slack.json":        {"POST", "/v1/alerts/settings/events"},
		"put-v1-alerts-settings-events-id.request.json":            {"PUT", "/v1/alerts/settings/events/8a2db565"},
		"put-v1-alerts-settings-slack.request.json":                {"PUT", "/v1/alerts/settings/slack"},
		"post-v1-alerts-webhooks-test.request.json":                {"POST", "/v1/alerts/webhooks/test"},
		"post-v1-alerts-email-test.request.json":                   {"POST", "/v1/alerts/email/test"},
		"post-v1-alerts-slack-test.request.json":                   {"POST", "/v1/alerts/slack/test"},
		"post-v1-thresholds-alerts-send.request.json":              {"POST", "/v1/thresholds/alerts/send"},
		"post-v1-thresholds-alerts-send.request-with-filters.json": {"POST", "/v1/thresholds/alerts/send"},
		"put-v1-thresholds-alerts-send-name.request.json":          {"PUT", "/v1/thresholds/alerts/send/hard%20bounce%20rate"},
	} {
		body := fixture(t, "examples/alerts/"+file)
		assert.NoError(t, ct.CheckRequestExample(route[0], route[1], "application/json", body), file)
	}
}

// decodeAlertExample validates a documented response and decodes it into out.
func decodeAlertExample(t *testing.T, method, path, file string, out any) {
	t.Helper()
	body := example(t, "alerts/"+file, method, path, 200)
	require.NoError(t, json.Unmarshal(body, out), file)
}

func TestAlertsDecodeExamples(t *testing.T) {
	t.Run("events", func(t *testing.T) {
		var out struct {
			Events []mailgun.AlertEventType `json:"events"`
		}
		decodeAlertExample(t, "GET", "/v1/alerts/events", "get-v1-alerts-events.200.json", &out)
		assert.Equal(t, []mailgun.AlertEventType{mailgun.AlertEventIPListed, mailgun.AlertEventIPDelisted}, out.Events)
	})
	t.Run("settings", func(t *testing.T) {
		var s mailgun.AlertSettings
		decodeAlertExample(t, "GET", "/v1/alerts/settings", "get-v1-alerts-settings.200.json", &s)
		require.Len(t, s.Events, 3)
		first := s.Events[0]
		assert.Equal(t, "8a2db565-cdd0-41d2-ae5d-461ee9c64492", first.ID)
		assert.Equal(t, mailgun.AlertEventIPListed, first.EventType)
		assert.Equal(t, mailgun.WebhookChannel("https://alerts.example.com/mailgun"), first.AlertTarget)
		assert.False(t, first.Disabled())
		assert.True(t, s.Events[1].Disabled())
		assert.Equal(t, time.Date(2006, 1, 2, 22, 4, 5, 0, time.UTC), s.Events[1].DisabledAt)
		assert.Equal(t, mailgun.EmailChannel("recipient-1@example.com", "recipient-2@example.com"), s.Events[2].AlertTarget)
		assert.Equal(t, "bdee4d3e39910a92628f1df02fd0a73a", string(s.WebhookSigningKey))
		assert.Equal(t, mailgun.SlackSettings{Token: "string", TeamID: "string", TeamName: "string", Scope: "string"}, s.Slack)
	})
	t.Run("created setting", func(t *testing.T) {
		var a mailgun.AlertSetting
		decodeAlertExample(t, "POST", "/v1/alerts/settings/events", "post-v1-alerts-settings-events.200.json", &a)
		assert.Equal(t, "8a2db565-cdd0-41d2-ae5d-461ee9c64492", a.ID)
		assert.Equal(t, mailgun.ChannelWebhook, a.Channel)
		assert.Equal(t, "https://alerts.example.com/mailgun", a.Settings.URL)
		assert.True(t, a.DisabledAt.IsZero())
	})
	for _, ex := range []struct{ method, path, file, want string }{
		{"PUT", "/v1/alerts/settings/events/x", "put-v1-alerts-settings-events-id.200.json", "settings updated"},
		{"DELETE", "/v1/alerts/settings/events/x", "delete-v1-alerts-settings-events-id.200.json", "settings deleted"},
		{"POST", "/v1/alerts/webhooks/test", "post-v1-alerts-webhooks-test.200.json", "string"},
		{"POST", "/v1/alerts/email/test", "post-v1-alerts-email-test.200.json", "string"},
		{"POST", "/v1/alerts/slack/test", "post-v1-alerts-slack-test.200.json", "string"},
		{"PUT", "/v1/thresholds/alerts/send/x", "put-v1-thresholds-alerts-send-name.200.json", "Response message"},
		{"DELETE", "/v1/thresholds/alerts/send/x", "delete-v1-thresholds-alerts-send-name.200.json", "Response message"},
	} {
		t.Run(ex.file, func(t *testing.T) {
			var out struct {
				Message string `json:"message"`
			}
			decodeAlertExample(t, ex.method, ex.path, ex.file, &out)
			assert.Equal(t, ex.want, out.Message)
		})
	}
	t.Run("signing key", func(t *testing.T) {
		c, m := newMockClient(t)
		body := example(t, "alerts/put-v1-alerts-settings-webhooks-signing-key.200.json", "PUT", "/v1/alerts/settings/webhooks/signing_key", 200)
		m.respond("PUT", alertsBase+"/v1/alerts/settings/webhooks/signing_key", 200, body)
		k, err := c.Alerts.RotateSigningKey(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "string", string(k))
	})
	t.Run("slack channels", func(t *testing.T) {
		var out struct {
			Items  []mailgun.SlackChannelInfo `json:"items"`
			Paging map[string]string          `json:"paging"`
		}
		decodeAlertExample(t, "GET", "/v1/alerts/slack/channels", "get-v1-alerts-slack-channels.200.json", &out)
		assert.Equal(t, []mailgun.SlackChannelInfo{{ID: "C012AB3CD", Name: "general"}}, out.Items)
		var one mailgun.SlackChannelInfo
		decodeAlertExample(t, "GET", "/v1/alerts/slack/channels/C012AB3CD", "get-v1-alerts-slack-channels-id.200.json", &one)
		assert.Equal(t, mailgun.SlackChannelInfo{ID: "C012AB3CD", Name: "general"}, one)
	})
	t.Run("send alerts", func(t *testing.T) {
		var list mailgun.SendAlertList
		decodeAlertExample(t, "GET", "/v1/thresholds/alerts/send", "get-v1-thresholds-alerts-send.200.json", &list)
		require.Len(t, list.Items, 2)
		assert.EqualValues(t, 2, list.Total)
		a := list.Items[0]
		assert.Equal(t, "915ff385-0a9a-4087-86d5-6727ea7d9b49", a.ID)
		assert.Equal(t, "12345", a.ParentAccountID)
		assert.Equal(t, "67890", a.SubaccountID)
		assert.Equal(t, "hard bounce rate", a.Name)
		assert.Equal(t, time.Date(2025, 11, 7, 20, 54, 42, 186270000, time.UTC), a.CreatedAt, "five fractional digits")
		assert.Equal(t, time.Date(2025, 11, 7, 20, 54, 42, 186271000, time.UTC), a.UpdatedAt)
		assert.Equal(t, a.UpdatedAt, a.LastChecked)
		assert.Equal(t, []mailgun.Channel{mailgun.ChannelEmail, mailgun.ChannelWebhook, mailgun.ChannelSlack}, a.AlertChannels)
		assert.Equal(t, mailgun.AlertMetricHardBounceRate, a.Metric)
		assert.Equal(t, mailgun.AlertCompareLess, a.Comparator)
		assert.Equal(t, mailgun.Decimal(".99"), a.Limit)
		assert.Equal(t, mailgun.AlertDimensionSubaccount, a.Dimension)
		assert.Equal(t, "1h", a.Period)
		assert.Equal(t, mailgun.Decimal(".01"), list.Items[1].Limit)
		assert.Equal(t, mailgun.AlertCompareGreater, list.Items[1].Comparator)

		for _, ex := range []struct{ method, path, file string }{
			{"POST", "/v1/thresholds/alerts/send", "post-v1-thresholds-alerts-send.200.json"},
			{"GET", "/v1/thresholds/alerts/send/delivery%20rate", "get-v1-thresholds-alerts-send-name.200.json"},
		} {
			var one mailgun.SendAlert
			decodeAlertExample(t, ex.method, ex.path, ex.file, &one)
			assert.Equal(t, "delivery rate", one.Name, ex.file)
			assert.Equal(t, mailgun.AlertMetricDeliveredRate, one.Metric, ex.file)
			assert.Equal(t, mailgun.Decimal(".99"), one.Limit, ex.file)
			assert.False(t, one.CreatedAt.IsZero(), ex.file)
		}
	})
	t.Run("threshold hits", func(t *testing.T) {
		var hits mailgun.ThresholdHitList
		decodeAlertExample(t, "GET", "/v1/thresholds/hits", "get-v1-thresholds-hits.200.json", &hits)
		require.Len(t, hits.Items, 2)
		assert.EqualValues(t, 2, hits.Total)
		h := hits.Items[0]
		assert.Equal(t, "hard bounce rate", h.Name)
		assert.True(t, h.Triggered)
		assert.Equal(t, time.Time{}, h.ExpiresAt, "0001-01-01T00:00:00Z is not set")
		assert.Equal(t, mailgun.Decimal("10"), h.LatestValue)
		assert.Equal(t, mailgun.Decimal("2100"), h.Limit)
		assert.Equal(t, mailgun.AlertMetricHardBounceRate, h.Metric)
		assert.Equal(t, mailgun.AlertCompareLess, h.Comparator)
		assert.Equal(t, mailgun.AlertDimensionSubaccount, h.Dimension)
		assert.Equal(t, "12345", h.ParentAccountID)
		assert.Equal(t, time.Date(2025, 11, 7, 20, 54, 42, 186308000, time.UTC), hits.Items[1].UpdatedAt)
	})
	t.Run("error", func(t *testing.T) {
		body := example(t, "alerts/alerts-error.default.json", "GET", "/v1/thresholds/alerts/send/x", 404)
		c, m := newMockClient(t)
		m.respond("GET", alertsBase+"/v1/thresholds/alerts/send/x", 404, body)
		_, err := c.Alerts.GetSendAlert(context.Background(), "x")
		require.ErrorIs(t, err, mailgun.ErrNotFound)
		var apiErr *mailgun.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "Response message", apiErr.Message)
	})
}

func TestAlertsDecodeOpenValuesAndTimes(t *testing.T) {
	var a mailgun.SendAlert
	require.NoError(t, json.Unmarshal([]byte(`{"name":"n","metric":"open_rate","comparator":"~","limit":0.5,
		"dimension":"region","alert_channels":["pager"],"created_at":"2025-11-07T20:54:42Z",
		"updated_at":"2025-11-07T20:54:42.123456789123Z","last_checked":null,
		"filters":[{"dimension":"ip","comparator":"not contains","values":["192.0.2."]}]}`), &a))
	assert.Equal(t, mailgun.AlertMetric("open_rate"), a.Metric)
	assert.Equal(t, mailgun.AlertComparator("~"), a.Comparator)
	assert.Equal(t, mailgun.AlertDimension("region"), a.Dimension)
	assert.Equal(t, []mailgun.Channel{"pager"}, a.AlertChannels)
	assert.Equal(t, mailgun.Decimal("0.5"), a.Limit, "a number limit keeps its text")
	assert.Equal(t, mailgun.AlertCompareNotContains, a.Filters[0].Comparator)
	assert.Equal(t, 123456789, a.UpdatedAt.Nanosecond(), "more than 9 digits are truncated")
	assert.True(t, a.LastChecked.IsZero())

	var s mailgun.AlertSetting
	require.NoError(t, json.Unmarshal([]byte(`{"id":"1","event_type":"new_type","channel":"sms","settings":{"channel_ids":["C1"],
		"disabled_channel_ids":{"C1":{"disabled_at":"2024-01-02T03:04:05.5+02:00","reason":"archived"}}}}`), &s))
	assert.Equal(t, mailgun.Channel("sms"), s.Channel)
	assert.False(t, s.Disabled(), "absent disabled_at is active")
	d := s.Settings.DisabledChannelIDs["C1"]
	assert.Equal(t, "archived", d.Reason)
	assert.True(t, d.DisabledAt.Equal(time.Date(2024, 1, 2, 1, 4, 5, 5e8, time.UTC)))

	assert.Error(t, json.Unmarshal([]byte(`{"created_at":"yesterday"}`), &a))
	assert.Error(t, json.Unmarshal([]byte(`{"expires_at":12}`), &mailgun.ThresholdHit{}))
}

func TestAlertsTruncatedResponse(t *testing.T) {
	c, m := newMockClient(t)
	m.respond("GET", alertsBase+"/v1/thresholds/alerts/send", 200, []byte(`{"items":[{"name":"x"`))
	_, err := c.Alerts.ListSendAlerts(context.Background())
	require.ErrorIs(t, err, mailgun.ErrInvalidResponse)
}

func TestAlertsBadInput(t *testing.T) {
	valid := mailgun.SendAlertRequest{Name: "n", Metric: mailgun.AlertMetricDeliveredRate, Comparator: mailgun.AlertCompareLess, Limit: ".9", Dimension: mailgun.AlertDimensionDomain}
	with := func(f func(*mailgun.SendAlertRequest)) mailgun.SendAlertRequest {
		r := valid
		f(&r)
		return r
	}
	ctx := context.Background()
	cases := map[string]func(c *mailgun.Client) error{
		"create: empty event type": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSetting(ctx, "", mailgun.EmailChannel("a@example.com"))
			return err
		},
		"create: empty email list": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.EmailChannel())
			return err
		},
		"create: blank address": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.EmailChannel("a@example.com", " "))
			return err
		},
		"create: no Slack channels": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.SlackChannel())
			return err
		},
		"create: empty webhook URL": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel(""))
			return err
		},
		"create: relative webhook URL": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel("/hook"))
			return err
		},
		"create: webhook with emails": func(c *mailgun.Client) error {
			to := mailgun.WebhookChannel("https://example.com/h")
			to.Settings.Emails = []string{"a@example.com"}
			_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, to)
			return err
		},
		"create: email with URL": func(c *mailgun.Client) error {
			to := mailgun.EmailChannel("a@example.com")
			to.Settings.URL = "https://example.com/h"
			_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, to)
			return err
		},
		"create: slack with emails": func(c *mailgun.Client) error {
			to := mailgun.SlackChannel("C1")
			to.Settings.Emails = []string{"a@example.com"}
			_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, to)
			return err
		},
		"create: no channel": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.AlertTarget{})
			return err
		},
		"update: empty id": func(c *mailgun.Client) error {
			return c.Alerts.UpdateSetting(ctx, " ", mailgun.AlertEventIPListed, mailgun.EmailChannel("a@example.com"))
		},
		"update: wrong settings": func(c *mailgun.Client) error {
			return c.Alerts.UpdateSetting(ctx, "id", mailgun.AlertEventIPListed, mailgun.AlertTarget{Channel: mailgun.ChannelSlack})
		},
		"delete: empty id": func(c *mailgun.Client) error { return c.Alerts.DeleteSetting(ctx, "") },
		"delete: dot id":   func(c *mailgun.Client) error { return c.Alerts.DeleteSetting(ctx, "..") },
		"slack settings: empty token": func(c *mailgun.Client) error {
			return c.Alerts.SetSlackSettings(ctx, mailgun.SlackSettings{TeamID: "T1"})
		},
		"test webhook: empty event type": func(c *mailgun.Client) error {
			return c.Alerts.SendTestWebhook(ctx, "", "https://example.com/h")
		},
		"test webhook: bad URL": func(c *mailgun.Client) error {
			return c.Alerts.SendTestWebhook(ctx, "ip_listed", "ftp://example.com")
		},
		"test email: no addresses": func(c *mailgun.Client) error { return c.Alerts.SendTestEmail(ctx, "ip_listed") },
		"test slack: blank channel": func(c *mailgun.Client) error {
			return c.Alerts.SendTestSlack(ctx, "ip_listed", "")
		},
		"slack channels: negative limit": func(c *mailgun.Client) error {
			_, err := c.Alerts.ListSlackChannels(ctx, &mailgun.SlackChannelsOptions{Limit: -1})
			return err
		},
		"slack channels: cursor of another list": func(c *mailgun.Client) error {
			_, err := c.Alerts.ListSlackChannels(ctx, &mailgun.SlackChannelsOptions{Cursor: "/v3/example.com/bounces?page=next"})
			return err
		},
		"slack channels: cursor to another host": func(c *mailgun.Client) error {
			_, err := c.Alerts.ListSlackChannels(ctx, &mailgun.SlackChannelsOptions{Cursor: "https://evil.example/v1/alerts/slack/channels"})
			return err
		},
		"slack channel: empty id": func(c *mailgun.Client) error {
			_, err := c.Alerts.GetSlackChannel(ctx, "")
			return err
		},
		"send alert: empty name": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSendAlert(ctx, with(func(r *mailgun.SendAlertRequest) { r.Name = "" }))
			return err
		},
		"send alert: no metric": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSendAlert(ctx, with(func(r *mailgun.SendAlertRequest) { r.Metric = "" }))
			return err
		},
		"send alert: no comparator": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSendAlert(ctx, with(func(r *mailgun.SendAlertRequest) { r.Comparator = "" }))
			return err
		},
		"send alert: text comparator on the metric": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSendAlert(ctx, with(func(r *mailgun.SendAlertRequest) { r.Comparator = mailgun.AlertCompareContains }))
			return err
		},
		"send alert: blank limit": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSendAlert(ctx, with(func(r *mailgun.SendAlertRequest) { r.Limit = " " }))
			return err
		},
		"send alert: empty limit": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSendAlert(ctx, with(func(r *mailgun.SendAlertRequest) { r.Limit = "" }))
			return err
		},
		"send alert: no dimension": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSendAlert(ctx, with(func(r *mailgun.SendAlertRequest) { r.Dimension = "" }))
			return err
		},
		"send alert: empty channel": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSendAlert(ctx, with(func(r *mailgun.SendAlertRequest) { r.AlertChannels = []mailgun.Channel{""} }))
			return err
		},
		"send alert: filter without values": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSendAlert(ctx, with(func(r *mailgun.SendAlertRequest) {
				r.Filters = []mailgun.AlertFilter{{Dimension: mailgun.AlertDimensionIP, Comparator: mailgun.AlertCompareEqual}}
			}))
			return err
		},
		"send alert: filter without dimension": func(c *mailgun.Client) error {
			_, err := c.Alerts.CreateSendAlert(ctx, with(func(r *mailgun.SendAlertRequest) {
				r.Filters = []mailgun.AlertFilter{{Comparator: mailgun.AlertCompareEqual, Values: []string{"x"}}}
			}))
			return err
		},
		"get send alert: empty name":    func(c *mailgun.Client) error { _, err := c.Alerts.GetSendAlert(ctx, ""); return err },
		"delete send alert: empty name": func(c *mailgun.Client) error { return c.Alerts.DeleteSendAlert(ctx, "  ") },
		"replace: empty name":           func(c *mailgun.Client) error { return c.Alerts.ReplaceSendAlert(ctx, "", valid) },
		"replace: bad body": func(c *mailgun.Client) error {
			return c.Alerts.ReplaceSendAlert(ctx, "n", with(func(r *mailgun.SendAlertRequest) { r.Limit = "" }))
		},
		"modify: empty name": func(c *mailgun.Client) error {
			return c.Alerts.ModifySendAlert(ctx, "", func(*mailgun.SendAlertRequest) error { return nil })
		},
		"modify: nil callback": func(c *mailgun.Client) error { return c.Alerts.ModifySendAlert(ctx, "n", nil) },
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			err := call(c)
			require.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			assert.Empty(t, m.sent(), "nothing is sent")
		})
	}
}

func TestAlertsSecretsDoNotPrint(t *testing.T) {
	var s mailgun.AlertSettings
	require.NoError(t, json.Unmarshal(fixture(t, "examples/alerts/get-v1-alerts-settings.200.json"), &s))
	s.Slack.Token = "xoxb-very-secret"
	const key = "bdee4d3e39910a92628f1df02fd0a73a"
	require.Equal(t, key, string(s.WebhookSigningKey))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out := fmt.Sprintf(verb, s) + fmt.Sprintf(verb, &s) + fmt.Sprintf(verb, s.WebhookSigningKey)
		assert.NotContains(t, out, key, verb)
		assert.NotContains(t, out, "very-secret", verb)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("settings", "key", s.WebhookSigningKey, "slack", s.Slack.Token)
	assert.NotContains(t, buf.String(), key)
	assert.Contains(t, buf.String(), "[redacted]")
	assert.Equal(t, "", mailgun.Secret("").String(), "an empty secret shows it is empty")
}

// slog's JSONHandler encodes a struct attribute with encoding/json: a
// DomainInput or DomainUpdate logged with it never shows the SMTP
// password, and neither does json.Marshal.
func TestSecretRedactedInSlogJSONAndEncodingJSON(t *testing.T) {
	var buf strings.Builder
	l := slog.New(slog.NewJSONHandler(&buf, nil))
	pw := mailgun.Secret("hunter2-smtp-pw")
	l.Info("creating domain", "in", mailgun.DomainInput{Name: "mg.example.com", SMTPPassword: pw})
	l.Info("updating domain", "update", mailgun.DomainUpdate{SMTPPassword: &pw})
	assert.NotContains(t, buf.String(), string(pw))

	for _, v := range []any{pw, &pw, mailgun.DomainInput{SMTPPassword: pw}, mailgun.AlertSettings{WebhookSigningKey: pw, Slack: mailgun.SlackSettings{Token: pw}}} {
		b, err := json.Marshal(v)
		require.NoError(t, err)
		assert.NotContains(t, string(b), string(pw))
		assert.Contains(t, string(b), `"[redacted]"`)
	}
	b, err := json.Marshal(struct{ S mailgun.Secret }{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"S":""}`, string(b), "an empty secret shows it is empty")
	var back mailgun.Secret
	require.NoError(t, json.Unmarshal([]byte(`"hunter2-smtp-pw"`), &back))
	assert.Equal(t, pw, back, "decoding reads the value")
}

// alertReceiver is an HTTP server running AlertWebhookHandler with a key
// that tests can change, recording what it accepted.
type alertReceiver struct {
	*httptest.Server
	mu     sync.Mutex
	key    string
	events []*mailgun.AlertWebhook
}

func newAlertReceiver(t *testing.T, key string) *alertReceiver {
	rec := &alertReceiver{key: key}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		key := rec.key
		rec.mu.Unlock()
		mailgun.AlertWebhookHandler(key, func(_ context.Context, wh *mailgun.AlertWebhook) error {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			rec.events = append(rec.events, wh)
			return nil
		}).ServeHTTP(w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *alertReceiver) received() []*mailgun.AlertWebhook {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]*mailgun.AlertWebhook(nil), rec.events...)
}

func TestAlertSettingsLifecycle(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	rec := newAlertReceiver(t, srv.AlertSigningKey())

	types, err := c.Alerts.ListEventTypes(ctx)
	require.NoError(t, err)
	assert.Contains(t, types, mailgun.AlertEventIPListed)

	created, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel(rec.URL+"/alerts"))
	require.NoError(t, err)
	assert.NotEmpty(t, created.ID)
	assert.Equal(t, rec.URL+"/alerts", created.Settings.URL)
	assert.False(t, created.Disabled())

	settings, err := c.Alerts.GetSettings(ctx)
	require.NoError(t, err)
	require.Len(t, settings.Events, 1)
	assert.Equal(t, *created, settings.Events[0])
	assert.Equal(t, srv.AlertSigningKey(), string(settings.WebhookSigningKey))
	assert.Empty(t, settings.Slack.Token, "no Slack connected")

	require.True(t, srv.DisableAlertSetting(created.ID, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)))
	settings, err = c.Alerts.GetSettings(ctx)
	require.NoError(t, err)
	assert.True(t, settings.Events[0].Disabled())

	require.NoError(t, c.Alerts.UpdateSetting(ctx, created.ID, mailgun.AlertEventIPDelisted, mailgun.EmailChannel("ops@example.com")))
	settings, err = c.Alerts.GetSettings(ctx)
	require.NoError(t, err)
	require.Len(t, settings.Events, 1)
	got := settings.Events[0]
	assert.Equal(t, created.ID, got.ID)
	assert.Equal(t, mailgun.AlertEventIPDelisted, got.EventType)
	assert.Equal(t, mailgun.EmailChannel("ops@example.com"), got.AlertTarget)
	assert.False(t, got.Disabled(), "an update enables the setting again")

	require.NoError(t, c.Alerts.DeleteSetting(ctx, created.ID))
	settings, err = c.Alerts.GetSettings(ctx)
	require.NoError(t, err)
	assert.Empty(t, settings.Events)

	assert.ErrorIs(t, c.Alerts.DeleteSetting(ctx, created.ID), mailgun.ErrNotFound)
	assert.ErrorIs(t, c.Alerts.UpdateSetting(ctx, created.ID, mailgun.AlertEventIPListed, mailgun.EmailChannel("a@example.com")), mailgun.ErrNotFound)
}

func TestAlertSettingWebhookURLMustAnswerGET(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	down := httptest.NewServer(http.NotFoundHandler())
	defer down.Close()

	_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel(down.URL))
	require.ErrorIs(t, err, mailgun.ErrBadRequest)
	settings, err := c.Alerts.GetSettings(ctx)
	require.NoError(t, err)
	assert.Empty(t, settings.Events, "nothing saved")

	rec := newAlertReceiver(t, srv.AlertSigningKey())
	a, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel(rec.URL))
	require.NoError(t, err)
	err = c.Alerts.UpdateSetting(ctx, a.ID, mailgun.AlertEventIPListed, mailgun.WebhookChannel(down.URL))
	require.ErrorIs(t, err, mailgun.ErrBadRequest)
	settings, err = c.Alerts.GetSettings(ctx)
	require.NoError(t, err)
	assert.Equal(t, rec.URL, settings.Events[0].Settings.URL, "the failed update changed nothing")
	assert.Empty(t, rec.received(), "the reachability GET is not an alert")

	_, err = c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel(rec.URL))
	assert.ErrorIs(t, err, mailgun.ErrConflict, "an identical setting")
}

func TestAlertSigningKeyRotation(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	settings, err := c.Alerts.GetSettings(ctx)
	require.NoError(t, err)
	oldKey := string(settings.WebhookSigningKey)

	var mu sync.Mutex
	var body []byte
	var sign string
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := new(bytes.Buffer)
		_, _ = b.ReadFrom(r.Body)
		mu.Lock()
		body, sign = b.Bytes(), r.Header.Get(mailgun.AlertSignatureHeader)
		mu.Unlock()
	}))
	defer capture.Close()

	newKey, err := c.Alerts.RotateSigningKey(ctx)
	require.NoError(t, err)
	require.NotEqual(t, oldKey, string(newKey))
	assert.Equal(t, string(newKey), srv.AlertSigningKey())

	require.NoError(t, srv.DeliverAlert(ctx, capture.URL, map[string]any{"event": "ip_listed", "ip": "192.0.2.7", "blocklist": "Spamhaus"}))
	mu.Lock()
	defer mu.Unlock()
	assert.ErrorIs(t, mailgun.VerifyAlertSignature(oldKey, body, sign), mailgun.ErrSignatureMismatch)
	assert.NoError(t, mailgun.VerifyAlertSignature(string(newKey), body, sign))

	// The handler with the old key refuses the delivery; with the new key it takes it.
	oldRec, newRec := newAlertReceiver(t, oldKey), newAlertReceiver(t, string(newKey))
	var de *mailguntest.AlertDeliveryError
	require.ErrorAs(t, srv.DeliverAlert(ctx, oldRec.URL, map[string]any{"event": "ip_listed"}), &de)
	assert.Equal(t, http.StatusUnauthorized, de.StatusCode)
	require.NoError(t, srv.DeliverAlert(ctx, newRec.URL, map[string]any{"event": "ip_listed", "ip": "192.0.2.7"}))
	require.Len(t, newRec.received(), 1)
	assert.Equal(t, "192.0.2.7", newRec.received()[0].EventData.IP)
}

func TestAlertTestSends(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	rec := newAlertReceiver(t, srv.AlertSigningKey())

	require.NoError(t, c.Alerts.SendTestWebhook(ctx, mailgun.AlertEventIPListed, rec.URL))
	require.Len(t, rec.received(), 1, "the sample alert arrived signed")
	assert.Equal(t, mailgun.AlertEventIPListed, rec.received()[0].EventData.Event)

	require.NoError(t, c.Alerts.SendTestEmail(ctx, mailgun.AlertEventIPDelisted, "ops@example.com"))
	assert.ErrorIs(t, c.Alerts.SendTestSlack(ctx, mailgun.AlertEventIPListed, "C1"), mailgun.ErrBadRequest, "Slack is not connected")

	srv.AddSlackChannels(mailguntest.SlackChannel{ID: "C1", Name: "alerts"})
	_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.SlackChannel("C1"))
	require.NoError(t, err)
	require.NoError(t, c.Alerts.SendTestSlack(ctx, mailgun.AlertEventIPListed), "the setting's channels")

	assert.Equal(t, []mailguntest.AlertTest{
		{Channel: "webhook", EventType: "ip_listed", Targets: []string{rec.URL}},
		{Channel: "email", EventType: "ip_delisted", Targets: []string{"ops@example.com"}},
		{Channel: "slack", EventType: "ip_listed", Targets: []string{"C1"}},
	}, srv.AlertTests())
}

// TestAlertsSlackChannelsMalformedPages: a channels page fails on its
// structure, as every link-paged list does (getLinkPage).
func TestAlertsSlackChannelsMalformedPages(t *testing.T) {
	for name, body := range map[string]string{
		"items without paging":      `{"items":[{"id":"C1"}]}`,
		"next link to another list": `{"items":[{"id":"C1"}],"paging":{"next":"https://api.mailgun.net/v3/example.com/bounces?page=next"}}`,
		"next link without version": `{"items":[{"id":"C1"}],"paging":{"next":"https://api.mailgun.net/alerts/slack/channels?page=x"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond("GET", alertsBase+"/v1/alerts/slack/channels", 200, []byte(body))
			_, err := c.Alerts.ListSlackChannels(context.Background(), nil)
			assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
		})
	}
}

func TestAlertsSlack(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)

	_, err := c.Alerts.ListSlackChannels(ctx, nil)
	require.ErrorIs(t, err, mailgun.ErrNotFound, "no workspace connected")

	require.NoError(t, c.Alerts.SetSlackSettings(ctx, mailgun.SlackSettings{Token: "xoxb-1", TeamID: "T1", TeamName: "Team"}))
	settings, err := c.Alerts.GetSettings(ctx)
	require.NoError(t, err)
	assert.Equal(t, mailgun.SlackSettings{Token: "xoxb-1", TeamID: "T1", TeamName: "Team"}, settings.Slack)

	for i := range 5 {
		srv.AddSlackChannels(mailguntest.SlackChannel{ID: fmt.Sprintf("C%d", i), Name: fmt.Sprintf("chan-%d", i), Archived: i == 4})
	}
	page, err := c.Alerts.ListSlackChannels(ctx, &mailgun.SlackChannelsOptions{Limit: 2})
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	require.NotEmpty(t, page.Next)
	page2, err := c.Alerts.ListSlackChannels(ctx, &mailgun.SlackChannelsOptions{Cursor: page.Next})
	require.NoError(t, err)
	assert.Equal(t, "C2", page2.Items[0].ID)

	var ids []string
	for ch, err := range c.Alerts.AllSlackChannels(ctx, &mailgun.SlackChannelsOptions{Limit: 2}) {
		require.NoError(t, err)
		ids = append(ids, ch.ID)
	}
	assert.Equal(t, []string{"C0", "C1", "C2", "C3", "C4"}, ids)

	ch, err := c.Alerts.GetSlackChannel(ctx, "C4")
	require.NoError(t, err)
	assert.Equal(t, mailgun.SlackChannelInfo{ID: "C4", Name: "chan-4", IsArchived: true}, *ch)
	_, err = c.Alerts.GetSlackChannel(ctx, "C9")
	require.ErrorIs(t, err, mailgun.ErrNotFound)

	_, err = c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.SlackChannel("C1", "C2"))
	require.NoError(t, err)
	_, err = c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.EmailChannel("a@example.com"))
	require.NoError(t, err)

	require.NoError(t, c.Alerts.DeleteSlackSettings(ctx))
	settings, err = c.Alerts.GetSettings(ctx)
	require.NoError(t, err)
	require.Len(t, settings.Events, 1, "Slack settings went with the connection")
	assert.Equal(t, mailgun.ChannelEmail, settings.Events[0].Channel)
	assert.Empty(t, settings.Slack.Token)

	require.NoError(t, c.Alerts.SetSlackSettings(ctx, mailgun.SlackSettings{Token: "xoxb-2"}))
	require.NoError(t, c.Alerts.RevokeSlack(ctx))
	_, err = c.Alerts.ListSlackChannels(ctx, nil)
	require.ErrorIs(t, err, mailgun.ErrNotFound)
}

func TestSendAlertsLifecycle(t *testing.T) {
	ctx := context.Background()
	_, c := newFake(t)
	req := mailgun.SendAlertRequest{
		Name: "gmail complaint rate", Description: "per domain",
		Metric: mailgun.AlertMetricComplainedRate, Comparator: mailgun.AlertCompareGreater,
		Limit: "0.0010", Dimension: mailgun.AlertDimensionDomain,
		Filters: []mailgun.AlertFilter{{
			Dimension: mailgun.AlertDimensionRecipientProvider, Comparator: mailgun.AlertCompareNotContains, Values: []string{"Other US"},
		}},
		AlertChannels: []mailgun.Channel{mailgun.ChannelEmail, mailgun.ChannelWebhook},
		Period:        "1d",
	}
	created, err := c.Alerts.CreateSendAlert(ctx, req)
	require.NoError(t, err)
	assert.NotEmpty(t, created.ID)
	assert.Equal(t, mailgun.Decimal("0.0010"), created.Limit, "the limit keeps its exact text")
	assert.False(t, created.CreatedAt.IsZero())
	assert.Equal(t, req, created.Request())

	_, err = c.Alerts.CreateSendAlert(ctx, req)
	require.ErrorIs(t, err, mailgun.ErrConflict)

	list, err := c.Alerts.ListSendAlerts(ctx)
	require.NoError(t, err)
	require.Len(t, list.Items, 1)
	assert.EqualValues(t, 1, list.Total)

	require.NoError(t, c.Alerts.ModifySendAlert(ctx, "gmail complaint rate", func(r *mailgun.SendAlertRequest) error {
		r.Limit = ".002"
		return nil
	}))
	got, err := c.Alerts.GetSendAlert(ctx, "gmail complaint rate")
	require.NoError(t, err)
	assert.Equal(t, mailgun.Decimal(".002"), got.Limit)
	assert.Equal(t, req.Filters, got.Filters, "a modify keeps the other fields")
	assert.Equal(t, req.AlertChannels, got.AlertChannels)
	assert.Equal(t, "per domain", got.Description)
	assert.Equal(t, created.CreatedAt, got.CreatedAt)

	boom := errors.New("changed my mind")
	require.ErrorIs(t, c.Alerts.ModifySendAlert(ctx, "gmail complaint rate", func(r *mailgun.SendAlertRequest) error {
		r.Limit = "9"
		return boom
	}), boom)
	got, err = c.Alerts.GetSendAlert(ctx, "gmail complaint rate")
	require.NoError(t, err)
	assert.Equal(t, mailgun.Decimal(".002"), got.Limit, "nothing written when the callback fails")

	// A replace is complete: what it leaves out is cleared.
	require.NoError(t, c.Alerts.ReplaceSendAlert(ctx, "gmail complaint rate", mailgun.SendAlertRequest{
		Metric: mailgun.AlertMetricComplainedRate, Comparator: mailgun.AlertCompareGreaterOrEqual, Limit: "1", Dimension: mailgun.AlertDimensionIP,
	}))
	got, err = c.Alerts.GetSendAlert(ctx, "gmail complaint rate")
	require.NoError(t, err)
	assert.Empty(t, got.Filters)
	assert.Empty(t, got.AlertChannels)
	assert.Empty(t, got.Description)
	assert.Equal(t, mailgun.AlertDimensionIP, got.Dimension)

	require.NoError(t, c.Alerts.DeleteSendAlert(ctx, "gmail complaint rate"))
	_, err = c.Alerts.GetSendAlert(ctx, "gmail complaint rate")
	require.ErrorIs(t, err, mailgun.ErrNotFound)
	require.ErrorIs(t, c.Alerts.DeleteSendAlert(ctx, "gmail complaint rate"), mailgun.ErrNotFound)
	require.ErrorIs(t, c.Alerts.ModifySendAlert(ctx, "gmail complaint rate", func(*mailgun.SendAlertRequest) error { return nil }), mailgun.ErrNotFound)
	list, err = c.Alerts.ListSendAlerts(ctx)
	require.NoError(t, err)
	assert.Empty(t, list.Items)
}

func TestSendAlertNamesTravelAsOneSegment(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	for _, name := range []string{"bounce rate / gmail", "a+b", "50% of mail", "ünïcode name"} {
		_, err := c.Alerts.CreateSendAlert(ctx, mailgun.SendAlertRequest{
			Name: name, Metric: mailgun.AlertMetricHardBounceRate, Comparator: mailgun.AlertCompareGreater, Limit: ".05", Dimension: mailgun.AlertDimensionDomain,
		})
		require.NoError(t, err, name)
		got, err := c.Alerts.GetSendAlert(ctx, name)
		require.NoError(t, err, name)
		assert.Equal(t, name, got.Name)
	}
	reqs := srv.Requests()
	assert.Equal(t, "/v1/thresholds/alerts/send/bounce%20rate%20%2F%20gmail", reqs[1].Path)
	assert.Equal(t, "/v1/thresholds/alerts/send/a%2Bb", reqs[3].Path)
}

func TestThresholdHits(t *testing.T) {
	ctx := context.Background()
	srv, c := newFake(t)
	hits, err := c.Alerts.ListThresholdHits(ctx)
	require.NoError(t, err)
	assert.Empty(t, hits.Items)

	expires := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	srv.AddThresholdHit(mailguntest.ThresholdHit{Name: "hard bounce rate", Metric: "hard_bounce_rate", Comparator: ">", Limit: ".05",
		LatestValue: "0.0712", Dimension: "domain", DimensionValue: "example.com", Triggered: true})
	srv.AddThresholdHit(mailguntest.ThresholdHit{Name: "complaints", Metric: "complained_rate", Comparator: ">", Limit: "1", LatestValue: "2", ExpiresAt: expires})
	hits, err = c.Alerts.ListThresholdHits(ctx)
	require.NoError(t, err)
	require.Len(t, hits.Items, 2)
	assert.EqualValues(t, 2, hits.Total)
	h := hits.Items[0]
	assert.Equal(t, mailgun.Decimal("0.0712"), h.LatestValue)
	assert.Equal(t, "example.com", h.DimensionValue)
	assert.True(t, h.Triggered)
	assert.Equal(t, time.Time{}, h.ExpiresAt)
	assert.Equal(t, expires, hits.Items[1].ExpiresAt)
}

func FuzzAlertTimes(f *testing.F) {
	for _, s := range []string{"2025-11-07T20:54:42.18627Z", "0001-01-01T00:00:00Z", "2025-11-07T20:54:42", "", "2025-13-40T99:00:00Z",
		"2006-01-02T22:04:05+07:00", "2025-11-07T20:54:42.1234567891234Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := json.Marshal(map[string]string{"expires_at": s, "created_at": s})
		require.NoError(t, err)
		var h mailgun.ThresholdHit
		if err := json.Unmarshal(doc, &h); err != nil {
			return
		}
		if strings.HasPrefix(strings.TrimSpace(s), "0001-01-01T00:00:00") && strings.HasSuffix(strings.TrimSpace(s), "Z") {
			assert.Equal(t, time.Time{}, h.ExpiresAt)
		}
		if !h.ExpiresAt.IsZero() {
			// A parsed time formats back to an instant that parses to itself.
			again, err := time.Parse(time.RFC3339Nano, h.ExpiresAt.Format(time.RFC3339Nano))
			require.NoError(t, err)
			assert.True(t, again.Equal(h.ExpiresAt))
		}
	})
}

// --- round trips and the list rule (issue 10, items 7 and 8) ---

// TestModifySendAlertSendsBackTheLimitAsRead: a limit the API returns in
// any notation (not a plain decimal, a number, text) is sent back as read
// by ModifySendAlert, and by ReplaceSendAlert with SendAlert.Request.
func TestModifySendAlertSendsBackTheLimitAsRead(t *testing.T) {
	for _, c := range []struct{ wire, sent string }{
		{`"1e-05"`, "1e-05"},
		{`"5%"`, "5%"},
		{`" .5"`, " .5"},
		{`0.05`, "0.05"},
		{`1E-3`, "1E-3"},
		{`".99"`, ".99"},
	} {
		t.Run(c.wire, func(t *testing.T) {
			alert := `{"id":"1","name":"n","metric":"hard_bounce_rate","comparator":">","limit":` + c.wire +
				`,"dimension":"domain","filters":[{"dimension":"ip","comparator":"=","values":["192.0.2.1"]}],"created_at":"2025-11-07T20:54:42Z"}`
			cl, m := newMockClient(t)
			m.respond(http.MethodGet, alertsBase+"/v1/thresholds/alerts/send/n", 200, []byte(alert))
			m.respond(http.MethodPut, alertsBase+"/v1/thresholds/alerts/send/n", 200, []byte(`{"message":"ok"}`))
			require.NoError(t, cl.Alerts.ModifySendAlert(context.Background(), "n", func(r *mailgun.SendAlertRequest) error {
				r.Description = "changed"
				return nil
			}))
			a, err := cl.Alerts.GetSendAlert(context.Background(), "n")
			require.NoError(t, err)
			require.NoError(t, cl.Alerts.ReplaceSendAlert(context.Background(), "n", a.Request()))
			var puts int
			for _, r := range m.sent() {
				if r.Method != http.MethodPut {
					continue
				}
				puts++
				var body struct {
					Limit       string `json:"limit"`
					Description string `json:"description"`
				}
				require.NoError(t, json.Unmarshal(r.Body, &body))
				assert.Equal(t, c.sent, body.Limit)
			}
			assert.Equal(t, 2, puts)
		})
	}
}

// TestAlertSettingsRoundTrip: every setting GetSettings returns is
// accepted by UpdateSetting as it is, and sent back unchanged, including
// a Slack setting whose channels Mailgun all disabled.
func TestAlertSettingsRoundTrip(t *testing.T) {
	body := fixture(t, "examples/alerts/get-v1-alerts-settings.200.json")
	body = bytes.Replace(body, []byte(`"events": [`), []byte(`"events": [
		{"id": "s1", "event_type": "ip_listed", "channel": "slack",
		 "settings": {"channel_ids": [], "disabled_channel_ids": {"C1": {"disabled_at": "2024-01-02T03:04:05Z", "reason": "archived"}}}},
		{"id": "s2", "event_type": "ip_listed", "channel": "slack", "settings": {"channel_ids": ["C2"]}},
		{"id": "n1", "event_type": "new_type", "channel": "sms", "settings": {"url": "x"}},`), 1)
	c, m := newMockClient(t)
	m.respond(http.MethodGet, alertsBase+"/v1/alerts/settings", 200, body)
	settings, err := c.Alerts.GetSettings(context.Background())
	require.NoError(t, err)
	require.Len(t, settings.Events, 6)
	for _, s := range settings.Events {
		if s.Channel == "sms" {
			continue // not in the contract the mock checks requests against
		}
		m.respond(http.MethodPut, alertsBase+"/v1/alerts/settings/events/"+s.ID, 200, []byte(`{"message":"ok"}`))
		require.NoError(t, c.Alerts.UpdateSetting(context.Background(), s.ID, s.EventType, s.AlertTarget), s.ID)
		sent := m.sent()
		var got struct {
			EventType mailgun.AlertEventType  `json:"event_type"`
			Channel   mailgun.Channel         `json:"channel"`
			Settings  mailgun.ChannelSettings `json:"settings"`
		}
		require.NoError(t, json.Unmarshal(sent[len(sent)-1].Body, &got))
		want := s.Settings
		want.DisabledChannelIDs = nil
		if len(want.ChannelIDs) == 0 {
			want.ChannelIDs = nil
		}
		assert.Equal(t, s.EventType, got.EventType)
		assert.Equal(t, s.Channel, got.Channel)
		assert.Equal(t, want, got.Settings, s.ID)
	}
	// A Slack target built in code still needs a channel.
	err = c.Alerts.UpdateSetting(context.Background(), "s1", mailgun.AlertEventIPListed, mailgun.SlackChannel())
	assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
}

// TestAlertListsKeepEveryItemWithAMistypedField: the threshold alerts, the
// threshold hits, the alert settings and the Slack channels keep every
// item whose fields hold one value of an unexpected type.
func TestAlertListsKeepEveryItemWithAMistypedField(t *testing.T) {
	itemsOf := func(file, key string) []json.RawMessage {
		var w map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(fixture(t, "examples/alerts/"+file), &w))
		var items []json.RawMessage
		require.NoError(t, json.Unmarshal(w[key], &items))
		require.NotEmpty(t, items)
		return items
	}
	serve := func(t *testing.T, method, path string, body []byte) *mailgun.Client {
		c, m := newMockClient(t)
		m.respond(method, alertsBase+path, 200, body)
		return c
	}
	join := func(items [][]byte) string { return string(bytes.Join(items, []byte(","))) }
	ctx := context.Background()

	for _, item := range itemsOf("get-v1-thresholds-alerts-send.200.json", "items") {
		mailgun.CheckListTolerance(t, item, nil, func(items [][]byte) []byte {
			return []byte(`{"items":[` + join(items) + `],"total":1}`)
		}, func(t *testing.T, body []byte) ([]mailgun.SendAlert, error) {
			l, err := serve(t, "GET", "/v1/thresholds/alerts/send", body).Alerts.ListSendAlerts(ctx)
			if err != nil {
				return nil, err
			}
			return l.Items, nil
		})
	}
	for _, item := range itemsOf("get-v1-thresholds-hits.200.json", "items") {
		mailgun.CheckListTolerance(t, item, nil, func(items [][]byte) []byte {
			return []byte(`{"items":[` + join(items) + `],"total":1}`)
		}, func(t *testing.T, body []byte) ([]mailgun.ThresholdHit, error) {
			l, err := serve(t, "GET", "/v1/thresholds/hits", body).Alerts.ListThresholdHits(ctx)
			if err != nil {
				return nil, err
			}
			return l.Items, nil
		})
	}
	events := itemsOf("get-v1-alerts-settings.200.json", "events")
	events = append(events, json.RawMessage(`{"id":"s1","event_type":"ip_listed","channel":"slack",
		"settings":{"channel_ids":["C1"],"disabled_channel_ids":{"C1":{"disabled_at":"2024-01-02T03:04:05Z","reason":"archived"}}}}`))
	for _, item := range events {
		mailgun.CheckListTolerance(t, item, nil, func(items [][]byte) []byte {
			return []byte(`{"events":[` + join(items) + `],"webhooks":{"signing_key":"k"},"slack":{"token":"t"}}`)
		}, func(t *testing.T, body []byte) ([]mailgun.AlertSetting, error) {
			s, err := serve(t, "GET", "/v1/alerts/settings", body).Alerts.GetSettings(ctx)
			if err != nil {
				return nil, err
			}
			return s.Events, nil
		})
	}
	strictChannel := func(b []byte) error {
		var v struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			IsArchived bool   `json:"is_archived"`
		}
		return json.Unmarshal(b, &v)
	}
	for _, item := range itemsOf("get-v1-alerts-slack-channels.200.json", "items") {
		mailgun.CheckListTolerance(t, item, strictChannel, func(items [][]byte) []byte {
			return []byte(`{"items":[` + join(items) + `],"paging":{}}`)
		}, func(t *testing.T, body []byte) ([]mailgun.SlackChannelInfo, error) {
			p, err := serve(t, "GET", "/v1/alerts/slack/channels", body).Alerts.ListSlackChannels(ctx, nil)
			if err != nil {
				return nil, err
			}
			return p.Items, nil
		})
	}
}

// TestAlertListsStructure: only a wrong structure fails a list; items that
// are not objects (or, for event types, not strings) are skipped, and the
// other fields of the response are read by the same rule.
func TestAlertListsStructure(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		path, body string
		n          int // items read; -1 for an error
	}{
		{"/v1/alerts/events", `{"events":["ip_listed",3,null,{},"ip_delisted"]}`, 2},
		{"/v1/alerts/events", `{"events":"ip_listed"}`, -1},
		{"/v1/thresholds/alerts/send", `{"items":[{"name":"a","limit":true},"x",7],"total":"two"}`, 1},
		{"/v1/thresholds/alerts/send", `{"items":{},"total":1}`, -1},
		{"/v1/thresholds/hits", `{"items":[null,{"name":"h","triggered":"yes","expires_at":12}],"total":1}`, 1},
		{"/v1/thresholds/hits", `[]`, -1},
		{"/v1/alerts/settings", `{"events":[{"id":"1","channel":5,"settings":[]},1],"webhooks":"k","slack":{"token":7,"team_id":"T"}}`, 1},
		{"/v1/alerts/settings", `{"events":true}`, -1},
	} {
		cl, m := newMockClient(t)
		m.respond("GET", alertsBase+c.path, 200, []byte(c.body))
		var n int
		var err error
		switch c.path {
		case "/v1/alerts/events":
			var l []mailgun.AlertEventType
			l, err = cl.Alerts.ListEventTypes(ctx)
			n = len(l)
		case "/v1/thresholds/alerts/send":
			var l *mailgun.SendAlertList
			if l, err = cl.Alerts.ListSendAlerts(ctx); err == nil {
				n = len(l.Items)
				assert.Zero(t, l.Total)
			}
		case "/v1/thresholds/hits":
			var l *mailgun.ThresholdHitList
			if l, err = cl.Alerts.ListThresholdHits(ctx); err == nil {
				n = len(l.Items)
			}
		default:
			var s *mailgun.AlertSettings
			if s, err = cl.Alerts.GetSettings(ctx); err == nil {
				n = len(s.Events)
				assert.Equal(t, mailgun.SlackSettings{TeamID: "T"}, s.Slack)
				assert.Empty(t, s.WebhookSigningKey)
			}
		}
		if c.n < 0 {
			assert.ErrorIs(t, err, mailgun.ErrInvalidResponse, c.body)
			continue
		}
		require.NoError(t, err, c.body)
		assert.Equal(t, c.n, n, c.body)
	}
}

// credentialURLs are webhook URLs carrying basic-auth credentials that
// the checks refuse: not http(s), not parsing, without a scheme.
var credentialURLs = []string{
	"ftp://hook:s3cret-pw@hooks.example.com/mg",
	"https://hook:s3cret-pw@hooks example.com/mg",
	"hook:s3cret-pw@hooks.example.com/mg",
	"//hook:s3cret-pw@hooks.example.com",
}

// An error about a webhook URL quotes it without its credentials.
func TestAlertsWebhookURLErrorsRedactCredentials(t *testing.T) {
	c, m := newMockClient(t)
	ctx := context.Background()
	for _, u := range credentialURLs {
		for name, err := range map[string]error{
			"SendTestWebhook": c.Alerts.SendTestWebhook(ctx, mailgun.AlertEventIPListed, u),
			"CreateSetting": func() error {
				_, err := c.Alerts.CreateSetting(ctx, mailgun.AlertEventIPListed, mailgun.WebhookChannel(u))
				return err
			}(),
		} {
			require.ErrorIs(t, err, mailgun.ErrInvalidArgument, name+" "+u)
			assert.NotContains(t, err.Error(), "s3cret-pw", name)
			assert.Contains(t, err.Error(), "[redacted]@hooks", name)
		}
	}
	assert.Empty(t, m.sent())
}
