package mailgun

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
	"github.com/mgkit/mailgun/internal/timefmt"
)

// BouncesService manages a domain's bounce list: addresses whose delivery failed permanently, which Mailgun no longer sends to (/v3/{domain}/bounces).
type BouncesService service

// BounceBatchSize is the most records AddMany puts in one request. The API
// rejects a batch of 1000 or more ("Batch size should be less than 1000").
const BounceBatchSize = 999

// Bounce is one address on a domain's bounce list.
type Bounce struct {
	// Address is the suppressed recipient, as stored (not escaped).
	Address string `json:"address"`
	// Code is the SMTP status code of the bounce, such as "550". The API
	// has sent it both as a string and as a number; both decode here.
	Code string `json:"code"`
	// Error is the SMTP error text; "" when none was given.
	Error string `json:"error"`
	// CreatedAt is when the bounce was recorded.
	CreatedAt time.Time `json:"created_at"`
	// MessageHash was sent by older API versions; it is usually "".
	MessageHash string `json:"MessageHash,omitempty"`
}

// UnmarshalJSON decodes a bounce as the API sends it: code as a string or
// a number, created_at as an RFC 2822 date with a zone name or a numeric
// offset (RFC 3339 is accepted too). A missing or null field stays zero.
func (b *Bounce) UnmarshalJSON(data []byte) error {
	var w bounceWire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*b = w.value()
	return nil
}

// bounceWire is a bounce as the API sends it. Its fields decode
// themselves, so a page of them is decoded in one pass, without the
// nested json.Unmarshal (and the re-validation) of Bounce.UnmarshalJSON.
type bounceWire struct {
	Address     string          `json:"address"`
	Code        smtpCode        `json:"code"`
	Error       string          `json:"error"`
	CreatedAt   suppressionTime `json:"created_at"`
	MessageHash string          `json:"MessageHash"`
}

func (w bounceWire) value() Bounce {
	return Bounce{Address: w.Address, Code: string(w.Code), Error: w.Error, CreatedAt: time.Time(w.CreatedAt), MessageHash: w.MessageHash}
}

// smtpCode reads an SMTP code sent as a JSON string or number.
type smtpCode string

func (c *smtpCode) UnmarshalJSON(raw []byte) error {
	s, err := textOf(raw)
	if err != nil {
		return fmt.Errorf("bounce code %s: %w", raw, err)
	}
	*c = smtpCode(s)
	return nil
}

// suppressionTime reads a suppression timestamp; null or "" is the zero time.
type suppressionTime time.Time

func (t *suppressionTime) UnmarshalJSON(raw []byte) error {
	if string(raw) == "null" {
		*t = suppressionTime{}
		return nil
	}
	s, err := jsonString(raw)
	if err != nil {
		return fmt.Errorf("created_at: %w", err)
	}
	v, err := parseSuppressionTime(&s)
	if err != nil {
		return fmt.Errorf("created_at: %w", err)
	}
	*t = suppressionTime(v)
	return nil
}

// parseSuppressionTime reads a suppression timestamp; nil or "" is the zero time.
func parseSuppressionTime(s *string) (time.Time, error) {
	if s == nil || strings.TrimSpace(*s) == "" {
		return time.Time{}, nil
	}
	t, err := timefmt.ParseRFC2822(*s)
	if err == nil {
		return t, nil
	}
	if t, err3339 := time.Parse(time.RFC3339Nano, strings.TrimSpace(*s)); err3339 == nil {
		return t, nil
	}
	return time.Time{}, err
}

// BounceInput is a bounce to add. Only Address is required.
type BounceInput struct {
	// Address is the recipient to suppress; it must contain "@".
	Address string
	// Code is the SMTP status code; "" lets the API use "550".
	Code string
	// Error is the reason text; "" leaves it empty.
	Error string
	// CreatedAt is when the bounce happened; the zero time lets the API
	// use the time it receives the request. It is sent with a numeric
	// offset ("Thu, 13 Oct 2011 18:02:00 +0000").
	CreatedAt time.Time
}

