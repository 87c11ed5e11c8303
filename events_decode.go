package mailgun

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/mgkit/mailgun/internal/jsonread"
)

// The events decoder reads events with jsonread instead of encoding/json
// and gives the same results, errors included, as json.Unmarshal into
// eventWire did: keys match exactly or case-insensitively (as
// bytes.EqualFold), unknown keys are skipped, the last of repeated keys
// wins, a repeated object decodes into the value already there, null
// clears pointers and slices and leaves other values alone, and a value of
// the wrong type is an error. Slices reuse their backing array as
// encoding/json does: elements are decoded into whatever a previous array
// left at their index, up to its capacity.

// decodeError is a JSON value that does not fit the field it is for.
type decodeError struct {
	value string // "string", "number 1.5", ...
	field string
}

func (e *decodeError) Error() string {
	return "mailgun: cannot decode JSON " + e.value + " into event field " + e.field
}

type eventDecoder struct {
	r jsonread.Reader
}

// decodeEvent decodes the event object (or null) in b into w, fresh or
// already filled, and checks that nothing follows it. It leaves w.Raw
// alone.
func decodeEvent(b []byte, w *Event) error {
	var d eventDecoder
	d.r.Reset(b)
	if err := d.eventValue(w); err != nil {
		return err
	}
	return d.r.Finish()
}

// decodeEventsPage decodes an Events API page: its items, each with a copy
// of its bytes in Raw, and its paging.next link. items is never nil.
func decodeEventsPage(body []byte) (items []Event, next string, err error) {
	var d eventDecoder
	d.r.Reset(body)
	switch k := d.r.Peek(); k {
	case jsonread.Null:
		d.r.ReadNull()
	case jsonread.Object:
		d.r.BeginObject()
		for err == nil {
			key, ok := d.r.NextKey()
			if !ok {
				break
			}
			switch pageKey(key) {
			case pageItems:
				err = d.items(&items, body)
			case pagePaging:
				err = d.paging(&next)
			default:
				d.r.SkipValue()
			}
		}
	default:
		err = d.mismatch(k, "page")
	}
	if err == nil {
		err = d.r.Finish()
	}
	if err != nil {
		return nil, "", err
	}
	if items == nil {
		items = []Event{}
	}
	// Drop what earlier "items" arrays left beyond the last one.
	clear(items[len(items):cap(items)])
	return items, next, nil
}

// mismatch returns the error for a value of kind k where field wants
// another kind: a syntax error if no value starts there.
func (d *eventDecoder) mismatch(k jsonread.Kind, field string) error {
	if k == jsonread.Invalid {
		d.r.SkipValue() // records the syntax error
		return d.r.Err()
	}
	return &decodeError{value: k.String(), field: field}
}

const (
	pageItems = iota + 1
	pagePaging
)

func pageKey(key []byte) int {
	switch string(key) {
	case "items":
		return pageItems
	case "paging":
		return pagePaging
	}
	if k, ok := foldKey(key); ok {
		return pageKey(k.bytes())
	}
	return 0
}

// items decodes the items array into *dst as encoding/json decodes a
// slice, and sets each decoded event's Raw.
func (d *eventDecoder) items(dst *[]Event, body []byte) error {
	switch k := d.r.Peek(); k {
	case jsonread.Null:
		d.r.ReadNull()
		*dst = nil
		return nil
	case jsonread.Array:
	default:
		return d.mismatch(k, "items")
	}
	d.r.BeginArray()
	s := *dst
	i := 0
	for d.r.NextElement() {
		s = growTo(s, i)
		d.r.Peek()
		start := d.r.Offset()
		if err := d.eventValue(&s[i]); err != nil {
			return err
		}
		if err := d.r.Err(); err != nil {
			return err
		}
		s[i].Raw = bytes.Clone(body[start:d.r.Offset()])
		i++
	}
	*dst = endSlice(s, i)
	return d.r.Err()
}

// growTo makes s[i] addressable for element i of an array being decoded,
// keeping whatever lies at that index within the capacity, as
// encoding/json does.
func growTo[T any](s []T, i int) []T {
	if i < len(s) {
		return s
	}
	if i < cap(s) {
		return s[:i+1]
	}
	var zero T
	return append(s, zero)
}

