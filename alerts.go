package mailgun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// AlertsService manages send alerts: the alert settings of the account (event types, channels, Slack, the webhook signing key) and threshold alerts on sending metrics (/v1/alerts, /v1/thresholds).
type AlertsService service

// Channel is where Mailgun delivers an alert. A value Mailgun adds later
// decodes as it is.
type Channel string

// The alert channels Mailgun documents.
const (
	ChannelEmail   Channel = "email"
	ChannelWebhook Channel = "webhook"
	ChannelSlack   Channel = "slack"
)

// AlertEventType is something that can raise an alert, such as
// "ip_listed". The list is open: ListEventTypes returns the types the
// account can use today, and unknown values decode as they are.
type AlertEventType string

// Alert event types named in Mailgun's documentation.
const (
	AlertEventIPListed          AlertEventType = "ip_listed"          // a monitored IP was added to a blocklist
	AlertEventIPDelisted        AlertEventType = "ip_delisted"        // a monitored IP was removed from a blocklist
	AlertEventDomainListed      AlertEventType = "domain_listed"      // a monitored domain was added to a blocklist
	AlertEventDomainDelisted    AlertEventType = "domain_delisted"    // a monitored domain was removed from a blocklist
	AlertEventValidationJob     AlertEventType = "validation_job"     // a bulk validation finished
	AlertEventValidationPreview AlertEventType = "validation_preview" // a bulk validation preview finished
)

// AlertMetric is the sending metric a threshold alert watches. Unknown
// values decode as they are.
type AlertMetric string

// The metrics a threshold alert can watch.
const (
	AlertMetricHardBounceRate    AlertMetric = "hard_bounce_rate"
	AlertMetricTemporaryFailRate AlertMetric = "temporary_fail_rate"
	AlertMetricDeliveredRate     AlertMetric = "delivered_rate"
	AlertMetricComplainedRate    AlertMetric = "complained_rate"
)

// AlertComparator compares a metric with a threshold limit, or a dimension
// with filter values. Unknown values decode as they are.
type AlertComparator string

// The comparators of threshold alerts. Contains and NotContains are only
// valid in filters.
const (
	AlertCompareEqual          AlertComparator = "="
	AlertCompareNotEqual       AlertComparator = "!="
	AlertCompareLess           AlertComparator = "<"
	AlertCompareLessOrEqual    AlertComparator = "<="
	AlertCompareGreater        AlertComparator = ">"
	AlertCompareGreaterOrEqual AlertComparator = ">="
	AlertCompareContains       AlertComparator = "contains"
	AlertCompareNotContains    AlertComparator = "not contains"
)

// AlertDimension is what a threshold alert evaluates its metric per (each
// domain, each IP, ...), or what a filter narrows. Unknown values decode
// as they are.
type AlertDimension string

// The dimensions of threshold alerts and their filters.
const (
	AlertDimensionDomain            AlertDimension = "domain"
	AlertDimensionIP                AlertDimension = "ip"
	AlertDimensionIPPool            AlertDimension = "ip_pool"
	AlertDimensionRecipientProvider AlertDimension = "recipient_provider" // "Gmail", "Other US", ...
	AlertDimensionSubaccount        AlertDimension = "subaccount"
)

// Secret is a credential, such as the alert webhook signing key, a Slack
// token or an SMTP password. It prints as "[redacted]" with every fmt
// verb, in slog (text and JSON handlers) and in encoding/json (an empty
// Secret prints as ""), so it cannot leak into logs or errors by accident:
// a struct that holds one (DomainInput, AlertSettings) can be logged or
// encoded as JSON without it. Use string(s) for the value, which is what
// the SDK sends in requests; encoding a Secret as JSON and decoding it
// back yields "[redacted]", so store string(s) instead. Decoding JSON into
// a Secret reads the value.
type Secret string

// String returns "[redacted]", or "" when s is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// Format writes String for every verb, %#v and %x included.
func (s Secret) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, s.String()) }

// LogValue makes slog print String.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes String as a JSON string, so that json.Marshal (and
// slog's JSONHandler, which uses it for structs) never writes the value.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// ChannelSettings are the settings of one alert channel. Which fields
// apply depends on the channel: URL for webhook, Emails for email,
// ChannelIDs for Slack. Build them with WebhookChannel, EmailChannel or
// SlackChannel.
type ChannelSettings struct {
	URL        string   `json:"url,omitempty"`
	Emails     []string `json:"emails,omitempty"`
	ChannelIDs []string `json:"channel_ids,omitempty"`
	// DisabledChannelIDs lists, by Slack channel ID, the channels Mailgun
	// stopped posting to. It is read-only: requests never send it.
	DisabledChannelIDs map[string]DisabledSlackChannel `json:"disabled_channel_ids,omitempty"`
}

// DisabledSlackChannel says when and why Mailgun stopped posting alerts to
// a Slack channel.
type DisabledSlackChannel struct {
	DisabledAt time.Time `json:"disabled_at"`
	Reason     string    `json:"reason,omitempty"`
}

// UnmarshalJSON reads disabled_at as RFC 3339 with any number of
// fractional digits.
func (d *DisabledSlackChannel) UnmarshalJSON(b []byte) error {
	type plain DisabledSlackChannel
	aux := struct {
		*plain
		DisabledAt apiTime `json:"disabled_at"`
	}{plain: (*plain)(d)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	d.DisabledAt = time.Time(aux.DisabledAt)
	return nil
}

// AlertTarget is where an alert setting delivers: a channel and the
// settings it needs. WebhookChannel, EmailChannel and SlackChannel build
// the valid shapes.
type AlertTarget struct {
	Channel  Channel         `json:"channel"`
	Settings ChannelSettings `json:"settings"`
}

// WebhookChannel delivers alerts as signed POSTs to url (verify them with
// AlertWebhookHandler). When the setting is saved, Mailgun first sends a
// GET to url, which must answer 200, or the call fails with 400.
func WebhookChannel(url string) AlertTarget {
	return AlertTarget{Channel: ChannelWebhook, Settings: ChannelSettings{URL: url}}
}

// EmailChannel delivers alerts by email to addrs; at least one is needed.
func EmailChannel(addrs ...string) AlertTarget {
	return AlertTarget{Channel: ChannelEmail, Settings: ChannelSettings{Emails: slices.Clone(addrs)}}
}

// SlackChannel posts alerts to the Slack channels with these IDs (such as
// "C0123"; ListSlackChannels lists them); at least one is needed, and the
// account's Slack workspace must be connected.
func SlackChannel(channelIDs ...string) AlertTarget {
	return AlertTarget{Channel: ChannelSlack, Settings: ChannelSettings{ChannelIDs: slices.Clone(channelIDs)}}
}

// validate rejects an empty channel, a channel without what it needs, and
// settings of another channel. An unknown channel is sent as it is, and so
// is a Slack target without channel IDs whose channels Mailgun disabled
// (DisabledChannelIDs), so that every target GetSettings returns can be
// sent back.
func (t AlertTarget) validate() error {
	s := t.Settings
	switch t.Channel {
	case "":
		return invalidArg("channel is empty")
	case ChannelWebhook:
		if len(s.Emails) > 0 || len(s.ChannelIDs) > 0 {
			return invalidArg("a webhook channel takes a URL only, not emails or Slack channel IDs")
		}
		return checkAlertURL(s.URL)
	case ChannelEmail:
		if s.URL != "" || len(s.ChannelIDs) > 0 {
			return invalidArg("an email channel takes addresses only, not a URL or Slack channel IDs")
		}
		return checkList("email address", s.Emails)
	case ChannelSlack:
		if s.URL != "" || len(s.Emails) > 0 {
			return invalidArg("a Slack channel takes channel IDs only, not a URL or emails")
		}
		if len(s.ChannelIDs) == 0 && len(s.DisabledChannelIDs) > 0 {
			return nil // as Mailgun returns a setting whose channels it all disabled
		}
		return checkList("Slack channel ID", s.ChannelIDs)
	}
	return nil
}

// body is the settings as requests send them, without read-only fields.
func (t AlertTarget) body() channelSettingsBody {
	return channelSettingsBody{URL: t.Settings.URL, Emails: t.Settings.Emails, ChannelIDs: t.Settings.ChannelIDs}
}

func checkAlertURL(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return invalidArg("webhook URL is empty")
	}
	return checkHTTPURL("webhook URL", raw)
}

func checkList(what string, list []string) error {
	if len(list) == 0 {
		return invalidArg("no %s given", what)
	}
	for i, v := range list {
		if strings.TrimSpace(v) == "" {
			return invalidArg("%s %d is empty", what, i+1)
		}
	}
	return nil
}

