package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
)

// dispatchRig is the whole stack, for the incident tests.
type dispatchRig = stack

func newDispatchServer(t *testing.T) *dispatchRig {
	t.Helper()
	return newStack(t, "")
}

func (r *dispatchRig) unit(t *testing.T, id string, typ tracking.UnitType, lon, lat float64) {
	t.Helper()
	if _, _, err := r.fleet.Register(tracking.Registration{ID: id, Type: typ, Agency: "dinkes"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.fleet.ApplyFix(id, tracking.Position{Lon: lon, Lat: lat, At: r.clk.Now(), Battery: -1}); err != nil {
		t.Fatal(err)
	}
}

const inKaligandu = `"lat":-6.110699,"lon":106.177791`

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return v
}

func TestIncidentsAPI(t *testing.T) {
	r := newDispatchServer(t)
	r.unit(t, "AMB-1", tracking.Ambulance, 106.180, -6.110)
	r.unit(t, "AMB-2", tracking.Ambulance, 106.190, -6.110)

	create := []struct {
		name   string
		body   string
		status int
		says   string
	}{
		{"bad JSON", `{`, 400, "ends in the middle of the JSON"},
		{"garbled JSON", `{category:1}`, 400, "not valid JSON"},
		{"no category", `{` + inKaligandu + `,"caller":"0811"}`, 400, `category`},
		{"no position", `{"category":"medical","caller":"0811"}`, 400, `lat`},
		{"unknown field", `{"category":"medical",` + inKaligandu + `,"caller":"0811","priority":1}`, 400, `unknown field \"priority\"`},
		{"unknown category", `{"category":"ufo",` + inKaligandu + `,"caller":"0811"}`, 400, `unknown category \"ufo\"`},
		{"outside the city", `{"category":"medical","lat":-6.2088,"lon":106.8456,"caller":"0811"}`, 422, "outside Kota Serang"},
		{"created", `{"category":"medical",` + inKaligandu + `,"caller":"0811-222","description":"sesak napas"}`, 201, `"unit_id":"AMB-1"`},
	}
	var created map[string]any
	for _, tt := range create {
		t.Run(tt.name, func(t *testing.T) {
			status, body := do(t, "POST", r.url+"/api/incidents", tt.body)
			if status != tt.status || !strings.Contains(string(body), tt.says) {
				t.Fatalf("%d %s; want %d saying %s", status, body, tt.status, tt.says)
			}
			if status == 201 {
				created = decode[map[string]any](t, body)
			}
		})
	}
	id, _ := created["id"].(string)
	if id == "" || created["status"] != "open" || created["kelurahan"].(map[string]any)["name"] != "Kaligandu" {
		t.Fatalf("created %v", created)
	}
	recs := created["recommendations"].([]any)
	if len(recs) != 2 || recs[0].(map[string]any)["unit_id"] != "AMB-1" || recs[0].(map[string]any)["eta_s"].(float64) <= 0 {
		t.Fatalf("recommendations %v", recs)
	}

	// Dispatch by plan, then a second incident asks for the unit taken.
	status, body := do(t, "POST", r.url+"/api/incidents/"+id+"/dispatch", "")
	if status != 200 || !strings.Contains(string(body), `"unit_id":"AMB-1"`) {
		t.Fatalf("dispatch: %d %s", status, body)
	}
	_, body = do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811"}`)
	other := decode[map[string]any](t, body)["id"].(string)
	status, body = do(t, "POST", r.url+"/api/incidents/"+other+"/dispatch", `{"unit_ids":["AMB-1"]}`)
	if status != 409 || !strings.Contains(string(body), "AMB-1") {
		t.Fatalf("busy unit: %d %s", status, body)
	}

	for _, step := range []struct {
		status string
		code   int
	}{{"en_route", 200}, {"dispatched", 400}, {"on_scene", 200}, {"en_route", 409}, {"cleared", 200}} {
		status, body = do(t, "POST", r.url+"/api/incidents/"+id+"/units/AMB-1/status", `{"status":"`+step.status+`"}`)
		if status != step.code {
			t.Fatalf("%s: %d %s", step.status, status, body)
		}
	}
	status, body = do(t, "GET", r.url+"/api/incidents/"+id, "")
	got := decode[map[string]any](t, body)
	if status != 200 || got["status"] != "closed" || got["on_scene_at"] == nil || got["cleared_at"] == nil {
		t.Fatalf("after clearing: %d %s", status, body)
	}
	if u, _ := r.fleet.Get("AMB-1"); u.Status != tracking.Available {
		t.Fatalf("AMB-1 is %s after clearing", u.Status)
	}

	status, body = do(t, "GET", r.url+"/api/incidents?status=open", "")
	open := decode[[]map[string]any](t, body)
	if status != 200 || len(open) != 1 || open[0]["id"] != other {
		t.Fatalf("open list: %d %s", status, body)
	}
	for _, q := range []string{"status=maybe", "overdue=perhaps"} {
		if status, _ := do(t, "GET", r.url+"/api/incidents?"+q, ""); status != 400 {
			t.Fatalf("%s: %d", q, status)
		}
	}
	if status, _ := do(t, "GET", r.url+"/api/incidents/nope", ""); status != 404 {
		t.Fatalf("unknown incident: %d", status)
	}
}

func TestOverdueAPI(t *testing.T) {
	r := newDispatchServer(t)
	var ids []string
	for range 2 {
		_, body := do(t, "POST", r.url+"/api/incidents", `{"category":"stunting",`+inKaligandu+`,"caller":"0811"}`)
		ids = append(ids, decode[map[string]any](t, body)["id"].(string))
	}
	if status, body := do(t, "POST", r.url+"/api/incidents/"+ids[0]+"/ack", ""); status != 200 || !strings.Contains(string(body), `"agency_acted_at":"`) {
		t.Fatalf("ack: %d %s", status, body)
	}
	r.clk.Add(72*time.Hour + time.Minute)
	_, body := do(t, "GET", r.url+"/api/incidents?overdue=true", "")
	over := decode[[]map[string]any](t, body)
	if len(over) != 1 || over[0]["id"] != ids[1] || over[0]["overdue"] != true {
		t.Fatalf("overdue: %s", body)
	}
	if status, body := do(t, "POST", r.url+"/api/incidents/"+ids[1]+"/dispatch", ""); status != 409 || !strings.Contains(string(body), "routed to dinkes") {
		t.Fatalf("dispatching a routed case: %d %s", status, body)
	}
}

func TestCallersAPI(t *testing.T) {
	r := newDispatchServer(t)
	prank := func() map[string]any {
		status, body := do(t, "POST", r.url+"/api/calls/0811-5555/prank", "")
		if status != 200 {
			t.Fatalf("prank: %d %s", status, body)
		}
		return decode[map[string]any](t, body)
	}
	for i := 1; i <= 11; i++ {
		v := prank()
		blocked, proposed := v["blocked_until"] != nil, v["proposed_permanent_block"] == true
		if v["prank_calls"].(float64) != float64(i) || blocked != (i > 5) || proposed != (i > 10) {
			t.Fatalf("after %d: %v", i, v)
		}
		status, body := do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"08115555"}`)
		if want := map[bool]int{false: 201, true: 403}[i > 5]; status != want {
			t.Fatalf("incident after %d pranks: %d %s", i, status, body)
		}
		if i > 5 && !strings.Contains(string(body), "blocked until") {
			t.Fatalf("403 without a reason: %s", body)
		}
	}
	_, body := do(t, "GET", r.url+"/api/callers?proposed=true", "")
	if list := decode[[]map[string]any](t, body); len(list) != 1 || list[0]["number"] != "08115555" {
		t.Fatalf("ministry list: %s", body)
	}
	status, body := do(t, "POST", r.url+"/api/callers/08115555/lift", `{"reason":"verified"}`)
	if status != 200 || !strings.Contains(string(body), `"blocked_until":null`) {
		t.Fatalf("lift: %d %s", status, body)
	}
	_, body = do(t, "GET", r.url+"/api/callers/0899", "")
	if v := decode[map[string]any](t, body); v["prank_calls"].(float64) != 0 || v["blocked_until"] != nil {
		t.Fatalf("unknown number: %s", body)
	}
	if status, _ := do(t, "GET", r.url+"/api/callers/hello", ""); status != 400 {
		t.Fatalf("bad number: %d", status)
	}
}

func TestPrankClosesIncident(t *testing.T) {
	r := newDispatchServer(t)
	_, body := do(t, "POST", r.url+"/api/incidents", `{"category":"fire",`+inKaligandu+`,"caller":"0877"}`)
	id := decode[map[string]any](t, body)["id"].(string)
	if status, body := do(t, "POST", r.url+"/api/calls/0877/prank", fmt.Sprintf(`{"incident_id":%q}`, id)); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	_, body = do(t, "GET", r.url+"/api/incidents/"+id, "")
	if decode[map[string]any](t, body)["status"] != "closed" {
		t.Fatalf("prank incident still open: %s", body)
	}
}
