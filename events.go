package mailgun

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// EventsService reads and polls a domain's event log (/v3/{domain}/events).
//
// Deprecated: Mailgun deprecated the Events API; use LogsService.
type EventsService service

// EventName is the type of an event, such as "delivered". Mailgun adds
// names over time, so a name without a constant here is still valid.
type EventName string

// Event names of the Events and Logs APIs and of webhook payloads.
const (
	EventAccepted              EventName = "accepted"
	EventRejected              EventName = "rejected"
	EventDelivered             EventName = "delivered"
	EventFailed                EventName = "failed"
	EventOpened                EventName = "opened"
	EventClicked               EventName = "clicked"
	EventUnsubscribed          EventName = "unsubscribed"
	EventComplained            EventName = "complained"
	EventStored                EventName = "stored"
	EventListMemberUploaded    EventName = "list_member_uploaded"
	EventListMemberUploadError EventName = "list_member_upload_error"
	EventListUploaded          EventName = "list_uploaded"
	EventEmailValidation       EventName = "email_validation"

	// The Logs API also selects these derived names (LogsQuery.Events).
	EventUniqueOpened  EventName = "unique_opened"
	EventUniqueClicked EventName = "unique_clicked"
	EventTrapped       EventName = "trapped"
)

// LogLevel is an event's severity in the log: info, warn or error.
type LogLevel string

// Log levels.
const (
	LogLevelInfo  LogLevel = "info"
	LogLevelWarn  LogLevel = "warn"
	LogLevelError LogLevel = "error"
)

// Severity tells whether Mailgun gave up on a failed delivery.
type Severity string

// Severities of failed events.
const (
	// SeverityTemporary: Mailgun retries the delivery later.
	SeverityTemporary Severity = "temporary"
	// SeverityPermanent: Mailgun dropped the message for this recipient.
	SeverityPermanent Severity = "permanent"
	// SeverityInternal marks events Mailgun hides unless asked for.
	SeverityInternal Severity = "internal"
)

// Event is one entry of a domain's event log, as returned by the Events
// API and carried in the "event-data" of webhook payloads. Which fields are
// set depends on Event: sub-objects are nil when the event has none.
//
// Decoding never fails on an unknown event name, an unknown field or a
// field of an unexpected type (which is left zero): the event decodes with
// the fields it shares with the others, and Raw always holds the JSON
// object as received. Only malformed JSON or a value that is not an object
// (or null) is an error. Encoding writes the modelled fields and keeps any
// other keys found in Raw.
type Event struct {
	// ID is unique within a day, not globally.
	ID    string    `json:"id"`
	Event EventName `json:"event"`
	// Timestamp is when the event happened, in UTC, read from float Unix
	// seconds with their full (microsecond) precision.
	Timestamp time.Time `json:"timestamp"`
	LogLevel  LogLevel  `json:"log-level,omitempty"`

	Recipient         string `json:"recipient,omitempty"`
	RecipientDomain   string `json:"recipient-domain,omitempty"`
	RecipientProvider string `json:"recipient-provider,omitempty"`
	// Method is how the message reached Mailgun: "http" or "smtp".
	Method        string `json:"method,omitempty"`
	OriginatingIP string `json:"originating-ip,omitempty"`
	APIKeyID      string `json:"api-key-id,omitempty"`
	PrimaryDKIM   string `json:"primary-dkim,omitempty"`

	// Severity and Reason explain a failed event; Reason is one of the
	// Reason constants or another value Mailgun sends.
	Severity Severity `json:"severity,omitempty"`
	Reason   string   `json:"reason,omitempty"`

	// URL is the clicked link; IP the address of the opener or clicker.
	URL string `json:"url,omitempty"`
	IP  string `json:"ip,omitempty"`

	Tags      []string        `json:"tags,omitempty"`
	Campaigns []EventCampaign `json:"campaigns,omitempty"`
	// UserVariables is the JSON of the message's custom variables: an
	// object as a rule, but a JSON string with an explanation when Mailgun
	// could not load them; nil when absent. See DecodeUserVariables.
	UserVariables json.RawMessage `json:"user-variables,omitempty"`

	Envelope       *EventEnvelope    `json:"envelope,omitempty"`
	Message        *EventMessage     `json:"message,omitempty"`
	Flags          *EventFlags       `json:"flags,omitempty"`
	DeliveryStatus *DeliveryStatus   `json:"delivery-status,omitempty"`
	Reject         *EventReject      `json:"reject,omitempty"`
	Storage        *EventStorage     `json:"storage,omitempty"`
	Geolocation    *Geolocation      `json:"geolocation,omitempty"`
	ClientInfo     *ClientInfo       `json:"client-info,omitempty"`
	MailingList    *EventMailingList `json:"mailing-list,omitempty"`
	// Routes lists the inbound routes that matched. A single route object
	// is read as a list of one.
	Routes   []EventRoute   `json:"routes,omitempty"`
	Batch    *EventBatch    `json:"batch,omitempty"`
	Template *EventTemplate `json:"template,omitempty"`

	// Fields of the mailing-list upload events.
	TaskID            string      `json:"task-id,omitempty"`
	Format            string      `json:"format,omitempty"`
	Member            *ListMember `json:"member,omitempty"`
	MemberDescription string      `json:"member-description,omitempty"`
	Error             *EventError `json:"error,omitempty"`
	Subscribed        *bool       `json:"subscribed,omitempty"`
	IsUpsert          *bool       `json:"is-upsert,omitempty"`
	UpsertedCount     *int64      `json:"upserted-count,omitempty"`
	FailedCount       *int64      `json:"failed-count,omitempty"`

	// Raw is the event's JSON object as received; nil for events built in
	// code.
	Raw json.RawMessage `json:"-"`
}

