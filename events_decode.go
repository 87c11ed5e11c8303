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

// The events decoder reads events with jsonread instead of encoding/json.
// On well-typed input it gives the same results as json.Unmarshal into the
// former eventWire type did, and on any input the same as that decoding
// after pruneItem has removed the values it refuses (the list rule of
// lenient.go):
//   - keys match exactly or case-insensitively (as bytes.EqualFold), after
//     unescaping; unknown keys are skipped; the last of repeated keys wins;
//   - a repeated object decodes into the value already there; null clears
//     pointers and slices and leaves other values alone;
//   - a value of the wrong type, a fractional or out-of-range integer, an
//     out-of-range float and an unreadable timestamp are ignored, as if
//     the member were absent; a wrong element of an array is read as null;
//   - an array decodes into the slice already there: element i is decoded
//     into whatever the slice holds at index i, up to its capacity, and
//     the slice is cut to the array's length (an empty array gives an
//     empty, non-nil slice);
//   - timestamp, routes and template follow unixSeconds.UnmarshalJSON,
//     the former routeList.UnmarshalJSON and EventTemplate.UnmarshalJSON;
//   - in a page, an element of items that is not an object (null
//     included) is skipped; items that is not an array or null, paging
//     that is not an object or null and a paging.next that is not a string
//     or null are errors.
//
// Only malformed JSON and those page errors fail; so does an event that is
// not an object or null, when decoded on its own.
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
	switch k := d.r.Peek(); k {
	case jsonread.Null:
		d.r.ReadNull()
	case jsonread.Object:
		d.r.BeginObject()
		if err := d.event(w); err != nil {
			return err
		}
	default:
		return d.mismatch(k, "event")
	}
	return d.r.Finish()
}