// endSlice finishes a slice after an array of n elements.
func endSlice[T any](s []T, n int) []T {
	if n == 0 {
		return []T{}
	}
	return s[:n]
}

func (d *eventDecoder) paging(next *string) error {
	switch k := d.r.Peek(); k {
	case jsonread.Null:
		d.r.ReadNull()
		return nil
	case jsonread.Object:
	default:
		return d.mismatch(k, "paging")
	}
	d.r.BeginObject()
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		if string(key) == "next" || foldEquals(key, "next") {
			if err := d.str(next, "paging.next"); err != nil {
				return err
			}
		} else {
			d.r.SkipValue()
		}
	}
}

// foldedKey is a key folded by foldKey.
type foldedKey struct {
	b [64]byte
	n int
}

func (k *foldedKey) bytes() []byte { return k.b[:k.n] }

// foldKey folds key as bytes.EqualFold compares it with a lower-case ASCII
// name: ASCII letters are lowered, U+017F (long s) becomes 's' and U+212A
// (Kelvin sign) 'k', the only non-ASCII runes that fold to ASCII. ok is
// false when folding changes nothing, or when key cannot match a field
// name: it holds another non-ASCII rune or is longer than any name.
func foldKey(key []byte) (k foldedKey, ok bool) {
	changed := false
	for i := 0; i < len(key); {
		c := key[i]
		switch {
		case c < utf8.RuneSelf:
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
				changed = true
			}
			i++
		case c == 0xC5 && i+1 < len(key) && key[i+1] == 0xBF: // U+017F
			c, changed = 's', true
			i += 2
		case c == 0xE2 && i+2 < len(key) && key[i+1] == 0x84 && key[i+2] == 0xAA: // U+212A
			c, changed = 'k', true
			i += 3
		default:
			return k, false
		}
		if k.n == len(k.b) {
			return k, false
		}
		k.b[k.n] = c
		k.n++
	}
	return k, changed
}

// foldEquals reports whether key folds to name, a lower-case ASCII name.
func foldEquals(key []byte, name string) bool {
	k, ok := foldKey(key)
	return ok && string(k.bytes()) == name
}

// Scalar fields.

func (d *eventDecoder) str(dst *string, field string) error {
	k := d.r.Peek()
	if k == jsonread.String {
		*dst = d.r.ReadString()
		return nil
	}
	if k == jsonread.Null {
		d.r.ReadNull()
		return nil
	}
	return d.mismatch(k, field)
}

// number reads a number or null; ok is false for null.
func (d *eventDecoder) number(field string) (lit []byte, ok bool, err error) {
	switch k := d.r.Peek(); k {
	case jsonread.Number:
		return d.r.ReadNumber(), true, nil
	case jsonread.Null:
		d.r.ReadNull()
		return nil, false, nil
	default:
		return nil, false, d.mismatch(k, field)
	}
}

func (d *eventDecoder) int64(field string) (n int64, ok bool, err error) {
	lit, ok, err := d.number(field)
	if !ok || lit == nil {
		return 0, false, err
	}
	n, perr := strconv.ParseInt(string(lit), 10, 64)
	if perr != nil {
		return 0, false, &decodeError{value: "number " + string(lit), field: field}
	}
	return n, true, nil
}

func (d *eventDecoder) integer(dst *int, field string) error {
	n, ok, err := d.int64(field)
	if ok {
		if int64(int(n)) != n {
			return &decodeError{value: "number " + strconv.FormatInt(n, 10), field: field}
		}
		*dst = int(n)
	}
	return err
}

func (d *eventDecoder) integer64(dst *int64, field string) error {
	n, ok, err := d.int64(field)
	if ok {
		*dst = n
	}
	return err
}

func (d *eventDecoder) float(dst *float64, field string) error {
	lit, ok, err := d.number(field)
	if !ok || lit == nil {
		return err
	}
	f, perr := strconv.ParseFloat(string(lit), 64)
	if perr != nil {
		return &decodeError{value: "number " + string(lit), field: field}
	}
	*dst = f
	return nil
}

