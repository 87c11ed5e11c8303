package mailguntest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/doer"
	"github.com/mgkit/mailgun/internal/timefmt"
)

// eventsState is the event log of every domain: what the Events and Logs
// APIs list, and what Stats and Metrics count.
type eventsState struct {
	byDomain map[string][]storedEvent // each sorted by (time, seq)
	seq      int64
}

// storedEvent is an event as the server keeps it: normalised, with its
// JSON, and with an insertion number that orders events of equal time.
type storedEvent struct {
	seq    int64
	domain string
	ev     mailgun.Event
	raw    json.RawMessage
}

// key orders events: by time, then by arrival.
func (e *storedEvent) key() [2]int64 { return [2]int64{e.ev.Timestamp.UnixNano(), e.seq} }

func compareKeys(a, b [2]int64) int {
	if a[0] != b[0] {
		return cmpInt(a[0], b[0])
	}
	return cmpInt(a[1], b[1])
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// AddEvents stores events in the log of domain, as if they had happened,
// and returns them as stored. Missing values are filled in: an id, the
// server's current time as Timestamp, a log level that suits the event,
// the recipient's domain, and a message id when a message has none. Events
// may be added in any order and at any time; an event whose Timestamp is
// older than pages already read arrives "late", as in the real service.
// They show up in the Events and Logs APIs and in the Stats and Metrics
// counters.
func (s *Server) AddEvents(domain string, events ...mailgun.Event) []mailgun.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]mailgun.Event, len(events))
	for i, e := range events {
		out[i] = s.recordEventLocked(domain, e)
	}
	return out
}

// Events returns the events of domain, oldest first.
func (s *Server) Events(domain string) []mailgun.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored := s.events.byDomain[domainKey(domain)]
	out := make([]mailgun.Event, len(stored))
	for i := range stored {
		out[i] = stored[i].ev
	}
	return out
}

// recordEventLocked adds e to the log of domain, filling in missing values
// as AddEvents does, and returns the stored event. Handlers of other
// resources call it to log what their actions cause; s.mu must be held.
func (s *Server) recordEventLocked(domain string, e mailgun.Event) mailgun.Event {
	domain = domainKey(domain)
	if s.events.byDomain == nil {
		s.events.byDomain = map[string][]storedEvent{}
	}
	if e.ID == "" {
		e.ID = randomID(16)
	}
	if e.Timestamp.IsZero() {
		e.Timestamp = s.now()
	}
	// Mailgun keeps microseconds.
	e.Timestamp = e.Timestamp.UTC().Truncate(time.Microsecond)
	if e.LogLevel == "" {
		e.LogLevel = defaultLogLevel(&e)
	}
	if e.RecipientDomain == "" {
		if _, d, ok := strings.Cut(e.Recipient, "@"); ok {
			e.RecipientDomain = strings.ToLower(d)
		}
	}
	if e.Message != nil && e.Message.Headers.MessageID == "" {
		msg := *e.Message
		msg.Headers.MessageID = fmt.Sprintf("%s.%s@%s", e.Timestamp.Format("20060102150405"), randomID(6), domain)
		e.Message = &msg
	}
	raw, err := json.Marshal(e)
	if err != nil {
		// Only an unencodable UserVariables can fail; drop it.
		e.UserVariables = nil
		raw, _ = json.Marshal(e)
	}
	var stored mailgun.Event
	_ = json.Unmarshal(raw, &stored) // a deep copy the caller cannot change
	raw = withEmptyLists(raw, &stored)
	s.events.seq++
	se := storedEvent{seq: s.events.seq, domain: domain, ev: stored, raw: raw}
	list := s.events.byDomain[domain]
	i, _ := slices.BinarySearchFunc(list, se.key(), func(x storedEvent, k [2]int64) int { return compareKeys(x.key(), k) })
	s.events.byDomain[domain] = slices.Insert(list, i, se)
	return stored
}

