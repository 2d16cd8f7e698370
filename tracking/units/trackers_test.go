package units_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/fleet"
	"siaga112/tracking/units"
)

func ptr(s string) *string { return &s }

// Region events: validated, published at once while the database does not
// answer, kept per unit in a bounded ring.
func TestRecordRegionEvent(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	if _, _, err := r.units.Register(ctx, tracking.Registration{ID: "AMB-1", Type: tracking.Ambulance, Agency: "dinkes"}, "admin"); err != nil {
		t.Fatal(err)
	}
	sub := r.units.Bus().Subscribe(units.MaxRegionEventsPerUnit * 2)
	defer r.units.Bus().Unsubscribe(sub)
	r.store.mu.Lock()
	r.store.closed = true // the database stops answering
	r.store.mu.Unlock()
	defer r.store.open()

	tests := []struct {
		name string
		e    tracking.RegionEvent
		code tracking.Code
	}{
		{"enter", tracking.RegionEvent{UnitID: "AMB-1", Kind: tracking.RegionEnter, Region: "RSUD", At: r.clk.Now()}, ""},
		{"unknown unit", tracking.RegionEvent{UnitID: "GHOST", Kind: tracking.RegionEnter, At: r.clk.Now()}, tracking.CodeNotFound},
		{"odd kind", tracking.RegionEvent{UnitID: "AMB-1", Kind: "hover", At: r.clk.Now()}, tracking.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := r.units.RecordRegionEvent(tt.e)
			if tracking.CodeOf(err) != tt.code || (tt.code != "" && err == nil) {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
		})
	}
	// Recorded without waiting for the hung database (the calls above
	// returned, the event is kept), published once the store has it, like
	// every change.
	if evs := r.units.RegionEvents("AMB-1"); len(evs) != 1 || evs[0].Region != "RSUD" {
		t.Fatalf("kept while the database hangs: %+v", evs)
	}
	r.store.open()
	select {
	case e := <-sub.C:
		if e.Kind != "region" || e.Region == nil || e.Region.Kind != tracking.RegionEnter || e.Region.Region != "RSUD" {
			t.Fatalf("event %+v", e)
		}
	case <-time.After(time.Second):
		t.Fatal("no region event published once the database answered")
	}
	for i := range units.MaxRegionEventsPerUnit + 10 {
		if err := r.units.RecordRegionEvent(tracking.RegionEvent{UnitID: "AMB-1", Kind: tracking.RegionLeave, Region: fmt.Sprint(i), At: r.clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	evs := r.units.RegionEvents("AMB-1")
	if len(evs) != units.MaxRegionEventsPerUnit || evs[len(evs)-1].Region != fmt.Sprint(units.MaxRegionEventsPerUnit+9) {
		t.Fatalf("kept %d events, newest %+v", len(evs), evs[len(evs)-1])
	}
}

// Tracker ids are unique across units; the OwnTracks secret is kept but
// never published.
func TestSetTrackers(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	for _, id := range []string{"AMB-1", "AMB-2"} {
		if _, _, err := r.units.Register(ctx, tracking.Registration{ID: id, Type: tracking.Ambulance, Agency: "dinkes"}, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		unit string
		set  tracking.TrackerSettings
		code tracking.Code
	}{
		{"set", "AMB-1", tracking.TrackerSettings{TrackerID: ptr("356938035643809"), OwnTracksSecret: ptr("s3cret")}, ""},
		{"same again", "AMB-1", tracking.TrackerSettings{TrackerID: ptr("356938035643809")}, ""},
		{"duplicate", "AMB-2", tracking.TrackerSettings{TrackerID: ptr("356938035643809")}, tracking.CodeConflict},
		{"control characters", "AMB-2", tracking.TrackerSettings{TrackerID: ptr("35\x00")}, tracking.CodeInvalid},
		{"unknown unit", "GHOST", tracking.TrackerSettings{TrackerID: ptr("1")}, tracking.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.units.SetTrackers(ctx, tt.unit, tt.set, "admin")
			if tracking.CodeOf(err) != tt.code || (tt.code != "" && err == nil) {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
		})
	}
	if u, ok := r.units.UnitByTrackerID("356938035643809"); !ok || u != "AMB-1" {
		t.Fatalf("UnitByTrackerID = %q %v", u, ok)
	}
	if string(r.units.OwnTracksSecret("AMB-1")) != "s3cret" || r.units.OwnTracksSecret("AMB-2") != nil {
		t.Fatal("secrets not kept per unit")
	}
	// Clearing frees the id for another unit.
	if _, err := r.units.SetTrackers(ctx, "AMB-1", tracking.TrackerSettings{TrackerID: ptr("")}, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.units.SetTrackers(ctx, "AMB-2", tracking.TrackerSettings{TrackerID: ptr("356938035643809")}, "admin"); err != nil {
		t.Fatal(err)
	}
	if u, _ := r.units.UnitByTrackerID("356938035643809"); u != "AMB-2" {
		t.Fatalf("tracker id now names %q", u)
	}
}

// Every path into the fleet refuses null island and fixes more than
// tracking.MaxFixAhead ahead.
func TestApplyFixRefusesImpossibleFixes(t *testing.T) {
	r := newRig(t)
	if _, _, err := r.units.Register(context.Background(), tracking.Registration{ID: "AMB-1", Type: tracking.Ambulance, Agency: "dinkes"}, "admin"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []tracking.Position{
		{Lat: 0, Lon: 0, At: r.clk.Now(), Battery: -1},
		{Lat: -6.1, Lon: 106.1, At: r.clk.Now().Add(25 * time.Hour), Battery: -1},
		{Lat: -6.1, Lon: 106.1, At: r.clk.Now().Add(6 * time.Minute), Battery: -1},
	} {
		if _, err := r.units.ApplyFix("AMB-1", p); tracking.CodeOf(err) != tracking.CodeInvalid {
			t.Fatalf("fix %+v: err = %v, want invalid", p, err)
		}
	}
	if u, _ := r.units.Get("AMB-1"); u.HasPosition() {
		t.Fatalf("refused fix applied: %+v", u.Position)
	}
}

// A fix stamped ahead of the server's clock never freezes the unit (issue
// 22, item 2): within tracking.MaxFixAhead it is taken as of its receipt,
// so the next correct fix applies; beyond it, it is refused. A unit kept
// with a fix a day ahead by an older version moves on its next fix too.
func TestFixAheadOfTheClockNeverFreezesTheUnit(t *testing.T) {
	tests := []struct {
		name    string
		ahead   time.Duration
		refused bool
	}{
		{"4 minutes ahead: taken as of its receipt", 4 * time.Minute, false},
		{"6 minutes ahead: refused", 6 * time.Minute, true},
		{"23 hours ahead: refused", 23 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			if _, _, err := r.units.Register(context.Background(), tracking.Registration{ID: "AMB-1", Type: tracking.Ambulance, Agency: "dinkes"}, "admin"); err != nil {
				t.Fatal(err)
			}
			_, err := r.units.ApplyFix("AMB-1", tracking.Position{Lat: -6.10, Lon: 106.10, At: r.clk.Now().Add(tt.ahead), Battery: -1})
			if refused := tracking.CodeOf(err) == tracking.CodeInvalid; refused != tt.refused {
				t.Fatalf("err = %v, want refused %v", err, tt.refused)
			}
			if u, _ := r.units.Get("AMB-1"); u.Position.At.After(r.clk.Now()) {
				t.Fatalf("reported_at %v is ahead of the server clock %v", u.Position.At, r.clk.Now())
			}
			r.clk.Add(time.Second)
			if out, err := r.units.ApplyFix("AMB-1", tracking.Position{Lat: -6.11, Lon: 106.11, At: r.clk.Now(), Battery: -1}); err != nil || out != fleet.Applied {
				t.Fatalf("the correct fix after it: %v, %v (want applied)", out, err)
			}
			if u, _ := r.units.Get("AMB-1"); u.Position.Lat != -6.11 {
				t.Fatalf("unit at %+v, want the correct fix", u.Position)
			}
		})
	}
	t.Run("a unit kept with a fix a day ahead by an older version", func(t *testing.T) {
		r := newRig(t)
		frozen := tracking.Unit{ID: "AMB-1", Type: tracking.Ambulance, Agency: "dinkes", Status: tracking.Available,
			Position: tracking.Position{Lat: -6.10, Lon: 106.10, At: r.clk.Now().Add(23 * time.Hour), Battery: -1}}
		if err := r.fleet.Restore(frozen); err != nil {
			t.Fatal(err)
		}
		if out, err := r.units.ApplyFix("AMB-1", tracking.Position{Lat: -6.11, Lon: 106.11, At: r.clk.Now(), Battery: -1}); err != nil || out != fleet.Applied {
			t.Fatalf("the correct fix: %v, %v (want applied)", out, err)
		}
	})
}

// BenchmarkDeviceKey is the OsmAnd listener's key check against the real
// service, in a 2,000-unit fleet: the tracker id to the unit, then the key
// against the unit's hash (CheckDevice, also MQTT's and OwnTracks HTTP's).
func BenchmarkDeviceKey(b *testing.B) {
	r := newRig(b)
	ctx := context.Background()
	var key string
	for i := range 2000 {
		id := fmt.Sprintf("U%04d", i)
		if _, _, err := r.units.Register(ctx, tracking.Registration{ID: id, Type: tracking.Ambulance, Agency: "dinkes"}, "admin"); err != nil {
			b.Fatal(err)
		}
		secret, err := r.units.IssueDeviceSecret(ctx, id, "admin")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.units.SetTrackers(ctx, id, tracking.TrackerSettings{TrackerID: ptr(fmt.Sprintf("35693803564%04d", i))}, "admin"); err != nil {
			b.Fatal(err)
		}
		if i == 1234 {
			key = secret
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		unit, ok := r.units.UnitByTrackerID("356938035641234")
		if _, good := r.units.CheckDevice(unit, key); !ok || !good {
			b.Fatal("refused")
		}
	}
}
