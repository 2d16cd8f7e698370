package fleet

import (
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
)

// A unit is snapped when its fix arrives (and when restored), not when
// searched; Available hands out the live available units of one type
// with their road points.
func TestSnapOnFixAndAvailable(t *testing.T) {
	clk := newClock()
	snaps := 0
	ix := New(Config{Now: clk.Now, Snap: func(p orb.Point) geo.RoadPoint {
		snaps++
		return geo.RoadPoint{Seg: int32(p[0] * 1000), At: p}
	}})
	for _, id := range []string{"A1", "A2", "A3"} {
		mustRegister(t, ix, id, tracking.Ambulance)
	}
	mustRegister(t, ix, "P1", tracking.Police)
	now := clk.Now()
	ix.ApplyFix("A1", fixAt(106.101, -6.1, now))
	ix.ApplyFix("A2", fixAt(106.102, -6.1, now))
	ix.ApplyFix("P1", fixAt(106.103, -6.1, now))
	ix.ApplyFix("A3", fixAt(106.104, -6.1, now))
	ix.SetStatus("A3", tracking.EnRoute, now)
	if snaps != 4 {
		t.Fatalf("%d snaps for 4 fixes", snaps)
	}
	got := ix.Available(nil, tracking.Ambulance)
	slices.SortFunc(got, func(a, b Candidate) int { return int(a.Road.Seg - b.Road.Seg) })
	if len(got) != 2 || got[0].ID != "A1" || got[0].Road.Seg != 106101 || got[1].ID != "A2" {
		t.Fatalf("available %+v", got)
	}
	clk.Add(2 * time.Minute) // stale: not available for a search
	if got := ix.Available(nil, tracking.Ambulance); len(got) != 0 {
		t.Fatalf("stale units handed out: %+v", got)
	}
	if err := ix.Restore(tracking.Unit{ID: "A4", Type: tracking.Ambulance, Agency: "dinkes", Status: tracking.Available,
		Position: fixAt(106.105, -6.1, clk.Now()), LastSeen: clk.Now()}); err != nil {
		t.Fatal(err)
	}
	if got := ix.Available(nil, tracking.Ambulance); len(got) != 1 || got[0].Road.Seg != 106105 {
		t.Fatalf("restored unit: %+v", got)
	}
}

// ReserveFirst takes the first n still free, in the order given.
func TestReserveFirst(t *testing.T) {
	clk := newClock()
	ix := New(Config{Now: clk.Now})
	for _, id := range []string{"A1", "A2", "A3", "A4"} {
		mustRegister(t, ix, id, tracking.Ambulance)
		ix.ApplyFix(id, fixAt(106.1, -6.1, clk.Now()))
	}
	ix.SetStatus("A2", tracking.OnScene, clk.Now())
	got := ix.ReserveFirst([]string{"A3", "A2", "nope", "A3", "A1", "A4"}, 2, orb.Point{106.1, -6.1}, clk.Now())
	if len(got) != 2 || got[0].Unit.ID != "A3" || got[1].Unit.ID != "A1" || got[0].Unit.Status != tracking.Dispatched {
		t.Fatalf("reserved %+v", got)
	}
	if again := ix.ReserveFirst([]string{"A3", "A1"}, 2, orb.Point{106.1, -6.1}, clk.Now()); len(again) != 0 {
		t.Fatalf("reserved twice: %+v", again)
	}
}
