package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"siaga112/tracking/app"
)

// Issue 22, finding 23, over HTTP on the server as it starts by default:
// webhooks aimed at the server itself or internal networks are 400 with a
// sentence naming the address and the flag (before, each was 201).
func TestWebhookInternalTargetsRefusedOverHTTP(t *testing.T) {
	_, base := newAccountsApp(t, app.Config{})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	for _, tc := range []struct{ name, url, kind string }{
		{"loopback", "http://127.0.0.1:8080/hook", "loopback"},
		{"loopback v6", "http://[::1]:8080/hook", "loopback"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", "link-local"},
		{"private", "http://10.0.0.1/hook", "private"},
		{"a name resolving to loopback", "http://localhost:5432/", "loopback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, b := admin.do("POST", "/api/webhooks", map[string]any{"url": tc.url, "events": []string{"incident.created"}, "secret": "a-webhook-secret-of-some-length"})
			var e struct{ Error string }
			json.Unmarshal(b, &e)
			if code != http.StatusBadRequest || !strings.Contains(e.Error, tc.kind) || !strings.Contains(e.Error, "--webhook-allow-private") {
				t.Fatalf("%d %s, want 400 naming %q and the flag", code, b, tc.kind)
			}
		})
	}
	var hooks []json.RawMessage
	admin.must("GET", "/api/webhooks", nil, 200, &hooks)
	if len(hooks) != 0 {
		t.Fatalf("%d webhooks stored", len(hooks))
	}
}

// Issue 22, finding 22, as a centre meets it: two receivers on the
// centre's network (--webhook-allow-private), one accepting and never
// answering; 30 incidents created over the API 50 ms apart reach the
// healthy receiver each within 2 s of its 201 (before: 3 did).
func TestHangingReceiverDelaysOnlyItselfOverHTTP(t *testing.T) {
	hang := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(hang); hanging.Close() })
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	healthy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body struct{ Data struct{ ID string } }
		json.Unmarshal(b, &body)
		mu.Lock()
		if _, dup := arrived[body.Data.ID]; !dup {
			arrived[body.Data.ID] = time.Now()
		}
		mu.Unlock()
	}))
	t.Cleanup(healthy.Close)

	_, base := newAccountsApp(t, app.Config{WebhookAllowPrivate: true}) // the webhook service's defaults otherwise
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	for _, u := range []string{hanging.URL, healthy.URL} {
		admin.must("POST", "/api/webhooks", map[string]any{"url": u, "events": []string{"incident.created"}, "secret": "a-webhook-secret-of-some-length"}, 201, nil)
	}
	created := map[string]time.Time{}
	for range 30 {
		var in incidentJSON
		admin.must("POST", "/api/incidents", map[string]any{"category": "medical", "lat": -6.12, "lon": 106.15, "caller": "081311112222", "description": "sesak napas"}, 201, &in)
		created[in.ID] = time.Now()
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2500 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	late, worst := 0, time.Duration(0)
	for id, at := range created {
		got, ok := arrived[id]
		if !ok || got.Sub(at) > 2*time.Second {
			late++
			continue
		}
		worst = max(worst, got.Sub(at))
	}
	t.Logf("healthy receiver: %d of %d incidents within 2 s of their 201 (worst %v)", len(created)-late, len(created), worst.Round(time.Millisecond))
	if late > 0 {
		t.Fatalf("%d of %d incidents did not reach the healthy receiver within 2 s while another receiver hung", late, len(created))
	}
}
