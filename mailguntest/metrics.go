package mailguntest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/timefmt"
)

// The Metrics endpoints count the stored events with the classification of
// countEvent. Items exist only for dimension values that have events; an
// event without a value for a dimension (no country, say) counts under "".
// Rates are ratios with four decimals: delivered, failure and bounce
// rates over processed_count (accepted), engagement rates over
// delivered_count. Usage metrics other than processed_count are zero.
func (s *Server) metricsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/analytics/metrics", s.queryMetrics(false))
	mux.HandleFunc("POST /v1/analytics/usage/metrics", s.queryMetrics(true))
}

// metricRates are the rates the fake computes: numerator and denominator.
var metricRates = map[string][2]string{
	"delivered_rate":             {"delivered_count", "processed_count"},
	"opened_rate":                {"opened_count", "delivered_count"},
	"clicked_rate":               {"clicked_count", "delivered_count"},
	"unique_opened_rate":         {"unique_opened_count", "delivered_count"},
	"unique_clicked_rate":        {"unique_clicked_count", "delivered_count"},
	"unsubscribed_rate":          {"unsubscribed_count", "delivered_count"},
	"complained_rate":            {"complained_count", "delivered_count"},
	"bounce_rate":                {"bounced_count", "processed_count"},
	"fail_rate":                  {"failed_count", "processed_count"},
	"permanent_fail_rate":        {"permanent_failed_count", "processed_count"},
	"temporary_fail_rate":        {"temporary_failed_count", "processed_count"},
	"delayed_rate":               {"delayed_first_attempt_count", "processed_count"},
	"delayed_first_attempt_rate": {"delayed_first_attempt_count", "processed_count"},
	"hard_bounce_rate":           {"hard_bounces_count", "processed_count"},
	"soft_bounce_rate":           {"soft_bounces_count", "processed_count"},
}

// metricCounts are the counts of the Metrics API.
var metricCounts = strings.Fields(`accepted_incoming_count accepted_outgoing_count accepted_count
	delivered_smtp_count delivered_http_count delivered_optimized_count delivered_count stored_count
	processed_count sent_count opened_count clicked_count unique_opened_count unique_clicked_count
	unsubscribed_count complained_count failed_count temporary_failed_count permanent_failed_count
	temporary_failed_esp_block_count permanent_failed_esp_block_count rate_limit_count webhook_count
	permanent_failed_optimized_count permanent_failed_old_count bounced_count hard_bounces_count
	soft_bounces_count delayed_bounce_count suppressed_bounces_count suppressed_unsubscribed_count
	suppressed_complaints_count delivered_first_attempt_count delayed_first_attempt_count
	delivered_subsequent_count delivered_two_plus_attempts_count esp_block_count`)

// usageCounts are the counts of the usage endpoint.
var usageCounts = strings.Fields(`processed_count email_validation_count email_validation_public_count
	email_validation_valid_count email_validation_single_count email_validation_bulk_count
	email_validation_list_count email_validation_mailgun_count email_validation_mailjet_count
	email_preview_count email_preview_failed_count link_validation_count link_validation_failed_count
	seed_test_count ip_blocklist_monitoring_count domain_blocklist_monitoring_count accessibility_count
	accessibility_failed_count image_validation_count image_validation_failed_count archived_count`)

// eventAttributes give an event's values for a dimension or filter
// attribute of the analytics APIs; "time" is handled apart.
var eventAttributes = map[string]func(e *storedEvent) []string{
	"domain":             func(e *storedEvent) []string { return []string{e.domain} },
	"recipient_domain":   func(e *storedEvent) []string { return []string{e.ev.RecipientDomain} },
	"recipient_provider": func(e *storedEvent) []string { return []string{e.ev.RecipientProvider} },
	"tag": func(e *storedEvent) []string {
		if len(e.ev.Tags) == 0 {
			return []string{""}
		}
		return e.ev.Tags
	},
	"country": func(e *storedEvent) []string {
		if e.ev.Geolocation == nil {
			return []string{""}
		}
		return []string{e.ev.Geolocation.Country}
	},
	"device": func(e *storedEvent) []string {
		if e.ev.ClientInfo == nil {
			return []string{""}
		}
		return []string{e.ev.ClientInfo.DeviceType}
	},
	"bot": func(e *storedEvent) []string {
		if e.ev.ClientInfo == nil {
			return []string{""}
		}
		return []string{e.ev.ClientInfo.Bot}
	},
	"ip": func(e *storedEvent) []string {
		if e.ev.Envelope == nil {
			return []string{""}
		}
		return []string{e.ev.Envelope.SendingIP}
	},
	"ip_pool": func(e *storedEvent) []string {
		if e.ev.Envelope == nil {
			return []string{""}
		}
		return []string{e.ev.Envelope.IPPoolID}
	},
}

