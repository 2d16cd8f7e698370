package web

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"siaga112/tracking/trackingtest"
)

// /metrics passes promtool's own linter (independent of client_golang), and
// holds the series operators look for: request durations by route pattern
// and status class, recommendation and dispatch latency, open and overdue
// incidents, units by status and liveness.
func TestMetricsForOperators(t *testing.T) {
	s, tok := fullStack(t)
	// Some traffic for the histograms: a 2xx, a 4xx, an unknown path, a
	// dispatch.
	send(t, "GET", s.url+"/api/units/nearest?lat=-6.12&lon=106.15&type=ambulance", "", tok, nil, nil)
	send(t, "GET", s.url+"/api/units/nearest?lat=x", "", tok, nil, nil)
	send(t, "GET", s.url+"/api/no/such/thing", "", tok, nil, nil)
	id := s.svc.List(dispatchFilterAll())[0].ID
	if resp, body := send(t, "POST", s.url+"/api/incidents/"+id+"/dispatch", "", adminToken, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("dispatch: %d %s", resp.StatusCode, body)
	}
	_, body := send(t, "GET", s.url+"/metrics", "", adminToken, nil, nil)
	tests := []struct {
		name, pattern string
	}{
		{"nearest 2xx", `siaga112_http_request_duration_seconds_count\{code="2xx",route="GET /api/units/nearest"\} 1`},
		{"nearest 4xx", `siaga112_http_request_duration_seconds_count\{code="4xx",route="GET /api/units/nearest"\} 1`},
		{"unknown paths share a label", `siaga112_http_request_duration_seconds_count\{code="4xx",route="unmatched"\} 1`},
		{"created 2xx", `siaga112_http_request_duration_seconds_bucket\{code="2xx",route="POST /api/incidents",le="\+Inf"\} 1`},
		{"recommendation latency", `siaga112_recommendation_duration_seconds_count [1-9]`},
		{"dispatch latency", `siaga112_dispatch_duration_seconds_count 1`},
		{"open incidents", `siaga112_incidents_open 1`},
		{"overdue incidents", `siaga112_incidents_overdue 0`},
		{"units by status", `siaga112_units_by_status\{liveness="live",status="(available|dispatched)"\} [0-9]+`},
		{"units by liveness", `siaga112_units\{liveness="live"\} 20`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !regexp.MustCompile(`(?m)^` + tt.pattern + `$`).MatchString(body) {
				t.Errorf("no line matches %s", tt.pattern)
			}
		})
	}
	if strings.Contains(body, "/api/no/such/thing") {
		t.Error("an unknown path became a label")
	}
	if strings.Contains(body, `route="DELETE /api/users/{name}"`) {
		t.Error("a route never answered has series")
	}
	promtool := trackingtest.Tool(t, "promtool", "prometheus") // the independent format check
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
}
