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
		if strings.HasPrefix(r.URL.Path, "/v3/domains/") {
			domains.ServeHTTP(w, r)
			return
		}
		mux.ServeHTTP(w, r)
	})
}
