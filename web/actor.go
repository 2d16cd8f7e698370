package web

import "net/http"

// actor names who makes a change: the authenticated principal, recorded in
// the audit trail and on assignments. An open API (no accounts configured)
// records "anonymous".
func actor(r *http.Request) string {
	if p, ok := principalOf(r); ok && p.Name != "" {
		return p.Name
	}
	return "anonymous"
}
