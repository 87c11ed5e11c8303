package mailguntest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/timefmt"
)

// The Logs endpoint lists the stored events of every domain in the Logs
// API's shape. Events selects event types (unique_opened and
// unique_clicked select first opens and clicks); metric_events selects the
// events a metric counts ("delivered_smtp" keeps what delivered_smtp_count
// counts). Filters support the Metrics attributes and "recipient".
func (s *Server) logsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/analytics/logs", s.queryLogs)
}

const (
	maxLogsLimit     = 100
	defaultLogsLimit = 10
)

type logsRequest struct {
	Start              string           `json:"start"`
	End                string           `json:"end"`
	Duration           string           `json:"duration"`
	Events             []string         `json:"events"`
	MetricEvents       []string         `json:"metric_events"`
	Filter             *analyticsFilter `json:"filter"`
	IncludeSubaccounts bool             `json:"include_subaccounts"`
	IncludeTotals      bool             `json:"include_totals"`
	Pagination         struct {
		Sort  string `json:"sort"`
		Limit int    `json:"limit"`
		Token string `json:"token"`
	} `json:"pagination"`
}

// logsAttributes are the filter attributes the fake's Logs API supports.
var logsAttributes = func() map[string]func(*storedEvent) []string {
	m := map[string]func(*storedEvent) []string{
		"recipient": func(e *storedEvent) []string { return []string{e.ev.Recipient} },
	}
	for k, v := range eventAttributes {
		m[k] = v
	}
	return m
}()

func (s *Server) queryLogs(w http.ResponseWriter, r *http.Request) {
	var req logsRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
		return
	}
	body, err := s.logsBody(&req)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) logsBody(req *logsRequest) (map[string]any, error) {
	keep, err := req.Filter.compile(logsAttributes)
	if err != nil {
		return nil, err
	}
	start, end, err := s.period(req.Start, req.End, req.Duration, func(e time.Time) time.Time { return e.AddDate(0, 0, -1) })
	if err != nil {
		return nil, err
	}
	asc := false
	switch req.Pagination.Sort {
	case "timestamp:asc":
		asc = true
	case "", "timestamp:desc":
	default:
		return nil, fmt.Errorf("sort must be timestamp:asc or timestamp:desc")
	}
	limit := req.Pagination.Limit
	if limit == 0 {
		limit = defaultLogsLimit
	}
	if limit < 0 || limit > maxLogsLimit {
		return nil, fmt.Errorf("limit must be at most %d", maxLogsLimit)
	}
	var pos *[2]int64
	if req.Pagination.Token != "" {
		p, err := parseLogsToken(req.Pagination.Token)
		if err != nil {
			return nil, fmt.Errorf("invalid pagination token")
		}
		pos = &p
	}

	s.mu.Lock()
	all := s.allEventsLocked()
	u := findUniques(all)
	var matched []*storedEvent
	for _, e := range all {
		ts := e.ev.Timestamp
		if ts.Before(start) || ts.After(end) || !keep(e) || !selectLog(e, req, u) {
			continue
		}
		matched = append(matched, e)
	}
	if !asc {
		slices.Reverse(matched)
	}
	items := []map[string]any{}
	more := false
	for _, e := range matched {
		if pos != nil {
			c := compareKeys(e.key(), *pos)
			if asc && c <= 0 || !asc && c >= 0 {
				continue
			}
		}
		if len(items) == limit {
			more = true
			break
		}
		items = append(items, logItem(e))
		last := e.key()
		pos = &last
	}
	s.mu.Unlock()

	pagination := map[string]any{}
	if more {
		pagination["next"] = logsToken(*pos)
	}
	if req.IncludeTotals {
		pagination["total"] = len(matched)
	}
	return map[string]any{
		"start":      metricsTime(start),
		"end":        metricsTime(end),
		"items":      items,
		"pagination": pagination,
		"aggregates": map[string]any{},
	}, nil
}

// selectLog applies the events and metric_events lists.
func selectLog(e *storedEvent, req *logsRequest, u uniques) bool {
	if len(req.Events) == 0 && len(req.MetricEvents) == 0 {
		return true
	}
	name := string(e.ev.Event)
	for _, want := range req.Events {
		if want == name || (want == "unique_opened" || want == "unique_clicked") && "unique_"+name == want && u[e.seq] {
			return true
		}
	}
	if len(req.MetricEvents) > 0 {
		t := tally{}
		countEvent(t, e, u)
		for _, m := range req.MetricEvents {
			if t[m+"_count"] > 0 {
				return true
			}
		}
	}
	return false
}

