// Package geo holds siaga112's geometry on paulmach/orb: great-circle
// distances in metres and the bounds the spatial indexes need.
package geo

import (
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

// Destination is the point `metres` from p along the initial bearing
// (degrees clockwise from north), on the same sphere as Distance.
func Destination(p orb.Point, bearing, metres float64) orb.Point {
	return orbgeo.PointAtBearingAndDistance(p, bearing, metres)
}
