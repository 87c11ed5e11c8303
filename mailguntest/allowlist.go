package mailguntest

import "net/http"

type allowlistState struct{}

func (s *Server) allowlistRoutes(mux *http.ServeMux) {}
