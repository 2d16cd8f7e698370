package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/accounts"
	"siaga112/tracking/memstore"
)

// Issue 13 item 9: nothing more can be done to a closed incident; each
// refusal is a 409 with a sentence saying why.
func TestClosedIncidentRefusals(t *testing.T) {
	r := newDispatchServer(t)
	r.unit(t, "AMB-1", tracking.Ambulance, 106.180, -6.110)
	_, body := do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811"}`)
	id := decode[map[string]any](t, body)["id"].(string)
	if status, body := do(t, "POST", r.url+"/api/incidents/"+id+"/close", ""); status != 200 {
		t.Fatalf("close: %d %s", status, body)
	}
	for _, tc := range []struct {
		name, path, body, says string
	}{
		{"ack", "/ack", "", "closed; there is nothing left to acknowledge"},
		{"close again", "/close", "", "closed already"},
		{"dispatch by the plan", "/dispatch", "", "closed; no unit can be sent"},
		{"dispatch a named unit", "/dispatch", `{"unit_ids":["AMB-1"]}`, "closed; no unit can be sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := do(t, "POST", r.url+"/api/incidents/"+id+tc.path, tc.body)
			msg := decode[map[string]string](t, body)["error"]
			if status != 409 || !strings.Contains(msg, id) || !strings.Contains(msg, tc.says) {
				t.Fatalf("%d %s, want 409 saying %q", status, body, tc.says)
			}
		})
	}
	if u, _ := r.fleet.Get("AMB-1"); u.Status != tracking.Available {
		t.Fatalf("the unit was taken by a refused dispatch: %s", u.Status)
	}
}

// Issue 13 item 9: a prank mark may only close the marked number's own
// incident; another caller's incident id is refused (409) and nothing is
// recorded, whichever way either number is written.
func TestPrankIncidentMustBelongToTheNumber(t *testing.T) {
	r := newDispatchServer(t)
	_, body := do(t, "POST", r.url+"/api/incidents", `{"category":"fire",`+inKaligandu+`,"caller":"+62 813-5555-6666"}`)
	theirs := decode[map[string]any](t, body)["id"].(string)

	status, body := do(t, "POST", r.url+"/api/calls/0877/prank", fmt.Sprintf(`{"incident_id":%q}`, theirs))
	if status != 409 || !strings.Contains(string(body), "another number") {
		t.Fatalf("another caller's incident: %d %s", status, body)
	}
	_, body = do(t, "GET", r.url+"/api/incidents/"+theirs, "")
	if decode[map[string]any](t, body)["status"] != "open" {
		t.Fatalf("another caller's incident was closed: %s", body)
	}
	_, body = do(t, "GET", r.url+"/api/callers/0877", "")
	if decode[map[string]any](t, body)["prank_calls"].(float64) != 0 {
		t.Fatalf("a refused mark was counted: %s", body)
	}
	// The incident's own number, written another way, may close it.
	if status, body := do(t, "POST", r.url+"/api/calls/006281355556666/prank", fmt.Sprintf(`{"incident_id":%q}`, theirs)); status != 200 {
		t.Fatalf("own incident: %d %s", status, body)
	}
	_, body = do(t, "GET", r.url+"/api/incidents/"+theirs, "")
	if decode[map[string]any](t, body)["status"] != "closed" {
		t.Fatalf("own prank incident still open: %s", body)
	}
}

// Issue 13: every 429 says when to come back (Retry-After, whole seconds).
func TestEvery429SaysRetryAfter(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		flood func(t *testing.T) (status int, retryAfter string)
	}{
		{"incident rate", func(t *testing.T) (int, string) {
			r := newStackWith(t, StackOptions{IncidentRate: 1})
			do(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811"}`)
			resp, _ := send(t, "POST", r.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811"}`, "", nil, nil)
			return resp.StatusCode, resp.Header.Get("Retry-After")
		}},
		{"sign-in", func(t *testing.T) (int, string) {
			acc := newAccounts(t, memstore.NewAccounts())
			base := newStackWith(t, StackOptions{Accounts: acc}).url
			if _, err := acc.AddUser(ctx, "sari", tracking.RoleDispatcher, "dispatch-pass-1", "admin"); err != nil {
				t.Fatal(err)
			}
			for range accounts.LoginPolicy.Free + 1 {
				send(t, "POST", base+"/api/login", `{"name":"sari","password":"guess"}`, "", nil, nil)
			}
			resp, _ := send(t, "POST", base+"/api/login", `{"name":"sari","password":"dispatch-pass-1"}`, "", nil, nil)
			return resp.StatusCode, resp.Header.Get("Retry-After")
		}},
		{"bearer token", func(t *testing.T) (int, string) {
			base, _ := authServer(t)
			for range accounts.SecretPolicy.Free + 1 {
				send(t, "GET", base+"/api/units", "", "guessed-token", nil, nil)
			}
			resp, _ := send(t, "GET", base+"/api/units", "", adminToken, nil, nil)
			return resp.StatusCode, resp.Header.Get("Retry-After")
		}},
		{"token sign-in link", func(t *testing.T) (int, string) {
			base, _ := authServer(t)
			for range accounts.SecretPolicy.Free + 1 {
				send(t, "GET", base+"/?token=guessed", "", "", nil, nil)
			}
			resp, _ := send(t, "GET", base+"/?token="+adminToken, "", "", nil, nil)
			return resp.StatusCode, resp.Header.Get("Retry-After")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ra := tc.flood(t)
			n, err := strconv.Atoi(ra)
			if status != 429 || err != nil || n < 1 {
				t.Fatalf("%d with Retry-After %q; want 429 with a whole number of seconds", status, ra)
			}
		})
	}
}
