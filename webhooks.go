package mailgun

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mgkit/mailgun/internal/doer"
)

// AccountWebhooksService manages account-level webhooks, which receive events of every domain of the account (/v1/webhooks).
//
// Account webhooks cover the domains of the account and of its subaccounts,
// in the client's region only: configure the US and the EU region
// separately. Changes can take up to 10 minutes to reach every reader, so a
// List or Get right after a change may still show the previous state.
type AccountWebhooksService service

// WebhookEventType names a Send event that a webhook can receive. It is an
// open set: values Mailgun adds later pass through unchanged.
type WebhookEventType string

// The documented webhook event types.
const (
	WebhookEventAccepted      WebhookEventType = "accepted"
	WebhookEventDelivered     WebhookEventType = "delivered"
	WebhookEventOpened        WebhookEventType = "opened"  // only with open tracking on
	WebhookEventClicked       WebhookEventType = "clicked" // only with click tracking on
	WebhookEventUnsubscribed  WebhookEventType = "unsubscribed"
	WebhookEventComplained    WebhookEventType = "complained"
	WebhookEventPermanentFail WebhookEventType = "permanent_fail"
	WebhookEventTemporaryFail WebhookEventType = "temporary_fail"
)

// WebhookEventTypes returns every documented webhook event type.
func WebhookEventTypes() []WebhookEventType {
	return []WebhookEventType{
		WebhookEventAccepted, WebhookEventDelivered, WebhookEventOpened, WebhookEventClicked,
		WebhookEventUnsubscribed, WebhookEventComplained, WebhookEventPermanentFail, WebhookEventTemporaryFail,
	}
}

// AccountWebhook is one account-level webhook: a URL and the events it receives.
type AccountWebhook struct {
	ID          string             `json:"webhook_id"`
	URL         string             `json:"url"`
	EventTypes  []WebhookEventType `json:"event_types"`
	Description string             `json:"description"` // "" when none was given
	CreatedAt   time.Time          `json:"created_at"`
}

// AccountWebhookInput is what Create and Update send.
type AccountWebhookInput struct {
	// URL receives the events; it needs an http or https scheme and a host.
	URL string
	// EventTypes is the complete set of events the URL receives; at least
	// one, without duplicates. At most 3 distinct URLs of the account may
	// receive each event type.
	EventTypes []WebhookEventType
	// Description is optional free text; "" sends none.
	Description string
}

// form validates in and encodes it, with event_types repeated once per value.
func (in AccountWebhookInput) form() (url.Values, error) {
	if err := checkWebhookURL(in.URL); err != nil {
		return nil, err
	}
	if len(in.EventTypes) == 0 {
		return nil, invalidArg("event types are empty: give at least one")
	}
	f := url.Values{"url": {in.URL}}
	seen := make(map[WebhookEventType]bool, len(in.EventTypes))
	for _, et := range in.EventTypes {
		if strings.TrimSpace(string(et)) == "" {
			return nil, invalidArg("event types contain an empty value")
		}
		if seen[et] {
			return nil, invalidArg("event type %q is given twice", string(et))
		}
		seen[et] = true
		f.Add("event_types", string(et))
	}
	if in.Description != "" {
		f.Set("description", in.Description)
	}
	return f, nil
}

func checkWebhookURL(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return invalidArg("webhook URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return invalidArg("webhook URL does not parse")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return invalidArg("webhook URL needs an http or https scheme")
	}
	if u.Host == "" {
		return invalidArg("webhook URL has no host")
	}
	return nil
}

// checkWebhookIDs rejects an empty list, empty ids and ids with a comma,
// which would split into two in the comma-joined webhook_ids parameter.
func checkWebhookIDs(ids []string) (string, error) {
	if len(ids) == 0 {
		return "", invalidArg("webhook ids are empty: give at least one")
	}
	for _, id := range ids {
		if err := required("webhook id", id); err != nil {
			return "", err
		}
		if strings.Contains(id, ",") {
			return "", invalidArg("webhook id %q contains a comma", id)
		}
	}
	return strings.Join(ids, ","), nil
}