func defaultLogLevel(e *mailgun.Event) mailgun.LogLevel {
	switch {
	case e.Event == mailgun.EventFailed && e.Severity == mailgun.SeverityPermanent:
		return mailgun.LogLevelError
	case e.Event == mailgun.EventFailed, e.Event == mailgun.EventRejected, e.Event == mailgun.EventComplained:
		return mailgun.LogLevelWarn
	case e.Event == mailgun.EventListMemberUploadError:
		return mailgun.LogLevelError
	}
	return mailgun.LogLevelInfo
}

// randomID returns n random bytes as URL-safe base64, like Mailgun's ids.
func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// allEventsLocked returns the events of every domain, oldest first.
func (s *Server) allEventsLocked() []*storedEvent {
	var all []*storedEvent
	for _, list := range s.events.byDomain {
		for i := range list {
			all = append(all, &list[i])
		}
	}
	slices.SortFunc(all, func(a, b *storedEvent) int { return compareKeys(a.key(), b.key()) })
	return all
}

func (s *Server) eventRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/{domain}/events", s.listEvents)
	mux.HandleFunc("GET /v3/{domain}/events/{token}", s.eventsPage)
}

// maxEventsLimit and defaultEventsLimit are the Events API's page sizes.
const (
	maxEventsLimit     = 300
	defaultEventsLimit = 100
)

// eventsCursor is what a page token of the fake encodes: the range, the
// direction, the page size, the filters and the position after which the
// page starts.
type eventsCursor struct {
	Lo      *int64            `json:"lo,omitempty"` // Unix nanoseconds, inclusive
	Hi      *int64            `json:"hi,omitempty"` // Unix nanoseconds, inclusive
	Asc     bool              `json:"a"`
	Limit   int               `json:"l"`
	Filters map[string]string `json:"f,omitempty"`
	Pos     *[2]int64         `json:"p,omitempty"` // key of the last event of the previous page
}

func (c *eventsCursor) token() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func parseEventsToken(tok string) (*eventsCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return nil, err
	}
	var c eventsCursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	if c.Limit < 1 || c.Limit > maxEventsLimit {
		return nil, fmt.Errorf("bad limit")
	}
	return &c, nil
}

// parseAPITime reads a time parameter: Unix seconds (possibly with a
// fraction) or an RFC 2822 date.
func parseAPITime(v string) (time.Time, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || math.Abs(f) > 1e11 {
			return time.Time{}, fmt.Errorf("%q is out of range", v)
		}
		sec := math.Floor(f)
		return time.Unix(int64(sec), int64(math.Round((f-sec)*1e6))*1000).UTC(), nil
	}
	t, err := timefmt.ParseRFC2822(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither Unix seconds nor an RFC 2822 date", v)
	}
	return t, nil
}

// cursorFromQuery checks the parameters of a first events request.
func cursorFromQuery(q url.Values) (*eventsCursor, error) {
	c := &eventsCursor{Limit: defaultEventsLimit}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxEventsLimit {
			return nil, fmt.Errorf("limit must be a number from 1 to %d", maxEventsLimit)
		}
		c.Limit = n
	}
	var begin, end *time.Time
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"begin", &begin}, {"end", &end}} {
		if v := q.Get(p.name); v != "" {
			t, err := parseAPITime(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", p.name, err)
			}
			*p.dst = &t
		}
	}
	switch q.Get("ascending") {
	case "yes":
		c.Asc = true
	case "no", "":
		c.Asc = false
		if q.Get("ascending") == "" && begin != nil && end != nil {
			c.Asc = !end.Before(*begin)
		}
	default:
		return nil, fmt.Errorf("ascending must be yes or no")
	}
	if begin != nil && end != nil && !begin.Equal(*end) && end.After(*begin) != c.Asc {
		return nil, fmt.Errorf("the order of begin and end contradicts ascending=%s", q.Get("ascending"))
	}
	nanos := func(t *time.Time) *int64 {
		if t == nil {
			return nil
		}
		n := t.UnixNano()
		return &n
	}
	if c.Asc {
		c.Lo, c.Hi = nanos(begin), nanos(end)
	} else {
		c.Lo, c.Hi = nanos(end), nanos(begin)
	}
	for name := range filterFields {
		v := q.Get(name)
		if v == "" {
			continue
		}
		if _, err := parseFilter(v); err != nil {
			return nil, fmt.Errorf("filter %s=%q: %v", name, v, err)
		}
		if c.Filters == nil {
			c.Filters = map[string]string{}
		}
		c.Filters[name] = v
	}
	return c, nil
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	c, err := cursorFromQuery(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.serveEventsPage(w, r, r.PathValue("domain"), c)
}

