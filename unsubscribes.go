package mailgun

import (
	"context"
	"fmt"
	"io"
	"iter"
	"slices"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// UnsubscribesService manages a domain's unsubscribe list: recipients who asked to stop receiving all of the domain's mail, or the mail of some tags (/v3/{domain}/unsubscribes).
type UnsubscribesService service

// UnsubscribeBatchSize is the most records AddMany puts in one request.
// The reference allows "up to 1000" while the API's own error says "less
// than 1000", so batches stay at 999.
const UnsubscribeBatchSize = 999

// AllTags is the tag of an unsubscribe from all of a domain's mail.
const AllTags = "*"

// Unsubscribe is one address on a domain's unsubscribe list.
type Unsubscribe struct {
	// Address is the recipient, as stored (not escaped).
	Address string `json:"address"`
	// Tags are the tags the recipient unsubscribed from; AllTags ("*")
	// means all of the domain's mail.
	Tags []string `json:"tags"`
	// CreatedAt is when the unsubscribe was recorded.
	CreatedAt time.Time `json:"created_at"`
}

// UnmarshalJSON decodes an unsubscribe as the API sends it, with
// created_at as an RFC 2822 date (RFC 3339 is accepted too). A missing,
// null or mistyped field stays zero; a tag that is not a string is
// dropped, and a lone string is one tag. Only data that is not a JSON
// object is an error.
func (u *Unsubscribe) UnmarshalJSON(data []byte) error { return decodeRecord[unsubscribeWire](data, u) }

// Blocks reports whether u stops a message carrying tags: u covers all
// mail (AllTags), or one of tags is among u.Tags. A message without tags
// is stopped only by AllTags.
func (u *Unsubscribe) Blocks(tags ...string) bool {
	return slices.Contains(u.Tags, AllTags) || slices.ContainsFunc(tags, func(t string) bool { return slices.Contains(u.Tags, t) })
}

type unsubscribeWire struct {
	Address   fastString      `json:"address"`
	Tags      unsubscribeTags `json:"tags"`
	CreatedAt rfc2822Time     `json:"created_at"`
}

func (w unsubscribeWire) value() Unsubscribe {
	return Unsubscribe{Address: string(w.Address), Tags: []string(w.Tags), CreatedAt: time.Time(w.CreatedAt)}
}

// UnsubscribeInput is an unsubscribe to add. Only Address is required.
type UnsubscribeInput struct {
	// Address is the recipient; it must contain "@".
	Address string
	// Tags are the tags to unsubscribe from; empty means AllTags, all of
	// the domain's mail. A tag must not be blank.
	Tags []string
	// CreatedAt is when the recipient unsubscribed; the zero time lets the
	// API use the time it receives the request. It is sent with a numeric
	// offset ("Thu, 13 Oct 2011 18:02:00 +0000").
	CreatedAt time.Time
}

// unsubscribeRecord is UnsubscribeInput as the JSON batch body carries it.
type unsubscribeRecord struct {
	Address   string   `json:"address"`
	Tags      []string `json:"tags"`
	CreatedAt string   `json:"created_at,omitempty"`
}

func (in UnsubscribeInput) record() unsubscribeRecord {
	tags := in.Tags
	if len(tags) == 0 {
		tags = []string{AllTags}
	}
	return unsubscribeRecord{Address: in.Address, Tags: tags, CreatedAt: rfc2822(in.CreatedAt)}
}

func (in UnsubscribeInput) address() string { return in.Address }

// checkTags rejects a blank tag, naming the record.
func (in UnsubscribeInput) checkTags(name string) error {
	for i, t := range in.Tags {
		if err := required(fmt.Sprintf("%s.Tags[%d]", name, i), t); err != nil {
			return err
		}
	}
	return nil
}

func (s *UnsubscribesService) list() suppressionList[unsubscribeWire, Unsubscribe] {
	return addressList(s.client, "unsubscribes", unsubscribeWire.value)
}

// List walks the domain's unsubscribe list in address order, fetching one
// page at a time as the loop advances; stop early by breaking out of the
// loop. The walk ends after an empty page. A failed request is yielded
// once and ends it (GETs are retried first, as the client's RetryPolicy
// says). Invalid opts are yielded as the only error, before anything is
// sent.
func (s *UnsubscribesService) List(ctx context.Context, domain string, opts *ListOptions) iter.Seq2[Unsubscribe, error] {
	return s.list().walk(ctx, domain, opts)
}

// ListPage fetches one page of the domain's unsubscribe list: the top, or
// the page at opts.Cursor. Page.Next resumes after it and is "" after the
// last page (an empty page; a short page may still have a Next).
func (s *UnsubscribesService) ListPage(ctx context.Context, domain string, opts *ListOptions) (*Page[Unsubscribe], error) {
	return s.list().page(ctx, domain, opts)
}

// Get returns the unsubscribe record of address, with every tag it is
// unsubscribed from. It returns an error matching ErrNotFound when the
// address is not on the list. The address is sent as one escaped path
// segment, so "+", "/", "%" and spaces are safe.
func (s *UnsubscribesService) Get(ctx context.Context, domain, address string) (*Unsubscribe, error) {
	return s.list().get(ctx, domain, address)
}

// Add unsubscribes one address. With no tag or one tag it sends a form
// with the field "tag" (the name every Mailgun SDK and sample has used;
// the OpenAPI reference calls the form field "tags" and leaves open which
// the API reads), AllTags when in.Tags is empty. The form carries a single
// tag, so with several tags Add sends a one-record JSON batch instead,
// whose "tags" array is documented. Like every POST it is retried only on
// 420/429 or when the connection failed before sending.
func (s *UnsubscribesService) Add(ctx context.Context, domain string, in UnsubscribeInput) error {
	if err := in.checkTags("in"); err != nil {
		return err
	}
	rec := in.record()
	if len(rec.Tags) > 1 {
		body, err := doer.JSON([]unsubscribeRecord{rec})
		if err != nil {
			return invalidArg("%s", err)
		}
		return s.list().add(ctx, domain, in.Address, body)
	}
	form := suppressionForm("address", rec.Address, "tag", rec.Tags[0], "created_at", rec.CreatedAt)
	return s.list().add(ctx, domain, in.Address, doer.Form(form))
}

// AddMany unsubscribes records as JSON batches of at most
// UnsubscribeBatchSize records (each with its "tags" array; AllTags when
// empty), sent one after the other in order. Every record is checked
// before the first request. When a request fails, AddMany stops and
// returns a *BatchError saying which records are stored, which may be, and
// which were not sent. An empty slice is an invalid argument.
func (s *UnsubscribesService) AddMany(ctx context.Context, domain string, records []UnsubscribeInput) error {
	for i, in := range records {
		if err := in.checkTags(fmt.Sprintf("records[%d]", i)); err != nil {
			return err
		}
	}
	return addSuppressions(ctx, s.list(), domain, records, UnsubscribeInput.address, UnsubscribeInput.record, UnsubscribeBatchSize)
}

// Import uploads a CSV file of unsubscribes, streaming csv as the
// multipart "file" part without reading it into memory. The file must
// start with a header row naming its columns, of "address" (required),
// "tags" (one tag; empty means AllTags) and "created_at" (RFC 2822), and be
// at most 25 MB; the API processes it after answering, so rows appear later
// and bad rows are not reported. A nil reader is an invalid argument.
//
// Retries follow BouncesService.Import: the upload is repeated (after
// 420/429, or a connection that failed before sending) only when csv can
// be sent whole again, as an io.Seeker (an *os.File) or a reader not yet
// read from.
func (s *UnsubscribesService) Import(ctx context.Context, domain string, csv io.Reader) error {
	return s.list().importCSV(ctx, domain, csv)
}

// Delete removes address from the unsubscribe list, with all its tags, so
// Mailgun delivers to it again. It returns an error matching ErrNotFound
// when the address is not on the list.
func (s *UnsubscribesService) Delete(ctx context.Context, domain, address string) error {
	return s.list().remove(ctx, domain, address)
}

// DeleteAll removes every address from the domain's unsubscribe list. An
// empty list is not an error.
func (s *UnsubscribesService) DeleteAll(ctx context.Context, domain string) error {
	return s.list().clear(ctx, domain)
}
