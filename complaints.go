package mailgun

import (
	"context"
	"io"
	"iter"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// ComplaintsService manages a domain's complaint list: recipients who reported its mail as spam, which Mailgun no longer sends to (/v3/{domain}/complaints).
type ComplaintsService service

// ComplaintBatchSize is the most records AddMany puts in one request. The
// reference allows "up to 1000" while the API's own error says "less than
// 1000", so batches stay at 999.
const ComplaintBatchSize = 999

// Complaint is one address on a domain's complaint list.
type Complaint struct {
	// Address is the recipient who complained, as stored (not escaped).
	Address string `json:"address"`
	// CreatedAt is when the complaint was recorded.
	CreatedAt time.Time `json:"created_at"`
}

// UnmarshalJSON decodes a complaint as the API sends it, with created_at
// as an RFC 2822 date (RFC 3339 is accepted too). A missing, null or
// mistyped field stays zero; only data that is not a JSON object is an
// error.
func (c *Complaint) UnmarshalJSON(data []byte) error { return decodeRecord[complaintWire](data, c) }

type complaintWire struct {
	Address   fastString  `json:"address"`
	CreatedAt rfc2822Time `json:"created_at"`
}

func (w complaintWire) value() Complaint {
	return Complaint{Address: string(w.Address), CreatedAt: time.Time(w.CreatedAt)}
}

// ComplaintInput is a complaint to add. Only Address is required.
type ComplaintInput struct {
	// Address is the recipient; it must contain "@".
	Address string
	// CreatedAt is when the complaint was made; the zero time lets the API
	// use the time it receives the request. It is sent with a numeric
	// offset ("Thu, 13 Oct 2011 18:02:00 +0000").
	CreatedAt time.Time
}

// complaintRecord is ComplaintInput as the JSON batch body carries it.
type complaintRecord struct {
	Address   string `json:"address"`
	CreatedAt string `json:"created_at,omitempty"`
}

func (in ComplaintInput) record() complaintRecord {
	return complaintRecord{Address: in.Address, CreatedAt: rfc2822(in.CreatedAt)}
}

func (in ComplaintInput) address() string { return in.Address }

func (s *ComplaintsService) list() suppressionList[complaintWire, Complaint] {
	return addressList(s.client, "complaints", complaintWire.value)
}

// List walks the domain's complaint list in address order, fetching one
// page at a time as the loop advances; stop early by breaking out of the
// loop. The walk ends after an empty page. A failed request is yielded
// once and ends it (GETs are retried first, as the client's RetryPolicy
// says). Invalid opts are yielded as the only error, before anything is
// sent.
func (s *ComplaintsService) List(ctx context.Context, domain string, opts *ListOptions) iter.Seq2[Complaint, error] {
	return s.list().walk(ctx, domain, opts)
}

// ListPage fetches one page of the domain's complaint list: the top, or
// the page at opts.Cursor. Page.Next resumes after it and is "" after the
// last page (an empty page; a short page may still have a Next).
func (s *ComplaintsService) ListPage(ctx context.Context, domain string, opts *ListOptions) (*Page[Complaint], error) {
	return s.list().page(ctx, domain, opts)
}

// Get returns the complaint record of address. It returns an error
// matching ErrNotFound when the address is not on the list. The address is
// sent as one escaped path segment, so "+", "/", "%" and spaces are safe.
func (s *ComplaintsService) Get(ctx context.Context, domain, address string) (*Complaint, error) {
	return s.list().get(ctx, domain, address)
}

// Add puts one address on the complaint list as a form post, replacing
// any record it already has. Like every POST it is retried only on 420/429
// or when the connection failed before sending.
func (s *ComplaintsService) Add(ctx context.Context, domain string, in ComplaintInput) error {
	rec := in.record()
	return s.list().add(ctx, domain, in.Address, doer.Form(suppressionForm("address", rec.Address, "created_at", rec.CreatedAt)))
}

// AddMany puts records on the complaint list as JSON batches of at most
// ComplaintBatchSize records, sent one after the other in order; existing
// records are replaced. Every record is checked before the first request.
// When a request fails, AddMany stops and returns a *BatchError saying
// which records are stored, which may be, and which were not sent. An
// empty slice is an invalid argument.
func (s *ComplaintsService) AddMany(ctx context.Context, domain string, records []ComplaintInput) error {
	return addSuppressions(ctx, s.list(), domain, records, ComplaintInput.address, ComplaintInput.record, ComplaintBatchSize)
}

// Import uploads a CSV file of complaints, streaming csv as the multipart
// "file" part without reading it into memory. The file must start with a
// header row naming its columns, of "address" (required) and "created_at"
// (RFC 2822), and be at most 25 MB; the API processes it after answering,
// so rows appear later and bad rows are not reported. A nil reader is an
// invalid argument.
//
// Retries follow BouncesService.Import: the upload is repeated (after
// 420/429, or a connection that failed before sending) only when csv can
// be sent whole again, as an io.Seeker (an *os.File) or a reader not yet
// read from.
func (s *ComplaintsService) Import(ctx context.Context, domain string, csv io.Reader) error {
	return s.list().importCSV(ctx, domain, csv)
}

// Delete removes address from the complaint list, so Mailgun delivers to
// it again. It returns an error matching ErrNotFound when the address is
// not on the list.
func (s *ComplaintsService) Delete(ctx context.Context, domain, address string) error {
	return s.list().remove(ctx, domain, address)
}

// DeleteAll removes every address from the domain's complaint list. An
// empty list is not an error.
func (s *ComplaintsService) DeleteAll(ctx context.Context, domain string) error {
	return s.list().clear(ctx, domain)
}
