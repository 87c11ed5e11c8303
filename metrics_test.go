package mailgun_test

//lint:file-ignore SA1019 the cross-API test compares Metrics with the deprecated Stats and Events APIs.

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/contracttest"
	"github.com/mgkit/mailgun/mailguntest"
)

const (
	metricsURL = "https://api.mailgun.net/v1/analytics/metrics"
	usageURL   = "https://api.mailgun.net/v1/analytics/usage/metrics"
)

// documentedMetricsQuery is the query of
// examples/metrics-logs/post-v1-analytics-metrics.request.json.
func documentedMetricsQuery() mailgun.MetricsQuery {
	est := time.FixedZone("EST", -5*3600)
	return mailgun.MetricsQuery{
		Start:              time.Date(2024, 11, 26, 20, 56, 50, 0, est),
		End:                time.Date(2024, 11, 30, 20, 56, 50, 0, est),
		Resolution:         mailgun.ResolutionHour,
		Dimensions:         []mailgun.Dimension{mailgun.DimensionTime},
		Metrics:            []mailgun.Metric{mailgun.MetricAcceptedCount, mailgun.MetricDeliveredCount, mailgun.MetricClickedRate, mailgun.MetricOpenedRate},
		Filter:             []mailgun.FilterPredicate{mailgun.FilterDomain.Is("example.com")},
		IncludeSubaccounts: true,
		IncludeAggregates:  true,
		Sort:               "time:asc",
		Limit:              1500,
	}
}

func TestMetricsQueryWire(t *testing.T) {
	example := fixture(t, "examples/metrics-logs/post-v1-analytics-metrics.request.json")
	require.NoError(t, contracttest.Load(t).CheckRequestExample("POST", "/v1/analytics/metrics", "application/json", example))

	c, m := newMockClient(t)
	m.respond(http.MethodPost, metricsURL, 200, fixture(t, "examples/metrics-logs/post-v1-analytics-metrics.200.json"))
	resp, err := c.Metrics.Query(context.Background(), documentedMetricsQuery())
	require.NoError(t, err)
	assert.Len(t, resp.Items, 3)

	req := m.only(t)
	assert.Equal(t, http.MethodPost, req.Method)
	assert.Equal(t, "/v1/analytics/metrics", req.RequestURI)
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", req.Header.Get("Accept"))
	assertJSONEqual(t, example, req.Body)
}

func TestMetricsQueryMinimalBody(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodPost, metricsURL, 200, []byte(`{"items": []}`))
	resp, err := c.Metrics.Query(context.Background(), mailgun.MetricsQuery{
		Metrics:  []mailgun.Metric{mailgun.MetricDeliveredCount},
		Duration: mailgun.Days(30),
		Filter: []mailgun.FilterPredicate{
			mailgun.FilterTag.IsNot("internal", "test"),
			mailgun.FilterRecipientDomain.Contains("gmail"),
			{Attribute: mailgun.FilterCountry, Comparator: mailgun.CompareNotContains, Values: []mailgun.LabeledValue{{Value: "ru"}, {Label: "United States", Value: "us"}}},
		},
	})
	require.NoError(t, err)
	assert.Empty(t, resp.Items)
	assert.Nil(t, resp.Aggregates)
	assertJSONEqual(t, []byte(`{
		"duration": "30d",
		"metrics": ["delivered_count"],
		"filter": {"AND": [
			{"attribute": "tag", "comparator": "!=", "values": [{"label": "internal", "value": "internal"}, {"label": "test", "value": "test"}]},
			{"attribute": "recipient_domain", "comparator": "contains", "values": [{"label": "gmail", "value": "gmail"}]},
			{"attribute": "country", "comparator": "not contains", "values": [{"label": "ru", "value": "ru"}, {"label": "United States", "value": "us"}]}
		]}
	}`), m.only(t).Body)
}

