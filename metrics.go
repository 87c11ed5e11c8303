package mailgun

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
	"github.com/mgkit/mailgun/internal/timefmt"
)

// MetricsService queries aggregated sending metrics and account usage (/v1/analytics/metrics), the replacement of the Stats API.
type MetricsService service

// Resolution is the size of the time buckets of stats and metrics.
type Resolution string

// Resolutions.
const (
	ResolutionHour  Resolution = "hour"
	ResolutionDay   Resolution = "day"
	ResolutionMonth Resolution = "month"
)

func (r Resolution) check() error {
	switch r {
	case "", ResolutionHour, ResolutionDay, ResolutionMonth:
		return nil
	}
	return invalidArg("resolution %q is not hour, day or month", string(r))
}

// Duration is a period that ends at a query's end, in the notation of the
// analytics APIs: a positive count and a unit, "h" for hours, "d" for days
// or "m" for months (not minutes). Build one with Hours, Days or Months.
// When a query has a Duration, the API ignores its start.
type Duration string

// Hours returns a Duration of n hours ("24h"); n must be positive.
func Hours(n int) Duration { return Duration(strconv.Itoa(n) + "h") }

// Days returns a Duration of n days ("7d"); n must be positive.
func Days(n int) Duration { return Duration(strconv.Itoa(n) + "d") }

// Months returns a Duration of n calendar months ("2m"); n must be positive.
func Months(n int) Duration { return Duration(strconv.Itoa(n) + "m") }

func (d Duration) check() error {
	if d == "" {
		return nil
	}
	s := string(d)
	digits, unit := s[:len(s)-1], s[len(s)-1]
	n, err := strconv.Atoi(digits)
	if err != nil || n <= 0 || digits[0] == '+' || (unit != 'h' && unit != 'd' && unit != 'm') {
		return invalidArg("duration %q is not a positive count followed by h, d or m", s)
	}
	return nil
}

// checkRange rejects an end before a start.
func checkRange(startName string, start time.Time, endName string, end time.Time) error {
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		return invalidArg("%s %s is before %s %s", endName, end.Format(time.RFC3339), startName, start.Format(time.RFC3339))
	}
	return nil
}

// Dimension groups metrics: one item per value (or combination of values).
type Dimension string

// Dimensions of the Metrics API; Usage accepts only DimensionTime and
// DimensionSubaccount.
const (
	DimensionTime              Dimension = "time"
	DimensionDomain            Dimension = "domain"
	DimensionIP                Dimension = "ip"
	DimensionIPPool            Dimension = "ip_pool"
	DimensionRecipientDomain   Dimension = "recipient_domain"
	DimensionRecipientProvider Dimension = "recipient_provider"
	DimensionTag               Dimension = "tag"
	DimensionCountry           Dimension = "country"
	DimensionDevice            Dimension = "device"
	DimensionBot               Dimension = "bot"
	DimensionSubaccount        Dimension = "subaccount"
)

// Metric names a counter ("..._count") or a rate ("..._rate") of the
// Metrics API.
type Metric string