// bounceRecord is BounceInput as the JSON batch body carries it.
type bounceRecord struct {
	Address   string `json:"address"`
	Code      string `json:"code,omitempty"`
	Error     string `json:"error,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
}

func (in BounceInput) record() bounceRecord {
	r := bounceRecord{Address: in.Address, Code: in.Code, Error: in.Error}
	if !in.CreatedAt.IsZero() {
		r.CreatedAt = timefmt.FormatRFC2822(in.CreatedAt)
	}
	return r
}

// BatchError reports a BouncesService.AddMany call that stopped part-way.
// The records before Accepted were stored by earlier requests; the rest
// were not sent, except those of the failing request, which the API may
// have stored if the connection broke after sending. Adding a bounce again
// overwrites it, so retrying records[Accepted:] is safe.
type BatchError struct {
	// Accepted counts the records the API acknowledged before the failure.
	Accepted int
	// Err is the failure of the request that stopped the batch.
	Err error
}

// Error says how many records were accepted and why the batch stopped.
func (e *BatchError) Error() string {
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

// List walks the domain's bounce list in address order, fetching one page
// at a time as the loop advances; stop early by breaking out of the loop.
// The walk ends after an empty page. A failed request is yielded once and
// ends it (GETs are retried first, as the client's RetryPolicy says).
// Invalid opts are yielded as the only error, before anything is sent.
func (s *BouncesService) List(ctx context.Context, domain string, opts *ListOptions) iter.Seq2[Bounce, error] {
	return mapSeq(suppressions[bounceWire](ctx, s.client, domain, "bounces", opts), bounceWire.value)
}

// ListPage fetches one page of the domain's bounce list: the top, or the
// page at opts.Cursor. Page.Next resumes after it and is "" after the last
// page (an empty page; a short page may still have a Next).
func (s *BouncesService) ListPage(ctx context.Context, domain string, opts *ListOptions) (*Page[Bounce], error) {
	p, err := suppressionPage[bounceWire](ctx, s.client, domain, "bounces", opts)
	if err != nil {
		return nil, err
	}
	out := &Page[Bounce]{Items: make([]Bounce, len(p.Items)), Next: p.Next}
	for i, w := range p.Items {
		out.Items[i] = w.value()
	}
	return out, nil
}

// Get returns the bounce record of address. It returns an error matching
// ErrNotFound when the address is not on the list. The address is sent as
// one escaped path segment, so "+", "/", "%" and spaces are safe.
func (s *BouncesService) Get(ctx context.Context, domain, address string) (*Bounce, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if err := checkListAddress("address", address); err != nil {
		return nil, err
	}
	var w bounceWire
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v3", domain, "bounces", address}}
	if err := s.client.do(ctx, r, &w); err != nil {
		return nil, err
	}
	b := w.value()
	return &b, nil
}

// Add puts one address on the bounce list as a form post, replacing any
// record it already has. Like every POST it is retried only on 420/429 or
// when the connection failed before sending.
func (s *BouncesService) Add(ctx context.Context, domain string, in BounceInput) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	if err := checkListAddress("address", in.Address); err != nil {
		return err
	}
	rec := in.record()
	form := url.Values{"address": {rec.Address}}
	if rec.Code != "" {
		form.Set("code", rec.Code)
	}
	if rec.Error != "" {
		form.Set("error", rec.Error)
	}
	if rec.CreatedAt != "" {
		form.Set("created_at", rec.CreatedAt)
	}
	r := &doer.Request{Method: http.MethodPost, Path: []string{"v3", domain, "bounces"}, Body: doer.Form(form)}
	return s.client.do(ctx, r, nil)
}

// AddMany puts records on the bounce list as JSON batches of at most
// BounceBatchSize records, sent one after the other in order; existing
// records are replaced. Every record is checked before the first request.
// When a request fails, AddMany stops and returns a *BatchError saying how
// many records were accepted before it. An empty slice is an invalid
// argument.
func (s *BouncesService) AddMany(ctx context.Context, domain string, records []BounceInput) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	if len(records) == 0 {
		return invalidArg("records is empty")
	}
	for i, in := range records {
		if err := checkListAddress(fmt.Sprintf("records[%d].Address", i), in.Address); err != nil {
			return err
		}
	}
	batch := make([]bounceRecord, 0, min(len(records), BounceBatchSize))
	for start := 0; start < len(records); start += BounceBatchSize {
		batch = batch[:0]
		for _, in := range records[start:min(start+BounceBatchSize, len(records))] {
			batch = append(batch, in.record())
		}
		body, err := doer.JSON(batch)
		if err != nil {
			return invalidArg("%s", err)
		}
		r := &doer.Request{Method: http.MethodPost, Path: []string{"v3", domain, "bounces"}, Body: body}
		if err := s.client.do(ctx, r, nil); err != nil {
			return &BatchError{Accepted: start, Err: err}
		}
	}
	return nil
}

// Import uploads a CSV file of bounces, streaming csv as the multipart
// "file" part without reading it into memory. The file must start with
// the header row "address,code,error,created_at" and be at most 25 MB; the
// API processes it after answering, so rows appear later and bad rows are
// not reported. A nil reader is an invalid argument.
//
// Import is retried (on 420/429, or when the connection failed before
// sending) only if the body can be sent again: csv is an io.Seeker, such
// as an *os.File, which is rewound once the failed attempt has stopped
// reading it; or no byte of it had been read and no read was pending when
// the server answered. Otherwise the first error is returned, never a
// retry that could send a truncated file.
func (s *BouncesService) Import(ctx context.Context, domain string, csv io.Reader) error {
	return importSuppressionCSV(ctx, s.client, domain, "bounces", csv)
}

// importSuppressionCSV posts csv to /v3/{domain}/{list}/import.
func importSuppressionCSV(ctx context.Context, c *Client, domain, list string, csv io.Reader) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	if csv == nil {
		return invalidArg("csv reader is nil")
	}
	body, err := doer.Multipart(nil, "file", list+".csv", csv)
	if err != nil {
		return invalidArg("%s", err)
	}
	r := &doer.Request{Method: http.MethodPost, Path: []string{"v3", domain, list, "import"}, Body: body}
	return c.do(ctx, r, nil)
}

// Delete removes address from the bounce list, so Mailgun delivers to it
// again until it bounces again. It returns an error matching ErrNotFound
// when the address is not on the list. Events already recorded remain.
// A retry answered 404 after an attempt that may have deleted it returns nil.
func (s *BouncesService) Delete(ctx context.Context, domain, address string) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	if err := checkListAddress("address", address); err != nil {
		return err
	}
	r := &doer.Request{Method: http.MethodDelete, Path: []string{"v3", domain, "bounces", address}}
	return s.client.do(ctx, r, nil)
}

// DeleteAll removes every address from the domain's bounce list. An empty
// list is not an error.
func (s *BouncesService) DeleteAll(ctx context.Context, domain string) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	r := &doer.Request{Method: http.MethodDelete, Path: []string{"v3", domain, "bounces"}}
	return s.client.do(ctx, r, nil)
}

func mapSeq[W, T any](seq iter.Seq2[W, error], f func(W) T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for w, err := range seq {
			var v T
			if err == nil {
				v = f(w)
			}
			if !yield(v, err) {
				return
			}
		}
	}
}
