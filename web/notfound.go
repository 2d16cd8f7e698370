package web

import (
	"fmt"
	"net/http"
	"strings"
)

// apiMethods are the methods the API answers; each has a catch-all
// pattern under /api/ so that no API path falls through to the page's files.
var apiMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

func apiCatchAll(method string) string {
	if method == http.MethodHead {
		method = http.MethodGet
	}
	return method + " /api/"
}

// routeAPIFallback registers the catch-alls: an unknown /api/ path answers
// 404 whatever the method, a known path with the wrong method 405 with
// Allow, both as the API's JSON error.
func (s *Server) routeAPIFallback(mux *http.ServeMux) {
	h := func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range apiMethods {
			probe := r.Clone(r.Context())
			probe.Method = m
			if _, pattern := mux.Handler(probe); pattern != "" && pattern != apiCatchAll(m) {
				allow = append(allow, m)
			}
		}
		if len(allow) == 0 {
			writeJSON(w, http.StatusNotFound, errorBody{Error: fmt.Sprintf("no API route %s %s", r.Method, r.URL.Path)})
			return
		}
		if allow[0] == http.MethodGet {
			allow = append(allow, http.MethodHead)
		}
		a := strings.Join(allow, ", ")
		w.Header().Set("Allow", a)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: fmt.Sprintf("%s %s is not allowed; use %s", r.Method, r.URL.Path, a)})
	}
	for _, m := range apiMethods {
		mux.HandleFunc(apiCatchAll(m), h)
	}
	s.apiFallback = h
}

// otherMethods answers methods the API has no catch-all for (OPTIONS,
// TRACE, inventions) on /api/ paths with the same JSON sentences.
func (s *Server) otherMethods(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		default:
			if strings.HasPrefix(r.URL.Path, "/api/") {
				s.apiFallback(w, r)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