// Metrics of the Metrics API.
const (
	MetricAcceptedIncomingCount         Metric = "accepted_incoming_count"
	MetricAcceptedOutgoingCount         Metric = "accepted_outgoing_count"
	MetricAcceptedCount                 Metric = "accepted_count"
	MetricDeliveredSMTPCount            Metric = "delivered_smtp_count"
	MetricDeliveredHTTPCount            Metric = "delivered_http_count"
	MetricDeliveredOptimizedCount       Metric = "delivered_optimized_count"
	MetricDeliveredCount                Metric = "delivered_count"
	MetricStoredCount                   Metric = "stored_count"
	MetricProcessedCount                Metric = "processed_count"
	MetricSentCount                     Metric = "sent_count"
	MetricOpenedCount                   Metric = "opened_count"
	MetricClickedCount                  Metric = "clicked_count"
	MetricUniqueOpenedCount             Metric = "unique_opened_count"
	MetricUniqueClickedCount            Metric = "unique_clicked_count"
	MetricUnsubscribedCount             Metric = "unsubscribed_count"
	MetricComplainedCount               Metric = "complained_count"
	MetricFailedCount                   Metric = "failed_count"
	MetricTemporaryFailedCount          Metric = "temporary_failed_count"
	MetricPermanentFailedCount          Metric = "permanent_failed_count"
	MetricTemporaryFailedESPBlockCount  Metric = "temporary_failed_esp_block_count"
	MetricPermanentFailedESPBlockCount  Metric = "permanent_failed_esp_block_count"
	MetricRateLimitCount                Metric = "rate_limit_count"
	MetricWebhookCount                  Metric = "webhook_count"
	MetricPermanentFailedOptimizedCount Metric = "permanent_failed_optimized_count"
	MetricPermanentFailedOldCount       Metric = "permanent_failed_old_count"
	MetricBouncedCount                  Metric = "bounced_count"
	MetricHardBouncesCount              Metric = "hard_bounces_count"
	MetricSoftBouncesCount              Metric = "soft_bounces_count"
	MetricDelayedBounceCount            Metric = "delayed_bounce_count"
	MetricSuppressedBouncesCount        Metric = "suppressed_bounces_count"
	MetricSuppressedUnsubscribedCount   Metric = "suppressed_unsubscribed_count"
	MetricSuppressedComplaintsCount     Metric = "suppressed_complaints_count"
	MetricDeliveredFirstAttemptCount    Metric = "delivered_first_attempt_count"
	MetricDelayedFirstAttemptCount      Metric = "delayed_first_attempt_count"
	MetricDeliveredSubsequentCount      Metric = "delivered_subsequent_count"
	MetricDeliveredTwoPlusAttemptsCount Metric = "delivered_two_plus_attempts_count"
	MetricESPBlockCount                 Metric = "esp_block_count"

	MetricDeliveredRate           Metric = "delivered_rate"
	MetricOpenedRate              Metric = "opened_rate"
	MetricClickedRate             Metric = "clicked_rate"
	MetricUniqueOpenedRate        Metric = "unique_opened_rate"
	MetricUniqueClickedRate       Metric = "unique_clicked_rate"
	MetricUnsubscribedRate        Metric = "unsubscribed_rate"
	MetricComplainedRate          Metric = "complained_rate"
	MetricBounceRate              Metric = "bounce_rate"
	MetricFailRate                Metric = "fail_rate"
	MetricPermanentFailRate       Metric = "permanent_fail_rate"
	MetricTemporaryFailRate       Metric = "temporary_fail_rate"
	MetricDelayedRate             Metric = "delayed_rate"
	MetricDelayedFirstAttemptRate Metric = "delayed_first_attempt_rate"
	MetricHardBounceRate          Metric = "hard_bounce_rate"
	MetricSoftBounceRate          Metric = "soft_bounce_rate"
)

// UsageMetric names an account-usage counter of the Usage endpoint.
type UsageMetric string

// Usage metrics.
const (
	UsageProcessedCount                 UsageMetric = "processed_count"
	UsageEmailValidationCount           UsageMetric = "email_validation_count"
	UsageEmailValidationPublicCount     UsageMetric = "email_validation_public_count"
	UsageEmailValidationValidCount      UsageMetric = "email_validation_valid_count"
	UsageEmailValidationSingleCount     UsageMetric = "email_validation_single_count"
	UsageEmailValidationBulkCount       UsageMetric = "email_validation_bulk_count"
	UsageEmailValidationListCount       UsageMetric = "email_validation_list_count"
	UsageEmailValidationMailgunCount    UsageMetric = "email_validation_mailgun_count"
	UsageEmailValidationMailjetCount    UsageMetric = "email_validation_mailjet_count"
	UsageEmailPreviewCount              UsageMetric = "email_preview_count"
	UsageEmailPreviewFailedCount        UsageMetric = "email_preview_failed_count"
	UsageLinkValidationCount            UsageMetric = "link_validation_count"
	UsageLinkValidationFailedCount      UsageMetric = "link_validation_failed_count"
	UsageSeedTestCount                  UsageMetric = "seed_test_count"
	UsageIPBlocklistMonitoringCount     UsageMetric = "ip_blocklist_monitoring_count"
	UsageDomainBlocklistMonitoringCount UsageMetric = "domain_blocklist_monitoring_count"
	UsageAccessibilityCount             UsageMetric = "accessibility_count"
	UsageAccessibilityFailedCount       UsageMetric = "accessibility_failed_count"
	UsageImageValidationCount           UsageMetric = "image_validation_count"
	UsageImageValidationFailedCount     UsageMetric = "image_validation_failed_count"
	UsageArchivedCount                  UsageMetric = "archived_count"
)