// Reasons of failed events seen in practice; Mailgun does not document a
// complete list.
const (
	ReasonSuppressBounce      = "suppress-bounce"
	ReasonSuppressUnsubscribe = "suppress-unsubscribe"
	ReasonSuppressComplaint   = "suppress-complaint"
	ReasonBounce              = "bounce"
	ReasonGeneric             = "generic"
	ReasonESPBlock            = "espblock"
	ReasonGreylisted          = "greylisted"
	ReasonBlacklisted         = "blacklisted"
	ReasonOld                 = "old"
	ReasonHardFail            = "hardfail"
)

// EventEnvelope is the SMTP envelope of a delivery attempt. It may be
// present and empty (delayed bounces).
type EventEnvelope struct {
	Sender string `json:"sender,omitempty"`
	// Targets lists the recipients of this delivery, comma-separated.
	Targets     string `json:"targets,omitempty"`
	Transport   string `json:"transport,omitempty"`
	SendingIP   string `json:"sending-ip,omitempty"`
	SendingHost string `json:"sending-host,omitempty"`
	MailFrom    string `json:"mail-from,omitempty"`
	IPPoolID    string `json:"i-ip-pool-id,omitempty"`
}

// EventMessage describes the message an event is about. Engagement events
// (opened, clicked, unsubscribed) carry only Headers.MessageID.
type EventMessage struct {
	Headers     MessageHeaders    `json:"headers"`
	Attachments []EventAttachment `json:"attachments,omitempty"`
	// Recipients is set on accepted and stored events.
	Recipients []string `json:"recipients,omitempty"`
	// Size is in bytes.
	Size         int64  `json:"size,omitempty"`
	ScheduledFor string `json:"scheduled-for,omitempty"`
}

// MessageHeaders are the main MIME headers of a message, as sent.
type MessageHeaders struct {
	To   string `json:"to,omitempty"`
	From string `json:"from,omitempty"`
	// MessageID comes without angle brackets.
	MessageID string `json:"message-id,omitempty"`
	Subject   string `json:"subject,omitempty"`
}

// EventAttachment is one attachment of a message.
type EventAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content-type"`
	Size        int64  `json:"size"`
}

// EventFlags are boolean properties of an event; nil means absent or null.
type EventFlags struct {
	IsAuthenticated *bool `json:"is-authenticated,omitempty"`
	IsRouted        *bool `json:"is-routed,omitempty"`
	IsSystemTest    *bool `json:"is-system-test,omitempty"`
	IsTestMode      *bool `json:"is-test-mode,omitempty"`
	IsDelayedBounce *bool `json:"is-delayed-bounce,omitempty"`
	IsAMP           *bool `json:"is-amp,omitempty"`
	IsEncrypted     *bool `json:"is-encrypted,omitempty"`
	IsBig           *bool `json:"is-big,omitempty"`
	IsCallback      *bool `json:"is-callback,omitempty"`
}

// DeliveryStatus is the outcome of a delivery attempt (delivered and
// failed events). Strings may be empty; nil booleans were absent.
type DeliveryStatus struct {
	// Code is the SMTP reply code, or a Mailgun code of 600 and above
	// (605: not delivering to a previously bounced address).
	Code         int    `json:"code,omitempty"`
	EnhancedCode string `json:"enhanced-code,omitempty"`
	Message      string `json:"message,omitempty"`
	Description  string `json:"description,omitempty"`
	// AttemptNo counts delivery attempts from 1.
	AttemptNo int    `json:"attempt-no,omitempty"`
	MXHost    string `json:"mx-host,omitempty"`
	// RetrySeconds is the wait before the next attempt of a temporary failure.
	RetrySeconds                int     `json:"retry-seconds,omitempty"`
	SessionSeconds              float64 `json:"session-seconds,omitempty"`
	FirstDeliveryAttemptSeconds float64 `json:"first-delivery-attempt-seconds,omitempty"`
	TLS                         *bool   `json:"tls,omitempty"`
	UTF8                        *bool   `json:"utf8,omitempty"`
	CertificateVerified         *bool   `json:"certificate-verified,omitempty"`
	LastCode                    int     `json:"last-code,omitempty"`
	LastMessage                 string  `json:"last-message,omitempty"`
	BounceType                  string  `json:"bounce-type,omitempty"`
	BounceCode                  string  `json:"bounce-code,omitempty"`
}

