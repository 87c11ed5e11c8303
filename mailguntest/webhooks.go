package mailguntest

import "net/http"

type webhooksState struct{}

func (s *Server) webhookRoutes(mux *http.ServeMux) {}
