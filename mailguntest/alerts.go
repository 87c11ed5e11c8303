package mailguntest

import "net/http"

type alertsState struct{}

func (s *Server) alertRoutes(mux *http.ServeMux) {}