// MetricValues holds the metrics of one item. Only requested metrics are
// set: a nil count or an empty rate was not requested (or was null), which
// is not the same as zero. Rates are decimal strings such as "0.8300".
type MetricValues struct {
	AcceptedIncomingCount         *int64 `json:"accepted_incoming_count,omitempty"`
	AcceptedOutgoingCount         *int64 `json:"accepted_outgoing_count,omitempty"`
	AcceptedCount                 *int64 `json:"accepted_count,omitempty"`
	DeliveredSMTPCount            *int64 `json:"delivered_smtp_count,omitempty"`
	DeliveredHTTPCount            *int64 `json:"delivered_http_count,omitempty"`
	DeliveredOptimizedCount       *int64 `json:"delivered_optimized_count,omitempty"`
	DeliveredCount                *int64 `json:"delivered_count,omitempty"`
	StoredCount                   *int64 `json:"stored_count,omitempty"`
	ProcessedCount                *int64 `json:"processed_count,omitempty"`
	SentCount                     *int64 `json:"sent_count,omitempty"`
	OpenedCount                   *int64 `json:"opened_count,omitempty"`
	ClickedCount                  *int64 `json:"clicked_count,omitempty"`
	UniqueOpenedCount             *int64 `json:"unique_opened_count,omitempty"`
	UniqueClickedCount            *int64 `json:"unique_clicked_count,omitempty"`
	UnsubscribedCount             *int64 `json:"unsubscribed_count,omitempty"`
	ComplainedCount               *int64 `json:"complained_count,omitempty"`
	FailedCount                   *int64 `json:"failed_count,omitempty"`
	TemporaryFailedCount          *int64 `json:"temporary_failed_count,omitempty"`
	PermanentFailedCount          *int64 `json:"permanent_failed_count,omitempty"`
	TemporaryFailedESPBlockCount  *int64 `json:"temporary_failed_esp_block_count,omitempty"`
	PermanentFailedESPBlockCount  *int64 `json:"permanent_failed_esp_block_count,omitempty"`
	RateLimitCount                *int64 `json:"rate_limit_count,omitempty"`
	WebhookCount                  *int64 `json:"webhook_count,omitempty"`
	PermanentFailedOptimizedCount *int64 `json:"permanent_failed_optimized_count,omitempty"`
	PermanentFailedOldCount       *int64 `json:"permanent_failed_old_count,omitempty"`
	BouncedCount                  *int64 `json:"bounced_count,omitempty"`
	HardBouncesCount              *int64 `json:"hard_bounces_count,omitempty"`
	SoftBouncesCount              *int64 `json:"soft_bounces_count,omitempty"`
	DelayedBounceCount            *int64 `json:"delayed_bounce_count,omitempty"`
	SuppressedBouncesCount        *int64 `json:"suppressed_bounces_count,omitempty"`
	SuppressedUnsubscribedCount   *int64 `json:"suppressed_unsubscribed_count,omitempty"`
	SuppressedComplaintsCount     *int64 `json:"suppressed_complaints_count,omitempty"`
	DeliveredFirstAttemptCount    *int64 `json:"delivered_first_attempt_count,omitempty"`
	DelayedFirstAttemptCount      *int64 `json:"delayed_first_attempt_count,omitempty"`
	DeliveredSubsequentCount      *int64 `json:"delivered_subsequent_count,omitempty"`
	DeliveredTwoPlusAttemptsCount *int64 `json:"delivered_two_plus_attempts_count,omitempty"`
	ESPBlockCount                 *int64 `json:"esp_block_count,omitempty"`

	DeliveredRate           Decimal `json:"delivered_rate,omitempty"`
	OpenedRate              Decimal `json:"opened_rate,omitempty"`
	ClickedRate             Decimal `json:"clicked_rate,omitempty"`
	UniqueOpenedRate        Decimal `json:"unique_opened_rate,omitempty"`
	UniqueClickedRate       Decimal `json:"unique_clicked_rate,omitempty"`
	UnsubscribedRate        Decimal `json:"unsubscribed_rate,omitempty"`
	ComplainedRate          Decimal `json:"complained_rate,omitempty"`
	BounceRate              Decimal `json:"bounce_rate,omitempty"`
	FailRate                Decimal `json:"fail_rate,omitempty"`
	PermanentFailRate       Decimal `json:"permanent_fail_rate,omitempty"`
	TemporaryFailRate       Decimal `json:"temporary_fail_rate,omitempty"`
	DelayedRate             Decimal `json:"delayed_rate,omitempty"`
	DelayedFirstAttemptRate Decimal `json:"delayed_first_attempt_rate,omitempty"`
	HardBounceRate          Decimal `json:"hard_bounce_rate,omitempty"`
	SoftBounceRate          Decimal `json:"soft_bounce_rate,omitempty"`
}

