package web

import (
	"net/url"
	"strings"
	"testing"
)

// Issue 22 (3): a blocked number stays blocked however it is written. Each
// spelling once got 201 and showed up as a new, clean caller.
func TestEverySpellingOfABlockedNumberIsRefused(t *testing.T) {
	r := newDispatchServer(t)
	for range 6 {
		if status, body := do(t, "POST", r.url+"/api/calls/081355556666/prank", ""); status != 200 {
			t.Fatalf("prank: %d %s", status, body)
		}
	}
	for _, tt := range []struct{ name, caller string }{
		{"national", "081355556666"},
		{"plus trunk", "+081355556666"},
		{"00 then trunk", "00 0813 5555 6666"},
		{"zeros", "000081355556666"},
		{"000 62", "000 62 813 5555 6666"},
		{"plus 62", "+62 813-5555-6666"},
		{"0062", "006281355556666"},
		{"bare 62", "6281355556666"},
		{"62 and trunk", "+62 (0)813 5555 6666"},
		{"plus zeros 62 trunk", "+00 62 0813 5555 6666"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			status, body := do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"`+tt.caller+`"}`)
			if status != 403 || !strings.Contains(string(body), "081355556666 is blocked") {
				t.Fatalf("%q: %d %s; want 403 naming 081355556666", tt.caller, status, body)
			}
			_, body = do(t, "GET", r.url+"/api/callers/"+url.PathEscape(tt.caller), "")
			if v := decode[map[string]any](t, body); v["number"] != "081355556666" || v["blocked_until"] == nil {
				t.Fatalf("%q is shown as another caller: %s", tt.caller, body)
			}
		})
	}
	// A foreign number keeps its country code: another caller.
	if status, body := do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0065 9123 4567"}`); status != 201 || !strings.Contains(string(body), `"caller":"+6591234567"`) {
		t.Fatalf("foreign caller: %d %s", status, body)
	}
}