func (d *eventDecoder) boolPtr(dst **bool, field string) error {
	switch k := d.r.Peek(); k {
	case jsonread.Bool:
		v := d.r.ReadBool()
		if *dst == nil {
			*dst = new(bool)
		}
		**dst = v
		return nil
	case jsonread.Null:
		d.r.ReadNull()
		*dst = nil
		return nil
	default:
		return d.mismatch(k, field)
	}
}

func (d *eventDecoder) int64Ptr(dst **int64, field string) error {
	switch k := d.r.Peek(); k {
	case jsonread.Number:
		n, _, err := d.int64(field)
		if err != nil {
			return err
		}
		if *dst == nil {
			*dst = new(int64)
		}
		**dst = n
		return nil
	case jsonread.Null:
		d.r.ReadNull()
		*dst = nil
		return nil
	default:
		return d.mismatch(k, field)
	}
}

// strings decodes a []string field: elements decode into what the slice
// holds at their index, so a null element keeps it.
func (d *eventDecoder) strings(dst *[]string, field string) error {
	switch k := d.r.Peek(); k {
	case jsonread.Null:
		d.r.ReadNull()
		*dst = nil
		return nil
	case jsonread.Array:
	default:
		return d.mismatch(k, field)
	}
	d.r.BeginArray()
	s := *dst
	i := 0
	for d.r.NextElement() {
		s = growTo(s, i)
		if err := d.str(&s[i], field); err != nil {
			return err
		}
		i++
	}
	*dst = endSlice(s, i)
	return d.r.Err()
}

// Objects. Each fill function decodes the members of an object whose '{'
// has been read into v, merging with what v holds.

type fillFunc[T any] func(d *eventDecoder, v *T) error

// object decodes an object into *v; null leaves v alone.
func object[T any](d *eventDecoder, v *T, fill fillFunc[T], field string) error {
	switch k := d.r.Peek(); k {
	case jsonread.Object:
		d.r.BeginObject()
		return fill(d, v)
	case jsonread.Null:
		d.r.ReadNull()
		return nil
	default:
		return d.mismatch(k, field)
	}
}

// objectPtr decodes an object into **p, allocating it if *p is nil; null
// sets *p to nil.
func objectPtr[T any](d *eventDecoder, p **T, fill fillFunc[T], field string) error {
	switch k := d.r.Peek(); k {
	case jsonread.Object:
		if *p == nil {
			*p = new(T)
		}
		d.r.BeginObject()
		return fill(d, *p)
	case jsonread.Null:
		d.r.ReadNull()
		*p = nil
		return nil
	default:
		return d.mismatch(k, field)
	}
}

// objects decodes an array of objects into *dst as encoding/json decodes
// a slice of structs.
func objects[T any](d *eventDecoder, dst *[]T, fill fillFunc[T], field string) error {
	switch k := d.r.Peek(); k {
	case jsonread.Null:
		d.r.ReadNull()
		*dst = nil
		return nil
	case jsonread.Array:
	default:
		return d.mismatch(k, field)
	}
	d.r.BeginArray()
	s := *dst
	i := 0
	for d.r.NextElement() {
		s = growTo(s, i)
		if err := object(d, &s[i], fill, field); err != nil {
			return err
		}
		i++
	}
	*dst = endSlice(s, i)
	return d.r.Err()
}

// members calls member for each key of the object being read, until the
// closing brace, an error or a member error.
func (d *eventDecoder) members(member func(key []byte) error) error {
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		if err := member(key); err != nil {
			return err
		}
	}
}

// eventValue decodes an event object into w, merging with what it holds;
// null leaves w alone.
func (d *eventDecoder) eventValue(w *Event) error {
	return object(d, w, (*eventDecoder).event, "event")
}