func TestMetricsQueryIsRetriedLikeAGet(t *testing.T) {
	c, m := newMockClient(t)
	var calls atomic.Int32
	ok := fixture(t, "examples/metrics-logs/post-v1-analytics-metrics.200.json")
	m.RegisterResponder(http.MethodPost, metricsURL, func(r *http.Request) (*http.Response, error) {
		m.record(r)
		if calls.Add(1) == 1 {
			return httpmock.NewStringResponse(http.StatusServiceUnavailable, `{"message": "try again"}`), nil
		}
		return httpmock.NewBytesResponse(200, ok), nil
	})
	_, err := c.Metrics.Query(context.Background(), documentedMetricsQuery())
	require.NoError(t, err)
	sent := m.sent()
	require.Len(t, sent, 2, "a read-only POST is retried on 503")
	assert.Equal(t, sent[0].Body, sent[1].Body)
}

func TestMetricsDecodeExample(t *testing.T) {
	body := example(t, "metrics-logs/post-v1-analytics-metrics.200.json", "POST", "/v1/analytics/metrics", 200)
	var r mailgun.MetricsResponse
	require.NoError(t, json.Unmarshal(body, &r))
	assert.Equal(t, time.Date(2024, 11, 27, 1, 0, 0, 0, time.UTC), r.Start.UTC())
	assert.Equal(t, time.Date(2024, 12, 1, 1, 0, 0, 0, time.UTC), r.End.UTC())
	assert.Equal(t, mailgun.ResolutionHour, r.Resolution)
	assert.Equal(t, []mailgun.Dimension{mailgun.DimensionTime}, r.Dimensions)
	assert.Equal(t, mailgun.MetricsPagination{Sort: "time:asc", Skip: 0, Limit: 1500, Total: 3}, r.Pagination)
	require.Len(t, r.Items, 3)

	it := r.Items[1]
	dv, ok := it.Dimension(mailgun.DimensionTime)
	require.True(t, ok)
	assert.Equal(t, "Wed, 27 Nov 2024 13:00:00 +0000", dv.DisplayValue)
	when, err := dv.Time()
	require.NoError(t, err)
	assert.Equal(t, time.Date(2024, 11, 27, 13, 0, 0, 0, time.UTC), when.UTC())
	_, ok = it.Dimension(mailgun.DimensionDomain)
	assert.False(t, ok)

	assert.Equal(t, i64(1), it.Metrics.AcceptedCount)
	assert.Equal(t, i64(1), it.Metrics.DeliveredCount)
	assert.Equal(t, mailgun.Decimal("0.0000"), it.Metrics.OpenedRate)
	assert.Equal(t, mailgun.Decimal("0.0000"), it.Metrics.ClickedRate)
	assert.Nil(t, it.Metrics.OpenedCount, "not requested is nil, not zero")
	assert.Equal(t, mailgun.Decimal(""), it.Metrics.BounceRate)

	require.NotNil(t, r.Aggregates)
	assert.Equal(t, i64(3), r.Aggregates.AcceptedCount)
	assert.Equal(t, mailgun.Decimal("0.0000"), r.Aggregates.OpenedRate)
}

// Count reads every counter by its metric name, with 0 for a counter not
// requested or null, a rate, an unknown name and nil values.
func TestMetricValuesCount(t *testing.T) {
	var r mailgun.MetricsResponse
	require.NoError(t, json.Unmarshal(fixture(t, "examples/metrics-logs/post-v1-analytics-metrics.200.json"), &r))
	m := r.Items[1].Metrics
	assert.Equal(t, int64(1), m.Count(mailgun.MetricAcceptedCount))
	assert.Equal(t, int64(1), m.Count(mailgun.MetricDeliveredCount))
	assert.Equal(t, int64(0), m.Count(mailgun.MetricOpenedCount), "not requested")
	assert.Equal(t, int64(0), m.Count(mailgun.MetricOpenedRate), "a rate")
	assert.Equal(t, int64(0), m.Count("no_such_count"))
	assert.Equal(t, int64(3), r.Aggregates.Count(mailgun.MetricAcceptedCount))
	var none *mailgun.MetricValues // Aggregates of a query without them
	assert.Equal(t, int64(0), none.Count(mailgun.MetricAcceptedCount))
	var noUsage *mailgun.UsageValues
	assert.Equal(t, int64(0), noUsage.Count(mailgun.UsageProcessedCount))

	// Every counter field, of both types, is reached by its JSON name.
	checkCounts := func(v any, count func(name string) int64) {
		rv := reflect.ValueOf(v).Elem()
		n := 0
		for i := range rv.NumField() {
			f := rv.Type().Field(i)
			if f.Type != reflect.TypeFor[*int64]() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			assert.Equal(t, int64(0), count(name), "%s unset", name)
			val := int64(1000 + i)
			rv.Field(i).Set(reflect.ValueOf(&val))
			assert.Equal(t, val, count(name), name)
			n++
		}
		assert.Greater(t, n, 20)
	}
	var mv mailgun.MetricValues
	checkCounts(&mv, func(name string) int64 { return mv.Count(mailgun.Metric(name)) })
	var uv mailgun.UsageValues
	checkCounts(&uv, func(name string) int64 { return uv.Count(mailgun.UsageMetric(name)) })
	assert.Equal(t, *mv.ESPBlockCount, mv.Count(mailgun.MetricESPBlockCount))
	assert.Equal(t, *uv.ArchivedCount, uv.Count(mailgun.UsageArchivedCount))
}

