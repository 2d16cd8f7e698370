package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
)

func (s *walkState) newIncident(as *principal, category, caller string, lat, lon float64, query string) string {
	a := s.w.do(call{as: as, op: "POST /api/incidents", query: query,
		body: js(map[string]any{"category": category, "lat": lat, "lon": lon, "caller": caller, "description": "walk: " + category}), want: 201})
	return createdID(s.w.t, a)
}

func (s *walkState) incidents() {
	w, d := s.w, s.dispatcher
	s.incident = s.newIncident(d, "medical", "081234567890", -6.1210, 106.1560, "")
	s.newIncident(d, "disaster", "081234567891", -6.1190, 106.1580, "route=1")
	w.do(call{as: d, op: "POST /api/incidents", body: `{"category":"medical","lat":-6.12}`, want: 400})
	w.do(call{as: d, op: "POST /api/incidents", body: `{"category":"medical","lat":-6.1754,"lon":106.8272,"caller":"081234567890"}`, want: 422})
	w.do(call{as: s.planner, op: "POST /api/incidents", body: `{"category":"medical","lat":-6.12,"lon":106.15,"caller":"081234567890"}`, want: 403})

	w.do(call{as: d, op: "GET /api/incidents", want: 200})
	a := w.do(call{as: d, op: "GET /api/incidents", query: "limit=1&status=open", want: 200})
	if a.header.Get("X-Next-Cursor") == "" || a.header.Get("Link") == "" {
		w.t.Errorf("a first page of 1 has no X-Next-Cursor and Link: %v", a.header)
	}
	w.do(call{as: d, op: "GET /api/incidents", query: "cursor=" + a.header.Get("X-Next-Cursor") + "&limit=1", want: 200})
	w.do(call{as: d, op: "GET /api/incidents", query: "format=geojson", want: 200})
	w.do(call{as: d, op: "GET /api/incidents", header: map[string]string{"Accept": "application/geo+json"}, want: 200})
	w.do(call{as: d, op: "GET /api/incidents", query: "status=pending", want: 400})
	w.do(call{as: d, op: "GET /api/incidents/{id}", args: []string{s.incident}, want: 200})
	w.do(call{as: d, op: "GET /api/incidents/{id}", args: []string{s.incident}, query: "format=geojson", want: 200})
	w.do(call{as: d, op: "GET /api/incidents/{id}", args: []string{s.incident}, query: "format=kml", want: 400})
	w.do(call{as: d, op: "GET /api/incidents/{id}", args: []string{"20200101-999999"}, want: 404})

	w.do(call{as: d, op: "POST /api/incidents/{id}/dispatch", args: []string{s.incident}, body: `{"unit_ids":["AMB-1"]}`, want: 200})
	w.do(call{as: d, op: "POST /api/incidents/{id}/dispatch", args: []string{s.incident}, body: `{"unit_ids":["AMB-1"]}`, want: 409})
	w.do(call{as: d, op: "POST /api/incidents/{id}/dispatch", args: []string{s.incident}, body: `{"unit_ids":"AMB-1"}`, want: 400})
	w.do(call{as: d, op: "POST /api/incidents/{id}/dispatch", args: []string{"20200101-999999"}, want: 404})
	w.do(call{as: s.admin, op: "PATCH /api/units/{id}", args: []string{"AMB-1"}, body: `{"disabled":true}`, want: 409})
	w.do(call{as: s.admin, op: "DELETE /api/units/{id}", args: []string{"AMB-1"}, want: 409})
	st := "POST /api/incidents/{id}/units/{unit}/status"
	w.do(call{as: d, op: st, args: []string{s.incident, "AMB-1"}, body: `{"status":"en_route"}`, want: 200})
	w.do(call{as: d, op: st, args: []string{s.incident, "AMB-1"}, body: `{"status":"en_route"}`, want: 409})
	w.do(call{as: d, op: st, args: []string{s.incident, "AMB-1"}, body: `{"status":"flying"}`, want: 400})
	w.do(call{as: d, op: st, args: []string{s.incident, "AMB-2"}, body: `{"status":"en_route"}`, want: 404})
	w.do(call{as: d, op: "POST /api/incidents/{id}/ack", args: []string{s.incident}, want: 200})
	w.do(call{as: d, op: "POST /api/incidents/{id}/ack", args: []string{"20200101-999999"}, want: 404})

	tl := "GET /api/incidents/{id}/timeline"
	w.do(call{as: d, op: tl, args: []string{s.incident}, want: 200})
	a = w.do(call{as: d, op: tl, args: []string{s.incident}, query: "limit=1", want: 200})
	w.do(call{as: d, op: tl, args: []string{s.incident}, query: "limit=1&cursor=" + a.header.Get("X-Next-Cursor"), want: 200})
	w.do(call{as: d, op: tl, args: []string{s.incident}, query: "cursor=first", want: 400})
	w.do(call{as: d, op: tl, args: []string{"20200101-999999"}, want: 404})
	w.do(call{as: d, op: "GET /api/plans", want: 200})

	s.closed = s.newIncident(d, "fallen_tree", "081234567892", -6.1150, 106.1550, "")
	w.do(call{as: d, op: "POST /api/incidents/{id}/dispatch", args: []string{s.closed}, want: 200}) // the plan: a rescue unit
	w.do(call{as: d, op: "POST /api/incidents/{id}/close", args: []string{s.closed}, want: 200})
	w.do(call{as: d, op: "POST /api/incidents/{id}/close", args: []string{s.closed}, want: 409})
	w.do(call{as: d, op: "POST /api/incidents/{id}/ack", args: []string{s.closed}, want: 409})
	w.do(call{as: d, op: "POST /api/incidents/{id}/close", args: []string{"20200101-999999"}, want: 404})

	// The flooder spends its incidents a minute.
	for i := 0; ; i++ {
		a := w.do(call{as: s.flooder, op: "POST /api/incidents", body: `{"category":"stunting","lat":-6.12,"lon":106.15,"caller":"081234500000"}`, oneOf: []int{201, 429}, bulk: true})
		if a.status == 429 || i > 60 {
			break
		}
	}
}

