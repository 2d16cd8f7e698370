package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/memstore"
)

// The bare index's side of retiring units, for the web layer's own tests.

func (f indexOnly) SetDisabled(_ context.Context, id string, disabled bool, _ string) (tracking.Unit, error) {
	u, _, err := f.Index.SetDisabled(id, disabled)
	return u, err
}

func (f indexOnly) Delete(_ context.Context, id, _ string) error {
	_, err := f.Index.Remove(id, false)
	return err
}

// Issue 22 (15): an admin retires units. PATCH and DELETE /api/units/{id}
// answered 405, so a scrapped ambulance stayed in nearest and
// recommendations for ever.
func TestRetiringUnits(t *testing.T) {
	ctx := context.Background()
	acc := newAccounts(t, memstore.NewAccounts())
	r := newStackWith(t, StackOptions{Accounts: acc})
	admin := issue(t, acc, "fleet-admin", tracking.RoleAdmin)
	dispatcher := issue(t, acc, "call-desk", tracking.RoleDispatcher)
	events := r.units.Bus().Subscribe(1024)
	defer r.units.Bus().Unsubscribe(events)
	fix := func(id string, lon float64) {
		t.Helper()
		r.clk.Add(time.Second)
		if _, err := r.units.ApplyFix(id, tracking.Position{Lon: lon, Lat: -6.1107, At: r.clk.Now(), Battery: -1}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"AMB-R1", "AMB-R2"} {
		if _, _, err := r.units.Register(ctx, tracking.Registration{ID: id, Type: tracking.Ambulance, Agency: "dinkes"}, "fleet-admin"); err != nil {
			t.Fatal(err)
		}
	}
	tracker := "356938035643809"
	if _, err := r.units.SetTrackers(ctx, "AMB-R1", tracking.TrackerSettings{TrackerID: &tracker}, "fleet-admin"); err != nil {
		t.Fatal(err)
	}
	secret, err := r.units.IssueDeviceSecret(ctx, "AMB-R1", "fleet-admin")
	if err != nil {
		t.Fatal(err)
	}
	fix("AMB-R1", 106.1780) // the nearest to Kaligandu
	fix("AMB-R2", 106.1900)
	call := func(method, path, body, tok string) (int, string) {
		t.Helper()
		resp, b := send(t, method, r.url+path, body, tok, nil, nil)
		return resp.StatusCode, b
	}
	nearest := func() string {
		_, b := call("GET", "/api/units/nearest?lat=-6.110699&lon=106.177791&type=ambulance", "", dispatcher)
		return b
	}
	pub := func() int { // OwnTracks HTTP with the unit's password
		req, _ := http.NewRequest("POST", r.url+"/pub", strings.NewReader(fmt.Sprintf(`{"_type":"location","lat":-6.1107,"lon":106.178,"tst":%d}`, r.clk.Now().Unix())))
		req.SetBasicAuth("AMB-R1", secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	trail := func(action string) int {
		_, b := call("GET", "/api/audit?subject=AMB-R1&from=2026-01-01", "", admin)
		n := 0
		for _, e := range decode[[]map[string]any](t, []byte(b)) {
			if e["action"] == action {
				n++
				if e["actor"] != "fleet-admin" {
					t.Errorf("%s by %v, want the principal fleet-admin", action, e["actor"])
				}
			}
		}
		return n
	}
	published := func(action string) int {
		n := 0
		for {
			select {
			case e := <-events.C:
				if e.Unit != nil && e.Unit.ID == "AMB-R1" && e.Action == action {
					n++
				}
			default:
				return n
			}
		}
	}
	if !strings.Contains(nearest(), `"AMB-R1"`) || pub() != 200 {
		t.Fatal("AMB-R1 should be in service before it is disabled")
	}
	published("")

	// Refusals first.
	for _, tt := range []struct {
		name, method, path, body, tok string
		status                        int
		has                           string
	}{
		{"a dispatcher may not disable", "PATCH", "/api/units/AMB-R1", `{"disabled":true}`, dispatcher, 403, "not allowed"},
		{"a dispatcher may not delete", "DELETE", "/api/units/AMB-R1", "", dispatcher, 403, "not allowed"},
		{"unknown unit", "PATCH", "/api/units/AMB-NOPE", `{"disabled":true}`, admin, 404, `\"AMB-NOPE\" is not registered`},
		{"unknown unit deleted", "DELETE", "/api/units/AMB-NOPE", "", admin, 404, `\"AMB-NOPE\" is not registered`},
		{"no field", "PATCH", "/api/units/AMB-R1", `{}`, admin, 400, `\"disabled\" (true or false) is required`},
		{"not a boolean", "PATCH", "/api/units/AMB-R1", `{"disabled":"yes"}`, admin, 400, `\"disabled\" must be a boolean`},
		{"another field", "PATCH", "/api/units/AMB-R1", `{"callsign":"X"}`, admin, 400, `unknown field`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if status, b := call(tt.method, tt.path, tt.body, tt.tok); status != tt.status || !strings.Contains(b, tt.has) {
				t.Fatalf("%d %s; want %d with %s", status, b, tt.status, tt.has)
			}
		})
	}

	// Disable, twice: 200 both times, one trail entry, one event.
	for range 2 {
		status, b := call("PATCH", "/api/units/AMB-R1", `{"disabled":true}`, admin)
		if status != 200 || !strings.Contains(b, `"disabled":true`) {
			t.Fatalf("disable: %d %s", status, b)
		}
	}
	if n := trail("unit.disabled"); n != 1 {
		t.Fatalf("%d unit.disabled entries, want 1", n)
	}
	if n := published("disabled"); n != 1 {
		t.Fatalf("%d disabled events, want 1", n)
	}
	if _, b := call("GET", "/api/units/AMB-R1", "", dispatcher); !strings.Contains(b, `"disabled":true`) {
		t.Fatalf("the unit API does not say disabled: %s", b)
	}
	if _, b := call("GET", "/api/units", "", dispatcher); !strings.Contains(b, `"disabled":true`) || !strings.Contains(b, `"AMB-R1"`) {
		t.Fatalf("a disabled unit stays on the list, marked: %s", b)
	}
	// Out of everything while its tracker still reports.
	fix("AMB-R1", 106.1778)
	if b := nearest(); strings.Contains(b, `"AMB-R1"`) || !strings.Contains(b, `"AMB-R2"`) {
		t.Fatalf("nearest: %s", b)
	}
	_, b := call("POST", "/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811"}`, dispatcher)
	incident := decode[map[string]any](t, []byte(b))
	if strings.Contains(b, `"AMB-R1"`) || !strings.Contains(b, `"AMB-R2"`) {
		t.Fatalf("recommendations: %s", b)
	}
	if status, b := call("POST", "/api/incidents/"+incident["id"].(string)+"/dispatch", `{"unit_ids":["AMB-R1"]}`, dispatcher); status != 409 || !strings.Contains(b, "disabled") {
		t.Fatalf("dispatching a disabled unit: %d %s", status, b)
	}
	if _, b := call("GET", "/api/analytics/coverage?type=ambulance&res=7", "", dispatcher); strings.Contains(b, `"AMB-R1"`) || !strings.Contains(b, `"AMB-R2"`) {
		t.Fatal("coverage counts the disabled unit")
	}
	if _, ok := r.units.CheckDevice("AMB-R1", secret); ok || r.units.MayAuthenticate("AMB-R1") || pub() != 401 {
		t.Fatal("a disabled unit's credentials still work")
	}

	// Enabled again: back in service.
	if status, b := call("PATCH", "/api/units/AMB-R1", `{"disabled":false}`, admin); status != 200 || !strings.Contains(b, `"disabled":false`) {
		t.Fatalf("enable: %d %s", status, b)
	}
	if n := trail("unit.enabled"); n != 1 || !strings.Contains(nearest(), `"AMB-R1"`) || pub() != 200 {
		t.Fatalf("enabled: %d trail entries, nearest %s", n, nearest())
	}

	// A unit on an incident is neither disabled nor deleted.
	if status, b := call("POST", "/api/incidents/"+incident["id"].(string)+"/dispatch", `{"unit_ids":["AMB-R1"]}`, dispatcher); status != 200 {
		t.Fatalf("dispatch: %d %s", status, b)
	}
	for _, m := range []struct{ method, body string }{{"PATCH", `{"disabled":true}`}, {"DELETE", ""}} {
		if status, b := call(m.method, "/api/units/AMB-R1", m.body, admin); status != 409 || !strings.Contains(b, "on an incident") {
			t.Fatalf("%s of a dispatched unit: %d %s", m.method, status, b)
		}
	}
	if status, b := call("POST", "/api/units/AMB-R1/status", `{"status":"out_of_service"}`, dispatcher); status != 200 {
		t.Fatalf("out of service: %d %s", status, b)
	}

	// Deleted: gone from the fleet, its history kept.
	if status, b := call("DELETE", "/api/units/AMB-R1", "", admin); status != 204 {
		t.Fatalf("delete: %d %s", status, b)
	}
	if n := trail("unit.deleted"); n != 1 || published("deleted") != 1 {
		t.Fatalf("%d unit.deleted entries", n)
	}
	if status, _ := call("GET", "/api/units/AMB-R1", "", dispatcher); status != 404 {
		t.Fatalf("a deleted unit answers %d", status)
	}
	if status, _ := call("DELETE", "/api/units/AMB-R1", "", admin); status != 404 {
		t.Fatalf("deleting twice: %d", status)
	}
	window := "?from=" + r.clk.Now().Add(-time.Hour).Format(time.RFC3339) + "&to=" + r.clk.Now().Add(time.Minute).Format(time.RFC3339)
	if status, b := call("GET", "/api/units/AMB-R1/track"+window, "", dispatcher); status != 200 || !strings.Contains(b, `"kind":"fix"`) {
		t.Fatalf("the deleted unit's track: %d %s", status, b)
	}
	if status, _ := call("GET", "/api/units/AMB-NEVER/track"+window, "", dispatcher); status != 404 {
		t.Fatalf("a unit that never was: %d", status)
	}
	if _, ok := r.units.CheckDevice("AMB-R1", secret); ok || pub() != 401 || strings.Contains(nearest(), `"AMB-R1"`) {
		t.Fatal("a deleted unit's credentials still work")
	}
	if u, ok := r.units.UnitByTrackerID(tracker); ok {
		t.Fatalf("the tracker id still names %s", u)
	}
	// The id may come back as a new unit, with the tracker id free again.
	if status, b := call("PUT", "/api/units/AMB-R1", `{"type":"ambulance","agency":"dinkes","tracker_id":"`+tracker+`"}`, admin); status != 201 || !strings.Contains(b, `"disabled":false`) {
		t.Fatalf("registered again: %d %s", status, b)
	}
}

// The live map drops a deleted unit (its marker stayed until a reload):
// the next units message names it in "removed"; a disabled one comes as a
// unit with "disabled": true.
func TestLiveFeedRetiredUnits(t *testing.T) {
	st := liveStack(t)
	ctx := context.Background()
	st.units.Register(ctx, tracking.Registration{ID: "AMB-L", Type: tracking.Ambulance, Agency: "dinkes"}, "admin")
	c := dial(t, st.ts)
	if snap := read(t, c); snap.Type != "snapshot" || len(snap.Units) != 1 {
		t.Fatalf("snapshot %+v", snap)
	}
	if _, err := st.units.SetDisabled(ctx, "AMB-L", true, "admin"); err != nil {
		t.Fatal(err)
	}
	if m := read(t, c); m.Type != "units" || len(m.Units) != 1 || m.Units[0].Properties["disabled"] != true {
		t.Fatalf("after disabling: %+v", m)
	}
	if _, err := st.units.SetDisabled(ctx, "AMB-L", false, "admin"); err != nil {
		t.Fatal(err)
	}
	read(t, c)
	if err := st.units.Delete(ctx, "AMB-L", "admin"); err != nil {
		t.Fatal(err)
	}
	if m := read(t, c); m.Type != "units" || len(m.Units) != 0 || len(m.Removed) != 1 || m.Removed[0] != "AMB-L" {
		t.Fatalf("after deleting: %+v", m)
	}
}
