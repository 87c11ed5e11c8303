package mailguntest

import "net/http"

type eventsState struct{}

func (s *Server) eventRoutes(mux *http.ServeMux) {}
