package mailguntest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// alertsState is the alert settings, Slack connection, signing key and
// threshold alerts of the fake account.
type alertsState struct {
	signingKey    string
	settings      []*alertSetting // in creation order
	slack         *slackConn      // nil: not connected
	slackChannels []SlackChannel
	sendAlerts    []*sendAlert // in creation order
	hits          []thresholdHit
	tests         []AlertTest
	httpClient    *http.Client // for URL checks and deliveries; nil: alertHTTPClient
}

// alertHTTPClient makes the fake's own requests (webhook URL checks, test
// and delivered alerts) unless WithAlertHTTPClient replaces it.
var alertHTTPClient = &http.Client{Timeout: 10 * time.Second}

// alertEventTypes is what GET /v1/alerts/events answers, and what alert
// settings accept.
var alertEventTypes = []string{"ip_listed", "ip_delisted", "domain_listed", "domain_delisted", "validation_job", "validation_preview"}

// The closed enums of the thresholds API, as the contract declares them.
var (
	alertChannels     = []string{"email", "webhook", "slack"}
	alertMetrics      = []string{"hard_bounce_rate", "temporary_fail_rate", "delivered_rate", "complained_rate"}
	metricComparators = []string{"=", "!=", "<", "<=", ">", ">="}
	filterComparators = []string{"=", "!=", "contains", "not contains", "<", "<=", ">", ">="}
	alertDimensions   = []string{"domain", "ip", "ip_pool", "recipient_provider", "subaccount"}
)

type channelSettings struct {
	URL        string   `json:"url,omitempty"`
	Emails     []string `json:"emails,omitempty"`
	ChannelIDs []string `json:"channel_ids,omitempty"`
}

type alertSetting struct {
	ID         string          `json:"id"`
	EventType  string          `json:"event_type"`
	Channel    string          `json:"channel"`
	Settings   channelSettings `json:"settings"`
	DisabledAt *string         `json:"disabled_at"`
}

type slackConn struct {
	Token    string  `json:"token"`
	TeamID   *string `json:"team_id"`
	TeamName *string `json:"team_name"`
	Scope    *string `json:"scope"`
}

// SlackChannel is a channel of the fake's Slack workspace, for
// AddSlackChannels.
type SlackChannel struct {
	ID       string
	Name     string
	Archived bool
}

type sendAlertFilter struct {
	Dimension  string   `json:"dimension"`
	Comparator string   `json:"comparator"`
	Values     []string `json:"values"`
}

type sendAlertBody struct {
	Name          string            `json:"name"`
	Metric        string            `json:"metric"`
	Comparator    string            `json:"comparator"`
	Limit         *string           `json:"limit"`
	Dimension     string            `json:"dimension"`
	AlertChannels []string          `json:"alert_channels,omitempty"`
	Filters       []sendAlertFilter `json:"filters,omitempty"`
	Period        string            `json:"period,omitempty"`
	Description   string            `json:"description,omitempty"`
}

type sendAlert struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	Description   string            `json:"description,omitempty"`
	Metric        string            `json:"metric"`
	Comparator    string            `json:"comparator"`
	Limit         string            `json:"limit"`
	Dimension     string            `json:"dimension"`
	AlertChannels []string          `json:"alert_channels,omitempty"`
	Filters       []sendAlertFilter `json:"filters,omitempty"`
	Period        string            `json:"period,omitempty"`
	CreatedAt     string            `json:"created_at"`
	UpdatedAt     string            `json:"updated_at"`
	LastChecked   string            `json:"last_checked"`
}

// ThresholdHit is a fired threshold alert, for AddThresholdHit. Empty
// fields are answered as the API's zero values.
type ThresholdHit struct {
	Name           string
	Metric         string // such as "hard_bounce_rate"
	Comparator     string // such as ">"
	Limit          string // a decimal string such as ".05"
	LatestValue    string // a decimal string
	Dimension      string
	DimensionValue string
	Triggered      bool
	ExpiresAt      time.Time // zero: answered as 0001-01-01T00:00:00Z
}