// EventReject says why Mailgun rejected a message (rejected events).
type EventReject struct {
	Reason      string `json:"reason,omitempty"`
	Description string `json:"description,omitempty"`
}

// EventStorage locates the stored MIME message; URL is fetched with the
// API key.
type EventStorage struct {
	Key    string `json:"key,omitempty"`
	URL    string `json:"url,omitempty"`
	Region string `json:"region,omitempty"`
	Env    string `json:"env,omitempty"`
}

// Geolocation is where an open, click or unsubscribe came from.
type Geolocation struct {
	Country  string `json:"country,omitempty"`
	Region   string `json:"region,omitempty"`
	City     string `json:"city,omitempty"`
	Timezone string `json:"timezone,omitempty"`
}

// ClientInfo describes the client that opened or clicked.
type ClientInfo struct {
	// ClientType is "browser", "mobile browser", "email client",
	// "library", "robot", "other" or "unknown".
	ClientType string `json:"client-type,omitempty"`
	ClientOS   string `json:"client-os,omitempty"`
	ClientName string `json:"client-name,omitempty"`
	// DeviceType is "desktop", "mobile", "tablet", "other" or "unknown".
	DeviceType     string `json:"device-type,omitempty"`
	UserAgent      string `json:"user-agent,omitempty"`
	Bot            string `json:"bot,omitempty"`
	IP             string `json:"ip,omitempty"`
	AcceptLanguage string `json:"accept-language,omitempty"`
}

// EventMailingList is the mailing list a message was sent to.
type EventMailingList struct {
	Address string `json:"address,omitempty"`
	ListID  string `json:"list-id,omitempty"`
	SID     string `json:"sid,omitempty"`
}

// EventRoute is an inbound route that matched a message.
type EventRoute struct {
	ID          string          `json:"id,omitempty"`
	Expression  string          `json:"expression,omitempty"`
	Description string          `json:"description,omitempty"`
	Actions     string          `json:"actions,omitempty"`
	Priority    int             `json:"priority,omitempty"`
	Match       EventRouteMatch `json:"match,omitzero"`
}

// EventRouteMatch is what made a route match.
type EventRouteMatch struct {
	Recipient string `json:"recipient,omitempty"`
}

// EventCampaign is a (legacy) campaign the message belonged to.
type EventCampaign struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

// EventBatch identifies the batch send a message was part of.
type EventBatch struct {
	ID string `json:"id,omitempty"`
}

// EventTemplate is the stored template a message was rendered from.
type EventTemplate struct {
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	// IsText is read from a boolean or a string such as "true".
	IsText *bool `json:"is-text,omitempty"`
}

// MarshalJSON writes is-text as the string "true" or "false", the type
// the Events API declares for it.
func (t EventTemplate) MarshalJSON() ([]byte, error) {
	w := struct {
		Name    string `json:"name,omitempty"`
		Version string `json:"version,omitempty"`
		IsText  string `json:"is-text,omitempty"`
	}{Name: t.Name, Version: t.Version}
	if t.IsText != nil {
		w.IsText = strconv.FormatBool(*t.IsText)
	}
	return json.Marshal(w)
}

// ListMember is the member of a list_member_uploaded event.
type ListMember struct {
	Address    string `json:"address,omitempty"`
	Name       string `json:"name,omitempty"`
	Subscribed *bool  `json:"subscribed,omitempty"`
}

// EventError is the error of a list_member_upload_error event.
type EventError struct {
	Message string `json:"message,omitempty"`
}

// UnmarshalJSON decodes an event object and keeps a copy of it in Raw.
func (e *Event) UnmarshalJSON(b []byte) error {
	var w Event
	if err := decodeEvent(b, &w); err != nil {
		return err
	}
	w.Raw = bytes.Clone(b)
	*e = w
	return nil
}

// eventsPage is a page of the Events API. It decodes the body in one pass
// (see DecodeBody) instead of re-parsing every event to keep its Raw.
type eventsPage struct {
	items []Event
	next  string // the paging.next link, "" if absent
	paged bool   // whether the page has a paging object
}

// DecodeBody decodes the page with the events decoder (events_decode.go),
// which copies each item's bytes into its Raw as it goes.
func (p *eventsPage) DecodeBody(body []byte) error {
	items, next, paged, err := decodeEventsPage(body)
	if err != nil {
		return err
	}
	p.items, p.next, p.paged = items, next, paged
	return nil
}

