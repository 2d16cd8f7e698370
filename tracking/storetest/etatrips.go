package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/tracking"
)

// ETATripStores is what RunETATrips needs of a store: its changes, its
// position history and the trips read back from both.
type ETATripStores struct {
	Store     tracking.Store
	Positions tracking.PositionLog
	Trips     tracking.ETATripReader
}

// RunETATrips seeds the same dispatches and fixes into fresh stores made by
// open and checks the trips each reads back: the first fix within the
// radius between dispatch and clearing, the filters, the order.
func RunETATrips(t *testing.T, open func(t *testing.T) ETATripStores) {
	ctx := context.Background()
	s := open(t)
	a, b := orb.Point{106.177791, -6.110699}, orb.Point{106.150000, -6.120000}
	at := func(p orb.Point, metres float64) orb.Point { return geo.Destination(p, 30, metres) }
	fix := func(unit string, p orb.Point, after time.Duration) {
		s.Positions.Append(unit, tracking.Position{Lon: p[0], Lat: p[1], At: t0.Add(after), Battery: -1}, t0.Add(after))
	}
	assign := func(unit string, typ tracking.UnitType, model string, eta float64, when time.Duration, cleared time.Duration) tracking.Assignment {
		as := tracking.Assignment{UnitID: unit, UnitType: typ, Status: tracking.AssignDispatched, DistanceM: 1000, ETASeconds: eta,
			EtaModel: model, DispatchedAt: t0.Add(when), DispatchedBy: "Budi"}
		if cleared > 0 {
			as.Status, as.ClearedAt = tracking.AssignCleared, ptr(t0.Add(cleared))
		}
		return as
	}
	for _, u := range []string{"DMK-1", "DMK-2", "AMB-1", "AMB-2", "POL-1"} {
		if err := saveUnit(s.Store, unit(u), audit); err != nil {
			t.Fatal(err)
		}
	}
	first := sampleIncident("20261126-000001")
	first.Lon, first.Lat = a[0], a[1]
	first.Assignments = []tracking.Assignment{
		assign("DMK-1", tracking.FireTruck, "detour", 300, time.Minute, 30*time.Minute),
		assign("AMB-1", tracking.Ambulance, "road", 240, time.Minute, 0),
		assign("AMB-2", tracking.Ambulance, "detour", 200, time.Minute, 3*time.Minute), // cleared before it came
		assign("POL-1", tracking.Police, "", 0, time.Minute, 0),                        // no estimate: never a trip
	}
	second := sampleIncident("20261126-000002")
	second.Lon, second.Lat, second.DispatchedAt = b[0], b[1], ptr(t0.Add(2*time.Hour))
	second.Assignments = []tracking.Assignment{
		assign("DMK-2", tracking.FireTruck, "detour", 600, 2*time.Hour, 0), // no fix at all
		assign("DMK-1", tracking.FireTruck, "detour", 120, 2*time.Hour, 0),
	}
	for _, in := range []tracking.Incident{first, second} {
		if err := saveIncident(s.Store, in, audit); err != nil {
			t.Fatal(err)
		}
	}
	fix("DMK-1", at(a, 50), 30*time.Second) // before the dispatch
	fix("DMK-1", at(a, 500), 2*time.Minute)
	fix("DMK-1", at(a, 150), 5*time.Minute)
	fix("DMK-1", at(a, 99), 6*time.Minute) // arrives (r = 100 m)
	fix("DMK-1", at(a, 10), 7*time.Minute) // arrives (r = 50 m)
	fix("AMB-1", at(a, 101), 4*time.Minute)
	fix("AMB-1", at(a, 60), 9*time.Minute)
	fix("AMB-2", at(a, 20), 10*time.Minute) // after it was cleared
	fix("POL-1", at(a, 5), 2*time.Minute)
	fix("DMK-1", at(b, 30), 2*time.Hour+3*time.Minute)
	if f, ok := s.Positions.(Flusher); ok {
		if err := f.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}

	type trip struct {
		unit    string
		arrived time.Duration // after t0; -1: none
	}
	tests := []struct {
		name string
		q    tracking.ETATripQuery
		want []trip
	}{
		{"all", tracking.ETATripQuery{RadiusM: 100},
			[]trip{{"DMK-1", 6 * time.Minute}, {"AMB-1", 9 * time.Minute}, {"AMB-2", -1}, {"DMK-2", -1}, {"DMK-1", 2*time.Hour + 3*time.Minute}}},
		{"smaller radius", tracking.ETATripQuery{RadiusM: 50},
			[]trip{{"DMK-1", 7 * time.Minute}, {"AMB-1", -1}, {"AMB-2", -1}, {"DMK-2", -1}, {"DMK-1", 2*time.Hour + 3*time.Minute}}},
		{"one type", tracking.ETATripQuery{RadiusM: 100, Type: tracking.Ambulance},
			[]trip{{"AMB-1", 9 * time.Minute}, {"AMB-2", -1}}},
		{"from is inclusive", tracking.ETATripQuery{RadiusM: 100, From: t0.Add(2 * time.Hour)},
			[]trip{{"DMK-2", -1}, {"DMK-1", 2*time.Hour + 3*time.Minute}}},
		{"to is exclusive", tracking.ETATripQuery{RadiusM: 100, To: t0.Add(2 * time.Hour)},
			[]trip{{"DMK-1", 6 * time.Minute}, {"AMB-1", 9 * time.Minute}, {"AMB-2", -1}}},
		{"nothing", tracking.ETATripQuery{RadiusM: 100, Type: tracking.Hearse}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Trips.ETATrips(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d trips, want %d: %v", len(got), len(tt.want), describeTrips(got))
			}
			for i, w := range tt.want {
				g := got[i]
				arrived := time.Duration(-1)
				if g.ArrivedAt != nil {
					arrived = g.ArrivedAt.Sub(t0)
				}
				if g.UnitID != w.unit || arrived != w.arrived {
					t.Errorf("trip %d: %s arrived %v, want %s arrived %v (all: %v)", i, g.UnitID, arrived, w.unit, w.arrived, describeTrips(got))
				}
			}
			// The assignment's own fields come back as written.
			for _, g := range got {
				in := first
				if g.IncidentID == second.ID {
					in = second
				}
				found := false
				for _, as := range in.Assignments {
					if as.UnitID == g.UnitID {
						found = true
						if g.UnitType != as.UnitType || g.EtaModel != as.EtaModel || g.ETASeconds != as.ETASeconds || !g.DispatchedAt.Equal(as.DispatchedAt) {
							t.Errorf("trip %+v does not match its assignment %+v", g, as)
						}
					}
				}
				if !found {
					t.Errorf("trip %+v has no assignment on %s", g, in.ID)
				}
			}
		})
	}
}

func describeTrips(ts []tracking.ETATrip) string {
	out := ""
	for _, t := range ts {
		arrived := "none"
		if t.ArrivedAt != nil {
			arrived = t.ArrivedAt.Sub(t0).String()
		}
		out += fmt.Sprintf("[%s %s %s eta %g arrived %s] ", t.IncidentID, t.UnitID, t.EtaModel, t.ETASeconds, arrived)
	}
	return out
}
