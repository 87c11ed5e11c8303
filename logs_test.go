package mailgun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/mailguntest"
)

const logsURL = "https://api.mailgun.net/v1/analytics/logs"

// documentedLogsQuery is the query of
// examples/metrics-logs/post-v1-analytics-logs.request.json.
func documentedLogsQuery() mailgun.LogsQuery {
	return mailgun.LogsQuery{
		Start:              time.Date(2024, 7, 8, 0, 0, 0, 0, time.UTC),
		End:                time.Date(2024, 7, 12, 0, 0, 0, 0, time.UTC),
		Events:             []mailgun.EventName{mailgun.EventDelivered, mailgun.EventFailed},
		Filter:             []mailgun.FilterPredicate{mailgun.FilterDomain.Is("example.com")},
		IncludeSubaccounts: true,
		IncludeTotals:      true,
		Ascending:          true,
		Limit:              50,
	}
}

// asSent rewrites the examples' dates as the SDK writes them: RFC 2822
// allows a one-digit day, and Go writes UTC as +0000 rather than -0000.
func asSent(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("Mon, 08 Jul 2024 00:00:00 -0000"), []byte("Mon, 8 Jul 2024 00:00:00 +0000"))
	return bytes.ReplaceAll(b, []byte("Fri, 12 Jul 2024 00:00:00 -0000"), []byte("Fri, 12 Jul 2024 00:00:00 +0000"))
}

func TestLogsWireMatchesDocumentedRequests(t *testing.T) {
	ct := contracttest.Load(t)
	first := fixture(t, "examples/metrics-logs/post-v1-analytics-logs.request.json")
	next := fixture(t, "examples/metrics-logs/post-v1-analytics-logs.request-next-page.json")
	require.NoError(t, ct.CheckRequestExample("POST", "/v1/analytics/logs", "application/json", first))
	require.NoError(t, ct.CheckRequestExample("POST", "/v1/analytics/logs", "application/json", next))

	c, m := newMockClient(t)
	m.respond(http.MethodPost, logsURL, 200, fixture(t, "examples/metrics-logs/post-v1-analytics-logs.200.json"))
	page, err := c.Logs.ListPage(context.Background(), documentedLogsQuery())
	require.NoError(t, err)
	assert.Len(t, page.Items, 2)
	assert.Equal(t, "cjsijbijewbu78t678tVTYUYU76754fyuiksin98hh", page.Next)
	req := m.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/v1/analytics/logs", req.RequestURI)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assertJSONEqual(t, asSent(first), req.Body)

	// The next page repeats the body with the token (the documented next
	// page request has no include_totals).
	q := documentedLogsQuery()
	q.IncludeTotals = false
	q.Cursor = page.Next
	c, m = newMockClient(t)
	m.respond(http.MethodPost, logsURL, 200, []byte(`{"start": "Mon, 08 Jul 2024 00:00:00 -0000", "end": "Fri, 12 Jul 2024 00:00:00 -0000", "items": [], "pagination": {}}`))
	_, err = c.Logs.ListPage(context.Background(), q)
	require.NoError(t, err)
	assertJSONEqual(t, asSent(next), m.only(t).Body)
}

func TestLogsListFollowsTokens(t *testing.T) {
	c, m := newMockClient(t)
	pages := [][]byte{
		fixture(t, "examples/metrics-logs/post-v1-analytics-logs.200.json"),
		[]byte(`{"start": "", "end": "", "items": [{"id": "third", "event": "delivered", "@timestamp": "2024-07-09T10:00:00.000Z", "domain": {"name": "example.com"}}], "pagination": {"previous": "p"}}`),
	}
	n := 0
	m.RegisterResponder(http.MethodPost, logsURL, func(r *http.Request) (*http.Response, error) {
		m.record(r)
		resp := httpmock.NewBytesResponse(200, pages[n])
		n++
		return resp, nil
	})
	var ids []string
	for it, err := range c.Logs.List(context.Background(), mailgun.LogsQuery{Limit: 2}) {
		require.NoError(t, err)
		ids = append(ids, it.ID)
	}
	assert.Equal(t, []string{"JDhSWf9mT5OFxCkZfpDU5d", "4T2pW1xYq0aB3cD5eF6gH7", "third"}, ids, "no next token ends the walk")
	sent := m.sent()
	require.Len(t, sent, 2)
	assertJSONEqual(t, []byte(`{"pagination": {"sort": "timestamp:desc", "limit": 2}}`), sent[0].Body)
	assertJSONEqual(t, []byte(`{"pagination": {"sort": "timestamp:desc", "limit": 2, "token": "cjsijbijewbu78t678tVTYUYU76754fyuiksin98hh"}}`), sent[1].Body)
}