// UsageValues holds the account-usage metrics of one item; a nil count was
// not requested (or was null).
type UsageValues struct {
	ProcessedCount                 *int64 `json:"processed_count,omitempty"`
	EmailValidationCount           *int64 `json:"email_validation_count,omitempty"`
	EmailValidationPublicCount     *int64 `json:"email_validation_public_count,omitempty"`
	EmailValidationValidCount      *int64 `json:"email_validation_valid_count,omitempty"`
	EmailValidationSingleCount     *int64 `json:"email_validation_single_count,omitempty"`
	EmailValidationBulkCount       *int64 `json:"email_validation_bulk_count,omitempty"`
	EmailValidationListCount       *int64 `json:"email_validation_list_count,omitempty"`
	EmailValidationMailgunCount    *int64 `json:"email_validation_mailgun_count,omitempty"`
	EmailValidationMailjetCount    *int64 `json:"email_validation_mailjet_count,omitempty"`
	EmailPreviewCount              *int64 `json:"email_preview_count,omitempty"`
	EmailPreviewFailedCount        *int64 `json:"email_preview_failed_count,omitempty"`
	LinkValidationCount            *int64 `json:"link_validation_count,omitempty"`
	LinkValidationFailedCount      *int64 `json:"link_validation_failed_count,omitempty"`
	SeedTestCount                  *int64 `json:"seed_test_count,omitempty"`
	IPBlocklistMonitoringCount     *int64 `json:"ip_blocklist_monitoring_count,omitempty"`
	DomainBlocklistMonitoringCount *int64 `json:"domain_blocklist_monitoring_count,omitempty"`
	AccessibilityCount             *int64 `json:"accessibility_count,omitempty"`
	AccessibilityFailedCount       *int64 `json:"accessibility_failed_count,omitempty"`
	ImageValidationCount           *int64 `json:"image_validation_count,omitempty"`
	ImageValidationFailedCount     *int64 `json:"image_validation_failed_count,omitempty"`
	ArchivedCount                  *int64 `json:"archived_count,omitempty"`
}

// Count returns the counter m, or 0 when it was not requested or was
// null, so report code needs no nil checks; the field itself tells "not
// requested" (nil) from zero. A rate or an unknown name gives 0 (read a
// rate from its field). v may be nil, as the Aggregates of a query without
// IncludeAggregates is.
func (v *MetricValues) Count(m Metric) int64 {
	if v == nil {
		return 0
	}
	return countOf(reflect.ValueOf(v).Elem(), metricCountFields(), string(m))
}

// Count returns the counter m, or 0 when it was not requested or was
// null, so report code needs no nil checks; the field itself tells "not
// requested" (nil) from zero. An unknown name gives 0. v may be nil, as
// the Aggregates of a query without IncludeAggregates is.
func (v *UsageValues) Count(m UsageMetric) int64 {
	if v == nil {
		return 0
	}
	return countOf(reflect.ValueOf(v).Elem(), usageCountFields(), string(m))
}

var (
	metricCountFields = sync.OnceValue(countFields[MetricValues])
	usageCountFields  = sync.OnceValue(countFields[UsageValues])
)

// countFields maps the JSON name of each *int64 field of V, which is the
// name of its metric, to the field's index.
func countFields[V any]() map[string]int {
	t := reflect.TypeFor[V]()
	fields := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		if f := t.Field(i); f.Type == reflect.TypeFor[*int64]() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			fields[name] = i
		}
	}
	return fields
}

// countOf returns the *int64 field named name of the struct v, or 0.
func countOf(v reflect.Value, fields map[string]int, name string) int64 {
	i, ok := fields[name]
	if !ok {
		return 0
	}
	if p := v.Field(i); !p.IsNil() {
		return p.Elem().Int()
	}
	return 0
}

// FilterAttribute is what a filter predicate of the Metrics and Logs APIs
// tests. The Logs API may accept attributes without a constant here.
type FilterAttribute string

