package mailgun

import (
	"context"
	"io"
	"iter"
	"net/url"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
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
// offset (RFC 3339 is accepted too). A missing or null field stays zero,
// and so does a field of an unexpected type (a code that is a boolean, a
// date that does not parse); only data that is not a JSON object is an
// error.
func (b *Bounce) UnmarshalJSON(data []byte) error { return decodeRecord[bounceWire](data, b) }

// bounceWire is a bounce as the API sends it, read by the list rule
// (lenient.go). A page of well-formed bounces decodes in one pass, without
// the nested json.Unmarshal (and the re-validation) of Bounce.UnmarshalJSON.
type bounceWire struct {
	Address     fastString  `json:"address"`
	Code        jsonText    `json:"code"`
	Error       fastString  `json:"error"`
	CreatedAt   rfc2822Time `json:"created_at"`
	MessageHash fastString  `json:"MessageHash"`
}

func (w bounceWire) value() Bounce {
	return Bounce{Address: string(w.Address), Code: string(w.Code), Error: string(w.Error), CreatedAt: time.Time(w.CreatedAt), MessageHash: string(w.MessageHash)}
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
	return bounceRecord{Address: in.Address, Code: in.Code, Error: in.Error, CreatedAt: rfc2822(in.CreatedAt)}
}

func (in BounceInput) address() string { return in.Address }

// form is the record as the form of Add carries it; empty fields are left out.
func (r bounceRecord) form() url.Values {
	return suppressionForm("address", r.Address, "code", r.Code, "error", r.Error, "created_at", r.CreatedAt)
}

func (s *BouncesService) list() suppressionList[bounceWire, Bounce] {
	return addressList(s.client, "bounces", bounceWire.value)
}

// List walks the domain's bounce list in address order, fetching one page
// at a time as the loop advances; stop early by breaking out of the loop.
// The walk ends after an empty page. A failed request is yielded once and
// ends it (GETs are retried first, as the client's RetryPolicy says).
// Invalid opts are yielded as the only error, before anything is sent.
func (s *BouncesService) List(ctx context.Context, domain string, opts *ListOptions) iter.Seq2[Bounce, error] {
	return s.list().walk(ctx, domain, opts)
}

// ListPage fetches one page of the domain's bounce list: the top, or the
// page at opts.Cursor. Page.Next resumes after it and is "" after the last
// page (an empty page; a short page may still have a Next).
func (s *BouncesService) ListPage(ctx context.Context, domain string, opts *ListOptions) (*Page[Bounce], error) {
	return s.list().page(ctx, domain, opts)
}

// Get returns the bounce record of address. It returns an error matching
// ErrNotFound when the address is not on the list. The address is sent as
// one escaped path segment, so "+", "/", "%" and spaces are safe.
func (s *BouncesService) Get(ctx context.Context, domain, address string) (*Bounce, error) {
	return s.list().get(ctx, domain, address)
}

// Add puts one address on the bounce list as a form post, replacing any
// record it already has. Like every POST it is retried only on 420/429 or
// when the connection failed before sending.
func (s *BouncesService) Add(ctx context.Context, domain string, in BounceInput) error {
	return s.list().add(ctx, domain, in.Address, doer.Form(in.record().form()))
}

// AddMany puts records on the bounce list as JSON batches of at most
// BounceBatchSize records, sent one after the other in order; existing
// records are replaced. Every record is checked before the first request.
// When a request fails, AddMany stops and returns a *BatchError saying
// which records are stored, which may be, and which were not sent. An
// empty slice is an invalid argument.
func (s *BouncesService) AddMany(ctx context.Context, domain string, records []BounceInput) error {
	return addSuppressions(ctx, s.list(), domain, records, BounceInput.address, BounceInput.record, BounceBatchSize)
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
// reading it (a read of it still blocked after RetryPolicy.IdleTimeout
// ends the retries); or no byte of it had been read and no read was
// pending when the server answered. Otherwise the first error is returned, never a
// retry that could send a truncated file.
func (s *BouncesService) Import(ctx context.Context, domain string, csv io.Reader) error {
	return s.list().importCSV(ctx, domain, csv)
}

// Delete removes address from the bounce list, so Mailgun delivers to it
// again until it bounces again. It returns an error matching ErrNotFound
// when the address is not on the list. Events already recorded remain.
// A retry answered 404 after an attempt that may have deleted it returns nil.
func (s *BouncesService) Delete(ctx context.Context, domain, address string) error {
	return s.list().remove(ctx, domain, address)
}

// DeleteAll removes every address from the domain's bounce list. An empty
// list is not an error.
func (s *BouncesService) DeleteAll(ctx context.Context, domain string) error {
	return s.list().clear(ctx, domain)
}