func (s *walkState) agencyWork() {
	w, ag := s.w, s.agency
	s.agencyIncident = s.newIncident(s.dispatcher, "medical", "081234567893", -6.1220, 106.1540, "")
	w.do(call{as: ag, op: "GET /api/incidents", want: 200})
	w.do(call{as: ag, op: "GET /api/incidents", query: "overdue=maybe", want: 400})
	w.do(call{as: ag, op: "GET /api/incidents/{id}", args: []string{s.agencyIncident}, want: 200})
	w.do(call{as: ag, op: "GET /api/incidents/{id}", args: []string{s.closed}, want: 404}) // bpbd's
	w.do(call{as: ag, op: "POST /api/incidents/{id}/ack", args: []string{s.agencyIncident}, want: 200})
	w.do(call{as: ag, op: "POST /api/incidents/{id}/ack", args: []string{s.agencyIncident}, want: 409})
	w.do(call{as: ag, op: "POST /api/incidents/{id}/notes", args: []string{s.agencyIncident}, body: `{"text":"Tim menuju lokasi"}`, want: 200})
	w.do(call{as: ag, op: "POST /api/incidents/{id}/notes", args: []string{s.agencyIncident}, body: `{"text":7}`, want: 400})
	w.do(call{as: ag, op: "POST /api/incidents/{id}/notes", args: []string{s.closed}, body: `{"text":"x"}`, want: 404})
	w.do(call{as: s.admin, op: "POST /api/incidents/{id}/notes", args: []string{s.agencyIncident}, body: `{"text":"x"}`, want: 403})
	w.do(call{as: ag, op: "GET /api/agency/queue", want: 200})
	w.do(call{as: ag, op: "POST /api/incidents/{id}/done", args: []string{s.agencyIncident}, body: `{"outcome":"Pasien dirujuk ke RSUD"}`, want: 200})
	w.do(call{as: ag, op: "POST /api/incidents/{id}/done", args: []string{s.agencyIncident}, body: `{"outcome":"lagi"}`, want: 409})
	w.do(call{as: ag, op: "POST /api/incidents/{id}/done", args: []string{s.agencyIncident}, body: `{"result":"x"}`, want: 400})
	w.do(call{as: ag, op: "POST /api/incidents/{id}/done", args: []string{s.closed}, body: `{"outcome":"x"}`, want: 404})
	w.do(call{as: s.admin, op: "POST /api/incidents/{id}/done", args: []string{s.agencyIncident}, body: `{"outcome":"x"}`, want: 403})
	w.do(call{as: s.admin, op: "GET /api/agency/queue", want: 403})
}

func (s *walkState) calls() {
	w, d := s.w, s.dispatcher
	w.do(call{as: d, op: "POST /api/calls", body: js(map[string]string{"number": "081299990001", "outcome": "emergency", "incident_id": s.incident}), want: 201})
	w.do(call{as: d, op: "POST /api/calls", body: `{"number":"+6281299990002","outcome":"ghost","note":"diam"}`, want: 201})
	w.do(call{as: d, op: "POST /api/calls", body: `{"number":"081299990001","outcome":"angry"}`, want: 400})
	w.do(call{as: d, op: "POST /api/calls", body: `{"number":"081299990001","outcome":"information","incident_id":"20200101-999999"}`, want: 404})
	w.do(call{as: d, op: "GET /api/calls", want: 200})
	w.do(call{as: d, op: "GET /api/calls", query: "format=csv", want: 200})
	w.do(call{as: d, op: "GET /api/calls", header: map[string]string{"Accept": "text/csv"}, want: 200})
	w.do(call{as: d, op: "GET /api/calls", query: "number=081299990001&limit=5", want: 200})
	w.do(call{as: d, op: "GET /api/calls", query: "format=xml", want: 400})
	w.do(call{as: d, op: "GET /api/calls/stats", want: 200})
	w.do(call{as: d, op: "GET /api/calls/stats", query: "from=kemarin", want: 400})

	prank := "POST /api/calls/{number}/prank"
	for range 6 {
		w.do(call{as: d, op: prank, args: []string{"081277770001"}, want: 200})
	}
	w.do(call{as: d, op: "POST /api/incidents", body: `{"category":"medical","lat":-6.12,"lon":106.15,"caller":"+6281277770001"}`, want: 403})
	w.do(call{as: d, op: prank, args: []string{"081277770002"}, body: js(map[string]string{"incident_id": s.incident}), want: 409})
	w.do(call{as: d, op: prank, args: []string{"081277770002"}, body: `{"incident_id":"20200101-999999"}`, want: 404})
	w.do(call{as: d, op: prank, args: []string{"nomor"}, want: 400})
	for i := 0; ; i++ {
		a := w.do(call{as: s.flooder, op: "POST /api/calls", body: `{"number":"081200000009","outcome":"information"}`, oneOf: []int{201, 429}, bulk: true})
		if a.status == 429 || i > 60 {
			break
		}
	}
	w.do(call{as: s.flooder, op: prank, args: []string{"081277770003"}, want: 429})

	w.do(call{as: d, op: "GET /api/callers", want: 200})
	a := w.do(call{as: d, op: "GET /api/callers", query: "limit=1", want: 200})
	w.do(call{as: d, op: "GET /api/callers", query: "limit=1&cursor=" + a.header.Get("X-Next-Cursor"), want: 200})
	w.do(call{as: d, op: "GET /api/callers", query: "cursor=99999999999999", want: 200})
	w.do(call{as: d, op: "GET /api/callers", query: "proposed=true", want: 200})
	w.do(call{as: d, op: "GET /api/callers", query: "limit=0", want: 400})
	w.do(call{as: d, op: "GET /api/callers/{number}", args: []string{"081277770001"}, want: 200})
	w.do(call{as: d, op: "GET /api/callers/{number}", args: []string{"081200001111"}, want: 200})
	w.do(call{as: d, op: "GET /api/callers/{number}", args: []string{"nomor"}, want: 400})
	lift := "POST /api/callers/{number}/lift"
	w.do(call{as: d, op: lift, args: []string{"081277770001"}, body: `{"reason":"salah sambung, sudah dikonfirmasi"}`, want: 200})
	w.do(call{as: d, op: lift, args: []string{"081277770001"}, body: `{"reason":"lagi"}`, want: 409})
	w.do(call{as: d, op: lift, args: []string{"nomor"}, body: `{"reason":"x"}`, want: 400})
}

