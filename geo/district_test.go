package geo

import (
	"errors"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// A point in no polygon but within the snap distance of one is given to it
// and answered approximate, with its distance; a point inside is exact.
func TestLocateSaysWhenApproximate(t *testing.T) {
	const d = 0.009 // ~1 km
	x, y := 106.1, -6.1
	sq := func(x0, x1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y}, {x1, y}, {x1, y + d}, {x0, y + d}, {x0, y}}}}
	}
	// Two kelurahan with a 20 m gap between them.
	gap := 20 / (EarthRadius * math.Pi / 180 * math.Cos(y*math.Pi/180))
	ix := NewExactIndex([]District{
		{Kelurahan: Place{Code: "W"}, Shape: sq(x, x+d)},
		{Kelurahan: Place{Code: "E"}, Shape: sq(x+d+gap, x+2*d+gap)},
	})
	mid := y + d/2
	for _, tt := range []struct {
		name      string
		p         orb.Point
		code      string
		distanceM float64 // -1: exact
	}{
		{"inside W", orb.Point{x + d/2, mid}, "W", -1},
		{"in the gap, 5 m from W", orb.Point{x + d + gap/4, mid}, "W", 5},
		{"in the gap, 5 m from E", orb.Point{x + d + 3*gap/4, mid}, "E", 5},
		{"12 m west of W", orb.Point{x - 0.6*gap, mid}, "W", 12},
	} {
		t.Run(tt.name, func(t *testing.T) {
			loc, err := ix.Locate(tt.p)
			if err != nil || loc.Kelurahan.Code != tt.code {
				t.Fatalf("%+v, %v; want %s", loc, err, tt.code)
			}
			switch {
			case tt.distanceM < 0 && (loc.Approximate || loc.DistanceM != nil):
				t.Fatalf("inside a polygon: %+v", loc)
			case tt.distanceM >= 0 && (!loc.Approximate || loc.DistanceM == nil || math.Abs(*loc.DistanceM-tt.distanceM) > 0.1):
				t.Fatalf("approximate %v, distance %v; want approximate, %.1f m", loc.Approximate, loc.DistanceM, tt.distanceM)
			}
		})
	}
	if _, err := ix.Locate(orb.Point{x - 2*gap, mid}); !errors.Is(err, ErrOutside) {
		t.Fatalf("40 m out: %v", err)
	}
}
