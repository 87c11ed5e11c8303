package mailgun

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mgkit/mailgun/internal/jsonread"
)

// The events decoder reads events with jsonread instead of encoding/json
// and gives the same results, errors included, as json.Unmarshal into the
// former eventWire type did:
//   - keys match exactly or case-insensitively (as bytes.EqualFold), after
//     unescaping; unknown keys are skipped; the last of repeated keys wins;
//   - a repeated object decodes into the value already there; null clears
//     pointers and slices and leaves other values alone;
//   - a value of the wrong type, a fractional or out-of-range integer and
//     an out-of-range float are errors;
//   - an array decodes into the slice already there: element i is decoded
//     into whatever the slice holds at index i, up to its capacity, and
//     the slice is cut to the array's length (an empty array gives an
//     empty, non-nil slice);
//   - timestamp, routes and template follow unixSeconds.UnmarshalJSON,
//     the former routeList.UnmarshalJSON and EventTemplate.UnmarshalJSON.
//
// Strings of fields with few distinct values (event names, domains, codes,
// client and geolocation details...) are interned in a table that stays
// with the pooled decoder (1024 strings of up to 128 bytes), so that the
// same short string is not allocated for every event. Fields that are
// mostly unique (ids, recipients, message ids, subjects, URLs) are not.

// decodeError is a JSON value that does not fit the field it is for.
type decodeError struct {
	value string // "string", "number 1.5", ...
	field string
}

func (e *decodeError) Error() string {
	return "mailgun: cannot decode JSON " + e.value + " into event field " + e.field
}

const (
	internBits   = 10
	maxInternLen = 128
	boolSlab     = 64
)

type eventDecoder struct {
	r jsonread.Reader
	// words interns strings, indexed by internHash.
	words [1 << internBits]string
	// bools is a slab that *bool fields point into, one element each.
	bools []bool
}

var eventDecoders = sync.Pool{New: func() any { return new(eventDecoder) }}

func newEventDecoder(b []byte) *eventDecoder {
	d := eventDecoders.Get().(*eventDecoder)
	d.r.Reset(b)
	return d
}

func (d *eventDecoder) release() {
	d.r.Reset(nil)
	eventDecoders.Put(d)
}

// decodeEvent decodes the event object (or null) in b into w, fresh or
// already filled, and checks that nothing follows it. It leaves w.Raw
// alone.
func decodeEvent(b []byte, w *Event) error {
	d := newEventDecoder(b)
	defer d.release()
	if err := d.eventValue(w); err != nil {
		return err
	}
	return d.r.Finish()
}

// decodeEventsPage decodes an Events API page: its items, each with a copy
// of its bytes in Raw, and its paging.next link. items is never nil.
//
// The items are decoded into a pooled scratch slice and copied out into a
// slice of the exact length, so that a page does not leave the garbage of
// growing a slice of large structs.
func decodeEventsPage(body []byte) (items []Event, next string, err error) {
	d := newEventDecoder(body)
	defer d.release()
	scratch := eventScratch.Get().(*eventsScratch)
	defer scratch.release()
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
				err = d.items(scratch, body)
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
	items = make([]Event, len(scratch.items))
	copy(items, scratch.items)
	return items, next, nil
}

// eventsScratch is the slice a page's items are decoded into: items, and
// up to used within its capacity what earlier "items" arrays of the page
// left (encoding/json decodes into those).
type eventsScratch struct {
	items []Event
	used  int
}

// maxScratchEvents bounds the scratch slices kept for reuse.
const maxScratchEvents = 4 * MaxEventsLimit

var eventScratch = sync.Pool{New: func() any { return new(eventsScratch) }}

// drop empties the scratch, as encoding/json replaces the slice (and so
// forgets what its backing array held) for null or an empty array.
func (s *eventsScratch) drop() {
	clear(s.items[:s.used])
	s.items, s.used = s.items[:0], 0
}

