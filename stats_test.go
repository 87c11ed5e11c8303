package mailgun_test

//lint:file-ignore SA1019 the Stats API is deprecated upstream but still served; these tests cover it.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/mailguntest"
)

// utc parses an RFC 2822 time of the examples, in UTC.
func utc(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC1123, s)
	require.NoError(t, err)
	return v.UTC()
}

func i64(v int64) *int64 { return &v }

func TestStatsWire(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2015, 3, 16, 0, 0, 0, 0, time.UTC)
	end := time.Date(2015, 3, 18, 0, 0, 0, 500, time.UTC)
	q := mailgun.StatsQuery{
		Events:     []mailgun.EventName{mailgun.EventAccepted, mailgun.EventDelivered, mailgun.EventFailed},
		Start:      start,
		End:        end,
		Resolution: mailgun.ResolutionHour,
		Duration:   mailgun.Months(1),
	}
	tests := []struct {
		name string
		url  string
		call func(c *mailgun.Client) error
		want string
	}{
		{
			"domain totals", "https://api.mailgun.net/v3/sub.example.com/stats/total",
			func(c *mailgun.Client) error { _, err := c.Stats.DomainTotals(ctx, "sub.example.com", q); return err },
			"/v3/sub.example.com/stats/total?duration=1m&end=1426636801&event=accepted&event=delivered&event=failed&resolution=hour&start=1426464000",
		},
		{
			"account totals", "https://api.mailgun.net/v3/stats/total",
			func(c *mailgun.Client) error {
				_, err := c.Stats.AccountTotals(ctx, mailgun.StatsQuery{Events: []mailgun.EventName{mailgun.EventOpened}})
				return err
			},
			"/v3/stats/total?event=opened",
		},
		{
			"per-domain totals", "https://api.mailgun.net/v3/stats/total/domains",
			func(c *mailgun.Client) error {
				_, err := c.Stats.PerDomainTotals(ctx, mailgun.PerDomainStatsQuery{
					Events: []mailgun.EventName{mailgun.EventDelivered, mailgun.EventClicked}, Timestamp: start, Resolution: mailgun.ResolutionMonth, Limit: 20,
				})
				return err
			},
			"/v3/stats/total/domains?event=delivered&event=clicked&limit=20&resolution=month&timestamp=1426464000",
		},
		{
			"filter", "https://api.mailgun.net/v3/stats/filter",
			func(c *mailgun.Client) error {
				_, err := c.Stats.Filter(ctx, mailgun.StatsFilterQuery{
					StatsQuery: mailgun.StatsQuery{Events: []mailgun.EventName{mailgun.EventDelivered}, Duration: mailgun.Days(7)},
					Filter:     "domain:my.example.com", Group: "provider",
				})
				return err
			},
			"/v3/stats/filter?duration=7d&event=delivered&filter=domain%3Amy.example.com&group=provider",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, tt.url, 200, fixture(t, "examples/stats/get-v3-stats-total.200.json"))
			require.NoError(t, tt.call(c))
			req := m.only(t)
			assert.Equal(t, http.MethodGet, req.Method)
			assert.Equal(t, tt.want, req.RequestURI)
			assert.Equal(t, "application/json", req.Header.Get("Accept"))
			assert.Empty(t, req.Body)
		})
	}
}

func TestStatsAggregatesWire(t *testing.T) {
	for _, kind := range []string{"providers", "devices", "countries"} {
		t.Run(kind, func(t *testing.T) {
			c, m := newMockClient(t)
			body := fixture(t, "examples/stats/get-v3-domain-aggregates-"+kind+".200.json")
			m.respond(http.MethodGet, "https://api.mailgun.net/v3/my%2Bdomain.example/aggregates/"+kind, 200, body)
			call := map[string]func(context.Context, string) (map[string]mailgun.AggregateCounts, error){
				"providers": c.Stats.Providers, "devices": c.Stats.Devices, "countries": c.Stats.Countries,
			}[kind]
			got, err := call(context.Background(), "my+domain.example")
			require.NoError(t, err)
			assert.NotEmpty(t, got)
			assert.Equal(t, "/v3/my%2Bdomain.example/aggregates/"+kind, m.only(t).RequestURI)
		})
	}
}

