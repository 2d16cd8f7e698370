package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/webhook"
)

// webhookMux registers the routes as the lead will (without the guard).
func webhookMux(svc WebhookService) http.Handler {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/webhooks", s.postWebhook(svc))
	mux.HandleFunc("GET /api/webhooks", s.listWebhooks(svc))
	mux.HandleFunc("DELETE /api/webhooks/{id}", s.deleteWebhook(svc))
	mux.HandleFunc("GET /api/webhooks/{id}/deliveries", s.webhookDeliveries(svc))
	return mux
}

func TestWebhookRoutes(t *testing.T) {
	svc := webhook.New(webhook.Config{Outbox: webhook.NewMemory()})
	h := webhookMux(svc)
	do := func(method, path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		return rec
	}
	rec := do("POST", "/api/webhooks", `{"url":"https://gw.example/wa","events":["incident.overdue","incident.deadline_warning"],"secret":"0123456789abcdef"}`)
	if rec.Code != http.StatusCreated || strings.Contains(rec.Body.String(), "0123456789abcdef") {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var hook tracking.Webhook
	json.Unmarshal(rec.Body.Bytes(), &hook)

	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"bad scheme", "POST", "/api/webhooks", `{"url":"gopher://x","events":["incident.overdue"],"secret":"0123456789abcdef"}`, 400, "http:// or https://"},
		{"unknown field", "POST", "/api/webhooks", `{"url":"https://x","events":["incident.overdue"],"secret":"0123456789abcdef","x":1}`, 400, "error"},
		{"unknown event", "POST", "/api/webhooks", `{"url":"https://x","events":["unit.moved"],"secret":"0123456789abcdef"}`, 400, "unknown event"},
		{"loopback target", "POST", "/api/webhooks", `{"url":"http://127.0.0.1:8080/","events":["incident.overdue"],"secret":"0123456789abcdef"}`, 400, "loopback"},
		{"loopback v6 target", "POST", "/api/webhooks", `{"url":"http://[::1]/","events":["incident.overdue"],"secret":"0123456789abcdef"}`, 400, "loopback"},
		{"cloud metadata target", "POST", "/api/webhooks", `{"url":"http://169.254.169.254/latest/meta-data/","events":["incident.overdue"],"secret":"0123456789abcdef"}`, 400, "link-local"},
		{"private target", "POST", "/api/webhooks", `{"url":"http://10.0.0.1/","events":["incident.overdue"],"secret":"0123456789abcdef"}`, 400, "private"},
		{"name of a loopback target", "POST", "/api/webhooks", `{"url":"http://localhost/","events":["incident.overdue"],"secret":"0123456789abcdef"}`, 400, "localhost resolves to 127.0.0.1"},
		{"list hides secrets", "GET", "/api/webhooks", "", 200, hook.ID},
		{"log", "GET", "/api/webhooks/" + hook.ID + "/deliveries", "", 200, "[]"},
		{"bad limit", "GET", "/api/webhooks/" + hook.ID + "/deliveries?limit=0", "", 400, "limit"},
		{"log of unknown", "GET", "/api/webhooks/wh_nope/deliveries", "", 404, "no webhook"},
		{"delete", "DELETE", "/api/webhooks/" + hook.ID, "", 204, ""},
		{"delete again", "DELETE", "/api/webhooks/" + hook.ID, "", 404, "no webhook"},
		{"empty list", "GET", "/api/webhooks", "", 200, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(tc.method, tc.path, tc.body)
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) || strings.Contains(rec.Body.String(), "0123456789abcdef") {
				t.Fatalf("%s %s: %d %s", tc.method, tc.path, rec.Code, rec.Body)
			}
		})
	}
}

var _ WebhookService = (*webhook.Service)(nil)
