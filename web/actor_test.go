package web

import (
	"encoding/json"
	"testing"

	"siaga112/tracking"
)

// The actor of a change is the signed-in principal, not a body field: a
// dispatch by the token "sari" is dispatched_by "sari".
func TestActorIsThePrincipal(t *testing.T) {
	st := newStack(t, adminToken)
	ctx := t.Context()
	_, tok, err := st.acc.IssueToken(ctx, "sari", tracking.RoleDispatcher, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.units.Register(ctx, tracking.Registration{ID: "AMB-1", Type: tracking.Ambulance, Agency: "dinkes"}, "admin"); err != nil {
		t.Fatal(err)
	}
	st.units.ApplyFix("AMB-1", tracking.Position{Lon: 106.18, Lat: -6.11, At: st.clk.Now(), Battery: -1})
	resp, body := send(t, "POST", st.url+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811"}`, tok, nil, nil)
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var in struct{ ID string }
	json.Unmarshal([]byte(body), &in)
	resp, body = send(t, "POST", st.url+"/api/incidents/"+in.ID+"/dispatch", `{"unit_ids":["AMB-1"]}`, tok, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("dispatch: %d %s", resp.StatusCode, body)
	}
	got, _ := st.svc.Get(in.ID)
	if got.Assignments[0].DispatchedBy != "sari" {
		t.Fatalf("dispatched_by %q, want the principal", got.Assignments[0].DispatchedBy)
	}
	// A body "by" is no longer taken.
	if resp, _ := send(t, "POST", st.url+"/api/incidents/"+in.ID+"/dispatch", `{"by":"someone else"}`, tok, nil, nil); resp.StatusCode != 400 {
		t.Fatalf("a body by: %d, want 400", resp.StatusCode)
	}
}
