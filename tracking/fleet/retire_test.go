package fleet

import (
	"testing"

	"github.com/paulmach/orb"

	"siaga112/tracking"
)

// A disabled unit is in no search, whatever it reports and whatever its
// status, until it is enabled; a busy one cannot be disabled or removed.
func TestDisabledUnitLeavesEverySearch(t *testing.T) {
	clk := newClock()
	ix := New(Config{Now: clk.Now})
	p := orb.Point{106.15, -6.12}
	mustRegister(t, ix, "NEAR", tracking.Ambulance)
	mustRegister(t, ix, "FAR", tracking.Ambulance)
	ix.ApplyFix("NEAR", fixAt(106.1501, -6.12, clk.Now()))
	ix.ApplyFix("FAR", fixAt(106.16, -6.12, clk.Now()))
	ids := func(f Filter) (out []string) {
		for u := range ix.Nearest(p, f) {
			out = append(out, u.ID)
		}
		return out
	}
	avail := Filter{Types: []tracking.UnitType{tracking.Ambulance}, Statuses: []tracking.Status{tracking.Available}, Liveness: []tracking.Liveness{tracking.Live}}

	u, changed, err := ix.SetDisabled("NEAR", true)
	if err != nil || !changed || !u.Disabled {
		t.Fatalf("disable: %+v %v %v", u, changed, err)
	}
	if _, changed, _ := ix.SetDisabled("NEAR", true); changed {
		t.Fatal("disabling twice changed something")
	}
	clk.Add(1e9)
	ix.ApplyFix("NEAR", fixAt(106.15, -6.12, clk.Now())) // still reporting, right at p
	ix.SetStatus("NEAR", tracking.Available, clk.Now())
	for name, f := range map[string]Filter{"any": {}, "available ambulances": avail} {
		if got := ids(f); len(got) != 1 || got[0] != "FAR" {
			t.Fatalf("%s: %v", name, got)
		}
	}
	if got := ix.ReserveNearest(p, tracking.Ambulance, 2, clk.Now()); len(got) != 1 || got[0].Unit.ID != "FAR" {
		t.Fatalf("reserved %+v", got)
	}
	if _, err := ix.Reserve([]string{"NEAR"}, p, clk.Now()); tracking.CodeOf(err) != tracking.CodeConflict {
		t.Fatalf("reserving a disabled unit: %v", err)
	}
	if u, _ := ix.Get("NEAR"); !u.Disabled || u.Position.Lon != 106.15 {
		t.Fatalf("the unit is still shown, with its last fix: %+v", u)
	}

	// FAR is dispatched now: busy.
	if _, _, err := ix.SetDisabled("FAR", true); tracking.CodeOf(err) != tracking.CodeConflict {
		t.Fatalf("disabling a dispatched unit: %v", err)
	}
	if _, err := ix.Remove("FAR", false); tracking.CodeOf(err) != tracking.CodeConflict {
		t.Fatalf("removing a dispatched unit: %v", err)
	}

	if _, changed, err := ix.SetDisabled("NEAR", false); err != nil || !changed {
		t.Fatalf("enable: %v %v", changed, err)
	}
	if got := ids(avail); len(got) != 1 || got[0] != "NEAR" {
		t.Fatalf("enabled: %v", got)
	}
	if _, err := ix.Remove("NEAR", false); err != nil || ix.Has("NEAR") {
		t.Fatalf("remove: %v", err)
	}
	if got := ids(Filter{}); len(got) != 1 || got[0] != "FAR" {
		t.Fatalf("after remove: %v", got)
	}
	if _, _, err := ix.SetDisabled("NEAR", true); tracking.CodeOf(err) != tracking.CodeNotFound {
		t.Fatalf("disabling a removed unit: %v", err)
	}
	if _, err := ix.Remove("FAR", true); err != nil || ix.Len() != 0 {
		t.Fatalf("forced remove: %v", err)
	}
}