func TestMetricsDecodeNullsAndRates(t *testing.T) {
	var r mailgun.MetricsResponse
	require.NoError(t, json.Unmarshal([]byte(`{
		"start": "Mon, 13 Nov 2023 20:56:50 -0600", "end": "Wed, 20 Dec 2023 20:56:50 -0600", "duration": "1m",
		"items": [{"dimensions": [], "metrics": {"accepted_count": null, "delivered_count": 0, "clicked_rate": "0.8300", "permanent_failed_old_count": 7, "hard_bounce_rate": 0.5}}],
		"aggregates": {"metrics": {}}
	}`), &r))
	m := r.Items[0].Metrics
	assert.Nil(t, m.AcceptedCount, "null is nil")
	assert.Equal(t, i64(0), m.DeliveredCount, "zero is not nil")
	assert.Equal(t, mailgun.Decimal("0.8300"), m.ClickedRate, "rates keep their exact text")
	assert.Equal(t, i64(7), m.PermanentFailedOldCount)
	assert.Equal(t, mailgun.Decimal("0.5"), m.HardBounceRate)
	assert.Equal(t, mailgun.Months(1), r.Duration)
	require.NotNil(t, r.Aggregates)
	assert.Equal(t, mailgun.MetricValues{}, *r.Aggregates)
	assert.Equal(t, time.Date(2023, 11, 14, 2, 56, 50, 0, time.UTC), r.Start.UTC())
}

// TestMetricsPageKeepsEveryItemWithAMistypedField: one value of an
// unexpected type, at any depth of an item, is dropped and the item kept.
func TestMetricsPageKeepsEveryItemWithAMistypedField(t *testing.T) {
	var doc struct {
		Items []json.RawMessage `json:"items"`
	}
	require.NoError(t, json.Unmarshal(fixture(t, "examples/metrics-logs/post-v1-analytics-metrics.200.json"), &doc))
	mailgun.CheckListTolerance(t, doc.Items[0], nil, func(items [][]byte) []byte {
		return []byte(`{"items":[` + string(bytes.Join(items, []byte(","))) + `],"pagination":{"total":1}}`)
	}, func(t *testing.T, body []byte) ([]mailgun.MetricsItem, error) {
		var r mailgun.MetricsResponse
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, err
		}
		return r.Items, nil
	})
}

// TestMetricsPageStructure: a response fails only when it is not an object
// or its items are not an array; other values of an unexpected type, and
// items that are not objects, do not fail it.
func TestMetricsPageStructure(t *testing.T) {
	for _, c := range []struct {
		body  string
		items int
		err   bool
	}{
		{`{"items":[{"metrics":{"accepted_count":1}},"x",null,7,{"dimensions":5}],"pagination":{"total":2}}`, 2, false},
		{`{"items":[],"start":5,"end":"yesterday","resolution":[],"duration":{},"dimensions":[1,"time"],"pagination":"x","aggregates":[]}`, 0, false},
		{`{"items":{"metrics":{}}}`, 0, true},
		{`{"items":"x"}`, 0, true},
		{`[]`, 0, true},
	} {
		var r mailgun.MetricsResponse
		err := json.Unmarshal([]byte(c.body), &r)
		if c.err {
			assert.Error(t, err, c.body)
			continue
		}
		require.NoError(t, err, c.body)
		assert.Len(t, r.Items, c.items, c.body)
	}
	var u mailgun.UsageResponse
	require.NoError(t, json.Unmarshal([]byte(`{"items":[{"metrics":{"processed_count":"x","email_preview_count":2}}],"aggregates":{"metrics":{"processed_count":[]}}}`), &u))
	assert.Equal(t, []mailgun.UsageItem{{Metrics: mailgun.UsageValues{EmailPreviewCount: i64(2)}}}, u.Items)
	assert.Equal(t, &mailgun.UsageValues{}, u.Aggregates)
}

