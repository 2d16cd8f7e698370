package web

import (
	"strings"
	"testing"
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