func logsToken(pos [2]int64) string {
	b, _ := json.Marshal(pos)
	return base64.RawURLEncoding.EncodeToString(b)
}

func parseLogsToken(tok string) ([2]int64, error) {
	var pos [2]int64
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return pos, err
	}
	err = json.Unmarshal(b, &pos)
	return pos, err
}

// logItem renders a stored event in the Logs API's shape.
func logItem(se *storedEvent) map[string]any {
	e := &se.ev
	item := map[string]any{
		"id":         e.ID,
		"event":      e.Event,
		"@timestamp": e.Timestamp.UTC().Format("2006-01-02T15:04:05.000Z"),
		"domain":     map[string]string{"name": se.domain},
	}
	str := func(key, v string) {
		if v != "" {
			item[key] = v
		}
	}
	str("log-level", string(e.LogLevel))
	str("recipient", e.Recipient)
	str("recipient-domain", e.RecipientDomain)
	str("recipient-provider", e.RecipientProvider)
	str("method", strings.ToUpper(e.Method))
	str("originating-ip", e.OriginatingIP)
	str("api-key-id", e.APIKeyID)
	str("primary-dkim", e.PrimaryDKIM)
	str("severity", string(e.Severity))
	str("reason", e.Reason)
	str("url", e.URL)
	str("ip", e.IP)
	if len(e.Tags) > 0 {
		item["tags"] = e.Tags
	}
	if len(e.Campaigns) > 0 {
		item["campaigns"] = e.Campaigns
	}
	if uv := bytes.TrimSpace(e.UserVariables); len(uv) > 0 {
		var text string
		if uv[0] == '"' && json.Unmarshal(uv, &text) == nil {
			item["user-variables"] = text
		} else {
			item["user-variables"] = string(uv)
		}
	}
	if e.Envelope != nil {
		item["envelope"] = e.Envelope
	}
	if e.DeliveryStatus != nil {
		item["delivery-status"] = e.DeliveryStatus
	}
	if e.Geolocation != nil {
		item["geolocation"] = e.Geolocation
	}
	if e.ClientInfo != nil {
		item["client-info"] = e.ClientInfo
	}
	if e.MailingList != nil {
		item["mailing-list"] = e.MailingList
	}
	if len(e.Routes) > 0 {
		item["routes"] = e.Routes[0]
	}
	if e.Message != nil {
		msg := map[string]any{"headers": e.Message.Headers}
		if e.Message.Attachments != nil {
			msg["attachments"] = e.Message.Attachments
		}
		if len(e.Message.Recipients) > 0 {
			msg["recipients"] = e.Message.Recipients
		}
		if e.Message.Size > 0 {
			msg["size"] = e.Message.Size
		}
		// The Logs API has an integer here (unit undocumented): Unix seconds.
		if t, err := timefmt.ParseRFC2822(e.Message.ScheduledFor); err == nil {
			msg["scheduled-for"] = t.Unix()
		}
		item["message"] = msg
	}
	if e.Storage != nil {
		st := map[string]any{"key": e.Storage.Key, "region": e.Storage.Region, "env": e.Storage.Env}
		if e.Storage.URL != "" {
			st["url"] = []string{e.Storage.URL}
		}
		item["storage"] = st
	}
	if e.Template != nil {
		t := map[string]any{"name": e.Template.Name}
		if e.Template.Version != "" {
			t["version"] = e.Template.Version
		}
		if e.Template.IsText != nil {
			t["is-text"] = *e.Template.IsText
		}
		item["template"] = t
	}
	if f := e.Flags; f != nil {
		flags := map[string]bool{
			"is-authenticated":  isTrue(f.IsAuthenticated),
			"is-system-test":    isTrue(f.IsSystemTest),
			"is-routed":         isTrue(f.IsRouted),
			"is-test-mode":      isTrue(f.IsTestMode),
			"is-delayed-bounce": isTrue(f.IsDelayedBounce),
			"is-callback":       isTrue(f.IsCallback),
		}
		if f.IsAMP != nil {
			flags["is-amp"] = *f.IsAMP
		}
		if f.IsEncrypted != nil {
			flags["is-encrypted"] = *f.IsEncrypted
		}
		item["flags"] = flags
	}
	return item
}