func checkStatsExample(t *testing.T, path, name string) []byte {
	t.Helper()
	body := example(t, "stats/"+name, "GET", path, 200)
	return body
}

func TestStatsDecodeDomainTotals(t *testing.T) {
	body := checkStatsExample(t, "/v3/example.com/stats/total?event=accepted", "get-v3-domain-stats-total.200.json")
	var r mailgun.StatsResponse
	require.NoError(t, json.Unmarshal(body, &r))
	assert.Equal(t, "", r.Description)
	assert.Equal(t, utc(t, "Mon, 16 Mar 2015 00:00:00 UTC"), r.Start.UTC())
	assert.Equal(t, utc(t, "Wed, 18 Mar 2015 00:00:00 UTC"), r.End.UTC())
	assert.Equal(t, mailgun.ResolutionDay, r.Resolution)
	assert.JSONEq(t, string(body), string(r.Raw))
	require.Len(t, r.Stats, 2)

	day := r.Stats[0]
	assert.Equal(t, utc(t, "Mon, 16 Mar 2015 00:00:00 UTC"), day.Time.UTC())
	assert.Equal(t, &mailgun.StatsAccepted{Incoming: 5, Outgoing: 10, Total: 15}, day.Accepted)
	assert.Equal(t, &mailgun.StatsDelivered{SMTP: i64(15), HTTP: i64(5), Optimized: i64(0), Total: 20}, day.Delivered)
	assert.Equal(t, &mailgun.StatsFailed{
		Temporary: mailgun.StatsTemporaryFailed{ESPBlock: 1, Total: 1},
		Permanent: mailgun.StatsPermanentFailed{
			SuppressBounce: i64(1), SuppressUnsubscribe: i64(2), SuppressComplaint: i64(3), Bounce: i64(4),
			DelayedBounce: i64(1), Webhook: i64(0), Optimized: i64(0), Total: 11,
		},
	}, day.Failed)
	assert.Equal(t, &mailgun.StatsTotal{Total: 0}, day.Stored, "a zero counter is present, not absent")
	assert.Equal(t, &mailgun.StatsEngagement{Total: 12, Unique: i64(9)}, day.Opened)
	assert.Equal(t, &mailgun.StatsEngagement{Total: 4, Unique: i64(3)}, day.Clicked)
	assert.Equal(t, &mailgun.StatsTotal{Total: 1}, day.Unsubscribed)
	assert.Equal(t, &mailgun.StatsTotal{Total: 0}, day.Complained)
	assert.Nil(t, day.EmailValidation)
	assert.Equal(t, int64(40), r.Stats[1].Delivered.Total)
	assert.Equal(t, int64(22), r.Stats[1].Failed.Permanent.Total)
}

func TestStatsDecodeDeliveredOnly(t *testing.T) {
	body := checkStatsExample(t, "/v3/example.com/stats/total?event=delivered", "get-v3-domain-stats-total.200-delivered-only.json")
	var r mailgun.StatsResponse
	require.NoError(t, json.Unmarshal(body, &r))
	require.Len(t, r.Stats, 1)
	it := r.Stats[0]
	assert.Equal(t, &mailgun.StatsDelivered{SMTP: i64(2), HTTP: i64(1), Total: 3}, it.Delivered)
	assert.Nil(t, it.Delivered.Optimized, "absent counters stay nil")
	assert.Nil(t, it.Accepted, "groups not requested are absent, not zero")
	assert.Nil(t, it.Failed)
	assert.Nil(t, it.Opened)
	assert.Equal(t, utc(t, "Mon, 23 Mar 2015 00:00:00 UTC"), r.End.UTC())
}