// live opens the feed as a bearer client and as an agency user, holds the
// handshake's answers and every message to the document, and provokes the
// feed's refusals.
func (s *walkState) live() {
	w := s.w
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	wsURL := "ws" + strings.TrimPrefix(w.base, "http") + "/api/live"
	c, resp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + s.admin.bearer}}})
	if err != nil {
		w.t.Fatalf("live feed: %v", err)
	}
	defer c.CloseNow()
	c.SetReadLimit(16 << 20) // a snapshot holds every open incident
	w.upgraded(s.admin, resp)
	_, b, err := c.Read(ctx)
	if err != nil {
		w.t.Fatalf("live feed: %v", err)
	}
	kinds := map[string]bool{w.message("LiveMessage", b): true}
	if !kinds["snapshot"] {
		w.t.Errorf("the feed began with %v, not a snapshot", kinds)
	}
	go func() { // changes for the feed to tell: a unit moves, an incident is made
		s.fix("AMB-2", -6.1195, 106.1525, time.Now().Unix())
		s.newIncident(s.dispatcher, "ambulance", "081234567894", -6.1230, 106.1570, "")
	}()
	for !(kinds["units"] && kinds["incident"]) {
		_, b, err := c.Read(ctx)
		if err != nil {
			w.t.Fatalf("live feed: %v (saw %v)", err, kinds)
		}
		kinds[w.message("LiveMessage", b)] = true
	}
	// At the cap (--live-clients 1) the next client waits.
	w.do(call{as: s.admin, op: "GET /api/live", want: 503})
	c.Close(websocket.StatusNormalClosure, "")
	deadline := time.Now().Add(walkWait)
	for {
		probe, err := http.NewRequest("GET", w.base+"/api/live", nil)
		if err != nil {
			w.t.Fatal(err)
		}
		probe.Header.Set("Authorization", "Bearer "+s.admin.bearer)
		r, err := http.DefaultClient.Do(probe)
		if err == nil {
			r.Body.Close()
		}
		if err == nil && r.StatusCode != 503 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	w.do(call{as: s.admin, op: "GET /api/live", want: 426})
	upgrade := map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "12", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
	w.do(call{as: s.admin, op: "GET /api/live", header: upgrade, want: 400})
	upgrade["Sec-WebSocket-Version"], upgrade["Origin"] = "13", "https://evil.example"
	w.do(call{as: s.admin, op: "GET /api/live", header: upgrade, want: 403})
	w.do(call{as: anonymous, op: "GET /api/live", want: 401})

	// An agency user's feed: its agency's units and incidents.
	ac, aresp, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: &http.Client{Jar: s.agency.jar}})
	if err != nil {
		w.t.Fatalf("agency live feed: %v", err)
	}
	defer ac.CloseNow()
	ac.SetReadLimit(16 << 20)
	w.upgraded(s.agency, aresp)
	_, b, err = ac.Read(ctx)
	if err != nil {
		w.t.Fatalf("agency live feed: %v", err)
	}
	if k := w.message("LiveMessage", b); k != "snapshot" {
		w.t.Errorf("the agency feed began with %q, not a snapshot", k)
	}
	ac.Close(websocket.StatusNormalClosure, "")
}

// upgraded holds a WebSocket handshake's answer to the document.
func (w *apiWalk) upgraded(as *principal, resp *http.Response) {
	w.t.Helper()
	rt, _, err := w.route("GET /api/live")
	if err != nil {
		w.t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", w.base+"/api/live", nil)
	if as.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+as.bearer)
	}
	w.check("GET /api/live (WebSocket as "+as.name+")", rt, nil, req, call{want: 101}, answer{status: resp.StatusCode, header: resp.Header})
}

// message holds one live-feed message to a component schema; it returns
// the message's type.
func (w *apiWalk) message(schema string, b []byte) string {
	w.t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		w.t.Errorf("live message is not JSON: %v: %s", err, clip(b))
		return ""
	}
	for _, e := range validateValue(w.schema(schema), v) {
		w.t.Errorf("live message %s: %s\n%s", v["type"], e, clip(b))
	}
	typ, _ := v["type"].(string)
	return typ
}