func TestMetricsErrorExample(t *testing.T) {
	body := example(t, "metrics-logs/post-v1-analytics-metrics.400.json", "POST", "/v1/analytics/metrics", 400)
	c, m := newMockClient(t)
	m.respond(http.MethodPost, metricsURL, 400, body)
	_, err := c.Metrics.Query(context.Background(), documentedMetricsQuery())
	assert.ErrorIs(t, err, mailgun.ErrBadRequest)
	var apiErr *mailgun.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "reason for bad request", apiErr.Message)
	assert.Len(t, m.sent(), 1, "a 400 is not retried")
}

func TestMetricsTruncatedBody(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodPost, metricsURL, 200, []byte(`{"items": [{"dimensions": [`))
	_, err := c.Metrics.Query(context.Background(), documentedMetricsQuery())
	assert.ErrorIs(t, err, mailgun.ErrInvalidResponse)
}

// usageExample is the response example of the usage endpoint in the contract.
const usageExample = `{
	"start": "Mon, 13 Nov 2023 20:56:50 -0600", "end": "Wed, 20 Dec 2023 20:56:50 -0600",
	"resolution": "month", "duration": "1m",
	"pagination": {"sort": "timestamp:asc", "skip": 1, "limit": 10, "total": 1000},
	"items": [{
		"dimensions": [{"dimension": "time", "value": "Wed, 01 Nov 2023 00:00:00 +0000", "display_value": "Wed, 01 Nov 2023 00:00:00 +0000"}],
		"metrics": {"processed_count": 3, "email_validation_count": 50, "email_validation_mailjet_count": 5, "domain_blocklist_monitoring_count": 1001}
	}],
	"aggregates": {"metrics": {}}
}`

func TestMetricsUsageWireAndDecode(t *testing.T) {
	require.NoError(t, contracttest.Load(t).CheckExample("POST", "/v1/analytics/usage/metrics", 200, "application/json", []byte(usageExample)))
	c, m := newMockClient(t)
	m.respond(http.MethodPost, usageURL, 200, []byte(usageExample))
	r, err := c.Metrics.Usage(context.Background(), mailgun.UsageQuery{
		Start:      time.Date(2023, 11, 13, 20, 56, 50, 0, time.FixedZone("", -6*3600)),
		End:        time.Date(2023, 12, 20, 20, 56, 50, 0, time.FixedZone("", -6*3600)),
		Resolution: mailgun.ResolutionMonth,
		Duration:   mailgun.Months(1),
		Dimensions: []mailgun.Dimension{mailgun.DimensionTime},
		Metrics:    []mailgun.UsageMetric{mailgun.UsageProcessedCount, mailgun.UsageEmailValidationCount},
		Filter:     []mailgun.FilterPredicate{mailgun.FilterSubaccount.Is("12345")},
	})
	require.NoError(t, err)
	req := m.only(t)
	assert.Equal(t, "/v1/analytics/usage/metrics", req.RequestURI)
	assertJSONEqual(t, []byte(`{
		"start": "Mon, 13 Nov 2023 20:56:50 -0600", "end": "Wed, 20 Dec 2023 20:56:50 -0600",
		"resolution": "month", "duration": "1m", "dimensions": ["time"],
		"metrics": ["processed_count", "email_validation_count"],
		"filter": {"AND": [{"attribute": "subaccount", "comparator": "=", "values": [{"label": "12345", "value": "12345"}]}]}
	}`), req.Body)

	require.Len(t, r.Items, 1)
	assert.Equal(t, i64(3), r.Items[0].Metrics.ProcessedCount)
	assert.Equal(t, i64(50), r.Items[0].Metrics.EmailValidationCount)
	assert.Equal(t, i64(1001), r.Items[0].Metrics.DomainBlocklistMonitoringCount)
	assert.Nil(t, r.Items[0].Metrics.SeedTestCount)
	assert.Equal(t, int64(1000), r.Pagination.Total)
	dv, ok := r.Items[0].Dimension(mailgun.DimensionTime)
	require.True(t, ok)
	assert.Equal(t, "Wed, 01 Nov 2023 00:00:00 +0000", dv.Value)
}

