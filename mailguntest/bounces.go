package mailguntest

import "net/http"

type bouncesState struct{}

func (s *Server) bounceRoutes(mux *http.ServeMux) {}