const (
	evID = iota + 1
	evEvent
	evTimestamp
	evLogLevel
	evRecipient
	evRecipientDomain
	evRecipientProvider
	evMethod
	evOriginatingIP
	evAPIKeyID
	evPrimaryDKIM
	evSeverity
	evReason
	evURL
	evIP
	evTags
	evCampaigns
	evUserVariables
	evEnvelope
	evMessage
	evFlags
	evDeliveryStatus
	evReject
	evStorage
	evGeolocation
	evClientInfo
	evMailingList
	evRoutes
	evBatch
	evTemplate
	evTaskID
	evFormat
	evMember
	evMemberDescription
	evError
	evSubscribed
	evIsUpsert
	evUpsertedCount
	evFailedCount
)

func eventKey(key []byte) int {
	switch string(key) {
	case "id":
		return evID
	case "event":
		return evEvent
	case "timestamp":
		return evTimestamp
	case "log-level":
		return evLogLevel
	case "recipient":
		return evRecipient
	case "recipient-domain":
		return evRecipientDomain
	case "recipient-provider":
		return evRecipientProvider
	case "method":
		return evMethod
	case "originating-ip":
		return evOriginatingIP
	case "api-key-id":
		return evAPIKeyID
	case "primary-dkim":
		return evPrimaryDKIM
	case "severity":
		return evSeverity
	case "reason":
		return evReason
	case "url":
		return evURL
	case "ip":
		return evIP
	case "tags":
		return evTags
	case "campaigns":
		return evCampaigns
	case "user-variables":
		return evUserVariables
	case "envelope":
		return evEnvelope
	case "message":
		return evMessage
	case "flags":
		return evFlags
	case "delivery-status":
		return evDeliveryStatus
	case "reject":
		return evReject
	case "storage":
		return evStorage
	case "geolocation":
		return evGeolocation
	case "client-info":
		return evClientInfo
	case "mailing-list":
		return evMailingList
	case "routes":
		return evRoutes
	case "batch":
		return evBatch
	case "template":
		return evTemplate
	case "task-id":
		return evTaskID
	case "format":
		return evFormat
	case "member":
		return evMember
	case "member-description":
		return evMemberDescription
	case "error":
		return evError
	case "subscribed":
		return evSubscribed
	case "is-upsert":
		return evIsUpsert
	case "upserted-count":
		return evUpsertedCount
	case "failed-count":
		return evFailedCount
	}
	if k, ok := foldKey(key); ok {
		return eventKey(k.bytes())
	}
	return 0
}