// errNoPaging is the error of an events page without a paging object.
var errNoPaging = fmt.Errorf("%w: events page has no paging", ErrInvalidResponse)

// fetchEvents fetches one page of the events of domain: its events and its
// next link as a cursor ("" when the page has none; the API sends one on
// empty pages too). A link that leads out of the events of domain is an
// ErrInvalidResponse error; one to another host is rebased on the base URL.
func fetchEvents(ctx context.Context, c *Client, domain string, r *doer.Request) (items []Event, next string, paged bool, err error) {
	var p eventsPage
	if err := c.do(ctx, r, &p); err != nil {
		return nil, "", false, err
	}
	if p.next == "" {
		return p.items, "", p.paged, nil
	}
	next, err = doer.CursorFromLink(p.next)
	if err == nil {
		err = checkEventsCursor(next, domain)
	}
	if err != nil {
		return nil, "", false, fmt.Errorf("%w: events page: %s", ErrInvalidResponse, err)
	}
	return p.items, next, p.paged, nil
}

// checkEventsCursor reports whether cursor, a path and query under the
// base URL, belongs to the events of domain: /v3/{domain}/events or a path
// below it. Domains are compared without regard to case.
func checkEventsCursor(cursor, domain string) error {
	if err := doer.CheckCursor(cursor); err != nil {
		return err
	}
	p, _, _ := strings.Cut(cursor, "?")
	rest, ok := strings.CutPrefix(p, "/v3/")
	seg, rest, _ := strings.Cut(rest, "/")
	if list, _, _ := strings.Cut(rest, "/"); !ok || list != "events" {
		return errors.New("link is not one of the events list")
	}
	if d, err := url.PathUnescape(seg); err != nil || !strings.EqualFold(d, domain) {
		return errors.New("link belongs to the events of another domain")
	}
	return nil
}

// eventsPageAt is fetchEvents as a Page: no next cursor after an empty
// page, and an error for a page without paging.
func eventsPageAt(ctx context.Context, c *Client, domain string, r *doer.Request) (*Page[Event], error) {
	items, next, paged, err := fetchEvents(ctx, c, domain, r)
	if err != nil {
		return nil, err
	}
	if !paged {
		return nil, errNoPaging
	}
	if len(items) == 0 {
		next = ""
	}
	return &Page[Event]{Items: items, Next: next}, nil
}

// MarshalJSON encodes the event in the wire format: float Unix seconds for
// Timestamp, and the keys of Raw that no field models.
func (e Event) MarshalJSON() ([]byte, error) {
	type fields Event
	w := struct {
		*fields
		Timestamp *unixSeconds `json:"timestamp,omitempty"`
	}{fields: (*fields)(&e)}
	if !e.Timestamp.IsZero() {
		ts := unixSeconds(e.Timestamp)
		w.Timestamp = &ts
	}
	b, err := json.Marshal(w)
	if err != nil || len(e.Raw) == 0 {
		return b, err
	}
	var raw map[string]json.RawMessage
	if json.Unmarshal(e.Raw, &raw) != nil {
		return b, nil // Raw is not an object: nothing to keep
	}
	for k := range raw {
		if isEventKey(k) {
			delete(raw, k)
		}
	}
	if len(raw) == 0 {
		return b, nil
	}
	var typed map[string]json.RawMessage
	if err := json.Unmarshal(b, &typed); err != nil {
		return nil, err
	}
	for k, v := range raw {
		typed[k] = v
	}
	return json.Marshal(typed)
}

// eventKeys are the JSON keys the Event fields model.
var eventKeys = sync.OnceValue(func() []string {
	var keys []string
	t := reflect.TypeFor[Event]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			keys = append(keys, name)
		}
	}
	return keys
})

// isEventKey reports whether k names a modelled field. Like encoding/json
// it ignores case, so a key that decoding read into a field is never
// written twice.
func isEventKey(k string) bool {
	for _, known := range eventKeys() {
		if strings.EqualFold(k, known) {
			return true
		}
	}
	return false
}

// DecodeUserVariables decodes the event's user variables into v, which
// should be a pointer to a map or struct. It does nothing and returns nil
// when the event has none, and returns an error holding Mailgun's
// explanation when Mailgun sent a string instead of an object.
func (e *Event) DecodeUserVariables(v any) error {
	raw := bytes.TrimSpace(e.UserVariables)
	if len(raw) == 0 || isJSONNull(raw) {
		return nil
	}
	if raw[0] == '"' {
		var msg string
		if err := json.Unmarshal(raw, &msg); err != nil {
			return fmt.Errorf("mailgun: user variables: %w", err)
		}
		return fmt.Errorf("mailgun: user variables are not available: %s", msg)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("mailgun: user variables: %w", err)
	}
	return nil
}

