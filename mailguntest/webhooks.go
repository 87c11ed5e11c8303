package mailguntest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// DefaultWebhookSigningKey is the HTTP webhook signing key DeliverWebhook
// signs with unless WithWebhookSigningKey says otherwise.
const DefaultWebhookSigningKey = "key-mailguntest-webhook-signing"

// maxURLsPerEventType is the API's limit of distinct URLs per event type.
const maxURLsPerEventType = 3

type webhooksState struct {
	hooks      map[string]*mailgun.AccountWebhook
	order      []string // ids in creation order
	seq        int
	signingKey string
	httpClient *http.Client // for DeliverWebhook; nil: webhookHTTPClient
}

// webhookHTTPClient delivers webhooks unless WithWebhookHTTPClient says otherwise.
var webhookHTTPClient = &http.Client{Timeout: 30 * time.Second}

// WithWebhookHTTPClient makes DeliverWebhook send with hc, for receivers
// that need it (an httptest.NewTLSServer's Client, say).
func WithWebhookHTTPClient(hc *http.Client) Option {
	return func(s *Server) { s.webhooks.httpClient = hc }
}

// WithWebhookSigningKey makes DeliverWebhook sign with key instead of
// DefaultWebhookSigningKey.
func WithWebhookSigningKey(key string) Option {
	return func(s *Server) { s.webhooks.signingKey = key }
}

// WebhookSigningKey returns the key DeliverWebhook signs with; verify with it.
func (s *Server) WebhookSigningKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhooks.signingKey
}

func (s *Server) webhookRoutes(mux *http.ServeMux) {
	s.webhooks.hooks = map[string]*mailgun.AccountWebhook{}
	if s.webhooks.signingKey == "" {
		s.webhooks.signingKey = DefaultWebhookSigningKey
	}
	mux.HandleFunc("GET /v1/webhooks", s.listAccountWebhooks)
	mux.HandleFunc("POST /v1/webhooks", s.createAccountWebhook)
	mux.HandleFunc("DELETE /v1/webhooks", s.deleteAccountWebhooks)
	mux.HandleFunc("GET /v1/webhooks/{id}", s.getAccountWebhook)
	mux.HandleFunc("PUT /v1/webhooks/{id}", s.updateAccountWebhook)
	mux.HandleFunc("DELETE /v1/webhooks/{id}", s.deleteAccountWebhook)
}

// AccountWebhooks returns a copy of the account webhooks, oldest first.
func (s *Server) AccountWebhooks() []mailgun.AccountWebhook {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]mailgun.AccountWebhook, 0, len(s.webhooks.order))
	for _, id := range s.webhooks.order {
		out = append(out, cloneWebhook(s.webhooks.hooks[id]))
	}
	return out
}

func cloneWebhook(w *mailgun.AccountWebhook) mailgun.AccountWebhook {
	c := *w
	c.EventTypes = slices.Clone(w.EventTypes)
	return c
}

func (s *Server) listAccountWebhooks(w http.ResponseWriter, r *http.Request) {
	var only map[string]bool
	if v := r.URL.Query().Get("webhook_ids"); v != "" {
		only = map[string]bool{}
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				only[id] = true
			}
		}
	}
	s.mu.Lock()
	list := []mailgun.AccountWebhook{}
	for _, id := range s.webhooks.order {
		if only == nil || only[id] {
			list = append(list, cloneWebhook(s.webhooks.hooks[id]))
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"webhooks": list})
}