func (d *eventDecoder) event(w *Event) error {
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		var err error
		switch eventKey(key) {
		case evID:
			err = d.str(&w.ID, "id")
		case evEvent:
			err = d.str((*string)(&w.Event), "event")
		case evTimestamp:
			err = d.timestamp(&w.Timestamp)
		case evLogLevel:
			err = d.str((*string)(&w.LogLevel), "log-level")
		case evRecipient:
			err = d.str(&w.Recipient, "recipient")
		case evRecipientDomain:
			err = d.str(&w.RecipientDomain, "recipient-domain")
		case evRecipientProvider:
			err = d.str(&w.RecipientProvider, "recipient-provider")
		case evMethod:
			err = d.str(&w.Method, "method")
		case evOriginatingIP:
			err = d.str(&w.OriginatingIP, "originating-ip")
		case evAPIKeyID:
			err = d.str(&w.APIKeyID, "api-key-id")
		case evPrimaryDKIM:
			err = d.str(&w.PrimaryDKIM, "primary-dkim")
		case evSeverity:
			err = d.str((*string)(&w.Severity), "severity")
		case evReason:
			err = d.str(&w.Reason, "reason")
		case evURL:
			err = d.str(&w.URL, "url")
		case evIP:
			err = d.str(&w.IP, "ip")
		case evTags:
			err = d.strings(&w.Tags, "tags")
		case evCampaigns:
			err = objects(d, &w.Campaigns, (*eventDecoder).campaign, "campaigns")
		case evUserVariables:
			// Kept as written; null reads as absent.
			raw := d.r.SkipValue()
			if raw != nil {
				if string(raw) == "null" {
					w.UserVariables = nil
				} else {
					w.UserVariables = bytes.Clone(raw)
				}
			}
		case evEnvelope:
			err = objectPtr(d, &w.Envelope, (*eventDecoder).envelope, "envelope")
		case evMessage:
			err = objectPtr(d, &w.Message, (*eventDecoder).message, "message")
		case evFlags:
			err = objectPtr(d, &w.Flags, (*eventDecoder).flags, "flags")
		case evDeliveryStatus:
			err = objectPtr(d, &w.DeliveryStatus, (*eventDecoder).deliveryStatus, "delivery-status")
		case evReject:
			err = objectPtr(d, &w.Reject, (*eventDecoder).reject, "reject")
		case evStorage:
			err = objectPtr(d, &w.Storage, (*eventDecoder).storage, "storage")
		case evGeolocation:
			err = objectPtr(d, &w.Geolocation, (*eventDecoder).geolocation, "geolocation")
		case evClientInfo:
			err = objectPtr(d, &w.ClientInfo, (*eventDecoder).clientInfo, "client-info")
		case evMailingList:
			err = objectPtr(d, &w.MailingList, (*eventDecoder).mailingList, "mailing-list")
		case evRoutes:
			err = d.routes(&w.Routes)
		case evBatch:
			err = objectPtr(d, &w.Batch, (*eventDecoder).batch, "batch")
		case evTemplate:
			err = d.template(&w.Template)
		case evTaskID:
			err = d.str(&w.TaskID, "task-id")
		case evFormat:
			err = d.str(&w.Format, "format")
		case evMember:
			err = objectPtr(d, &w.Member, (*eventDecoder).member, "member")
		case evMemberDescription:
			err = d.str(&w.MemberDescription, "member-description")
		case evError:
			err = objectPtr(d, &w.Error, (*eventDecoder).eventError, "error")
		case evSubscribed:
			err = d.boolPtr(&w.Subscribed, "subscribed")
		case evIsUpsert:
			err = d.boolPtr(&w.IsUpsert, "is-upsert")
		case evUpsertedCount:
			err = d.int64Ptr(&w.UpsertedCount, "upserted-count")
		case evFailedCount:
			err = d.int64Ptr(&w.FailedCount, "failed-count")
		default:
			d.r.SkipValue()
		}
		if err != nil {
			return err
		}
	}
}

// timestamp reads a timestamp as unixSeconds.UnmarshalJSON does, from the
// value's bytes as written.
func (d *eventDecoder) timestamp(dst *time.Time) error {
	raw := d.r.SkipValue()
	if raw == nil {
		return d.r.Err()
	}
	var u unixSeconds
	if err := u.UnmarshalJSON(raw); err != nil {
		return err
	}
	*dst = time.Time(u)
	return nil
}

// routes reads routes as routeList.UnmarshalJSON does: a fresh list from
// an array, or a list of one from a single object.
func (d *eventDecoder) routes(dst *[]EventRoute) error {
	switch k := d.r.Peek(); k {
	case jsonread.Object:
		var one EventRoute
		d.r.BeginObject()
		if err := d.route(&one); err != nil {
			return err
		}
		*dst = []EventRoute{one}
		return nil
	case jsonread.Null, jsonread.Array:
		var many []EventRoute
		if err := objects(d, &many, (*eventDecoder).route, "routes"); err != nil {
			return err
		}
		*dst = many
		return nil
	default:
		return d.mismatch(k, "routes")
	}
}

