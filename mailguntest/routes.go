package mailguntest

import "net/http"

// state is the fake's data, one part per resource. Every part is guarded by Server.mu.
type state struct {
	alerts    alertsState
	bounces   bouncesState
	allowlist allowlistState
	webhooks  webhooksState
	tracking  trackingState
	events    eventsState // also the source of stats, metrics and logs
}

// routes registers every endpoint and initialises each resource's state.
func (s *Server) routes(mux *http.ServeMux) {
	s.alertRoutes(mux)
	s.bounceRoutes(mux)
	s.allowlistRoutes(mux)
	s.webhookRoutes(mux)
	s.trackingRoutes(mux)
	s.eventRoutes(mux)
	s.statsRoutes(mux)
	s.metricsRoutes(mux)
	s.logsRoutes(mux)
}
