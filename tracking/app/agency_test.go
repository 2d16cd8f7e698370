package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/memstore"
	"siaga112/tracking/trackingtest"
)

const agencyAdminToken = "agency-test-admin-token-0123456789"

// client speaks to the API as one principal: a bearer token, or a signed-in
// session (cookie jar and CSRF header).
type client struct {
	t     *testing.T
	base  string
	token string
	csrf  string
	http  *http.Client
}

func (c *client) do(method, path string, body any) (int, []byte) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (c *client) must(method, path string, body any, want int, out any) {
	c.t.Helper()
	code, b := c.do(method, path, body)
	if code != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, code, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

func login(t *testing.T, base, name, password string) *client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &client{t: t, base: base, http: &http.Client{Jar: jar}}
	c.must("POST", "/api/login", map[string]string{"name": name, "password": password}, 200, nil)
	u, _ := http.NewRequest("GET", base, nil)
	for _, k := range jar.Cookies(u.URL) {
		if k.Name == "siaga112_csrf" {
			c.csrf = k.Value
		}
	}
	return c
}

func newAccountsApp(t *testing.T, cfg app.Config) (*app.App, string) {
	t.Helper()
	cfg.NoMQTT, cfg.AdminToken = true, agencyAdminToken
	a, err := app.New(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ts := httptest.NewServer(a.Web)
	t.Cleanup(ts.Close)
	return a, ts.URL
}

type incidentJSON struct {
	tracking.Incident
	Overdue bool `json:"overdue"`
}

// An agency user sees only the incidents its agency leads (or has a unit
// on), with callers' numbers masked; acts only on those; every act is one
// change with the user as the actor; everything else is 404 or 403.
func TestAgencyUserSeesAndActsOnlyOnOwnIncidents(t *testing.T) {
	clk := trackingtest.NewClock()
	a, base := newAccountsApp(t, app.Config{Now: clk.Now})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}

	admin.must("POST", "/api/users", map[string]string{"name": "dinkes1", "role": "agency", "agency": "dinkes", "password": "sehat-selalu-2026"}, 201, nil)
	for _, tc := range []struct {
		name string
		body map[string]string
	}{
		{"unknown agency", map[string]string{"name": "x1", "role": "agency", "agency": "nope", "password": "sehat-selalu-2026"}},
		{"agency role without agency", map[string]string{"name": "x2", "role": "agency", "password": "sehat-selalu-2026"}},
		{"agency on a dispatcher", map[string]string{"name": "x3", "role": "dispatcher", "agency": "dinkes", "password": "sehat-selalu-2026"}},
	} {
		if code, b := admin.do("POST", "/api/users", tc.body); code != 400 {
			t.Errorf("%s: %d %s, want 400", tc.name, code, b)
		}
	}

	var med, fire incidentJSON
	admin.must("POST", "/api/incidents", map[string]any{"category": "medical", "lat": -6.12, "lon": 106.15, "caller": "081234567890", "description": "sesak napas"}, 201, &med)
	admin.must("POST", "/api/incidents", map[string]any{"category": "fire", "lat": -6.12, "lon": 106.15, "caller": "081299990000", "description": "rumah terbakar"}, 201, &fire)
	if med.LeadAgency != "dinkes" || fire.LeadAgency != "damkar" {
		t.Fatalf("leads %s %s", med.LeadAgency, fire.LeadAgency)
	}

	ag := login(t, base, "dinkes1", "sehat-selalu-2026")
	var list []incidentJSON
	ag.must("GET", "/api/incidents", nil, 200, &list)
	if len(list) != 1 || list[0].ID != med.ID {
		t.Fatalf("agency list %+v, want only %s", list, med.ID)
	}
	if list[0].Caller != "********7890" {
		t.Fatalf("caller %q, want masked to the last 4 digits", list[0].Caller)
	}
	ag.must("GET", "/api/incidents?category=fire", nil, 200, &list)
	if len(list) != 0 {
		t.Fatalf("another agency's category: %+v", list)
	}
	ag.must("GET", "/api/incidents?overdue=true", nil, 200, &list)
	if len(list) != 0 {
		t.Fatalf("overdue before the deadline: %+v", list)
	}
	var one incidentJSON
	ag.must("GET", "/api/incidents/"+med.ID, nil, 200, &one)
	if one.Caller != "********7890" {
		t.Fatalf("detail caller %q", one.Caller)
	}

	// Others' incidents do not exist for it.
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/incidents/" + fire.ID, nil},
		{"POST", "/api/incidents/" + fire.ID + "/ack", nil},
		{"POST", "/api/incidents/" + fire.ID + "/notes", map[string]string{"text": "x"}},
		{"POST", "/api/incidents/" + fire.ID + "/done", map[string]string{"outcome": "x"}},
		{"GET", "/api/incidents/NO-SUCH", nil},
	} {
		ag.must(tc.method, tc.path, tc.body, 404, nil)
	}
	// Routes not for agencies.
	for _, tc := range []struct{ method, path string }{
		{"POST", "/api/incidents"}, {"POST", "/api/incidents/" + med.ID + "/dispatch"}, {"POST", "/api/incidents/" + med.ID + "/close"},
		{"GET", "/api/units"}, {"GET", "/api/callers"}, {"GET", "/api/calls"}, {"POST", "/api/calls"}, {"GET", "/api/agencies/compliance"},
		{"GET", "/api/webhooks"}, {"GET", "/api/users"},
	} {
		ag.must(tc.method, tc.path, map[string]string{}, 403, nil)
	}

	clk.Add(90 * 60e9) // 90 min
	var acked incidentJSON
	ag.must("POST", "/api/incidents/"+med.ID+"/ack", nil, 200, &acked)
	if acked.AgencyActedAt == nil || !acked.AgencyActedAt.Equal(clk.Now()) || len(acked.AgencyParts) != 1 || acked.AgencyParts[0].AckedBy != "dinkes1" {
		t.Fatalf("ack %+v", acked)
	}
	ag.must("POST", "/api/incidents/"+med.ID+"/ack", nil, 409, nil)
	ag.must("POST", "/api/incidents/"+med.ID+"/notes", map[string]string{"text": ""}, 400, nil)
	ag.must("POST", "/api/incidents/"+med.ID+"/notes", map[string]string{"text": "bad\x00text"}, 400, nil)
	var noted incidentJSON
	long := "Tim <b>puskesmas</b> menuju lokasi.\n" + strings.Repeat("Kondisi pasien stabil. ", 20)
	ag.must("POST", "/api/incidents/"+med.ID+"/notes", map[string]string{"text": long}, 200, &noted)
	if len(noted.Notes) != 1 || noted.Notes[0].By != "dinkes1" || noted.Notes[0].Agency != "dinkes" || noted.Notes[0].Text != strings.TrimSpace(long) {
		t.Fatalf("notes %+v", noted.Notes)
	}
	clk.Add(3 * 3600e9)
	var done incidentJSON
	ag.must("POST", "/api/incidents/"+med.ID+"/done", map[string]string{"outcome": "pasien dirujuk ke RSUD"}, 200, &done)
	if p := done.AgencyParts[0]; p.DoneAt == nil || p.Outcome != "pasien dirujuk ke RSUD" || p.DoneBy != "dinkes1" {
		t.Fatalf("done %+v", p)
	}
	ag.must("POST", "/api/incidents/"+med.ID+"/done", map[string]string{"outcome": "again"}, 409, nil)

	// The queue: its open incidents, with the clock.
	var q struct {
		Agency    string `json:"agency"`
		Incidents []struct {
			ID    string   `json:"id"`
			LeftS *float64 `json:"left_s"`
		} `json:"incidents"`
	}
	ag.must("GET", "/api/agency/queue", nil, 200, &q)
	if q.Agency != "dinkes" || len(q.Incidents) != 1 || q.Incidents[0].ID != med.ID || q.Incidents[0].LeftS != nil {
		t.Fatalf("queue %+v", q)
	}

	// One change per act, by the agency user, through the store.
	mem := a.Store.(*memstore.Store)
	var acts []string
	for _, e := range mem.Audit() {
		if e.Subject == med.ID && e.Audit.Actor == "dinkes1" {
			acts = append(acts, e.Audit.Action)
		}
	}
	if strings.Join(acts, ",") != "incident.agency_acknowledged,incident.note,incident.agency_done" {
		t.Fatalf("audit by dinkes1: %v", acts)
	}
	// The dispatcher's view keeps the whole number.
	admin.must("GET", "/api/incidents/"+med.ID, nil, 200, &one)
	if one.Caller != "081234567890" {
		t.Fatalf("dispatcher sees %q", one.Caller)
	}
}
