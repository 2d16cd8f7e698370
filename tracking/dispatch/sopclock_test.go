package dispatch

import (
	"errors"
	"sync/atomic"
	"testing"

	"siaga112/geo"
	"siaga112/tracking"
	"siaga112/tracking/memstore"
)

// Issue 26 item 9: the lead agency's SOP clock stops when it acts; a unit
// of another agency sent to its case does not stop it.
func TestSOPClockStopsOnlyForTheLeadAgency(t *testing.T) {
	r := newRig(t, Config{})
	add := func(id string, typ tracking.UnitType, agency string, eastM float64) {
		t.Helper()
		if _, _, err := r.fleet.Register(tracking.Registration{ID: id, Type: typ, Agency: agency}); err != nil {
			t.Fatal(err)
		}
		p := geo.Destination(kaligandu, 90, eastM)
		if _, err := r.units.ApplyFix(id, tracking.Position{Lon: p[0], Lat: p[1], At: r.clk.Now(), Battery: -1}); err != nil {
			t.Fatal(err)
		}
	}
	add("AMB-1", tracking.Ambulance, "dinkes", 200)
	add("FT-1", tracking.FireTruck, "damkar", 400)
	for _, tc := range []struct {
		name    string
		units   []string
		stopped bool
	}{
		{name: "another agency's ambulance", units: []string{"AMB-1"}, stopped: false},
		{name: "the lead agency's own fire truck", units: []string{"FT-1"}, stopped: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := r.incident(t, "fire") // damkar leads
			res, err := r.svc.Dispatch(r.ctx, in.ID, tc.units, "dispatcher")
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Incident.AgencyActedAt != nil; got != tc.stopped {
				t.Fatalf("SOP clock stopped = %v, want %v", got, tc.stopped)
			}
			if _, err := r.svc.Close(r.ctx, in.ID, "dispatcher"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// refuseDispatch refuses dispatches while armed, as a database refuses a
// write.
type refuseDispatch struct {
	*memstore.Store
	armed atomic.Bool
}

func (r *refuseDispatch) Submit(c tracking.Change, done func(error)) {
	if r.armed.Load() && c.Action == "dispatched" {
		done(errors.New("refused by the test's store"))
		return
	}
	r.Store.Submit(c, done)
}

// A dispatch the store refuses is taken back whole: the lead agency's SOP
// clock runs again, as if nobody had acted.
func TestRefusedDispatchLeavesTheSOPClockRunning(t *testing.T) {
	store := &refuseDispatch{Store: memstore.New()}
	r := newRig(t, Config{Store: store})
	if _, _, err := r.fleet.Register(tracking.Registration{ID: "FT-1", Type: tracking.FireTruck, Agency: "damkar"}); err != nil {
		t.Fatal(err)
	}
	p := geo.Destination(kaligandu, 90, 300)
	if _, err := r.units.ApplyFix("FT-1", tracking.Position{Lon: p[0], Lat: p[1], At: r.clk.Now(), Battery: -1}); err != nil {
		t.Fatal(err)
	}
	in := r.incident(t, "fire") // damkar leads
	store.armed.Store(true)
	if _, err := r.svc.Dispatch(r.ctx, in.ID, []string{"FT-1"}, "dispatcher"); err == nil {
		t.Fatal("the refused dispatch answered no error")
	}
	got, err := r.svc.Get(in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.AgencyActedAt != nil || got.DispatchedAt != nil || len(got.Assignments) != 0 {
		t.Fatalf("after a refused dispatch: acted %v, dispatched %v, %d assignments; want the incident as it was",
			got.AgencyActedAt, got.DispatchedAt, len(got.Assignments))
	}
}
