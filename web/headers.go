package web

import (
	"net/http"
	"net/url"
	"strings"
)

// contentSecurityPolicy allows scripts and styles from this server only,
// images from it and the tile host, the live feed to this server, and no
// framing: a string that slips into the page as markup still runs nothing.
func contentSecurityPolicy(tiles string) string {
	img := "'self' data:"
	if h := tileSource(tiles); h != "" {
		img += " " + h
	}
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self'",
		"img-src " + img,
		"connect-src 'self'",
		"font-src 'self'",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; ")
}

// tileSource is the CSP source of a tile URL template: its scheme and host,
// with Leaflet's {s} subdomain as a wildcard; "" for tiles on this server.
func tileSource(tiles string) string {
	u, err := url.Parse(strings.NewReplacer("{s}", "s", "{z}", "0", "{x}", "0", "{y}", "0", "{r}", "").Replace(tiles))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	host := u.Host
	if i := strings.Index(tiles, "{s}."); i >= 0 && strings.HasPrefix(host, "s.") {
		host = "*." + strings.TrimPrefix(host, "s.")
	}
	return u.Scheme + "://" + host
}

// securityHeaders sets the headers every answer carries.
func securityHeaders(csp string, next http.Handler) http.Handler {
	// The values are built once and shared by every answer (assigned,
	// never appended to): no allocation per request.
	cspV, nosniff, deny, noRef := []string{csp}, []string{"nosniff"}, []string{"DENY"}, []string{"no-referrer"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Security-Policy"] = cspV
		h["X-Content-Type-Options"] = nosniff
		h["X-Frame-Options"] = deny
		h["Referrer-Policy"] = noRef
		next.ServeHTTP(w, r)
	})
}
