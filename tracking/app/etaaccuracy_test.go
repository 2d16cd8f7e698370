package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
	"siaga112/tracking/trackingtest"
)

// The same dispatches and tracks, played through the API into a server in
// memory and one with --db, give the same ETA accuracy report, with the
// numbers worked out here.
func TestETAAccuracyMemoryAndDatabaseAgree(t *testing.T) {
	answers := map[string][]byte{}
	for _, mode := range []string{"memory", "database"} {
		t.Run(mode, func(t *testing.T) {
			cfg := app.Config{}
			if mode == "database" {
				cfg.DB = pgtest.URL(t)
			}
			answers[mode] = playETAHistory(t, cfg)
		})
	}
	if m, d := string(answers["memory"]), string(answers["database"]); m == "" || d == "" {
		t.Skip("one mode did not run")
	} else if m != d {
		t.Fatalf("memory and database disagree:\nmemory   %s\ndatabase %s", m, d)
	}
}

func playETAHistory(t *testing.T, cfg app.Config) []byte {
	clk := trackingtest.NewClock()
	cfg.Now = clk.Now
	a, base := newAccountsApp(t, cfg)
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	ctx := context.Background()
	fire, med := orb.Point{106.177791, -6.110699}, orb.Point{106.150000, -6.120000}
	// Each unit drives straight at its incident at a steady pace; a fix
	// every 30 s.
	type drive struct {
		id, incident string
		typ          tracking.UnitType
		from         orb.Point
		startM       float64 // metres out at dispatch
		mps          float64 // closing speed; 0: parked
	}
	drives := []drive{
		{"DMK-1", "fire", tracking.FireTruck, fire, 2000, 10},  // within 100 m after 190 s: the fix at 210 s
		{"AMB-1", "medical", tracking.Ambulance, med, 3000, 8}, // 362.5 s: the fix at 390 s
		{"AMB-2", "medical", tracking.Ambulance, med, 1500, 0}, // never comes
	}
	at := func(d drive, secs float64) orb.Point {
		return geo.Destination(d.from, 200, math.Max(0, d.startM-d.mps*secs))
	}
	fixAll := func(secs float64) {
		for _, d := range drives {
			p := at(d, secs)
			if _, err := a.Units.ApplyFix(d.id, tracking.Position{Lon: p[0], Lat: p[1], At: clk.Now(), Battery: -1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, d := range drives {
		if _, _, err := a.Units.Register(ctx, tracking.Registration{ID: d.id, Type: d.typ, Agency: "test"}, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	fixAll(0)
	clk.Add(10 * time.Second)
	etas := map[string]float64{}
	for _, c := range []struct {
		category string
		p        orb.Point
		units    []string
	}{{"fire", fire, []string{"DMK-1"}}, {"medical", med, []string{"AMB-1", "AMB-2"}}} {
		var in tracking.Incident
		admin.must("POST", "/api/incidents", map[string]any{"category": c.category, "lat": c.p[1], "lon": c.p[0], "caller": "081234567890", "description": "uji"}, 201, &in)
		var res struct {
			Assigned []tracking.Assignment `json:"assigned"`
		}
		admin.must("POST", "/api/incidents/"+in.ID+"/dispatch", map[string]any{"unit_ids": c.units}, 200, &res)
		for _, as := range res.Assigned {
			if as.EtaModel != "detour" || !(as.ETASeconds > 0) {
				t.Fatalf("assignment %+v: want a detour ETA", as)
			}
			etas[as.UnitID] = as.ETASeconds
		}
	}
	for secs := 30.0; secs <= 600; secs += 30 {
		clk.Add(30 * time.Second)
		fixAll(secs)
	}
	if a.Postgres != nil {
		if err := a.Postgres.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	planner := &client{t: t, base: base, token: issueToken(t, a, tracking.RolePlanner), http: http.DefaultClient}
	code, body := planner.do("GET", "/api/analytics/eta-accuracy", nil)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	groups := raw["groups"].([]any)
	want := []string{
		// Ambulances: AMB-1 took 390 s; AMB-2 never came.
		fmt.Sprintf(`ambulance detour count 1 without 1 error %.1f`, 390-etas["AMB-1"]),
		fmt.Sprintf(`fire_truck detour count 1 without 0 error %.1f`, 210-etas["DMK-1"]),
	}
	if len(groups) != len(want) || raw["assignments"] != 3.0 || raw["count"] != 2.0 || raw["without_fix"] != 1.0 {
		t.Fatalf("answer %s", body)
	}
	for i, g := range groups {
		m := g.(map[string]any)
		s := fmt.Sprintf("%s %s count %v without %v error %.1f", m["type"], m["eta_model"], m["count"], m["without_fix"], m["error_p50_s"])
		if s != want[i] || m["error_p90_s"] != m["error_p50_s"] {
			t.Errorf("group %d: %s, want %s (%s)", i, s, want[i], body)
		}
	}
	// Only the last seconds, and one type.
	code, body = planner.do("GET", "/api/analytics/eta-accuracy?type=fire_truck&from="+clk.Now().Add(-time.Second).Format(time.RFC3339), nil)
	if code != 200 || string(body) == "" {
		t.Fatalf("%d %s", code, body)
	}
	if err := json.Unmarshal(body, &raw); err != nil || raw["assignments"] != 0.0 || len(raw["groups"].([]any)) != 0 {
		t.Fatalf("a window without dispatches: %s", body)
	}
	code, body = planner.do("GET", "/api/analytics/eta-accuracy?type=fire_truck", nil)
	if err := json.Unmarshal(body, &raw); code != 200 || err != nil || raw["assignments"] != 1.0 {
		t.Fatalf("fire trucks only: %d %s", code, body)
	}
	code, body = planner.do("GET", "/api/analytics/eta-accuracy?format=csv", nil)
	if lines := strings.Split(strings.TrimSpace(string(body)), "\n"); code != 200 || len(lines) != 3 ||
		!strings.HasPrefix(lines[2], fmt.Sprintf("fire_truck,detour,1,0,%g,", 210-etas["DMK-1"])) {
		t.Fatalf("CSV: %d %s", code, body)
	}
	_, body = planner.do("GET", "/api/analytics/eta-accuracy", nil)
	return body
}

func issueToken(t *testing.T, a *app.App, role tracking.Role) string {
	t.Helper()
	_, tok, err := a.Accounts.IssueToken(context.Background(), "eta-"+string(role), role, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
