package storetest

import (
	"context"
	"testing"
	"time"

	"siaga112/tracking"
)

// RunRetiredUnits is the contract of retired units (issue 22): a disabled
// unit is loaded back disabled and enabled again; a deleted one is not
// loaded back, and may be registered again as a new unit. Each change
// leaves one entry in the trail when the store keeps one.
func RunRetiredUnits(t *testing.T, open func(t *testing.T) tracking.Store) {
	ctx := context.Background()
	s := open(t)
	load := func() map[string]tracking.Unit {
		t.Helper()
		us, err := s.Units(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]tracking.Unit{}
		for _, u := range us {
			out[u.ID] = u
		}
		return out
	}
	u := unit("DMK-R")
	u.SecretHash, u.TrackerID = "sha256:00ff", "356938035643809"
	steps := []struct {
		action string
		edit   func(*tracking.Unit)
		check  func(map[string]tracking.Unit) bool
	}{
		{"unit.registered", func(*tracking.Unit) {}, func(m map[string]tracking.Unit) bool { return !m["DMK-R"].Disabled }},
		{"unit.disabled", func(u *tracking.Unit) { u.Disabled = true }, func(m map[string]tracking.Unit) bool {
			g := m["DMK-R"]
			return g.Disabled && g.SecretHash == "sha256:00ff" && g.TrackerID == "356938035643809"
		}},
		{"unit.enabled", func(u *tracking.Unit) { u.Disabled = false }, func(m map[string]tracking.Unit) bool { _, ok := m["DMK-R"]; return ok && !m["DMK-R"].Disabled }},
		{"unit.deleted", func(u *tracking.Unit) { u.Deleted = true }, func(m map[string]tracking.Unit) bool { _, ok := m["DMK-R"]; return !ok }},
	}
	for i, st := range steps {
		st.edit(&u)
		at := t0.Add(time.Duration(i) * time.Minute)
		if err := tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: st.action, Actor: "storetest"}, At: at, Units: []tracking.Unit{u}}); err != nil {
			t.Fatalf("%s: %v", st.action, err)
		}
		if got := load(); !st.check(got) {
			t.Fatalf("after %s the store loads %+v", st.action, got)
		}
	}
	// The id comes back as a new unit; the tracker id was freed.
	again := unit("DMK-R")
	other := unit("DMK-S")
	other.TrackerID = "356938035643809"
	for _, x := range []tracking.Unit{again, other} {
		if err := saveUnit(s, x, tracking.Audit{Action: "unit.registered", Actor: "storetest"}); err != nil {
			t.Fatalf("register %s: %v", x.ID, err)
		}
	}
	if got := load(); got["DMK-R"].Disabled || got["DMK-R"].SecretHash != "" || got["DMK-S"].TrackerID != "356938035643809" {
		t.Fatalf("registered again: %+v", got)
	}
	trail, ok := s.(tracking.AuditLog)
	if !ok {
		return
	}
	entries, err := trail.AuditTrail(ctx, tracking.AuditQuery{Subject: "DMK-R"})
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range entries {
		n[e.Action]++
	}
	if n["unit.disabled"] != 1 || n["unit.enabled"] != 1 || n["unit.deleted"] != 1 {
		t.Fatalf("trail %v", n)
	}
}
