package geofence

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/geo"
)

var t0 = time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)

// squareFence is a 200 m × 200 m hospital; its east edge is at lon 106.15.
func squareFence() *Index {
	d := 200.0 / geo.EarthRadius * 180 / 3.141592653589793
	sq := orb.MultiPolygon{{{{106.15 - d, -6.12}, {106.15, -6.12}, {106.15, -6.12 + d}, {106.15 - d, -6.12 + d}, {106.15 - d, -6.12}}}}
	return NewIndex([]Fence{{ID: "rs", Name: "RS", Kind: Hospital, Shape: sq, bound: sq.Bound()}})
}

// east is a point m metres east of the fence's east edge (negative: inside).
func east(m float64) orb.Point { return geo.Destination(orb.Point{106.15, -6.119}, 90, m) }

func TestDetector(t *testing.T) {
	ix := squareFence()
	type step struct {
		m   float64 // metres east of the edge
		dt  int     // seconds after t0
		acc float64
	}
	tests := []struct {
		name  string
		steps []step
		want  []EventType
	}{
		{"drive in and out", []step{{100, 1, 0}, {-20, 2, 0}, {-50, 3, 0}, {40, 4, 0}, {200, 5, 0}}, []EventType{Enter, Leave}},
		{"jitter at the edge does not flap", []step{{5, 1, 0}, {-3, 2, 0}, {4, 3, 0}, {-2, 4, 0}, {12, 5, 0}, {-1, 6, 0}, {25, 7, 0}}, []EventType{Enter}},
		{"leaving needs the band", []step{{-10, 1, 0}, {29, 2, 0}, {31, 3, 0}}, []EventType{Enter, Leave}},
		{"first fix inside enters", []step{{-50, 1, 0}}, []EventType{Enter}},
		{"late fix ignored", []step{{-50, 5, 0}, {300, 4, 0}, {-40, 6, 0}}, []EventType{Enter}},
		{"repeated fix ignored", []step{{100, 5, 0}, {-40, 5, 0}}, nil},
		{"inaccurate fix ignored", []step{{100, 1, 0}, {-40, 2, 500}, {100, 3, 10}}, nil},
		{"re-entry after a real leave", []step{{-50, 1, 0}, {100, 2, 0}, {-50, 3, 0}}, []EventType{Enter, Leave, Enter}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDetector("u1", DefaultConfig())
			var evs []Event
			for _, s := range tt.steps {
				evs = d.Update(evs, ix, Fix{Point: east(s.m), At: t0.Add(time.Duration(s.dt) * time.Second), AccuracyM: s.acc})
			}
			var got []EventType
			for _, e := range evs {
				got = append(got, e.Type)
				if e.Unit != "u1" || e.Fence != "rs" || e.Kind != Hospital {
					t.Errorf("event %+v", e)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("events %v, want %v", got, tt.want)
			}
		})
	}
}

// Without the band (LeaveM 0) the same jitter flaps: the band is what
// prevents it.
func TestDetectorFlapsWithoutBand(t *testing.T) {
	ix := squareFence()
	for _, tt := range []struct {
		name   string
		leaveM float64
		want   int
	}{{"no band", 0, 6}, {"default band", DefaultConfig().LeaveM, 1}} {
		d := NewDetector("u1", Config{LeaveM: tt.leaveM})
		var evs []Event
		for i, m := range []float64{5, -3, 4, -2, 12, -1, 25} {
			evs = d.Update(evs, ix, Fix{Point: east(m), At: t0.Add(time.Duration(i+1) * time.Second)})
		}
		if len(evs) != tt.want {
			t.Errorf("%s: %d events, want %d", tt.name, len(evs), tt.want)
		}
	}
}

// A fence removed while a unit is in it is forgotten without a leave.
func TestTrackerSwapIndex(t *testing.T) {
	tr := NewTracker(squareFence(), DefaultConfig())
	if evs := tr.Observe("u1", Fix{Point: east(-50), At: t0}); len(evs) != 1 || evs[0].Type != Enter {
		t.Fatalf("enter: %+v", evs)
	}
	tr.SetIndex(NewIndex(nil))
	if evs := tr.Observe("u1", Fix{Point: east(500), At: t0.Add(time.Second)}); len(evs) != 0 {
		t.Fatalf("removed fence: %+v", evs)
	}
	tr.SetIndex(squareFence())
	if evs := tr.Observe("u1", Fix{Point: east(-50), At: t0.Add(2 * time.Second)}); len(evs) != 1 || evs[0].Type != Enter {
		t.Fatalf("fence back: %+v", evs)
	}
}

// BenchmarkDetectorUpdate is the per-fix cost with 200 fences: a unit
// driving across the city, one fix every ~10 m.
func BenchmarkDetectorUpdate200(b *testing.B) {
	ix := NewIndex(cityFences(200, 1))
	rng := rand.New(rand.NewPCG(7, 8))
	ps := make([]orb.Point, 4096)
	p := orb.Point{106.15, -6.12}
	for i := range ps {
		p = geo.Destination(p, rng.Float64()*360, 10)
		ps[i] = p
	}
	d := NewDetector("u1", DefaultConfig())
	var evs []Event
	i := 0
	for b.Loop() {
		evs = d.Update(evs[:0], ix, Fix{Point: ps[i%len(ps)], At: t0.Add(time.Duration(i+1) * time.Second)})
		i++
	}
}