func TestLogsDecodeExample(t *testing.T) {
	body := example(t, "metrics-logs/post-v1-analytics-logs.200.json", "POST", "/v1/analytics/logs", 200)
	c, m := newMockClient(t)
	m.respond(http.MethodPost, logsURL, 200, body)
	page, err := c.Logs.ListPage(context.Background(), mailgun.LogsQuery{IncludeTotals: true})
	require.NoError(t, err)
	assert.Equal(t, time.Date(2024, 7, 8, 0, 0, 0, 0, time.UTC), page.Start.UTC())
	assert.Equal(t, time.Date(2024, 7, 12, 0, 0, 0, 0, time.UTC), page.End.UTC())
	assert.Equal(t, i64(100), page.Total)
	assert.Equal(t, mailgun.LogsAggregates{}, page.Aggregates)
	require.Len(t, page.Items, 2)

	f := page.Items[0]
	assert.Equal(t, "JDhSWf9mT5OFxCkZfpDU5d", f.ID)
	assert.Equal(t, mailgun.EventFailed, f.Event)
	assert.Equal(t, time.Date(2024, 7, 8, 16, 30, 18, 530000000, time.UTC), f.Timestamp)
	assert.Equal(t, &mailgun.LogAccount{ID: "12345"}, f.Account)
	assert.Equal(t, mailgun.LogDomain{Name: "example.com"}, f.Domain)
	assert.Equal(t, mailgun.SeverityTemporary, f.Severity)
	assert.Equal(t, mailgun.ReasonGeneric, f.Reason)
	assert.Equal(t, &mailgun.DeliveryStatus{Message: "Turret client: server connection failed", AttemptNo: 5, Code: 680, SessionSeconds: 15.026, RetrySeconds: 145}, f.DeliveryStatus)
	assert.Equal(t, "someone@example.org", f.Recipient)
	assert.Equal(t, "example.org", f.RecipientDomain)
	assert.Equal(t, "Other", f.RecipientProvider)
	assert.Equal(t, &mailgun.EventEnvelope{Sender: "bob@example.com", Transport: "smtp", SendingIP: "198.51.100.1", Targets: "someone@example.org"}, f.Envelope)
	assert.Equal(t, mailgun.LogLevelWarn, f.LogLevel)

	a := page.Items[1]
	assert.Equal(t, mailgun.EventAccepted, a.Event)
	assert.Equal(t, "HTTP", a.Method)
	assert.Equal(t, "192.0.2.10", a.OriginatingIP)
	assert.Equal(t, "xxx", a.APIKeyID)
	assert.Equal(t, &mailgun.LogStorage{Region: "us-east4", Env: "production", Key: "AwABB2468",
		URLs: []string{"https://api.mailgun.net/v3/domains/example.com/messages/AwABB2468"}}, a.Storage)
	assert.Equal(t, "{}", a.UserVariables)
	var vars map[string]any
	require.NoError(t, a.DecodeUserVariables(&vars))
	assert.Equal(t, map[string]any{}, vars)
	assert.Equal(t, &mailgun.LogMessage{
		Headers:     mailgun.MessageHeaders{To: "alex@example.org", MessageID: "20240708171951.1.ABCDEF@example.com", From: "bob@example.com", Subject: "Hello"},
		Attachments: []mailgun.EventAttachment{{Filename: "image.jpg", ContentType: "image/jpeg", Size: 16712}},
		Size:        23476,
	}, a.Message)
	assert.Equal(t, &mailgun.EventFlags{
		IsAuthenticated: ptr(true), IsSystemTest: ptr(false), IsRouted: ptr(false), IsTestMode: ptr(false),
		IsDelayedBounce: ptr(false), IsCallback: ptr(false),
	}, a.Flags)
}

