package mailguntest

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// The Stats endpoints count the stored events (see AddEvents) with the
// same classification as Metrics. Buckets are UTC hours, days or months;
// every bucket of the period is listed, with zeros where nothing happened.
func (s *Server) statsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/{domain}/stats/total", s.domainStats)
	mux.HandleFunc("GET /v3/stats/total", s.accountStats)
	mux.HandleFunc("GET /v3/stats/total/domains", s.perDomainStats)
	mux.HandleFunc("GET /v3/stats/filter", s.filterStats)
	mux.HandleFunc("GET /v3/{domain}/aggregates/providers", s.aggregates("providers", providerKey))
	mux.HandleFunc("GET /v3/{domain}/aggregates/devices", s.aggregates("devices", deviceKey))
	mux.HandleFunc("GET /v3/{domain}/aggregates/countries", s.aggregates("countries", countryKey))
}

// statsEvents are the event types the Stats API counts.
var statsEvents = []string{"accepted", "delivered", "failed", "stored", "opened", "clicked", "unsubscribed", "complained"}

// maxBuckets keeps a careless period from making a huge answer.
const maxBuckets = 10000

type statsPeriod struct {
	events     []string
	start, end time.Time // aligned; end is exclusive
	resolution string
}

func (s *Server) parseStatsPeriod(q url.Values, needRange bool) (*statsPeriod, error) {
	p := &statsPeriod{events: q["event"], resolution: q.Get("resolution")}
	if len(p.events) == 0 {
		return nil, fmt.Errorf("event is required")
	}
	for _, e := range p.events {
		if !slices.Contains(statsEvents, e) {
			return nil, fmt.Errorf("event %q is not one of %s", e, strings.Join(statsEvents, ", "))
		}
	}
	if p.resolution == "" {
		p.resolution = "day"
	}
	if !validResolution(p.resolution) {
		return nil, fmt.Errorf("resolution must be hour, day or month")
	}
	if !needRange {
		return p, nil
	}
	end := s.now()
	if v := q.Get("end"); v != "" {
		t, err := parseAPITime(v)
		if err != nil {
			return nil, fmt.Errorf("end: %v", err)
		}
		end = t
	}
	start := end.AddDate(0, 0, -7)
	if v := q.Get("start"); v != "" {
		t, err := parseAPITime(v)
		if err != nil {
			return nil, fmt.Errorf("start: %v", err)
		}
		start = t
	}
	if v := q.Get("duration"); v != "" {
		t, ok := parsePeriod(v, end)
		if !ok {
			return nil, fmt.Errorf("duration %q is not a count followed by h, d or m", v)
		}
		start = t
	}
	if end.Before(start) {
		return nil, fmt.Errorf("end is before start")
	}
	p.start = alignTime(start, p.resolution)
	p.end = alignTime(end, p.resolution)
	if p.end.Before(end) || p.end.Equal(p.start) {
		p.end = nextBucket(p.end, p.resolution)
	}
	n := 0
	for t := p.start; t.Before(p.end); t = nextBucket(t, p.resolution) {
		if n++; n > maxBuckets {
			return nil, fmt.Errorf("mailguntest: the period has more than %d buckets", maxBuckets)
		}
	}
	return p, nil
}

// statsTime formats a stats time as the API does: RFC 2822 with "UTC".
func statsTime(t time.Time) string { return t.UTC().Format(time.RFC1123) }

// statsGroups renders the requested counter groups of t.
func statsGroups(item map[string]any, t tally, events []string) {
	for _, e := range events {
		switch e {
		case "accepted":
			item[e] = map[string]int64{"incoming": t["accepted_incoming_count"], "outgoing": t["accepted_outgoing_count"], "total": t["accepted_count"]}
		case "delivered":
			item[e] = map[string]int64{"smtp": t["delivered_smtp_count"], "http": t["delivered_http_count"], "optimized": t["delivered_optimized_count"], "total": t["delivered_count"]}
		case "failed":
			item[e] = map[string]any{
				"temporary": map[string]int64{"espblock": t["temporary_failed_esp_block_count"], "total": t["temporary_failed_count"]},
				"permanent": map[string]int64{
					"suppress-bounce":      t["suppressed_bounces_count"],
					"suppress-unsubscribe": t["suppressed_unsubscribed_count"],
					"suppress-complaint":   t["suppressed_complaints_count"],
					"bounce":               t["hard_bounces_count"] + t["permanent_failed_esp_block_count"] + t["permanent_failed_old_count"],
					"delayed-bounce":       t["delayed_bounce_count"],
					"webhook":              t["webhook_count"],
					"optimized":            t["permanent_failed_optimized_count"],
					"total":                t["permanent_failed_count"],
				},
			}
		case "opened", "clicked":
			item[e] = map[string]int64{"total": t[e+"_count"], "unique": t["unique_"+e+"_count"]}
		default:
			item[e] = map[string]int64{"total": t[e+"_count"]}
		}
	}
}

// statsLabel groups events for the filter endpoint's group parameter; it
// returns the labels an event counts under.
type statsLabel func(e *storedEvent) []string

