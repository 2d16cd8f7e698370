package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
)

// Issue 13 item 5: on every mutation path the audit actor is the
// authenticated principal (a user's name, or a token's), never a body
// field or a fixed role name, and the stored trail says so. Each path is
// driven over HTTP by a different principal.
func TestAuditActorOnEveryMutation(t *testing.T) {
	st := newStack(t, adminToken)
	base := st.url
	must := func(status int, body string, want int, what string) map[string]any {
		t.Helper()
		if status != want {
			t.Fatalf("%s: %d %s", what, status, body)
		}
		var v map[string]any
		json.Unmarshal([]byte(body), &v)
		return v
	}
	// The bootstrap admin token ("admin") issues an admin token for the lead.
	resp, body := send(t, "POST", base+"/api/tokens", `{"name":"ops-lead","role":"admin"}`, adminToken, nil, nil)
	lead := must(resp.StatusCode, body, 201, "issue ops-lead")["token"].(string)
	as := func(token, method, path, body string, want int) map[string]any {
		t.Helper()
		resp, b := send(t, method, base+path, body, token, nil, nil)
		return must(resp.StatusCode, b, want, method+" "+path)
	}
	as(lead, "POST", "/api/users", `{"name":"sari","role":"dispatcher","password":"dispatch-pass-1"}`, 201)
	bridge := as(lead, "POST", "/api/tokens", `{"name":"cad-bridge","role":"dispatcher"}`, 201)
	as(lead, "PUT", "/api/units/AMB-1", `{"type":"ambulance","agency":"dinkes"}`, 201)
	as(lead, "PUT", "/api/units/AMB-2", `{"type":"ambulance","agency":"dinkes"}`, 201)
	as(lead, "POST", "/api/units/AMB-1/credentials", "", 200)
	for _, id := range []string{"AMB-1", "AMB-2"} {
		st.units.ApplyFix(id, tracking.Position{Lon: 106.18, Lat: -6.11, At: st.clk.Now(), Battery: -1})
	}

	// Sari works in the browser: a session, its CSRF token echoed.
	jar, csrf := signIn(t, base, "sari", "dispatch-pass-1")
	sari := func(method, path, body string, want int) map[string]any {
		t.Helper()
		resp, b := send(t, method, base+path, body, "", jar, csrf)
		return must(resp.StatusCode, b, want, "sari "+method+" "+path)
	}
	id := sari("POST", "/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811-2222-3333"}`, 201)["id"].(string)
	sari("POST", "/api/incidents/"+id+"/dispatch", `{"unit_ids":["AMB-1"]}`, 200)
	sari("POST", "/api/incidents/"+id+"/units/AMB-1/status", `{"status":"en_route"}`, 200)
	sari("POST", "/api/incidents/"+id+"/ack", "", 200)
	sari("POST", "/api/incidents/"+id+"/close", "", 200)
	for range 6 {
		sari("POST", "/api/calls/+1 555 010 9999/prank", "", 200)
	}
	sari("POST", "/api/callers/+15550109999/lift", `{"reason":"verified"}`, 200)
	as(bridge["token"].(string), "POST", "/api/units/AMB-2/status", `{"status":"out_of_service"}`, 200)
	as(lead, "PATCH", "/api/users/sari", `{"role":"planner"}`, 200)
	as(lead, "PATCH", "/api/users/sari", `{"password":"another-pass-1"}`, 200)
	for _, path := range []string{"/api/tokens/" + bridge["id"].(string), "/api/users/sari"} {
		if resp, body := send(t, "DELETE", base+path, "", lead, nil, nil); resp.StatusCode != 204 {
			t.Fatalf("delete %s: %d %s", path, resp.StatusCode, body)
		}
	}

	// The trail, as an admin reads it.
	q := url.Values{"from": {st.clk.Now().Add(-time.Hour).Format(time.RFC3339)}, "to": {st.clk.Now().Add(time.Hour).Format(time.RFC3339)}, "limit": {"1000"}}
	resp, body = send(t, "GET", base+"/api/audit?"+q.Encode(), "", lead, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("audit: %d %s", resp.StatusCode, body)
	}
	var trail []tracking.AuditEntry
	if err := json.Unmarshal([]byte(body), &trail); err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{} // action → actors
	for _, e := range trail {
		got[e.Action] = append(got[e.Action], e.Actor)
	}
	for _, tc := range []struct{ action, actor string }{
		{"token.issued", "admin"}, // ops-lead, by the bootstrap token
		{"user.created", "ops-lead"},
		{"unit.registered", "ops-lead"},
		{"unit.credentials_issued", "ops-lead"},
		{"incident.created", "sari"},
		{"incident.dispatched", "sari"},
		{"assignment.en_route", "sari"},
		{"incident.acknowledged", "sari"},
		{"incident.closed", "sari"},
		{"caller.prank", "sari"},
		{"caller.block_lifted", "sari"},
		{"unit.out_of_service", "cad-bridge"},
		{"user.changed", "ops-lead"},
		{"user.password_changed", "ops-lead"},
		{"token.revoked", "ops-lead"},
		{"user.deleted", "ops-lead"},
	} {
		t.Run(tc.action, func(t *testing.T) {
			actors := got[tc.action]
			if len(actors) == 0 {
				t.Fatalf("no %s in the trail: %v", tc.action, got)
			}
			for _, a := range actors {
				if a != tc.actor && !(tc.action == "token.issued" && a == "ops-lead") {
					t.Fatalf("%s by %q, want %q", tc.action, a, tc.actor)
				}
			}
		})
	}
	for _, e := range trail {
		if strings.Contains(string(e.Data), "$2a$") || strings.Contains(string(e.Data), lead) {
			t.Fatalf("a secret in the trail: %s", e.Data)
		}
	}

	// A dispatcher may read a timeline but not the whole trail.
	jar2, _ := func() ([]*http.Cookie, map[string]string) {
		as(lead, "POST", "/api/users", `{"name":"dewi","role":"dispatcher","password":"dispatch-pass-2"}`, 201)
		return signIn(t, base, "dewi", "dispatch-pass-2")
	}()
	if resp, _ := send(t, "GET", base+"/api/audit", "", "", jar2, nil); resp.StatusCode != 403 {
		t.Fatalf("a dispatcher read the audit trail: %d", resp.StatusCode)
	}
	resp, body = send(t, "GET", base+"/api/incidents/"+id+"/timeline", "", "", jar2, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("timeline: %d %s", resp.StatusCode, body)
	}
	var steps []tracking.Step
	if err := json.Unmarshal([]byte(body), &steps); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		action, actor, field string
		from, to             any
	}{
		{"incident.created", "sari", "caller", nil, "081122223333"},
		{"incident.dispatched", "sari", "assignments[AMB-1].status", nil, "dispatched"},
		{"assignment.en_route", "sari", "assignments[AMB-1].status", "dispatched", "en_route"},
		{"incident.acknowledged", "sari", "", nil, nil}, // the dispatch stopped the SOP clock already
		{"incident.closed", "sari", "status", "open", "closed"},
	}
	if len(steps) != len(want) {
		t.Fatalf("%d steps, want %d: %s", len(steps), len(want), body)
	}
	for i, w := range want {
		s := steps[i]
		if s.Action != w.action || s.Actor != w.actor || s.At.IsZero() {
			t.Fatalf("step %d: %+v, want %s by %s", i, s, w.action, w.actor)
		}
		if w.field == "" {
			continue
		}
		found := false
		for _, c := range s.Changed {
			if c.Field == w.field {
				found = c.From == w.from && c.To == w.to
				if !found {
					t.Fatalf("step %d %s: %v → %v, want %v → %v", i, w.field, c.From, c.To, w.from, w.to)
				}
			}
		}
		if !found {
			t.Fatalf("step %d (%s) does not say %s changed: %+v", i, s.Action, w.field, s.Changed)
		}
		if i > 0 && len(s.Changed) > 12 {
			t.Fatalf("step %d lists unchanged fields: %+v", i, s.Changed)
		}
	}
}

// Both the timeline and the trail page; a page's first step is measured
// against the last of the page before, so pages join into the whole.
func TestTimelineAndAuditPages(t *testing.T) {
	st := newDispatchServer(t)
	st.unit(t, "AMB-1", tracking.Ambulance, 106.180, -6.110)
	_, body := do(t, "POST", st.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811"}`)
	id := decode[map[string]any](t, body)["id"].(string)
	do(t, "POST", st.url+"/api/incidents/"+id+"/dispatch", "")
	for _, s := range []string{"en_route", "on_scene", "cleared"} {
		st.clk.Add(time.Minute)
		if status, body := do(t, "POST", st.url+"/api/incidents/"+id+"/units/AMB-1/status", `{"status":"`+s+`"}`); status != 200 {
			t.Fatalf("%s: %d %s", s, status, body)
		}
	}
	_, whole := do(t, "GET", st.url+"/api/incidents/"+id+"/timeline", "")
	all := decode[[]tracking.Step](t, whole)
	if len(all) != 5 {
		t.Fatalf("%d steps: %s", len(all), whole)
	}
	var paged []tracking.Step
	next := st.url + "/api/incidents/" + id + "/timeline?limit=2"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("pages never end")
		}
		resp, body := send(t, "GET", next, "", "", nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", next, resp.StatusCode, body)
		}
		paged = append(paged, decode[[]tracking.Step](t, []byte(body))...)
		next = ""
		if c := resp.Header.Get("X-Next-Cursor"); c != "" {
			next = st.url + "/api/incidents/" + id + "/timeline?limit=2&cursor=" + c
		}
	}
	if pj, _ := json.Marshal(paged); string(pj)+"\n" != string(whole) {
		t.Fatalf("pages differ from the whole:\n%s\n%s", pj, whole)
	}

	for _, tc := range []struct {
		name, path string
		status     int
	}{
		{"unknown incident", "/api/incidents/20990101-000001/timeline", 404},
		{"bad limit", "/api/incidents/" + id + "/timeline?limit=0", 400},
		{"bad cursor", "/api/incidents/" + id + "/timeline?cursor=x", 400},
		{"bad from", "/api/audit?from=yesterday", 400},
		{"from after to", "/api/audit?from=2026-11-28&to=2026-11-27", 400},
		{"bad format", "/api/audit?format=xlsx", 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, body := do(t, "GET", st.url+tc.path, ""); status != tc.status {
				t.Fatalf("%d %s, want %d", status, body, tc.status)
			}
		})
	}

	// The trail pages by seq too, and the last 24 h is the default range.
	_, body = do(t, "GET", st.url+"/api/audit", "")
	every := decode[[]tracking.AuditEntry](t, body)
	var got []tracking.AuditEntry
	next = st.url + "/api/audit?limit=3"
	for next != "" {
		resp, body := send(t, "GET", next, "", "", nil, nil)
		got = append(got, decode[[]tracking.AuditEntry](t, []byte(body))...)
		next = ""
		if c := resp.Header.Get("X-Next-Cursor"); c != "" {
			next = st.url + "/api/audit?limit=3&cursor=" + c
		}
	}
	if len(every) < 5 || len(got) != len(every) || got[len(got)-1].Seq != every[len(every)-1].Seq {
		t.Fatalf("paged %d entries, whole %d", len(got), len(every))
	}
	// Outside the range: nothing.
	old := url.Values{"from": {"2020-01-01"}, "to": {"2020-01-02"}}
	if _, body := do(t, "GET", st.url+"/api/audit?"+old.Encode(), ""); strings.TrimSpace(string(body)) != "[]" {
		t.Fatalf("2020: %s", body)
	}
}

// The CSV export opens safely in a spreadsheet: a value that starts like a
// formula is written as text.
func TestAuditCSVIsFormulaSafe(t *testing.T) {
	st := newDispatchServer(t)
	// "+1…" is a foreign caller: a spreadsheet would read it as a formula.
	if status, body := do(t, "POST", st.url+"/api/calls/+1 555 010 9999/prank", ""); status != 200 {
		t.Fatalf("prank: %d %s", status, body)
	}
	resp, body := send(t, "GET", st.url+"/api/audit?format=csv", "", "", nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("%v: %q", err, body)
	}
	if strings.Join(rows[0], ",") != "seq,at,actor,action,subject,data" || rows[1][4] != "'+15550109999" || rows[1][3] != "caller.prank" {
		t.Fatalf("rows %q", rows)
	}
	for _, tc := range []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"+1", "'+1"}, {"-2+3", "'-2+3"}, {"@SUM(A1)", "'@SUM(A1)"}, {"\t=1", "'\t=1"}, {"\r=1", "'\r=1"},
		{"sari", "sari"}, {"", ""}, {"{\"a\":1}", "{\"a\":1}"},
	} {
		if got := cell(tc.in); got != tc.want {
			t.Errorf("cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
