package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mgkit/mailgun"
)

// templateName is the stored template the newsletter is rendered from.
const templateName = "newsletter"

// ensureTemplate creates the newsletter template on domain unless it
// exists. {{month}} comes from the send's template variables, and
// %recipient.name% from each recipient's variables.
func ensureTemplate(ctx context.Context, c *mailgun.Client, domain string) error {
	_, err := c.Templates.Get(ctx, domain, templateName)
	if !errors.Is(err, mailgun.ErrNotFound) {
		return err // nil: it exists
	}
	_, err = c.Templates.Create(ctx, domain, mailgun.TemplateInput{
		Name:        templateName,
		Description: "the monthly newsletter",
		Version: &mailgun.TemplateVersionInput{
			Tag:      "v1",
			Template: "<h1>{{month}} at the Tea Shop</h1><p>Hi %recipient.name%, the {{month}} teas are in.</p>",
			Headers: mailgun.TemplateHeaders{
				From:    "Tea Shop <news@" + domain + ">",
				Subject: "{{month}} news for %recipient.name%",
			},
		},
	})
	return err
}

// registerWebhook makes url receive the delivered and permanent_fail
// webhooks of domain, adding it or updating its event types.
func registerWebhook(ctx context.Context, c *mailgun.Client, domain, url string) error {
	events := []mailgun.WebhookEventType{mailgun.WebhookEventDelivered, mailgun.WebhookEventPermanentFail}
	table, err := c.DomainWebhooks.List(ctx, domain)
	if err != nil {
		return err
	}
	if len(table.EventTypes(url)) == 0 {
		_, err = c.DomainWebhooks.CreateURL(ctx, domain, url, events...)
	} else {
		_, err = c.DomainWebhooks.UpdateURL(ctx, domain, url, events...)
	}
	return err
}

// sendNewsletter sends the month's newsletter to each of to ("Ann
// <ann@example.com>" or "ann@example.com"), one copy each, and tracks them.
func sendNewsletter(ctx context.Context, c *mailgun.Client, t *tracker, domain, month string, to []string) (*mailgun.BatchResult, error) {
	recipients := make([]mailgun.BatchRecipient, len(to))
	addresses := make([]string, len(to))
	for i, s := range to {
		a, err := mail.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("recipient %q: %w", s, err)
		}
		name, _, _ := strings.Cut(a.Address, "@")
		recipients[i] = mailgun.BatchRecipient{Address: s, Variables: map[string]any{"name": cmp.Or(a.Name, name)}}
		addresses[i] = a.Address
	}
	if err := ensureTemplate(ctx, c, domain); err != nil {
		return nil, fmt.Errorf("newsletter template: %w", err)
	}
	// Tracked before sending: a webhook may arrive before SendBatch returns.
	t.track(addresses...)
	res, err := c.Messages.SendBatch(ctx, domain, &mailgun.Message{
		Template:          templateName,
		TemplateVariables: map[string]any{"month": month},
		Tags:              []string{"newsletter"},
	}, recipients)
	var be *mailgun.BatchSendError
	if errors.As(err, &be) {
		// Recipients before be.NotSent were sent (or may have been, when
		// the outcome of a request is unknown): their webhooks will tell.
		t.set(stateNotSent, addresses[be.NotSent:]...)
	}
	return res, err
}

// The states of a recipient.
const (
	stateQueued    = "queued"    // sent; no outcome yet
	stateDelivered = "delivered" // the receiving server took it
	stateFailed    = "failed"    // permanently: bounced, suppressed, ...
	stateNotSent   = "not sent"  // the batch stopped before it
)

// recipientStatus is what the service knows of one recipient.
type recipientStatus struct {
	Address string `json:"address"`
	State   string `json:"state"`
	// Reason says why a delivery failed, such as "bounce" or
	// "suppress-bounce".
	Reason  string    `json:"reason,omitempty"`
	Updated time.Time `json:"updated,omitzero"`
}

// statusPage is the status page.
type statusPage struct {
	Counts map[string]int `json:"counts"`
	// Webhooks counts the webhooks recorded: one per outcome, however
	// often Mailgun delivered it.
	Webhooks   int               `json:"webhooks"`
	Recipients []recipientStatus `json:"recipients"`
}

// tracker records the outcome of each recipient from Mailgun's webhooks,
// in memory. A real service would keep it in its database. It is safe for
// concurrent use.
type tracker struct {
	mu         sync.Mutex
	recipients map[string]*recipientStatus // by lower-case address
	webhooks   int
}

// newTracker returns an empty tracker.
func newTracker() *tracker { return &tracker{recipients: map[string]*recipientStatus{}} }

// track records addresses as queued.
func (t *tracker) track(addresses ...string) { t.set(stateQueued, addresses...) }

// set sets the state of addresses.
func (t *tracker) set(state string, addresses ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, a := range addresses {
		t.recipients[strings.ToLower(a)] = &recipientStatus{Address: a, State: state}
	}
}

// record is the function of the WebhookHandler: it records a delivered or
// permanently failed event of a tracked recipient, and acknowledges the
// others (temporary failures, other senders of the domain) without
// recording them. A non-nil error would make the handler answer 500, and
// Mailgun retry.
func (t *tracker) record(_ context.Context, wh *mailgun.WebhookEvent) error {
	ev := wh.EventData
	var state string
	switch {
	case ev.Event == mailgun.EventDelivered:
		state = stateDelivered
	case ev.Event == mailgun.EventFailed && ev.Severity == mailgun.SeverityPermanent:
		state = stateFailed
	default:
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	s, ok := t.recipients[strings.ToLower(ev.Recipient)]
	if !ok {
		return nil
	}
	s.State, s.Reason, s.Updated = state, ev.Reason, ev.Timestamp
	t.webhooks++
	return nil
}

// page returns the counts by state and every recipient, by address.
func (t *tracker) page() statusPage {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := statusPage{Counts: map[string]int{}, Webhooks: t.webhooks}
	for _, s := range t.recipients {
		r.Counts[s.State]++
		r.Recipients = append(r.Recipients, *s)
	}
	slices.SortFunc(r.Recipients, func(a, b recipientStatus) int { return cmp.Compare(a.Address, b.Address) })
	return r
}

// ServeHTTP serves the status page as JSON.
func (t *tracker) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(t.page())
}

// newMux serves Mailgun's webhooks at POST /webhooks/mailgun, verified with
// signingKey by the clock now, and the status page at GET /status.
func newMux(t *tracker, signingKey string, now func() time.Time) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/mailgun", mailgun.WebhookHandler(signingKey, t.record, mailgun.WithVerifyOptions(
		// Mailgun retries for about 8 hours, and a retry may carry the
		// original timestamp: accept 9 hours, and let the token store make
		// each webhook count once within them.
		mailgun.WithTimestampWindow(9*time.Hour),
		mailgun.WithTokenStore(mailgun.NewMemoryTokenStore(0, now)),
		mailgun.WithVerifyClock(now),
	)))
	mux.Handle("GET /status", t)
	return mux
}
