package mailguntest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
)

// allowlistState holds every domain's allowlist.
type allowlistState struct {
	lists suppressionLists[mailgun.AllowlistEntry]
}

// allowlistList is the allowlist's part of the shared suppression
// handlers. It has no JSON batches, and an add names an address or a
// domain.
var allowlistList = &suppressionKind[mailgun.AllowlistEntry, allowlistJSON]{
	name:     "whitelists",
	lists:    func(s *Server) *suppressionLists[mailgun.AllowlistEntry] { return &s.allowlist.lists },
	key:      func(e mailgun.AllowlistEntry) string { return e.Value },
	render:   renderAllowlist,
	notFound: "Address/Domain not found in allowlist table",
	// address wins when both are sent, as on the real API.
	fromForm: func(s *Server, form url.Values) (mailgun.AllowlistEntry, error) {
		return s.newAllowlistEntry(form.Get("address"), form.Get("domain"), form.Get("reason"))
	},
	added: func(e mailgun.AllowlistEntry) map[string]string {
		return map[string]string{
			"message": "Address/Domain has been added to the allowlists table",
			"type":    string(e.Type),
			"value":   e.Value,
		}
	},
	removed: func(value string) map[string]string {
		return map[string]string{"message": "Allowlist address/domain has been removed", "value": value}
	},
	fill: func(e *mailgun.AllowlistEntry, now time.Time) {
		if e.Type == "" {
			e.Type = mailgun.AllowlistDomain
			if strings.Contains(e.Value, "@") {
				e.Type = mailgun.AllowlistAddress
			}
		}
		e.CreatedAt = seedTime(e.CreatedAt, now)
	},
	cleared: "Allowlist addresses/domains for this domain have been removed",
	badForm: errMissingAddressOrDomain.Error(),
	// A CSV row must fill exactly one of the two columns; other rows are skipped.
	columns:  []string{"address", "domain"},
	required: []string{"address", "domain"},
	fromRow: func(s *Server, row map[string]string) (mailgun.AllowlistEntry, bool) {
		if (row["address"] == "") == (row["domain"] == "") {
			return mailgun.AllowlistEntry{}, false
		}
		e, err := s.newAllowlistEntry(row["address"], row["domain"], "")
		return e, err == nil
	},
}

func (s *Server) allowlistRoutes(mux *http.ServeMux) { allowlistList.register(s, mux) }

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

// errMissingAddressOrDomain is the API's answer to an add without either field.
var errMissingAddressOrDomain = suppressionMessage("Missing mandatory parameter: address/domain")

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

// AddAllowlist puts entries on domain's allowlist, replacing entries with
// the same value. An empty Type is AllowlistAddress when Value contains
// "@" and AllowlistDomain otherwise; a zero CreatedAt becomes the server's
// current time (see WithClock).
func (s *Server) AddAllowlist(domain string, entries ...mailgun.AllowlistEntry) {
	allowlistList.seed(s, domain, entries)
}

// Allowlist returns domain's allowlist in the API's order (by value); it
// is empty for a domain the server has not seen.
func (s *Server) Allowlist(domain string) []mailgun.AllowlistEntry {
	return allowlistList.values(s, domain)
}

// Allowlisted reports whether address is protected from domain's bounce
// list: it is on the allowlist itself, or the part after its last "@" is,
// in any letter case. A value without "@" is not an address and is never
// allowlisted.
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
	_, exact := l.lookup(address)
	_, byDomain := l.lookup(address[i+1:])
	return exact || byDomain
}