// statsBody counts the events that keep passes into the period's buckets,
// one item per bucket, or per bucket and label when label is set.
func (s *Server) statsBody(p *statsPeriod, keep func(*storedEvent) bool, group string, label statsLabel) map[string]any {
	s.mu.Lock()
	all := s.allEventsLocked()
	u := findUniques(all)
	type cell struct {
		bucket time.Time
		label  string
	}
	counts := map[cell]tally{}
	labels := map[string]bool{}
	for _, e := range all {
		ts := e.ev.Timestamp
		if ts.Before(p.start) || !ts.Before(p.end) || !keep(e) {
			continue
		}
		b := alignTime(ts, p.resolution)
		names := []string{""}
		if label != nil {
			names = label(e)
		}
		for _, l := range names {
			c := cell{b, l}
			if counts[c] == nil {
				counts[c] = tally{}
			}
			countEvent(counts[c], e, u)
			labels[l] = true
		}
	}
	s.mu.Unlock()

	sorted := slices.Sorted(func(yield func(string) bool) {
		for l := range labels {
			if !yield(l) {
				return
			}
		}
	})
	if label == nil {
		sorted = []string{""}
	}
	items := []map[string]any{}
	for b := p.start; b.Before(p.end); b = nextBucket(b, p.resolution) {
		for _, l := range sorted {
			t := counts[cell{b, l}]
			if t == nil {
				if label != nil {
					continue
				}
				t = tally{}
			}
			item := map[string]any{"time": statsTime(b)}
			if label != nil {
				item[group] = l
			}
			statsGroups(item, t, p.events)
			items = append(items, item)
		}
	}
	return map[string]any{
		"description": "",
		"start":       statsTime(p.start),
		"end":         statsTime(p.end),
		"resolution":  p.resolution,
		"stats":       items,
	}
}

func anyEvent(*storedEvent) bool { return true }

func (s *Server) domainStats(w http.ResponseWriter, r *http.Request) {
	p, err := s.parseStatsPeriod(r.URL.Query(), true)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	domain := r.PathValue("domain")
	writeJSON(w, http.StatusOK, s.statsBody(p, func(e *storedEvent) bool { return e.domain == domain }, "", nil))
}

func (s *Server) accountStats(w http.ResponseWriter, r *http.Request) {
	p, err := s.parseStatsPeriod(r.URL.Query(), true)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.statsBody(p, anyEvent, "", nil))
}

// filterStats supports the filter "domain:<name>" and the groups "total",
// "time", "domain" and "tag". Grouped items carry their label under the
// group's name ({"time": ..., "domain": "example.com", ...}): the real
// labelling is not documented.
func (s *Server) filterStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := s.parseStatsPeriod(q, true)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	keep := anyEvent
	if f := q.Get("filter"); f != "" {
		k, v, _ := strings.Cut(f, ":")
		if k != "domain" || v == "" {
			writeError(w, http.StatusBadRequest, "mailguntest: only filter=domain:<name> is supported")
			return
		}
		keep = func(e *storedEvent) bool { return strings.EqualFold(e.domain, v) }
	}
	var label statsLabel
	group := q.Get("group")
	switch group {
	case "", "total", "time":
	case "domain":
		label = func(e *storedEvent) []string { return []string{e.domain} }
	case "tag":
		label = func(e *storedEvent) []string { return e.ev.Tags }
	default:
		writeError(w, http.StatusBadRequest, "mailguntest: group "+group+" is not supported (use total, time, domain or tag)")
		return
	}
	writeJSON(w, http.StatusOK, s.statsBody(p, keep, group, label))
}

// perDomainStats answers with one item per domain for the bucket holding
// timestamp, labelled {"domain": ...}, as filterStats labels its groups;
// limit is ignored.
func (s *Server) perDomainStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p, err := s.parseStatsPeriod(q, false)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	v := q.Get("timestamp")
	if v == "" {
		writeError(w, http.StatusBadRequest, "timestamp is required")
		return
	}
	ts, err := parseAPITime(v)
	if err != nil {
		writeError(w, http.StatusBadRequest, "timestamp: "+err.Error())
		return
	}
	p.start = alignTime(ts, p.resolution)
	p.end = nextBucket(p.start, p.resolution)
	writeJSON(w, http.StatusOK, s.statsBody(p, anyEvent, "domain", func(e *storedEvent) []string { return []string{e.domain} }))
}

// aggregateCounters are the counters the aggregates endpoints report.
var aggregateCounters = []string{"accepted", "delivered", "opened", "unique_opened", "clicked", "unique_clicked", "unsubscribed", "complained"}

// providerKey, deviceKey and countryKey give the bucket of an event, or
// "" when it has none: the recipient's domain, the device type, the
// lower-case country code.
func providerKey(e *mailgun.Event) string { return strings.ToLower(e.RecipientDomain) }

func deviceKey(e *mailgun.Event) string {
	if e.ClientInfo == nil {
		return ""
	}
	if e.ClientInfo.DeviceType == "" {
		return "unknown"
	}
	return e.ClientInfo.DeviceType
}

func countryKey(e *mailgun.Event) string {
	if e.Geolocation == nil {
		return ""
	}
	return strings.ToLower(e.Geolocation.Country)
}

// aggregates counts all events of the domain (the endpoints take no
// period) per provider, device or country.
func (s *Server) aggregates(kind string, key func(*mailgun.Event) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		domain := r.PathValue("domain")
		s.mu.Lock()
		all := s.allEventsLocked()
		u := findUniques(all)
		buckets := map[string]tally{}
		for _, e := range all {
			k := key(&e.ev)
			if e.domain != domain || k == "" {
				continue
			}
			if buckets[k] == nil {
				buckets[k] = tally{}
			}
			countEvent(buckets[k], e, u)
		}
		s.mu.Unlock()
		out := map[string]map[string]int64{}
		for k, t := range buckets {
			row := map[string]int64{}
			for _, c := range aggregateCounters {
				row[c] = t[c+"_count"]
			}
			out[k] = row
		}
		writeJSON(w, http.StatusOK, map[string]any{kind: out})
	}
}
