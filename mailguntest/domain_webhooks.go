package mailguntest

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/mgkit/mailgun"
)

// domainWebhooksState holds every domain's webhook table: each event type
// and its URLs, in the order they were added. The v3 and v4 endpoints
// share it.
type domainWebhooksState struct {
	domains map[string]map[mailgun.WebhookEventType][]string
}

func (s *Server) domainWebhookRoutes(mux, domains *http.ServeMux) {
	s.domainWebhooks.domains = map[string]map[mailgun.WebhookEventType][]string{}
	domains.HandleFunc("GET /v3/domains/{domain}/webhooks", s.listDomainWebhooks)
	domains.HandleFunc("POST /v3/domains/{domain}/webhooks", s.createDomainWebhook)
	domains.HandleFunc("GET /v3/domains/{domain}/webhooks/{event}", s.onEventWebhook(false, getDomainWebhook))
	domains.HandleFunc("PUT /v3/domains/{domain}/webhooks/{event}", s.onEventWebhook(true, updateDomainWebhook))
	domains.HandleFunc("DELETE /v3/domains/{domain}/webhooks/{event}", s.onEventWebhook(false, deleteDomainWebhook))
	mux.HandleFunc("POST /v4/domains/{domain}/webhooks", s.onWebhookURL(addDomainWebhookURL))
	mux.HandleFunc("PUT /v4/domains/{domain}/webhooks", s.onWebhookURL(setDomainWebhookURL))
	mux.HandleFunc("DELETE /v4/domains/{domain}/webhooks", s.deleteDomainWebhookURLs)
}

// DomainWebhooks returns a copy of domain's webhook table; it is empty for
// a domain without webhooks.
func (s *Server) DomainWebhooks(domain string) mailgun.DomainWebhooks {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := mailgun.DomainWebhooks{}
	for et, urls := range s.domainWebhooks.domains[domainKey(domain)] {
		out[et] = slices.Clone(urls)
	}
	return out
}

// domainWebhookURLsLocked returns the URLs registered on domain for event
// (a copy; nil when there are none), for delivering the lifecycle's
// webhooks. Call with s.mu held.
func (s *Server) domainWebhookURLsLocked(domain string, event mailgun.WebhookEventType) []string {
	return slices.Clone(s.domainWebhooks.domains[domainKey(domain)][event])
}

// webhookTable returns domain's table, creating it when create is set.
// Call with s.mu held.
func (s *Server) webhookTable(domain string, create bool) map[mailgun.WebhookEventType][]string {
	domain = domainKey(domain)
	t := s.domainWebhooks.domains[domain]
	if t == nil && create {
		t = map[mailgun.WebhookEventType][]string{}
		s.domainWebhooks.domains[domain] = t
	}
	return t
}

// webhooksJSON renders a table as {"webhooks": {"<event>": {"urls": [...]}}}.
func webhooksJSON(t map[mailgun.WebhookEventType][]string) map[string]any {
	out := map[string]any{}
	for et, urls := range t {
		out[string(et)] = urlsJSON(urls)
	}
	return map[string]any{"webhooks": out}
}

func urlsJSON(urls []string) map[string][]string {
	return map[string][]string{"urls": append([]string{}, urls...)}
}

const webhookNotFound = "Webhook not found"

// validWebhookURL reports whether u is an absolute http or https URL.
func validWebhookURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}

// readDomainWebhookURLs reads the 1 to 3 distinct URLs of a v3 create or
// update, answering 400 itself when they are wrong.
func readDomainWebhookURLs(w http.ResponseWriter, f url.Values) ([]string, bool) {
	urls := f["url"]
	if len(urls) == 0 || len(urls) > maxURLsPerEventType {
		writeReason(w, http.StatusBadRequest, fmt.Sprintf("a webhook takes 1 to %d urls, got %d", maxURLsPerEventType, len(urls)))
		return nil, false
	}
	for i, u := range urls {
		if !validWebhookURL(u) {
			writeReason(w, http.StatusBadRequest, u+" is not a valid url")
			return nil, false
		}
		if slices.Contains(urls[:i], u) {
			writeReason(w, http.StatusBadRequest, "duplicate url "+u)
			return nil, false
		}
	}
	return urls, true
}

// eventTypeOf returns the known event type named v.
func eventTypeOf(v string) (mailgun.WebhookEventType, bool) {
	et := mailgun.WebhookEventType(v)
	return et, slices.Contains(mailgun.WebhookEventTypes(), et)
}

func (s *Server) listDomainWebhooks(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	if !knownDomain(w, domain) {
		return
	}
	s.mu.Lock()
	body := webhooksJSON(s.webhookTable(domain, false))
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) createDomainWebhook(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	if !knownDomain(w, domain) {
		return
	}
	f, err := readForm(w, r)
	if err != nil {
		writeReason(w, http.StatusBadRequest, "invalid form body")
		return
	}
	id := f.Get("id")
	et, ok := eventTypeOf(id)
	if !ok {
		writeReason(w, http.StatusBadRequest, fmt.Sprintf("invalid webhook id %q", id))
		return
	}
	urls, ok := readDomainWebhookURLs(w, f)
	if !ok {
		return
	}
	s.mu.Lock()
	t := s.webhookTable(domain, true)
	if len(t[et]) > 0 {
		s.mu.Unlock()
		writeReason(w, http.StatusBadRequest, fmt.Sprintf("webhook %s already exists", et))
		return
	}
	t[et] = urls
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"message": "Webhook has been created", "webhook": urlsJSON(urls)})
}