// pagedMetrics answers metrics queries from a list of n items, honouring
// the request's skip and limit.
func pagedMetrics(t *testing.T, m *mock, url string, n int) {
	m.RegisterResponder(http.MethodPost, url, func(r *http.Request) (*http.Response, error) {
		m.record(r)
		sent := m.sent()
		var req struct {
			Pagination struct{ Skip, Limit int } `json:"pagination"`
		}
		require.NoError(t, json.Unmarshal(sent[len(sent)-1].Body, &req))
		var items []map[string]any
		for i := req.Pagination.Skip; i < n && len(items) < req.Pagination.Limit; i++ {
			items = append(items, map[string]any{
				"dimensions": []map[string]string{{"dimension": "domain", "value": string(rune('a'+i)) + ".example", "display_value": ""}},
				"metrics":    map[string]any{"accepted_count": i, "processed_count": i},
			})
		}
		return httpmock.NewJsonResponse(200, map[string]any{
			"items":      items,
			"pagination": map[string]any{"sort": "", "skip": req.Pagination.Skip, "limit": req.Pagination.Limit, "total": n},
		})
	})
}

func TestMetricsQueryAllPages(t *testing.T) {
	c, m := newMockClient(t)
	pagedMetrics(t, m, metricsURL, 7)
	var got []int64
	for it, err := range c.Metrics.QueryAll(context.Background(), mailgun.MetricsQuery{
		Metrics: []mailgun.Metric{mailgun.MetricAcceptedCount}, Dimensions: []mailgun.Dimension{mailgun.DimensionDomain}, Limit: 3, Skip: 1,
	}) {
		require.NoError(t, err)
		got = append(got, *it.Metrics.AcceptedCount)
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5, 6}, got)
	var skips []int
	for _, r := range m.sent() {
		var body struct {
			Pagination struct{ Skip, Limit int } `json:"pagination"`
		}
		require.NoError(t, json.Unmarshal(r.Body, &body))
		skips = append(skips, body.Pagination.Skip)
		assert.Equal(t, 3, body.Pagination.Limit)
	}
	assert.Equal(t, []int{1, 4}, skips, "the total stops the walk without an empty page")

	c, m = newMockClient(t)
	pagedMetrics(t, m, usageURL, 4)
	n := 0
	for it, err := range c.Metrics.UsageAll(context.Background(), mailgun.UsageQuery{Metrics: []mailgun.UsageMetric{mailgun.UsageProcessedCount}, Limit: 2}) {
		require.NoError(t, err)
		assert.Equal(t, int64(n), *it.Metrics.ProcessedCount)
		n++
	}
	assert.Equal(t, 4, n)
	assert.Len(t, m.sent(), 2)
}

func TestMetricsQueryAllStopsOnAShortPageWithoutTotal(t *testing.T) {
	c, m := newMockClient(t)
	m.respond(http.MethodPost, metricsURL, 200, []byte(`{"items": [{"dimensions": [], "metrics": {"accepted_count": 1}}], "pagination": {"sort": "", "skip": 0, "limit": 10, "total": 0}}`))
	n := 0
	for _, err := range c.Metrics.QueryAll(context.Background(), mailgun.MetricsQuery{Metrics: []mailgun.Metric{mailgun.MetricAcceptedCount}}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 1, n)
	assert.Len(t, m.sent(), 1)
	var body map[string]any
	require.NoError(t, json.Unmarshal(m.only(t).Body, &body))
	assert.Equal(t, map[string]any{"skip": float64(0)}, body["pagination"], "QueryAll always sends where it starts")
}

