package httpingest

import (
	"mime"
	"net"
	"net/http"
)

// Misdirected wraps the web port's handler: a tracker pointed at the web
// port (a request to "/" with id, lat and lon, or a Traccar Client JSON
// post) gets 400 saying which port serves the OsmAnd protocol, never the
// map's HTML and never a 200 it would take for "delivered". osmandAddr is
// the OsmAnd listener's address (":5055"); "" when it is turned off.
func Misdirected(osmandAddr string, next http.Handler) http.Handler {
	msg := "this is siaga112's web port; the OsmAnd protocol is turned off on this server (--osmand-listen)"
	if osmandAddr != "" {
		port := osmandAddr
		if _, p, err := net.SplitHostPort(osmandAddr); err == nil {
			port = p
		}
		msg = "this is siaga112's web port; OsmAnd-protocol trackers and Traccar Client send to port " + port
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" && trackerLike(r) {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": msg})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func trackerLike(r *http.Request) bool {
	q := r.URL.Query()
	if (q.Has("id") || q.Has("deviceid")) && q.Has("lat") && q.Has("lon") {
		return true
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && ct == "application/json"
}