// UnmarshalJSON reads is-text from a boolean or a string, and version from
// a string or a number.
func (t *EventTemplate) UnmarshalJSON(b []byte) error {
	var w struct {
		Name    string          `json:"name"`
		Version json.RawMessage `json:"version"`
		IsText  json.RawMessage `json:"is-text"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*t = EventTemplate{Name: w.Name}
	version, err := textOf(w.Version)
	if err != nil {
		return fmt.Errorf("template version: %w", err)
	}
	t.Version = version
	if v := bytes.TrimSpace(w.IsText); len(v) > 0 && !isJSONNull(v) {
		var s string
		if v[0] == '"' {
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
		} else {
			s = string(v)
		}
		bv, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("template is-text: %q is not a boolean", s)
		}
		t.IsText = &bv
	}
	return nil
}

func isJSONNull(b []byte) bool { return string(bytes.TrimSpace(b)) == "null" }

// unixSeconds is a time written as float Unix seconds ("1529692199.626182").
type unixSeconds time.Time

// maxUnixSeconds bounds the seconds accepted from the wire, far beyond any
// real timestamp, so that conversions cannot overflow.
const maxUnixSeconds = 1e12

var errUnixSeconds = errors.New("timestamp is not a number of Unix seconds")

// UnmarshalJSON reads a JSON number, or a string holding one. Decimal
// digits are kept exactly up to nanoseconds; a number with an exponent
// goes through float64 and is rounded to the microsecond. null leaves the
// zero time.
func (u *unixSeconds) UnmarshalJSON(b []byte) error {
	if isJSONNull(b) {
		*u = unixSeconds{}
		return nil
	}
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	t, err := parseUnixSeconds(b)
	if err != nil {
		return err
	}
	*u = unixSeconds(t)
	return nil
}

// MarshalJSON writes the time as seconds with at least six decimals.
func (u unixSeconds) MarshalJSON() ([]byte, error) {
	return appendUnixSeconds(nil, time.Time(u)), nil
}

func parseUnixSeconds(b []byte) (time.Time, error) {
	i, neg := 0, false
	if i < len(b) && b[i] == '-' {
		neg, i = true, i+1
	}
	var sec int64
	start := i
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		sec = sec*10 + int64(b[i]-'0')
		if sec >= maxUnixSeconds {
			return time.Time{}, errUnixSeconds
		}
	}
	if i == start {
		return time.Time{}, errUnixSeconds
	}
	var nsec int64
	if i < len(b) && b[i] == '.' {
		i++
		start = i
		scale := int64(1e8)
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			nsec += int64(b[i]-'0') * scale
			scale /= 10
		}
		if i == start {
			return time.Time{}, errUnixSeconds
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		return parseFloatSeconds(b)
	}
	if i != len(b) {
		return time.Time{}, errUnixSeconds
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), nil
}

func parseFloatSeconds(b []byte) (time.Time, error) {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsNaN(f) || math.Abs(f) >= maxUnixSeconds {
		return time.Time{}, errUnixSeconds
	}
	sec := math.Floor(f)
	usec := math.Round((f - sec) * 1e6)
	return time.Unix(int64(sec), int64(usec)*int64(time.Microsecond)).UTC(), nil
}

// appendUnixSeconds writes t as decimal Unix seconds, exact to the
// nanosecond, with six to nine decimals.
func appendUnixSeconds(dst []byte, t time.Time) []byte {
	sec, nsec := t.Unix(), int64(t.Nanosecond())
	if sec < 0 && nsec > 0 {
		dst = append(dst, '-')
		sec, nsec = -(sec + 1), int64(time.Second)-nsec
	}
	dst = strconv.AppendInt(dst, sec, 10)
	var frac [9]byte
	for i := 8; i >= 0; i-- {
		frac[i] = byte('0' + nsec%10)
		nsec /= 10
	}
	n := 9
	for n > 6 && frac[n-1] == '0' {
		n--
	}
	dst = append(dst, '.')
	return append(dst, frac[:n]...)
}

// EventFilter selects events by the filter parameters of the Events API.
// Each field holds an expression of Mailgun's filter language: a term
// ("bob"), terms that must all match ("foo bar" or "foo AND bar"), "OR",
// "NOT", parentheses, a quoted phrase, and for Size the comparisons
// ">10000" and "<20000". Quote, Or, Not, GreaterThan, LessThan and Between
// build the common forms. Different fields are ANDed; empty fields are not
// sent.
//
// Deprecated: the Events API is deprecated; LogsQuery filters the Logs API.
type EventFilter struct {
	// Event selects event types, such as EventFailed or
	// Or(EventFailed, EventRejected).
	Event EventName
	// Recipient is the single recipient an event is about.
	Recipient string
	// Recipients matches any potential recipient of stored events.
	Recipients string
	// From and To match the From and To MIME headers.
	From string
	To   string
	// Subject matches the subject line.
	Subject string
	// MessageID matches the Mailgun message id. Angle brackets around the
	// whole value, as the send API returns it, are removed.
	MessageID string
	// Attachment matches attachment file names.
	Attachment string
	// List is the address of the mailing list a message was sent to.
	List string
	// Tags matches the message's tags.
	Tags string
	// Size matches the message size in bytes, usually with GreaterThan,
	// LessThan or Between.
	Size string
	// Severity keeps failed events of one severity.
	Severity Severity
}

func (f *EventFilter) encode(v url.Values) {
	set := func(key, value string) {
		if strings.TrimSpace(value) != "" {
			v.Set(key, value)
		}
	}
	msgID := strings.TrimSpace(f.MessageID)
	if strings.HasPrefix(msgID, "<") && strings.HasSuffix(msgID, ">") {
		msgID = msgID[1 : len(msgID)-1]
	}
	set("event", string(f.Event))
	set("recipient", f.Recipient)
	set("recipients", f.Recipients)
	set("from", f.From)
	set("to", f.To)
	set("subject", f.Subject)
	set("message-id", msgID)
	set("attachment", f.Attachment)
	set("list", f.List)
	set("tags", f.Tags)
	set("size", f.Size)
	set("severity", string(f.Severity))
}

// Quote returns s as one literal value of the filter language: unchanged
// when it is a plain word, otherwise in double quotes, so that spaces,
// parentheses, comparisons and the words AND, OR and NOT are matched as
// text. The language has no escape for a double quote: one inside s
// becomes a space.
//
// Deprecated: the filter language belongs to the deprecated Events API.
func Quote(s string) string {
	plain := s != "" && s != "AND" && s != "OR" && s != "NOT" &&
		!strings.ContainsAny(s, "\"()<> \t\r\n\f\v")
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, " ") + `"`
}

// Or returns an expression that matches any of values, each quoted with
// Quote, of their own type: Or(EventFailed, EventRejected) is the
// EventName "failed OR rejected". It returns "" for no values.
//
// Deprecated: the filter language belongs to the deprecated Events API.
func Or[T ~string](values ...T) T {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = Quote(string(v))
	}
	return T(strings.Join(parts, " OR "))
}

// Not returns an expression of value's type that matches values not
// containing value (quoted with Quote): Not("internal") is "NOT internal".
//
// Deprecated: the filter language belongs to the deprecated Events API.
func Not[T ~string](value T) T { return T("NOT " + Quote(string(value))) }

// GreaterThan returns the numeric comparison ">n", for EventFilter.Size.
//
// Deprecated: the filter language belongs to the deprecated Events API.
func GreaterThan(n int64) string { return ">" + strconv.FormatInt(n, 10) }

// LessThan returns the numeric comparison "<n", for EventFilter.Size.
//
// Deprecated: the filter language belongs to the deprecated Events API.
func LessThan(n int64) string { return "<" + strconv.FormatInt(n, 10) }

// Between returns ">lo <hi", which matches numbers strictly between lo
// and hi, for EventFilter.Size.
//
// Deprecated: the filter language belongs to the deprecated Events API.
func Between(lo, hi int64) string { return GreaterThan(lo) + " " + LessThan(hi) }

// MaxEventsLimit is the largest page size of the Events API.
const MaxEventsLimit = 300

// EventsQuery selects and orders the events List and ListPage return. A
// nil *EventsQuery lists every event, newest first.
//
// Deprecated: the Events API is deprecated; use LogsQuery with LogsService.
type EventsQuery struct {
	EventFilter
	// Begin and End bound the time range; either may be zero. End must
	// not be before Begin. Times are sent as whole Unix seconds, widened
	// outwards to the enclosing seconds.
	Begin time.Time
	End   time.Time
	// Ascending lists oldest first; the default is newest first. A
	// descending list with a Begin and no End starts at the current time.
	Ascending bool
	// Limit is the page size, 1 to 300; 0 leaves it to Mailgun (100).
	Limit int
	// Cursor resumes a listing from Page.Next of an earlier ListPage call.
	// The cursor carries the range and filters of the query that made it,
	// so the other fields are then ignored.
	Cursor string
}

// List returns every event of domain that q selects, in q's order,
// fetching pages as the loop advances. It ends after the first empty page.
// An error (bad input, a failed request) is yielded once and ends the
// loop; bad input is reported before anything is sent.
//
// List follows the next links of the events of domain only, rebased on
// the client's base URL; a link to another list or domain, or a page
// without paging, is an ErrInvalidResponse error. An event field of an
// unexpected type is left zero (Raw keeps it), and an item that is not an
// object is skipped: neither fails the page.
//
// An ascending list without End stops when it reaches the present; use
// Poll to follow new events.
func (s *EventsService) List(ctx context.Context, domain string, q *EventsQuery) iter.Seq2[Event, error] {
	first, err := eventsRequest(domain, q, time.Now)
	if err != nil {
		return failedWalk[Event](err)
	}
	return iterate(ctx, "", func(ctx context.Context, cursor string) (*Page[Event], error) {
		if cursor == "" {
			return eventsPageAt(ctx, s.client, domain, first)
		}
		return eventsPageAt(ctx, s.client, domain, &doer.Request{Method: http.MethodGet, Cursor: cursor})
	})
}

