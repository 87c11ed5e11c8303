package mailgun

import (
	"context"
	"iter"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// DomainsService manages the account's sending domains and the DNS records they need (/v4/domains, /v3/domains/{name}).
type DomainsService service

// DomainState is the state of a domain. Other values may appear and are
// kept as they are.
type DomainState string

// The domain states.
const (
	DomainStateActive     DomainState = "active"     // verified; it sends
	DomainStateUnverified DomainState = "unverified" // DNS not verified yet
	DomainStateDisabled   DomainState = "disabled"   // disabled by Mailgun; see Domain.Disabled
)

// DomainType says whether a domain is a custom domain or the account's
// sandbox. Other values are kept as they are.
type DomainType string

// The domain types.
const (
	DomainTypeCustom  DomainType = "custom"
	DomainTypeSandbox DomainType = "sandbox"
)

// SpamAction is what Mailgun does with inbound spam for a domain. Other
// values are kept as they are.
type SpamAction string

// The spam actions.
const (
	SpamActionDisabled SpamAction = "disabled" // no spam filtering (the default)
	SpamActionTag      SpamAction = "tag"      // spam is delivered with spam headers added
	SpamActionBlock    SpamAction = "block"    // spam is dropped
)

// WebScheme is the scheme of a domain's open, click and unsubscribe links.
type WebScheme string

// The web schemes; https needs a tracking certificate (see TrackingService).
const (
	WebSchemeHTTP  WebScheme = "http"
	WebSchemeHTTPS WebScheme = "https"
)

// DNSValidity is what Mailgun found when it last checked a DNS record.
// Values are lower-cased; other values are kept.
type DNSValidity string

// The DNS record states.
const (
	DNSValid   DNSValidity = "valid"
	DNSInvalid DNSValidity = "invalid"
	DNSUnknown DNSValidity = "unknown" // not checked yet
)

// DomainSort orders DomainsService.List.
type DomainSort string

// The sort orders; the zero value lists the newest domains first.
const (
	DomainSortName     DomainSort = "name" // by name, ascending
	DomainSortNameAsc  DomainSort = "name:asc"
	DomainSortNameDesc DomainSort = "name:desc"
)

// Domain is a sending domain's settings and state. Fields the API did
// not send, or sent with an unexpected type, are zero.
type Domain struct {
	Name      string
	ID        string
	State     DomainState
	Type      DomainType
	CreatedAt time.Time
	// SMTPLogin is the default SMTP user, "postmaster@" + Name.
	SMTPLogin  string
	SpamAction SpamAction
	// Wildcard makes Mailgun accept mail for every subdomain of Name.
	Wildcard bool
	// RequireTLS refuses delivery when no TLS connection can be made;
	// SkipVerification accepts any certificate on such a connection.
	RequireTLS       bool
	SkipVerification bool
	// UseAutomaticSenderSecurity signs with DKIM keys Mailgun rotates,
	// published as CNAME records instead of a TXT record.
	UseAutomaticSenderSecurity bool
	// EncryptIncomingMessage is set at creation and cannot be changed.
	EncryptIncomingMessage bool
	// WebPrefix and WebScheme make the tracking host of open, click and
	// unsubscribe links: WebScheme://WebPrefix.Name.
	WebPrefix string
	WebScheme WebScheme
	// TrackingHost is the tracking host when the API reports it.
	TrackingHost string
	// ArchiveTo is the URL that receives a copy of each delivered message; "" when none.
	ArchiveTo string
	// MessageTTL is how long messages are kept for retrieval; 0 when the
	// API does not say (the plan's default applies).
	MessageTTL time.Duration
	// SubaccountID is set when the domain belongs to a subaccount.
	SubaccountID string
	IsDisabled   bool
	// Disabled says why the domain is disabled; nil when it is not.
	Disabled *DomainDisabled
}

// DomainDisabled says why and until when a domain is disabled.
type DomainDisabled struct {
	Code        string
	Note        string
	Reason      string
	Permanently bool
	// Until is when the domain is enabled again; zero when not given.
	Until time.Time
}

// DNSRecord is a DNS record a domain needs, with what Mailgun found when
// it last looked it up.
type DNSRecord struct {
	// RecordType is "TXT", "MX", "CNAME", ... as the API writes it.
	RecordType string
	// Name is the record's host name; "" means the domain itself (the
	// API leaves it out of MX records).
	Name string
	// Value is the record's expected value.
	Value string
	// Priority is the MX priority, such as "10"; "" for other types.
	Priority string
	// Valid says whether the published record matches Value.
	Valid DNSValidity
	// IsActive is false for a record Mailgun does not use yet (such as
	// a DKIM key that is not the active one).
	IsActive bool
	// Cached holds the values Mailgun found in DNS.
	Cached []string
}

// DomainDetails is a domain with the DNS records it needs to send and to
// receive mail.
type DomainDetails struct {
	Domain Domain
	// SendingRecords are the SPF, DKIM and tracking records.
	SendingRecords []DNSRecord
	// ReceivingRecords are the MX records (needed only to receive mail).
	ReceivingRecords []DNSRecord
}

// Verified reports whether Mailgun found every sending record valid; it
// is false when there are no sending records.
func (d *DomainDetails) Verified() bool {
	for _, r := range d.SendingRecords {
		if r.Valid != DNSValid {
			return false
		}
	}
	return len(d.SendingRecords) > 0
}

// domainFields is a domain as the API sends it.
type domainFields struct {
	ArchiveTo                  string                   `json:"archive_to"`
	CreatedAt                  rfc2822Time              `json:"created_at"`
	ID                         string                   `json:"id"`
	IsDisabled                 bool                     `json:"is_disabled"`
	Name                       string                   `json:"name"`
	RequireTLS                 bool                     `json:"require_tls"`
	SkipVerification           bool                     `json:"skip_verification"`
	SMTPLogin                  string                   `json:"smtp_login"`
	SpamAction                 SpamAction               `json:"spam_action"`
	SubaccountID               string                   `json:"subaccount_id"`
	State                      DomainState              `json:"state"`
	Type                       DomainType               `json:"type"`
	TrackingHost               string                   `json:"tracking_host"`
	UseAutomaticSenderSecurity bool                     `json:"use_automatic_sender_security"`
	WebPrefix                  string                   `json:"web_prefix"`
	WebScheme                  WebScheme                `json:"web_scheme"`
	Wildcard                   bool                     `json:"wildcard"`
	Disabled                   *lenient[disabledFields] `json:"disabled"`
	EncryptIncomingMessage     bool                     `json:"encrypt_incoming_message"`
	MessageTTL                 int64                    `json:"message_ttl"`
}

type disabledFields struct {
	Code        string      `json:"code"`
	Note        string      `json:"note"`
	Permanently bool        `json:"permanently"`
	Reason      string      `json:"reason"`
	Until       rfc2822Time `json:"until"`
}

func (w *domainFields) value() Domain {
	d := Domain{
		Name: w.Name, ID: w.ID, State: w.State, Type: w.Type, CreatedAt: time.Time(w.CreatedAt),
		SMTPLogin: w.SMTPLogin, SpamAction: w.SpamAction, Wildcard: w.Wildcard,
		RequireTLS: w.RequireTLS, SkipVerification: w.SkipVerification,
		UseAutomaticSenderSecurity: w.UseAutomaticSenderSecurity, EncryptIncomingMessage: w.EncryptIncomingMessage,
		WebPrefix: w.WebPrefix, WebScheme: w.WebScheme, TrackingHost: w.TrackingHost, ArchiveTo: w.ArchiveTo,
		SubaccountID: w.SubaccountID, IsDisabled: w.IsDisabled,
	}
	if w.MessageTTL > 0 && w.MessageTTL <= int64(maxMessageTTL/time.Second) {
		d.MessageTTL = time.Duration(w.MessageTTL) * time.Second
	}
	if w.Disabled != nil {
		x := w.Disabled.V
		d.Disabled = &DomainDisabled{Code: x.Code, Note: x.Note, Reason: x.Reason, Permanently: x.Permanently, Until: time.Time(x.Until)}
	}
	return d
}

// recordFields is a DNS record as the API sends it.
type recordFields struct {
	IsActive   bool        `json:"is_active"`
	Cached     []string    `json:"cached"`
	Name       string      `json:"name"`
	Priority   jsonText    `json:"priority"`
	RecordType string      `json:"record_type"`
	Valid      DNSValidity `json:"valid"`
	Value      string      `json:"value"`
}

func (w *recordFields) value() DNSRecord {
	return DNSRecord{
		RecordType: w.RecordType, Name: w.Name, Value: w.Value, Priority: string(w.Priority),
		Valid: DNSValidity(strings.ToLower(string(w.Valid))), IsActive: w.IsActive, Cached: w.Cached,
	}
}

// domainDetailsWire is the answer of get, create, update and verify.
type domainDetailsWire struct {
	Domain    lenient[domainFields]     `json:"domain"`
	Receiving lenientList[recordFields] `json:"receiving_dns_records"`
	Sending   lenientList[recordFields] `json:"sending_dns_records"`
}

func (w *domainDetailsWire) value(op string) (*DomainDetails, error) {
	if !w.Domain.ok {
		return nil, invalidResponse("%s: the response has no domain object", op)
	}
	return &DomainDetails{Domain: w.Domain.V.value(), SendingRecords: records(w.Sending), ReceivingRecords: records(w.Receiving)}, nil
}

func records(ws []recordFields) []DNSRecord {
	out := make([]DNSRecord, len(ws))
	for i := range ws {
		out[i] = ws[i].value()
	}
	return out
}

// domainListWire is a page of GET /v4/domains.
type domainListWire struct {
	TotalCount *int64 `json:"total_count"`
	// Items keeps one element per item sent, read or not, so that the
	// skip of the next page counts them all.
	Items []lenient[domainFields] `json:"items"`
}

// DomainListOptions selects and pages the domains of DomainsService.List.
// A nil *DomainListOptions means the defaults.
type DomainListOptions struct {
	// Limit is the page size, 1 to 1000; 0 means 100.
	Limit int
	// Cursor resumes from Page.Next of an earlier call; "" starts at the
	// top. The cursor carries the limit and filters of the walk that made
	// it, so they are not applied again when Cursor is set.
	Cursor string
	// State keeps only domains in this state; "" keeps all.
	State DomainState
	// Sort orders the list; "" lists the newest domains first.
	Sort DomainSort
	// Authority keeps only domains whose DKIM authority is this domain.
	// The API ignores it when State is set.
	Authority string
	// Search keeps domains whose name contains this text (no wildcards).
	Search string
	// IncludeSubaccounts lists the domains of every subaccount too.
	IncludeSubaccounts bool
}

// DefaultDomainListLimit is the page size of a domain walk when
// DomainListOptions.Limit is 0.
const DefaultDomainListLimit = 100

// maxDomainListLimit is the largest page GET /v4/domains serves.
const maxDomainListLimit = 1000

// domainsCursorPrefix starts every cursor of the domain list.
const domainsCursorPrefix = "/v4/domains"

// query checks opts and returns the cursor to start from, or the query of
// the first page.
func (o *DomainListOptions) query() (string, url.Values, error) {
	var opts DomainListOptions
	if o != nil {
		opts = *o
	}
	if opts.Limit < 0 || opts.Limit > maxDomainListLimit {
		return "", nil, invalidArg("limit %d is out of range 1..%d (0 means %d)", opts.Limit, maxDomainListLimit, DefaultDomainListLimit)
	}
	if opts.Cursor != "" {
		if err := checkDomainsCursor(opts.Cursor); err != nil {
			return "", nil, err
		}
		return opts.Cursor, nil, nil
	}
	if opts.Limit == 0 {
		opts.Limit = DefaultDomainListLimit
	}
	q := url.Values{"limit": {strconv.Itoa(opts.Limit)}}
	if opts.State != "" {
		if err := checkWord("state", string(opts.State)); err != nil {
			return "", nil, err
		}
		q.Set("state", string(opts.State))
	}
	switch opts.Sort {
	case "":
	case DomainSortName, DomainSortNameAsc, DomainSortNameDesc:
		q.Set("sort", string(opts.Sort))
	default:
		return "", nil, invalidArg("sort %q is not one of name, name:asc, name:desc", string(opts.Sort))
	}
	if opts.Authority != "" {
		q.Set("authority", opts.Authority)
	}
	if opts.Search != "" {
		q.Set("search", opts.Search)
	}
	if opts.IncludeSubaccounts {
		q.Set("include_subaccounts", "true")
	}
	return "", q, nil
}

// checkDomainsCursor accepts only cursors of the domain list, with a
// well-formed skip.
func checkDomainsCursor(c string) error {
	if err := doer.CheckCursor(c); err != nil {
		return invalidArg("cursor: %s", err)
	}
	p, raw, _ := strings.Cut(c, "?")
	if p != domainsCursorPrefix {
		return invalidArg("cursor belongs to another list")
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return invalidArg("cursor query does not parse")
	}
	if v := q.Get("skip"); v != "" {
		if n, err := strconv.Atoi(v); err != nil || n < 0 {
			return invalidArg("cursor skip %q is not a count", v)
		}
	}
	return nil
}

// List walks the account's domains, newest first unless opts.Sort says
// otherwise, fetching one page at a time as the loop advances; stop early
// by breaking out of the loop. The walk ends after the last page (by the
// API's total_count) or an empty page. A page that repeats the previous
// one (the same domains in the same order: a server that ignores skip) is
// not yielded: it ends the walk with an error wrapping
// ErrInvalidResponse. A failed request is yielded once and ends it;
// invalid opts are yielded as the only error, before anything is sent.
// Items hold the domain only: Get returns its DNS records.
func (s *DomainsService) List(ctx context.Context, opts *DomainListOptions) iter.Seq2[Domain, error] {
	start, query, err := opts.query()
	if err != nil {
		return failedWalk[Domain](err)
	}
	return func(yield func(Domain, error) bool) {
		var prev []string // the names on the previous page
		iterate(ctx, start, func(ctx context.Context, cursor string) (*Page[Domain], error) {
			page, err := s.page(ctx, cursor, query)
			if err != nil {
				return nil, err
			}
			names := make([]string, len(page.Items))
			for i, d := range page.Items {
				names[i] = d.Name
			}
			if len(names) > 0 && slices.Equal(names, prev) {
				return nil, invalidResponse("GET /v4/domains: the page at %s repeats the previous page: paging does not advance", cursor)
			}
			prev = names
			return page, nil
		})(yield)
	}
}

// ListPage fetches one page of the account's domains: the first, or the
// page at opts.Cursor. Page.Next resumes after it and is "" after the last
// page.
func (s *DomainsService) ListPage(ctx context.Context, opts *DomainListOptions) (*Page[Domain], error) {
	start, query, err := opts.query()
	if err != nil {
		return nil, err
	}
	return s.page(ctx, start, query)
}

func (s *DomainsService) page(ctx context.Context, cursor string, first url.Values) (*Page[Domain], error) {
	r := &doer.Request{Method: http.MethodGet, Cursor: cursor}
	q := first
	if cursor == "" {
		r.Path, r.Query = []string{"v4", "domains"}, first
	} else {
		_, raw, _ := strings.Cut(cursor, "?")
		q, _ = url.ParseQuery(raw) // checked by checkDomainsCursor or built by page
	}
	var w domainListWire
	if err := s.client.do(ctx, r, &w); err != nil {
		return nil, err
	}
	if w.TotalCount == nil {
		return nil, invalidResponse("GET /v4/domains: the response has no total_count")
	}
	page := &Page[Domain]{Items: make([]Domain, 0, len(w.Items))}
	for _, it := range w.Items {
		if it.ok {
			page.Items = append(page.Items, it.V.value())
		}
	}
	skip, _ := strconv.Atoi(q.Get("skip"))
	if n := len(w.Items); n > 0 && int64(skip)+int64(n) < *w.TotalCount {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("skip", strconv.Itoa(skip+n))
		page.Next = domainsCursorPrefix + "?" + next.Encode()
	}
	return page, nil
}

// Get returns the domain called name with its DNS records. An unknown
// domain (or one of the other region) is ErrNotFound.
func (s *DomainsService) Get(ctx context.Context, name string) (*DomainDetails, error) {
	if err := required("domain name", name); err != nil {
		return nil, err
	}
	return s.details(ctx, "GET /v4/domains/{name}", &doer.Request{Method: http.MethodGet, Path: []string{"v4", "domains", name}})
}

// Verify asks Mailgun to look up the domain's DNS records now and returns
// what it found: records are DNSValid once published, and the domain turns
// DomainStateActive when its sending records are. An unknown domain is
// ErrNotFound; Mailgun limits how often a domain may be verified (429,
// retried by the client's RetryPolicy).
func (s *DomainsService) Verify(ctx context.Context, name string) (*DomainDetails, error) {
	if err := required("domain name", name); err != nil {
		return nil, err
	}
	return s.details(ctx, "PUT /v4/domains/{name}/verify", &doer.Request{Method: http.MethodPut, Path: []string{"v4", "domains", name, "verify"}})
}

// Delete removes the domain called name; Mailgun deletes it in the
// background. An unknown domain is ErrNotFound. The sandbox domain, a
// disabled domain and a domain that is the DKIM authority of another
// cannot be deleted (the API refuses).
func (s *DomainsService) Delete(ctx context.Context, name string) error {
	if err := required("domain name", name); err != nil {
		return err
	}
	var out struct {
		Message string `json:"message"`
	}
	return s.client.do(ctx, &doer.Request{Method: http.MethodDelete, Path: []string{"v3", "domains", name}}, &out)
}

func (s *DomainsService) details(ctx context.Context, op string, r *doer.Request) (*DomainDetails, error) {
	var w domainDetailsWire
	if err := s.client.do(ctx, r, &w); err != nil {
		return nil, err
	}
	return w.value(op)
}

// DomainInput is a domain to create. Only Name is required; zero values
// are not sent, so the API's defaults apply (spam action disabled, web
// prefix "email", scheme http, booleans false).
type DomainInput struct {
	// Name is the domain, such as "mg.example.com".
	Name string
	// SMTPPassword sets the password of the default SMTP user; "" lets
	// Mailgun generate one. It must be 5 to 32 characters. As a Secret it
	// prints as "[redacted]" in fmt, slog and JSON; the request sends it.
	SMTPPassword Secret
	SpamAction   SpamAction
	Wildcard     bool
	// DKIMKeySize is 1024 or 2048; 0 lets the API choose.
	DKIMKeySize int
	// DKIMSelector names the DKIM key (the host of its record is
	// DKIMSelector._domainkey...); it must be an RFC 2822 atom.
	DKIMSelector string
	// DKIMHostName puts the DKIM record under this host: the domain, one
	// of its subdomains or its root domain. It cannot be combined with
	// ForceDKIMAuthority or ForceRootDKIMHost.
	DKIMHostName string
	// ForceDKIMAuthority makes the domain its own DKIM authority even when
	// its root domain is on the account.
	ForceDKIMAuthority bool
	// ForceRootDKIMHost puts the DKIM record under the root domain.
	ForceRootDKIMHost bool
	// IPs are dedicated IP addresses to send from; PoolID names an IP pool.
	IPs    []string
	PoolID string
	// WebScheme and WebPrefix make the tracking host (see Domain).
	WebScheme                  WebScheme
	WebPrefix                  string
	RequireTLS                 bool
	SkipVerification           bool
	UseAutomaticSenderSecurity bool
	// EncryptIncomingMessage cannot be turned off later through the API.
	EncryptIncomingMessage bool
	// ArchiveTo is an http or https URL that receives a copy of each delivered message.
	ArchiveTo string
	// MessageTTL is how long messages are kept, in whole seconds; the
	// plan sets the maximum.
	MessageTTL time.Duration
}

func (in *DomainInput) form() (url.Values, error) {
	if err := checkHostName("name", in.Name, false); err != nil {
		return nil, err
	}
	f := url.Values{"name": {in.Name}}
	if in.SMTPPassword != "" {
		if err := checkSMTPPassword(in.SMTPPassword); err != nil {
			return nil, err
		}
		f.Set("smtp_password", string(in.SMTPPassword))
	}
	if err := setWord(f, "spam_action", string(in.SpamAction)); err != nil {
		return nil, err
	}
	if err := setWord(f, "web_scheme", string(in.WebScheme)); err != nil {
		return nil, err
	}
	switch in.DKIMKeySize {
	case 0:
	case 1024, 2048:
		f.Set("dkim_key_size", strconv.Itoa(in.DKIMKeySize))
	default:
		return nil, invalidArg("DKIM key size %d is not 1024 or 2048", in.DKIMKeySize)
	}
	if in.DKIMSelector != "" {
		if err := checkAtom("DKIM selector", in.DKIMSelector); err != nil {
			return nil, err
		}
		f.Set("dkim_selector", in.DKIMSelector)
	}
	if in.DKIMHostName != "" {
		if in.ForceDKIMAuthority || in.ForceRootDKIMHost {
			return nil, invalidArg("DKIM host name cannot be combined with ForceDKIMAuthority or ForceRootDKIMHost")
		}
		if err := checkHostName("DKIM host name", in.DKIMHostName, false); err != nil {
			return nil, err
		}
		f.Set("dkim_host_name", in.DKIMHostName)
	}
	if len(in.IPs) > 0 {
		for i, ip := range in.IPs {
			if _, err := netip.ParseAddr(ip); err != nil {
				return nil, invalidArg("IPs[%d] %q is not an IP address", i, ip)
			}
		}
		f.Set("ips", strings.Join(in.IPs, ","))
	}
	if in.PoolID != "" {
		f.Set("pool_id", in.PoolID)
	}
	if in.WebPrefix != "" {
		if err := checkAtom("web prefix", in.WebPrefix); err != nil {
			return nil, err
		}
		f.Set("web_prefix", in.WebPrefix)
	}
	for key, on := range map[string]bool{
		"wildcard": in.Wildcard, "force_dkim_authority": in.ForceDKIMAuthority, "force_root_dkim_host": in.ForceRootDKIMHost,
		"require_tls": in.RequireTLS, "skip_verification": in.SkipVerification,
		"use_automatic_sender_security": in.UseAutomaticSenderSecurity, "encrypt_incoming_message": in.EncryptIncomingMessage,
	} {
		if on {
			f.Set(key, "true")
		}
	}
	if in.ArchiveTo != "" {
		if err := checkArchiveURL(in.ArchiveTo); err != nil {
			return nil, err
		}
		f.Set("archive_to", in.ArchiveTo)
	}
	if in.MessageTTL != 0 {
		if err := setMessageTTL(f, in.MessageTTL); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// Create adds a domain to the account and returns it with the DNS records
// to publish; then call Verify. Bad input (no name, a password outside 5
// to 32 characters, a DKIM key size other than 1024 or 2048, conflicting
// DKIM options) is an error wrapping ErrInvalidArgument and nothing is
// sent. A name already on the account is refused by the API (400). As a
// POST it is retried only on 420 and 429 or a failed dial. A 2xx answer
// without the domain is ErrInvalidResponse, though the domain may exist:
// Get it before creating it again.
func (s *DomainsService) Create(ctx context.Context, in DomainInput) (*DomainDetails, error) {
	f, err := in.form()
	if err != nil {
		return nil, err
	}
	return s.details(ctx, "POST /v4/domains", &doer.Request{Method: http.MethodPost, Path: []string{"v4", "domains"}, Body: doer.Form(f)})
}

// DomainUpdate changes a domain's settings. Nil fields are not sent and
// keep their value; at least one must be set. Every value Get returns is
// accepted back.
type DomainUpdate struct {
	// SMTPPassword is the new password of the default SMTP user.
	SMTPPassword *Secret
	SpamAction   *SpamAction
	Wildcard     *bool
	// WebScheme https needs the tracking host's certificate.
	WebScheme *WebScheme
	// WebPrefix changes the tracking host, whose CNAME record must then
	// be published.
	WebPrefix        *string
	RequireTLS       *bool
	SkipVerification *bool
	// UseAutomaticSenderSecurity changes how DKIM keys are published; the
	// domain must be verified again.
	UseAutomaticSenderSecurity *bool
	// ArchiveTo is an http or https URL; "" is sent as it is (how the API
	// treats an empty value is not documented).
	ArchiveTo *string
	// MessageTTL is how long messages are kept, in whole seconds.
	MessageTTL *time.Duration
	// MailFromHost is the host of the envelope sender (MAIL FROM), in
	// lower case.
	MailFromHost *string
}

func (u *DomainUpdate) form() (url.Values, error) {
	f := url.Values{}
	if u.SMTPPassword != nil {
		if err := checkSMTPPassword(*u.SMTPPassword); err != nil {
			return nil, err
		}
		f.Set("smtp_password", string(*u.SMTPPassword))
	}
	if u.SpamAction != nil {
		if err := checkWord("spam action", string(*u.SpamAction)); err != nil {
			return nil, err
		}
		f.Set("spam_action", string(*u.SpamAction))
	}
	if u.WebScheme != nil {
		if err := checkWord("web scheme", string(*u.WebScheme)); err != nil {
			return nil, err
		}
		f.Set("web_scheme", string(*u.WebScheme))
	}
	if u.WebPrefix != nil {
		if err := checkAtom("web prefix", *u.WebPrefix); err != nil {
			return nil, err
		}
		f.Set("web_prefix", *u.WebPrefix)
	}
	if u.ArchiveTo != nil {
		if *u.ArchiveTo != "" {
			if err := checkArchiveURL(*u.ArchiveTo); err != nil {
				return nil, err
			}
		}
		f.Set("archive_to", *u.ArchiveTo)
	}
	if u.MessageTTL != nil {
		if err := setMessageTTL(f, *u.MessageTTL); err != nil {
			return nil, err
		}
	}
	if u.MailFromHost != nil {
		if err := checkHostName("mail-from host", *u.MailFromHost, true); err != nil {
			return nil, err
		}
		f.Set("mailfrom_host", *u.MailFromHost)
	}
	setBool(f, "wildcard", u.Wildcard)
	setBool(f, "require_tls", u.RequireTLS)
	setBool(f, "skip_verification", u.SkipVerification)
	setBool(f, "use_automatic_sender_security", u.UseAutomaticSenderSecurity)
	if len(f) == 0 {
		return nil, invalidArg("domain update sets no field")
	}
	return f, nil
}

// Update changes the settings of the domain called name, sending only the
// fields set in u as a form to PUT /v4/domains/{name}, and returns the
// domain as it is now. An unknown domain is ErrNotFound; a 2xx answer
// without the domain is ErrInvalidResponse (the change may have been
// made; PUT is safe to repeat). This endpoint is
// documented by Mailgun but is not part of the SDK's contract file, so its
// request is not contract-checked.
func (s *DomainsService) Update(ctx context.Context, name string, u DomainUpdate) (*DomainDetails, error) {
	if err := required("domain name", name); err != nil {
		return nil, err
	}
	f, err := u.form()
	if err != nil {
		return nil, err
	}
	return s.details(ctx, "PUT /v4/domains/{name}", &doer.Request{Method: http.MethodPut, Path: []string{"v4", "domains", name}, Body: doer.Form(f)})
}

// maxMessageTTL bounds MessageTTL well above any plan's maximum, so the
// seconds always fit the API's integer.
const maxMessageTTL = 1 << 31 * time.Second

func setMessageTTL(f url.Values, ttl time.Duration) error {
	if ttl <= 0 || ttl%time.Second != 0 || ttl > maxMessageTTL {
		return invalidArg("message TTL %s is not a positive number of whole seconds", ttl)
	}
	f.Set("message_ttl", strconv.FormatInt(int64(ttl/time.Second), 10))
	return nil
}

func checkSMTPPassword(p Secret) error {
	if n := len([]rune(string(p))); n < 5 || n > 32 {
		return invalidArg("SMTP password must be 5 to 32 characters, got %d", n)
	}
	if !headerSafe(string(p)) {
		return invalidArg("SMTP password contains control characters")
	}
	return nil
}

func checkArchiveURL(raw string) error {
	return checkHTTPURL("archive URL", raw)
}

// setWord sets key to value when value is not empty and is a word (see checkWord).
func setWord(f url.Values, key, value string) error {
	if value == "" {
		return nil
	}
	if err := checkWord(strings.ReplaceAll(key, "_", " "), value); err != nil {
		return err
	}
	f.Set(key, value)
	return nil
}

// checkWord accepts the shape of the API's enumerated values: lower-case
// letters, digits, "-" and "_". Known values pass, and so do values Mailgun
// may add later (which Get returns and an update must accept back), while
// typos of case or spacing ("Block", "https://") are caught before sending.
func checkWord(name, value string) error {
	if value == "" {
		return invalidArg("%s is empty", name)
	}
	for _, c := range value {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return invalidArg("%s %q is not a lower-case word", name, value)
		}
	}
	return nil
}

// checkAtom accepts an RFC 2822 atom: letters, digits and !#$%&'*+-/=?^_`{|}~.
func checkAtom(name, value string) error {
	if value == "" {
		return invalidArg("%s is empty", name)
	}
	for i := 0; i < len(value); i++ {
		c := value[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0) {
			return invalidArg("%s %q is not an RFC 2822 atom", name, value)
		}
	}
	return nil
}

// checkHostName accepts a dotted host name of letters, digits, "-" and
// "_", in lower case when lower is set.
func checkHostName(name, value string, lower bool) error {
	if err := required(name, value); err != nil {
		return err
	}
	labels := strings.Split(value, ".")
	if len(labels) < 2 || len(value) > 253 {
		return invalidArg("%s %q is not a domain name", name, value)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return invalidArg("%s %q is not a domain name", name, value)
		}
		for _, c := range l {
			upper := c >= 'A' && c <= 'Z'
			if upper && lower {
				return invalidArg("%s %q is not in lower case", name, value)
			}
			if !(upper || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return invalidArg("%s %q is not a domain name", name, value)
			}
		}
	}
	return nil
}
