// Package geo holds siaga112's geometry on paulmach/orb: great-circle
// distances in metres and the bounds the spatial indexes need.
package geo

import (
	"math"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
)

// EarthRadius is the sphere radius, in metres, behind every distance here
// (orb's, so our numbers agree with orb's own functions).
const EarthRadius = orb.EarthRadius

// Distance is the great-circle (haversine) distance in metres between two
// lon/lat points on a sphere of EarthRadius. Over Kota Serang's ~20 km the
// spherical model is within 0.5% of the WGS 84 ellipsoid.
func Distance(a, b orb.Point) float64 {
	return orbgeo.DistanceHaversine(a, b)
}

// BoundDistance is a lower bound, in metres, on the great-circle distance from
// p to any point of the lon/lat box b; 0 when p is inside. Spatial searches use
// it to prune boxes, so it must never exceed Distance to a point in b.
//
// It is the larger of two bounds that hold on the sphere:
//   - latitude gap: any point at latitude φ is at least R·|φ−φp| from p,
//     since a meridian arc is the shortest way between two parallels;
//   - longitude gap Δλ to the nearest edge meridian (when Δλ < 90° and the box
//     spans less than 90°): every point of the box lies beyond that meridian's
//     great circle, whose cross-track distance from p is R·asin(sin Δλ·cos φp).
//
// Boxes across the antimeridian are not handled (Indonesia is far from it);
// they only make the bound weaker, never wrong.
func BoundDistance(p orb.Point, b orb.Bound) float64 {
	const rad = math.Pi / 180
	var latGap float64
	switch {
	case p[1] < b.Min[1]:
		latGap = (b.Min[1] - p[1]) * rad
	case p[1] > b.Max[1]:
		latGap = (p[1] - b.Max[1]) * rad
	}
	var lonGap float64
	switch {
	case p[0] < b.Min[0]:
		lonGap = (b.Min[0] - p[0]) * rad
	case p[0] > b.Max[0]:
		lonGap = (p[0] - b.Max[0]) * rad
	}
	var cross float64
	if lonGap > 0 && lonGap < math.Pi/2 && (b.Max[0]-b.Min[0]) < 90 {
		cross = math.Asin(math.Sin(lonGap) * math.Cos(p[1]*rad))
	}
	// Shave a hair off so float rounding never lifts the bound above an
	// exact haversine distance (a point due north of p, say).
	return EarthRadius * math.Max(latGap, cross) * (1 - 1e-9)
}

// Destination is the point `metres` from p along the initial bearing
// (degrees clockwise from north), on the same sphere as Distance.
func Destination(p orb.Point, bearing, metres float64) orb.Point {
	return orbgeo.PointAtBearingAndDistance(p, bearing, metres)
}
