//lint:file-ignore SA1019 the fake serves the Tags API, which Mailgun deprecated.

package mailguntest

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mgkit/mailgun"
	"github.com/mgkit/mailgun/internal/doer"
)

// tagsState holds what the API stores about tags beyond the event log,
// which is where tags come from: a tag exists while an event carries it.
type tagsState struct {
	byDomain map[string]map[string]*tagMeta
}

// tagMeta is a tag's description, and the event number at which it was
// last deleted: older events no longer count for it.
type tagMeta struct {
	description string
	deletedAt   int64
}

// tagView is a tag as listed.
type tagView struct {
	name        string
	description string
	first, last time.Time
}

const tagNotFound = "tag not found"

func (s *Server) tagRoutes(mux *http.ServeMux) {
	s.tags.byDomain = map[string]map[string]*tagMeta{}
	mux.HandleFunc("GET /v3/{domain}/tags", s.listTags)
	mux.HandleFunc("GET /v3/{domain}/tag", s.getTag)
	mux.HandleFunc("PUT /v3/{domain}/tag", s.updateTag)
	mux.HandleFunc("DELETE /v3/{domain}/tag", s.deleteTag)
	mux.HandleFunc("GET /v3/{domain}/tag/stats", s.tagStats)
}

// tagMetaLocked returns the stored part of a tag, creating it when create is set.
func (s *Server) tagMetaLocked(domain, tag string, create bool) *tagMeta {
	domain = domainKey(domain)
	m := s.tags.byDomain[domain]
	if m == nil {
		if !create {
			return nil
		}
		m = map[string]*tagMeta{}
		s.tags.byDomain[domain] = m
	}
	if m[tag] == nil && create {
		m[tag] = &tagMeta{}
	}
	return m[tag]
}

// countsForTag reports whether e counts for tag: it carries the tag and
// arrived after the tag was last deleted.
func (s *Server) countsForTagLocked(e *storedEvent, tag string) bool {
	if !slices.Contains(e.ev.Tags, tag) {
		return false
	}
	m := s.tagMetaLocked(e.domain, tag, false)
	return m == nil || e.seq > m.deletedAt
}

// tagsLocked returns the tags of domain in alphabetical order.
func (s *Server) tagsLocked(domain string) []tagView {
	seen := map[string]*tagView{}
	list := s.events.byDomain[domainKey(domain)]
	for i := range list {
		e := &list[i]
		for _, tag := range e.ev.Tags {
			if tag == "" || !s.countsForTagLocked(e, tag) {
				continue
			}
			v := seen[tag]
			if v == nil {
				v = &tagView{name: tag, first: e.ev.Timestamp, last: e.ev.Timestamp}
				if m := s.tagMetaLocked(domain, tag, false); m != nil {
					v.description = m.description
				}
				seen[tag] = v
			}
			if e.ev.Timestamp.Before(v.first) {
				v.first = e.ev.Timestamp
			}
			if e.ev.Timestamp.After(v.last) {
				v.last = e.ev.Timestamp
			}
		}
	}
	out := make([]tagView, 0, len(seen))
	for _, v := range seen {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b tagView) int { return strings.Compare(a.name, b.name) })
	return out
}

// tagLocked returns the tag of domain called name, if it exists.
func (s *Server) tagLocked(domain, name string) (tagView, bool) {
	for _, v := range s.tagsLocked(domain) {
		if v.name == name {
			return v, true
		}
	}
	return tagView{}, false
}

func renderTag(v tagView) map[string]string {
	return map[string]string{
		"tag":         v.name,
		"description": v.description,
		"first-seen":  v.first.UTC().Format(time.RFC3339Nano),
		"last-seen":   v.last.UTC().Format(time.RFC3339Nano),
	}
}