func (s *Server) getAccountWebhook(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	hook, ok := s.webhooks.hooks[r.PathValue("id")]
	var out mailgun.AccountWebhook
	if ok {
		out = cloneWebhook(hook)
	}
	s.mu.Unlock()
	if !ok {
		writeDescription(w, http.StatusNotFound, "webhook not found")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// webhookInput is a validated create or update form.
type webhookInput struct {
	url         string
	eventTypes  []mailgun.WebhookEventType
	description string
}

// readWebhookInput validates the form as the API does, answering the error
// itself when it fails. fieldErrors selects the {"Field","Value"} shape for
// duplicates, which only create uses.
func readWebhookInput(w http.ResponseWriter, r *http.Request, fieldErrors bool) (webhookInput, bool) {
	f, err := readForm(w, r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "Invalid form body")
		return webhookInput{}, false
	}
	in := webhookInput{url: f.Get("url"), description: f.Get("description")}
	if u, err := url.Parse(in.url); in.url == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		writeError(w, http.StatusBadRequest, "Invalid parameter: url must be an http or https URL")
		return webhookInput{}, false
	}
	if len(f["event_types"]) == 0 {
		writeError(w, http.StatusBadRequest, "Invalid parameter: event_types is required")
		return webhookInput{}, false
	}
	valid := mailgun.WebhookEventTypes()
	for _, v := range f["event_types"] {
		et := mailgun.WebhookEventType(v)
		if slices.Contains(in.eventTypes, et) {
			if fieldErrors {
				writeFieldError(w, "event_types", fmt.Sprintf("duplicate event types: '%s'", v))
			} else {
				writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid parameter: duplicate event types: '%s'", v))
			}
			return webhookInput{}, false
		}
		if !slices.Contains(valid, et) {
			writeDescription(w, http.StatusNotFound, fmt.Sprintf("event_type '%s' is invalid", v))
			return webhookInput{}, false
		}
		in.eventTypes = append(in.eventTypes, et)
	}
	return in, true
}

// urlLimitHit returns the first event type for which adding in.url would
// exceed the limit of distinct URLs, ignoring the webhook skip. Call with s.mu held.
func (s *Server) urlLimitHit(in webhookInput, skip string) (mailgun.WebhookEventType, bool) {
	for _, et := range in.eventTypes {
		urls := map[string]bool{}
		for _, id := range s.webhooks.order {
			h := s.webhooks.hooks[id]
			if id != skip && slices.Contains(h.EventTypes, et) {
				urls[h.URL] = true
			}
		}
		if !urls[in.url] && len(urls) >= maxURLsPerEventType {
			return et, true
		}
	}
	return "", false
}

func (s *Server) createAccountWebhook(w http.ResponseWriter, r *http.Request) {
	in, ok := readWebhookInput(w, r, true)
	if !ok {
		return
	}
	s.mu.Lock()
	if et, hit := s.urlLimitHit(in, ""); hit {
		s.mu.Unlock()
		writeDescription(w, http.StatusConflict, fmt.Sprintf("unable to add more than %d urls for event type %s", maxURLsPerEventType, et))
		return
	}
	now := s.now()
	s.webhooks.seq++
	id := fmt.Sprintf("%08x%016x", uint32(now.Unix()), s.webhooks.seq)
	s.webhooks.hooks[id] = &mailgun.AccountWebhook{
		ID:          id,
		URL:         in.url,
		EventTypes:  in.eventTypes,
		Description: in.description,
		CreatedAt:   now.UTC().Truncate(time.Second),
	}
	s.webhooks.order = append(s.webhooks.order, id)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"webhook_id": id})
}

func (s *Server) updateAccountWebhook(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	in, ok := readWebhookInput(w, r, false)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	hook, found := s.webhooks.hooks[id]
	if !found {
		writeDescription(w, http.StatusNotFound, "webhook not found")
		return
	}
	if et, hit := s.urlLimitHit(in, id); hit {
		writeDescription(w, http.StatusConflict, fmt.Sprintf("unable to add more than %d urls for event type %s", maxURLsPerEventType, et))
		return
	}
	hook.URL, hook.EventTypes, hook.Description = in.url, in.eventTypes, in.description
	writeNoContent(w)
}

// validWebhookID reports whether id looks like an id the API hands out.
func validWebhookID(id string) bool {
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return id != ""
}