// template reads a template as EventTemplate.UnmarshalJSON does: the
// object replaces any earlier one; version is a string or a number, and
// is-text a boolean or a string ParseBool accepts; for both, null or
// absence leaves the field empty, and the last occurrence of the key
// decides.
func (d *eventDecoder) template(dst **EventTemplate) error {
	switch k := d.r.Peek(); k {
	case jsonread.Null:
		d.r.ReadNull()
		*dst = nil
		return nil
	case jsonread.Object:
	default:
		return d.mismatch(k, "template")
	}
	d.r.BeginObject()
	var (
		t            EventTemplate
		versionKind  jsonread.Kind
		isText       string
		isTextIsNull = true
	)
	err := d.members(func(key []byte) error {
		switch templateKey(key) {
		case tplName:
			return d.str(&t.Name, "template.name")
		case tplVersion:
			switch versionKind = d.r.Peek(); versionKind {
			case jsonread.String:
				t.Version = d.r.ReadString()
			case jsonread.Number:
				t.Version = string(d.r.ReadNumber())
			default:
				t.Version = ""
				d.r.SkipValue()
			}
		case tplIsText:
			switch k := d.r.Peek(); k {
			case jsonread.String:
				isText, isTextIsNull = d.r.ReadString(), false
			case jsonread.Null:
				d.r.ReadNull()
				isText, isTextIsNull = "", true
			default:
				isText, isTextIsNull = string(d.r.SkipValue()), false
			}
		default:
			d.r.SkipValue()
		}
		return nil
	})
	if err != nil {
		return err
	}
	switch versionKind {
	case jsonread.Invalid, jsonread.Null, jsonread.String, jsonread.Number:
	default:
		return &decodeError{value: versionKind.String(), field: "template.version"}
	}
	if !isTextIsNull {
		v, err := strconv.ParseBool(isText)
		if err != nil {
			return &decodeError{value: strconv.Quote(isText), field: "template.is-text"}
		}
		t.IsText = &v
	}
	if *dst == nil {
		*dst = new(EventTemplate)
	}
	**dst = t
	return nil
}

const (
	tplName = iota + 1
	tplVersion
	tplIsText
)

func templateKey(key []byte) int {
	switch string(key) {
	case "name":
		return tplName
	case "version":
		return tplVersion
	case "is-text":
		return tplIsText
	}
	if k, ok := foldKey(key); ok {
		return templateKey(k.bytes())
	}
	return 0
}

// fields maps the keys of a small object to field numbers from 1; it is
// for the nested objects, whose keys are few.
func fieldOf(key []byte, names []string) int {
	for i, name := range names {
		if string(key) == name {
			return i + 1
		}
	}
	if k, ok := foldKey(key); ok {
		for i, name := range names {
			if string(k.bytes()) == name {
				return i + 1
			}
		}
	}
	return 0
}

var campaignKeys = []string{"id", "name"}

func (d *eventDecoder) campaign(c *EventCampaign) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, campaignKeys) {
		case 1:
			return d.str(&c.ID, "campaigns.id")
		case 2:
			return d.str(&c.Name, "campaigns.name")
		}
		d.r.SkipValue()
		return nil
	})
}

var envelopeKeys = []string{"sender", "targets", "transport", "sending-ip", "sending-host", "mail-from", "i-ip-pool-id"}

func (d *eventDecoder) envelope(e *EventEnvelope) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, envelopeKeys) {
		case 1:
			return d.str(&e.Sender, "envelope.sender")
		case 2:
			return d.str(&e.Targets, "envelope.targets")
		case 3:
			return d.str(&e.Transport, "envelope.transport")
		case 4:
			return d.str(&e.SendingIP, "envelope.sending-ip")
		case 5:
			return d.str(&e.SendingHost, "envelope.sending-host")
		case 6:
			return d.str(&e.MailFrom, "envelope.mail-from")
		case 7:
			return d.str(&e.IPPoolID, "envelope.i-ip-pool-id")
		}
		d.r.SkipValue()
		return nil
	})
}

var messageKeys = []string{"headers", "attachments", "recipients", "size", "scheduled-for"}

func (d *eventDecoder) message(m *EventMessage) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, messageKeys) {
		case 1:
			return object(d, &m.Headers, (*eventDecoder).headers, "message.headers")
		case 2:
			return objects(d, &m.Attachments, (*eventDecoder).attachment, "message.attachments")
		case 3:
			return d.strings(&m.Recipients, "message.recipients")
		case 4:
			return d.integer64(&m.Size, "message.size")
		case 5:
			return d.str(&m.ScheduledFor, "message.scheduled-for")
		}
		d.r.SkipValue()
		return nil
	})
}

var headersKeys = []string{"to", "from", "message-id", "subject"}

func (d *eventDecoder) headers(h *MessageHeaders) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, headersKeys) {
		case 1:
			return d.str(&h.To, "message.headers.to")
		case 2:
			return d.str(&h.From, "message.headers.from")
		case 3:
			return d.str(&h.MessageID, "message.headers.message-id")
		case 4:
			return d.str(&h.Subject, "message.headers.subject")
		}
		d.r.SkipValue()
		return nil
	})
}