// Filter attributes of the Metrics API; the Logs API documents FilterDomain.
const (
	FilterDomain            FilterAttribute = "domain"
	FilterTag               FilterAttribute = "tag"
	FilterSubaccount        FilterAttribute = "subaccount"
	FilterIP                FilterAttribute = "ip"
	FilterIPPool            FilterAttribute = "ip_pool"
	FilterRecipientDomain   FilterAttribute = "recipient_domain"
	FilterRecipientProvider FilterAttribute = "recipient_provider"
	FilterCountry           FilterAttribute = "country"
	FilterDevice            FilterAttribute = "device"
	FilterBot               FilterAttribute = "bot"
)

// FilterComparator is how a predicate compares its attribute with its values.
type FilterComparator string

// Comparators. With several values, "=" and "contains" match any of them,
// "!=" and "not contains" match none of them.
const (
	CompareEqual       FilterComparator = "="
	CompareNotEqual    FilterComparator = "!="
	CompareContains    FilterComparator = "contains"
	CompareNotContains FilterComparator = "not contains"
)

// LabeledValue is a value of a filter predicate with its display label.
// An empty Label is sent as the Value, as the API expects both.
type LabeledValue struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// FilterPredicate is one condition of a Metrics or Logs filter; the
// predicates of a query are ANDed (the APIs have no OR between them).
type FilterPredicate struct {
	Attribute  FilterAttribute  `json:"attribute"`
	Comparator FilterComparator `json:"comparator"`
	Values     []LabeledValue   `json:"values"`
}

// Is returns the predicate "attribute equals one of values".
func (a FilterAttribute) Is(values ...string) FilterPredicate {
	return a.predicate(CompareEqual, values)
}

// IsNot returns the predicate "attribute equals none of values".
func (a FilterAttribute) IsNot(values ...string) FilterPredicate {
	return a.predicate(CompareNotEqual, values)
}

// Contains returns the predicate "attribute contains one of values".
func (a FilterAttribute) Contains(values ...string) FilterPredicate {
	return a.predicate(CompareContains, values)
}

// NotContains returns the predicate "attribute contains none of values".
func (a FilterAttribute) NotContains(values ...string) FilterPredicate {
	return a.predicate(CompareNotContains, values)
}

func (a FilterAttribute) predicate(c FilterComparator, values []string) FilterPredicate {
	p := FilterPredicate{Attribute: a, Comparator: c, Values: make([]LabeledValue, len(values))}
	for i, v := range values {
		p.Values[i] = LabeledValue{Label: v, Value: v}
	}
	return p
}

// filterGroup is the {"AND": [...]} object of the analytics APIs.
type filterGroup struct {
	AND []FilterPredicate `json:"AND"`
}

// encodeFilter checks preds and returns the filter object to send, or nil
// for no predicates.
func encodeFilter(preds []FilterPredicate) (*filterGroup, error) {
	if len(preds) == 0 {
		return nil, nil
	}
	g := &filterGroup{AND: make([]FilterPredicate, len(preds))}
	for i, p := range preds {
		if strings.TrimSpace(string(p.Attribute)) == "" {
			return nil, invalidArg("filter predicate %d has no attribute", i+1)
		}
		switch p.Comparator {
		case CompareEqual, CompareNotEqual, CompareContains, CompareNotContains:
		default:
			return nil, invalidArg("filter predicate %d: comparator %q is not =, !=, contains or not contains", i+1, string(p.Comparator))
		}
		if len(p.Values) == 0 {
			return nil, invalidArg("filter predicate %d (%s) has no values", i+1, p.Attribute)
		}
		vals := make([]LabeledValue, len(p.Values))
		for j, v := range p.Values {
			if v.Value == "" {
				return nil, invalidArg("filter predicate %d (%s) has an empty value", i+1, p.Attribute)
			}
			if v.Label == "" {
				v.Label = v.Value
			}
			vals[j] = v
		}
		p.Values = vals
		g.AND[i] = p
	}
	return g, nil
}

// Page sizes of the Metrics API.
const (
	// MaxMetricsLimit is the largest page of a query grouped by time;
	// other groupings allow up to 1000 items.
	MaxMetricsLimit = 1500
)