// decodeEventsPage decodes an Events API page: its items, each with a copy
// of its bytes in Raw, and its paging.next link. items is never nil. paged
// reports whether the page has a paging object (a null one does not
// count).
//
// The items are decoded into a pooled scratch slice and copied out into a
// slice of the exact length, so that a page does not leave the garbage of
// growing a slice of large structs.
func decodeEventsPage(body []byte) (items []Event, next string, paged bool, err error) {
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
				err = d.paging(&next, &paged)
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
		return nil, "", false, err
	}
	items = make([]Event, len(scratch.items))
	copy(items, scratch.items)
	return items, next, paged, nil
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
// a slice, and sets each decoded event's Raw. An element that is not an
// object is skipped.
func (d *eventDecoder) items(scratch *eventsScratch, body []byte) error {
	switch k := d.r.Peek(); k {
	case jsonread.Array:
		d.r.BeginArray()
	case jsonread.Null:
		d.r.ReadNull()
		scratch.drop()
		return nil
	default:
		return d.mismatch(k, "items")
	}
	s, i := scratch.items, 0
	for d.r.NextElement() {
		if d.r.Peek() != jsonread.Object {
			if d.r.SkipValue() == nil {
				return d.r.Err()
			}
			continue
		}
		s = growTo(s, i)
		scratch.items, scratch.used = s, max(scratch.used, i+1)
		start := d.r.Offset()
		d.r.BeginObject()
		if err := d.event(&s[i]); err != nil {
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

// paging reads a paging object (or null, which leaves next alone) and
// sets paged after an object. A paging or a next of another type is an
// error: the walk could not go on.
func (d *eventDecoder) paging(next *string, paged *bool) error {
	switch k := d.r.Peek(); k {
	case jsonread.Null:
		d.r.ReadNull()
		return nil
	case jsonread.Object:
		d.r.BeginObject()
		*paged = true
	default:
		return d.mismatch(k, "paging")
	}
	for {
		key, ok := d.r.NextKey()
		if !ok {
			return d.r.Err()
		}
		if string(key) != "next" && !foldEquals(key, "next") {
			d.r.SkipValue()
			continue
		}
		switch k := d.r.Peek(); k {
		case jsonread.String:
			*next = d.r.ReadString()
		case jsonread.Null:
			d.r.ReadNull()
		default:
			return d.mismatch(k, "paging.next")
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
func (d *eventDecoder) str(dst *string) error {
	k := d.r.Peek()
	if k == jsonread.String {
		*dst = d.r.ReadString()
		return nil
	}
	if k == jsonread.Null {
		d.r.ReadNull()
		return nil
	}
	return d.drop()
}

// drop skips a value that does not fit its field, which keeps its value;
// it fails only on malformed JSON.
func (d *eventDecoder) drop() error {
	d.r.SkipValue()
	return d.r.Err()
}

// word reads a string field whose values repeat, interning them.
func (d *eventDecoder) word(dst *string) error {
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
	return d.drop()
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

// number reads a number; ok is false for null and for a value of another
// type, which it skips.
func (d *eventDecoder) number() (lit []byte, ok bool, err error) {
	switch d.r.Peek() {
	case jsonread.Number:
		return d.r.ReadNumber(), true, nil
	case jsonread.Null:
		d.r.ReadNull()
		return nil, false, nil
	default:
		return nil, false, d.drop()
	}
}

// int64 reads an integer as encoding/json does; ok is false for null,
// another type, a literal with a fraction or an exponent, and a number
// out of range.
func (d *eventDecoder) int64() (n int64, ok bool, err error) {
	lit, ok, err := d.number()
	if !ok {
		return 0, false, err
	}
	n, perr := strconv.ParseInt(string(lit), 10, 64)
	return n, perr == nil, nil
}

func (d *eventDecoder) integer(dst *int) error {
	n, ok, err := d.int64()
	if ok && int64(int(n)) == n {
		*dst = int(n)
	}
	return err
}

func (d *eventDecoder) integer64(dst *int64) error {
	n, ok, err := d.int64()
	if ok {
		*dst = n
	}
	return err
}

func (d *eventDecoder) float(dst *float64) error {
	lit, ok, err := d.number()
	if !ok {
		return err
	}
	if f, perr := strconv.ParseFloat(string(lit), 64); perr == nil {
		*dst = f
	}
	return nil
}

// boolPtr reads a *bool field. A new pointer is an element of the slab.
func (d *eventDecoder) boolPtr(dst **bool) error {
	switch d.r.Peek() {
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
		return d.drop()
	}
}

func (d *eventDecoder) int64Ptr(dst **int64) error {
	switch d.r.Peek() {
	case jsonread.Number:
		n, ok, err := d.int64()
		if ok {
			if *dst == nil {
				*dst = new(int64)
			}
			**dst = n
		}
		return err
	case jsonread.Null:
		d.r.ReadNull()
		*dst = nil
		return nil
	default:
		return d.drop()
	}
}

// strings reads a []string field; interned says whether its values
// repeat. A null element, or one of another type, keeps what the slice
// holds at its index.
func (d *eventDecoder) strings(dst *[]string, interned bool) error {
	open, err := arrayStart(d, dst)
	if !open {
		return err
	}
	s, i := *dst, 0
	for d.r.NextElement() {
		s = growTo(s, i)
		if interned {
			err = d.word(&s[i])
		} else {
			err = d.str(&s[i])
		}
		if err != nil {
			return err
		}
		i++
	}
	*dst = endSlice(s, i)
	return d.r.Err()
}

// arrayStart begins the value of a slice field: true after '['. After
// null it sets *dst to nil and returns false; a value of another type is
// skipped, leaving *dst alone.
func arrayStart[T any](d *eventDecoder, dst *[]T) (bool, error) {
	switch d.r.Peek() {
	case jsonread.Array:
		d.r.BeginArray()
		return true, nil
	case jsonread.Null:
		d.r.ReadNull()
		*dst = nil
		return false, nil
	default:
		return false, d.drop()
	}
}

// objectStart begins the value of a struct: true after '{', false after
// null or a value of another type (which leave the struct alone) or on
// error.
func (d *eventDecoder) objectStart() (bool, error) {
	switch d.r.Peek() {
	case jsonread.Object:
		d.r.BeginObject()
		return true, nil
	case jsonread.Null:
		d.r.ReadNull()
		return false, nil
	default:
		return false, d.drop()
	}
}

// ptrObject begins the value of a pointer-to-struct field: after '{' it
// returns *p, allocated if nil, for the caller to decode the members into;
// after null it sets *p to nil and returns nil; a value of another type is
// skipped, leaving *p alone.
func ptrObject[T any](d *eventDecoder, p **T) (*T, error) {
	switch d.r.Peek() {
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
		return nil, d.drop()
	}
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
			err = d.str(&w.ID)
		case evEvent:
			err = d.word((*string)(&w.Event))
		case evTimestamp:
			err = d.timestamp(&w.Timestamp)
		case evLogLevel:
			err = d.word((*string)(&w.LogLevel))
		case evRecipient:
			err = d.str(&w.Recipient)
		case evRecipientDomain:
			err = d.word(&w.RecipientDomain)
		case evRecipientProvider:
			err = d.word(&w.RecipientProvider)
		case evMethod:
			err = d.word(&w.Method)
		case evOriginatingIP:
			err = d.word(&w.OriginatingIP)
		case evAPIKeyID:
			err = d.word(&w.APIKeyID)
		case evPrimaryDKIM:
			err = d.word(&w.PrimaryDKIM)
		case evSeverity:
			err = d.word((*string)(&w.Severity))
		case evReason:
			err = d.word(&w.Reason)
		case evURL:
			err = d.str(&w.URL)
		case evIP:
			err = d.word(&w.IP)
		case evTags:
			err = d.strings(&w.Tags, true)
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
			if v, err = ptrObject(d, &w.Envelope); v != nil {
				err = stringMembers(d, v, envelopeFields)
			}
		case evMessage:
			var v *EventMessage
			if v, err = ptrObject(d, &w.Message); v != nil {
				err = d.message(v)
			}
		case evFlags:
			var v *EventFlags
			if v, err = ptrObject(d, &w.Flags); v != nil {
				err = d.flags(v)
			}
		case evDeliveryStatus:
			var v *DeliveryStatus
			if v, err = ptrObject(d, &w.DeliveryStatus); v != nil {
				err = d.deliveryStatus(v)
			}
		case evReject:
			var v *EventReject
			if v, err = ptrObject(d, &w.Reject); v != nil {
				err = stringMembers(d, v, rejectFields)
			}
		case evStorage:
			var v *EventStorage
			if v, err = ptrObject(d, &w.Storage); v != nil {
				err = stringMembers(d, v, storageFields)
			}
		case evGeolocation:
			var v *Geolocation
			if v, err = ptrObject(d, &w.Geolocation); v != nil {
				err = stringMembers(d, v, geolocationFields)
			}
		case evClientInfo:
			var v *ClientInfo
			if v, err = ptrObject(d, &w.ClientInfo); v != nil {
				err = stringMembers(d, v, clientInfoFields)
			}
		case evMailingList:
			var v *EventMailingList
			if v, err = ptrObject(d, &w.MailingList); v != nil {
				err = stringMembers(d, v, mailingListFields)
			}
		case evRoutes:
			err = d.routes(&w.Routes)
		case evBatch:
			var v *EventBatch
			if v, err = ptrObject(d, &w.Batch); v != nil {
				err = stringMembers(d, v, batchFields)
			}
		case evTemplate:
			err = d.template(&w.Template)
		case evTaskID:
			err = d.str(&w.TaskID)
		case evFormat:
			err = d.word(&w.Format)
		case evMember:
			var v *ListMember
			if v, err = ptrObject(d, &w.Member); v != nil {
				err = d.member(v)
			}
		case evMemberDescription:
			err = d.str(&w.MemberDescription)
		case evError:
			var v *EventError
			if v, err = ptrObject(d, &w.Error); v != nil {
				err = stringMembers(d, v, eventErrorFields)
			}
		case evSubscribed:
			err = d.boolPtr(&w.Subscribed)
		case evIsUpsert:
			err = d.boolPtr(&w.IsUpsert)
		case evUpsertedCount:
			err = d.int64Ptr(&w.UpsertedCount)
		case evFailedCount:
			err = d.int64Ptr(&w.FailedCount)
		default:
			d.r.SkipValue()
		}
		if err != nil {
			return err
		}
	}
}

// timestamp reads a timestamp as unixSeconds.UnmarshalJSON does, from the
// value's bytes as written; a value it refuses leaves dst alone.
func (d *eventDecoder) timestamp(dst *time.Time) error {
	raw := d.r.SkipValue()
	if raw == nil {
		return d.r.Err()
	}
	var u unixSeconds
	if u.UnmarshalJSON(raw) == nil {
		*dst = time.Time(u)
	}
	return nil
}

// template reads a template as EventTemplate.UnmarshalJSON does: the
// object replaces any earlier one; version is a string or a number, and
// is-text a boolean or a string ParseBool accepts; for both, null or
// absence leaves the field empty, the last occurrence of the key that is
// readable decides, and other occurrences are ignored. A template that is
// not an object is ignored.
func (d *eventDecoder) template(dst **EventTemplate) error {
	switch d.r.Peek() {
	case jsonread.Null:
		d.r.ReadNull()
		*dst = nil
		return nil
	case jsonread.Object:
		d.r.BeginObject()
	default:
		return d.drop()
	}
	var t EventTemplate
	for {
		key, ok := d.r.NextKey()
		if !ok {
			break
		}
		switch fieldOf(key, templateKeys) {
		case 1:
			if err := d.word(&t.Name); err != nil {
				return err
			}
		case 2:
			switch d.r.Peek() {
			case jsonread.String:
				b, _ := d.r.ReadStringBytes()
				t.Version = d.intern(b)
			case jsonread.Number:
				t.Version = d.intern(d.r.ReadNumber())
			case jsonread.Null:
				d.r.ReadNull()
				t.Version = ""
			default:
				d.r.SkipValue()
			}
		case 3:
			var text string
			switch d.r.Peek() {
			case jsonread.String:
				text = d.r.ReadString()
			case jsonread.Null:
				d.r.ReadNull()
				t.IsText = nil
				continue
			default:
				text = string(d.r.SkipValue())
			}
			if v, err := strconv.ParseBool(text); err == nil {
				t.IsText = &v
			}
		default:
			d.r.SkipValue()
		}
	}
	if err := d.r.Err(); err != nil {
		return err
	}
	if *dst == nil {
		*dst = new(EventTemplate)
	}
	**dst = t
	return nil
}

var templateKeys = []string{"name", "version", "is-text"}

// routes reads routes as the former routeList.UnmarshalJSON did: a fresh
// list from an array, or a list of one from a single object. A value of
// another type is ignored.
func (d *eventDecoder) routes(dst *[]EventRoute) error {
	switch d.r.Peek() {
	case jsonread.Object:
		one := make([]EventRoute, 1)
		if err := d.route(&one[0]); err != nil {
			return err
		}
		*dst = one
		return nil
	case jsonread.Null:
		d.r.ReadNull()
		*dst = nil
		return nil
	case jsonread.Array:
		var many []EventRoute
		err := array(d, &many, d.route)
		*dst = many
		return err
	default:
		return d.drop()
	}
}

// array decodes an array into the slice field *dst as encoding/json does
// (see growTo and endSlice), each element with elem. null sets *dst to
// nil, and a value of another type leaves it alone.
func array[T any](d *eventDecoder, dst *[]T, elem func(*T) error) error {
	if open, err := arrayStart(d, dst); !open {
		return err
	}
	s, i := *dst, 0
	for d.r.NextElement() {
		s = growTo(s, i)
		if err := elem(&s[i]); err != nil {
			return err
		}
		i++
	}
	*dst = endSlice(s, i)
	return d.r.Err()
}

// The functions below decode a struct from an object (or null, which
// leaves it alone), or, for a pointer field of Event, the members after
// the '{' that ptrObject read.

func (d *eventDecoder) campaigns(dst *[]EventCampaign) error {
	return array(d, dst, func(c *EventCampaign) error { return valueStrings(d, c, campaignFields) })
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
			err = valueStrings(d, &m.Headers, headersFields)
		case 2:
			err = d.attachments(&m.Attachments)
		case 3:
			err = d.strings(&m.Recipients, false)
		case 4:
			err = d.integer64(&m.Size)
		case 5:
			err = d.str(&m.ScheduledFor)
		default:
			d.r.SkipValue()
		}
		if err != nil {
			return err
		}
	}
}

func (d *eventDecoder) attachments(dst *[]EventAttachment) error {
	return array(d, dst, d.attachment)
}

var attachmentKeys = []string{"filename", "content-type", "size"}

func (d *eventDecoder) attachment(a *EventAttachment) error {
	if ok, err := d.objectStart(); !ok {
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
			err = d.str(&a.Filename)
		case 2:
			err = d.word(&a.ContentType)
		case 3:
			err = d.integer64(&a.Size)
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
			err = d.boolPtr(&f.IsAuthenticated)
		case 2:
			err = d.boolPtr(&f.IsRouted)
		case 3:
			err = d.boolPtr(&f.IsSystemTest)
		case 4:
			err = d.boolPtr(&f.IsTestMode)
		case 5:
			err = d.boolPtr(&f.IsDelayedBounce)
		case 6:
			err = d.boolPtr(&f.IsAMP)
		case 7:
			err = d.boolPtr(&f.IsEncrypted)
		case 8:
			err = d.boolPtr(&f.IsBig)
		case 9:
			err = d.boolPtr(&f.IsCallback)
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
			err = d.integer(&s.Code)
		case 2:
			err = d.word(&s.EnhancedCode)
		case 3:
			err = d.word(&s.Message)
		case 4:
			err = d.word(&s.Description)
		case 5:
			err = d.integer(&s.AttemptNo)
		case 6:
			err = d.word(&s.MXHost)
		case 7:
			err = d.integer(&s.RetrySeconds)
		case 8:
			err = d.float(&s.SessionSeconds)
		case 9:
			err = d.float(&s.FirstDeliveryAttemptSeconds)
		case 10:
			err = d.boolPtr(&s.TLS)
		case 11:
			err = d.boolPtr(&s.UTF8)
		case 12:
			err = d.boolPtr(&s.CertificateVerified)
		case 13:
			err = d.integer(&s.LastCode)
		case 14:
			err = d.word(&s.LastMessage)
		case 15:
			err = d.word(&s.BounceType)
		case 16:
			err = d.word(&s.BounceCode)
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
	if ok, err := d.objectStart(); !ok {
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
			err = d.word(&r.ID)
		case 2:
			err = d.word(&r.Expression)
		case 3:
			err = d.word(&r.Description)
		case 4:
			err = d.word(&r.Actions)
		case 5:
			err = d.integer(&r.Priority)
		case 6:
			err = valueStrings(d, &r.Match, routeMatchFields)
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
			err = d.str(&m.Address)
		case 2:
			err = d.str(&m.Name)
		case 3:
			err = d.boolPtr(&m.Subscribed)
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
	name string // the JSON key
	// interned says whether the field's values repeat.
	interned bool
	at       func(*T) *string
}

// valueStrings decodes an object (or null or a value of another type,
// which leave v alone) into v, whose fields are all strings.
func valueStrings[T any](d *eventDecoder, v *T, fields []stringField[T]) error {
	if ok, err := d.objectStart(); !ok {
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
			err = d.word(f.at(v))
		} else {
			err = d.str(f.at(v))
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
	{"id", true, func(c *EventCampaign) *string { return &c.ID }},
	{"name", true, func(c *EventCampaign) *string { return &c.Name }},
}

var envelopeFields = []stringField[EventEnvelope]{
	{"sender", true, func(e *EventEnvelope) *string { return &e.Sender }},
	{"targets", false, func(e *EventEnvelope) *string { return &e.Targets }},
	{"transport", true, func(e *EventEnvelope) *string { return &e.Transport }},
	{"sending-ip", true, func(e *EventEnvelope) *string { return &e.SendingIP }},
	{"sending-host", true, func(e *EventEnvelope) *string { return &e.SendingHost }},
	{"mail-from", true, func(e *EventEnvelope) *string { return &e.MailFrom }},
	{"i-ip-pool-id", true, func(e *EventEnvelope) *string { return &e.IPPoolID }},
}

var headersFields = []stringField[MessageHeaders]{
	{"to", false, func(h *MessageHeaders) *string { return &h.To }},
	{"from", true, func(h *MessageHeaders) *string { return &h.From }},
	{"message-id", false, func(h *MessageHeaders) *string { return &h.MessageID }},
	{"subject", false, func(h *MessageHeaders) *string { return &h.Subject }},
}

var rejectFields = []stringField[EventReject]{
	{"reason", true, func(r *EventReject) *string { return &r.Reason }},
	{"description", true, func(r *EventReject) *string { return &r.Description }},
}

var storageFields = []stringField[EventStorage]{
	{"key", false, func(s *EventStorage) *string { return &s.Key }},
	{"url", false, func(s *EventStorage) *string { return &s.URL }},
	{"region", true, func(s *EventStorage) *string { return &s.Region }},
	{"env", true, func(s *EventStorage) *string { return &s.Env }},
}

var geolocationFields = []stringField[Geolocation]{
	{"country", true, func(g *Geolocation) *string { return &g.Country }},
	{"region", true, func(g *Geolocation) *string { return &g.Region }},
	{"city", true, func(g *Geolocation) *string { return &g.City }},
	{"timezone", true, func(g *Geolocation) *string { return &g.Timezone }},
}

var clientInfoFields = []stringField[ClientInfo]{
	{"client-type", true, func(c *ClientInfo) *string { return &c.ClientType }},
	{"client-os", true, func(c *ClientInfo) *string { return &c.ClientOS }},
	{"client-name", true, func(c *ClientInfo) *string { return &c.ClientName }},
	{"device-type", true, func(c *ClientInfo) *string { return &c.DeviceType }},
	{"user-agent", true, func(c *ClientInfo) *string { return &c.UserAgent }},
	{"bot", true, func(c *ClientInfo) *string { return &c.Bot }},
	{"ip", true, func(c *ClientInfo) *string { return &c.IP }},
	{"accept-language", true, func(c *ClientInfo) *string { return &c.AcceptLanguage }},
}

var mailingListFields = []stringField[EventMailingList]{
	{"address", true, func(m *EventMailingList) *string { return &m.Address }},
	{"list-id", true, func(m *EventMailingList) *string { return &m.ListID }},
	{"sid", true, func(m *EventMailingList) *string { return &m.SID }},
}

var routeMatchFields = []stringField[EventRouteMatch]{
	{"recipient", false, func(m *EventRouteMatch) *string { return &m.Recipient }},
}

var batchFields = []stringField[EventBatch]{
	{"id", false, func(b *EventBatch) *string { return &b.ID }},
}

var eventErrorFields = []stringField[EventError]{
	{"message", true, func(e *EventError) *string { return &e.Message }},
}
