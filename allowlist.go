package mailgun

import (
	"context"
	"fmt"
	"io"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// AllowlistService manages a domain's allowlist: addresses and domains that are never added to the bounce list (/v3/{domain}/whitelists).
type AllowlistService service

// AllowlistType says whether an allowlist entry is one address or a whole domain.
type AllowlistType string

// The kinds of allowlist entries.
const (
	AllowlistAddress AllowlistType = "address" // one email address
	AllowlistDomain  AllowlistType = "domain"  // every address at a domain
)

// AllowlistEntry is one address or domain on a domain's allowlist.
type AllowlistEntry struct {
	// Value is the email address or domain name.
	Value string `json:"value"`
	// Reason is the text given when the entry was added; it may be "".
	Reason string `json:"reason"`
	// Type is AllowlistAddress or AllowlistDomain.
	Type AllowlistType `json:"type"`
	// CreatedAt is when the entry was added.
	CreatedAt time.Time `json:"createdAt"`
}

// UnmarshalJSON decodes an entry as the API sends it, with createdAt as an
// RFC 2822 date with a zone name or a numeric offset (RFC 3339 is accepted
// too). A missing or null field stays zero, and so does a field of an
// unexpected type; only data that is not a JSON object is an error.
func (e *AllowlistEntry) UnmarshalJSON(data []byte) error {
	if err := decodeRecord[allowlistWire](data, e); err != nil {
		return fmt.Errorf("allowlist entry: %w", err)
	}
	return nil
}

// allowlistWire is an entry as the API sends it (createdAt in camel case).
type allowlistWire struct {
	Value     fastString    `json:"value"`
	Reason    fastString    `json:"reason"`
	Type      AllowlistType `json:"type"`
	CreatedAt rfc2822Time   `json:"createdAt"`
}

func (w allowlistWire) value() AllowlistEntry {
	return AllowlistEntry{Value: string(w.Value), Reason: string(w.Reason), Type: w.Type, CreatedAt: time.Time(w.CreatedAt)}
}

// list is the allowlist as a suppression list keyed by value: an address
// or a domain name, so only emptiness is checked.
func (s *AllowlistService) list() suppressionList[allowlistWire, AllowlistEntry] {
	return suppressionList[allowlistWire, AllowlistEntry]{
		c:        s.client,
		name:     "whitelists",
		checkKey: func(value string) error { return required("value", value) },
		conv:     allowlistWire.value,
	}
}

// List walks the domain's allowlist in value order, fetching one page at a
// time as the loop advances; stop early by breaking out of the loop. The
// walk ends after an empty page. A failed request is yielded once and ends
// it. Invalid opts are yielded as the only error, before anything is sent.
func (s *AllowlistService) List(ctx context.Context, domain string, opts *ListOptions) iter.Seq2[AllowlistEntry, error] {
	return s.list().walk(ctx, domain, opts)
}

// ListPage fetches one page of the domain's allowlist: the top, or the
// page at opts.Cursor. Page.Next resumes after it and is "" after the last
// page (an empty page; a short page may still have a Next).
func (s *AllowlistService) ListPage(ctx context.Context, domain string, opts *ListOptions) (*Page[AllowlistEntry], error) {
	return s.list().page(ctx, domain, opts)
}

// Get returns the entry for value, an email address or a domain name. It
// returns an error matching ErrNotFound when value is not on the list (an
// address is not found through its domain's entry).
func (s *AllowlistService) Get(ctx context.Context, domain, value string) (*AllowlistEntry, error) {
	return s.list().get(ctx, domain, value)
}

// AddAddress puts one email address on the allowlist, with an optional
// reason ("" sends none). Adding it again replaces the entry. Like every
// POST it is retried only on 420/429 or when the connection failed before
// sending.
func (s *AllowlistService) AddAddress(ctx context.Context, domain, address, reason string) error {
	if err := checkListAddress("address", address); err != nil {
		return err
	}
	return s.add(ctx, domain, "address", address, reason)
}

// AddDomain puts a whole domain (every address "@name") on the allowlist,
// with an optional reason ("" sends none). name must not contain "@".
func (s *AllowlistService) AddDomain(ctx context.Context, domain, name, reason string) error {
	if err := required("domain", domain); err != nil {
		return err
	}
	if err := required("name", name); err != nil {
		return err
	}
	if strings.Contains(name, "@") {
		return invalidArg("name %q is an email address, not a domain: use AddAddress", name)
	}
	return s.add(ctx, domain, "domain", name, reason)
}

// add posts exactly one of the address and domain fields.
func (s *AllowlistService) add(ctx context.Context, domain, field, value, reason string) error {
	form := url.Values{field: {value}}
	if reason != "" {
		form.Set("reason", reason)
	}
	return s.list().add(ctx, domain, value, doer.Form(form))
}

// Import uploads a CSV file of allowlist entries, streaming csv as the
// multipart "file" part without reading it into memory. The file must
// start with the header row "address,domain", and each row fills exactly
// one of the two columns; it must be at most 25 MB. The API processes it
// after answering, so rows appear later and bad rows are not reported. A
// nil reader is an invalid argument.
//
// Import is retried (on 420/429, or when the connection failed before
// sending) only if the body can be sent again: csv is an io.Seeker, such
// as an *os.File, which is rewound once the failed attempt has stopped
// reading it (a read of it still blocked after RetryPolicy.IdleTimeout
// ends the retries); or no byte of it had been read and no read was
// pending when the server answered. Otherwise the first error is returned, never a
// retry that could send a truncated file.
func (s *AllowlistService) Import(ctx context.Context, domain string, csv io.Reader) error {
	return s.list().importCSV(ctx, domain, csv)
}

// Delete removes value (an address or a domain) from the allowlist. It
// returns an error matching ErrNotFound when value is not on the list.
// A retry answered 404 after an attempt that may have deleted it returns nil.
func (s *AllowlistService) Delete(ctx context.Context, domain, value string) error {
	return s.list().remove(ctx, domain, value)
}

// DeleteAll removes every entry from the domain's allowlist. An empty list
// is not an error.
func (s *AllowlistService) DeleteAll(ctx context.Context, domain string) error {
	return s.list().clear(ctx, domain)
}