// MetricsQuery is a query of the Metrics API. Metrics must name at least
// one metric; everything else is optional. The API defaults to the seven
// days before now, day resolution, and the whole account.
type MetricsQuery struct {
	// Start and End bound the period; they are sent as RFC 2822 dates
	// with the times' own offsets, in whole seconds (Start rounded down,
	// End up, so End's own second is kept). End must not be before Start.
	Start time.Time
	End   time.Time
	// Duration, when set, is the period before End; the API then
	// ignores Start.
	Duration   Duration
	Resolution Resolution
	Dimensions []Dimension
	Metrics    []Metric
	// Filter predicates are ANDed, for example FilterDomain.Is("example.com").
	Filter             []FilterPredicate
	IncludeSubaccounts bool
	// IncludeAggregates adds totals over all items (MetricsResponse.Aggregates).
	IncludeAggregates bool
	// Sort orders the items, such as "time:asc" or "domain:desc".
	Sort string
	// Skip is how many items to skip; QueryAll starts there.
	Skip int
	// Limit is the page size, 1 to 1500 (1000 unless grouped by time);
	// 0 leaves it to Mailgun.
	Limit int
}

// UsageQuery is a query of the account-usage metrics. Metrics must name
// at least one metric; Dimensions may be DimensionTime and
// DimensionSubaccount. The other fields are those of MetricsQuery.
type UsageQuery struct {
	Start              time.Time
	End                time.Time
	Duration           Duration
	Resolution         Resolution
	Dimensions         []Dimension
	Metrics            []UsageMetric
	Filter             []FilterPredicate
	IncludeSubaccounts bool
	IncludeAggregates  bool
	Sort               string
	Skip               int
	Limit              int
}

// metricsParams is what MetricsQuery and UsageQuery have in common.
type metricsParams struct {
	start, end              time.Time
	duration                Duration
	resolution              Resolution
	dimensions              []Dimension
	metrics                 []string
	filter                  []FilterPredicate
	subaccounts, aggregates bool
	sort                    string
	skip, limit             int
}

func (q *MetricsQuery) params() metricsParams {
	m := make([]string, len(q.Metrics))
	for i, v := range q.Metrics {
		m[i] = string(v)
	}
	return metricsParams{q.Start, q.End, q.Duration, q.Resolution, q.Dimensions, m, q.Filter,
		q.IncludeSubaccounts, q.IncludeAggregates, q.Sort, q.Skip, q.Limit}
}

func (q *UsageQuery) params() metricsParams {
	m := make([]string, len(q.Metrics))
	for i, v := range q.Metrics {
		m[i] = string(v)
	}
	return metricsParams{q.Start, q.End, q.Duration, q.Resolution, q.Dimensions, m, q.Filter,
		q.IncludeSubaccounts, q.IncludeAggregates, q.Sort, q.Skip, q.Limit}
}

type metricsBody struct {
	Start              string             `json:"start,omitempty"`
	End                string             `json:"end,omitempty"`
	Resolution         Resolution         `json:"resolution,omitempty"`
	Duration           Duration           `json:"duration,omitempty"`
	Dimensions         []Dimension        `json:"dimensions,omitempty"`
	Metrics            []string           `json:"metrics"`
	Filter             *filterGroup       `json:"filter,omitempty"`
	IncludeSubaccounts bool               `json:"include_subaccounts,omitempty"`
	IncludeAggregates  bool               `json:"include_aggregates,omitempty"`
	Pagination         *metricsPagination `json:"pagination,omitempty"`
}

type metricsPagination struct {
	Sort  string `json:"sort,omitempty"`
	Skip  int    `json:"skip"`
	Limit int    `json:"limit,omitempty"`
}

// body checks p and returns the request body for the page at skip;
// paged forces a pagination object.
func (p *metricsParams) body(skip int, paged bool) (*metricsBody, error) {
	if err := checkRange("start", p.start, "end", p.end); err != nil {
		return nil, err
	}
	if err := p.resolution.check(); err != nil {
		return nil, err
	}
	if err := p.duration.check(); err != nil {
		return nil, err
	}
	if len(p.metrics) == 0 {
		return nil, invalidArg("metrics is empty: name at least one metric")
	}
	for i, m := range p.metrics {
		if strings.TrimSpace(m) == "" {
			return nil, invalidArg("metric %d is empty", i+1)
		}
	}
	for i, d := range p.dimensions {
		if strings.TrimSpace(string(d)) == "" {
			return nil, invalidArg("dimension %d is empty", i+1)
		}
	}
	if p.skip < 0 {
		return nil, invalidArg("skip %d is negative", p.skip)
	}
	if p.limit < 0 || p.limit > MaxMetricsLimit {
		return nil, invalidArg("limit %d is out of range 1..%d", p.limit, MaxMetricsLimit)
	}
	filter, err := encodeFilter(p.filter)
	if err != nil {
		return nil, err
	}
	b := &metricsBody{
		Start:              rfc2822(p.start),
		End:                rfc2822End(p.end),
		Resolution:         p.resolution,
		Duration:           p.duration,
		Dimensions:         p.dimensions,
		Metrics:            p.metrics,
		Filter:             filter,
		IncludeSubaccounts: p.subaccounts,
		IncludeAggregates:  p.aggregates,
	}
	if paged || p.sort != "" || skip > 0 || p.limit > 0 {
		b.Pagination = &metricsPagination{Sort: p.sort, Skip: skip, Limit: p.limit}
	}
	return b, nil
}

