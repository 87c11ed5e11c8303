package mailguntest

import "net/http"

type trackingState struct{}

func (s *Server) trackingRoutes(mux *http.ServeMux) {}
