package mailguntest

import "net/http"

func (s *Server) metricsRoutes(mux *http.ServeMux) {}
