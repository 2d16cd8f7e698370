package dispatch

import (
	"testing"

	"siaga112/geo"
	"siaga112/tracking"
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