// TestLogsPageKeepsEveryItemWithAMistypedField: one value of an unexpected
// type, at any depth of an item, is dropped and the item kept.
func TestLogsPageKeepsEveryItemWithAMistypedField(t *testing.T) {
	var example struct {
		Items []json.RawMessage `json:"items"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "examples/metrics-logs/post-v1-analytics-logs.200.json"), &example))
	for _, item := range append(example.Items, json.RawMessage(logItemWithEveryShape)) {
		mailgun.CheckListTolerance(t, item, nil, func(items [][]byte) []byte {
			return []byte(`{"items":[` + string(bytes.Join(items, []byte(","))) + `],"pagination":{"next":"n"}}`)
		}, func(t *testing.T, body []byte) ([]mailgun.LogItem, error) {
			c, m := newMockClient(t)
			m.respond(http.MethodPost, logsURL, 200, body)
			p, err := c.Logs.ListPage(context.Background(), mailgun.LogsQuery{})
			if err != nil {
				return nil, err
			}
			return p.Items, nil
		})
	}
}

// TestLogsPageStructure: a page fails only when its structure is wrong;
// other values of an unexpected type, and items that are not objects, do
// not fail it.
func TestLogsPageStructure(t *testing.T) {
	for _, c := range []struct {
		body  string
		items int
		err   bool
	}{
		{`{"items":[{"id":"a"},"x",null,7,{"id":"b","@timestamp":"soon"}],"pagination":{"next":"n"}}`, 2, false},
		{`{"items":[],"pagination":{},"start":5,"end":"yesterday","aggregates":[],"x":1}`, 0, false},
		{`{"items":[{"id":"a"}],"pagination":{"next":"n","total":"many"}}`, 1, false},
		{`{"items":{"id":"a"},"pagination":{}}`, 0, true},
		{`{"items":"x","pagination":{}}`, 0, true},
		{`{"items":[{"id":"a"}]}`, 0, true},
		{`{"items":[{"id":"a"}],"pagination":null}`, 0, true},
		{`{"items":[{"id":"a"}],"pagination":[]}`, 0, true},
		{`{"items":[{"id":"a"}],"pagination":{"next":1}}`, 0, true},
		{`[]`, 0, true},
	} {
		cl, m := newMockClient(t)
		m.respond(http.MethodPost, logsURL, 200, []byte(c.body))
		p, err := cl.Logs.ListPage(context.Background(), mailgun.LogsQuery{})
		if c.err {
			assert.ErrorIs(t, err, mailgun.ErrInvalidResponse, c.body)
			continue
		}
		require.NoError(t, err, c.body)
		assert.Len(t, p.Items, c.items, c.body)
	}
}

// logItemWithEveryShape sets the log item fields the example leaves out.
const logItemWithEveryShape = `{
	"id": "x", "event": "clicked", "@timestamp": "2024-07-08T16:30:18.5Z", "domain": {"name": "example.com"},
	"account": {"id": "sub", "parent-id": "main"}, "tags": ["a", "b"], "campaigns": [{"id": "c", "name": "n"}],
	"template": {"name": "t", "version": "2", "is-text": true},
	"routes": {"id": "r1", "expression": "e", "priority": 1, "actions": "stop()", "description": "all", "match": {"recipient": "a@example.com"}},
	"message": {"headers": {"message-id": "m"}, "scheduled-for": 1720456218, "recipients": ["r@example.com"]},
	"geolocation": {"city": "Austin", "country": "US", "region": "TX", "timezone": "America/Chicago"},
	"client-info": {"client-name": "Chrome", "ip": "203.0.113.1", "bot": ""},
	"mailing-list": {"address": "list@example.com", "list-id": "l1", "sid": "s"},
	"i-delivery-optimizer": "on", "user-variables": "{}", "url": "https://example.com", "ip": "203.0.113.2",
	"delivery-status": {"tls": true, "utf8": true, "certificate-verified": true, "mx-host": "mx", "first-delivery-attempt-seconds": 0.5}
}`

func TestLogItemDecodeShapesThatDifferFromEvents(t *testing.T) {
	var it mailgun.LogItem
	require.NoError(t, json.Unmarshal([]byte(`{
		"id": "x", "event": "clicked", "@timestamp": "2024-07-08T16:30:18.5Z", "domain": {"name": "example.com"},
		"account": {"id": "sub", "parent-id": "main"},
		"template": {"name": "t", "version": "2", "is-text": true},
		"routes": {"id": "r1", "expression": "match_recipient('.*')", "priority": 1, "actions": "stop()", "description": "all", "match": {"recipient": "a@example.com"}},
		"message": {"headers": {"message-id": "m"}, "scheduled-for": 1720456218},
		"geolocation": {"city": "Austin", "country": "US", "region": "TX", "timezone": "America/Chicago"},
		"client-info": {"client-name": "Chrome", "ip": "203.0.113.1", "bot": ""},
		"mailing-list": {"address": "list@example.com", "list-id": "l1", "sid": "s"},
		"i-delivery-optimizer": "on", "user-variables": "{\"customer-id\":\"42\"}"
	}`), &it))
	assert.Equal(t, &mailgun.LogAccount{ID: "sub", ParentID: "main"}, it.Account)
	assert.Equal(t, &mailgun.EventTemplate{Name: "t", Version: "2", IsText: ptr(true)}, it.Template)
	assert.Equal(t, &mailgun.EventRoute{ID: "r1", Expression: "match_recipient('.*')", Priority: 1, Actions: "stop()", Description: "all",
		Match: mailgun.EventRouteMatch{Recipient: "a@example.com"}}, it.Route)
	assert.Equal(t, int64(1720456218), it.Message.ScheduledFor)
	assert.Equal(t, "America/Chicago", it.Geolocation.Timezone)
	assert.Equal(t, "203.0.113.1", it.ClientInfo.IP)
	assert.Equal(t, "l1", it.MailingList.ListID)
	assert.Equal(t, "on", it.DeliveryOptimizer)
	var vars struct {
		CustomerID string `json:"customer-id"`
	}
	require.NoError(t, it.DecodeUserVariables(&vars))
	assert.Equal(t, "42", vars.CustomerID)
	it.UserVariables = "not json"
	assert.Error(t, it.DecodeUserVariables(&vars))
	it.UserVariables = ""
	assert.NoError(t, it.DecodeUserVariables(&vars))
}

func TestLogsTruncatedBody(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodPost, logsURL, 200, []byte(`<html><body>502 Bad Gateway</body></html>`))
	var errs []error
	for _, err := range c.Logs.List(context.Background(), mailgun.LogsQuery{}) {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], mailgun.ErrInvalidResponse)
}

func TestLogsBadInput(t *testing.T) {
	ctx := context.Background()
	t0 := time.Unix(1720400000, 0)
	tests := []struct {
		name string
		q    mailgun.LogsQuery
	}{
		{"end before start", mailgun.LogsQuery{Start: t0, End: t0.Add(-time.Millisecond)}},
		{"limit too large", mailgun.LogsQuery{Limit: 101}},
		{"negative limit", mailgun.LogsQuery{Limit: -5}},
		{"bad duration", mailgun.LogsQuery{Duration: "0d"}},
		{"blank event", mailgun.LogsQuery{Events: []mailgun.EventName{""}}},
		{"blank metric event", mailgun.LogsQuery{MetricEvents: []string{" "}}},
		{"filter without values", mailgun.LogsQuery{Filter: []mailgun.FilterPredicate{{Attribute: "domain", Comparator: "="}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newMockClient(t)
			_, err := c.Logs.ListPage(ctx, tt.q)
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			assertFailsOnce(t, c.Logs.List(ctx, tt.q), mailgun.ErrInvalidArgument)
			assert.Empty(t, m.sent())
		})
	}
}

func TestLogsAgainstFake(t *testing.T) {
	now := time.Date(2024, 7, 10, 15, 30, 0, 0, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))
	t0 := now.Add(-3 * time.Hour)
	ev := seedEvents(srv, "example.com", t0)
	msg := &mailgun.EventMessage{Headers: mailgun.MessageHeaders{MessageID: "m1"}}
	srv.AddEvents("example.com",
		mailgun.Event{ID: "o2", Event: mailgun.EventOpened, Timestamp: t0.Add(time.Hour), Recipient: "alice@example.org", Message: msg},
		mailgun.Event{ID: "o3", Event: mailgun.EventOpened, Timestamp: t0.Add(2 * time.Hour), Recipient: "alice@example.org", Message: msg},
		mailgun.Event{ID: "old", Event: mailgun.EventDelivered, Timestamp: now.Add(-48 * time.Hour)},
		mailgun.Event{ID: "stored", Event: mailgun.EventStored, Timestamp: t0, Storage: &mailgun.EventStorage{Key: "k", URL: "https://api.mailgun.net/v3/domains/example.com/messages/k"},
			UserVariables: json.RawMessage(`{"a": 1}`), Template: &mailgun.EventTemplate{Name: "t", IsText: ptr(true)},
			Flags: &mailgun.EventFlags{IsTestMode: ptr(true)}},
	)
	srv.AddEvents("other.com", mailgun.Event{ID: "elsewhere", Event: mailgun.EventDelivered, Timestamp: t0})
	ctx := context.Background()
	ids := func(q mailgun.LogsQuery) []string {
		var out []string
		for it, err := range c.Logs.List(ctx, q) {
			require.NoError(t, err)
			out = append(out, it.ID)
		}
		return out
	}
	domain := []mailgun.FilterPredicate{mailgun.FilterDomain.Is("example.com")}

	all := ids(mailgun.LogsQuery{Filter: domain, Limit: 4})
	assert.Len(t, all, 10, "the last day of example.com, in pages of four")
	assert.Equal(t, "o3", all[0], "newest first")
	assert.NotContains(t, all, "old")
	assert.NotContains(t, all, "elsewhere")

	asc := ids(mailgun.LogsQuery{Filter: domain, Ascending: true, Events: []mailgun.EventName{mailgun.EventFailed, mailgun.EventRejected}})
	assert.Equal(t, []string{ev[3].ID, ev[4].ID, ev[6].ID}, asc)
	assert.Equal(t, []string{ev[5].ID, "o2"}, ids(mailgun.LogsQuery{Ascending: true, Events: []mailgun.EventName{mailgun.EventUniqueOpened}}),
		"the first open of each recipient and message")
	assert.Equal(t, []string{ev[3].ID}, ids(mailgun.LogsQuery{MetricEvents: []string{"hard_bounces"}}))
	assert.Len(t, ids(mailgun.LogsQuery{Duration: mailgun.Days(3)}), 12, "every domain, three days back")

	page, err := c.Logs.ListPage(ctx, mailgun.LogsQuery{Filter: domain, IncludeTotals: true, Limit: 2, Ascending: true})
	require.NoError(t, err)
	require.NotNil(t, page.Total)
	assert.Equal(t, int64(10), *page.Total)
	require.NotEmpty(t, page.Next)
	resumed, err := c.Logs.ListPage(ctx, mailgun.LogsQuery{Filter: domain, Limit: 2, Ascending: true, Cursor: page.Next})
	require.NoError(t, err)
	assert.Equal(t, []string{ev[1].ID, ev[2].ID}, []string{resumed.Items[0].ID, resumed.Items[1].ID})

	var stored mailgun.LogItem
	for it, err := range c.Logs.List(ctx, mailgun.LogsQuery{Events: []mailgun.EventName{mailgun.EventStored}}) {
		require.NoError(t, err)
		stored = it
	}
	assert.Equal(t, []string{"https://api.mailgun.net/v3/domains/example.com/messages/k"}, stored.Storage.URLs)
	assert.JSONEq(t, `{"a": 1}`, stored.UserVariables)
	assert.Equal(t, ptr(true), stored.Template.IsText)
	assert.Equal(t, ptr(true), stored.Flags.IsTestMode)
	assert.Equal(t, ptr(false), stored.Flags.IsRouted, "the Logs API sends every flag")
	assert.Equal(t, "example.com", stored.Domain.Name)
	assert.Equal(t, t0, stored.Timestamp)

	_, err = srv.Client().Logs.ListPage(ctx, mailgun.LogsQuery{Filter: []mailgun.FilterPredicate{{Attribute: "subject", Comparator: "=", Values: []mailgun.LabeledValue{{Value: "x"}}}}})
	assert.ErrorIs(t, err, mailgun.ErrBadRequest, "the fake rejects attributes it cannot evaluate")
}

// TestLogsEndKeepsEventsOfItsSecond: the API reads whole seconds, so an
// End with a fraction is rounded up, not cut, and the events of its own
// second stay in the range (found by the quickstart, which polled with
// End: time.Now() and missed the newest events).
func TestLogsEndKeepsEventsOfItsSecond(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 500e6, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return at.Add(time.Second) }))
	srv.AddEvents("example.com", mailgun.Event{Event: mailgun.EventDelivered, Timestamp: at, Recipient: "a@example.org"})
	n := 0
	for _, err := range c.Logs.List(context.Background(), mailgun.LogsQuery{Start: at.Add(-time.Hour), End: at.Add(200 * time.Millisecond)}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1, n)

	cm, m := newMockClient(t)
	m.respond(http.MethodPost, logsURL, 200, []byte(`{"items":[],"pagination":{}}`))
	_, err := cm.Logs.ListPage(context.Background(), mailgun.LogsQuery{Start: at, End: at})
	require.NoError(t, err)
	assert.Contains(t, string(m.only(t).Body), `"start":"Mon, 2 Mar 2026 09:00:00 +0000","end":"Mon, 2 Mar 2026 09:00:01 +0000"`)
}
