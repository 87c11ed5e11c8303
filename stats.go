package mailgun

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// StatsService reads aggregated event counters (/v3/.../stats, /v3/{domain}/aggregates).
//
// Deprecated: Mailgun deprecated the Stats API; use MetricsService.
type StatsService service

// StatsQuery selects the counters of DomainTotals and AccountTotals.
//
// Deprecated: the Stats API is deprecated; use MetricsQuery.
type StatsQuery struct {
	// Events names the counter groups wanted, at least one of accepted,
	// delivered, failed, opened, clicked, unsubscribed, complained and
	// stored; each is sent as its own "event" parameter.
	Events []EventName
	// Start and End bound the period, sent as Unix seconds; the API
	// defaults to the seven days before now. End must not be before Start.
	Start time.Time
	End   time.Time
	// Resolution is the bucket size; the API defaults to a day.
	Resolution Resolution
	// Duration, when set, is the period before End (Months(2) is two
	// months); the API then ignores Start.
	Duration Duration
}

func (q *StatsQuery) encode() (url.Values, error) {
	if len(q.Events) == 0 {
		return nil, invalidArg("events is empty: name at least one event type")
	}
	v := url.Values{}
	for i, e := range q.Events {
		if strings.TrimSpace(string(e)) == "" {
			return nil, invalidArg("event %d is empty", i+1)
		}
		v.Add("event", string(e))
	}
	if err := checkRange("start", q.Start, "end", q.End); err != nil {
		return nil, err
	}
	if err := q.Resolution.check(); err != nil {
		return nil, err
	}
	if err := q.Duration.check(); err != nil {
		return nil, err
	}
	setUnix(v, "start", floorSeconds(q.Start))
	setUnix(v, "end", ceilSeconds(q.End))
	if q.Resolution != "" {
		v.Set("resolution", string(q.Resolution))
	}
	if q.Duration != "" {
		v.Set("duration", string(q.Duration))
	}
	return v, nil
}

// StatsFilterQuery is a StatsQuery narrowed by a filter and grouped.
//
// Deprecated: the Stats API is deprecated; use MetricsQuery with Filter
// and Dimensions.
type StatsFilterQuery struct {
	StatsQuery
	// Filter is "key:value", such as "domain:example.com",
	// "subaccount:<id>" or "ip_pool:<id>".
	Filter string
	// Group is the grouping key, such as "domain", "provider", "tag",
	// "country", "ip" or "time". How grouped items are labelled is not
	// documented: read StatsResponse.Raw.
	Group string
}

// PerDomainStatsQuery selects the per-domain totals of one time bucket.
//
// Deprecated: the Stats API is deprecated; use MetricsQuery with
// DimensionDomain.
type PerDomainStatsQuery struct {
	// Events names the counter groups wanted (at least one).
	Events []EventName
	// Timestamp is a time inside the bucket to read; it is required.
	Timestamp time.Time
	// Resolution is the bucket size; the API defaults to a day.
	Resolution Resolution
	// Limit is passed through as the "limit" parameter when positive;
	// the reference describes it both as a page size and as a number of
	// domains to skip.
	Limit int
}

// StatsResponse is the counters of a period, one item per time bucket.
//
// Deprecated: the Stats API is deprecated; MetricsResponse replaces it.
type StatsResponse struct {
	Description string
	// Start and End are the period, aligned to the resolution.
	Start      time.Time
	End        time.Time
	Resolution Resolution
	// Tag and Type appear only in some variants of the response.
	Tag   string
	Type  *StatsType
	Stats []StatsItem
	// Raw is the response body as received. It holds what the documented
	// shape cannot express, such as the labels of grouped (Filter) and
	// per-domain (PerDomainTotals) items, whose shapes are undocumented.
	Raw json.RawMessage
}

// StatsType is the "type" object of some stats responses.
type StatsType struct {
	Type string `json:"type"`
	Key  string `json:"key"`
}

// StatsItem holds the counters of one time bucket. Only the groups of the
// requested events are present: a nil group was not sent, which is not the
// same as zero. Inside a group, pointer fields are the counters the API
// may leave out.
//
// Deprecated: the Stats API is deprecated; MetricsItem replaces it.
type StatsItem struct {
	// Time is the start of the bucket.
	Time         time.Time        `json:"time"`
	Accepted     *StatsAccepted   `json:"accepted,omitempty"`
	Delivered    *StatsDelivered  `json:"delivered,omitempty"`
	Failed       *StatsFailed     `json:"failed,omitempty"`
	Stored       *StatsTotal      `json:"stored,omitempty"`
	Opened       *StatsEngagement `json:"opened,omitempty"`
	Clicked      *StatsEngagement `json:"clicked,omitempty"`
	Unsubscribed *StatsTotal      `json:"unsubscribed,omitempty"`
	Complained   *StatsTotal      `json:"complained,omitempty"`

	// Account usage counters.
	Campaign                  *StatsTotal           `json:"campaign,omitempty"`
	SeedTest                  *StatsTotal           `json:"seed_test,omitempty"`
	IPBlocklistMonitoring     *StatsTotal           `json:"ip_blocklist_monitoring,omitempty"`
	DomainBlocklistMonitoring *StatsTotal           `json:"domain_blocklist_monitoring,omitempty"`
	EmailPreview              *StatsTotal           `json:"email_preview,omitempty"`
	EmailPreviewFailed        *StatsTotal           `json:"email_preview_failed,omitempty"`
	LinkValidation            *StatsTotal           `json:"link_validation,omitempty"`
	LinkValidationFailed      *StatsTotal           `json:"link_validation_failed,omitempty"`
	EmailValidation           *StatsEmailValidation `json:"email_validation,omitempty"`
}

