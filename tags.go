package mailgun

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
	"github.com/mgkit/mailgun/internal/timefmt"
)

// TagsService reads and manages the tags of a domain's messages, and counts their events (/v3/{domain}/tags, /v3/{domain}/tag).
//
// Deprecated: Mailgun deprecated this API in favour of the Analytics tags
// API (/v1/analytics/tags), which the SDK does not wrap yet (reach it with
// Client.Do); MetricsService with DimensionTag counts events per tag.
type TagsService service

// Tag is a tag that messages of a domain carried. A tag appears when a
// message carrying it is accepted.
//
// Deprecated: the Tags API is deprecated; see TagsService.
type Tag struct {
	Name        string
	Description string
	// FirstSeen and LastSeen are when the tag was first and last used;
	// zero when the API did not say.
	FirstSeen time.Time
	LastSeen  time.Time
}

// tagFields is a tag as the API sends it.
type tagFields struct {
	Tag         string  `json:"tag"`
	Description string  `json:"description"`
	FirstSeen   tagTime `json:"first-seen"`
	LastSeen    tagTime `json:"last-seen"`
}

func (w *tagFields) value() Tag {
	return Tag{Name: w.Tag, Description: w.Description, FirstSeen: time.Time(w.FirstSeen), LastSeen: time.Time(w.LastSeen)}
}

// tagTime reads a tag timestamp: RFC 3339 (what the API sends), Go's
// time.String() layout (what its reference once printed, with or without a
// monotonic clock reading) or RFC 2822. null or "" is the zero time.
type tagTime time.Time

// goTimeString is the layout of time.Time.String.
const goTimeString = "2006-01-02 15:04:05.999999999 -0700 MST"

func (t *tagTime) UnmarshalJSON(raw []byte) error {
	s, err := stringOrNull(raw)
	if err != nil {
		return fmt.Errorf("tag time: %w", err)
	}
	v, err := parseTagTime(s)
	if err != nil {
		return err
	}
	*t = tagTime(v)
	return nil
}

func parseTagTime(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	// time.String appends " m=+0.001" when the time has a monotonic reading.
	if i := strings.Index(v, " m="); i > 0 {
		v = v[:i]
	}
	if t, err := time.Parse(goTimeString, v); err == nil {
		return t, nil
	}
	if t, err := timefmt.ParseRFC2822(v); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("tag time %q is neither RFC 3339 nor Go's time.String layout", s)
}

// TagListOptions controls a walk of a domain's tags, which are listed in
// alphabetical order. A nil *TagListOptions means the defaults.
//
// Deprecated: the Tags API is deprecated; see TagsService.
type TagListOptions struct {
	// Limit is the page size, 1 to 1000; 0 means 100.
	Limit int
	// Prefix keeps only tags that start with it; "" keeps all.
	Prefix string
	// Cursor resumes from Page.Next of an earlier call; "" starts at the
	// top. It carries the limit and prefix of the walk that made it, so
	// they are not applied again when Cursor is set. A cursor of another
	// list or domain is rejected with ErrInvalidArgument.
	Cursor string
}

// DefaultTagListLimit is the page size of a tag walk when
// TagListOptions.Limit is 0.
const DefaultTagListLimit = 100

func (o *TagListOptions) query(domain string) (string, url.Values, error) {
	if err := required("domain", domain); err != nil {
		return "", nil, err
	}
	var opts TagListOptions
	if o != nil {
		opts = *o
	}
	if opts.Limit < 0 || opts.Limit > maxListLimit {
		return "", nil, invalidArg("limit %d is out of range 1..%d (0 means %d)", opts.Limit, maxListLimit, DefaultTagListLimit)
	}
	if opts.Cursor != "" {
		if err := checkCursor(opts.Cursor, domain, "tags"); err != nil {
			return "", nil, err
		}
		return opts.Cursor, nil, nil
	}
	if opts.Limit == 0 {
		opts.Limit = DefaultTagListLimit
	}
	q := url.Values{"limit": {strconv.Itoa(opts.Limit)}}
	if opts.Prefix != "" {
		q.Set("prefix", opts.Prefix)
	}
	return "", q, nil
}

// List walks the tags of domain in alphabetical order, fetching one page
// at a time as the loop advances; stop early by breaking out of the loop.
// The walk ends after an empty page, or a page whose next link carries no
// tag to continue from (the API's way of saying it was the last). A failed
// request is yielded once and ends it; invalid opts are yielded as the only
// error, before anything is sent.
func (s *TagsService) List(ctx context.Context, domain string, opts *TagListOptions) iter.Seq2[Tag, error] {
	start, query, err := opts.query(domain)
	if err != nil {
		return failedWalk[Tag](err)
	}
	return iterate(ctx, start, func(ctx context.Context, cursor string) (*Page[Tag], error) {
		return s.page(ctx, domain, cursor, query)
	})
}

// ListPage fetches one page of the tags of domain: the first, or the page
// at opts.Cursor. Page.Next resumes after it and is "" after the last page.
func (s *TagsService) ListPage(ctx context.Context, domain string, opts *TagListOptions) (*Page[Tag], error) {
	start, query, err := opts.query(domain)
	if err != nil {
		return nil, err
	}
	return s.page(ctx, domain, start, query)
}

