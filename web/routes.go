package web

import "net/http"

// routeRecorder is the mux, noting each pattern registered so that a test
// can hold the OpenAPI description to the routes actually served.
type routeRecorder struct {
	*http.ServeMux
	patterns *[]string
}

func (m routeRecorder) Handle(pattern string, h http.Handler) {
	*m.patterns = append(*m.patterns, pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m routeRecorder) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

// Routes lists the patterns the server answers, in registration order.
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }
