package mailguntest

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mgkit/mailgun"
)

// allowlistState holds every domain's allowlist.
type allowlistState struct {
	lists suppressionLists[mailgun.AllowlistEntry]
}

func (s *Server) allowlistRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v3/{domain}/whitelists", s.listAllowlist)
	mux.HandleFunc("POST /v3/{domain}/whitelists", s.addAllowlist)
	mux.HandleFunc("DELETE /v3/{domain}/whitelists", s.deleteAllAllowlist)
	mux.HandleFunc("GET /v3/{domain}/whitelists/{value}", s.getAllowlist)
	mux.HandleFunc("DELETE /v3/{domain}/whitelists/{value}", s.deleteAllowlist)
	mux.HandleFunc("POST /v3/{domain}/whitelists/import", s.importAllowlist)
}

// allowlistJSON is an entry as the API sends it (note createdAt in camel case).
type allowlistJSON struct {
	Value     string `json:"value"`
	Reason    string `json:"reason"`
	Type      string `json:"type"`
	CreatedAt string `json:"createdAt"`
}

func renderAllowlist(e mailgun.AllowlistEntry) allowlistJSON {
	return allowlistJSON{Value: e.Value, Reason: e.Reason, Type: string(e.Type), CreatedAt: suppressionTime(e.CreatedAt)}
}

const allowlistNotFound = "Address/Domain not found in allowlist table"

// errMissingAddressOrDomain is the API's answer to an add without either field.
var errMissingAddressOrDomain = suppressionMessage("Missing mandatory parameter: address/domain")

func (s *Server) listAllowlist(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	page, err := buildSuppressionPage(r, s.allowlist.lists.of(r.PathValue("domain"), false), renderAllowlist)
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (s *Server) getAllowlist(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	e, ok := s.allowlist.lists.of(r.PathValue("domain"), false).get(suppressionPathValue(r))
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, allowlistNotFound)
		return
	}
	writeJSON(w, http.StatusOK, renderAllowlist(e))
}

// addAllowlist takes an address or a domain field; address wins when
// both are sent, as on the real API.
func (s *Server) addAllowlist(w http.ResponseWriter, r *http.Request) {
	if err := readSuppressionForm(w, r); err != nil {
		writeError(w, http.StatusBadRequest, errMissingAddressOrDomain.Error())
		return
	}
	e, err := s.newAllowlistEntry(r.PostForm.Get("address"), r.PostForm.Get("domain"), r.PostForm.Get("reason"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	s.storeAllowlist(r.PathValue("domain"), e)
	writeJSON(w, http.StatusOK, map[string]string{
		"message": "Address/Domain has been added to the allowlists table",
		"type":    string(e.Type),
		"value":   e.Value,
	})
}

func (s *Server) newAllowlistEntry(address, domain, reason string) (mailgun.AllowlistEntry, error) {
	e := mailgun.AllowlistEntry{Reason: reason, CreatedAt: s.now()}
	switch {
	case address != "":
		if !validSuppressionAddress(address) {
			return e, fmt.Errorf("'address' parameter is not a valid address: %q", address)
		}
		e.Value, e.Type = address, mailgun.AllowlistAddress
	case domain != "":
		if strings.Contains(domain, "@") || strings.TrimSpace(domain) == "" {
			return e, fmt.Errorf("'domain' parameter is not a valid domain: %q", domain)
		}
		e.Value, e.Type = domain, mailgun.AllowlistDomain
	default:
		return e, errMissingAddressOrDomain
	}
	return e, nil
}

func (s *Server) storeAllowlist(domain string, entries ...mailgun.AllowlistEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.allowlist.lists.of(domain, true)
	for _, e := range entries {
		l.put(e.Value, e)
	}
}

func (s *Server) deleteAllowlist(w http.ResponseWriter, r *http.Request) {
	value := suppressionPathValue(r)
	s.mu.Lock()
	ok := s.allowlist.lists.of(r.PathValue("domain"), false).remove(value)
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, allowlistNotFound)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"message": "Allowlist address/domain has been removed", "value": value})
}

func (s *Server) deleteAllAllowlist(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.allowlist.lists.of(r.PathValue("domain"), false).clear()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]string{"message": "Allowlist addresses/domains for this domain have been removed"})
}

// importAllowlist reads an "address,domain" CSV while it arrives and
// stores its rows before answering 202. A row must fill exactly one of
// the two columns; other rows are skipped.
func (s *Server) importAllowlist(w http.ResponseWriter, r *http.Request) {
	domain := r.PathValue("domain")
	parse := func(row map[string]string) (mailgun.AllowlistEntry, bool) {
		if (row["address"] == "") == (row["domain"] == "") {
			return mailgun.AllowlistEntry{}, false
		}
		e, err := s.newAllowlistEntry(row["address"], row["domain"], "")
		return e, err == nil
	}
	columns := []string{"address", "domain"}
	if err := importSuppressionCSV(r, columns, columns, parse, func(e []mailgun.AllowlistEntry) { s.storeAllowlist(domain, e...) }); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"message": suppressionImportMessage})
}

// AddAllowlist puts entries on domain's allowlist, replacing entries with
// the same value. An empty Type is AllowlistAddress when Value contains
// "@" and AllowlistDomain otherwise; a zero CreatedAt becomes the server's
// current time (see WithClock).
func (s *Server) AddAllowlist(domain string, entries ...mailgun.AllowlistEntry) {
	now := s.now()
	batch := slices.Clone(entries)
	for i := range batch {
		if batch[i].Type == "" {
			batch[i].Type = mailgun.AllowlistDomain
			if strings.Contains(batch[i].Value, "@") {
				batch[i].Type = mailgun.AllowlistAddress
			}
		}
		if batch[i].CreatedAt.IsZero() {
			batch[i].CreatedAt = now
		}
	}
	s.storeAllowlist(domain, batch...)
}

// Allowlist returns domain's allowlist in the API's order (by value); it
// is empty for a domain the server has not seen.
func (s *Server) Allowlist(domain string) []mailgun.AllowlistEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allowlist.lists.of(domain, false).values()
}

// Allowlisted reports whether address is protected from domain's bounce
// list: it is on the allowlist itself, or the part after its last "@" is.
// A value without "@" is not an address and is never allowlisted.
func (s *Server) Allowlisted(domain, address string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allowlistedLocked(domain, address)
}

// allowlistedLocked is Allowlisted with s.mu held.
func (s *Server) allowlistedLocked(domain, address string) bool {
	i := strings.LastIndexByte(address, '@')
	if i < 0 {
		return false
	}
	l := s.allowlist.lists.of(domain, false)
	_, exact := l.get(address)
	_, byDomain := l.get(address[i+1:])
	return exact || byDomain
}