func (s *eventsScratch) release() {
	s.items = s.items[:cap(s.items)]
	s.drop()
	if cap(s.items) > maxScratchEvents {
		s.items = nil
	}
	eventScratch.Put(s)
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

// items decodes an items array into the scratch as encoding/json decodes
// a slice, and sets each decoded event's Raw.
func (d *eventDecoder) items(scratch *eventsScratch, body []byte) error {
	ok, err := d.arrayStart("items")
	if !ok {
		if err == nil {
			scratch.drop()
		}
		return err
	}
	s, i := scratch.items, 0
	for d.r.NextElement() {
		s = growTo(s, i)
		scratch.items, scratch.used = s, max(scratch.used, i+1)
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
	scratch.items = s[:i]
	if i == 0 {
		scratch.drop()
	}
	return d.r.Err()
}

func (d *eventDecoder) paging(next *string) error {
	ok, err := d.objectStart("paging")
	if !ok {
		return err
	}
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

// fieldOf maps the key of a nested object to the 1-based index of its
// name in names (lower-case ASCII), 0 if it names no field.
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

// Values.

// str reads a string field, allocating its value.
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

// word reads a string field whose values repeat, interning them.
func (d *eventDecoder) word(dst *string, field string) error {
	k := d.r.Peek()
	if k == jsonread.String {
		b, _ := d.r.ReadStringBytes()
		*dst = d.intern(b)
		return nil
	}
	if k == jsonread.Null {
		d.r.ReadNull()
		return nil
	}
	return d.mismatch(k, field)
}

// intern returns string(b), from the table when it holds it.
func (d *eventDecoder) intern(b []byte) string {
	if len(b) == 0 || len(b) > maxInternLen {
		return string(b)
	}
	slot := &d.words[internHash(b)]
	if *slot == string(b) {
		return *slot
	}
	s := string(b)
	*slot = s
	return s
}

// internHash mixes the length and the first and last eight bytes of b,
// which is not empty.
func internHash(b []byte) uint {
	var x uint64
	if n := len(b); n >= 8 {
		x = binary.LittleEndian.Uint64(b) ^ binary.LittleEndian.Uint64(b[n-8:])<<7
	} else {
		for _, c := range b {
			x = x<<8 | uint64(c)
		}
	}
	x = (x ^ uint64(len(b))) * 0x9E3779B97F4A7C15
	return uint(x >> (64 - internBits))
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

// int64 reads an integer or null as encoding/json does: a literal with a
// fraction or an exponent, or out of range, is an error.
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

// boolPtr reads a *bool field. A new pointer is an element of the slab.
func (d *eventDecoder) boolPtr(dst **bool, field string) error {
	switch k := d.r.Peek(); k {
	case jsonread.Bool:
		v := d.r.ReadBool()
		if *dst == nil {
			if len(d.bools) == 0 {
				d.bools = make([]bool, boolSlab)
			}
			*dst = &d.bools[0]
			d.bools = d.bools[1:]
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
		n, ok, err := d.int64(field)
		if !ok {
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

// strings reads a []string field; interned says whether its values
// repeat. A null element keeps what the slice holds at its index.
func (d *eventDecoder) strings(dst *[]string, interned bool, field string) error {
	ok, err := d.arrayStart(field)
	if !ok {
		if err == nil {
			*dst = nil
		}
		return err
	}
	s, i := *dst, 0
	for d.r.NextElement() {
		s = growTo(s, i)
		if interned {
			err = d.word(&s[i], field)
		} else {
			err = d.str(&s[i], field)
		}
		if err != nil {
			return err
		}
		i++
	}
	*dst = endSlice(s, i)
	return d.r.Err()
}

// arrayStart begins the value of a slice field: true after '[', false
// after null (the caller sets the slice to nil) or on error.
func (d *eventDecoder) arrayStart(field string) (bool, error) {
	switch k := d.r.Peek(); k {
	case jsonread.Array:
		d.r.BeginArray()
		return true, nil
	case jsonread.Null:
		d.r.ReadNull()
		return false, nil
	default:
		return false, d.mismatch(k, field)
	}
}

// objectStart begins the value of a struct: true after '{', false after
// null (which leaves a struct alone) or on error.
func (d *eventDecoder) objectStart(field string) (bool, error) {
	switch k := d.r.Peek(); k {
	case jsonread.Object:
		d.r.BeginObject()
		return true, nil
	case jsonread.Null:
		d.r.ReadNull()
		return false, nil
	default:
		return false, d.mismatch(k, field)
	}
}

// ptrObject begins the value of a pointer-to-struct field: after '{' it
// returns *p, allocated if nil, for the caller to decode the members into;
// after null it sets *p to nil and returns nil.
func ptrObject[T any](d *eventDecoder, p **T, field string) (*T, error) {
	switch k := d.r.Peek(); k {
	case jsonread.Object:
		if *p == nil {
			*p = new(T)
		}
		d.r.BeginObject()
		return *p, nil
	case jsonread.Null:
		d.r.ReadNull()
		*p = nil
		return nil, nil
	default:
		return nil, d.mismatch(k, field)
	}
}

// eventValue decodes an event object into w, merging with what it holds;
// null leaves w alone.
func (d *eventDecoder) eventValue(w *Event) error {
	ok, err := d.objectStart("event")
	if !ok {
		return err
	}
	return d.event(w)
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

// event decodes the members of an event object, after its '{'.
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
			err = d.word((*string)(&w.Event), "event")
		case evTimestamp:
			err = d.timestamp(&w.Timestamp)
		case evLogLevel:
			err = d.word((*string)(&w.LogLevel), "log-level")
		case evRecipient:
			err = d.str(&w.Recipient, "recipient")
		case evRecipientDomain:
			err = d.word(&w.RecipientDomain, "recipient-domain")
		case evRecipientProvider:
			err = d.word(&w.RecipientProvider, "recipient-provider")
		case evMethod:
			err = d.word(&w.Method, "method")
		case evOriginatingIP:
			err = d.word(&w.OriginatingIP, "originating-ip")
		case evAPIKeyID:
			err = d.word(&w.APIKeyID, "api-key-id")
		case evPrimaryDKIM:
			err = d.word(&w.PrimaryDKIM, "primary-dkim")
		case evSeverity:
			err = d.word((*string)(&w.Severity), "severity")
		case evReason:
			err = d.word(&w.Reason, "reason")
		case evURL:
			err = d.str(&w.URL, "url")
		case evIP:
			err = d.word(&w.IP, "ip")
		case evTags:
			err = d.strings(&w.Tags, true, "tags")
		case evCampaigns:
			err = d.campaigns(&w.Campaigns)
		case evUserVariables:
			// Kept as written; null reads as absent.
			if raw := d.r.SkipValue(); raw != nil {
				if string(raw) == "null" {
					w.UserVariables = nil
				} else {
					w.UserVariables = bytes.Clone(raw)
				}
			}
		case evEnvelope:
			var v *EventEnvelope
			if v, err = ptrObject(d, &w.Envelope, "envelope"); v != nil {
				err = stringMembers(d, v, envelopeFields)
			}
		case evMessage:
			var v *EventMessage
			if v, err = ptrObject(d, &w.Message, "message"); v != nil {
				err = d.message(v)
			}
		case evFlags:
			var v *EventFlags
			if v, err = ptrObject(d, &w.Flags, "flags"); v != nil {
				err = d.flags(v)
			}
		case evDeliveryStatus:
			var v *DeliveryStatus
			if v, err = ptrObject(d, &w.DeliveryStatus, "delivery-status"); v != nil {
				err = d.deliveryStatus(v)
			}
		case evReject:
			var v *EventReject
			if v, err = ptrObject(d, &w.Reject, "reject"); v != nil {
				err = stringMembers(d, v, rejectFields)
			}
		case evStorage:
			var v *EventStorage
			if v, err = ptrObject(d, &w.Storage, "storage"); v != nil {
				err = stringMembers(d, v, storageFields)
			}
		case evGeolocation:
			var v *Geolocation
			if v, err = ptrObject(d, &w.Geolocation, "geolocation"); v != nil {
				err = stringMembers(d, v, geolocationFields)
			}
		case evClientInfo:
			var v *ClientInfo
			if v, err = ptrObject(d, &w.ClientInfo, "client-info"); v != nil {
				err = stringMembers(d, v, clientInfoFields)
			}
		case evMailingList:
			var v *EventMailingList
			if v, err = ptrObject(d, &w.MailingList, "mailing-list"); v != nil {
				err = stringMembers(d, v, mailingListFields)
			}
		case evRoutes:
			err = d.routes(&w.Routes)
		case evBatch:
			var v *EventBatch
			if v, err = ptrObject(d, &w.Batch, "batch"); v != nil {
				err = stringMembers(d, v, batchFields)
			}
		case evTemplate:
			err = d.template(&w.Template)
		case evTaskID:
			err = d.str(&w.TaskID, "task-id")
		case evFormat:
			err = d.word(&w.Format, "format")
		case evMember:
			var v *ListMember
			if v, err = ptrObject(d, &w.Member, "member"); v != nil {
				err = d.member(v)
			}
		case evMemberDescription:
			err = d.str(&w.MemberDescription, "member-description")
		case evError:
			var v *EventError
			if v, err = ptrObject(d, &w.Error, "error"); v != nil {
				err = stringMembers(d, v, eventErrorFields)
			}
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
		d.r.BeginObject()
	default:
		return d.mismatch(k, "template")
	}
	var (
		t           EventTemplate
		versionKind jsonread.Kind
		isText      string
		hasIsText   bool
	)
	for {
		key, ok := d.r.NextKey()
		if !ok {
			break
		}
		switch fieldOf(key, templateKeys) {
		case 1:
			if err := d.word(&t.Name, "template.name"); err != nil {
				return err
			}
		case 2:
			switch versionKind = d.r.Peek(); versionKind {
			case jsonread.String:
				b, _ := d.r.ReadStringBytes()
				t.Version = d.intern(b)
			case jsonread.Number:
				t.Version = d.intern(d.r.ReadNumber())
			default:
				t.Version = ""
				d.r.SkipValue()
			}
		case 3:
			switch d.r.Peek() {
			case jsonread.String:
				isText, hasIsText = d.r.ReadString(), true
			case jsonread.Null:
				d.r.ReadNull()
				isText, hasIsText = "", false
			default:
				isText, hasIsText = string(d.r.SkipValue()), true
			}
		default:
			d.r.SkipValue()
		}
	}
	if err := d.r.Err(); err != nil {
		return err
	}
	switch versionKind {
	case jsonread.Invalid, jsonread.Null, jsonread.String, jsonread.Number:
	default:
		return &decodeError{value: versionKind.String(), field: "template.version"}
	}
	if hasIsText {
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

var templateKeys = []string{"name", "version", "is-text"}

// routes reads routes as the former routeList.UnmarshalJSON did: a fresh
// list from an array, or a list of one from a single object.
func (d *eventDecoder) routes(dst *[]EventRoute) error {
	switch k := d.r.Peek(); k {
	case jsonread.Object:
		one := make([]EventRoute, 1)
		if err := d.route(&one[0]); err != nil {
			return err
		}
		*dst = one
		return nil
	case jsonread.Null, jsonread.Array:
		var many []EventRoute
		ok, err := d.arrayStart("routes")
		if ok {
			i := 0
			for d.r.NextElement() {
				many = growTo(many, i)
				if err := d.route(&many[i]); err != nil {
					return err
				}
				i++
			}
			many, err = endSlice(many, i), d.r.Err()
		}
		*dst = many
		return err
	default:
		return d.mismatch(k, "routes")
	}
}

// The functions below decode a struct from an object (or null, which
// leaves it alone), or, for a pointer field of Event, the members after
// the '{' that ptrObject read.

func (d *eventDecoder) campaigns(dst *[]EventCampaign) error {
	ok, err := d.arrayStart("campaigns")
	if !ok {
		if err == nil {
			*dst = nil
		}
		return err
	}
	s, i := *dst, 0
	for d.r.NextElement() {
		s = growTo(s, i)
		if err := valueStrings(d, &s[i], campaignFields, "campaigns"); err != nil {
			return err
		}
		i++
	}
	*dst = endSlice(s, i)
	return d.r.Err()
}

var messageKeys = []string{"headers", "attachments", "recipients", "size", "scheduled-for"}

func (d *eventDecoder) message(m *EventMessage) error {
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		var err error
		switch fieldOf(key, messageKeys) {
		case 1:
			err = valueStrings(d, &m.Headers, headersFields, "message.headers")
		case 2:
			err = d.attachments(&m.Attachments)
		case 3:
			err = d.strings(&m.Recipients, false, "message.recipients")
		case 4:
			err = d.integer64(&m.Size, "message.size")
		case 5:
			err = d.str(&m.ScheduledFor, "message.scheduled-for")
		default:
			d.r.SkipValue()
		}
		if err != nil {
			return err
		}
	}
}

func (d *eventDecoder) attachments(dst *[]EventAttachment) error {
	ok, err := d.arrayStart("message.attachments")
	if !ok {
		if err == nil {
			*dst = nil
		}
		return err
	}
	s, i := *dst, 0
	for d.r.NextElement() {
		s = growTo(s, i)
		if err := d.attachment(&s[i]); err != nil {
			return err
		}
		i++
	}
	*dst = endSlice(s, i)
	return d.r.Err()
}

var attachmentKeys = []string{"filename", "content-type", "size"}

func (d *eventDecoder) attachment(a *EventAttachment) error {
	if ok, err := d.objectStart("message.attachments"); !ok {
		return err
	}
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		var err error
		switch fieldOf(key, attachmentKeys) {
		case 1:
			err = d.str(&a.Filename, "message.attachments.filename")
		case 2:
			err = d.word(&a.ContentType, "message.attachments.content-type")
		case 3:
			err = d.integer64(&a.Size, "message.attachments.size")
		default:
			d.r.SkipValue()
		}
		if err != nil {
			return err
		}
	}
}

var flagsKeys = []string{"is-authenticated", "is-routed", "is-system-test", "is-test-mode", "is-delayed-bounce", "is-amp", "is-encrypted", "is-big", "is-callback"}

func (d *eventDecoder) flags(f *EventFlags) error {
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		var err error
		switch fieldOf(key, flagsKeys) {
		case 1:
			err = d.boolPtr(&f.IsAuthenticated, "flags.is-authenticated")
		case 2:
			err = d.boolPtr(&f.IsRouted, "flags.is-routed")
		case 3:
			err = d.boolPtr(&f.IsSystemTest, "flags.is-system-test")
		case 4:
			err = d.boolPtr(&f.IsTestMode, "flags.is-test-mode")
		case 5:
			err = d.boolPtr(&f.IsDelayedBounce, "flags.is-delayed-bounce")
		case 6:
			err = d.boolPtr(&f.IsAMP, "flags.is-amp")
		case 7:
			err = d.boolPtr(&f.IsEncrypted, "flags.is-encrypted")
		case 8:
			err = d.boolPtr(&f.IsBig, "flags.is-big")
		case 9:
			err = d.boolPtr(&f.IsCallback, "flags.is-callback")
		default:
			d.r.SkipValue()
		}
		if err != nil {
			return err
		}
	}
}

var deliveryStatusKeys = []string{
	"code", "enhanced-code", "message", "description", "attempt-no", "mx-host", "retry-seconds", "session-seconds",
	"first-delivery-attempt-seconds", "tls", "utf8", "certificate-verified", "last-code", "last-message", "bounce-type", "bounce-code",
}

func (d *eventDecoder) deliveryStatus(s *DeliveryStatus) error {
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		var err error
		switch fieldOf(key, deliveryStatusKeys) {
		case 1:
			err = d.integer(&s.Code, "delivery-status.code")
		case 2:
			err = d.word(&s.EnhancedCode, "delivery-status.enhanced-code")
		case 3:
			err = d.word(&s.Message, "delivery-status.message")
		case 4:
			err = d.word(&s.Description, "delivery-status.description")
		case 5:
			err = d.integer(&s.AttemptNo, "delivery-status.attempt-no")
		case 6:
			err = d.word(&s.MXHost, "delivery-status.mx-host")
		case 7:
			err = d.integer(&s.RetrySeconds, "delivery-status.retry-seconds")
		case 8:
			err = d.float(&s.SessionSeconds, "delivery-status.session-seconds")
		case 9:
			err = d.float(&s.FirstDeliveryAttemptSeconds, "delivery-status.first-delivery-attempt-seconds")
		case 10:
			err = d.boolPtr(&s.TLS, "delivery-status.tls")
		case 11:
			err = d.boolPtr(&s.UTF8, "delivery-status.utf8")
		case 12:
			err = d.boolPtr(&s.CertificateVerified, "delivery-status.certificate-verified")
		case 13:
			err = d.integer(&s.LastCode, "delivery-status.last-code")
		case 14:
			err = d.word(&s.LastMessage, "delivery-status.last-message")
		case 15:
			err = d.word(&s.BounceType, "delivery-status.bounce-type")
		case 16:
			err = d.word(&s.BounceCode, "delivery-status.bounce-code")
		default:
			d.r.SkipValue()
		}
		if err != nil {
			return err
		}
	}
}

var routeKeys = []string{"id", "expression", "description", "actions", "priority", "match"}

func (d *eventDecoder) route(r *EventRoute) error {
	if ok, err := d.objectStart("routes"); !ok {
		return err
	}
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		var err error
		switch fieldOf(key, routeKeys) {
		case 1:
			err = d.word(&r.ID, "routes.id")
		case 2:
			err = d.word(&r.Expression, "routes.expression")
		case 3:
			err = d.word(&r.Description, "routes.description")
		case 4:
			err = d.word(&r.Actions, "routes.actions")
		case 5:
			err = d.integer(&r.Priority, "routes.priority")
		case 6:
			err = valueStrings(d, &r.Match, routeMatchFields, "routes.match")
		default:
			d.r.SkipValue()
		}
		if err != nil {
			return err
		}
	}
}

var memberKeys = []string{"address", "name", "subscribed"}

func (d *eventDecoder) member(m *ListMember) error {
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		var err error
		switch fieldOf(key, memberKeys) {
		case 1:
			err = d.str(&m.Address, "member.address")
		case 2:
			err = d.str(&m.Name, "member.name")
		case 3:
			err = d.boolPtr(&m.Subscribed, "member.subscribed")
		default:
			d.r.SkipValue()
		}
		if err != nil {
			return err
		}
	}
}

// stringField is a string field of a struct whose fields are all strings.
type stringField[T any] struct {
	name  string // the JSON key
	label string // the field in errors
	// interned says whether the field's values repeat.
	interned bool
	at       func(*T) *string
}

// valueStrings decodes an object (or null, which leaves v alone) into v,
// whose fields are all strings.
func valueStrings[T any](d *eventDecoder, v *T, fields []stringField[T], label string) error {
	if ok, err := d.objectStart(label); !ok {
		return err
	}
	return stringMembers(d, v, fields)
}

// stringMembers decodes the members of an object into v, whose fields are
// all strings, after the object's '{'.
func stringMembers[T any](d *eventDecoder, v *T, fields []stringField[T]) error {
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		f := matchField(key, fields)
		if f == nil {
			d.r.SkipValue()
			continue
		}
		var err error
		if f.interned {
			err = d.word(f.at(v), f.label)
		} else {
			err = d.str(f.at(v), f.label)
		}
		if err != nil {
			return err
		}
	}
}

func matchField[T any](key []byte, fields []stringField[T]) *stringField[T] {
	for i := range fields {
		if string(key) == fields[i].name {
			return &fields[i]
		}
	}
	if k, ok := foldKey(key); ok {
		for i := range fields {
			if string(k.bytes()) == fields[i].name {
				return &fields[i]
			}
		}
	}
	return nil
}

var campaignFields = []stringField[EventCampaign]{
	{"id", "campaigns.id", true, func(c *EventCampaign) *string { return &c.ID }},
	{"name", "campaigns.name", true, func(c *EventCampaign) *string { return &c.Name }},
}

var envelopeFields = []stringField[EventEnvelope]{
	{"sender", "envelope.sender", true, func(e *EventEnvelope) *string { return &e.Sender }},
	{"targets", "envelope.targets", false, func(e *EventEnvelope) *string { return &e.Targets }},
	{"transport", "envelope.transport", true, func(e *EventEnvelope) *string { return &e.Transport }},
	{"sending-ip", "envelope.sending-ip", true, func(e *EventEnvelope) *string { return &e.SendingIP }},
	{"sending-host", "envelope.sending-host", true, func(e *EventEnvelope) *string { return &e.SendingHost }},
	{"mail-from", "envelope.mail-from", true, func(e *EventEnvelope) *string { return &e.MailFrom }},
	{"i-ip-pool-id", "envelope.i-ip-pool-id", true, func(e *EventEnvelope) *string { return &e.IPPoolID }},
}

var headersFields = []stringField[MessageHeaders]{
	{"to", "message.headers.to", false, func(h *MessageHeaders) *string { return &h.To }},
	{"from", "message.headers.from", true, func(h *MessageHeaders) *string { return &h.From }},
	{"message-id", "message.headers.message-id", false, func(h *MessageHeaders) *string { return &h.MessageID }},
	{"subject", "message.headers.subject", false, func(h *MessageHeaders) *string { return &h.Subject }},
}

var rejectFields = []stringField[EventReject]{
	{"reason", "reject.reason", true, func(r *EventReject) *string { return &r.Reason }},
	{"description", "reject.description", true, func(r *EventReject) *string { return &r.Description }},
}

var storageFields = []stringField[EventStorage]{
	{"key", "storage.key", false, func(s *EventStorage) *string { return &s.Key }},
	{"url", "storage.url", false, func(s *EventStorage) *string { return &s.URL }},
	{"region", "storage.region", true, func(s *EventStorage) *string { return &s.Region }},
	{"env", "storage.env", true, func(s *EventStorage) *string { return &s.Env }},
}

var geolocationFields = []stringField[Geolocation]{
	{"country", "geolocation.country", true, func(g *Geolocation) *string { return &g.Country }},
	{"region", "geolocation.region", true, func(g *Geolocation) *string { return &g.Region }},
	{"city", "geolocation.city", true, func(g *Geolocation) *string { return &g.City }},
	{"timezone", "geolocation.timezone", true, func(g *Geolocation) *string { return &g.Timezone }},
}

var clientInfoFields = []stringField[ClientInfo]{
	{"client-type", "client-info.client-type", true, func(c *ClientInfo) *string { return &c.ClientType }},
	{"client-os", "client-info.client-os", true, func(c *ClientInfo) *string { return &c.ClientOS }},
	{"client-name", "client-info.client-name", true, func(c *ClientInfo) *string { return &c.ClientName }},
	{"device-type", "client-info.device-type", true, func(c *ClientInfo) *string { return &c.DeviceType }},
	{"user-agent", "client-info.user-agent", true, func(c *ClientInfo) *string { return &c.UserAgent }},
	{"bot", "client-info.bot", true, func(c *ClientInfo) *string { return &c.Bot }},
	{"ip", "client-info.ip", true, func(c *ClientInfo) *string { return &c.IP }},
	{"accept-language", "client-info.accept-language", true, func(c *ClientInfo) *string { return &c.AcceptLanguage }},
}

var mailingListFields = []stringField[EventMailingList]{
	{"address", "mailing-list.address", true, func(m *EventMailingList) *string { return &m.Address }},
	{"list-id", "mailing-list.list-id", true, func(m *EventMailingList) *string { return &m.ListID }},
	{"sid", "mailing-list.sid", true, func(m *EventMailingList) *string { return &m.SID }},
}

var routeMatchFields = []stringField[EventRouteMatch]{
	{"recipient", "routes.match.recipient", false, func(m *EventRouteMatch) *string { return &m.Recipient }},
}

var batchFields = []stringField[EventBatch]{
	{"id", "batch.id", false, func(b *EventBatch) *string { return &b.ID }},
}

var eventErrorFields = []stringField[EventError]{
	{"message", "error.message", true, func(e *EventError) *string { return &e.Message }},
}
