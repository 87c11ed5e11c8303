package mailguntest

import (
	"net/http"
	"strings"
)

// state is the fake's data, one part per resource. Every part is guarded by Server.mu.
type state struct {
	alerts         alertsState
	bounces        bouncesState
	allowlist      allowlistState
	unsubscribes   unsubscribesState
	complaints     complaintsState
	webhooks       webhooksState
	tracking       trackingState
	events         eventsState // also the source of stats, metrics and logs
	messages       messagesState
	domains        domainsState
	tags           tagsState
	domainWebhooks domainWebhooksState // v3 and v4 domain webhooks share it
	templates      templatesState
}

// routes registers every endpoint, initialises each resource's state, and
// returns the handler of the API.
//
// Paths under /v3/domains/ get a mux of their own: Go's ServeMux refuses
// "/v3/domains/{name}/tracking" next to "/v3/{domain}/bounces/{address}",
// since each matches a path the other does not, while Mailgun reads
// "domains" as a keyword (no domain name lacks a dot).
func (s *Server) routes() http.Handler {
	mux, domains := http.NewServeMux(), http.NewServeMux()
	s.alertRoutes(mux)
	s.bounceRoutes(mux)
	s.allowlistRoutes(mux)
	s.unsubscribeRoutes(mux)
	s.complaintRoutes(mux)
	s.webhookRoutes(mux)
	s.trackingRoutes(mux, domains)
	s.eventRoutes(mux)
	s.statsRoutes(mux)
	s.metricsRoutes(mux)
	s.logsRoutes(mux)
	s.messageRoutes(mux, domains)
	s.domainRoutes(mux, domains)
	s.tagRoutes(mux)
	s.domainWebhookRoutes(mux, domains)
	s.templateRoutes(mux)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = lowerDomainSegment(r)
		if strings.HasPrefix(r.URL.Path, "/v3/domains/") {
			domains.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// domainKey is how per-domain state is keyed: domain names are
// case-insensitive, so by the lower-case name.
func domainKey(domain string) string { return strings.ToLower(domain) }

// lowerDomainSegment returns r with the sending domain of its path in
// lower case (/v3/{domain}/..., /v3/domains/{name}/..., and the same under
// /v4), so that every handler of per-domain state keys it by one name
// whatever the case a client wrote: domain names are case-insensitive.
// r itself is not changed; the request log keeps the path as sent.
func lowerDomainSegment(r *http.Request) *http.Request {
	i := domainSegment(r.URL.Path)
	if i < 0 {
		return r
	}
	lower := func(p string) string {
		segs := strings.SplitN(p, "/", i+2)
		if len(segs) <= i {
			return p
		}
		segs[i] = domainKey(segs[i])
		return strings.Join(segs, "/")
	}
	p := lower(r.URL.Path)
	if p == r.URL.Path {
		return r
	}
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Path, u.RawPath = p, lower(r.URL.RawPath)
	r2.URL = &u
	return r2
}

// domainSegment is the index, in the path split at "/", of the segment
// that names a sending domain, or -1: "/v3/{domain}/..." gives 2 (but not
// /v3/domains or /v3/stats, which are not domains), "/v3/domains/{name}"
// and "/v4/domains/{name}" give 3.
func domainSegment(path string) int {
	segs := strings.SplitN(path, "/", 5)
	switch {
	case len(segs) < 4 || segs[0] != "":
		return -1
	case (segs[1] == "v3" || segs[1] == "v4") && segs[2] == "domains":
		return 3
	case segs[1] == "v3" && segs[2] != "stats":
		return 2
	}
	return -1
}
