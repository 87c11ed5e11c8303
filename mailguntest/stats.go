package mailguntest

import "net/http"

func (s *Server) statsRoutes(mux *http.ServeMux) {}