// MetricsPagination describes the page a response holds.
type MetricsPagination struct {
	Sort  string `json:"sort"`
	Skip  int64  `json:"skip"`
	Limit int64  `json:"limit"`
	// Total counts the items of all pages.
	Total int64 `json:"total"`
}

// DimensionValue is the value of one dimension of an item. For
// DimensionTime, Value is the bucket's start as an RFC 2822 date (see Time).
type DimensionValue struct {
	Dimension    Dimension `json:"dimension"`
	Value        string    `json:"value"`
	DisplayValue string    `json:"display_value"`
}

// Time parses Value as the RFC 2822 date of a time dimension.
func (v DimensionValue) Time() (time.Time, error) { return timefmt.ParseRFC2822(v.Value) }

// MetricsItem is the metrics of one combination of dimension values.
type MetricsItem struct {
	Dimensions []DimensionValue `json:"dimensions"`
	Metrics    MetricValues     `json:"metrics"`
}

// Dimension returns the item's value for d, if the query grouped by d.
func (it MetricsItem) Dimension(d Dimension) (DimensionValue, bool) {
	return findDimension(it.Dimensions, d)
}

// UsageItem is the usage metrics of one combination of dimension values.
type UsageItem struct {
	Dimensions []DimensionValue `json:"dimensions"`
	Metrics    UsageValues      `json:"metrics"`
}

// Dimension returns the item's value for d, if the query grouped by d.
func (it UsageItem) Dimension(d Dimension) (DimensionValue, bool) {
	return findDimension(it.Dimensions, d)
}

func findDimension(vs []DimensionValue, d Dimension) (DimensionValue, bool) {
	for _, v := range vs {
		if v.Dimension == d {
			return v, true
		}
	}
	return DimensionValue{}, false
}

// MetricsResponse is one page of a metrics query.
type MetricsResponse struct {
	// Start and End are the period, snapped to the resolution.
	Start      time.Time
	End        time.Time
	Resolution Resolution
	Duration   Duration
	Dimensions []Dimension
	Pagination MetricsPagination
	Items      []MetricsItem
	// Aggregates holds the totals over all items when the query asked
	// for them (IncludeAggregates); otherwise it is nil.
	Aggregates *MetricValues
}

// UsageResponse is one page of a usage query.
type UsageResponse struct {
	Start      time.Time
	End        time.Time
	Resolution Resolution
	Duration   Duration
	Dimensions []Dimension
	Pagination MetricsPagination
	Items      []UsageItem
	// Aggregates holds the totals when the query asked for them.
	Aggregates *UsageValues
}

// metricsWire is the response body of both endpoints, read by the list
// rule (lenient.go): it fails only when it is not an object or its items
// are not an array; an item that is not an object is skipped, and a value
// of an unexpected type is dropped, inside an item too.
type metricsWire[I, V any] struct {
	Start      lenient[rfc2822Time]       `json:"start"`
	End        lenient[rfc2822Time]       `json:"end"`
	Resolution lenient[Resolution]        `json:"resolution"`
	Duration   lenient[Duration]          `json:"duration"`
	Dimensions lenientList[Dimension]     `json:"dimensions"`
	Pagination lenient[MetricsPagination] `json:"pagination"`
	Items      lenientList[I]             `json:"items"`
	Aggregates lenient[struct {
		Metrics V `json:"metrics"`
	}] `json:"aggregates"`
}

// aggregates returns the totals, or nil when the response has none.
func (w *metricsWire[I, V]) aggregates() *V {
	if !w.Aggregates.ok {
		return nil
	}
	return &w.Aggregates.V.Metrics
}