type thresholdHit struct {
	ID             string `json:"id"`
	Name           string `json:"name"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
	Triggered      bool   `json:"triggered"`
	ExpiresAt      string `json:"expires_at"`
	LatestValue    string `json:"latest_value"`
	Metric         string `json:"metric"`
	Comparator     string `json:"comparator"`
	Limit          string `json:"limit"`
	Dimension      string `json:"dimension,omitempty"`
	DimensionValue string `json:"dimension_value,omitempty"`
}

// AlertTest is a test alert the fake was asked to send through
// /v1/alerts/{webhooks,email,slack}/test.
type AlertTest struct {
	Channel   string   // "webhook", "email" or "slack"
	EventType string   // as requested
	Targets   []string // the URL, the addresses or the Slack channel IDs
}

// WithAlertHTTPClient makes the server use hc for its own requests: the
// GET that checks a webhook URL, test webhooks, and DeliverAlert. Use it
// for TLS test servers (httptest.NewTLSServer's Client). The default has a
// 10 s timeout.
func WithAlertHTTPClient(hc *http.Client) Option {
	return func(s *Server) { s.alerts.httpClient = hc }
}

func (s *Server) alertRoutes(mux *http.ServeMux) {
	if s.alerts.signingKey == "" {
		s.alerts.signingKey = alertRandomHex(16)
	}
	mux.HandleFunc("GET /v1/alerts/events", s.listAlertEvents)
	mux.HandleFunc("GET /v1/alerts/settings", s.getAlertSettings)
	mux.HandleFunc("POST /v1/alerts/settings/events", s.createAlertSetting)
	mux.HandleFunc("PUT /v1/alerts/settings/events/{id}", s.updateAlertSetting)
	mux.HandleFunc("DELETE /v1/alerts/settings/events/{id}", s.deleteAlertSetting)
	mux.HandleFunc("PUT /v1/alerts/settings/slack", s.putSlackSettings)
	mux.HandleFunc("DELETE /v1/alerts/settings/slack", s.deleteSlackSettings)
	mux.HandleFunc("DELETE /v1/alerts/slack/oauth", s.deleteSlackSettings)
	mux.HandleFunc("PUT /v1/alerts/settings/webhooks/signing_key", s.rotateAlertKey)
	mux.HandleFunc("POST /v1/alerts/webhooks/test", s.testAlertWebhook)
	mux.HandleFunc("POST /v1/alerts/email/test", s.testAlertEmail)
	mux.HandleFunc("POST /v1/alerts/slack/test", s.testAlertSlack)
	mux.HandleFunc("GET /v1/alerts/slack/channels", s.listSlackChannels)
	mux.HandleFunc("GET /v1/alerts/slack/channels/{id}", s.getSlackChannel)
	mux.HandleFunc("GET /v1/thresholds/alerts/send", s.listSendAlerts)
	mux.HandleFunc("POST /v1/thresholds/alerts/send", s.createSendAlert)
	mux.HandleFunc("GET /v1/thresholds/alerts/send/{name}", s.getSendAlert)
	mux.HandleFunc("PUT /v1/thresholds/alerts/send/{name}", s.replaceSendAlert)
	mux.HandleFunc("DELETE /v1/thresholds/alerts/send/{name}", s.deleteSendAlert)
	mux.HandleFunc("GET /v1/thresholds/hits", s.listThresholdHits)
}

// AlertSigningKey returns the key the server signs alert webhooks with. It
// changes when a client rotates it (PUT /v1/alerts/settings/webhooks/signing_key).
func (s *Server) AlertSigningKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.alerts.signingKey
}

// AddSlackChannels connects a Slack workspace if none is (as a PUT of the
// Slack settings would) and adds channels to it, for ListSlackChannels,
// Slack alert settings and test messages.
func (s *Server) AddSlackChannels(channels ...SlackChannel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alerts.slack == nil {
		team := "mailguntest"
		s.alerts.slack = &slackConn{Token: "xoxb-mailguntest", TeamID: &team, TeamName: &team}
	}
	s.alerts.slackChannels = append(s.alerts.slackChannels, channels...)
}

// AddThresholdHit records a fired threshold alert, as Mailgun's threshold
// engine would, and returns its ID.
func (s *Server) AddThresholdHit(h ThresholdHit) string {
	now := formatAlertTime(s.now())
	hit := thresholdHit{
		ID:             alertUUID(),
		Name:           h.Name,
		CreatedAt:      now,
		UpdatedAt:      now,
		Triggered:      h.Triggered,
		ExpiresAt:      formatAlertTime(h.ExpiresAt),
		LatestValue:    h.LatestValue,
		Metric:         h.Metric,
		Comparator:     h.Comparator,
		Limit:          h.Limit,
		Dimension:      h.Dimension,
		DimensionValue: h.DimensionValue,
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts.hits = append(s.alerts.hits, hit)
	return hit.ID
}

// DisableAlertSetting marks the alert setting with this ID disabled at t,
// as Mailgun does when a webhook keeps failing, and reports whether the ID
// exists. Updating the setting enables it again.
func (s *Server) DisableAlertSetting(id string, t time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.alerts.settings {
		if a.ID == id {
			at := formatAlertTime(t)
			a.DisabledAt = &at
			return true
		}
	}
	return false
}

// AlertTests returns the test alerts clients asked for, oldest first.
func (s *Server) AlertTests() []AlertTest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]AlertTest, len(s.alerts.tests))
	for i, t := range s.alerts.tests {
		out[i] = AlertTest{Channel: t.Channel, EventType: t.EventType, Targets: slices.Clone(t.Targets)}
	}
	return out
}

func (s *Server) alertClient() *http.Client {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alerts.httpClient != nil {
		return s.alerts.httpClient
	}
	return alertHTTPClient
}

func (s *Server) listAlertEvents(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]string{"events": alertEventTypes})
}

func (s *Server) getAlertSettings(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	events := make([]alertSetting, 0, len(s.alerts.settings))
	for _, a := range s.alerts.settings {
		events = append(events, *a)
	}
	slack := slackConn{}
	if s.alerts.slack != nil {
		slack = *s.alerts.slack
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"events":   events,
		"webhooks": map[string]string{"signing_key": s.alerts.signingKey},
		"slack":    slack,
	})
}

// readAlertJSON decodes a JSON request body into v, answering 400 and
// returning false when it is not JSON.
func readAlertJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/json" {
		writeError(w, http.StatusBadRequest, "Content-Type must be application/json")
		return false
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || json.Unmarshal(b, v) != nil {
		writeError(w, http.StatusBadRequest, "request body is not valid JSON")
		return false
	}
	return true
}

// decodeAlertSetting reads and checks an alert setting body, checking a
// webhook URL with a GET as Mailgun does. It answers the error itself.
func (s *Server) decodeAlertSetting(w http.ResponseWriter, r *http.Request) (*alertSetting, bool) {
	var in alertSetting
	if !readAlertJSON(w, r, &in) {
		return nil, false
	}
	msg := ""
	switch {
	case in.EventType == "":
		msg = "event_type is required"
	case !slices.Contains(alertEventTypes, in.EventType):
		msg = fmt.Sprintf("unknown event_type %q", in.EventType)
	case in.Channel == "webhook" && in.Settings.URL == "":
		msg = "settings.url is required for the webhook channel"
	case in.Channel == "email" && len(in.Settings.Emails) == 0:
		msg = "settings.emails is required for the email channel"
	case in.Channel == "slack" && len(in.Settings.ChannelIDs) == 0:
		msg = "settings.channel_ids is required for the slack channel"
	case !slices.Contains(alertChannels, in.Channel):
		msg = fmt.Sprintf("channel must be one of email, webhook, slack; got %q", in.Channel)
	}
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return nil, false
	}
	if in.Channel == "webhook" {
		if err := s.checkWebhookURL(r.Context(), in.Settings.URL); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return nil, false
		}
	}
	// Keep only the settings of the channel.
	switch in.Channel {
	case "webhook":
		in.Settings = channelSettings{URL: in.Settings.URL}
	case "email":
		in.Settings = channelSettings{Emails: in.Settings.Emails}
	case "slack":
		in.Settings = channelSettings{ChannelIDs: in.Settings.ChannelIDs}
	}
	in.DisabledAt = nil
	return &in, true
}

// checkWebhookURL sends the GET Mailgun sends before it saves a webhook
// URL; anything but 200 is an error.
func (s *Server) checkWebhookURL(ctx context.Context, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("webhook url %q is not a valid http(s) URL", raw)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return fmt.Errorf("webhook url %q is not valid", raw)
	}
	resp, err := s.alertClient().Do(req)
	if err != nil {
		return fmt.Errorf("webhook url %s is not reachable", raw)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("webhook url %s answered %d to a GET, want 200", raw, resp.StatusCode)
	}
	return nil
}

func sameSetting(a, b *alertSetting) bool {
	return a.EventType == b.EventType && a.Channel == b.Channel && a.Settings.URL == b.Settings.URL &&
		slices.Equal(a.Settings.Emails, b.Settings.Emails) && slices.Equal(a.Settings.ChannelIDs, b.Settings.ChannelIDs)
}

func (s *Server) createAlertSetting(w http.ResponseWriter, r *http.Request) {
	in, ok := s.decodeAlertSetting(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.alerts.settings {
		if sameSetting(a, in) {
			writeError(w, http.StatusConflict, "an identical alert setting exists already")
			return
		}
	}
	in.ID = alertUUID()
	s.alerts.settings = append(s.alerts.settings, in)
	writeJSON(w, http.StatusOK, in)
}

func (s *Server) findAlertSetting(id string) int {
	return slices.IndexFunc(s.alerts.settings, func(a *alertSetting) bool { return a.ID == id })
}

func (s *Server) updateAlertSetting(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	exists := s.findAlertSetting(id) >= 0
	s.mu.Unlock()
	if !exists {
		writeError(w, http.StatusNotFound, "alert setting not found")
		return
	}
	in, ok := s.decodeAlertSetting(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findAlertSetting(id)
	if i < 0 {
		writeError(w, http.StatusNotFound, "alert setting not found")
		return
	}
	in.ID = id
	s.alerts.settings[i] = in
	writeJSON(w, http.StatusOK, map[string]string{"message": "settings updated"})
}

func (s *Server) deleteAlertSetting(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findAlertSetting(r.PathValue("id"))
	if i < 0 {
		writeError(w, http.StatusNotFound, "alert setting not found")
		return
	}
	s.alerts.settings = slices.Delete(s.alerts.settings, i, i+1)
	writeJSON(w, http.StatusOK, map[string]string{"message": "settings deleted"})
}

func (s *Server) putSlackSettings(w http.ResponseWriter, r *http.Request) {
	var in slackConn
	if !readAlertJSON(w, r, &in) {
		return
	}
	if in.Token == "" {
		writeError(w, http.StatusBadRequest, "token is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts.slack = &in
	writeNoContent(w)
}

// deleteSlackSettings serves both DELETE /v1/alerts/settings/slack and
// DELETE /v1/alerts/slack/oauth: the connection and the Slack alert
// settings go.
func (s *Server) deleteSlackSettings(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts.slack = nil
	s.alerts.settings = slices.DeleteFunc(s.alerts.settings, func(a *alertSetting) bool { return a.Channel == "slack" })
	writeNoContent(w)
}

func (s *Server) rotateAlertKey(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts.signingKey = alertRandomHex(16)
	writeJSON(w, http.StatusOK, map[string]string{"signing_key": s.alerts.signingKey})
}

func (s *Server) recordAlertTest(t AlertTest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts.tests = append(s.alerts.tests, t)
}

// testAlertWebhook delivers a signed sample alert to the URL; a delivery
// that fails is answered 400.
func (s *Server) testAlertWebhook(w http.ResponseWriter, r *http.Request) {
	var in struct {
		EventType string `json:"event_type"`
		URL       string `json:"url"`
	}
	if !readAlertJSON(w, r, &in) {
		return
	}
	if in.EventType == "" || in.URL == "" {
		writeError(w, http.StatusBadRequest, "event_type and url are required")
		return
	}
	sample := map[string]any{
		"id":        alertUUID(),
		"timestamp": formatAlertTime(s.now()),
		"log_level": "warn",
		"event":     in.EventType,
		"ip":        "192.0.2.1",
		"blocklist": "Test",
		"message":   "This is a test alert",
	}
	if err := s.DeliverAlert(r.Context(), in.URL, sample); err != nil {
		writeError(w, http.StatusBadRequest, "test webhook failed: "+err.Error())
		return
	}
	s.recordAlertTest(AlertTest{Channel: "webhook", EventType: in.EventType, Targets: []string{in.URL}})
	writeJSON(w, http.StatusOK, map[string]string{"message": "test webhook sent"})
}

func (s *Server) testAlertEmail(w http.ResponseWriter, r *http.Request) {
	var in struct {
		EventType string   `json:"event_type"`
		Emails    []string `json:"emails"`
	}
	if !readAlertJSON(w, r, &in) {
		return
	}
	if in.EventType == "" || len(in.Emails) == 0 {
		writeError(w, http.StatusBadRequest, "event_type and emails are required")
		return
	}
	s.recordAlertTest(AlertTest{Channel: "email", EventType: in.EventType, Targets: in.Emails})
	writeJSON(w, http.StatusOK, map[string]string{"message": "test email sent"})
}

func (s *Server) testAlertSlack(w http.ResponseWriter, r *http.Request) {
	var in struct {
		EventType  string   `json:"event_type"`
		ChannelIDs []string `json:"channel_ids"`
	}
	if !readAlertJSON(w, r, &in) {
		return
	}
	if in.EventType == "" {
		writeError(w, http.StatusBadRequest, "event_type is required")
		return
	}
	s.mu.Lock()
	connected := s.alerts.slack != nil
	ids := in.ChannelIDs
	if len(ids) == 0 {
		for _, a := range s.alerts.settings {
			if a.Channel == "slack" && a.EventType == in.EventType {
				ids = append(ids, a.Settings.ChannelIDs...)
			}
		}
	}
	s.mu.Unlock()
	switch {
	case !connected:
		writeError(w, http.StatusBadRequest, "slack is not connected")
	case len(ids) == 0:
		writeError(w, http.StatusBadRequest, "no slack channels to send to")
	default:
		s.recordAlertTest(AlertTest{Channel: "slack", EventType: in.EventType, Targets: ids})
		writeJSON(w, http.StatusOK, map[string]string{"message": "test message sent"})
	}
}

// listSlackChannels pages the seeded channels. The page cursor is the ID
// of the last channel of the previous page.
func (s *Server) listSlackChannels(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit must be between 1 and 1000")
			return
		}
		limit = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alerts.slack == nil {
		writeError(w, http.StatusNotFound, "slack is not connected")
		return
	}
	chans := s.alerts.slackChannels
	start := 0
	if after := q.Get("page"); after != "" {
		i := slices.IndexFunc(chans, func(c SlackChannel) bool { return c.ID == after })
		if i < 0 {
			writeError(w, http.StatusNotFound, "unknown page")
			return
		}
		start = i + 1
	}
	end := min(start+limit, len(chans))
	items := make([]map[string]any, 0, end-start)
	for _, c := range chans[start:end] {
		items = append(items, map[string]any{"id": c.ID, "name": c.Name, "is_archived": c.Archived})
	}
	link := func(page string) string {
		v := url.Values{"limit": {strconv.Itoa(limit)}}
		if page != "" {
			v.Set("page", page)
		}
		return baseURL(r) + "/v1/alerts/slack/channels?" + v.Encode()
	}
	paging := map[string]string{"first": link("")}
	if end < len(chans) {
		paging["next"] = link(chans[end-1].ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "paging": paging})
}

func (s *Server) getSlackChannel(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.alerts.slack == nil {
		writeError(w, http.StatusNotFound, "slack is not connected")
		return
	}
	id := r.PathValue("id")
	for _, c := range s.alerts.slackChannels {
		if c.ID == id {
			writeJSON(w, http.StatusOK, map[string]any{"id": c.ID, "name": c.Name, "is_archived": c.Archived})
			return
		}
	}
	writeError(w, http.StatusNotFound, "channel not found")
}

func (s *Server) listSendAlerts(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := make([]sendAlert, 0, len(s.alerts.sendAlerts))
	for _, a := range s.alerts.sendAlerts {
		items = append(items, *a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": len(items)})
}

// decodeSendAlert reads and checks a send alert body as the contract
// declares it. It answers the error itself.
func decodeSendAlert(w http.ResponseWriter, r *http.Request) (*sendAlertBody, bool) {
	var in sendAlertBody
	if !readAlertJSON(w, r, &in) {
		return nil, false
	}
	msg := ""
	switch {
	case in.Name == "":
		msg = "name is required"
	case !slices.Contains(alertMetrics, in.Metric):
		msg = fmt.Sprintf("metric %q is not one of %s", in.Metric, strings.Join(alertMetrics, ", "))
	case !slices.Contains(metricComparators, in.Comparator):
		msg = fmt.Sprintf("comparator %q is not one of %s", in.Comparator, strings.Join(metricComparators, " "))
	case in.Limit == nil || !isDecimal(*in.Limit):
		msg = "limit must be a decimal number in a string"
	case !slices.Contains(alertDimensions, in.Dimension):
		msg = fmt.Sprintf("dimension %q is not one of %s", in.Dimension, strings.Join(alertDimensions, ", "))
	}
	for _, c := range in.AlertChannels {
		if msg == "" && !slices.Contains(alertChannels, c) {
			msg = fmt.Sprintf("alert channel %q is not one of email, slack, webhook", c)
		}
	}
	for _, f := range in.Filters {
		if msg != "" {
			break
		}
		switch {
		case !slices.Contains(alertDimensions, f.Dimension):
			msg = fmt.Sprintf("filter dimension %q is not valid", f.Dimension)
		case !slices.Contains(filterComparators, f.Comparator):
			msg = fmt.Sprintf("filter comparator %q is not valid", f.Comparator)
		case len(f.Values) == 0:
			msg = "filter values are required"
		}
	}
	if msg != "" {
		writeError(w, http.StatusBadRequest, msg)
		return nil, false
	}
	return &in, true
}

func (in *sendAlertBody) apply(a *sendAlert) {
	a.Name, a.Description, a.Metric, a.Comparator = in.Name, in.Description, in.Metric, in.Comparator
	a.Limit, a.Dimension, a.AlertChannels, a.Filters, a.Period = *in.Limit, in.Dimension, in.AlertChannels, in.Filters, in.Period
}

func (s *Server) findSendAlert(name string) int {
	return slices.IndexFunc(s.alerts.sendAlerts, func(a *sendAlert) bool { return a.Name == name })
}

func (s *Server) createSendAlert(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeSendAlert(w, r)
	if !ok {
		return
	}
	now := formatAlertTime(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.findSendAlert(in.Name) >= 0 {
		writeError(w, http.StatusConflict, fmt.Sprintf("send alert %q already exists", in.Name))
		return
	}
	a := &sendAlert{ID: alertUUID(), CreatedAt: now, UpdatedAt: now, LastChecked: now}
	in.apply(a)
	s.alerts.sendAlerts = append(s.alerts.sendAlerts, a)
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) getSendAlert(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findSendAlert(r.PathValue("name"))
	if i < 0 {
		writeError(w, http.StatusNotFound, "send alert not found")
		return
	}
	writeJSON(w, http.StatusOK, s.alerts.sendAlerts[i])
}

// replaceSendAlert replaces the whole alert. A different name in the body
// renames it, unless another alert has that name (409).
func (s *Server) replaceSendAlert(w http.ResponseWriter, r *http.Request) {
	in, ok := decodeSendAlert(w, r)
	if !ok {
		return
	}
	name := r.PathValue("name")
	now := formatAlertTime(s.now())
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findSendAlert(name)
	if i < 0 {
		writeError(w, http.StatusNotFound, "send alert not found")
		return
	}
	if in.Name != name && s.findSendAlert(in.Name) >= 0 {
		writeError(w, http.StatusConflict, fmt.Sprintf("send alert %q already exists", in.Name))
		return
	}
	old := s.alerts.sendAlerts[i]
	a := &sendAlert{ID: old.ID, CreatedAt: old.CreatedAt, UpdatedAt: now, LastChecked: old.LastChecked}
	in.apply(a)
	s.alerts.sendAlerts[i] = a
	writeJSON(w, http.StatusOK, map[string]string{"message": "send alert updated"})
}

func (s *Server) deleteSendAlert(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.findSendAlert(r.PathValue("name"))
	if i < 0 {
		writeError(w, http.StatusNotFound, "send alert not found")
		return
	}
	s.alerts.sendAlerts = slices.Delete(s.alerts.sendAlerts, i, i+1)
	writeJSON(w, http.StatusOK, map[string]string{"message": "send alert deleted"})
}

func (s *Server) listThresholdHits(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := append(make([]thresholdHit, 0, len(s.alerts.hits)), s.alerts.hits...)
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": len(items)})
}

// formatAlertTime writes t as the thresholds API does: RFC 3339 in UTC
// with up to 9 fractional digits. The zero time is 0001-01-01T00:00:00Z.
func formatAlertTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// isDecimal is the SDK's rule for a decimal in a string: a sign, digits
// and a fraction, no exponent.
func isDecimal(s string) bool {
	_, err := mailgun.ParseDecimal(s)
	return err == nil
}

func alertRandomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func alertUUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