// List returns the account's webhooks; with ids, only those (unknown ids
// are left out, not an error). The API does not page this list. A response
// fails (ErrInvalidResponse) only when it is not an object or its webhooks
// are not an array; a webhook that is not an object is skipped, and a
// field of an unexpected type is left zero.
func (s *AccountWebhooksService) List(ctx context.Context, ids ...string) ([]AccountWebhook, error) {
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v1", "webhooks"}}
	if len(ids) > 0 {
		joined, err := checkWebhookIDs(ids)
		if err != nil {
			return nil, err
		}
		r.Query = url.Values{"webhook_ids": {joined}}
	}
	var out struct {
		Webhooks lenientList[AccountWebhook] `json:"webhooks"`
	}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	if out.Webhooks == nil {
		out.Webhooks = []AccountWebhook{}
	}
	return out.Webhooks, nil
}

// Create adds a webhook and returns it, read back with a GET for its
// CreatedAt and the values as stored. An unknown event type is answered 404
// (ErrNotFound) and a fourth URL for an event type 409 (ErrConflict).
// Create is a POST, so it is retried only when the server refused it (420,
// 429) or the connection failed before sending.
//
// An error is always the POST's: once the webhook is created, a failing
// read (the API is eventually consistent, so a read right after a change
// may answer 404 for up to 10 minutes) never turns it into an error, which
// could lead a caller to create it again. The webhook is then returned as
// built from in and the new ID, with a zero CreatedAt.
func (s *AccountWebhooksService) Create(ctx context.Context, in AccountWebhookInput) (*AccountWebhook, error) {
	f, err := in.form()
	if err != nil {
		return nil, err
	}
	var out struct {
		ID string `json:"webhook_id"`
	}
	r := &doer.Request{Method: http.MethodPost, Path: []string{"v1", "webhooks"}, Body: doer.Form(f)}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, fmt.Errorf("%w: POST /v1/webhooks: response has no webhook_id", ErrInvalidResponse)
	}
	if got, err := s.Get(ctx, out.ID); err == nil && got.ID == out.ID {
		return got, nil
	}
	return &AccountWebhook{
		ID: out.ID, URL: in.URL, EventTypes: slices.Clone(in.EventTypes), Description: in.Description,
	}, nil
}

// Get returns one webhook; an unknown id is ErrNotFound.
func (s *AccountWebhooksService) Get(ctx context.Context, id string) (*AccountWebhook, error) {
	if err := required("webhook id", id); err != nil {
		return nil, err
	}
	var out AccountWebhook
	r := &doer.Request{Method: http.MethodGet, Path: []string{"v1", "webhooks", id}}
	if err := s.client.do(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Update replaces the URL, the event types and the description of a
// webhook: it is not a merge, so pass the complete new state. An unknown id
// is ErrNotFound; a fourth URL for an event type is ErrConflict.
func (s *AccountWebhooksService) Update(ctx context.Context, id string, in AccountWebhookInput) error {
	if err := required("webhook id", id); err != nil {
		return err
	}
	f, err := in.form()
	if err != nil {
		return err
	}
	r := &doer.Request{Method: http.MethodPut, Path: []string{"v1", "webhooks", id}, Body: doer.Form(f)}
	return s.client.do(ctx, r, nil)
}

// Delete removes one webhook; an unknown id is ErrNotFound.
// A retry answered 404 after an attempt that may have deleted it returns nil.
func (s *AccountWebhooksService) Delete(ctx context.Context, id string) error {
	if err := required("webhook id", id); err != nil {
		return err
	}
	return s.client.do(ctx, &doer.Request{Method: http.MethodDelete, Path: []string{"v1", "webhooks", id}}, nil)
}

// DeleteByIDs removes the webhooks with these ids in one call. At least one
// id is required; it never deletes everything (see DeleteAll).
func (s *AccountWebhooksService) DeleteByIDs(ctx context.Context, ids ...string) error {
	joined, err := checkWebhookIDs(ids)
	if err != nil {
		return err
	}
	r := &doer.Request{Method: http.MethodDelete, Path: []string{"v1", "webhooks"}, Query: url.Values{"webhook_ids": {joined}}}
	return s.client.do(ctx, r, nil)
}

// DeleteAll removes every account webhook of the client's region. When the
// account has none, the API answers 404 (ErrNotFound).
// A retry answered 404 after an attempt that may have deleted it returns nil.
func (s *AccountWebhooksService) DeleteAll(ctx context.Context) error {
	r := &doer.Request{Method: http.MethodDelete, Path: []string{"v1", "webhooks"}, Query: url.Values{"all": {"true"}}}
	return s.client.do(ctx, r, nil)
}
