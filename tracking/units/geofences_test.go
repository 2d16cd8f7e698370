package units_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/fleet"
	"siaga112/tracking/geofence"
	"siaga112/tracking/memstore"
	"siaga112/tracking/trackingtest"
	"siaga112/tracking/units"
)

var (
	hospital = orb.Point{106.1500, -6.1200} // a 100 m circle
	station  = orb.Point{106.1700, -6.1300} // a ~220 m square of dinkes
)

const fencesJSON = `{"type":"FeatureCollection","features":[
 {"type":"Feature","id":"rs-1","properties":{"name":"RS Contoh","kind":"hospital","radius_m":100},"geometry":{"type":"Point","coordinates":[106.15,-6.12]}},
 {"type":"Feature","id":"pos-dinkes","properties":{"name":"Pos Dinkes","kind":"station","agency":"dinkes"},
  "geometry":{"type":"Polygon","coordinates":[[[106.169,-6.131],[106.171,-6.131],[106.171,-6.129],[106.169,-6.129],[106.169,-6.131]]]}}]}`

func fenceRig(t testing.TB) (*rig, *tracking.Subscription) {
	t.Helper()
	fs, err := geofence.Parse([]byte(fencesJSON))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{store: &gateStore{Store: memstore.New()}, clk: trackingtest.NewClock()}
	r.fleet = fleet.New(fleet.Config{Now: r.clk.Now})
	bus := tracking.NewBus()
	sub := bus.Subscribe(10_000)
	if r.units, err = units.New(context.Background(), units.Config{Fleet: r.fleet, Store: r.store, Bus: bus, Now: r.clk.Now, Geofences: fs}); err != nil {
		t.Fatal(err)
	}
	r.disp, err = dispatch.New(context.Background(), dispatch.Config{Fleet: r.fleet, Store: r.store, Bus: bus, Now: r.clk.Now,
		Locator: geo.NewApproxIndex(mapdata.Serang().Districts())})
	if err != nil {
		t.Fatal(err)
	}
	r.units.Follow(r.disp)
	return r, sub
}

// drive feeds fixes along the great circle from a to b, every 20 m.
func (r *rig) drive(id string, a, b orb.Point) {
	d := geo.Distance(a, b)
	bearing := bearingDeg(a, b)
	for m := 0.0; m <= d; m += 20 {
		p := geo.Destination(a, bearing, m)
		r.clk.Add(2 * time.Second)
		r.units.ApplyFix(id, tracking.Position{Lon: p[0], Lat: p[1], At: r.clk.Now(), AccuracyM: tracking.Some(8), Battery: -1})
	}
}

// The rules, driven by real fixes through the units service (the path
// every ingest feeds): a status changes only for the right status, kind
// and agency, through the change path, its actor saying it was detected.
func TestGeofenceRulesFromFixes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		agency string
		status tracking.Status
		to     orb.Point
		want   tracking.Status
		region string
	}{
		{"transporting unit reaches the hospital", "dinkes", tracking.Transporting, hospital, tracking.AtHospital, "RS Contoh"},
		{"returning unit reaches its station", "dinkes", tracking.Returning, station, tracking.Available, "Pos Dinkes"},
		{"returning unit at another agency's station", "bpbd", tracking.Returning, station, tracking.Returning, "Pos Dinkes"},
		{"available unit passes the hospital", "dinkes", tracking.Available, hospital, tracking.Available, "RS Contoh"},
		{"transporting unit at a station", "dinkes", tracking.Transporting, station, tracking.Transporting, "Pos Dinkes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, sub := fenceRig(t)
			ctx := context.Background()
			if _, _, err := r.units.Register(ctx, tracking.Registration{ID: "AMB-G", Type: tracking.Ambulance, Agency: tc.agency}, "admin"); err != nil {
				t.Fatal(err)
			}
			start := geo.Destination(tc.to, 0, 1000)
			r.units.ApplyFix("AMB-G", tracking.Position{Lon: start[0], Lat: start[1], At: r.clk.Now(), Battery: -1})
			r.units.SetStatus("AMB-G", tc.status, r.clk.Now())
			r.drive("AMB-G", start, tc.to)
			u, _ := r.fleet.Get("AMB-G")
			if u.Status != tc.want {
				t.Fatalf("status %s, want %s", u.Status, tc.want)
			}
			if tc.want != tc.status {
				last := r.store.changes[len(r.store.changes)-1]
				if len(last.Units) != 1 || last.Units[0].Status != tc.want || !strings.HasPrefix(last.Audit.Actor, "detected: geofence") {
					t.Fatalf("last change %+v: want the unit's status, its actor detected", last)
				}
			}
			evs := r.units.RegionEvents("AMB-G")
			if len(evs) != 1 || evs[0].Kind != tracking.RegionEnter || evs[0].Region != tc.region || evs[0].Trigger != units.TriggerGeofence || !evs[0].HasPosition {
				t.Fatalf("region events %+v, want one enter of %q", evs, tc.region)
			}
			if !published(sub, "region") {
				t.Fatal("the region event was not published on the bus")
			}
		})
	}
}