func (s *TagsService) page(ctx context.Context, domain, cursor string, first url.Values) (*Page[Tag], error) {
	r := &doer.Request{Method: http.MethodGet, Cursor: cursor}
	if cursor == "" {
		r.Path, r.Query = []string{"v3", domain, "tags"}, first
	}
	p, err := getLinkPage[tagFields](ctx, s.client, r, func(next string) error { return checkCursor(next, domain, "tags") })
	if err != nil {
		return nil, err
	}
	out := &Page[Tag]{Items: make([]Tag, len(p.Items)), Next: p.Next}
	for i := range p.Items {
		out.Items[i] = p.Items[i].value()
	}
	if out.Next != "" {
		_, raw, _ := strings.Cut(out.Next, "?")
		if q, err := url.ParseQuery(raw); err != nil || q.Get("tag") == "" {
			out.Next = ""
		}
	}
	return out, nil
}

// tagQuery checks domain and tag and returns the query naming the tag.
func tagQuery(domain, tag string) (url.Values, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if err := required("tag", tag); err != nil {
		return nil, err
	}
	return url.Values{"tag": {tag}}, nil
}

// Get returns the tag of domain called tag (sent as a query parameter, so
// any character is safe). An unknown tag is ErrNotFound.
func (s *TagsService) Get(ctx context.Context, domain, tag string) (*Tag, error) {
	q, err := tagQuery(domain, tag)
	if err != nil {
		return nil, err
	}
	var w lenient[tagFields]
	if err := s.client.do(ctx, &doer.Request{Method: http.MethodGet, Path: []string{"v3", domain, "tag"}, Query: q}, &w); err != nil {
		return nil, err
	}
	if !w.ok {
		return nil, invalidResponse("GET /v3/{domain}/tag: the response is not a tag object")
	}
	t := w.V.value()
	return &t, nil
}

// Update sets the description of the tag; "" clears it. An unknown tag is
// ErrNotFound.
func (s *TagsService) Update(ctx context.Context, domain, tag, description string) error {
	q, err := tagQuery(domain, tag)
	if err != nil {
		return err
	}
	q.Set("description", description)
	return s.write(ctx, http.MethodPut, domain, q)
}

// Delete removes the tag and its counters. It appears again when a new
// message carries it. An unknown tag is ErrNotFound.
func (s *TagsService) Delete(ctx context.Context, domain, tag string) error {
	q, err := tagQuery(domain, tag)
	if err != nil {
		return err
	}
	return s.write(ctx, http.MethodDelete, domain, q)
}

func (s *TagsService) write(ctx context.Context, method, domain string, q url.Values) error {
	var out struct {
		Message string `json:"message"`
	}
	return s.client.do(ctx, &doer.Request{Method: method, Path: []string{"v3", domain, "tag"}, Query: q}, &out)
}

// TagStatsQuery selects the counters of TagsService.Stats.
//
// Deprecated: the Tags API is deprecated; use MetricsQuery with a tag
// filter.
type TagStatsQuery struct {
	// Events names the counter groups wanted, at least one (accepted,
	// delivered, failed, opened, clicked, unsubscribed, complained,
	// stored); each is sent as its own "event" parameter.
	Events []EventName
	// Start and End bound the period, sent as Unix seconds; the API
	// defaults to the seven days before now. End must not be before Start.
	Start time.Time
	End   time.Time
	// Resolution is the bucket size; the API defaults to a day.
	Resolution Resolution
	// Duration, when set, is the period before End; the API then ignores Start.
	Duration Duration
	// Provider, Device and Country count only the events of one mailbox
	// provider (its domain, such as "gmail.com"), device type ("desktop",
	// "mobile", "tablet", "unknown") or lower-case country code ("us").
	Provider string
	Device   string
	Country  string
}

// Stats returns the counters of the tag for q, in the shape of
// StatsService (StatsResponse.Tag and Description are set). Bad input (an
// empty domain or tag, no events, End before Start, a malformed Duration)
// is an error wrapping ErrInvalidArgument and nothing is sent. An unknown
// tag is ErrNotFound.
func (s *TagsService) Stats(ctx context.Context, domain, tag string, q TagStatsQuery) (*StatsResponse, error) {
	tq, err := tagQuery(domain, tag)
	if err != nil {
		return nil, err
	}
	v, err := (&StatsQuery{Events: q.Events, Start: q.Start, End: q.End, Resolution: q.Resolution, Duration: q.Duration}).encode()
	if err != nil {
		return nil, err
	}
	v.Set("tag", tq.Get("tag"))
	for key, val := range map[string]string{"provider": q.Provider, "device": q.Device, "country": q.Country} {
		if val != "" {
			v.Set(key, val)
		}
	}
	var out StatsResponse
	if err := s.client.do(ctx, &doer.Request{Method: http.MethodGet, Path: []string{"v3", domain, "tag", "stats"}, Query: v}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
