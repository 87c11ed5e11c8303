package mailguntest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
)

func TestParseFilter(t *testing.T) {
	vals := func(v ...string) *fieldValues { return &fieldValues{values: v} }
	tests := []struct {
		expr string
		in   *fieldValues
		want bool
	}{
		{"foo", vals("a foo b"), true},
		{"FOO", vals("a foo b"), true},
		{"foo bar", vals("foo and bar"), true},
		{"foo bar", vals("foo only"), false},
		{"foo AND bar", vals("bar foo"), true},
		{"foo OR bar", vals("bar"), true},
		{"foo OR bar", vals("baz"), false},
		{`"foo bar"`, vals("xfoo bary"), true},
		{`"foo bar"`, vals("bar foo"), false},
		{"NOT foo", vals("bar"), true},
		{"NOT foo", vals("foo"), false},
		{"NOT internal", vals(), true},
		{"NOT internal", vals("welcome", "internal"), false},
		{"(Hello AND NOT Rachel) OR (Farewell AND Monica)", vals("Hello Ross"), true},
		{"(Hello AND NOT Rachel) OR (Farewell AND Monica)", vals("Hello Rachel"), false},
		{"(Hello AND NOT Rachel) OR (Farewell AND Monica)", vals("Farewell Monica"), true},
		{">10000", vals("15000"), true},
		{">10000", vals("10000"), false},
		{">10000 <20000", vals("25000"), false},
		{">10000 <20000", vals("19999"), true},
		{"<5", vals("not a number"), false},
		{`"OR"`, vals("OR"), true},
	}
	for _, tt := range tests {
		x, err := parseFilter(tt.expr)
		require.NoError(t, err, tt.expr)
		assert.Equal(t, tt.want, x.match(tt.in), "%s on %v", tt.expr, tt.in.values)
	}
	exact := &fieldValues{values: []string{"failed"}, exact: true}
	x, err := parseFilter("fail")
	require.NoError(t, err)
	assert.False(t, x.match(exact), "event names match whole")

	for _, bad := range []string{"", "  ", `"open`, "(a", "a)", "a OR", "OR a", "NOT", ">x", "a AND AND b", "()"} {
		_, err := parseFilter(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func getJSON(t *testing.T, s *Server, rawURL string, out any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	require.NoError(t, err)
	req.SetBasicAuth("api", s.APIKey())
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if out != nil {
		require.NoError(t, json.Unmarshal(b, out), string(b))
	}
	return resp.StatusCode
}

type rawPage struct {
	Items  []map[string]any  `json:"items"`
	Paging map[string]string `json:"paging"`
}

func TestEventsPagingLinks(t *testing.T) {
	s := NewServer(t)
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	for i := range 5 {
		s.AddEvents("example.com", mailgun.Event{Event: mailgun.EventAccepted, Timestamp: t0.Add(time.Duration(i) * time.Second)})
	}
	var p rawPage
	require.Equal(t, 200, getJSON(t, s, s.URL()+"/v3/example.com/events?ascending=yes&limit=2", &p))
	require.Len(t, p.Items, 2)
	assert.Equal(t, 1704164645.123456, p.Items[0]["timestamp"], "float seconds with microseconds")
	for _, key := range []string{"first", "next", "previous"} {
		u, err := url.Parse(p.Paging[key])
		require.NoError(t, err, key)
		assert.Equal(t, s.URL(), u.Scheme+"://"+u.Host, "%s is absolute", key)
		assert.True(t, strings.HasPrefix(u.Path, "/v3/example.com/events/"), u.Path)
		assert.Empty(t, u.RawQuery, "the token is the last path segment")
	}
	var ids []any
	next := p.Paging["next"]
	for _, it := range p.Items {
		ids = append(ids, it["id"])
	}
	for {
		var q rawPage
		require.Equal(t, 200, getJSON(t, s, next, &q))
		if len(q.Items) == 0 {
			assert.Equal(t, next, q.Paging["next"], "an empty page points at itself, to be asked again later")
			break
		}
		for _, it := range q.Items {
			ids = append(ids, it["id"])
		}
		next = q.Paging["next"]
	}
	assert.Len(t, ids, 5)

	// previous walks back from the start of a page.
	var second rawPage
	require.Equal(t, 200, getJSON(t, s, p.Paging["next"], &second))
	var back rawPage
	require.Equal(t, 200, getJSON(t, s, second.Paging["previous"], &back))
	require.Len(t, back.Items, 2)
	assert.Equal(t, ids[1], back.Items[0]["id"])
	assert.Equal(t, ids[0], back.Items[1]["id"])

	// A late event after the last one shows up on the empty page's link.
	s.AddEvents("example.com", mailgun.Event{ID: "late", Event: mailgun.EventDelivered, Timestamp: t0.Add(time.Minute)})
	var late rawPage
	require.Equal(t, 200, getJSON(t, s, next, &late))
	require.Len(t, late.Items, 1)
	assert.Equal(t, "late", late.Items[0]["id"])
}

func TestEventsBadRequests(t *testing.T) {
	s := NewServer(t)
	for _, q := range []string{
		"limit=301", "limit=0", "limit=x", "ascending=maybe", "begin=yesterday",
		"begin=1700000000&end=1600000000&ascending=yes", "begin=1600000000&end=1700000000&ascending=no",
		"subject=%22open", "size=%3Ebig",
	} {
		var e map[string]string
		assert.Equal(t, 400, getJSON(t, s, s.URL()+"/v3/example.com/events?"+q, &e), q)
		assert.NotEmpty(t, e["message"], q)
	}
	assert.Equal(t, 404, getJSON(t, s, s.URL()+"/v3/example.com/events/not-a-token", nil))
	var ok rawPage
	assert.Equal(t, 200, getJSON(t, s, s.URL()+"/v3/example.com/events?begin=Fri,+3+May+2013+09:00:00+-0000&end=1700000000", &ok), "RFC 2822 and Unix times")
}

func TestEventsDefaultsAndHiddenInternal(t *testing.T) {
	now := time.Date(2024, 5, 6, 7, 8, 9, 987654321, time.UTC)
	s := NewServer(t, WithClock(func() time.Time { return now }))
	got := s.AddEvents("example.com",
		mailgun.Event{Event: mailgun.EventFailed, Severity: mailgun.SeverityPermanent, Recipient: "Bob@Example.ORG", Message: &mailgun.EventMessage{}},
		mailgun.Event{Event: mailgun.EventFailed, Severity: mailgun.SeverityInternal},
	)
	e := got[0]
	assert.Len(t, e.ID, 22)
	assert.Equal(t, now.Truncate(time.Microsecond), e.Timestamp)
	assert.Equal(t, mailgun.LogLevelError, e.LogLevel)
	assert.Equal(t, "example.org", e.RecipientDomain)
	assert.True(t, strings.HasSuffix(e.Message.Headers.MessageID, "@example.com"), e.Message.Headers.MessageID)
	assert.Equal(t, mailgun.LogLevelWarn, got[1].LogLevel)
	assert.Len(t, s.Events("example.com"), 2)

	var p rawPage
	require.Equal(t, 200, getJSON(t, s, s.URL()+"/v3/example.com/events", &p))
	assert.Len(t, p.Items, 1, "internal failures are hidden unless a severity is asked for")
	require.Equal(t, 200, getJSON(t, s, s.URL()+"/v3/example.com/events?severity=internal", &p))
	assert.Len(t, p.Items, 1)

	// The stored copy does not change with the caller's value.
	msg := &mailgun.EventMessage{Headers: mailgun.MessageHeaders{Subject: "before"}}
	s.AddEvents("copy.example", mailgun.Event{ID: "c", Event: mailgun.EventAccepted, Message: msg})
	msg.Headers.Subject = "after"
	assert.Equal(t, "before", s.Events("copy.example")[0].Message.Headers.Subject)
}

func TestRecordEventLockedIsUsableFromHandlers(t *testing.T) {
	s := NewServer(t)
	s.mu.Lock()
	e := s.recordEventLocked("example.com", mailgun.Event{Event: mailgun.EventFailed, Severity: mailgun.SeverityPermanent, Reason: mailgun.ReasonSuppressBounce, Recipient: "x@example.org"})
	s.mu.Unlock()
	assert.NotEmpty(t, e.ID)
	assert.False(t, e.Timestamp.IsZero())
	assert.Equal(t, []mailgun.Event{e}, s.Events("example.com"))
}

func postJSON(t *testing.T, s *Server, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL()+path, strings.NewReader(body))
	require.NoError(t, err)
	req.SetBasicAuth("api", s.APIKey())
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return resp.StatusCode, out
}

func TestAnalyticsBadRequests(t *testing.T) {
	s := NewServer(t)
	for _, tc := range []struct{ path, body string }{
		{"/v1/analytics/metrics", `{`},
		{"/v1/analytics/metrics", `{"metrics": ["no_such_count"]}`},
		{"/v1/analytics/metrics", `{"metrics": ["accepted_count"], "dimensions": ["subaccount"]}`},
		{"/v1/analytics/metrics", `{"metrics": ["accepted_count"], "resolution": "week"}`},
		{"/v1/analytics/metrics", `{"metrics": ["accepted_count"], "start": "yesterday"}`},
		{"/v1/analytics/metrics", `{"metrics": ["accepted_count"], "duration": "3w"}`},
		{"/v1/analytics/metrics", `{"metrics": ["accepted_count"], "pagination": {"limit": 2000}}`},
		{"/v1/analytics/metrics", `{"metrics": ["accepted_count"], "pagination": {"sort": "domain:asc"}}`},
		{"/v1/analytics/metrics", `{"metrics": ["accepted_count"], "filter": {"AND": [{"attribute": "domain", "comparator": "~", "values": [{"label": "a", "value": "a"}]}]}}`},
		{"/v1/analytics/usage/metrics", `{"metrics": ["delivered_rate"]}`},
		{"/v1/analytics/logs", `{"pagination": {"limit": 101}}`},
		{"/v1/analytics/logs", `{"pagination": {"sort": "id:asc"}}`},
		{"/v1/analytics/logs", `{"pagination": {"token": "%%%"}}`},
		{"/v1/analytics/logs", `{"end": "Mon, 1 Jan 2024 00:00:00 +0000", "start": "Tue, 2 Jan 2024 00:00:00 +0000"}`},
	} {
		status, body := postJSON(t, s, tc.path, tc.body)
		assert.Equal(t, 400, status, "%s %s", tc.path, tc.body)
		assert.NotEmpty(t, body["message"])
	}
	var e map[string]string
	assert.Equal(t, 400, getJSON(t, s, s.URL()+"/v3/stats/total", &e), "event is required")
	assert.Equal(t, 400, getJSON(t, s, s.URL()+"/v3/stats/total?event=delivered&resolution=week", &e))
	assert.Equal(t, 400, getJSON(t, s, s.URL()+"/v3/stats/total?event=delivered&start=1700000000&end=1600000000", &e))
	assert.Equal(t, 400, getJSON(t, s, s.URL()+"/v3/stats/total?event=delivered&start=0&resolution=hour", &e), "too many buckets")
	assert.Equal(t, 400, getJSON(t, s, s.URL()+"/v3/stats/total/domains?event=delivered", &e), "timestamp is required")
	assert.Equal(t, 400, getJSON(t, s, s.URL()+"/v3/stats/filter?event=delivered&filter=ip_pool:x", &e))
	assert.Equal(t, 400, getJSON(t, s, s.URL()+"/v3/stats/filter?event=delivered&group=ip", &e))
}

func TestMetricsRates(t *testing.T) {
	assert.Equal(t, "0.0000", rate(0, 0))
	assert.Equal(t, "0.3333", rate(1, 3))
	assert.Equal(t, "1.0000", rate(2, 2))
}

// FuzzParseFilter checks that any expression either fails to parse or
// evaluates without panicking, the same way twice.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"foo", `"foo bar" OR baz`, "(a AND NOT b) OR (c d)", ">10000 <20000", "NOT (x OR", `""`, "((((a))))"} {
		f.Add(s, "a foo 15000")
	}
	f.Fuzz(func(t *testing.T, expr, value string) {
		x, err := parseFilter(expr)
		if err != nil {
			return
		}
		v := &fieldValues{values: strings.Fields(value)}
		first, second := x.match(v), x.match(v)
		if first != second {
			t.Fatal("evaluation is not deterministic")
		}
	})
}
