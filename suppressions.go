package mailgun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mgkit/mailgun/internal/doer"
)

// suppressionList is what the suppression lists (bounces, unsubscribes,
// complaints and the allowlist) share: every call on /v3/{domain}/{name},
// with items decoded as the wire type W and handed out as the public type
// T. The typed services are thin wrappers over it.
type suppressionList[W, T any] struct {
	c    *Client
	name string // the path segment: "bounces", "unsubscribes", "complaints", "whitelists"
	// checkKey checks the last path segment of Get and Delete (an address,
	// or for the allowlist an address or a domain) before anything is sent.
	checkKey func(key string) error
	conv     func(W) T
}

// addressList is a suppression list keyed by email address.
func addressList[W, T any](c *Client, name string, conv func(W) T) suppressionList[W, T] {
	return suppressionList[W, T]{c: c, name: name, checkKey: checkAddressKey, conv: conv}
}

func checkAddressKey(address string) error { return checkListAddress("address", address) }

// walk iterates over the list, one page in memory at a time; items are
// converted as they are yielded. Bad options are yielded as the only
// error, before anything is sent.
func (l suppressionList[W, T]) walk(ctx context.Context, domain string, opts *ListOptions) iter.Seq2[T, error] {
	start, query, err := suppressionQuery(domain, l.name, opts)
	if err != nil {
		return failedWalk[T](err)
	}
	pages := iterate(ctx, start, func(ctx context.Context, cursor string) (*Page[W], error) {
		return l.fetch(ctx, domain, query, cursor)
	})
	return func(yield func(T, error) bool) {
		for w, err := range pages {
			var v T
			if err == nil {
				v = l.conv(w)
			}
			if !yield(v, err) {
				return
			}
		}
	}
}

// page fetches one page: the top, or the one at opts.Cursor.
func (l suppressionList[W, T]) page(ctx context.Context, domain string, opts *ListOptions) (*Page[T], error) {
	start, query, err := suppressionQuery(domain, l.name, opts)
	if err != nil {
		return nil, err
	}
	wp, err := l.fetch(ctx, domain, query, start)
	if err != nil {
		return nil, err
	}
	page := &Page[T]{Items: make([]T, len(wp.Items)), Next: wp.Next}
	for i, w := range wp.Items {
		page.Items[i] = l.conv(w)
	}
	return page, nil
}

// fetch gets the page at cursor, or the first page with query when cursor
// is "", with getLinkPage: a next link must lead to this list, so List and
// ListPage accept the same cursors.
func (l suppressionList[W, T]) fetch(ctx context.Context, domain string, query url.Values, cursor string) (*Page[W], error) {
	r := &doer.Request{Method: http.MethodGet, Cursor: cursor}
	if cursor == "" {
		r.Path, r.Query = []string{"v3", domain, l.name}, query
	}
	return getLinkPage[W](ctx, l.c, r, func(next string) error { return checkListCursor(next, domain, l.name) })
}

// get returns the record of key, or an error matching ErrNotFound. The
// record is read by the list rule: a field of an unexpected type is
// dropped; an answer that is not an object is ErrInvalidResponse.
func (l suppressionList[W, T]) get(ctx context.Context, domain, key string) (*T, error) {
	if err := l.check(domain, key); err != nil {
		return nil, err
	}
	var w lenient[W]
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v3", domain, l.name, key}}
	if err := l.c.do(ctx, r, &w); err != nil {
		return nil, err
	}
	if !w.ok {
		return nil, fmt.Errorf("%w: GET %s: no record in the response", ErrInvalidResponse, l.name)
	}
	v := l.conv(w.V)
	return &v, nil
}

func (l suppressionList[W, T]) check(domain, key string) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	return l.checkKey(key)
}

// add posts one record (a form, or a one-record JSON batch) after checking
// domain and key.
func (l suppressionList[W, T]) add(ctx context.Context, domain, key string, body doer.Body) error {
	if err := l.check(domain, key); err != nil {
		return err
	}
	return l.write(ctx, &doer.Request{Method: http.MethodPost, Path: []string{"v3", domain, l.name}, Body: body})
}

