package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"siaga112/tracking/app"
	"siaga112/tracking/trackingtest"
)

// An agency user's live feed carries its own incidents only, numbers
// masked: never the shared feed's.
func TestAgencyLiveFeedOnlyItsIncidentsMasked(t *testing.T) {
	clk := trackingtest.NewClock()
	_, base := newAccountsApp(t, app.Config{Now: clk.Now})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	admin.must("POST", "/api/users", map[string]string{"name": "bpbd1", "role": "agency", "agency": "bpbd", "password": "siaga-bencana-2026"}, 201, nil)
	var own incidentJSON
	admin.must("POST", "/api/incidents", map[string]any{"category": "fallen_tree", "lat": -6.12, "lon": 106.15, "caller": "081234560001", "description": "pohon"}, 201, &own)
	admin.must("POST", "/api/incidents", map[string]any{"category": "fire", "lat": -6.12, "lon": 106.15, "caller": "081234560002", "description": "api"}, 201, nil)

	ag := login(t, base, "bpbd1", "siaga-bencana-2026")
	u, _ := http.NewRequest("GET", base, nil)
	var cookies []string
	for _, c := range ag.http.Jar.Cookies(u.URL) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(base, "http", "ws", 1)+"/api/live", &websocket.DialOptions{HTTPHeader: http.Header{"Cookie": {strings.Join(cookies, "; ")}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	type msg struct {
		Type      string         `json:"type"`
		Action    string         `json:"action"`
		Incidents []incidentJSON `json:"incidents"`
		Incident  *incidentJSON  `json:"incident"`
	}
	read := func() msg {
		_, b, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var m msg
		json.Unmarshal(b, &m)
		return m
	}
	snap := read()
	if snap.Type != "snapshot" || len(snap.Incidents) != 1 || snap.Incidents[0].ID != own.ID || snap.Incidents[0].Caller != "********0001" {
		t.Fatalf("snapshot %+v", snap)
	}
	// Another agency's incident passes unseen; its own arrives masked.
	admin.must("POST", "/api/incidents", map[string]any{"category": "medical", "lat": -6.12, "lon": 106.15, "caller": "081234560003", "description": "x"}, 201, nil)
	var next incidentJSON
	admin.must("POST", "/api/incidents", map[string]any{"category": "disaster", "lat": -6.12, "lon": 106.15, "caller": "081234560004", "description": "banjir"}, 201, &next)
	m := read()
	if m.Type != "incident" || m.Incident == nil || m.Incident.ID != next.ID || m.Incident.Caller != "********0004" {
		t.Fatalf("first event %+v, want only %s", m, next.ID)
	}
}
