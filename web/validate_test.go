package web

import (
	"fmt"
	"strings"
	"testing"

	"siaga112/tracking"
)

// Text nothing downstream could store or show is refused at the edge with
// a 400 naming the field (a NUL in a description used to answer 500, or be
// dropped from the queue during an outage).
func TestBadTextRefusedAtTheEdge(t *testing.T) {
	r := newDispatchServer(t)
	long := strings.Repeat("x", 2001)
	tests := []struct {
		name, method, path, body, field string
	}{
		{"NUL in a description", "POST", "/api/incidents", `{"category":"medical",` + inKaligandu + `,"caller":"0811","description":"a\u0000b"}`, "description"},
		{"escape in a description", "POST", "/api/incidents", `{"category":"medical",` + inKaligandu + `,"caller":"0811","description":"\u001b[31m"}`, "description"},
		{"over-long description", "POST", "/api/incidents", `{"category":"medical",` + inKaligandu + `,"caller":"0811","description":"` + long + `"}`, "description"},
		{"newline in a category", "POST", "/api/incidents", `{"category":"medical\n",` + inKaligandu + `,"caller":"0811"}`, "category"},
		{"NUL in a callsign", "PUT", "/api/units/AMB-9", `{"type":"ambulance","agency":"dinkes","callsign":"A\u0000"}`, "callsign"},
		{"over-long agency", "PUT", "/api/units/AMB-9", `{"type":"ambulance","agency":"` + long[:201] + `"}`, "agency"},
		{"control character in a unit id", "POST", "/api/incidents/x/dispatch", `{"unit_ids":["AMB-1","B\u0007"]}`, "unit_ids[1]"},
		{"NUL in a reason", "POST", "/api/callers/0811/lift", `{"reason":"\u0000"}`, "reason"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := do(t, tt.method, r.url+tt.path, tt.body)
			if status != 400 || !strings.Contains(string(body), `\"`+tt.field+`\"`) {
				t.Fatalf("%d %s; want 400 naming %q", status, body, tt.field)
			}
		})
	}
	// A multi-line description is fine.
	if status, body := do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811","description":"lantai 2\nkamar 3\ttengah"}`); status != 201 {
		t.Fatalf("multi-line description: %d %s", status, body)
	}
}

// Issue 22 (7): bidirectional controls (U+202E, U+2066…U+2069, U+200F, …)
// in any text field are refused with a 400 naming the field; they used to
// be stored unchanged (201) and reorder what a dispatcher reads.
func TestBidiControlsRefused(t *testing.T) {
	r := newDispatchServer(t)
	r.unit(t, "AMB-B", tracking.Ambulance, 106.180, -6.110)
	_, body := do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811"}`)
	id := decode[map[string]any](t, body)["id"].(string)
	for i := range 6 {
		do(t, "POST", r.url+"/api/calls", fmt.Sprintf(`{"number":"0822","outcome":"prank","note":"%d"}`, i))
	}
	fence := func(name string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","id":"rs-x","properties":{"name":"` + name + `","kind":"hospital","radius_m":80},"geometry":{"type":"Point","coordinates":[106.16,-6.11]}}]}`
	}
	for _, c := range []struct{ name, char string }{
		{"RLO", `\u202e`}, {"LRE", `\u202a`}, {"LRI", `\u2066`}, {"PDI", `\u2069`}, {"FSI", `\u2068`},
		{"RLM", `\u200f`}, {"LRM", `\u200e`}, {"ALM", `\u061c`},
	} {
		for _, tt := range []struct {
			name, method, path, body, field string
		}{
			{"description", "POST", "/api/incidents", `{"category":"medical",` + inKaligandu + `,"caller":"0811","description":"kebakaran ` + c.char + `gnp.exe"}`, "description"},
			{"callsign", "PUT", "/api/units/AMB-B", `{"type":"ambulance","agency":"dinkes","callsign":"AMB` + c.char + `1"}`, "callsign"},
			{"call note", "POST", "/api/calls", `{"number":"0811","outcome":"information","note":"a` + c.char + `b"}`, "note"},
			{"lift reason", "POST", "/api/callers/0822/lift", `{"reason":"ok` + c.char + `"}`, "reason"},
			{"dispatch unit id", "POST", "/api/incidents/" + id + "/dispatch", `{"unit_ids":["AMB-B` + c.char + `"]}`, "unit_ids[0]"},
			{"geofence name", "POST", "/api/geofences", fence("RS " + c.char + "A"), "name"},
		} {
			t.Run(c.name+" in "+tt.name, func(t *testing.T) {
				status, body := do(t, tt.method, r.url+tt.path, tt.body)
				if status != 400 || !strings.Contains(string(body), tt.field) || !strings.Contains(string(body), "bidirectional") {
					t.Fatalf("%d %s; want 400 naming %q and the bidi control", status, body, tt.field)
				}
			})
		}
	}
	u, _ := r.fleet.Get("AMB-B")
	if u.Callsign != "AMB-B" {
		t.Fatalf("callsign stored as %q", u.Callsign)
	}
}
