package mailgun

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/mgkit/mailgun/internal/jsonread"
)

// The list rule: a page fails only on structural errors (not JSON, items
// not an array, paging missing). Inside a list, an item that is not an
// object (null included) is skipped, and a value of an unexpected type in
// an item is dropped: the member is read as if it were absent, and an
// array element as if it were null (its zero value), so the item keeps
// everything else. The events decoder implements the rule by hand
// (events_decode.go); the other lists decode with encoding/json through
// lenientList, which prunes an item that does not decode until it does.

// lenientList is a JSON array of items decoded by the list rule. null
// gives a nil list; any other value that is not an array is an error.
type lenientList[T any] []T

// UnmarshalJSON decodes the array at once when every item decodes;
// otherwise item by item: an item that decodes as it is costs one
// json.Unmarshal, one that does not is pruned (pruneItem).
func (l *lenientList[T]) UnmarshalJSON(b []byte) error {
	// Fast path: the whole array decodes, and has no null that would
	// have to be skipped rather than read as a zero item.
	var all []T
	if json.Unmarshal(b, &all) == nil && !bytes.Contains(b, []byte("null")) {
		*l = all
		return nil
	}
	r := jsonread.New(b)
	switch k := r.Peek(); k {
	case jsonread.Null:
		*l = nil
		return nil
	case jsonread.Array:
	default:
		return fmt.Errorf("items are a JSON %s, not an array", k)
	}
	r.BeginArray()
	out := make([]T, 0, 8)
	for r.NextElement() {
		raw := r.SkipValue()
		if raw == nil || string(raw) == "null" {
			continue
		}
		if v, ok := decodePruned[T](raw); ok {
			out = append(out, v)
		}
	}
	if err := r.Finish(); err != nil {
		return err
	}
	*l = out
	return nil
}

// lenient is a value read by the same rule outside a list's items (a
// total, a time range, the object a Get answers): a value of an unexpected
// type inside it is dropped, and it is left zero, with ok false, when it
// is null or has an unexpected type itself.
type lenient[T any] struct {
	V  T
	ok bool
}

// UnmarshalJSON never fails.
func (l *lenient[T]) UnmarshalJSON(b []byte) error {
	if string(bytes.TrimSpace(b)) == "null" {
		*l = lenient[T]{}
		return nil
	}
	l.V, l.ok = decodePruned[T](b)
	return nil
}

// DecodeBody reads a whole response body (which the doer has seen start
// as an object or an array) in one json.Unmarshal when it decodes as it
// is, as the body of a Get does; otherwise as UnmarshalJSON does. Only a
// body that is not JSON is an error.
func (l *lenient[T]) DecodeBody(b []byte) error {
	var v T
	if err := json.Unmarshal(b, &v); err == nil {
		*l = lenient[T]{V: v, ok: true}
		return nil
	} else if !json.Valid(b) {
		return err
	}
	return l.UnmarshalJSON(b)
}

// decodePruned decodes b, valid JSON, into a T: as it is if it decodes,
// otherwise pruned (pruneItem). ok is false, and v zero, when b cannot be
// a T at all, such as a string where an object is wanted.
func decodePruned[T any](b []byte) (v T, ok bool) {
	if json.Unmarshal(b, &v) == nil {
		return v, true
	}
	kept, ok := pruneItem(b, func(doc []byte) error {
		var t T
		return json.Unmarshal(doc, &t)
	})
	v = *new(T)
	if !ok || json.Unmarshal(kept, &v) != nil {
		return *new(T), false
	}
	return v, true
}

// decodeObject reads raw by the list rule for the UnmarshalJSON method of
// a public type: a JSON object gives the value read as decodePruned reads
// it; null gives nil, so that the method leaves its value unchanged as
// encoding/json does; anything else gives ok false.
func decodeObject[T any](raw []byte) (v *T, ok bool) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil, true
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, false
	}
	t, ok := decodePruned[T](raw)
	if !ok {
		return nil, false
	}
	return &t, true
}

// pruneBudget bounds the decode attempts spent on one item, so that an
// item full of unreadable values costs a bounded time; past it the item
// is skipped.
const pruneBudget = 2048

// pruneItem returns item (valid JSON) without the values decode refuses,
// such that decode accepts the result: an object member whose value does
// not fit is removed, an array element that does not fit becomes null (or
// is removed if null does not fit either), and a container that fits as
// an empty one keeps the children that fit. Each value is tried in the
// document as read so far (the members before it, duplicates included),
// so that the result is what decoding gives when every such value is
// ignored. ok is false when the item itself does not fit, as when it is
// a string where an object is wanted, or after pruneBudget attempts.
func pruneItem(item []byte, decode func([]byte) error) (kept []byte, ok bool) {
	item = bytes.TrimSpace(item)
	if !json.Valid(item) {
		return nil, false
	}
	p := pruner{decode: decode, budget: pruneBudget}
	kept, ok = p.fit(nil, nil, item)
	return kept, ok && p.budget >= 0
}

type pruner struct {
	decode func([]byte) error
	buf    []byte
	budget int
}

// try reports whether decode accepts head+v+tail.
func (p *pruner) try(head, v, tail []byte) bool {
	if p.budget--; p.budget < 0 {
		return false
	}
	p.buf = append(append(append(p.buf[:0], head...), v...), tail...)
	return p.decode(p.buf) == nil
}

// fit returns the form of the value v to keep between head and tail, or
// false when none fits.
func (p *pruner) fit(head, tail, v []byte) ([]byte, bool) {
	if p.try(head, v, tail) {
		return v, true
	}
	if v[0] != '{' && v[0] != '[' {
		return nil, false
	}
	object := v[0] == '{'
	closer := byte(']')
	if object {
		closer = '}'
	}
	if !p.try(head, []byte{v[0], closer}, tail) {
		return nil, false // the wrong kind of container
	}
	inner := append([]byte{closer}, tail...)
	cur := []byte{v[0]}
	r := jsonread.New(v)
	if object {
		r.BeginObject()
	} else {
		r.BeginArray()
	}
	for p.budget >= 0 {
		at := r.Offset()
		if object {
			if _, ok := r.NextKey(); !ok {
				break
			}
		} else if !r.NextElement() {
			break
		}
		lead := bytes.TrimLeft(v[at:r.Offset()], ", \t\r\n") // a key and its colon, or nothing
		if object {
			lead = lead[:bytes.LastIndexByte(lead, '"')+1]
		}
		val := r.SkipValue()
		start := cur
		if len(cur) > 1 {
			start = append(start, ',')
		}
		start = append(start, lead...)
		if object {
			start = append(start, ':')
		}
		h := append(bytes.Clone(head), start...)
		kv, ok := p.fit(h, inner, val)
		if !ok && !object && p.try(h, []byte("null"), inner) {
			kv, ok = []byte("null"), true
		}
		if ok {
			cur = append(start, kv...)
		}
	}
	return append(cur, closer), true
}