// StatsAccepted counts accepted messages: Outgoing were sent by you,
// Incoming arrived through routes, forwards and lists.
type StatsAccepted struct {
	Incoming int64 `json:"incoming"`
	Outgoing int64 `json:"outgoing"`
	Total    int64 `json:"total"`
}

// StatsDelivered counts deliveries by how they went out; Optimized counts
// Send Time Optimization deliveries.
type StatsDelivered struct {
	SMTP      *int64 `json:"smtp,omitempty"`
	HTTP      *int64 `json:"http,omitempty"`
	Optimized *int64 `json:"optimized,omitempty"`
	Total     int64  `json:"total"`
}

// StatsFailed counts failures by severity.
type StatsFailed struct {
	Temporary StatsTemporaryFailed `json:"temporary"`
	Permanent StatsPermanentFailed `json:"permanent"`
}

// StatsTemporaryFailed counts failures Mailgun retries.
type StatsTemporaryFailed struct {
	ESPBlock int64 `json:"espblock"`
	Total    int64 `json:"total"`
}

// StatsPermanentFailed counts failures Mailgun gave up on, by cause.
type StatsPermanentFailed struct {
	SuppressBounce      *int64 `json:"suppress-bounce,omitempty"`
	SuppressUnsubscribe *int64 `json:"suppress-unsubscribe,omitempty"`
	SuppressComplaint   *int64 `json:"suppress-complaint,omitempty"`
	Bounce              *int64 `json:"bounce,omitempty"`
	DelayedBounce       *int64 `json:"delayed-bounce,omitempty"`
	Webhook             *int64 `json:"webhook,omitempty"`
	Optimized           *int64 `json:"optimized,omitempty"`
	Total               int64  `json:"total"`
}

// StatsEngagement counts opens or clicks; Unique counts each recipient
// once and may be absent.
type StatsEngagement struct {
	Total  int64  `json:"total"`
	Unique *int64 `json:"unique,omitempty"`
}

// StatsTotal is a counter group with only a total.
type StatsTotal struct {
	Total int64 `json:"total"`
}

// StatsEmailValidation counts email validations by kind.
type StatsEmailValidation struct {
	Total   int64 `json:"total"`
	Public  int64 `json:"public"`
	Valid   int64 `json:"valid"`
	Single  int64 `json:"single"`
	Bulk    int64 `json:"bulk"`
	List    int64 `json:"list"`
	Mailgun int64 `json:"mailgun"`
	Mailjet int64 `json:"mailjet"`
}

// UnmarshalJSON reads the item and its RFC 2822 time.
func (it *StatsItem) UnmarshalJSON(b []byte) error {
	type fields StatsItem
	var w struct {
		*fields
		Time rfc2822Time `json:"time"`
	}
	*it = StatsItem{}
	w.fields = (*fields)(it)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	it.Time = time.Time(w.Time)
	return nil
}