// onEventWebhook adapts a v3 call on one event type: it answers 404 for an
// unknown domain or an event type without URLs, and 400 for a bad URL list
// (read, with form, before taking the lock), then calls h with s.mu held,
// the domain's table, the event type and the form's URLs.
func (s *Server) onEventWebhook(form bool, h func(w http.ResponseWriter, t map[mailgun.WebhookEventType][]string, et mailgun.WebhookEventType, urls []string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		domain := r.PathValue("domain")
		if !knownDomain(w, domain) {
			return
		}
		var urls []string
		if form {
			f, err := readForm(w, r)
			if err != nil {
				writeReason(w, http.StatusBadRequest, "invalid form body")
				return
			}
			var ok bool
			if urls, ok = readDomainWebhookURLs(w, f); !ok {
				return
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		t := s.webhookTable(domain, false)
		et := mailgun.WebhookEventType(r.PathValue("event"))
		if len(t[et]) == 0 {
			writeError(w, http.StatusNotFound, webhookNotFound)
			return
		}
		h(w, t, et, urls)
	}
}

func getDomainWebhook(w http.ResponseWriter, t map[mailgun.WebhookEventType][]string, et mailgun.WebhookEventType, _ []string) {
	writeJSON(w, http.StatusOK, map[string]any{"webhook": urlsJSON(t[et])})
}

func updateDomainWebhook(w http.ResponseWriter, t map[mailgun.WebhookEventType][]string, et mailgun.WebhookEventType, urls []string) {
	t[et] = urls
	writeJSON(w, http.StatusOK, map[string]any{"message": "Webhook has been updated", "webhook": urlsJSON(urls)})
}

func deleteDomainWebhook(w http.ResponseWriter, t map[mailgun.WebhookEventType][]string, et mailgun.WebhookEventType, _ []string) {
	urls := t[et]
	delete(t, et)
	writeJSON(w, http.StatusOK, map[string]any{"message": "Webhook has been deleted", "webhook": urlsJSON(urls)})
}

// readWebhookURLForm reads the url and event_types of a v4 write,
// answering 400 itself when they are wrong.
func readWebhookURLForm(w http.ResponseWriter, r *http.Request) (string, []mailgun.WebhookEventType, bool) {
	f, err := readForm(w, r)
	if err != nil {
		writeReason(w, http.StatusBadRequest, "invalid form body")
		return "", nil, false
	}
	u := f.Get("url")
	if !validWebhookURL(u) {
		writeReason(w, http.StatusBadRequest, "invalid parameters: "+u+" is not a valid url")
		return "", nil, false
	}
	if len(f["event_types"]) == 0 {
		writeFieldError(w, "event_types", "is required")
		return "", nil, false
	}
	var events []mailgun.WebhookEventType
	for _, v := range f["event_types"] {
		et, ok := eventTypeOf(v)
		if !ok || slices.Contains(events, et) {
			writeFieldError(w, "event_types", fmt.Sprintf("invalid or repeated event type '%s'", v))
			return "", nil, false
		}
		events = append(events, et)
	}
	return u, events, true
}

// addURLLocked adds u to each of events in t, or reports why it cannot
// (a URL already there, or a full event type) without changing t.
func addURLLocked(t map[mailgun.WebhookEventType][]string, u string, events []mailgun.WebhookEventType, existing bool) string {
	for _, et := range events {
		switch {
		case slices.Contains(t[et], u):
			if !existing {
				return fmt.Sprintf("Webhook for event type '%s' with URL '%s' already exists", et, u)
			}
		case len(t[et]) >= maxURLsPerEventType:
			return fmt.Sprintf("Webhook for event type '%s' already has %d URLs", et, maxURLsPerEventType)
		}
	}
	for _, et := range events {
		if !slices.Contains(t[et], u) {
			t[et] = append(t[et], u)
		}
	}
	return ""
}

// onWebhookURL adapts a v4 create or update: it answers 404 for an
// unknown domain and 400 for a bad form, then calls h with s.mu held, the
// domain's table (created if needed), and the form's URL and event types.
func (s *Server) onWebhookURL(h func(w http.ResponseWriter, t map[mailgun.WebhookEventType][]string, u string, events []mailgun.WebhookEventType)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		domain := r.PathValue("domain")
		if !knownDomain(w, domain) {
			return
		}
		u, events, ok := readWebhookURLForm(w, r)
		if !ok {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		h(w, s.webhookTable(domain, true), u, events)
	}
}

// addDomainWebhookURL adds the URL to each event type.
func addDomainWebhookURL(w http.ResponseWriter, t map[mailgun.WebhookEventType][]string, u string, events []mailgun.WebhookEventType) {
	if reason := addURLLocked(t, u, events, false); reason != "" {
		writeReason(w, http.StatusBadRequest, reason)
		return
	}
	writeJSON(w, http.StatusOK, webhooksJSON(t))
}

// setDomainWebhookURL makes the URL receive exactly the event types given.
func setDomainWebhookURL(w http.ResponseWriter, t map[mailgun.WebhookEventType][]string, u string, events []mailgun.WebhookEventType) {
	if !slices.ContainsFunc(slices.Collect(maps.Values(t)), func(urls []string) bool { return slices.Contains(urls, u) }) {
		writeJSON(w, http.StatusNotFound, map[string]string{"Description": webhookNotFound})
		return
	}
	if reason := addURLLocked(t, u, events, true); reason != "" {
		writeReason(w, http.StatusBadRequest, reason)
		return
	}
	for et := range t {
		if !slices.Contains(events, et) {
			removeURLsLocked(t, et, []string{u})
		}
	}
	writeJSON(w, http.StatusOK, webhooksJSON(t))
}

// removeURLsLocked removes urls from event type et of t, and et itself
// when no URL is left.
func removeURLsLocked(t map[mailgun.WebhookEventType][]string, et mailgun.WebhookEventType, urls []string) {
	t[et] = slices.DeleteFunc(t[et], func(u string) bool { return slices.Contains(urls, u) })
	if len(t[et]) == 0 {
		delete(t, et)
	}
}

// deleteDomainWebhookURLs removes the comma-separated URLs of the url
// parameter from every event type. URLs the domain does not use are
// ignored: the answer shows what is left.
func (s *Server) deleteDomainWebhookURLs(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	if !knownDomain(w, domain) {
		return
	}
	var urls []string
	for _, u := range strings.Split(r.URL.Query().Get("url"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 {
		writeFieldError(w, "url", "is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.webhookTable(domain, false)
	for et := range t {
		removeURLsLocked(t, et, urls)
	}
	writeJSON(w, http.StatusOK, webhooksJSON(t))
}