// UnmarshalJSON decodes the response body by the list rule (see
// StatsResponse).
func (r *MetricsResponse) UnmarshalJSON(b []byte) error {
	var w metricsWire[MetricsItem, MetricValues]
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = MetricsResponse{
		Start: time.Time(w.Start.V), End: time.Time(w.End.V), Resolution: w.Resolution.V, Duration: w.Duration.V,
		Dimensions: w.Dimensions, Pagination: w.Pagination.V, Items: w.Items, Aggregates: w.aggregates(),
	}
	return nil
}

// UnmarshalJSON decodes the response body by the list rule (see
// StatsResponse).
func (r *UsageResponse) UnmarshalJSON(b []byte) error {
	var w metricsWire[UsageItem, UsageValues]
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = UsageResponse{
		Start: time.Time(w.Start.V), End: time.Time(w.End.V), Resolution: w.Resolution.V, Duration: w.Duration.V,
		Dimensions: w.Dimensions, Pagination: w.Pagination.V, Items: w.Items, Aggregates: w.aggregates(),
	}
	return nil
}

// Query returns the page of q at q.Skip. The request is a POST that only
// reads, so it is retried like a GET. Bad input (no metrics, End before
// Start, a limit out of range, an incomplete filter) is an error wrapping
// ErrInvalidArgument and nothing is sent.
func (s *MetricsService) Query(ctx context.Context, q MetricsQuery) (*MetricsResponse, error) {
	p := q.params()
	var out MetricsResponse
	if err := s.post(ctx, []string{"v1", "analytics", "metrics"}, &p, p.skip, false, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// QueryAll returns every item of q from q.Skip on, requesting the pages
// one after another (skip += page size) until a page is short or the
// total is reached. An error is yielded once and ends the loop.
func (s *MetricsService) QueryAll(ctx context.Context, q MetricsQuery) iter.Seq2[MetricsItem, error] {
	p := q.params()
	return offsetPages(ctx, &p, func(ctx context.Context, skip int) ([]MetricsItem, MetricsPagination, error) {
		var out MetricsResponse
		err := s.post(ctx, []string{"v1", "analytics", "metrics"}, &p, skip, true, &out)
		return out.Items, out.Pagination, err
	})
}

// Usage returns the page of the account-usage query q at q.Skip, like
// Query.
func (s *MetricsService) Usage(ctx context.Context, q UsageQuery) (*UsageResponse, error) {
	p := q.params()
	var out UsageResponse
	if err := s.post(ctx, []string{"v1", "analytics", "usage", "metrics"}, &p, p.skip, false, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UsageAll returns every item of the usage query q, like QueryAll.
func (s *MetricsService) UsageAll(ctx context.Context, q UsageQuery) iter.Seq2[UsageItem, error] {
	p := q.params()
	return offsetPages(ctx, &p, func(ctx context.Context, skip int) ([]UsageItem, MetricsPagination, error) {
		var out UsageResponse
		err := s.post(ctx, []string{"v1", "analytics", "usage", "metrics"}, &p, skip, true, &out)
		return out.Items, out.Pagination, err
	})
}

func (s *MetricsService) post(ctx context.Context, path []string, p *metricsParams, skip int, paged bool, out any) error {
	b, err := p.body(skip, paged)
	if err != nil {
		return err
	}
	body, err := doer.JSON(b)
	if err != nil {
		return invalidArg("%s", err)
	}
	return s.client.do(ctx, &doer.Request{Method: http.MethodPost, Path: path, Body: body, Idempotent: true}, out)
}

// offsetPages walks skip/limit pages with iterate, using the skip of the
// next page as the cursor.
func offsetPages[T any](ctx context.Context, p *metricsParams, fetch func(context.Context, int) ([]T, MetricsPagination, error)) iter.Seq2[T, error] {
	if _, err := p.body(p.skip, true); err != nil {
		return failedWalk[T](err)
	}
	return iterate(ctx, "", func(ctx context.Context, cursor string) (*Page[T], error) {
		skip := p.skip
		if cursor != "" {
			skip, _ = strconv.Atoi(cursor)
		}
		items, pg, err := fetch(ctx, skip)
		if err != nil {
			return nil, err
		}
		page := &Page[T]{Items: items}
		next := skip + len(items)
		limit := int(pg.Limit)
		if limit <= 0 {
			limit = p.limit
		}
		more := len(items) > 0 && limit > 0 && len(items) >= limit
		if pg.Total > 0 {
			more = len(items) > 0 && int64(next) < pg.Total
		}
		if more {
			page.Next = strconv.Itoa(next)
		}
		return page, nil
	})
}
