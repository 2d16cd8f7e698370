package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The literal-route map answers exactly as the mux would: the same pattern
// (so the same handler) for every route and method, and the mux's own
// answer (404, 405, a redirect) for near misses.
func TestLiteralRoutesPickWhatTheMuxPicks(t *testing.T) {
	s, _ := fullStack(t)
	routes := s.srv.Routes()
	mux := http.NewServeMux()
	for _, p := range routes {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { w.Header().Set("X-Pattern", r.Pattern) })
	}
	lr := newLiteralRoutes(mux, routes)
	if _, ok := lr.get["/api/units/nearest"]; !ok {
		t.Fatalf("the nearest route is not in the map: %v", lr.get)
	}
	var targets []string
	for _, p := range routes {
		_, path, _ := strings.Cut(p, " ")
		path = strings.NewReplacer("{id}", "x1", "{name}", "x1", "{number}", "0812", "{unit}", "x2", "{code}", "x3").Replace(path)
		targets = append(targets, path, path+"/", strings.Replace(path, "/", "//", 2), strings.ToUpper(path),
			strings.Replace(path, "/api/", "/api/./", 1), strings.Replace(path, "s/", "s%2F", 1), strings.Replace(path, "a", "%61", 1), path+"?q=1")
	}
	for _, method := range []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"} {
		for _, target := range targets {
			want, got := httptest.NewRecorder(), httptest.NewRecorder()
			mux.ServeHTTP(want, httptest.NewRequest(method, target, nil))
			lr.ServeHTTP(got, httptest.NewRequest(method, target, nil))
			if want.Code != got.Code || want.Header().Get("X-Pattern") != got.Header().Get("X-Pattern") || want.Header().Get("Location") != got.Header().Get("Location") {
				t.Errorf("%s %s: map %d %q, mux %d %q", method, target, got.Code, got.Header().Get("X-Pattern"), want.Code, want.Header().Get("X-Pattern"))
			}
		}
	}
}
