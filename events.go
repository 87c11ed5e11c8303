package mailgun

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
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
// Decoding never fails on an unknown event name or an unknown field: the
// event decodes with the fields it shares with the others, and Raw always
// holds the JSON object as received. Encoding writes the modelled fields
// and keeps any other keys found in Raw.
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
	// IsText is read from a boolean or from a "true"/"false" string.
	IsText *bool `json:"is-text,omitempty"`
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
	type fields Event
	var w struct {
		*fields
		Timestamp unixSeconds `json:"timestamp"`
		Routes    routeList   `json:"routes"`
	}
	*e = Event{}
	w.fields = (*fields)(e)
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	e.Timestamp = time.Time(w.Timestamp)
	e.Routes = []EventRoute(w.Routes)
	if isJSONNull(e.UserVariables) {
		e.UserVariables = nil
	}
	e.Raw = bytes.Clone(b)
	return nil
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
	if v := bytes.TrimSpace(w.Version); len(v) > 0 && !isJSONNull(v) {
		if v[0] == '"' {
			if err := json.Unmarshal(v, &t.Version); err != nil {
				return err
			}
		} else {
			var n json.Number
			if err := json.Unmarshal(v, &n); err != nil {
				return fmt.Errorf("template version: %w", err)
			}
			t.Version = n.String()
		}
	}
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

// routeList reads routes from an array of route objects or a single one.
type routeList []EventRoute

func (r *routeList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var one EventRoute
		if err := json.Unmarshal(b, &one); err != nil {
			return err
		}
		*r = routeList{one}
		return nil
	}
	var many []EventRoute
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*r = many
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
