package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
)

// The call log over HTTP on PostgreSQL: ghost and prank calls together
// block the number at the 6th and put it on the ministry list at the 11th
// (webhooks caller.blocked and caller.proposed, once each); the log and its
// statistics survive a restart; the intake logs its own call.
func TestCallLogBlocksAt6ProposesAt11AndPersists(t *testing.T) {
	db := pgtest.URL(t)
	recv := &hookReceiver{t: t, secret: "a-webhook-secret-of-some-length"}
	hooks := httptest.NewServer(recv)
	defer hooks.Close()
	cfg := app.Config{DB: db, WebhookPoll: 50 * time.Millisecond, WebhookAllowPrivate: true} // the receiver is on 127.0.0.1
	a1, base := newAccountsApp(t, cfg)
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	admin.must("POST", "/api/webhooks", map[string]any{"url": hooks.URL, "events": []string{"caller.blocked", "caller.proposed"}, "secret": recv.secret}, 201, nil)

	var in incidentJSON
	admin.must("POST", "/api/incidents", map[string]any{"category": "medical", "lat": -6.12, "lon": 106.15, "caller": "081311112222", "description": "x"}, 201, &in)
	type answer struct {
		Call   tracking.Call `json:"call"`
		Caller *struct {
			PrankCalls             int        `json:"prank_calls"`
			BlockedUntil           *time.Time `json:"blocked_until"`
			ProposedPermanentBlock bool       `json:"proposed_permanent_block"`
		} `json:"caller"`
	}
	for _, body := range []map[string]any{
		{"number": "0813", "outcome": "hoax"},
		{"number": "x", "outcome": "prank"},
		{"number": "081311112222", "outcome": "duplicate", "incident_id": "nope"},
	} {
		if code, b := admin.do("POST", "/api/calls", body); code != 400 && code != 404 {
			t.Fatalf("%v: %d %s", body, code, b)
		}
	}
	admin.must("POST", "/api/calls", map[string]any{"number": "081311112222", "outcome": "duplicate", "incident_id": in.ID, "note": "sama"}, 201, nil)
	for i := 1; i <= 11; i++ {
		outcome := "ghost"
		if i%2 == 0 {
			outcome = "prank"
		}
		var got answer
		admin.must("POST", "/api/calls", map[string]any{"number": "+62 899 0000 1111", "outcome": outcome}, 201, &got)
		if got.Caller == nil || got.Caller.PrankCalls != i || (got.Caller.BlockedUntil != nil) != (i >= 6) || got.Caller.ProposedPermanentBlock != (i >= 11) {
			t.Fatalf("regulated call %d: %+v", i, got.Caller)
		}
		if i <= 5 && got.Caller.BlockedUntil != nil {
			t.Fatal("blocked too early")
		}
	}
	var ministry []struct {
		Number string `json:"number"`
	}
	admin.must("GET", "/api/callers?proposed=true", nil, 200, &ministry)
	if len(ministry) != 1 || ministry[0].Number != "089900001111" {
		t.Fatalf("ministry list %+v", ministry)
	}
	waitUntil(t, 5*time.Second, func() bool { return recv.count("caller.blocked") == 1 && recv.count("caller.proposed") == 1 })
	for _, d := range recv.all() {
		if !d.SigOK {
			t.Fatalf("bad signature on %+v", d)
		}
	}
	a1.Close()

	_, base2 := newAccountsApp(t, cfg)
	admin.base = base2
	var calls []tracking.Call
	admin.must("GET", "/api/calls", nil, 200, &calls)
	if len(calls) != 13 || calls[0].Outcome != tracking.CallEmergency || calls[0].IncidentID != in.ID || calls[1].Note != "sama" {
		t.Fatalf("%d calls after the restart: %+v", len(calls), calls[:min(3, len(calls))])
	}
	admin.must("GET", "/api/calls?number=0899-0000-1111", nil, 200, &calls)
	if len(calls) != 11 {
		t.Fatalf("%d calls of the number, want 11", len(calls))
	}
	from := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	to := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	admin.must("GET", fmt.Sprintf("/api/calls?from=%s&to=%s", from, to), nil, 200, &calls)
	if len(calls) != 0 {
		t.Fatalf("%d calls in an empty window", len(calls))
	}
	var st tracking.CallStats
	admin.must("GET", "/api/calls/stats", nil, 200, &st)
	shares := map[tracking.CallOutcome]int{}
	for _, o := range st.Outcomes {
		shares[o.Outcome] = o.Count
	}
	if st.Total != 13 || shares["ghost"] != 6 || shares["prank"] != 5 || shares["emergency"] != 1 || shares["duplicate"] != 1 ||
		st.RepeatCallersTotal != 2 || st.RepeatCallers[0].Number != "089900001111" || st.RepeatCallers[0].Regulated != 11 {
		t.Fatalf("stats %+v", st)
	}
	// Still blocked after the restart.
	if code, _ := admin.do("POST", "/api/incidents", map[string]any{"category": "medical", "lat": -6.12, "lon": 106.15, "caller": "089900001111", "description": "x"}); code != 403 {
		t.Fatalf("incident from the blocked number: %d", code)
	}

	// The prank shortcut logs its call too.
	var v struct {
		PrankCalls int `json:"prank_calls"`
	}
	admin.must("POST", "/api/calls/081277778888/prank", nil, 200, &v)
	admin.must("GET", "/api/calls?number=081277778888", nil, 200, &calls)
	if v.PrankCalls != 1 || len(calls) != 1 || calls[0].Outcome != tracking.CallPrank {
		t.Fatalf("prank shortcut: %+v, log %+v", v, calls)
	}
}
