package mailguntest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/mgkit/mailgun"
)

// unsubscribesState holds every domain's unsubscribe list.
type unsubscribesState struct {
	lists suppressionLists[mailgun.Unsubscribe]
}

// unsubscribeList is the unsubscribe list's part of the shared suppression
// handlers. Adding an address that is already on the list adds its tags to
// the record (and takes the new created_at), so an address unsubscribed
// from two tags in two calls has both.
var unsubscribeList = &suppressionKind[mailgun.Unsubscribe, unsubscribeJSON]{
	name:     "unsubscribes",
	lists:    func(s *Server) *suppressionLists[mailgun.Unsubscribe] { return &s.unsubscribes.lists },
	key:      func(u mailgun.Unsubscribe) string { return u.Address },
	render:   renderUnsubscribe,
	notFound: "Address not found in unsubscribers table",
	// The reference names the form field "tags"; Mailgun's samples and SDKs
	// send "tag". Both are read, each possibly repeated.
	fromForm: func(s *Server, form url.Values) (mailgun.Unsubscribe, error) {
		address, err := formAddress(form)
		if err != nil {
			return mailgun.Unsubscribe{}, err
		}
		return s.newUnsubscribe(address, append(slices.Clone(form["tag"]), form["tags"]...), form.Get("created_at"))
	},
	fromRecord: func(s *Server, raw json.RawMessage) (mailgun.Unsubscribe, error) {
		var rec struct {
			Address   string   `json:"address"`
			Tags      []string `json:"tags"`
			Tag       string   `json:"tag"`
			CreatedAt string   `json:"created_at"`
		}
		if err := json.Unmarshal(raw, &rec); err != nil {
			return mailgun.Unsubscribe{}, fmt.Errorf("invalid unsubscribe record (tags must be an array of strings): %s", raw)
		}
		if rec.Tag != "" {
			rec.Tags = append(rec.Tags, rec.Tag)
		}
		return s.newUnsubscribe(rec.Address, rec.Tags, rec.CreatedAt)
	},
	merge: func(old, added mailgun.Unsubscribe) mailgun.Unsubscribe {
		tags := slices.Clone(old.Tags)
		for _, t := range added.Tags {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		added.Tags = tags
		return added
	},
	added: func(u mailgun.Unsubscribe) map[string]string { return addedMessage("unsubscribes", u.Address) },
	fill: func(u *mailgun.Unsubscribe, now time.Time) {
		u.Tags = unsubscribeTags(u.Tags)
		u.CreatedAt = seedTime(u.CreatedAt, now)
	},
	addedN:   batchMessage("addresses", "unsubscribes"),
	removed:  removedMessage("Unsubscribe event has been removed"),
	cleared:  "Unsubscribe addresses for this domain have been removed",
	columns:  []string{"address", "tags", "created_at"},
	required: []string{"address"},
	fromRow: func(s *Server, row map[string]string) (mailgun.Unsubscribe, bool) {
		var tags []string
		if row["tags"] != "" {
			tags = []string{row["tags"]}
		}
		u, err := s.newUnsubscribe(row["address"], tags, row["created_at"])
		return u, err == nil
	},
}

func (s *Server) unsubscribeRoutes(mux *http.ServeMux) { unsubscribeList.register(s, mux) }

// unsubscribeJSON is an unsubscribe as the API sends it; tags is never null.
type unsubscribeJSON struct {
	Address   string   `json:"address"`
	Tags      []string `json:"tags"`
	CreatedAt string   `json:"created_at"`
}

func renderUnsubscribe(u mailgun.Unsubscribe) unsubscribeJSON {
	tags := u.Tags
	if tags == nil {
		tags = []string{}
	}
	return unsubscribeJSON{Address: u.Address, Tags: tags, CreatedAt: suppressionTime(u.CreatedAt)}
}

// newUnsubscribe checks one record as the API would and fills its
// defaults: no tag is mailgun.AllTags; a blank tag is refused.
func (s *Server) newUnsubscribe(address string, tags []string, createdAt string) (mailgun.Unsubscribe, error) {
	t, err := checkSuppressionRecord(s, address, createdAt)
	if err != nil {
		return mailgun.Unsubscribe{}, err
	}
	if slices.ContainsFunc(tags, blank) {
		return mailgun.Unsubscribe{}, fmt.Errorf("'tags' parameter has an empty tag")
	}
	return mailgun.Unsubscribe{Address: address, Tags: unsubscribeTags(tags), CreatedAt: t}, nil
}

// unsubscribeTags returns tags without repeats, or [AllTags] when empty.
func unsubscribeTags(tags []string) []string {
	if len(tags) == 0 {
		return []string{mailgun.AllTags}
	}
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// isUnsubscribedLocked reports whether domain's unsubscribe list stops a
// message with tags to address: the address (in any letter case)
// is unsubscribed from all of the domain's mail, or from one of tags. The
// caller holds s.mu.
func (s *Server) isUnsubscribedLocked(domain, address string, tags []string) bool {
	u, ok := s.unsubscribes.lists.of(domain, false).lookup(address)
	return ok && u.Blocks(tags...)
}

// AddUnsubscribes puts unsubscribes on domain's unsubscribe list, as if
// the recipients had clicked an unsubscribe link. Tags are added to those
// an address already has; no Tags means mailgun.AllTags. A zero CreatedAt
// becomes the server's current time (see WithClock).
func (s *Server) AddUnsubscribes(domain string, unsubscribes ...mailgun.Unsubscribe) {
	unsubscribeList.seed(s, domain, unsubscribes)
}

// Unsubscribes returns domain's unsubscribe list in the API's order (by
// address); it is empty for a domain the server has not seen.
func (s *Server) Unsubscribes(domain string) []mailgun.Unsubscribe {
	return unsubscribeList.values(s, domain)
}

// Unsubscribed reports whether domain's unsubscribe list stops a message
// carrying tags to address: the address (in any letter case) is
// unsubscribed from all of the domain's mail (mailgun.AllTags) or from one
// of tags.
func (s *Server) Unsubscribed(domain, address string, tags ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isUnsubscribedLocked(domain, address, tags)
}