// write sends a write and checks that a 2xx body is the API's JSON object
// (or empty), so an HTML page from a proxy is not taken for success.
func (l suppressionList[W, T]) write(ctx context.Context, r *doer.Request) error {
	var reply struct{}
	return l.c.do(ctx, r, &reply)
}

// remove deletes the record of key, or returns an error matching ErrNotFound.
func (l suppressionList[W, T]) remove(ctx context.Context, domain, key string) error {
	if err := l.check(domain, key); err != nil {
		return err
	}
	return l.write(ctx, &doer.Request{Method: http.MethodDelete, Path: []string{"v3", domain, l.name, key}})
}

// clear deletes every record of the domain's list.
func (l suppressionList[W, T]) clear(ctx context.Context, domain string) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	return l.write(ctx, &doer.Request{Method: http.MethodDelete, Path: []string{"v3", domain, l.name}})
}

// importCSV streams csv as the multipart "file" part to /v3/{domain}/{name}/import.
func (l suppressionList[W, T]) importCSV(ctx context.Context, domain string, csv io.Reader) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	if csv == nil {
		return invalidArg("csv reader is nil")
	}
	body, err := doer.Multipart(nil, "file", l.name+".csv", csv)
	if err != nil {
		return invalidArg("%s", err)
	}
	return l.write(ctx, &doer.Request{Method: http.MethodPost, Path: []string{"v3", domain, l.name, "import"}, Body: body})
}

// addSuppressions sends records to l as JSON arrays of at most size
// records, in order, one request after the other. Every record's address
// is checked before the first request. The first failure stops the work
// and is returned as a *BatchError (see there).
func addSuppressions[W, T, I, R any](ctx context.Context, l suppressionList[W, T], domain string, records []I, address func(I) string, record func(I) R, size int) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	if len(records) == 0 {
		return invalidArg("records is empty")
	}
	for i, in := range records {
		if a := address(in); !isListAddress(a) {
			return checkListAddress(fmt.Sprintf("records[%d].Address", i), a)
		}
	}
	batch := make([]R, 0, min(len(records), size))
	for start := 0; start < len(records); start += size {
		end := min(start+size, len(records))
		fail := func(err error, outcome BatchOutcome) error {
			return &BatchError{Accepted: start, Failed: end - start, Outcome: outcome, Err: err}
		}
		if err := ctx.Err(); err != nil {
			return fail(fmt.Errorf("mailgun: batch not sent: %w", err), BatchNotStored)
		}
		batch = batch[:0]
		for _, in := range records[start:end] {
			batch = append(batch, record(in))
		}
		body, err := doer.JSON(batch)
		if err != nil {
			return fail(invalidArg("%s", err), BatchNotStored)
		}
		if err := l.write(ctx, &doer.Request{Method: http.MethodPost, Path: []string{"v3", domain, l.name}, Body: body}); err != nil {
			return fail(err, batchOutcome(err))
		}
	}
	return nil
}

// BatchOutcome says what became of the records of the request that
// stopped an AddMany call.
type BatchOutcome string

const (
	// BatchNotStored: the API refused the request (a 4xx status, 420 and
	// 429 included once the retries were spent) or it was never sent (bad
	// input, a connection that failed before sending, or the context ended
	// before it), so none of its records were stored.
	BatchNotStored BatchOutcome = "not stored"
	// BatchUnknown: the request may have reached the API and been acted
	// on, but no valid answer came: the error matches ErrOutcomeUnknown (a
	// 5xx, a connection broken after sending, a 2xx that is not the API's
	// JSON). Some, all or none of its records may be stored.
	BatchUnknown BatchOutcome = "unknown"
)

// batchOutcome classifies the error of a failed batch request with the
// doer's outcome rule.
func batchOutcome(err error) BatchOutcome {
	if errors.Is(err, ErrOutcomeUnknown) {
		return BatchUnknown
	}
	return BatchNotStored
}