// ListPage returns one page of the events of domain that q selects: the
// first one, or the one at q.Cursor. Page.Next is "" after the last page;
// store it to resume later, even in another process. A cursor that is not
// one of the events of domain is rejected before sending (ErrInvalidArgument),
// and pages are read as List reads them.
func (s *EventsService) ListPage(ctx context.Context, domain string, q *EventsQuery) (*Page[Event], error) {
	r, err := eventsRequest(domain, q, time.Now)
	if err != nil {
		return nil, err
	}
	return eventsPageAt(ctx, s.client, domain, r)
}

// eventsRequest checks q and builds the request for its first page (or
// for its cursor).
func eventsRequest(domain string, q *EventsQuery, now func() time.Time) (*doer.Request, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if q == nil {
		q = &EventsQuery{}
	}
	if q.Limit < 0 || q.Limit > MaxEventsLimit {
		return nil, invalidArg("limit %d is out of range 1..%d", q.Limit, MaxEventsLimit)
	}
	if !q.Begin.IsZero() && !q.End.IsZero() && q.End.Before(q.Begin) {
		return nil, invalidArg("end %s is before begin %s", q.End.Format(time.RFC3339), q.Begin.Format(time.RFC3339))
	}
	if q.Cursor != "" {
		if err := checkEventsCursor(q.Cursor, domain); err != nil {
			return nil, invalidArg("cursor: %s", err)
		}
		return &doer.Request{Method: http.MethodGet, Cursor: q.Cursor}, nil
	}
	v := url.Values{}
	q.encode(v)
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	// The API's begin is where the walk starts, so a descending range
	// starts at its upper bound.
	lower, upper := floorSeconds(q.Begin), ceilSeconds(q.End)
	if q.Ascending {
		v.Set("ascending", "yes")
		setUnix(v, "begin", lower)
		setUnix(v, "end", upper)
	} else {
		v.Set("ascending", "no")
		if upper == "" && lower != "" {
			upper = ceilSeconds(now())
		}
		setUnix(v, "begin", upper)
		setUnix(v, "end", lower)
	}
	return &doer.Request{Method: http.MethodGet, Path: []string{"v3", domain, "events"}, Query: v}, nil
}

func setUnix(v url.Values, key, secs string) {
	if secs != "" {
		v.Set(key, secs)
	}
}

// floorSeconds and ceilSeconds write t as whole Unix seconds, or "" for
// the zero time.
func floorSeconds(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	s := t.Unix()
	return strconv.FormatInt(s, 10)
}

func ceilSeconds(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return strconv.FormatInt(s, 10)
}

// Defaults of PollOptions.
const (
	DefaultPollThreshold = 30 * time.Minute
	DefaultPollInterval  = 15 * time.Second
)

// PollClock is the time source of Poll; tests substitute a fake one.
type PollClock interface {
	Now() time.Time
	// Sleep waits for d; it returns ctx's error at once if ctx ends first.
	Sleep(ctx context.Context, d time.Duration) error
}

// PollOptions configures Poll. A nil *PollOptions means the defaults.
//
// Deprecated: the Events API is deprecated; LogsService has no polling
// recipe yet, so this remains the way to follow events reliably.
type PollOptions struct {
	EventFilter
	// Begin is the time of the oldest event wanted; zero means Threshold
	// before the current time (the current time with NoThreshold).
	Begin time.Time
	// Threshold is how old the last event of a page must be before the
	// page is accepted, because events reach storage out of order; zero
	// means DefaultPollThreshold (30 minutes) unless NoThreshold is set.
	Threshold time.Duration
	// NoThreshold accepts every page at once, so events are delivered as
	// soon as they are listed, and one stored late (behind the last page
	// accepted) is missed. Threshold must then be zero.
	NoThreshold bool
	// Interval is the wait before a page that was empty or too recent is
	// requested again; zero means DefaultPollInterval (15 seconds).
	Interval time.Duration
	// Limit is the page size, 1 to 300; 0 means 300.
	Limit int
	// Clock gives the time and waits; nil means the system clock.
	Clock PollClock
}

