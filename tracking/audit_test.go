package tracking

import (
	"encoding/json"
	"testing"
	"time"
)

func TestTimelineSaysWhatChanged(t *testing.T) {
	at := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	in := Incident{ID: "20261127-000001", Category: "fire", Caller: "0811", Status: IncidentOpen, ReceivedAt: at, Assignments: []Assignment{}}
	snap := func(in Incident) json.RawMessage { b, _ := json.Marshal(in.Clone()); return b }
	var entries []AuditEntry
	add := func(action, actor string, in Incident) {
		entries = append(entries, AuditEntry{Seq: int64(len(entries) + 1), At: at, Action: action, Actor: actor, Subject: in.ID, Data: snap(in)})
	}
	add("incident.created", "sari", in)
	in.Assignments = append(in.Assignments, Assignment{UnitID: "DMK-1", UnitType: FireTruck, Status: AssignDispatched, DistanceM: 500, ETASeconds: 60, DispatchedAt: at})
	add("incident.dispatched", "sari", in)
	in.Assignments[0].Status = AssignCleared
	in.Assignments = append(in.Assignments, Assignment{UnitID: "DMK-1", UnitType: FireTruck, Status: AssignDispatched, DistanceM: 500, ETASeconds: 60, DispatchedAt: at}) // sent again
	add("incident.dispatched", "budi", in)
	add("incident.acknowledged", "budi", in)                                                          // nothing changed
	entries = append(entries, AuditEntry{Seq: 9, At: at, Action: "incident.deleted", Actor: "admin"}) // no data: gone

	steps := Timeline(entries, nil)
	want := [][]string{
		{"agency_due_at", "approximate", "caller", "category", "id", "lat", "lon", "received_at", "status"},
		assignmentFields("DMK-1"),
		append(assignmentFields("DMK-1#2"), "assignments[DMK-1].status"),
		{},
	}
	if len(steps) != len(want)+1 {
		t.Fatalf("%d steps", len(steps))
	}
	for i, w := range want {
		var got []string
		for _, c := range steps[i].Changed {
			got = append(got, c.Field)
		}
		if len(got) != len(w) {
			t.Fatalf("step %d (%s) changed %v, want %v", i, steps[i].Action, got, w)
		}
		for j := range w {
			if got[j] != w[j] {
				t.Fatalf("step %d changed %v, want %v", i, got, w)
			}
		}
	}
	for _, c := range steps[4].Changed {
		if c.To != nil || c.From == nil {
			t.Fatalf("a deletion: %+v", c)
		}
	}
	if len(steps[4].Changed) == 0 {
		t.Fatal("a deletion changed nothing")
	}
	if c := steps[2].Changed[7]; c.From != "dispatched" || c.To != "cleared" {
		t.Fatalf("the first assignment: %+v", c)
	}
	// A page that starts later is measured against the step before it.
	if later := Timeline(entries[2:3], &entries[1]); len(later[0].Changed) != len(want[2]) {
		t.Fatalf("second page: %+v", later[0].Changed)
	}
}

func assignmentFields(key string) []string {
	var out []string
	for _, f := range []string{"dispatched_at", "distance_m", "eta_s", "on_scene_detected", "status", "type", "unit_id"} {
		out = append(out, "assignments["+key+"]."+f)
	}
	return out
}
