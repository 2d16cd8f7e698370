package web

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"siaga112/tracking"
)

// GET /api/analytics/eta-accuracy: planners and admins only; bad
// parameters answer 400 with a sentence naming them.
func TestETAAccuracyAccessAndRefusals(t *testing.T) {
	s := newStack(t, adminToken)
	ctx := context.Background()
	token := func(role tracking.Role) string {
		_, tok, err := s.acc.IssueToken(ctx, "eta-"+string(role), role, "admin")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	planner, dispatcher := token(tracking.RolePlanner), token(tracking.RoleDispatcher)
	tests := []struct {
		name, query, token string
		status             int
		words              string
	}{
		{"planner", "", planner, 200, `"groups":[]`},
		{"admin", "?type=ambulance&from=2026-11-01&to=2026-12-01", adminToken, 200, `"type":"ambulance"`},
		{"dispatcher", "", dispatcher, 403, "not allowed for the dispatcher role"},
		{"nobody", "", "", 401, "sign in"},
		{"bad from", "?from=yesterday", planner, 400, "from must be a date"},
		{"bad to", "?to=2026-13-01", planner, 400, "to must be a date"},
		{"from after to", "?from=2026-12-01&to=2026-11-01", planner, 400, "must be before"},
		{"unknown type", "?type=<b>tank</b>", planner, 400, "unknown unit type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, "GET", s.url+"/api/analytics/eta-accuracy"+strings.ReplaceAll(tt.query, "<", "%3C"), "", tt.token, nil, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.words) {
				t.Fatalf("%d %s, want %d with %q", resp.StatusCode, body, tt.status, tt.words)
			}
			if !json.Valid([]byte(body)) || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Fatalf("not JSON: %q %s", resp.Header.Get("Content-Type"), body)
			}
		})
	}
	resp, body := send(t, "GET", s.url+"/api/analytics/eta-accuracy?format=csv", "", planner, nil, nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		body != "type,eta_model,count,without_fix,error_p50_s,error_p90_s,error_p50_pct,error_p90_pct,abs_error_p50_s,abs_error_p90_s,abs_error_p50_pct,abs_error_p90_pct\n" {
		t.Fatalf("CSV: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
