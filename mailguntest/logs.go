package mailguntest

import "net/http"

func (s *Server) logsRoutes(mux *http.ServeMux) {}