func TestMetricsBadInput(t *testing.T) {
	ctx := context.Background()
	ok := []mailgun.Metric{mailgun.MetricAcceptedCount}
	t0 := time.Unix(1700000000, 0)
	tests := []struct {
		name string
		q    mailgun.MetricsQuery
	}{
		{"no metrics", mailgun.MetricsQuery{}},
		{"blank metric", mailgun.MetricsQuery{Metrics: []mailgun.Metric{""}}},
		{"end before start", mailgun.MetricsQuery{Metrics: ok, Start: t0, End: t0.Add(-time.Second)}},
		{"limit too large", mailgun.MetricsQuery{Metrics: ok, Limit: 1501}},
		{"negative limit", mailgun.MetricsQuery{Metrics: ok, Limit: -1}},
		{"negative skip", mailgun.MetricsQuery{Metrics: ok, Skip: -1}},
		{"bad resolution", mailgun.MetricsQuery{Metrics: ok, Resolution: "minute"}},
		{"bad duration", mailgun.MetricsQuery{Metrics: ok, Duration: "1w"}},
		{"negative duration", mailgun.MetricsQuery{Metrics: ok, Duration: mailgun.Days(-1)}},
		{"blank dimension", mailgun.MetricsQuery{Metrics: ok, Dimensions: []mailgun.Dimension{" "}}},
		{"filter without values", mailgun.MetricsQuery{Metrics: ok, Filter: []mailgun.FilterPredicate{mailgun.FilterDomain.Is()}}},
		{"filter without attribute", mailgun.MetricsQuery{Metrics: ok, Filter: []mailgun.FilterPredicate{{Comparator: mailgun.CompareEqual, Values: []mailgun.LabeledValue{{Value: "x"}}}}}},
		{"filter with unknown comparator", mailgun.MetricsQuery{Metrics: ok, Filter: []mailgun.FilterPredicate{{Attribute: "domain", Comparator: "~", Values: []mailgun.LabeledValue{{Value: "x"}}}}}},
		{"filter with empty value", mailgun.MetricsQuery{Metrics: ok, Filter: []mailgun.FilterPredicate{mailgun.FilterDomain.Is("")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, m := newMockClient(t)
			_, err := c.Metrics.Query(ctx, tt.q)
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			assertFailsOnce(t, c.Metrics.QueryAll(ctx, tt.q), mailgun.ErrInvalidArgument)
			u := mailgun.UsageQuery{Start: tt.q.Start, End: tt.q.End, Resolution: tt.q.Resolution, Duration: tt.q.Duration, Dimensions: tt.q.Dimensions, Filter: tt.q.Filter, Skip: tt.q.Skip, Limit: tt.q.Limit}
			for _, m := range tt.q.Metrics {
				u.Metrics = append(u.Metrics, mailgun.UsageMetric(m))
			}
			_, err = c.Metrics.Usage(ctx, u)
			assert.ErrorIs(t, err, mailgun.ErrInvalidArgument)
			assert.Empty(t, m.sent())
		})
	}
}

func TestMetricsAgainstFake(t *testing.T) {
	now := time.Date(2024, 7, 10, 15, 30, 0, 0, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))
	h := time.Date(2024, 7, 10, 9, 0, 0, 0, time.UTC)
	msg := &mailgun.EventMessage{Headers: mailgun.MessageHeaders{MessageID: "m1"}}
	srv.AddEvents("example.com",
		mailgun.Event{Event: mailgun.EventAccepted, Timestamp: h, Recipient: "a@gmail.example", Tags: []string{"news"}},
		mailgun.Event{Event: mailgun.EventAccepted, Timestamp: h, Recipient: "b@yahoo.example"},
		mailgun.Event{Event: mailgun.EventDelivered, Timestamp: h.Add(time.Minute), Recipient: "a@gmail.example", Tags: []string{"news"}},
		mailgun.Event{Event: mailgun.EventDelivered, Timestamp: h.Add(time.Hour), Recipient: "b@yahoo.example"},
		mailgun.Event{Event: mailgun.EventOpened, Timestamp: h.Add(2 * time.Hour), Recipient: "a@gmail.example", Message: msg, Tags: []string{"news"}},
		mailgun.Event{Event: mailgun.EventOpened, Timestamp: h.Add(3 * time.Hour), Recipient: "a@gmail.example", Message: msg, Tags: []string{"news"}},
	)
	srv.AddEvents("other.com", mailgun.Event{Event: mailgun.EventAccepted, Timestamp: h, Recipient: "c@gmail.example"})
	ctx := context.Background()

	r, err := c.Metrics.Query(ctx, mailgun.MetricsQuery{
		Resolution:        mailgun.ResolutionHour,
		Dimensions:        []mailgun.Dimension{mailgun.DimensionTime},
		Metrics:           []mailgun.Metric{mailgun.MetricAcceptedCount, mailgun.MetricDeliveredCount, mailgun.MetricUniqueOpenedCount, mailgun.MetricOpenedRate},
		Filter:            []mailgun.FilterPredicate{mailgun.FilterDomain.Is("example.com")},
		IncludeAggregates: true,
	})
	require.NoError(t, err)
	require.Len(t, r.Items, 4, "only hours with events")
	first := r.Items[0]
	dv, _ := first.Dimension(mailgun.DimensionTime)
	when, err := dv.Time()
	require.NoError(t, err)
	assert.Equal(t, h, when.UTC())
	assert.Equal(t, i64(2), first.Metrics.AcceptedCount)
	assert.Equal(t, i64(1), first.Metrics.DeliveredCount)
	require.NotNil(t, r.Aggregates)
	assert.Equal(t, i64(2), r.Aggregates.AcceptedCount)
	assert.Equal(t, i64(2), r.Aggregates.DeliveredCount)
	assert.Equal(t, i64(1), r.Aggregates.UniqueOpenedCount)
	assert.Equal(t, mailgun.Decimal("1.0000"), r.Aggregates.OpenedRate, "2 opens / 2 deliveries")
	assert.Equal(t, int64(4), r.Pagination.Total)

	// Grouped by domain, sorted descending, one per page.
	var domains []string
	for it, err := range c.Metrics.QueryAll(ctx, mailgun.MetricsQuery{
		Dimensions: []mailgun.Dimension{mailgun.DimensionDomain},
		Metrics:    []mailgun.Metric{mailgun.MetricAcceptedCount},
		Sort:       "domain:desc",
		Limit:      1,
	}) {
		require.NoError(t, err)
		dv, _ := it.Dimension(mailgun.DimensionDomain)
		domains = append(domains, dv.Value+"="+jsonNumber(*it.Metrics.AcceptedCount))
	}
	assert.Equal(t, []string{"other.com=1", "example.com=2"}, domains)

	byTag, err := c.Metrics.Query(ctx, mailgun.MetricsQuery{
		Dimensions: []mailgun.Dimension{mailgun.DimensionTag},
		Metrics:    []mailgun.Metric{mailgun.MetricOpenedCount},
		Filter:     []mailgun.FilterPredicate{mailgun.FilterRecipientDomain.Contains("gmail")},
	})
	require.NoError(t, err)
	require.Len(t, byTag.Items, 2, "tagged and untagged")
	tagged := byTag.Items[1]
	dv, _ = tagged.Dimension(mailgun.DimensionTag)
	assert.Equal(t, "news", dv.Value)
	assert.Equal(t, i64(2), tagged.Metrics.OpenedCount)

	usage, err := c.Metrics.Usage(ctx, mailgun.UsageQuery{Metrics: []mailgun.UsageMetric{mailgun.UsageProcessedCount, mailgun.UsageSeedTestCount}, IncludeAggregates: true})
	require.NoError(t, err)
	assert.Equal(t, i64(3), usage.Aggregates.ProcessedCount)
	assert.Equal(t, i64(0), usage.Aggregates.SeedTestCount)
}

