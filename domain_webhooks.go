package mailgun

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mgkit/mailgun/internal/doer"
)

// DomainWebhooksService manages the webhooks of one sending domain: the URLs
// that receive each Send event of that domain (/v3/domains/{domain}/webhooks
// and /v4/domains/{domain}/webhooks).
//
// The two API versions are two views of the same table, in which every event
// type of the domain has up to MaxDomainWebhookURLs URLs. The v3 methods
// (List, Get, Create, Update, Delete) address one event type and its URLs;
// the v4 methods (CreateURL, UpdateURL, DeleteURLs) address one URL and the
// event types it receives. A change made through either is seen by both, and
// List is the read of both (the API has no v4 read).
//
// A URL registered for an event type both here and as an account webhook
// (AccountWebhooksService) receives each event once. Changes can take a few
// minutes to reach Mailgun's senders. Every call on an unknown domain is
// ErrNotFound.
type DomainWebhooksService service

// MaxDomainWebhookURLs is the most URLs one event type of a domain can have.
const MaxDomainWebhookURLs = 3

// DomainWebhooks maps the event types of a domain to the URLs that receive
// them. An event type without URLs is absent.
type DomainWebhooks map[WebhookEventType][]string

// EventTypes returns the event types that rawURL receives (the v4 view of
// the table), in the order of WebhookEventTypes, then any other type by
// name; it is empty when the URL receives none.
func (w DomainWebhooks) EventTypes(rawURL string) []WebhookEventType {
	var out []WebhookEventType
	for et, urls := range w {
		if slices.Contains(urls, rawURL) {
			out = append(out, et)
		}
	}
	known := WebhookEventTypes()
	slices.SortFunc(out, func(a, b WebhookEventType) int {
		ia, ib := slices.Index(known, a), slices.Index(known, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(string(a), string(b))
	})
	return out
}

// UnmarshalJSON decodes the API's {"<event>": {"urls": [...]}, ...} object
// by the list rule (lenient.go): an event whose value is not an object,
// and URLs that are not strings, are dropped, and so is an event left
// without URLs; the legacy {"url": "..."} shape gives one URL. Anything
// but an object (or null) is an error.
func (w *DomainWebhooks) UnmarshalJSON(raw []byte) error {
	m, ok := decodeObject[map[WebhookEventType]webhookURLs](raw)
	if !ok {
		return errors.New("webhooks: not a JSON object")
	}
	out := DomainWebhooks{}
	if m != nil {
		for et, urls := range *m {
			if len(urls) > 0 {
				out[et] = urls
			}
		}
	}
	*w = out
	return nil
}

// webhookURLs is the {"urls": [...]} value of one event type: its strings
// (others are dropped), or the one URL of the legacy {"url": "..."}; null
// gives none. Anything but an object is an error.
type webhookURLs []string

func (u *webhookURLs) UnmarshalJSON(raw []byte) error {
	w, ok := decodeObject[struct {
		URLs lenientList[string] `json:"urls"`
		URL  string              `json:"url"`
	}](raw)
	if !ok {
		return errors.New("webhook: not a JSON object")
	}
	urls := []string{}
	switch {
	case w == nil:
	case len(w.URLs) > 0:
		urls = w.URLs
	case w.URL != "":
		urls = []string{w.URL}
	}
	*u = urls
	return nil
}

// webhookReply is the answer of the v3 writes and of Get: {message, webhook: {urls}}.
type webhookReply struct {
	Webhook *webhookURLs `json:"webhook"`
}

func (r *webhookReply) urls(req *doer.Request) ([]string, error) {
	if r.Webhook == nil {
		return nil, replyError(req, "response has no webhook")
	}
	return *r.Webhook, nil
}

// webhooksReply is the answer of List and of the v4 writes: {webhooks: {...}}.
type webhooksReply struct {
	Webhooks *DomainWebhooks `json:"webhooks"`
}

func (r *webhooksReply) table(req *doer.Request) (DomainWebhooks, error) {
	if r.Webhooks == nil {
		return nil, replyError(req, "response has no webhooks")
	}
	return *r.Webhooks, nil
}

// checkDomainWebhookURLs rejects a URL list a v3 write cannot take: none,
// more than MaxDomainWebhookURLs, a URL that is not http(s), or one given twice.
func checkDomainWebhookURLs(urls []string) error {
	if len(urls) == 0 || len(urls) > MaxDomainWebhookURLs {
		return invalidArg("an event type takes 1 to %d URLs, got %d", MaxDomainWebhookURLs, len(urls))
	}
	for i, u := range urls {
		if err := checkWebhookURL(u); err != nil {
			return err
		}
		if slices.Contains(urls[:i], u) {
			return invalidArg("webhook URL %q is given twice", redactURL(u))
		}
	}
	return nil
}

// checkEventType rejects an empty or blank event type.
func checkEventType(event WebhookEventType) error {
	return required("event type", string(event))
}

// eventTypesForm adds one event_types field per event, rejecting an empty
// list, blank values and repeats.
func eventTypesForm(f url.Values, events []WebhookEventType) error {
	if len(events) == 0 {
		return invalidArg("event types are empty: give at least one")
	}
	for i, et := range events {
		if err := checkEventType(et); err != nil {
			return err
		}
		if slices.Contains(events[:i], et) {
			return invalidArg("event type %q is given twice", string(et))
		}
		f.Add("event_types", string(et))
	}
	return nil
}

// List returns every event type of the domain that has URLs, with its URLs.
// A domain without webhooks gives an empty map; an unknown domain is
// ErrNotFound.
func (s *DomainWebhooksService) List(ctx context.Context, domain string) (DomainWebhooks, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v3", "domains", domain, "webhooks"}}
	var out webhooksReply
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return out.table(r)
}

// Get returns the URLs that receive event on the domain. An event type
// without webhooks, or an unknown domain, is ErrNotFound.
func (s *DomainWebhooksService) Get(ctx context.Context, domain string, event WebhookEventType) ([]string, error) {
	return s.v3(ctx, http.MethodGet, domain, event, nil)
}

// Create registers urls (1 to MaxDomainWebhookURLs http or https URLs, no
// repeats) for event, which must have no webhooks yet: for an event type
// that has some, the API answers 400 (ErrBadRequest); use Update to replace
// its URLs, or CreateURL to add one. It returns the URLs the API stored.
// Create is a POST, so it is retried only when the server refused it (420,
// 429) or the connection failed before sending.
func (s *DomainWebhooksService) Create(ctx context.Context, domain string, event WebhookEventType, urls ...string) ([]string, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if err := checkEventType(event); err != nil {
		return nil, err
	}
	if err := checkDomainWebhookURLs(urls); err != nil {
		return nil, err
	}
	f := url.Values{"id": {string(event)}, "url": urls}
	r := &doer.Request{Method: http.MethodPost, Path: []string{"v3", "domains", domain, "webhooks"}, Body: doer.Form(f)}
	var out webhookReply
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return out.urls(r)
}

// Update replaces the URLs of event with urls (1 to MaxDomainWebhookURLs
// http or https URLs, no repeats) and returns the URLs the API stored. An
// event type without webhooks is ErrNotFound.
func (s *DomainWebhooksService) Update(ctx context.Context, domain string, event WebhookEventType, urls ...string) ([]string, error) {
	if err := checkDomainWebhookURLs(urls); err != nil {
		return nil, err
	}
	return s.v3(ctx, http.MethodPut, domain, event, url.Values{"url": urls})
}

// Delete removes every URL of event from the domain. An event type without
// webhooks is ErrNotFound, unless an earlier attempt of this call may have
// deleted them (a retry answered 404 is a success).
func (s *DomainWebhooksService) Delete(ctx context.Context, domain string, event WebhookEventType) error {
	r, err := v3Request(http.MethodDelete, domain, event, nil)
	if err != nil {
		return err
	}
	// The answer's URLs are not needed, and a retry answered 404 has none.
	return s.client.do(ctx, r, nil)
}

// v3 sends method to /v3/domains/{domain}/webhooks/{event}, with form as
// the body when it is not nil, and returns the webhook's URLs.
func (s *DomainWebhooksService) v3(ctx context.Context, method, domain string, event WebhookEventType, form url.Values) ([]string, error) {
	r, err := v3Request(method, domain, event, form)
	if err != nil {
		return nil, err
	}
	var out webhookReply
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return out.urls(r)
}

func v3Request(method, domain string, event WebhookEventType, form url.Values) (*doer.Request, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if err := checkEventType(event); err != nil {
		return nil, err
	}
	r := &doer.Request{Method: method, Path: []string{"v3", "domains", domain, "webhooks", string(event)}}
	if form != nil {
		r.Body = doer.Form(form)
	}
	return r, nil
}

// CreateURL adds rawURL to each of events (at least one, no repeats) and
// returns the domain's whole table after the change. The API refuses (400,
// ErrBadRequest) when one of the event types already has that URL, or
// already has MaxDomainWebhookURLs URLs. CreateURL is a POST, so it is
// retried only when the server refused it (420, 429) or the connection
// failed before sending.
func (s *DomainWebhooksService) CreateURL(ctx context.Context, domain, rawURL string, events ...WebhookEventType) (DomainWebhooks, error) {
	return s.v4(ctx, http.MethodPost, domain, rawURL, events)
}

// UpdateURL makes rawURL receive exactly events (at least one, no repeats):
// it is added to the listed event types and removed from the others. It
// returns the domain's whole table after the change. A URL that receives no
// event type yet is ErrNotFound; use CreateURL for it.
func (s *DomainWebhooksService) UpdateURL(ctx context.Context, domain, rawURL string, events ...WebhookEventType) (DomainWebhooks, error) {
	return s.v4(ctx, http.MethodPut, domain, rawURL, events)
}

func (s *DomainWebhooksService) v4(ctx context.Context, method, domain, rawURL string, events []WebhookEventType) (DomainWebhooks, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if err := checkWebhookURL(rawURL); err != nil {
		return nil, err
	}
	f := url.Values{"url": {rawURL}}
	if err := eventTypesForm(f, events); err != nil {
		return nil, err
	}
	r := &doer.Request{Method: method, Path: []string{"v4", "domains", domain, "webhooks"}, Body: doer.Form(f)}
	var out webhooksReply
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return out.table(r)
}

// DeleteURLs removes each of urls (at least one) from every event type of
// the domain and returns the domain's whole table after the change. The URLs
// travel as one comma-separated parameter, so a URL containing a comma is
// an invalid argument. When the answer has no table (a retry answered 404
// after an earlier attempt that may have removed them), DeleteURLs reads
// it with List.
func (s *DomainWebhooksService) DeleteURLs(ctx context.Context, domain string, urls ...string) (DomainWebhooks, error) {
	if err := required("domain", domain); err != nil {
		return nil, err
	}
	if len(urls) == 0 {
		return nil, invalidArg("webhook URLs are empty: give at least one")
	}
	for _, u := range urls {
		if err := checkWebhookURL(u); err != nil {
			return nil, err
		}
		if strings.Contains(u, ",") {
			return nil, invalidArg("webhook URL %q contains a comma, which the API reads as a separator", redactURL(u))
		}
	}
	r := &doer.Request{Method: http.MethodDelete, Path: []string{"v4", "domains", domain, "webhooks"}, Query: url.Values{"url": {strings.Join(urls, ",")}}}
	var out webhooksReply
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	if out.Webhooks == nil {
		// A retry answered 404 after an attempt that may have removed the
		// URLs: the delete is done, and the answer has no table.
		return s.List(ctx, domain)
	}
	return *out.Webhooks, nil
}
