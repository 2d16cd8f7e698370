package geo

import (
	"math"
	"testing"
)

func TestValidLatLon(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lat, lon float64
		want     bool
	}{
		{"Serang", -6.12, 106.15, true},
		{"the corners", -90, 180, true},
		{"the other corners", 90, -180, true},
		{"latitude beyond the pole", 90.000001, 0, false},
		{"longitude beyond the antimeridian", 0, -180.000001, false},
		{"lon, lat swapped", 106.15, -6.12, false},
		{"NaN latitude", math.NaN(), 0, false},
		{"NaN longitude", 0, math.NaN(), false},
		{"infinite", math.Inf(1), 0, false},
		{"infinite longitude", 0, math.Inf(-1), false},
	} {
		if got := ValidLatLon(tc.lat, tc.lon); got != tc.want {
			t.Errorf("%s: ValidLatLon(%g, %g) = %v", tc.name, tc.lat, tc.lon, got)
		}
		if got := ValidLat(tc.lat) && ValidLon(tc.lon); got != tc.want {
			t.Errorf("%s: ValidLat && ValidLon = %v", tc.name, got)
		}
	}
}