// BatchError reports an AddMany call (of bounces, unsubscribes or
// complaints) that stopped part-way. For the records slice passed in:
//
//   - records[:Accepted] are stored: the API acknowledged every request
//     before the failing one.
//   - records[Accepted:Accepted+Failed] were the failing request. Outcome
//     says whether they were not stored (BatchNotStored) or may have been
//     (BatchUnknown).
//   - records[Accepted+Failed:] were not sent.
//
// Adding a record that is already on a list replaces it, so resuming with
// records[Accepted:] is always safe, whatever the outcome. After a
// BatchNotStored with ErrBadRequest, the failing request holds a record
// the API refuses, and sending it unchanged fails again.
type BatchError struct {
	// Accepted counts the records the API acknowledged before the failure.
	Accepted int
	// Failed counts the records of the request that failed.
	Failed int
	// Outcome says whether the failed request's records were stored:
	// BatchNotStored or BatchUnknown.
	Outcome BatchOutcome
	// Err is the failure of the request that stopped the batch.
	Err error
}

// Error says how many records were accepted, what became of the failing
// request's records and why the batch stopped.
func (e *BatchError) Error() string {
	switch e.Outcome {
	case BatchNotStored:
		return fmt.Sprintf("mailgun: batch stopped after %d accepted records; the next %d were not stored: %v", e.Accepted, e.Failed, e.Err)
	case BatchUnknown:
		return fmt.Sprintf("mailgun: batch stopped after %d accepted records; the next %d may or may not be stored: %v", e.Accepted, e.Failed, e.Err)
	}
	return fmt.Sprintf("mailgun: batch stopped after %d accepted records: %v", e.Accepted, e.Err)
}

// Unwrap returns Err, so errors.Is and errors.As see the request's error.
func (e *BatchError) Unwrap() error { return e.Err }

// checkListAddress rejects an empty value and one that is not an email address.
func checkListAddress(name, value string) error {
	if err := required(name, value); err != nil {
		return err
	}
	if !strings.Contains(value, "@") {
		return invalidArg("%s %q is not an email address (no @)", name, value)
	}
	return nil
}

// isListAddress is the condition checkListAddress enforces, without an error.
func isListAddress(value string) bool {
	return strings.TrimSpace(value) != "" && strings.Contains(value, "@")
}

// suppressionForm builds the form of a one-record add from name, value
// pairs. The first pair (the address) is always sent; a later pair with an
// empty value is left out, so the API applies its default.
func suppressionForm(pairs ...string) url.Values {
	form := url.Values{pairs[0]: {pairs[1]}}
	for i := 2; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			form.Set(pairs[i], pairs[i+1])
		}
	}
	return form
}

// decodeRecord decodes one record as the API sends it through its wire
// type, by the list rule (a field of an unexpected type is dropped), for
// the UnmarshalJSON methods of the public record types. A record that is
// not a JSON object is an error; null gives the zero record.
func decodeRecord[W interface{ value() T }, T any](data []byte, dst *T) error {
	w, ok := decodePruned[W](data)
	if !ok {
		return fmt.Errorf("%.40s is not a JSON object", data)
	}
	*dst = w.value()
	return nil
}

// unsubscribeTags reads the tags of an unsubscribe: an array of strings,
// or a lone string as one tag. Elements that are not strings, and blank
// tags, are dropped, so that what Get returns can be sent back (Add
// refuses a blank tag); [] stays an empty list. Any other value is an
// error, which the list rule reads as no tags.
type unsubscribeTags []string

func (t *unsubscribeTags) UnmarshalJSON(raw []byte) error {
	var tags lenientList[string]
	if len(raw) > 0 && raw[0] == '"' {
		s, err := jsonString(raw)
		if err != nil {
			return err
		}
		tags = lenientList[string]{s}
	} else if err := json.Unmarshal(raw, &tags); err != nil {
		return err
	}
	*t = unsubscribeTags(slices.DeleteFunc(tags, func(tag string) bool { return strings.TrimSpace(tag) == "" }))
	return nil
}