func published(sub *tracking.Subscription, kind string) bool {
	for {
		select {
		case e := <-sub.C:
			if e.Kind == kind {
				return true
			}
		default:
			return false
		}
	}
}

// A transporting ambulance on an incident reaching the hospital moves its
// assignment too (dispatch takes the detected status), and jitter at the
// door is one enter, not a flurry; driving away is one leave.
func TestGeofenceDetectedAtHospitalMovesAssignment(t *testing.T) {
	r, _ := fenceRig(t)
	in := r.dispatched(t)
	r.units.SetStatus("AMB-1", tracking.Transporting, r.clk.Now())
	u, _ := r.fleet.Get("AMB-1")
	r.drive("AMB-1", orb.Point{u.Position.Lon, u.Position.Lat}, hospital)
	edge := geo.Destination(hospital, 90, 100)
	for i := range 10 { // parked at the fence's edge: ±10 m of jitter
		p := geo.Destination(edge, 90, float64(i%2*20-10))
		r.clk.Add(2 * time.Second)
		r.units.ApplyFix("AMB-1", tracking.Position{Lon: p[0], Lat: p[1], At: r.clk.Now(), AccuracyM: tracking.Some(8), Battery: -1})
	}
	r.drive("AMB-1", hospital, geo.Destination(hospital, 180, 500))
	got, _ := r.disp.Get(in.ID)
	if got.Assignments[0].Status != tracking.AssignAtHospital {
		t.Fatalf("assignment %s, want at_hospital", got.Assignments[0].Status)
	}
	var kinds []string
	for _, e := range r.units.RegionEvents("AMB-1") {
		kinds = append(kinds, fmt.Sprintf("%s %s", e.Kind, e.RegionID))
	}
	if strings.Join(kinds, ",") != "enter rs-1,leave rs-1" {
		t.Fatalf("region events %v, want one enter and one leave", kinds)
	}
}