var attachmentKeys = []string{"filename", "content-type", "size"}

func (d *eventDecoder) attachment(a *EventAttachment) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, attachmentKeys) {
		case 1:
			return d.str(&a.Filename, "message.attachments.filename")
		case 2:
			return d.str(&a.ContentType, "message.attachments.content-type")
		case 3:
			return d.integer64(&a.Size, "message.attachments.size")
		}
		d.r.SkipValue()
		return nil
	})
}

var flagsKeys = []string{"is-authenticated", "is-routed", "is-system-test", "is-test-mode", "is-delayed-bounce", "is-amp", "is-encrypted", "is-big", "is-callback"}

func (d *eventDecoder) flags(f *EventFlags) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, flagsKeys) {
		case 1:
			return d.boolPtr(&f.IsAuthenticated, "flags.is-authenticated")
		case 2:
			return d.boolPtr(&f.IsRouted, "flags.is-routed")
		case 3:
			return d.boolPtr(&f.IsSystemTest, "flags.is-system-test")
		case 4:
			return d.boolPtr(&f.IsTestMode, "flags.is-test-mode")
		case 5:
			return d.boolPtr(&f.IsDelayedBounce, "flags.is-delayed-bounce")
		case 6:
			return d.boolPtr(&f.IsAMP, "flags.is-amp")
		case 7:
			return d.boolPtr(&f.IsEncrypted, "flags.is-encrypted")
		case 8:
			return d.boolPtr(&f.IsBig, "flags.is-big")
		case 9:
			return d.boolPtr(&f.IsCallback, "flags.is-callback")
		}
		d.r.SkipValue()
		return nil
	})
}

var deliveryStatusKeys = []string{
	"code", "enhanced-code", "message", "description", "attempt-no", "mx-host", "retry-seconds", "session-seconds",
	"first-delivery-attempt-seconds", "tls", "utf8", "certificate-verified", "last-code", "last-message", "bounce-type", "bounce-code",
}

func (d *eventDecoder) deliveryStatus(s *DeliveryStatus) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, deliveryStatusKeys) {
		case 1:
			return d.integer(&s.Code, "delivery-status.code")
		case 2:
			return d.str(&s.EnhancedCode, "delivery-status.enhanced-code")
		case 3:
			return d.str(&s.Message, "delivery-status.message")
		case 4:
			return d.str(&s.Description, "delivery-status.description")
		case 5:
			return d.integer(&s.AttemptNo, "delivery-status.attempt-no")
		case 6:
			return d.str(&s.MXHost, "delivery-status.mx-host")
		case 7:
			return d.integer(&s.RetrySeconds, "delivery-status.retry-seconds")
		case 8:
			return d.float(&s.SessionSeconds, "delivery-status.session-seconds")
		case 9:
			return d.float(&s.FirstDeliveryAttemptSeconds, "delivery-status.first-delivery-attempt-seconds")
		case 10:
			return d.boolPtr(&s.TLS, "delivery-status.tls")
		case 11:
			return d.boolPtr(&s.UTF8, "delivery-status.utf8")
		case 12:
			return d.boolPtr(&s.CertificateVerified, "delivery-status.certificate-verified")
		case 13:
			return d.integer(&s.LastCode, "delivery-status.last-code")
		case 14:
			return d.str(&s.LastMessage, "delivery-status.last-message")
		case 15:
			return d.str(&s.BounceType, "delivery-status.bounce-type")
		case 16:
			return d.str(&s.BounceCode, "delivery-status.bounce-code")
		}
		d.r.SkipValue()
		return nil
	})
}

var rejectKeys = []string{"reason", "description"}

func (d *eventDecoder) reject(r *EventReject) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, rejectKeys) {
		case 1:
			return d.str(&r.Reason, "reject.reason")
		case 2:
			return d.str(&r.Description, "reject.description")
		}
		d.r.SkipValue()
		return nil
	})
}

var storageKeys = []string{"key", "url", "region", "env"}

