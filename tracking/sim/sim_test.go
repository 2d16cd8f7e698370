package sim

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/tracking"
)

func TestStep(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		every time.Duration // time between steps; 0: the same instant each time
	}{
		{"one second apart", time.Second},
		{"faster than the clock", 0},
		{"sub-millisecond", 100 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := New(10, 1, t0)
			seen := map[string]bool{}
			for _, v := range f.Vehicles {
				if err := v.Reg.Validate(); err != nil {
					t.Fatal(err)
				}
				seen[string(v.Reg.Type)] = true
				prev := tracking.Position{At: t0}
				for i := range 500 {
					p := f.Step(v, t0.Add(time.Duration(i)*tt.every))
					if !p.At.After(prev.At) {
						t.Fatalf("%s step %d: fix time %v not after %v", v.Reg.ID, i, p.At, prev.At)
					}
					if !Area.Pad(1e-9).Contains([2]float64{p.Lon, p.Lat}) {
						t.Fatalf("%s left the area: %v", v.Reg.ID, p)
					}
					prev = p
				}
			}
			if len(seen) != len(tracking.UnitTypes) {
				t.Fatalf("types seen %v, want all %d", seen, len(tracking.UnitTypes))
			}
		})
	}
}

func TestDriveKeepsTheRate(t *testing.T) {
	f := New(20, 2, time.Now())
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	perUnit := map[string]int{}
	sent := f.Drive(ctx, 1000, func(v *Vehicle, _ tracking.Position) { perUnit[v.Reg.ID]++ })
	// 1,000/s for 0.5 s; generous bounds, this is about correctness not speed.
	if sent < 300 || sent > 600 {
		t.Fatalf("sent %d fixes in 0.5 s at 1000/s", sent)
	}
	for id, n := range perUnit {
		if d := n - int(sent)/20; d < -1 || d > 1 {
			t.Fatalf("unit %s got %d fixes, not its fair share of %d", id, n, sent)
		}
	}
}

func TestWaypoints(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	f := New(1, 3, t0)
	f.Waypoints = []orb.Point{{106.15, -6.12}, {106.16, -6.11}}
	v := f.Vehicles[0]
	// A long step reaches the first target; from then on every target is a waypoint.
	f.Step(v, t0.Add(time.Hour))
	for i := range 20 {
		p := f.Step(v, t0.Add(time.Hour+time.Duration(i+1)*time.Hour))
		if (orb.Point{p.Lon, p.Lat}) != f.Waypoints[0] && (orb.Point{p.Lon, p.Lat}) != f.Waypoints[1] {
			t.Fatalf("step %d ended at %v, not a waypoint", i, p)
		}
	}
}

// A send that blocks makes Drive skip the backlog, never burst past the rate.
func TestDriveNeverOvershoots(t *testing.T) {
	f := New(10, 3, time.Now())
	ctx, cancel := context.WithTimeout(context.Background(), 2500*time.Millisecond)
	defer cancel()
	first := true
	sent := f.Drive(ctx, 1000, func(*Vehicle, tracking.Position) {
		if first {
			first = false
			time.Sleep(1500 * time.Millisecond)
		}
	})
	if sent > 2600 || sent < 1000 {
		t.Fatalf("sent %d in 2.5 s at 1000/s with a 1.5 s stall", sent)
	}
}

func TestSendAndRelease(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	f := New(1, 4, t0)
	v := f.Vehicles[0]
	scene := orb.Point{106.177791, -6.110699}
	v.Send(scene)
	var p tracking.Position
	for i := range 120 { // two hours, a minute a step: far more than enough
		p = f.Step(v, t0.Add(time.Duration(i+1)*time.Minute))
	}
	if (orb.Point{p.Lon, p.Lat}) != scene || p.SpeedKmh.Or(0) != 0 {
		t.Fatalf("sent vehicle at %v moving %v km/h, want parked at %v", p, p.SpeedKmh.Or(0), scene)
	}
	v.Release()
	p = f.Step(v, t0.Add(3*time.Hour))
	if (orb.Point{p.Lon, p.Lat}) == scene || p.SpeedKmh.Or(0) == 0 {
		t.Fatalf("released vehicle still parked: %+v", p)
	}
}