func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request) {
	c, err := parseEventsToken(r.PathValue("token"))
	if err != nil {
		writeError(w, http.StatusNotFound, "page token not found")
		return
	}
	s.serveEventsPage(w, r, r.PathValue("domain"), c)
}

// eventMatcher tests events against a cursor's range and filters.
type eventMatcher struct {
	lo, hi  *int64
	filters map[string]filterExpr
}

func newEventMatcher(c *eventsCursor) (*eventMatcher, error) {
	m := &eventMatcher{lo: c.Lo, hi: c.Hi, filters: map[string]filterExpr{}}
	for name, v := range c.Filters {
		if filterFields[name] == nil {
			return nil, fmt.Errorf("unknown filter %s", name)
		}
		x, err := parseFilter(v)
		if err != nil {
			return nil, err
		}
		m.filters[name] = x
	}
	return m, nil
}

func (m *eventMatcher) match(e *storedEvent) bool {
	ts := e.ev.Timestamp.UnixNano()
	if m.lo != nil && ts < *m.lo || m.hi != nil && ts > *m.hi {
		return false
	}
	// Like the real service, events of severity "internal" stay hidden
	// unless the query asks for a severity.
	if _, ok := m.filters["severity"]; !ok && e.ev.Severity == mailgun.SeverityInternal {
		return false
	}
	for name, x := range m.filters {
		vals := filterFields[name](&e.ev)
		if !x.match(&vals) {
			return false
		}
	}
	return true
}

// eventJSON encodes e as Mailgun sends events: see withEmptyLists.
func eventJSON(e *mailgun.Event) ([]byte, error) {
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	return withEmptyLists(raw, e), nil
}

// withEmptyLists adds "tags": [] and "campaigns": [] to raw, the JSON
// object of e, where e has none: Mailgun's events and webhook payloads
// carry both arrays, empty ones included, while mailgun.Event omits them.
func withEmptyLists(raw []byte, e *mailgun.Event) []byte {
	var add []string
	if len(e.Tags) == 0 {
		add = append(add, `"tags":[]`)
	}
	if len(e.Campaigns) == 0 {
		add = append(add, `"campaigns":[]`)
	}
	rest := bytes.TrimSpace(raw)
	if len(add) == 0 || len(rest) < 2 || rest[0] != '{' {
		return raw
	}
	rest = rest[1:]
	if bytes.TrimSpace(rest)[0] != '}' {
		add = append(add, "")
	}
	return append([]byte("{"+strings.Join(add, ",")), rest...)
}

func (s *Server) serveEventsPage(w http.ResponseWriter, r *http.Request, domain string, c *eventsCursor) {
	m, err := newEventMatcher(c)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	items := []json.RawMessage{}
	var first, last [2]int64
	s.mu.Lock()
	list := s.events.byDomain[domainKey(domain)]
	for k := range list {
		i := k
		if !c.Asc {
			i = len(list) - 1 - k
		}
		e := &list[i]
		if c.Pos != nil {
			cmp := compareKeys(e.key(), *c.Pos)
			if c.Asc && cmp <= 0 || !c.Asc && cmp >= 0 {
				continue
			}
		}
		if !m.match(e) {
			continue
		}
		if len(items) == 0 {
			first = e.key()
		}
		last = e.key()
		items = append(items, e.raw)
		if len(items) == c.Limit {
			break
		}
	}
	s.mu.Unlock()

	link := func(cur eventsCursor) string {
		return baseURL(r) + "/v3/" + doer.EscapeSegment(domain) + "/events/" + cur.token()
	}
	next, prev, top := *c, *c, *c
	prev.Asc = !c.Asc
	top.Pos = nil
	if len(items) > 0 {
		next.Pos, prev.Pos = &last, &first
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"items": items,
		"paging": map[string]string{
			"first":    link(top),
			"next":     link(next),
			"previous": link(prev),
		},
	})
}