func (s *walkState) agenciesAndAudit() {
	w, admin := s.w, s.admin
	w.do(call{as: s.agency, op: "GET /api/agencies", want: 200})
	contacts := "PUT /api/agencies/{code}/contacts"
	w.do(call{as: admin, op: contacts, args: []string{"dinkes"}, body: `{"contacts":[{"kind":"email","value":"piket@dinkes.serangkota.go.id","label":"Piket"},{"kind":"whatsapp","value":"0812 3456 7890"}]}`, want: 200})
	w.do(call{as: admin, op: contacts, args: []string{"dinkes"}, body: `{"contacts":[{"kind":"pager","value":"123"}]}`, want: 400})
	w.do(call{as: admin, op: contacts, args: []string{"nasa"}, body: `{"contacts":[]}`, want: 404})
	w.do(call{as: s.dispatcher, op: contacts, args: []string{"dinkes"}, body: `{"contacts":[]}`, want: 403})
	comp := "GET /api/agencies/compliance"
	w.do(call{as: s.planner, op: comp, want: 200})
	w.do(call{as: s.planner, op: comp, query: "format=csv", want: 200})
	w.do(call{as: s.planner, op: comp, query: "format=pdf", want: 400})
	w.do(call{as: s.dispatcher, op: comp, want: 403})

	w.do(call{as: admin, op: "GET /api/audit", want: 200})
	a := w.do(call{as: admin, op: "GET /api/audit", query: "limit=2", want: 200})
	w.do(call{as: admin, op: "GET /api/audit", query: "limit=2&cursor=" + a.header.Get("X-Next-Cursor"), want: 200})
	w.do(call{as: admin, op: "GET /api/audit", query: "format=csv", want: 200})
	w.do(call{as: admin, op: "GET /api/audit", query: "subject=" + s.incident, want: 200})
	w.do(call{as: admin, op: "GET /api/audit", query: "limit=0", want: 400})
	w.do(call{as: s.dispatcher, op: "GET /api/audit", want: 403})
}

func (s *walkState) webhooks() {
	w, admin := s.w, s.admin
	got := make(chan struct{}, 16)
	recv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.WriteHeader(http.StatusNoContent)
		select {
		case got <- struct{}{}:
		default:
		}
	}))
	defer recv.Close()
	a := w.do(call{as: admin, op: "POST /api/webhooks", body: js(map[string]any{"url": recv.URL + "/hook", "events": []string{"incident.created", "incident.closed"}, "secret": "walk-secret-0123456789"}), want: 201})
	id := createdID(w.t, a)
	w.do(call{as: admin, op: "POST /api/webhooks", body: `{"url":"ftp://example.org","events":["incident.created"],"secret":"walk-secret-0123456789"}`, want: 400})
	w.do(call{as: s.dispatcher, op: "POST /api/webhooks", body: `{"url":"https://example.org/x","events":["incident.created"],"secret":"walk-secret-0123456789"}`, want: 403})
	w.do(call{as: admin, op: "GET /api/webhooks", want: 200})
	s.newIncident(s.dispatcher, "hearse", "081234567895", -6.1240, 106.1520, "")
	select {
	case <-got:
	case <-time.After(walkWait):
		w.t.Error("the webhook receiver heard nothing")
	}
	deadline := time.Now().Add(walkWait)
	for {
		var ds []struct{ Status string }
		w.do(call{as: admin, op: "GET /api/webhooks/{id}/deliveries", args: []string{id}, want: 200}).decode(w.t, &ds)
		if len(ds) > 0 && ds[0].Status == "delivered" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.do(call{as: admin, op: "GET /api/webhooks/{id}/deliveries", args: []string{id}, query: "limit=0", want: 400})
	w.do(call{as: admin, op: "GET /api/webhooks/{id}/deliveries", args: []string{"no-such-hook"}, want: 404})
	w.do(call{as: admin, op: "DELETE /api/webhooks/{id}", args: []string{id}, want: 204})
	w.do(call{as: admin, op: "DELETE /api/webhooks/{id}", args: []string{id}, want: 404})
}