// analyticsFilter is the {"AND": [...]} filter of Metrics and Logs.
type analyticsFilter struct {
	AND []struct {
		Attribute  string `json:"attribute"`
		Comparator string `json:"comparator"`
		Values     []struct {
			Label string `json:"label"`
			Value string `json:"value"`
		} `json:"values"`
	} `json:"AND"`
}

// compile checks the filter against attrs and returns its test.
func (f *analyticsFilter) compile(attrs map[string]func(*storedEvent) []string) (func(*storedEvent) bool, error) {
	if f == nil {
		return anyEvent, nil
	}
	type pred struct {
		get    func(*storedEvent) []string
		cmp    string
		values []string
	}
	var preds []pred
	for _, p := range f.AND {
		get := attrs[p.Attribute]
		if get == nil {
			return nil, fmt.Errorf("mailguntest: filter attribute %q is not supported", p.Attribute)
		}
		switch p.Comparator {
		case "=", "!=", "contains", "not contains":
		default:
			return nil, fmt.Errorf("comparator %q is not =, !=, contains or not contains", p.Comparator)
		}
		if len(p.Values) == 0 {
			return nil, fmt.Errorf("filter on %s has no values", p.Attribute)
		}
		vals := make([]string, len(p.Values))
		for i, v := range p.Values {
			vals[i] = v.Value
		}
		preds = append(preds, pred{get, p.Comparator, vals})
	}
	return func(e *storedEvent) bool {
		for _, p := range preds {
			hit := false
			for _, have := range p.get(e) {
				for _, want := range p.values {
					switch p.cmp {
					case "=", "!=":
						hit = hit || strings.EqualFold(have, want)
					default:
						hit = hit || strings.Contains(strings.ToLower(have), strings.ToLower(want))
					}
				}
			}
			if hit == (p.cmp == "!=" || p.cmp == "not contains") {
				return false
			}
		}
		return true
	}, nil
}

type metricsRequest struct {
	Start              string           `json:"start"`
	End                string           `json:"end"`
	Resolution         string           `json:"resolution"`
	Duration           string           `json:"duration"`
	Dimensions         []string         `json:"dimensions"`
	Metrics            []string         `json:"metrics"`
	Filter             *analyticsFilter `json:"filter"`
	IncludeSubaccounts bool             `json:"include_subaccounts"`
	IncludeAggregates  bool             `json:"include_aggregates"`
	Pagination         struct {
		Sort  string `json:"sort"`
		Skip  int    `json:"skip"`
		Limit int    `json:"limit"`
	} `json:"pagination"`
}

// metricsTime formats a time as the analytics APIs do.
func metricsTime(t time.Time) string { return t.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700") }

// period reads start, end and duration with the analytics defaults: end
// now, start back by def.
func (s *Server) period(start, end, duration string, def func(time.Time) time.Time) (time.Time, time.Time, error) {
	e := s.now()
	if end != "" {
		t, err := timefmt.ParseRFC2822(end)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("end: %v", err)
		}
		e = t
	}
	st := def(e)
	if start != "" {
		t, err := timefmt.ParseRFC2822(start)
		if err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("start: %v", err)
		}
		st = t
	}
	if duration != "" {
		t, ok := parsePeriod(duration, e)
		if !ok {
			return time.Time{}, time.Time{}, fmt.Errorf("duration %q is not a count followed by h, d or m", duration)
		}
		st = t
	}
	if e.Before(st) {
		return time.Time{}, time.Time{}, fmt.Errorf("end is before start")
	}
	return st, e, nil
}

func (s *Server) queryMetrics(usage bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req metricsRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "invalid JSON body: "+err.Error())
			return
		}
		body, err := s.metricsBody(&req, usage)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, body)
	}
}