// UnmarshalJSON reads the response, its RFC 2822 times, and keeps the body
// in Raw. It fails only when the body is not a JSON object or stats is not
// an array: by the list rule, a field of an unexpected type is left zero,
// inside an item too, and an item that is not an object is skipped.
func (r *StatsResponse) UnmarshalJSON(b []byte) error {
	var w struct {
		Description lenient[string]        `json:"description"`
		Start       lenient[rfc2822Time]   `json:"start"`
		End         lenient[rfc2822Time]   `json:"end"`
		Resolution  lenient[Resolution]    `json:"resolution"`
		Tag         lenient[string]        `json:"tag"`
		Type        lenient[*StatsType]    `json:"type"`
		Stats       lenientList[StatsItem] `json:"stats"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = StatsResponse{
		Description: w.Description.V, Start: time.Time(w.Start.V), End: time.Time(w.End.V),
		Resolution: w.Resolution.V, Tag: w.Tag.V, Type: w.Type.V, Stats: w.Stats, Raw: bytes.Clone(b),
	}
	return nil
}

// DomainTotals returns the counters of domain for q. Bad input (an empty
// domain, no events, End before Start, a malformed Duration) is an error
// wrapping ErrInvalidArgument and nothing is sent.
func (s *StatsService) DomainTotals(ctx context.Context, domain string, q StatsQuery) (*StatsResponse, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	v, err := q.encode()
	if err != nil {
		return nil, err
	}
	return s.get(ctx, []string{"v3", domain, "stats", "total"}, v)
}

// AccountTotals returns the counters of the whole account for q, with the
// same checks as DomainTotals.
func (s *StatsService) AccountTotals(ctx context.Context, q StatsQuery) (*StatsResponse, error) {
	v, err := q.encode()
	if err != nil {
		return nil, err
	}
	return s.get(ctx, []string{"v3", "stats", "total"}, v)
}

// PerDomainTotals returns the counters of each domain of the account for
// one time bucket. The documented shape is decoded; the per-domain rows,
// whose shape is not documented, are in StatsResponse.Raw.
func (s *StatsService) PerDomainTotals(ctx context.Context, q PerDomainStatsQuery) (*StatsResponse, error) {
	if q.Timestamp.IsZero() {
		return nil, invalidArg("timestamp is required")
	}
	if q.Limit < 0 {
		return nil, invalidArg("limit %d is negative", q.Limit)
	}
	v, err := (&StatsQuery{Events: q.Events, Resolution: q.Resolution}).encode()
	if err != nil {
		return nil, err
	}
	v.Set("timestamp", strconv.FormatInt(q.Timestamp.Unix(), 10))
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return s.get(ctx, []string{"v3", "stats", "total", "domains"}, v)
}

// Filter returns account counters narrowed by q.Filter and grouped by
// q.Group. Grouped items are decoded as plain items; their labels are only
// in StatsResponse.Raw.
func (s *StatsService) Filter(ctx context.Context, q StatsFilterQuery) (*StatsResponse, error) {
	v, err := q.encode()
	if err != nil {
		return nil, err
	}
	if q.Filter != "" {
		if k, val, ok := strings.Cut(q.Filter, ":"); !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(val) == "" {
			return nil, invalidArg("filter %q is not key:value", q.Filter)
		}
		v.Set("filter", q.Filter)
	}
	if q.Group != "" {
		v.Set("group", q.Group)
	}
	return s.get(ctx, []string{"v3", "stats", "filter"}, v)
}

func (s *StatsService) get(ctx context.Context, path []string, v url.Values) (*StatsResponse, error) {
	var out StatsResponse
	if err := s.client.do(ctx, &doer.Request{Method: http.MethodGet, Path: path, Query: v}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// AggregateCounts maps counter names (accepted, delivered, opened,
// clicked, unique_clicked, unsubscribed, complained, ...) to counts for one
// provider, device or country. A counter the API did not send is absent.
//
// Deprecated: the Stats API is deprecated; use MetricsQuery with
// DimensionRecipientProvider, DimensionDevice or DimensionCountry.
type AggregateCounts map[string]int64

// Providers returns the counters of domain per mailbox provider (keyed by
// the provider's domain name). It returns an empty map, not an error, when
// there is no data. An empty domain is an error wrapping ErrInvalidArgument.
// Only the "providers" member of the response is read: other top-level
// fields are ignored. A row that is not an object is skipped and a
// counter that is not an integer is left out.
func (s *StatsService) Providers(ctx context.Context, domain string) (map[string]AggregateCounts, error) {
	return s.aggregates(ctx, domain, "providers")
}

// Devices returns the counters of domain per device type (desktop, mobile,
// tablet, unknown), like Providers.
func (s *StatsService) Devices(ctx context.Context, domain string) (map[string]AggregateCounts, error) {
	return s.aggregates(ctx, domain, "devices")
}

// Countries returns the counters of domain per lower-case country code,
// like Providers.
func (s *StatsService) Countries(ctx context.Context, domain string) (map[string]AggregateCounts, error) {
	return s.aggregates(ctx, domain, "countries")
}

func (s *StatsService) aggregates(ctx context.Context, domain, kind string) (map[string]AggregateCounts, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	out := aggregatesBody{kind: kind}
	if err := s.client.do(ctx, &doer.Request{Method: http.MethodGet, Path: []string{"v3", domain, "aggregates", kind}}, &out); err != nil {
		return nil, err
	}
	if out.rows == nil {
		return map[string]AggregateCounts{}, nil
	}
	return out.rows, nil
}

// aggregatesBody reads the documented member of an aggregates response,
// {"<kind>": {"<name>": {"<counter>": n}}}, and ignores the others. By the
// list rule, a row that is not an object is skipped and a counter that is
// not an integer is left out; the body not being an object, or the member
// neither an object nor null, is an error.
type aggregatesBody struct {
	kind string
	rows map[string]AggregateCounts
}

func (a *aggregatesBody) UnmarshalJSON(b []byte) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return err
	}
	var rows map[string]lenient[map[string]lenient[int64]]
	if raw, ok := top[a.kind]; ok {
		if err := json.Unmarshal(raw, &rows); err != nil {
			return fmt.Errorf("%s: %w", a.kind, err)
		}
	}
	a.rows = make(map[string]AggregateCounts, len(rows))
	for name, row := range rows {
		if !row.ok {
			continue
		}
		counts := make(AggregateCounts, len(row.V))
		for counter, n := range row.V {
			if n.ok {
				counts[counter] = n.V
			}
		}
		a.rows[name] = counts
	}
	return nil
}
