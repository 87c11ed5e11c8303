package mailgun

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// LogsService queries the event log of the account (/v1/analytics/logs), the replacement of the Events API.
type LogsService service

// MaxLogsLimit is the largest page size of the Logs API.
const MaxLogsLimit = 100

// LogsQuery selects log items. The zero query asks for every event of the
// account in the last day, newest first.
type LogsQuery struct {
	// Start and End bound the period, sent as RFC 2822 dates in whole
	// seconds (Start rounded down, End up, so End's own second is kept);
	// the API defaults to the day before now. End must not be before Start.
	Start time.Time
	End   time.Time
	// Duration, when set, is the period before End; the API then ignores
	// Start.
	Duration Duration
	// Events keeps these event types; EventUniqueOpened and
	// EventUniqueClicked select first opens and clicks.
	Events []EventName
	// MetricEvents selects events by metric names without "_count", such
	// as "delivered_smtp" or "permanent_failed".
	MetricEvents []string
	// Filter predicates are ANDed, for example FilterDomain.Is("example.com").
	Filter             []FilterPredicate
	IncludeSubaccounts bool
	// IncludeTotals makes the API count all matching items (LogsPage.Total).
	IncludeTotals bool
	// Ascending lists oldest first; the default is newest first.
	Ascending bool
	// Limit is the page size, 1 to 100; 0 leaves it to Mailgun.
	Limit int
	// Cursor resumes from LogsPage.Next of an earlier ListPage call made
	// with the same query.
	Cursor string
}

type logsBody struct {
	Start              string         `json:"start,omitempty"`
	End                string         `json:"end,omitempty"`
	Duration           Duration       `json:"duration,omitempty"`
	Events             []EventName    `json:"events,omitempty"`
	MetricEvents       []string       `json:"metric_events,omitempty"`
	Filter             *filterGroup   `json:"filter,omitempty"`
	IncludeSubaccounts bool           `json:"include_subaccounts,omitempty"`
	IncludeTotals      bool           `json:"include_totals,omitempty"`
	Pagination         logsPagination `json:"pagination"`
}

type logsPagination struct {
	Sort  string `json:"sort"`
	Limit int    `json:"limit,omitempty"`
	Token string `json:"token,omitempty"`
}

// body checks q and returns the request body for the page at token.
func (q *LogsQuery) body(token string) (*logsBody, error) {
	if err := checkRange("start", q.Start, "end", q.End); err != nil {
		return nil, err
	}
	if err := q.Duration.check(); err != nil {
		return nil, err
	}
	if q.Limit < 0 || q.Limit > MaxLogsLimit {
		return nil, invalidArg("limit %d is out of range 1..%d", q.Limit, MaxLogsLimit)
	}
	for i, e := range q.Events {
		if strings.TrimSpace(string(e)) == "" {
			return nil, invalidArg("event %d is empty", i+1)
		}
	}
	for i, e := range q.MetricEvents {
		if strings.TrimSpace(e) == "" {
			return nil, invalidArg("metric event %d is empty", i+1)
		}
	}
	filter, err := encodeFilter(q.Filter)
	if err != nil {
		return nil, err
	}
	b := &logsBody{
		Start:              rfc2822(q.Start),
		End:                rfc2822End(q.End),
		Duration:           q.Duration,
		Events:             q.Events,
		MetricEvents:       q.MetricEvents,
		Filter:             filter,
		IncludeSubaccounts: q.IncludeSubaccounts,
		IncludeTotals:      q.IncludeTotals,
		Pagination:         logsPagination{Sort: "timestamp:desc", Limit: q.Limit, Token: token},
	}
	if q.Ascending {
		b.Pagination.Sort = "timestamp:asc"
	}
	return b, nil
}

// LogItem is one event of the Logs API. It resembles Event but is its own
// type, because the two APIs differ: an ISO 8601 timestamp, the domain in
// the item, storage URLs as a list, user variables as JSON text, a single
// route object.
type LogItem struct {
	ID        string    `json:"id"`
	Event     EventName `json:"event"`
	Timestamp time.Time `json:"@timestamp"`
	LogLevel  LogLevel  `json:"log-level,omitempty"`
	Domain    LogDomain `json:"domain"`
	// Account is the (sub)account the event belongs to.
	Account *LogAccount `json:"account,omitempty"`

	Recipient         string `json:"recipient,omitempty"`
	RecipientDomain   string `json:"recipient-domain,omitempty"`
	RecipientProvider string `json:"recipient-provider,omitempty"`
	// Method is how the message reached Mailgun, such as "HTTP".
	Method            string   `json:"method,omitempty"`
	OriginatingIP     string   `json:"originating-ip,omitempty"`
	APIKeyID          string   `json:"api-key-id,omitempty"`
	PrimaryDKIM       string   `json:"primary-dkim,omitempty"`
	DeliveryOptimizer string   `json:"i-delivery-optimizer,omitempty"`
	Severity          Severity `json:"severity,omitempty"`
	Reason            string   `json:"reason,omitempty"`
	URL               string   `json:"url,omitempty"`
	IP                string   `json:"ip,omitempty"`

	Tags      []string        `json:"tags,omitempty"`
	Campaigns []EventCampaign `json:"campaigns,omitempty"`
	// UserVariables is the JSON text of the message's custom variables,
	// such as `{"customer-id":"42"}`; see DecodeUserVariables.
	UserVariables string `json:"user-variables,omitempty"`

	Envelope       *EventEnvelope    `json:"envelope,omitempty"`
	Message        *LogMessage       `json:"message,omitempty"`
	Flags          *EventFlags       `json:"flags,omitempty"`
	DeliveryStatus *DeliveryStatus   `json:"delivery-status,omitempty"`
	Storage        *LogStorage       `json:"storage,omitempty"`
	Template       *EventTemplate    `json:"template,omitempty"`
	Geolocation    *Geolocation      `json:"geolocation,omitempty"`
	ClientInfo     *ClientInfo       `json:"client-info,omitempty"`
	Route          *EventRoute       `json:"routes,omitempty"`
	MailingList    *EventMailingList `json:"mailing-list,omitempty"`
}