func TestStatsDecodeAccountAndFilter(t *testing.T) {
	for _, tc := range []struct{ path, name string }{
		{"/v3/stats/total?event=delivered", "get-v3-stats-total.200.json"},
		{"/v3/stats/filter?event=delivered", "get-v3-stats-filter.200.json"},
	} {
		body := checkStatsExample(t, tc.path, tc.name)
		var r mailgun.StatsResponse
		require.NoError(t, json.Unmarshal(body, &r))
		assert.Equal(t, "Optional Description", r.Description)
		assert.Equal(t, mailgun.ResolutionMonth, r.Resolution)
		assert.Equal(t, utc(t, "Tue, 14 Feb 2012 00:00:00 UTC"), r.Start.UTC())
		require.Len(t, r.Stats, 1)
		assert.Equal(t, utc(t, "Fri, 01 Apr 2012 00:00:00 UTC"), r.Stats[0].Time.UTC())
		assert.Equal(t, &mailgun.StatsDelivered{SMTP: i64(15), HTTP: i64(10), Optimized: i64(5), Total: 20}, r.Stats[0].Delivered)
	}
	body := checkStatsExample(t, "/v3/stats/total?event=delivered", "get-v3-stats-total.200.json")
	var r mailgun.StatsResponse
	require.NoError(t, json.Unmarshal(body, &r))
	assert.Equal(t, &mailgun.StatsAccepted{Incoming: 2, Outgoing: 1, Total: 3}, r.Stats[0].Accepted)
	assert.Equal(t, &mailgun.StatsEngagement{Total: 20, Unique: i64(1)}, r.Stats[0].Opened)
}

func TestStatsDecodeUsageGroups(t *testing.T) {
	var it mailgun.StatsItem
	require.NoError(t, json.Unmarshal([]byte(`{
		"time": "Fri, 01 Apr 2012 00:00:00 UTC",
		"email_validation": {"total": 8, "public": 1, "valid": 2, "single": 3, "bulk": 4, "list": 5, "mailgun": 6, "mailjet": 7},
		"seed_test": {"total": 2}, "link_validation_failed": {"total": 1}, "opened": {"total": 3}
	}`), &it))
	assert.Equal(t, &mailgun.StatsEmailValidation{Total: 8, Public: 1, Valid: 2, Single: 3, Bulk: 4, List: 5, Mailgun: 6, Mailjet: 7}, it.EmailValidation)
	assert.Equal(t, &mailgun.StatsTotal{Total: 2}, it.SeedTest)
	assert.Equal(t, &mailgun.StatsTotal{Total: 1}, it.LinkValidationFailed)
	assert.Equal(t, &mailgun.StatsEngagement{Total: 3}, it.Opened, "unique is optional")
}

func TestStatsDecodeAggregates(t *testing.T) {
	want := map[string]map[string]mailgun.AggregateCounts{
		"providers": {
			"example.net": {"accepted": 0, "clicked": 1, "opened": 1, "unique_clicked": 1, "unsubscribed": 0},
			"example.com": {"accepted": 0, "clicked": 2, "opened": 1, "unique_clicked": 1, "unsubscribed": 0},
		},
		"countries": {
			"ru": {"accepted": 0, "clicked": 2, "opened": 1, "unique_clicked": 1, "unsubscribed": 0},
			"us": {"accepted": 0, "clicked": 1, "opened": 1, "unique_clicked": 1, "unsubscribed": 0},
		},
	}
	for _, kind := range []string{"providers", "devices", "countries"} {
		body := checkStatsExample(t, "/v3/example.com/aggregates/"+kind, "get-v3-domain-aggregates-"+kind+".200.json")
		c, m := newMockClient(t)
		m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/aggregates/"+kind, 200, body)
		var got map[string]mailgun.AggregateCounts
		var err error
		switch kind {
		case "providers":
			got, err = c.Stats.Providers(context.Background(), "example.com")
		case "devices":
			got, err = c.Stats.Devices(context.Background(), "example.com")
		default:
			got, err = c.Stats.Countries(context.Background(), "example.com")
		}
		require.NoError(t, err)
		if w, ok := want[kind]; ok {
			assert.Equal(t, w, got)
		} else {
			assert.Len(t, got, 4)
			assert.Equal(t, int64(2), got["mobile"]["clicked"])
			assert.Contains(t, got, "unknown")
		}
	}
}