// A tracker's own transition (OwnTracks) for a region named like one of
// our fences drives the rules too; others are only kept.
func TestTrackerTransitionDrivesRules(t *testing.T) {
	r, _ := fenceRig(t)
	ctx := context.Background()
	r.units.Register(ctx, tracking.Registration{ID: "AMB-T", Type: tracking.Ambulance, Agency: "dinkes"}, "admin")
	r.units.SetStatus("AMB-T", tracking.Transporting, r.clk.Now())
	r.clk.Add(time.Second)
	for _, e := range []tracking.RegionEvent{
		{UnitID: "AMB-T", Kind: tracking.RegionEnter, Region: "rumah\x00", RegionID: "home", Trigger: "c", At: r.clk.Now()},
		{UnitID: "AMB-T", Kind: tracking.RegionEnter, Region: "RS", RegionID: "rs-1", Trigger: "c", At: r.clk.Now(), Lat: 0, Lon: 0, HasPosition: true},
	} {
		if err := r.units.RecordRegionEvent(e); err != nil {
			t.Fatal(err)
		}
	}
	if u, _ := r.fleet.Get("AMB-T"); u.Status != tracking.AtHospital {
		t.Fatalf("status %s, want at_hospital from the tracker's transition", u.Status)
	}
	evs := r.units.RegionEvents("AMB-T")
	if len(evs) != 2 || evs[0].Region != "rumah" || evs[1].HasPosition {
		t.Fatalf("events %+v: want the control character gone and Null Island dropped", evs)
	}
	for _, bad := range []tracking.RegionEvent{
		{UnitID: "NOPE", Kind: tracking.RegionEnter, At: r.clk.Now()},
		{UnitID: "AMB-T", Kind: "inside", At: r.clk.Now()},
		{UnitID: "AMB-T", Kind: tracking.RegionLeave},
	} {
		if err := r.units.RecordRegionEvent(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// Region events kept in memory are bounded per unit.
func TestRegionEventsBounded(t *testing.T) {
	r, _ := fenceRig(t)
	r.units.Register(context.Background(), tracking.Registration{ID: "AMB-B", Type: tracking.Ambulance, Agency: "dinkes"}, "admin")
	for i := range units.MaxRegionEventsPerUnit + 50 {
		r.units.RecordRegionEvent(tracking.RegionEvent{UnitID: "AMB-B", Kind: tracking.RegionEnter, Region: fmt.Sprint(i), At: r.clk.Now()})
	}
	evs := r.units.RegionEvents("AMB-B")
	if len(evs) != units.MaxRegionEventsPerUnit || evs[len(evs)-1].Region != fmt.Sprint(units.MaxRegionEventsPerUnit+49) {
		t.Fatalf("%d kept, last %q", len(evs), evs[len(evs)-1].Region)
	}
}

// The fix path with and without geofences: the cost the Tracker adds to
// each fix (no bus reader, as on a server nobody watches).
func BenchmarkApplyFix(b *testing.B) {
	for _, fences := range []bool{false, true} {
		b.Run(fmt.Sprintf("geofences=%v", fences), func(b *testing.B) {
			var r *rig
			if fences {
				var sub *tracking.Subscription
				r, sub = fenceRig(b)
				r.units.Bus().Unsubscribe(sub)
			} else {
				r = &rig{store: &gateStore{Store: memstore.New()}, clk: trackingtest.NewClock()}
				r.fleet = fleet.New(fleet.Config{Now: r.clk.Now})
				var err error
				if r.units, err = units.New(context.Background(), units.Config{Fleet: r.fleet, Store: r.store, Now: r.clk.Now}); err != nil {
					b.Fatal(err)
				}
			}
			r.units.Register(context.Background(), tracking.Registration{ID: "AMB-X", Type: tracking.Ambulance, Agency: "dinkes"}, "admin")
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				p := geo.Destination(station, float64(i%360), 2000)
				r.units.ApplyFix("AMB-X", tracking.Position{Lon: p[0], Lat: p[1], At: time.Unix(1e9+int64(i), 0), Battery: -1})
			}
		})
	}
}

// bearingDeg is the initial great-circle bearing from a to b, in degrees.
func bearingDeg(a, b orb.Point) float64 {
	φ1, φ2 := a[1]*math.Pi/180, b[1]*math.Pi/180
	Δλ := (b[0] - a[0]) * math.Pi / 180
	y := math.Sin(Δλ) * math.Cos(φ2)
	x := math.Cos(φ1)*math.Sin(φ2) - math.Sin(φ1)*math.Cos(φ2)*math.Cos(Δλ)
	return math.Atan2(y, x) * 180 / math.Pi
}

// A fix older than the crew's status (delivered late, or the phone's clock
// behind the server's) still fires the rule: the change is stamped with the
// server's time. Before, it carried the fix time and the fleet dropped it
// as history.
func TestDetectedStatusFromALateFix(t *testing.T) {
	r, _ := fenceRig(t)
	r.units.Register(context.Background(), tracking.Registration{ID: "AMB-L", Type: tracking.Ambulance, Agency: "dinkes"}, "admin")
	fixAt := r.clk.Now()
	r.clk.Add(time.Minute)
	r.units.SetStatus("AMB-L", tracking.Transporting, r.clk.Now())
	r.units.ApplyFix("AMB-L", tracking.Position{Lon: hospital[0], Lat: hospital[1], At: fixAt, Battery: -1})
	if u, _ := r.fleet.Get("AMB-L"); u.Status != tracking.AtHospital {
		t.Fatalf("status %s, want at_hospital", u.Status)
	}
}