// LogDomain is the sending domain of a log item.
type LogDomain struct {
	Name string `json:"name"`
}

// LogAccount identifies the account of a log item; ParentID is set for
// subaccounts.
type LogAccount struct {
	ID       string `json:"id,omitempty"`
	ParentID string `json:"parent-id,omitempty"`
}

// LogMessage describes the message of a log item.
type LogMessage struct {
	Headers     MessageHeaders    `json:"headers"`
	Attachments []EventAttachment `json:"attachments,omitempty"`
	Recipients  []string          `json:"recipients,omitempty"`
	Size        int64             `json:"size,omitempty"`
	// ScheduledFor is the requested delivery time as sent by the API (an
	// integer whose unit is not documented).
	ScheduledFor int64 `json:"scheduled-for,omitempty"`
}

// LogStorage locates the stored MIME message; the Logs API lists its URLs.
type LogStorage struct {
	Key    string   `json:"key,omitempty"`
	URLs   []string `json:"url,omitempty"`
	Region string   `json:"region,omitempty"`
	Env    string   `json:"env,omitempty"`
}

// DecodeUserVariables decodes the JSON text of the item's user variables
// into v. It does nothing and returns nil when the item has none.
func (it *LogItem) DecodeUserVariables(v any) error {
	s := strings.TrimSpace(it.UserVariables)
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("mailgun: user variables: %w", err)
	}
	return nil
}

// LogsPage is one page of log items.
type LogsPage struct {
	// Page holds the items and the cursor of the next page ("" after the
	// last one); the cursor is valid only with the same query.
	Page[LogItem]
	// Start and End are the period of the query.
	Start time.Time
	End   time.Time
	// Total counts all matching items when the query set IncludeTotals.
	Total *int64
	// Aggregates holds the counts the API adds; often empty.
	Aggregates LogsAggregates
}

// LogsAggregates are counts the Logs API may add to a page.
type LogsAggregates struct {
	All     int64            `json:"all,omitempty"`
	Metrics map[string]int64 `json:"metrics,omitempty"`
}

// logsWire is a page of the Logs API, read by the list rule (lenient.go):
// items must be an array and pagination an object with a string next;
// other values of an unexpected type are dropped.
type logsWire struct {
	Start      lenient[rfc2822Time] `json:"start"`
	End        lenient[rfc2822Time] `json:"end"`
	Items      lenientList[LogItem] `json:"items"`
	Pagination *struct {
		Next  string          `json:"next"`
		Total lenient[*int64] `json:"total"`
	} `json:"pagination"`
	Aggregates lenient[LogsAggregates] `json:"aggregates"`
}

// List returns every log item q selects, fetching pages (with q's body and
// the previous page's token) as the loop advances; it starts at q.Cursor
// when set. The requests are POSTs that only read, so they are retried like
// GETs. An error is yielded once and ends the loop; bad input (End before
// Start, a limit out of range, an incomplete filter) wraps
// ErrInvalidArgument and nothing is sent.
//
// A page fails (ErrInvalidResponse) only when it is not JSON, its items
// are not an array or it has no pagination; an item field of an
// unexpected type is left zero and an item that is not an object is
// skipped.
func (s *LogsService) List(ctx context.Context, q LogsQuery) iter.Seq2[LogItem, error] {
	if _, err := q.body(""); err != nil {
		return failedWalk[LogItem](err)
	}
	return iterate(ctx, q.Cursor, func(ctx context.Context, token string) (*Page[LogItem], error) {
		p, err := s.page(ctx, &q, token)
		if err != nil {
			return nil, err
		}
		return &p.Page, nil
	})
}

// ListPage returns one page of the log items q selects: the first one, or
// the one at q.Cursor.
func (s *LogsService) ListPage(ctx context.Context, q LogsQuery) (*LogsPage, error) {
	return s.page(ctx, &q, q.Cursor)
}

func (s *LogsService) page(ctx context.Context, q *LogsQuery, token string) (*LogsPage, error) {
	b, err := q.body(token)
	if err != nil {
		return nil, err
	}
	body, err := doer.JSON(b)
	if err != nil {
		return nil, invalidArg("%s", err)
	}
	var w logsWire
	r := &doer.Request{Method: http.MethodPost, Path: []string{"v1", "analytics", "logs"}, Body: body, Idempotent: true}
	if err := s.client.do(ctx, r, &w); err != nil {
		return nil, err
	}
	if w.Pagination == nil {
		return nil, fmt.Errorf("%w: logs page has no pagination", ErrInvalidResponse)
	}
	p := &LogsPage{
		Page:       Page[LogItem]{Items: w.Items},
		Start:      time.Time(w.Start.V),
		End:        time.Time(w.End.V),
		Total:      w.Pagination.Total.V,
		Aggregates: w.Aggregates.V,
	}
	if len(w.Items) > 0 {
		p.Next = w.Pagination.Next
	}
	return p, nil
}