func (s *walkState) analytics() {
	w, p := s.w, s.planner
	hist := "id,category,lat,lon,received_at,dispatched_at,on_scene_at,closed_at\n" +
		"H-1,medical,-6.1200,106.1500,2026-01-05T08:00:00+07:00,2026-01-05T08:02:00+07:00,2026-01-05T08:11:00+07:00,2026-01-05T09:00:00+07:00\n" +
		"H-2,fire,-6.1100,106.1600,2026-01-06T10:00:00+07:00,2026-01-06T10:01:00+07:00,,\n"
	w.do(call{as: p, op: "POST /api/history/incidents", body: hist, ctype: "text/csv", want: 200})
	w.do(call{as: p, op: "POST /api/history/incidents", body: hist + "H-3,volcano,-6.12,106.15,2026-01-07T10:00:00+07:00,,,\n", ctype: "text/csv", want: 400})
	w.do(call{as: p, op: "POST /api/history/incidents", body: "id,category\nH-4,medical\n", ctype: "text/csv", want: 400})
	rt := "GET /api/analytics/response-times"
	w.do(call{as: p, op: rt, want: 200})
	w.do(call{as: p, op: rt, query: "by=kecamatan&segment=travel&from=2026-01-01&to=2026-02-01", want: 200})
	w.do(call{as: p, op: rt, query: "by=h3&res=7", want: 200})
	w.do(call{as: p, op: rt, query: "format=csv", want: 200})
	w.do(call{as: p, op: rt, query: "by=street", want: 400})
	cov := "GET /api/analytics/coverage"
	w.do(call{as: p, op: cov, query: "res=7", want: 200})
	w.do(call{as: p, op: cov, query: "res=7&format=csv", want: 200})
	w.do(call{as: p, op: cov, query: "res=99", want: 400})
	eta := "GET /api/analytics/eta-accuracy"
	w.do(call{as: p, op: eta, want: 200})
	w.do(call{as: p, op: eta, query: "format=csv", want: 200})
	w.do(call{as: p, op: eta, query: "from=later", want: 400})
	w.do(call{as: s.dispatcher, op: eta, want: 403})
}

// throttled guesses bearer tokens until the address waits: then even the
// admin's token is answered 429, on every route that takes one.
func (s *walkState) throttled() {
	w := s.w
	guess := &principal{name: "a guessed token", bearer: "guessed-token-0000000000"}
	for i := 0; ; i++ {
		if a := w.do(call{as: guess, op: "GET /api/units", oneOf: []int{401, 429}}); a.status == 429 || i > 20 {
			break
		}
	}
	s.sweep(s.admin, 429, "POST /pub", "POST /api/login", "POST /api/logout", "GET /healthz")
}

// sweep calls every served route as as, expecting want (a refusal of who
// asks), except the routes named.
func (s *walkState) sweep(as *principal, want int, except ...string) {
	for _, r := range s.routes {
		if r == "GET /" || slices.Contains(except, r) {
			continue
		}
		_, names, err := s.w.route(r)
		if err != nil {
			continue // coverage reports it
		}
		args := make([]string, len(names))
		for i := range args {
			args[i] = "x1"
		}
		s.w.do(call{as: as, op: r, args: args, want: want, probe: true})
	}
}

// limits floods an incident with notes up to the 500 it holds (late: the
// incident and its trail are large after).
func (s *walkState) limits() {
	w := s.w
	id := s.newIncident(s.dispatcher, "ambulance", "081234567896", -6.1225, 106.1545, "")
	for i := 0; ; i++ {
		a := w.do(call{as: s.agency, op: "POST /api/incidents/{id}/notes", args: []string{id}, body: `{"text":"catatan"}`, oneOf: []int{200, 409}, bulk: true})
		if a.status == 409 || i > 510 {
			break
		}
	}
	w.do(call{as: s.agency, op: "POST /api/incidents/{id}/notes", args: []string{id}, body: `{"text":"satu lagi"}`, want: 409})
}

// roles holds each route's x-roles to the server: a role the document
// names gets past the role check (whatever the empty request then earns,
// as long as the document lists it), any other role is answered 403.
func (s *walkState) roles() {
	w := s.w
	as := map[string]*principal{"admin": s.admin, "dispatcher": s.dispatcher, "planner": s.planner, "agency": s.agency, "phone": s.phoneToken}
	for _, r := range s.routes {
		rt, names, err := w.route(r)
		if err != nil || r == "GET /" {
			continue
		}
		raw, ok := rt.Operation.Extensions["x-roles"].([]any)
		if !ok {
			continue // public, or the device's own route
		}
		var allowed []string
		for _, v := range raw {
			allowed = append(allowed, v.(string))
		}
		args := make([]string, len(names))
		for i := range args {
			args[i] = "x1"
		}
		for _, role := range []string{"admin", "dispatcher", "planner", "agency", "phone"} {
			c := call{as: as[role], op: r, args: args, probe: true, want: 403}
			if slices.Contains(allowed, role) {
				c.oneOf = nil
				for code := range rt.Operation.Responses.Map() {
					if n, err := strconv.Atoi(code); err == nil && n != 401 && n != 403 && n != 429 {
						c.oneOf = append(c.oneOf, n)
					}
				}
			}
			w.do(c)
		}
	}
}
