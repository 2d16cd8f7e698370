package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
)

// Issue 22 (13) against a real PostgreSQL outage: once the incident-number
// reserve is spent, POST /api/incidents answers 503, and so does /healthz.
// Both say when to come back (Retry-After, whole seconds) and neither
// sentence carries the driver's error: the incidents 503 used to name the
// database's user, name, host and port.
func TestOutage503sSayRetryAfterAndNoDriverError(t *testing.T) {
	db := pgtest.URL(t)
	proxy := pgtest.StartProxy(t, pgtest.Target(db))
	a, err := app.New(context.Background(), app.Config{NoMQTT: true, OpenAPI: true, DB: proxy.Via(db)}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	api := httptest.NewServer(a.Web)
	defer api.Close()
	// What a driver's error names, and must stay in the log.
	leaks := []string{"user=", "database=", proxy.Addr(), "dial", "127.0.0.1", "connect:", "refused", "failed to"}
	check := func(t *testing.T, what string, resp *http.Response, body string) {
		t.Helper()
		if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 {
			t.Errorf("%s: 503 with Retry-After %q; want whole seconds", what, resp.Header.Get("Retry-After"))
		}
		for _, l := range leaks {
			if strings.Contains(body, l) {
				t.Errorf("%s: the answer names %q: %s", what, l, body)
			}
		}
	}
	do := func(method, path, body string) (*http.Response, string) {
		req, _ := http.NewRequest(method, api.URL+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, body := do("GET", "/healthz", ""); resp.StatusCode != 200 {
		t.Fatalf("healthz before the outage: %d %s", resp.StatusCode, body)
	}
	proxy.Cut()
	incident := `{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"0811"}`
	var resp *http.Response
	var body string
	for i := 0; i < 200; i++ { // the reserve is at most 40 numbers
		if resp, body = do("POST", "/api/incidents", incident); resp.StatusCode == 503 {
			break
		}
		if resp.StatusCode != 201 && resp.StatusCode != 429 {
			t.Fatalf("incident %d during the outage: %d %s", i, resp.StatusCode, body)
		}
	}
	if resp.StatusCode != 503 || !strings.Contains(body, "incident number") {
		t.Fatalf("the reserve never ran out: %d %s", resp.StatusCode, body)
	}
	check(t, "POST /api/incidents", resp, body)

	deadline := time.Now().Add(10 * time.Second)
	for resp, body = do("GET", "/healthz", ""); resp.StatusCode != 503; resp, body = do("GET", "/healthz", "") {
		if time.Now().After(deadline) {
			t.Fatalf("healthz during the outage: %d %s", resp.StatusCode, body)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(body, `"database":"database unreachable`) {
		t.Errorf("healthz does not name the outage: %s", body)
	}
	check(t, "GET /healthz", resp, body)
}