// TestStatsAggregatesReadOnlyTheDocumentedMember: other top-level fields,
// of any type, do not fail the call, and within the documented member a
// row or a counter of an unexpected type is left out.
func TestStatsAggregatesReadOnlyTheDocumentedMember(t *testing.T) {
	for _, kind := range []string{"providers", "devices", "countries"} {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/aggregates/"+kind, 200, []byte(`{
			"message": "ok", "domain": 5, "other": {"gmail.com": "x"}, "`+kind+`x": [],
			"`+kind+`": {"a": {"opened": 2, "clicked": "3", "accepted": 1.5, "unique_clicked": null, "delivered": 9}, "b": "n/a", "c": null, "d": {}}
		}`))
		call := map[string]func(context.Context, string) (map[string]mailgun.AggregateCounts, error){
			"providers": c.Stats.Providers, "devices": c.Stats.Devices, "countries": c.Stats.Countries,
		}[kind]
		got, err := call(context.Background(), "example.com")
		require.NoError(t, err, kind)
		assert.Equal(t, map[string]mailgun.AggregateCounts{"a": {"opened": 2, "delivered": 9}, "d": {}}, got, kind)
	}
	for _, body := range []string{`{"message":"no data"}`, `{"providers":null}`, `{}`} {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/aggregates/providers", 200, []byte(body))
		got, err := c.Stats.Providers(context.Background(), "example.com")
		require.NoError(t, err, body)
		assert.Equal(t, map[string]mailgun.AggregateCounts{}, got, body)
	}
	for _, body := range []string{`[]`, `"x"`, `{"providers":[]}`, `{"providers":"x"}`} {
		c, m := newMockClient(t)
		m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/aggregates/providers", 200, []byte(body))
		_, err := c.Stats.Providers(context.Background(), "example.com")
		assert.ErrorIs(t, err, mailgun.ErrInvalidResponse, body)
	}
}

// TestStatsKeepsEveryItemWithAMistypedField: one value of an unexpected
// type in a stats item is dropped, at any depth, and the item kept; so is
// one among the response's own fields.
func TestStatsKeepsEveryItemWithAMistypedField(t *testing.T) {
	var example struct {
		Stats []json.RawMessage `json:"stats"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "examples/stats/get-v3-domain-stats-total.200.json"), &example))
	usage := `{"time": "Fri, 01 Apr 2012 00:00:00 UTC", "seed_test": {"total": 2},
		"email_validation": {"total": 8, "public": 1, "valid": 2, "single": 3, "bulk": 4, "list": 5, "mailgun": 6, "mailjet": 7}}`
	for _, item := range append(example.Stats, json.RawMessage(usage)) {
		mailgun.CheckListTolerance(t, item, nil, func(items [][]byte) []byte {
			return []byte(`{"start":"Mon, 16 Mar 2015 00:00:00 UTC","resolution":"day","stats":[` + string(bytes.Join(items, []byte(","))) + `]}`)
		}, func(t *testing.T, body []byte) ([]mailgun.StatsItem, error) {
			c, m := newMockClient(t)
			m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/stats/total", 200, body)
			r, err := c.Stats.DomainTotals(context.Background(), "example.com", mailgun.StatsQuery{Events: []mailgun.EventName{mailgun.EventAccepted}})
			if err != nil {
				return nil, err
			}
			return r.Stats, nil
		})
	}

	var r mailgun.StatsResponse
	require.NoError(t, json.Unmarshal([]byte(`{"description":5,"start":"soon","end":"Wed, 18 Mar 2015 00:00:00 UTC","resolution":[],"type":"x","tag":{},
		"stats":[{"time":"Mon, 16 Mar 2015 00:00:00 UTC","accepted":{"total":"many","outgoing":1}},"x",null,{"time":7}]}`), &r))
	assert.Equal(t, utc(t, "Wed, 18 Mar 2015 00:00:00 UTC"), r.End.UTC())
	assert.True(t, r.Start.IsZero())
	assert.Nil(t, r.Type)
	require.Len(t, r.Stats, 2)
	assert.Equal(t, &mailgun.StatsAccepted{Outgoing: 1}, r.Stats[0].Accepted)
	assert.True(t, r.Stats[1].Time.IsZero())
	for _, bad := range []string{`[]`, `{"stats":{}}`, `{"stats":"x"}`} {
		assert.Error(t, json.Unmarshal([]byte(bad), &r), bad)
	}
}