// listTags pages alphabetically: page=first (the default), next (after
// the tag parameter), prev (before it) or last. Like the API, the next
// and previous links carry an empty tag when there is nothing beyond.
func (s *Server) listTags(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := queryCount(q, "limit", 100, 1, 1000)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	prefix, pivot, page := q.Get("prefix"), q.Get("tag"), q.Get("page")
	domain := r.PathValue("domain")
	s.mu.Lock()
	all := s.tagsLocked(domain)
	s.mu.Unlock()
	var names []tagView
	for _, v := range all {
		if strings.HasPrefix(v.name, prefix) {
			names = append(names, v)
		}
	}
	lo, hi := 0, min(limit, len(names))
	switch page {
	case "", "first":
	case "last":
		lo, hi = max(0, len(names)-limit), len(names)
	case "next":
		if pivot != "" {
			lo, _ = slices.BinarySearchFunc(names, pivot, func(v tagView, p string) int {
				if v.name <= p {
					return -1
				}
				return 1
			})
		}
		hi = min(lo+limit, len(names))
	case "prev":
		hi, _ = slices.BinarySearchFunc(names, pivot, func(v tagView, p string) int { return strings.Compare(v.name, p) })
		lo = max(0, hi-limit)
	default:
		writeError(w, http.StatusBadRequest, "page must be first, last, next or prev")
		return
	}
	items := make([]map[string]string, 0, hi-lo)
	for _, v := range names[lo:hi] {
		items = append(items, renderTag(v))
	}
	link := func(page, tag string) string {
		v := url.Values{"limit": {strconv.Itoa(limit)}, "page": {page}, "tag": {tag}}
		if prefix != "" {
			v.Set("prefix", prefix)
		}
		return baseURL(r) + "/v3/" + doer.EscapeSegment(domain) + "/tags?" + v.Encode()
	}
	next, prev := "", ""
	if hi < len(names) && hi > lo {
		next = names[hi-1].name
	}
	if lo > 0 && hi > lo {
		prev = names[lo].name
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"items": items,
		"paging": map[string]string{
			"first":    link("first", ""),
			"last":     link("last", ""),
			"next":     link("next", next),
			"previous": link("prev", prev),
		},
	})
}

// withTag runs fn with s.mu held on the tag named by the tag parameter,
// and answers 400 without one and 404 for an unknown tag.
func (s *Server) withTag(w http.ResponseWriter, r *http.Request, fn func(domain string, v tagView)) bool {
	name := r.URL.Query().Get("tag")
	if name == "" {
		writeError(w, http.StatusBadRequest, "tag is required")
		return false
	}
	domain := r.PathValue("domain")
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.tagLocked(domain, name)
	if !ok {
		writeError(w, http.StatusNotFound, tagNotFound)
		return false
	}
	fn(domain, v)
	return true
}

func (s *Server) getTag(w http.ResponseWriter, r *http.Request) {
	var tag tagView
	if s.withTag(w, r, func(_ string, v tagView) { tag = v }) {
		writeJSON(w, http.StatusOK, renderTag(tag))
	}
}

// updateTag takes the description as a query parameter (as documented)
// or a form field.
func (s *Server) updateTag(w http.ResponseWriter, r *http.Request) {
	description := r.FormValue("description")
	if s.withTag(w, r, func(domain string, v tagView) { s.tagMetaLocked(domain, v.name, true).description = description }) {
		writeJSON(w, http.StatusOK, map[string]string{"message": "Tag updated"})
	}
}

// deleteTag forgets the tag and its description; events that arrive
// later bring it back.
func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request) {
	if s.withTag(w, r, func(domain string, v tagView) {
		m := s.tagMetaLocked(domain, v.name, true)
		m.description, m.deletedAt = "", s.events.seq
	}) {
		writeJSON(w, http.StatusOK, map[string]string{"message": "Tag deleted"})
	}
}

// tagStats counts the tag's events like the Stats API, optionally only
// those of one provider (recipient domain), device or country.
func (s *Server) tagStats(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var tag tagView
	if !s.withTag(w, r, func(_ string, v tagView) { tag = v }) {
		return
	}
	p, err := s.parseStatsPeriod(q, true)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	domain := r.PathValue("domain")
	filters := map[string]func(*mailgun.Event) string{"provider": providerKey, "device": deviceKey, "country": countryKey}
	keep := func(e *storedEvent) bool {
		if e.domain != domain || !s.countsForTagLocked(e, tag.name) {
			return false
		}
		for name, key := range filters {
			if v := q.Get(name); v != "" && key(&e.ev) != strings.ToLower(v) {
				return false
			}
		}
		return true
	}
	body := s.statsBody(p, keep, "", nil)
	body["tag"], body["description"] = tag.name, tag.description
	writeJSON(w, http.StatusOK, body)
}

// Tags returns the tags of domain in alphabetical order, as the Tags API
// lists them: every tag an event of the domain carries (see AddEvents),
// except those deleted since.
func (s *Server) Tags(domain string) []mailgun.Tag {
	s.mu.Lock()
	defer s.mu.Unlock()
	views := s.tagsLocked(domain)
	out := make([]mailgun.Tag, len(views))
	for i, v := range views {
		out[i] = mailgun.Tag{Name: v.name, Description: v.description, FirstSeen: v.first, LastSeen: v.last}
	}
	return out
}