func (d *eventDecoder) storage(s *EventStorage) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, storageKeys) {
		case 1:
			return d.str(&s.Key, "storage.key")
		case 2:
			return d.str(&s.URL, "storage.url")
		case 3:
			return d.str(&s.Region, "storage.region")
		case 4:
			return d.str(&s.Env, "storage.env")
		}
		d.r.SkipValue()
		return nil
	})
}

var geolocationKeys = []string{"country", "region", "city", "timezone"}

func (d *eventDecoder) geolocation(g *Geolocation) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, geolocationKeys) {
		case 1:
			return d.str(&g.Country, "geolocation.country")
		case 2:
			return d.str(&g.Region, "geolocation.region")
		case 3:
			return d.str(&g.City, "geolocation.city")
		case 4:
			return d.str(&g.Timezone, "geolocation.timezone")
		}
		d.r.SkipValue()
		return nil
	})
}

var clientInfoKeys = []string{"client-type", "client-os", "client-name", "device-type", "user-agent", "bot", "ip", "accept-language"}

func (d *eventDecoder) clientInfo(c *ClientInfo) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, clientInfoKeys) {
		case 1:
			return d.str(&c.ClientType, "client-info.client-type")
		case 2:
			return d.str(&c.ClientOS, "client-info.client-os")
		case 3:
			return d.str(&c.ClientName, "client-info.client-name")
		case 4:
			return d.str(&c.DeviceType, "client-info.device-type")
		case 5:
			return d.str(&c.UserAgent, "client-info.user-agent")
		case 6:
			return d.str(&c.Bot, "client-info.bot")
		case 7:
			return d.str(&c.IP, "client-info.ip")
		case 8:
			return d.str(&c.AcceptLanguage, "client-info.accept-language")
		}
		d.r.SkipValue()
		return nil
	})
}

var mailingListKeys = []string{"address", "list-id", "sid"}

func (d *eventDecoder) mailingList(m *EventMailingList) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, mailingListKeys) {
		case 1:
			return d.str(&m.Address, "mailing-list.address")
		case 2:
			return d.str(&m.ListID, "mailing-list.list-id")
		case 3:
			return d.str(&m.SID, "mailing-list.sid")
		}
		d.r.SkipValue()
		return nil
	})
}

var routeKeys = []string{"id", "expression", "description", "actions", "priority", "match"}

func (d *eventDecoder) route(r *EventRoute) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, routeKeys) {
		case 1:
			return d.str(&r.ID, "routes.id")
		case 2:
			return d.str(&r.Expression, "routes.expression")
		case 3:
			return d.str(&r.Description, "routes.description")
		case 4:
			return d.str(&r.Actions, "routes.actions")
		case 5:
			return d.integer(&r.Priority, "routes.priority")
		case 6:
			return object(d, &r.Match, (*eventDecoder).routeMatch, "routes.match")
		}
		d.r.SkipValue()
		return nil
	})
}

func (d *eventDecoder) routeMatch(m *EventRouteMatch) error {
	return d.members(func(key []byte) error {
		if string(key) == "recipient" || foldEquals(key, "recipient") {
			return d.str(&m.Recipient, "routes.match.recipient")
		}
		d.r.SkipValue()
		return nil
	})
}

func (d *eventDecoder) batch(b *EventBatch) error {
	return d.members(func(key []byte) error {
		if string(key) == "id" || foldEquals(key, "id") {
			return d.str(&b.ID, "batch.id")
		}
		d.r.SkipValue()
		return nil
	})
}

var memberKeys = []string{"address", "name", "subscribed"}

func (d *eventDecoder) member(m *ListMember) error {
	return d.members(func(key []byte) error {
		switch fieldOf(key, memberKeys) {
		case 1:
			return d.str(&m.Address, "member.address")
		case 2:
			return d.str(&m.Name, "member.name")
		case 3:
			return d.boolPtr(&m.Subscribed, "member.subscribed")
		}
		d.r.SkipValue()
		return nil
	})
}

func (d *eventDecoder) eventError(e *EventError) error {
	return d.members(func(key []byte) error {
		if string(key) == "message" || foldEquals(key, "message") {
			return d.str(&e.Message, "error.message")
		}
		d.r.SkipValue()
		return nil
	})
}