func TestStatsErrorExample(t *testing.T) {
	body := example(t, "stats/stats.400.json", "GET", "/v3/stats/total?event=sent", 400)
	c, m := newMockClient(t)
	m.respond(http.MethodGet, "https://api.mailgun.net/v3/stats/total", 400, body)
	_, err := c.Stats.AccountTotals(context.Background(), mailgun.StatsQuery{Events: []mailgun.EventName{"sent"}})
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "reason for bad request", apiErr.Message)
}

func TestStatsTruncatedBody(t *testing.T) {
	c, m := newMockClient(t)
	body := fixture(t, "examples/stats/get-v3-domain-stats-total.200.json")
	m.respond(http.MethodGet, "https://api.mailgun.net/v3/example.com/stats/total", 200, body[:100])
	_, err := c.Stats.DomainTotals(context.Background(), "example.com", mailgun.StatsQuery{Events: []mailgun.EventName{mailgun.EventDelivered}})
	assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
}

func TestStatsBadInput(t *testing.T) {
	ctx := context.Background()
	ok := []mailgun.EventName{mailgun.EventDelivered}
	t0 := time.Unix(1426464000, 0)
	tests := []struct {
		name string
		call func(c *mailgun.Client) error
	}{
		{"empty domain", func(c *mailgun.Client) error {
			_, err := c.Stats.DomainTotals(ctx, "", mailgun.StatsQuery{Events: ok})
			return err
		}},
		{"no events", func(c *mailgun.Client) error {
			_, err := c.Stats.DomainTotals(ctx, "example.com", mailgun.StatsQuery{})
			return err
		}},
		{"blank event", func(c *mailgun.Client) error {
			_, err := c.Stats.AccountTotals(ctx, mailgun.StatsQuery{Events: []mailgun.EventName{" "}})
			return err
		}},
		{"end before start", func(c *mailgun.Client) error {
			_, err := c.Stats.AccountTotals(ctx, mailgun.StatsQuery{Events: ok, Start: t0, End: t0.Add(-time.Hour)})
			return err
		}},
		{"bad resolution", func(c *mailgun.Client) error {
			_, err := c.Stats.AccountTotals(ctx, mailgun.StatsQuery{Events: ok, Resolution: "week"})
			return err
		}},
		{"zero duration", func(c *mailgun.Client) error {
			_, err := c.Stats.AccountTotals(ctx, mailgun.StatsQuery{Events: ok, Duration: mailgun.Months(0)})
			return err
		}},
		{"minutes are not a unit", func(c *mailgun.Client) error {
			_, err := c.Stats.AccountTotals(ctx, mailgun.StatsQuery{Events: ok, Duration: "30min"})
			return err
		}},
		{"unit without count", func(c *mailgun.Client) error {
			_, err := c.Stats.AccountTotals(ctx, mailgun.StatsQuery{Events: ok, Duration: "d"})
			return err
		}},
		{"per-domain without timestamp", func(c *mailgun.Client) error {
			_, err := c.Stats.PerDomainTotals(ctx, mailgun.PerDomainStatsQuery{Events: ok})
			return err
		}},
		{"per-domain negative limit", func(c *mailgun.Client) error {
			_, err := c.Stats.PerDomainTotals(ctx, mailgun.PerDomainStatsQuery{Events: ok, Timestamp: t0, Limit: -1})
			return err
		}},
		{"filter without colon", func(c *mailgun.Client) error {
			_, err := c.Stats.Filter(ctx, mailgun.StatsFilterQuery{StatsQuery: mailgun.StatsQuery{Events: ok}, Filter: "example.com"})
			return err
		}},
		{"aggregates without domain", func(c *mailgun.Client) error { _, err := c.Stats.Countries(ctx, " "); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newMockClient(t)
			assert.ErrorIs(t, tt.call(c), mailgun.ErrInvalidArgument)
			assert.Empty(t, m.sent())
		})
	}
}

func TestDurationHelpers(t *testing.T) {
	assert.Equal(t, mailgun.Duration("24h"), mailgun.Hours(24))
	assert.Equal(t, mailgun.Duration("7d"), mailgun.Days(7))
	assert.Equal(t, mailgun.Duration("2m"), mailgun.Months(2), "m is months")
}