func TestMetricsByIPPoolAgainstFake(t *testing.T) {
	now := time.Date(2024, 7, 10, 15, 30, 0, 0, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))
	h := now.Add(-time.Hour)
	pool := func(id string) *mailgun.EventEnvelope { return &mailgun.EventEnvelope{IPPoolID: id} }
	srv.AddEvents("example.com",
		mailgun.Event{Event: mailgun.EventDelivered, Timestamp: h, Recipient: "a@example.org", Envelope: pool("pool-a")},
		mailgun.Event{Event: mailgun.EventDelivered, Timestamp: h, Recipient: "b@example.org", Envelope: pool("pool-a")},
		mailgun.Event{Event: mailgun.EventDelivered, Timestamp: h, Recipient: "c@example.org", Envelope: pool("pool-b")},
	)
	r, err := c.Metrics.Query(context.Background(), mailgun.MetricsQuery{
		Dimensions: []mailgun.Dimension{mailgun.DimensionIPPool},
		Metrics:    []mailgun.Metric{mailgun.MetricDeliveredCount},
		Filter:     []mailgun.FilterPredicate{mailgun.FilterIPPool.Is("pool-a", "pool-b")},
		Sort:       "ip_pool:asc",
	})
	require.NoError(t, err)
	var got []string
	for _, it := range r.Items {
		dv, ok := it.Dimension(mailgun.DimensionIPPool)
		require.True(t, ok)
		got = append(got, dv.Value+"="+jsonNumber(*it.Metrics.DeliveredCount))
	}
	assert.Equal(t, []string{"pool-a=2", "pool-b=1"}, got)
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestReportingNumbersAgree checks that the fake's four reporting APIs
// tell the same story about the same events.
func TestReportingNumbersAgree(t *testing.T) {
	now := time.Date(2024, 7, 10, 15, 30, 0, 0, time.UTC)
	srv, c := newFake(t, mailguntest.WithClock(func() time.Time { return now }))
	seedEvents(srv, "example.com", now.Add(-2*time.Hour))
	seedEvents(srv, "example.com", now.Add(-26*time.Hour))
	seedEvents(srv, "other.com", now.Add(-3*time.Hour))
	ctx := context.Background()
	start, end := now.Add(-3*24*time.Hour), now

	counts := map[string]map[string]int64{"events": {}, "logs": {}, "stats": {}, "metrics": {}}
	for e, err := range c.Events.List(ctx, "example.com", &mailgun.EventsQuery{Begin: start, End: end, Limit: 4}) {
		require.NoError(t, err)
		counts["events"][string(e.Event)]++
	}
	for it, err := range c.Logs.List(ctx, mailgun.LogsQuery{Start: start, End: end, Filter: []mailgun.FilterPredicate{mailgun.FilterDomain.Is("example.com")}, Limit: 3}) {
		require.NoError(t, err)
		counts["logs"][string(it.Event)]++
	}
	st, err := c.Stats.DomainTotals(ctx, "example.com", mailgun.StatsQuery{
		Events: []mailgun.EventName{mailgun.EventAccepted, mailgun.EventDelivered, mailgun.EventFailed, mailgun.EventOpened},
		Start:  start, End: end, Resolution: mailgun.ResolutionHour,
	})
	require.NoError(t, err)
	for _, it := range st.Stats {
		counts["stats"]["accepted"] += it.Accepted.Total
		counts["stats"]["delivered"] += it.Delivered.Total
		counts["stats"]["failed"] += it.Failed.Permanent.Total + it.Failed.Temporary.Total
		counts["stats"]["opened"] += it.Opened.Total
	}
	mr, err := c.Metrics.Query(ctx, mailgun.MetricsQuery{
		Start: start, End: end,
		Metrics: []mailgun.Metric{mailgun.MetricAcceptedCount, mailgun.MetricDeliveredCount, mailgun.MetricFailedCount, mailgun.MetricOpenedCount},
		Filter:  []mailgun.FilterPredicate{mailgun.FilterDomain.Is("example.com")}, IncludeAggregates: true,
	})
	require.NoError(t, err)
	counts["metrics"]["accepted"] = *mr.Aggregates.AcceptedCount
	counts["metrics"]["delivered"] = *mr.Aggregates.DeliveredCount
	counts["metrics"]["failed"] = *mr.Aggregates.FailedCount
	counts["metrics"]["opened"] = *mr.Aggregates.OpenedCount

	want := map[string]int64{"accepted": 4, "delivered": 2, "failed": 4, "opened": 2}
	for api, got := range counts {
		for name, n := range want {
			assert.Equal(t, n, got[name], "%s: %s", api, name)
		}
	}
}