// Poll follows the events of domain as they are stored, oldest first,
// with Mailgun's reliable-polling recipe: it walks an ascending range
// from opts.Begin, accepts a page only when its last event is older than
// opts.Threshold (otherwise it waits opts.Interval and requests the same
// page again), moves on to the next page after accepting one, and yields
// each event id at most once across overlapping pages. So an event is
// delivered about Threshold after it happened, and one stored late (within
// Threshold) is not missed.
//
// Poll runs until ctx ends, then returns without an error, or until the
// loop breaks. A failed request is yielded as an error; if the loop goes
// on, Poll waits Interval and tries the same page again. A page without a
// next link (which the API always sends) is taken for a passing anomaly:
// Poll waits Interval and asks for the same page again, and yields an
// ErrInvalidResponse error only when that page still has none; if the
// loop goes on, it keeps asking every Interval. Bad input is yielded once,
// before anything is sent, and ends the loop.
func (s *EventsService) Poll(ctx context.Context, domain string, opts *PollOptions) iter.Seq2[Event, error] {
	var o PollOptions
	if opts != nil {
		o = *opts
	}
	fail := func(err error) iter.Seq2[Event, error] {
		return failedWalk[Event](err)
	}
	switch {
	case o.Threshold < 0:
		return fail(invalidArg("threshold %s is negative", o.Threshold))
	case o.NoThreshold && o.Threshold != 0:
		return fail(invalidArg("threshold %s is set together with NoThreshold", o.Threshold))
	case o.Interval < 0:
		return fail(invalidArg("interval %s is negative", o.Interval))
	}
	if o.Threshold == 0 && !o.NoThreshold {
		o.Threshold = DefaultPollThreshold
	}
	if o.Interval == 0 {
		o.Interval = DefaultPollInterval
	}
	if o.Limit == 0 {
		o.Limit = MaxEventsLimit
	}
	if o.Clock == nil {
		o.Clock = systemClock{}
	}
	// The range's start is fixed when the loop starts.
	return func(yield func(Event, error) bool) {
		begin := o.Begin
		if begin.IsZero() {
			begin = o.Clock.Now().Add(-o.Threshold)
		}
		r, err := eventsRequest(domain, &EventsQuery{EventFilter: o.EventFilter, Begin: begin, Ascending: true, Limit: o.Limit}, o.Clock.Now)
		if err != nil {
			yield(Event{}, err)
			return
		}
		p := poller{s: s, domain: domain, opts: &o, seen: map[string]time.Time{}}
		p.run(ctx, r, yield)
	}
}

type poller struct {
	s      *EventsService
	domain string
	opts   *PollOptions
	// seen holds the ids yielded recently, with their event times, so
	// that overlapping pages yield each event once.
	seen   map[string]time.Time
	newest time.Time
}

func (p *poller) run(ctx context.Context, r *doer.Request, yield func(Event, error) bool) {
	missing := 0 // pages in a row read without a next link
	for ctx.Err() == nil {
		items, next, paged, err := fetchEvents(ctx, p.s.client, p.domain, r)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			if !yield(Event{}, err) || p.opts.Clock.Sleep(ctx, p.opts.Interval) != nil {
				return
			}
			continue
		}
		if len(items) == 0 || p.opts.Clock.Now().Sub(items[len(items)-1].Timestamp) < p.opts.Threshold {
			// Caught up, or events may still arrive before the page's
			// end: ask for the same page later.
			if p.opts.Clock.Sleep(ctx, p.opts.Interval) != nil {
				return
			}
			continue
		}
		fresh := 0
		for _, e := range items {
			if p.duplicate(e) {
				continue
			}
			fresh++
			if !yield(e, nil) {
				return
			}
		}
		if next == "" {
			// An anomaly of the server: ask for the same page again (its
			// events are not yielded twice), and report it when it lasts.
			missing++
			if missing > 1 {
				err := errNoPaging
				if paged {
					err = fmt.Errorf("%w: events page has no next link", ErrInvalidResponse)
				}
				if !yield(Event{}, err) {
					return
				}
			}
			if p.opts.Clock.Sleep(ctx, p.opts.Interval) != nil {
				return
			}
			continue
		}
		missing = 0
		p.forget()
		if fresh == 0 || next == r.Cursor {
			// The server made no progress; do not spin.
			if p.opts.Clock.Sleep(ctx, p.opts.Interval) != nil {
				return
			}
		}
		r = &doer.Request{Method: http.MethodGet, Cursor: next}
	}
}

// duplicate reports whether e was yielded already, and remembers it.
func (p *poller) duplicate(e Event) bool {
	if e.Timestamp.After(p.newest) {
		p.newest = e.Timestamp
	}
	if e.ID == "" {
		return false
	}
	if _, ok := p.seen[e.ID]; ok {
		return true
	}
	p.seen[e.ID] = e.Timestamp
	return false
}

// forget drops ids of events older than Threshold before the newest one
// yielded: pages overlap only near their boundary, and ids are unique
// only within a day.
func (p *poller) forget() {
	horizon := p.newest.Add(-p.opts.Threshold)
	for id, ts := range p.seen {
		if ts.Before(horizon) {
			delete(p.seen, id)
		}
	}
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