func TestStatsAgainstFake(t *testing.T) {
	now := time.Date(2024, 7, 10, 15, 30, 0, 0, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))
	day1 := time.Date(2024, 7, 8, 9, 0, 0, 0, time.UTC)
	day2 := day1.AddDate(0, 0, 1)
	srv.AddEvents("example.com",
		mailgun.Event{Event: mailgun.EventAccepted, Timestamp: day1, Recipient: "a@example.org"},
		mailgun.Event{Event: mailgun.EventAccepted, Timestamp: day1, Recipient: "b@example.org", Flags: &mailgun.EventFlags{IsRouted: ptr(true)}},
		mailgun.Event{Event: mailgun.EventDelivered, Timestamp: day1.Add(time.Minute), Recipient: "a@example.org"},
		mailgun.Event{Event: mailgun.EventDelivered, Timestamp: day1.Add(time.Minute), Recipient: "b@example.org", Envelope: &mailgun.EventEnvelope{Transport: "http"}},
		mailgun.Event{Event: mailgun.EventFailed, Timestamp: day2, Recipient: "c@example.org", Severity: mailgun.SeverityPermanent, Reason: mailgun.ReasonSuppressBounce},
		mailgun.Event{Event: mailgun.EventFailed, Timestamp: day2, Recipient: "d@example.org", Severity: mailgun.SeverityTemporary, Reason: mailgun.ReasonESPBlock},
		mailgun.Event{Event: mailgun.EventOpened, Timestamp: day2, Recipient: "a@example.org", Message: &mailgun.EventMessage{Headers: mailgun.MessageHeaders{MessageID: "m1"}}},
		mailgun.Event{Event: mailgun.EventOpened, Timestamp: day2.Add(time.Hour), Recipient: "a@example.org", Message: &mailgun.EventMessage{Headers: mailgun.MessageHeaders{MessageID: "m1"}}},
	)
	srv.AddEvents("other.com", mailgun.Event{Event: mailgun.EventAccepted, Timestamp: day1})
	ctx := context.Background()
	all := []mailgun.EventName{mailgun.EventAccepted, mailgun.EventDelivered, mailgun.EventFailed, mailgun.EventOpened}

	r, err := c.Stats.DomainTotals(ctx, "example.com", mailgun.StatsQuery{Events: all})
	require.NoError(t, err)
	assert.Equal(t, mailgun.ResolutionDay, r.Resolution)
	assert.Equal(t, time.Date(2024, 7, 3, 0, 0, 0, 0, time.UTC), r.Start.UTC(), "seven days before now, aligned")
	require.Len(t, r.Stats, 8, "every day of the period, today included")
	var d1, d2 mailgun.StatsItem
	for _, it := range r.Stats {
		switch it.Time.UTC() {
		case day1.Truncate(24 * time.Hour):
			d1 = it
		case day2.Truncate(24 * time.Hour):
			d2 = it
		}
	}
	assert.Equal(t, &mailgun.StatsAccepted{Incoming: 1, Outgoing: 1, Total: 2}, d1.Accepted)
	assert.Equal(t, &mailgun.StatsDelivered{SMTP: i64(1), HTTP: i64(1), Optimized: i64(0), Total: 2}, d1.Delivered)
	assert.Equal(t, int64(1), *d2.Failed.Permanent.SuppressBounce)
	assert.Equal(t, int64(1), d2.Failed.Permanent.Total)
	assert.Equal(t, mailgun.StatsTemporaryFailed{ESPBlock: 1, Total: 1}, d2.Failed.Temporary)
	assert.Equal(t, &mailgun.StatsEngagement{Total: 2, Unique: i64(1)}, d2.Opened)
	assert.Nil(t, d2.Clicked, "not requested")

	acct, err := c.Stats.AccountTotals(ctx, mailgun.StatsQuery{Events: []mailgun.EventName{mailgun.EventAccepted}, Duration: mailgun.Months(1), Resolution: mailgun.ResolutionMonth})
	require.NoError(t, err)
	var total int64
	for _, it := range acct.Stats {
		total += it.Accepted.Total
	}
	assert.Equal(t, int64(3), total, "the account counts every domain")

	hourly, err := c.Stats.DomainTotals(ctx, "example.com", mailgun.StatsQuery{
		Events: []mailgun.EventName{mailgun.EventDelivered}, Start: day1, End: day1.Add(2 * time.Hour), Resolution: mailgun.ResolutionHour,
	})
	require.NoError(t, err)
	require.Len(t, hourly.Stats, 2)
	assert.Equal(t, int64(2), hourly.Stats[0].Delivered.Total)

	filtered, err := c.Stats.Filter(ctx, mailgun.StatsFilterQuery{
		StatsQuery: mailgun.StatsQuery{Events: []mailgun.EventName{mailgun.EventAccepted}, Start: day1, End: day2},
		Filter:     "domain:other.com",
	})
	require.NoError(t, err)
	require.Len(t, filtered.Stats, 2, "the days holding start and end")
	assert.Equal(t, int64(1), filtered.Stats[0].Accepted.Total)
	assert.Equal(t, int64(0), filtered.Stats[1].Accepted.Total)

	grouped, err := c.Stats.PerDomainTotals(ctx, mailgun.PerDomainStatsQuery{Events: []mailgun.EventName{mailgun.EventAccepted}, Timestamp: day1})
	require.NoError(t, err)
	var rows struct {
		Stats []struct {
			Domain   string `json:"domain"`
			Accepted struct{ Total int64 }
		} `json:"stats"`
	}
	require.NoError(t, json.Unmarshal(grouped.Raw, &rows), "per-domain labels are read from Raw")
	require.Len(t, rows.Stats, 2)
	assert.Equal(t, "example.com", rows.Stats[0].Domain)
	assert.Equal(t, int64(2), rows.Stats[0].Accepted.Total)
	assert.Equal(t, "other.com", rows.Stats[1].Domain)

	_, err = c.Stats.AccountTotals(ctx, mailgun.StatsQuery{Events: []mailgun.EventName{"bogus"}})
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)
}