func (s *Server) metricsBody(req *metricsRequest, usage bool) (map[string]any, error) {
	known, dims := metricCounts, eventAttributes
	if usage {
		known, dims = usageCounts, map[string]func(*storedEvent) []string{}
	}
	if req.Resolution == "" {
		req.Resolution = "day"
	}
	if !validResolution(req.Resolution) {
		return nil, fmt.Errorf("resolution must be hour, day or month")
	}
	for _, d := range req.Dimensions {
		if d != "time" && dims[d] == nil {
			return nil, fmt.Errorf("mailguntest: dimension %q is not supported", d)
		}
	}
	for _, m := range req.Metrics {
		_, rate := metricRates[m]
		if !slices.Contains(known, m) && (usage || !rate) {
			return nil, fmt.Errorf("unknown metric %q", m)
		}
	}
	keep, err := req.Filter.compile(dims)
	if err != nil {
		return nil, err
	}
	start, end, err := s.period(req.Start, req.End, req.Duration, func(e time.Time) time.Time { return e.AddDate(0, 0, -7) })
	if err != nil {
		return nil, err
	}
	start, endAligned := alignTime(start, req.Resolution), alignTime(end, req.Resolution)

	limit := req.Pagination.Limit
	if limit == 0 {
		limit = 10
		if slices.Contains(req.Dimensions, "time") {
			limit = 1500
		}
	}
	if limit < 0 || limit > 1500 || req.Pagination.Skip < 0 {
		return nil, fmt.Errorf("pagination: skip must not be negative and limit must be at most 1500")
	}

	type group struct {
		key    []string
		bucket time.Time
		t      tally
	}
	groups := map[string]*group{}
	total := tally{}
	s.mu.Lock()
	all := s.allEventsLocked()
	u := findUniques(all)
	for _, e := range all {
		ts := e.ev.Timestamp
		if ts.Before(start) || !ts.Before(end) || !keep(e) {
			continue
		}
		one := tally{}
		countEvent(one, e, u)
		total.add(one)
		bucket := alignTime(ts, req.Resolution)
		keys := [][]string{{}}
		for _, d := range req.Dimensions {
			var vals []string
			if d == "time" {
				vals = []string{metricsTime(bucket)}
			} else {
				vals = dims[d](e)
			}
			var next [][]string
			for _, k := range keys {
				for _, v := range vals {
					next = append(next, append(slices.Clone(k), v))
				}
			}
			keys = next
		}
		for _, k := range keys {
			id := strings.Join(k, "\x00")
			if groups[id] == nil {
				groups[id] = &group{key: k, bucket: bucket, t: tally{}}
			}
			groups[id].t.add(one)
		}
	}
	s.mu.Unlock()

	list := make([]*group, 0, len(groups))
	for _, g := range groups {
		list = append(list, g)
	}
	sortDim, desc := "", false
	if req.Pagination.Sort != "" {
		d, dir, _ := strings.Cut(req.Pagination.Sort, ":")
		if !slices.Contains(req.Dimensions, d) || (dir != "" && dir != "asc" && dir != "desc") {
			return nil, fmt.Errorf("sort %q must be a requested dimension followed by :asc or :desc", req.Pagination.Sort)
		}
		sortDim, desc = d, dir == "desc"
	}
	slices.SortFunc(list, func(a, b *group) int {
		c := compareGroups(req.Dimensions, sortDim, a.key, b.key, a.bucket, b.bucket)
		if desc {
			return -c
		}
		return c
	})

	render := func(t tally) map[string]any {
		m := map[string]any{}
		for _, name := range req.Metrics {
			if r, ok := metricRates[name]; ok && !usage {
				m[name] = rate(t[r[0]], t[r[1]])
			} else {
				m[name] = t[name]
			}
		}
		return m
	}
	items := []map[string]any{}
	for i := req.Pagination.Skip; i < len(list) && len(items) < limit; i++ {
		g := list[i]
		dv := make([]map[string]string, len(req.Dimensions))
		for j, d := range req.Dimensions {
			dv[j] = map[string]string{"dimension": d, "value": g.key[j], "display_value": g.key[j]}
		}
		items = append(items, map[string]any{"dimensions": dv, "metrics": render(g.t)})
	}
	dimensions := req.Dimensions
	if dimensions == nil {
		dimensions = []string{}
	}
	out := map[string]any{
		"start":      metricsTime(start),
		"end":        metricsTime(endAligned),
		"resolution": req.Resolution,
		"dimensions": dimensions,
		"pagination": map[string]any{"sort": req.Pagination.Sort, "skip": req.Pagination.Skip, "limit": limit, "total": len(list)},
		"items":      items,
	}
	if req.Duration != "" {
		out["duration"] = req.Duration
	}
	if req.IncludeAggregates {
		out["aggregates"] = map[string]any{"metrics": render(total)}
	}
	return out, nil
}

// compareGroups orders items by the sort dimension first (time
// chronologically), then by every dimension in request order.
func compareGroups(dims []string, sortDim string, a, b []string, ta, tb time.Time) int {
	order := dims
	if sortDim != "" {
		order = append([]string{sortDim}, dims...)
	}
	for _, d := range order {
		i := slices.Index(dims, d)
		if d == "time" {
			if c := ta.Compare(tb); c != 0 {
				return c
			}
			continue
		}
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// rate formats num/den with four decimals; 0/0 is "0.0000".
func rate(num, den int64) string {
	if den == 0 {
		return "0.0000"
	}
	return strconv.FormatFloat(float64(num)/float64(den), 'f', 4, 64)
}