// AlertSetting pairs one event type with one delivery channel.
type AlertSetting struct {
	ID        string         `json:"id"`
	EventType AlertEventType `json:"event_type"`
	AlertTarget
	// DisabledAt is when Mailgun switched the setting off because its
	// webhook kept failing; zero while the setting is active. Updating the
	// setting enables it again.
	DisabledAt time.Time `json:"disabled_at"`
}

// Disabled reports whether Mailgun switched the setting off.
func (a *AlertSetting) Disabled() bool { return !a.DisabledAt.IsZero() }

// UnmarshalJSON reads disabled_at; null or absent leaves DisabledAt zero.
func (a *AlertSetting) UnmarshalJSON(b []byte) error {
	type plain AlertSetting
	aux := struct {
		*plain
		DisabledAt apiTime `json:"disabled_at"`
	}{plain: (*plain)(a)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	a.DisabledAt = time.Time(aux.DisabledAt)
	return nil
}

// AlertSettings are the account's alert settings, its alert webhook
// signing key and its Slack connection.
type AlertSettings struct {
	Events []AlertSetting
	// WebhookSigningKey signs alert webhooks (VerifyAlertSignature,
	// AlertWebhookHandler). RotateSigningKey replaces it.
	WebhookSigningKey Secret
	// Slack is the Slack workspace connection; its Token is empty when
	// none is connected.
	Slack SlackSettings
}

// UnmarshalJSON reads the {"events", "webhooks": {"signing_key"}, "slack"}
// shape. It fails only when the body is not an object or events is not an
// array: by the list rule, a setting that is not an object is skipped and
// any other value of an unexpected type is left zero.
func (a *AlertSettings) UnmarshalJSON(b []byte) error {
	var aux struct {
		Events   lenientList[AlertSetting] `json:"events"`
		Webhooks lenient[struct {
			SigningKey Secret `json:"signing_key"`
		}] `json:"webhooks"`
		Slack lenient[SlackSettings] `json:"slack"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	*a = AlertSettings{Events: aux.Events, WebhookSigningKey: aux.Webhooks.V.SigningKey, Slack: aux.Slack.V}
	return nil
}

// SlackSettings are the Slack workspace connection used by Slack alert
// channels. Empty strings stand for the API's nulls.
type SlackSettings struct {
	Token    Secret `json:"token"`
	TeamID   string `json:"team_id"`
	TeamName string `json:"team_name"`
	Scope    string `json:"scope"`
}

// SlackChannelInfo is a channel of the connected Slack workspace.
type SlackChannelInfo struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	IsArchived bool   `json:"is_archived"`
}

// UnmarshalJSON reads a channel by the list rule: a field of an unexpected
// type is left zero. A value that is not an object is an error.
func (c *SlackChannelInfo) UnmarshalJSON(b []byte) error {
	type plain SlackChannelInfo
	v, ok := decodePruned[plain](b)
	if !ok {
		return fmt.Errorf("slack channel: %.40s is not an object", b)
	}
	*c = SlackChannelInfo(v)
	return nil
}

// SlackChannelsOptions controls ListSlackChannels. A nil pointer means the
// defaults.
type SlackChannelsOptions struct {
	// Limit is the page size; 0 leaves it to the server.
	Limit int
	// Cursor resumes from Page.Next of an earlier call; "" starts at the
	// top. A cursor carries its page size, so Limit is not sent with it.
	Cursor string
}

// ListEventTypes returns the event types alerts can be set up for. An
// entry that is not a string is skipped.
func (s *AlertsService) ListEventTypes(ctx context.Context) ([]AlertEventType, error) {
	var out struct {
		Events lenientList[AlertEventType] `json:"events"`
	}
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v1", "alerts", "events"}}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return out.Events, nil
}

// GetSettings returns every alert setting of the account, the alert
// webhook signing key and the Slack connection.
func (s *AlertsService) GetSettings(ctx context.Context) (*AlertSettings, error) {
	var out AlertSettings
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v1", "alerts", "settings"}}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

type channelSettingsBody struct {
	URL        string   `json:"url,omitempty"`
	Emails     []string `json:"emails,omitempty"`
	ChannelIDs []string `json:"channel_ids,omitempty"`
}

type alertSettingBody struct {
	EventType AlertEventType      `json:"event_type"`
	Channel   Channel             `json:"channel"`
	Settings  channelSettingsBody `json:"settings"`
}

func alertSettingRequest(method string, path []string, eventType AlertEventType, to AlertTarget) (*doer.Request, error) {
	if err := required("event type", string(eventType)); err != nil {
		return nil, err
	}
	if err := to.validate(); err != nil {
		return nil, err
	}
	body, err := doer.JSON(alertSettingBody{EventType: eventType, Channel: to.Channel, Settings: to.body()})
	if err != nil {
		return nil, invalidArg("%s", err)
	}
	return &doer.Request{Method: method, Path: path, Body: body}, nil
}

// CreateSetting sends alerts of eventType to a target, and returns the new
// setting with its ID. For a webhook target Mailgun first sends a GET to
// the URL; unless it answers 200 the call fails with ErrBadRequest and
// nothing is saved. An empty event type or a target without what its
// channel needs (see AlertTarget) is rejected before sending. A POST is
// retried only on 420/429 or a failed dial.
func (s *AlertsService) CreateSetting(ctx context.Context, eventType AlertEventType, to AlertTarget) (*AlertSetting, error) {
	r, err := alertSettingRequest(http.MethodPost, []string{"v1", "alerts", "settings", "events"}, eventType, to)
	if err != nil {
		return nil, err
	}
	var out AlertSetting
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateSetting replaces the event type and target of the setting with
// this ID, and enables it again if Mailgun had disabled it. A webhook URL
// is checked with a GET as in CreateSetting. An unknown ID is ErrNotFound.
func (s *AlertsService) UpdateSetting(ctx context.Context, id string, eventType AlertEventType, to AlertTarget) error {
	if err := required("id", id); err != nil {
		return err
	}
	r, err := alertSettingRequest(http.MethodPut, []string{"v1", "alerts", "settings", "events", id}, eventType, to)
	if err != nil {
		return err
	}
	return s.client.do(ctx, r, nil)
}

// DeleteSetting deletes the setting with this ID.
func (s *AlertsService) DeleteSetting(ctx context.Context, id string) error {
	if err := required("id", id); err != nil {
		return err
	}
	r := &doer.Request{Method: http.MethodDelete, Path: []string{"v1", "alerts", "settings", "events", id}}
	return s.client.do(ctx, r, nil)
}

// SetSlackSettings stores the Slack workspace connection (the token and
// team of a Slack OAuth grant) used by Slack channels. An empty token is
// rejected before sending; empty team fields are sent as null.
func (s *AlertsService) SetSlackSettings(ctx context.Context, settings SlackSettings) error {
	if err := required("Slack token", string(settings.Token)); err != nil {
		return err
	}
	body, err := doer.JSON(struct {
		Token    string  `json:"token"`
		TeamID   *string `json:"team_id"`
		TeamName *string `json:"team_name"`
		Scope    *string `json:"scope"`
	}{string(settings.Token), nullable(settings.TeamID), nullable(settings.TeamName), nullable(settings.Scope)})
	if err != nil {
		return invalidArg("%s", err)
	}
	r := &doer.Request{Method: http.MethodPut, Path: []string{"v1", "alerts", "settings", "slack"}, Body: body}
	return s.client.do(ctx, r, nil)
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// DeleteSlackSettings removes the Slack connection and every Slack alert
// setting. It does not revoke the Slack token; RevokeSlack does.
func (s *AlertsService) DeleteSlackSettings(ctx context.Context) error {
	r := &doer.Request{Method: http.MethodDelete, Path: []string{"v1", "alerts", "settings", "slack"}}
	return s.client.do(ctx, r, nil)
}

// RevokeSlack revokes the Slack token and removes the Slack connection and
// every Slack alert setting. The token is shared by every Mailgun account
// connected to the same workspace, so they all lose it.
func (s *AlertsService) RevokeSlack(ctx context.Context) error {
	r := &doer.Request{Method: http.MethodDelete, Path: []string{"v1", "alerts", "slack", "oauth"}, AllowEmpty: true} // success status undocumented
	return s.client.do(ctx, r, nil)
}

// RotateSigningKey replaces the alert webhook signing key and returns the
// new one. Alerts sent from then on are signed with it; the old key stops
// verifying, so update your handlers.
func (s *AlertsService) RotateSigningKey(ctx context.Context) (Secret, error) {
	var out struct {
		SigningKey Secret `json:"signing_key"`
	}
	r := &doer.Request{Method: http.MethodPut, Path: []string{"v1", "alerts", "settings", "webhooks", "signing_key"}}
	if err := s.client.do(ctx, r, &out); err != nil {
		return "", err
	}
	if out.SigningKey == "" {
		return "", fmt.Errorf("%w: PUT signing_key: the response has no signing key", ErrInvalidResponse)
	}
	return out.SigningKey, nil
}

func (s *AlertsService) sendTest(ctx context.Context, channel string, eventType AlertEventType, body any) error {
	if err := required("event type", string(eventType)); err != nil {
		return err
	}
	b, err := doer.JSON(body)
	if err != nil {
		return invalidArg("%s", err)
	}
	return s.client.do(ctx, &doer.Request{Method: http.MethodPost, Path: []string{"v1", "alerts", channel, "test"}, Body: b}, nil)
}

// SendTestWebhook makes Mailgun POST a sample alert of eventType, with
// dummy data, to url.
func (s *AlertsService) SendTestWebhook(ctx context.Context, eventType AlertEventType, url string) error {
	if err := checkAlertURL(url); err != nil {
		return err
	}
	return s.sendTest(ctx, "webhooks", eventType, struct {
		EventType AlertEventType `json:"event_type"`
		URL       string         `json:"url"`
	}{eventType, url})
}

// SendTestEmail makes Mailgun email a sample alert of eventType to addrs;
// at least one address is needed.
func (s *AlertsService) SendTestEmail(ctx context.Context, eventType AlertEventType, addrs ...string) error {
	if err := checkList("email address", addrs); err != nil {
		return err
	}
	return s.sendTest(ctx, "email", eventType, struct {
		EventType AlertEventType `json:"event_type"`
		Emails    []string       `json:"emails"`
	}{eventType, addrs})
}

// SendTestSlack makes Mailgun post a sample alert of eventType to the
// Slack channels with these IDs, or, with none, to the channels of the
// event type's Slack alert settings.
func (s *AlertsService) SendTestSlack(ctx context.Context, eventType AlertEventType, channelIDs ...string) error {
	if len(channelIDs) > 0 {
		if err := checkList("Slack channel ID", channelIDs); err != nil {
			return err
		}
	}
	return s.sendTest(ctx, "slack", eventType, struct {
		EventType  AlertEventType `json:"event_type"`
		ChannelIDs []string       `json:"channel_ids,omitempty"`
	}{eventType, channelIDs})
}

// ListSlackChannels returns one page of the channels of the connected
// Slack workspace. Without a connected workspace Mailgun answers
// ErrNotFound. A cursor of another list is rejected before sending.
func (s *AlertsService) ListSlackChannels(ctx context.Context, opts *SlackChannelsOptions) (*Page[SlackChannelInfo], error) {
	var o SlackChannelsOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 {
		return nil, invalidArg("limit %d is negative", o.Limit)
	}
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v1", "alerts", "slack", "channels"}}
	if o.Cursor != "" {
		if err := checkCursor(o.Cursor, "alerts", "slack", "channels"); err != nil {
			return nil, err
		}
		r = &doer.Request{Method: http.MethodGet, Cursor: o.Cursor}
	} else if o.Limit > 0 {
		r.Query = url.Values{"limit": {strconv.Itoa(o.Limit)}}
	}
	return getLinkPage[SlackChannelInfo](ctx, s.client, r, func(next string) error { return checkCursor(next, "alerts", "slack", "channels") })
}

// AllSlackChannels walks every channel of the connected Slack workspace,
// one page in memory at a time, starting at opts.Cursor. An error is
// yielded once and ends the walk.
func (s *AlertsService) AllSlackChannels(ctx context.Context, opts *SlackChannelsOptions) iter.Seq2[SlackChannelInfo, error] {
	var o SlackChannelsOptions
	if opts != nil {
		o = *opts
	}
	return iterate(ctx, o.Cursor, func(ctx context.Context, cursor string) (*Page[SlackChannelInfo], error) {
		return s.ListSlackChannels(ctx, &SlackChannelsOptions{Limit: o.Limit, Cursor: cursor})
	})
}

// GetSlackChannel returns the Slack channel with this ID.
func (s *AlertsService) GetSlackChannel(ctx context.Context, id string) (*SlackChannelInfo, error) {
	if err := required("Slack channel ID", id); err != nil {
		return nil, err
	}
	var out SlackChannelInfo
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v1", "alerts", "slack", "channels", id}}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AlertFilter narrows the data a threshold alert computes its metric
// over, such as recipient_provider = Gmail.
type AlertFilter struct {
	Dimension  AlertDimension  `json:"dimension"`
	Comparator AlertComparator `json:"comparator"`
	Values     []string        `json:"values"`
}

// SendAlertRequest is a threshold alert as create and replace send it:
// fire when Metric, evaluated per Dimension over Period, compares with
// Limit by Comparator.
type SendAlertRequest struct {
	// Name identifies the alert in the API; it may contain spaces.
	Name       string          `json:"name"`
	Metric     AlertMetric     `json:"metric"`
	Comparator AlertComparator `json:"comparator"`
	// Limit is the threshold, such as ".99" or "0.05". It is sent as
	// written, so that a limit read from the API (SendAlert.Request) goes
	// back unchanged whatever its notation; Mailgun checks it, and only an
	// empty limit is refused before sending.
	Limit     Decimal        `json:"limit"`
	Dimension AlertDimension `json:"dimension"`
	// AlertChannels are the channels notified; their targets are the
	// account's alert settings.
	AlertChannels []Channel     `json:"alert_channels,omitempty"`
	Filters       []AlertFilter `json:"filters,omitempty"`
	// Period is the evaluation window, such as "1h" or "1d"; "" leaves
	// it to Mailgun.
	Period      string `json:"period,omitempty"`
	Description string `json:"description,omitempty"`
}

// body is the request as sent: the limit as written, even when it is not
// a plain decimal (Decimal.MarshalJSON would refuse it).
func (r *SendAlertRequest) body() any {
	type fields SendAlertRequest
	return struct {
		*fields
		Limit string `json:"limit"`
	}{(*fields)(r), string(r.Limit)}
}

func (r *SendAlertRequest) validate() error {
	if err := required("name", r.Name); err != nil {
		return err
	}
	if err := required("metric", string(r.Metric)); err != nil {
		return err
	}
	if err := required("comparator", string(r.Comparator)); err != nil {
		return err
	}
	if r.Comparator == AlertCompareContains || r.Comparator == AlertCompareNotContains {
		return invalidArg("comparator %q compares text; only filters take it", string(r.Comparator))
	}
	if err := required("limit", string(r.Limit)); err != nil {
		return err
	}
	if err := required("dimension", string(r.Dimension)); err != nil {
		return err
	}
	for i, ch := range r.AlertChannels {
		if strings.TrimSpace(string(ch)) == "" {
			return invalidArg("alert channel %d is empty", i+1)
		}
	}
	for i, f := range r.Filters {
		if strings.TrimSpace(string(f.Dimension)) == "" || strings.TrimSpace(string(f.Comparator)) == "" {
			return invalidArg("filter %d needs a dimension and a comparator", i+1)
		}
		if err := checkList(fmt.Sprintf("filter %d value", i+1), f.Values); err != nil {
			return err
		}
	}
	return nil
}

// SendAlert is a threshold alert rule on sending metrics.
type SendAlert struct {
	ID              string          `json:"id,omitempty"`
	ParentAccountID string          `json:"parent_account_id,omitempty"`
	SubaccountID    string          `json:"subaccount_id,omitempty"`
	AccountGroup    string          `json:"account_group,omitempty"`
	Name            string          `json:"name"`
	Description     string          `json:"description,omitempty"`
	Metric          AlertMetric     `json:"metric"`
	Comparator      AlertComparator `json:"comparator"`
	Limit           Decimal         `json:"limit"`
	Dimension       AlertDimension  `json:"dimension"`
	AlertChannels   []Channel       `json:"alert_channels,omitempty"`
	Filters         []AlertFilter   `json:"filters,omitempty"`
	Period          string          `json:"period,omitempty"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`   // zero when not set
	LastChecked     time.Time       `json:"last_checked"` // zero when not set
}

// UnmarshalJSON reads the times as RFC 3339 with any number of fractional
// digits; 0001-01-01T00:00:00Z, null or absent leave them zero.
func (a *SendAlert) UnmarshalJSON(b []byte) error {
	type plain SendAlert
	aux := struct {
		*plain
		CreatedAt   apiTime `json:"created_at"`
		UpdatedAt   apiTime `json:"updated_at"`
		LastChecked apiTime `json:"last_checked"`
	}{plain: (*plain)(a)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	a.CreatedAt, a.UpdatedAt, a.LastChecked = time.Time(aux.CreatedAt), time.Time(aux.UpdatedAt), time.Time(aux.LastChecked)
	return nil
}

// Request returns the alert as a replace would send it: every field the
// API accepts, with slices copied so changing them leaves a unchanged.
func (a *SendAlert) Request() SendAlertRequest {
	filters := make([]AlertFilter, len(a.Filters))
	for i, f := range a.Filters {
		filters[i] = AlertFilter{Dimension: f.Dimension, Comparator: f.Comparator, Values: slices.Clone(f.Values)}
	}
	if a.Filters == nil {
		filters = nil
	}
	return SendAlertRequest{
		Name:          a.Name,
		Metric:        a.Metric,
		Comparator:    a.Comparator,
		Limit:         a.Limit,
		Dimension:     a.Dimension,
		AlertChannels: slices.Clone(a.AlertChannels),
		Filters:       filters,
		Period:        a.Period,
		Description:   a.Description,
	}
}

// SendAlertList is every threshold alert of the account.
type SendAlertList struct {
	Items []SendAlert `json:"items"`
	Total int64       `json:"total"`
}

// UnmarshalJSON reads the list by the list rule: it fails only when the
// body is not an object or items is not an array; an item that is not an
// object is skipped, and a field of an unexpected type is left zero.
func (l *SendAlertList) UnmarshalJSON(b []byte) error {
	items, total, err := decodeItemsTotal[SendAlert](b)
	*l = SendAlertList{Items: items, Total: total}
	return err
}

// decodeItemsTotal reads the {"items": [...], "total": n} lists of the
// threshold APIs by the list rule.
func decodeItemsTotal[T any](b []byte) ([]T, int64, error) {
	var w struct {
		Items lenientList[T] `json:"items"`
		Total lenient[int64] `json:"total"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, 0, err
	}
	return w.Items, w.Total.V, nil
}

// ThresholdHit is a threshold alert that fired.
type ThresholdHit struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"` // of the alert that fired
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Triggered reports whether the alert is in the triggered state now.
	Triggered bool `json:"triggered"`
	// ExpiresAt is zero when not set (the API sends 0001-01-01T00:00:00Z).
	ExpiresAt       time.Time       `json:"expires_at"`
	LatestValue     Decimal         `json:"latest_value"` // the last measured value
	Metric          AlertMetric     `json:"metric"`
	Comparator      AlertComparator `json:"comparator"`
	Limit           Decimal         `json:"limit"`
	ParentAccountID string          `json:"parent_account_id,omitempty"`
	SubaccountID    string          `json:"subaccount_id,omitempty"`
	Dimension       AlertDimension  `json:"dimension,omitempty"`
	// DimensionValue is the domain, IP, pool, ... that crossed the limit.
	DimensionValue string `json:"dimension_value,omitempty"`
}