func TestStatsAggregatesAgainstFake(t *testing.T) {
	srv, c := newFake(t)
	msg := &mailgun.EventMessage{Headers: mailgun.MessageHeaders{MessageID: "m1"}}
	srv.AddEvents("example.com",
		mailgun.Event{Event: mailgun.EventDelivered, Recipient: "a@gmail.example"},
		mailgun.Event{Event: mailgun.EventOpened, Recipient: "a@gmail.example", Message: msg, ClientInfo: &mailgun.ClientInfo{DeviceType: "mobile"}, Geolocation: &mailgun.Geolocation{Country: "US"}},
		mailgun.Event{Event: mailgun.EventClicked, Recipient: "a@gmail.example", Message: msg, ClientInfo: &mailgun.ClientInfo{DeviceType: "mobile"}, Geolocation: &mailgun.Geolocation{Country: "US"}},
		mailgun.Event{Event: mailgun.EventClicked, Recipient: "a@gmail.example", Message: msg, ClientInfo: &mailgun.ClientInfo{DeviceType: "mobile"}, Geolocation: &mailgun.Geolocation{Country: "US"}},
		mailgun.Event{Event: mailgun.EventOpened, Recipient: "b@yahoo.example", Message: msg, ClientInfo: &mailgun.ClientInfo{DeviceType: "desktop"}, Geolocation: &mailgun.Geolocation{Country: "RU"}},
	)
	ctx := context.Background()
	prov, err := c.Stats.Providers(ctx, "example.com")
	require.NoError(t, err)
	assert.Equal(t, int64(1), prov["gmail.example"]["delivered"])
	assert.Equal(t, int64(2), prov["gmail.example"]["clicked"])
	assert.Equal(t, int64(1), prov["gmail.example"]["unique_clicked"])
	assert.Equal(t, int64(1), prov["yahoo.example"]["opened"])
	dev, err := c.Stats.Devices(ctx, "example.com")
	require.NoError(t, err)
	assert.Equal(t, mailgun.AggregateCounts{"accepted": 0, "delivered": 0, "opened": 1, "unique_opened": 1, "clicked": 2, "unique_clicked": 1, "unsubscribed": 0, "complained": 0}, dev["mobile"])
	countries, err := c.Stats.Countries(ctx, "example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{"ru", "us"}, sortedKeys(countries))
	empty, err := c.Stats.Countries(ctx, "nothing.example")
	require.NoError(t, err)
	assert.NotNil(t, empty)
	assert.Empty(t, empty)
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}