func (s *Server) deleteAccountWebhook(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validWebhookID(id) {
		writeFieldError(w, "webhook_id", "is not valid")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.webhooks.hooks[id]; !ok {
		writeDescription(w, http.StatusNotFound, "webhook_id not found: "+id)
		return
	}
	s.removeWebhooks(map[string]bool{id: true})
	writeNoContent(w)
}

// removeWebhooks deletes the webhooks whose ids are in ids. Call with s.mu held.
func (s *Server) removeWebhooks(ids map[string]bool) {
	s.webhooks.order = slices.DeleteFunc(s.webhooks.order, func(id string) bool { return ids[id] })
	for id := range ids {
		delete(s.webhooks.hooks, id)
	}
}

func (s *Server) deleteAccountWebhooks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case q.Has("webhook_ids"):
		ids := map[string]bool{}
		for _, id := range strings.Split(q.Get("webhook_ids"), ",") {
			if strings.TrimSpace(id) == "" {
				writeError(w, http.StatusBadRequest, "Invalid parameter: webhook_ids malformed webhook_ids parameter: empty values not allowed")
				return
			}
			if _, ok := s.webhooks.hooks[id]; ok {
				ids[id] = true
			}
		}
		if len(ids) == 0 {
			writeDescription(w, http.StatusNotFound, "no webhooks found for account")
			return
		}
		s.removeWebhooks(ids)
	case q.Get("all") == "true":
		if len(s.webhooks.order) == 0 {
			writeDescription(w, http.StatusNotFound, "no webhooks found for account")
			return
		}
		s.webhooks.hooks = map[string]*mailgun.AccountWebhook{}
		s.webhooks.order = nil
	default:
		writeError(w, http.StatusBadRequest, "Invalid parameter: either webhook_ids or all=true is required")
		return
	}
	writeNoContent(w)
}

// DeliveryError is returned by DeliverWebhook when the receiver answered
// with a status other than 2xx.
type DeliveryError struct {
	StatusCode int
}

// Error returns "mailguntest: webhook receiver answered <status>".
func (e *DeliveryError) Error() string {
	return fmt.Sprintf("mailguntest: webhook receiver answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

// DeliverWebhook POSTs a send webhook to webhookURL as Mailgun does: a
// JSON body {"signature": ..., "event-data": event} signed with the
// server's webhook signing key, with the server's clock as timestamp and a
// fresh token. An event without a Timestamp gets the server's time, and one
// without an ID a random one. It returns a *DeliveryError when the receiver
// answers other than 2xx, and the transport error when it cannot be
// reached; ctx bounds the call.
func (s *Server) DeliverWebhook(ctx context.Context, webhookURL string, event mailgun.Event) error {
	now := s.now()
	if event.Timestamp.IsZero() {
		event.Timestamp = now.UTC()
	}
	if event.ID == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		event.ID = base64.RawURLEncoding.EncodeToString(b[:])
	}
	s.mu.Lock()
	key := s.webhooks.signingKey
	s.mu.Unlock()
	body, err := webhookBody(key, now, event)
	if err != nil {
		return err
	}
	status, err := s.postWebhook(ctx, webhookURL, body)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return &DeliveryError{StatusCode: status}
	}
	return nil
}

// webhookBody is the JSON body of a send webhook for event, signed at t
// with key.
func webhookBody(key string, t time.Time, event mailgun.Event) ([]byte, error) {
	data, err := eventJSON(&event)
	if err != nil {
		return nil, fmt.Errorf("mailguntest: encoding the webhook: %w", err)
	}
	body, err := json.Marshal(struct {
		Signature mailgun.WebhookSignature `json:"signature"`
		EventData json.RawMessage          `json:"event-data"`
	}{mailgun.NewWebhookSignature(key, t), data})
	if err != nil {
		return nil, fmt.Errorf("mailguntest: encoding the webhook: %w", err)
	}
	return body, nil
}

// postWebhook POSTs a webhook body to webhookURL and returns the status
// the receiver answered, or the error when it could not be reached.
func (s *Server) postWebhook(ctx context.Context, webhookURL string, body []byte) (int, error) {
	s.mu.Lock()
	hc := s.webhooks.httpClient
	s.mu.Unlock()
	if hc == nil {
		hc = webhookHTTPClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhookURL, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("mailguntest: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "mailgun-mailguntest/webhooks")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("mailguntest: delivering webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, nil
}