// UnmarshalJSON reads the times as RFC 3339 with any number of fractional
// digits; 0001-01-01T00:00:00Z, null or absent leave them zero.
func (h *ThresholdHit) UnmarshalJSON(b []byte) error {
	type plain ThresholdHit
	aux := struct {
		*plain
		CreatedAt apiTime `json:"created_at"`
		UpdatedAt apiTime `json:"updated_at"`
		ExpiresAt apiTime `json:"expires_at"`
	}{plain: (*plain)(h)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	h.CreatedAt, h.UpdatedAt, h.ExpiresAt = time.Time(aux.CreatedAt), time.Time(aux.UpdatedAt), time.Time(aux.ExpiresAt)
	return nil
}

// ThresholdHitList is the threshold alerts that fired.
type ThresholdHitList struct {
	Items []ThresholdHit `json:"items"`
	Total int64          `json:"total"`
}

// UnmarshalJSON reads the list by the list rule, as SendAlertList does.
func (l *ThresholdHitList) UnmarshalJSON(b []byte) error {
	items, total, err := decodeItemsTotal[ThresholdHit](b)
	*l = ThresholdHitList{Items: items, Total: total}
	return err
}

// ListSendAlerts returns every threshold alert of the account (the API
// does not page them).
func (s *AlertsService) ListSendAlerts(ctx context.Context) (*SendAlertList, error) {
	var out SendAlertList
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v1", "thresholds", "alerts", "send"}}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateSendAlert creates a threshold alert and returns it. Missing
// required fields, a limit that is not a decimal number, or a text
// comparator on the metric are rejected before sending. A POST is retried
// only on 420/429 or a failed dial.
func (s *AlertsService) CreateSendAlert(ctx context.Context, req SendAlertRequest) (*SendAlert, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	body, err := doer.JSON(req.body())
	if err != nil {
		return nil, invalidArg("%s", err)
	}
	var out SendAlert
	r := &doer.Request{Method: http.MethodPost, Path: []string{"v1", "thresholds", "alerts", "send"}, Body: body}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetSendAlert returns the threshold alert with this name. An unknown name
// is ErrNotFound.
func (s *AlertsService) GetSendAlert(ctx context.Context, name string) (*SendAlert, error) {
	if err := required("name", name); err != nil {
		return nil, err
	}
	var out SendAlert
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v1", "thresholds", "alerts", "send", name}}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ReplaceSendAlert replaces the threshold alert called name with req. It
// is a full replacement, not a patch: optional fields left empty in req
// (channels, filters, period, description) are cleared. To change one
// field, use ModifySendAlert or start from SendAlert.Request. An empty
// req.Name is set to name. An unknown name is ErrNotFound.
func (s *AlertsService) ReplaceSendAlert(ctx context.Context, name string, req SendAlertRequest) error {
	if err := required("name", name); err != nil {
		return err
	}
	if req.Name == "" {
		req.Name = name
	}
	if err := req.validate(); err != nil {
		return err
	}
	body, err := doer.JSON(req.body())
	if err != nil {
		return invalidArg("%s", err)
	}
	r := &doer.Request{Method: http.MethodPut, Path: []string{"v1", "thresholds", "alerts", "send", name}, Body: body}
	return s.client.do(ctx, r, nil)
}

// ModifySendAlert gets the threshold alert called name, lets modify change
// it, and replaces it with the result, so fields modify leaves alone keep
// their values. If modify returns an error, nothing is written and that
// error is returned. The API has no versions: a change made by someone
// else between the get and the replace is overwritten.
func (s *AlertsService) ModifySendAlert(ctx context.Context, name string, modify func(*SendAlertRequest) error) error {
	if err := required("name", name); err != nil {
		return err
	}
	if modify == nil {
		return invalidArg("modify is nil")
	}
	a, err := s.GetSendAlert(ctx, name)
	if err != nil {
		return err
	}
	req := a.Request()
	if err := modify(&req); err != nil {
		return err
	}
	return s.ReplaceSendAlert(ctx, name, req)
}

// DeleteSendAlert deletes the threshold alert called name. An unknown name
// is ErrNotFound.
// A retry answered 404 after an attempt that may have deleted it returns nil.
func (s *AlertsService) DeleteSendAlert(ctx context.Context, name string) error {
	if err := required("name", name); err != nil {
		return err
	}
	r := &doer.Request{Method: http.MethodDelete, Path: []string{"v1", "thresholds", "alerts", "send", name}}
	return s.client.do(ctx, r, nil)
}

// ListThresholdHits returns the threshold alerts that fired.
func (s *AlertsService) ListThresholdHits(ctx context.Context) (*ThresholdHitList, error) {
	var out ThresholdHitList
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v1", "thresholds", "hits"}}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// apiTime decodes the RFC 3339 times of the alert APIs: any number of
// fractional digits, the zero time 0001-01-01T00:00:00Z and null as "not
// set" (the zero time.Time).
type apiTime time.Time

func (t *apiTime) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*t = apiTime{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("time: want an RFC 3339 string, got %.40s", b)
	}
	v, err := parseAlertTime(s)
	if err != nil {
		return err
	}
	*t = apiTime(v)
	return nil
}

// parseAlertTime parses RFC 3339 with 0 to 9 (or more, truncated)
// fractional digits; a time without a zone is UTC. The zero time and ""
// give the zero time.Time.
func parseAlertTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if v, err := time.Parse(layout, s); err == nil {
			if v.IsZero() {
				return time.Time{}, nil
			}
			return v, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %.64q is not RFC 3339", s)
}
