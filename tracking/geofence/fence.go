// Package geofence holds named areas (hospitals, stations, depots) as
// polygons or circles, an index answering which of them contain a point, a
// per-unit detector that turns successive fixes into enter and leave events,
// and rules that turn events into suggested status changes. It does no I/O:
// the caller hands it the bytes of a file and the fixes of its units.
package geofence

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"siaga112/geo"
)

// Kind says what a fence stands for; rules match on it.
type Kind string

const (
	Hospital Kind = "hospital"
	Station  Kind = "station" // a unit's home base: fire station, ambulance post, police post
	Depot    Kind = "depot"   // fuel, supplies, workshop
	Other    Kind = "other"
)

// Kinds lists every kind.
var Kinds = []Kind{Hospital, Station, Depot, Other}

// Fence is one named area: a polygon (Shape) or a circle (Center, RadiusM).
type Fence struct {
	ID     string
	Name   string
	Kind   Kind
	Agency string // owning agency ("" for none): "its station" matches on it

	Shape   orb.MultiPolygon // WGS 84 [lon, lat]; nil for a circle
	Center  orb.Point        // a circle's centre
	RadiusM float64          // a circle's radius in metres; 0 for a polygon

	bound orb.Bound
}

// IsCircle reports whether the fence is a circle.
func (f *Fence) IsCircle() bool { return f.Shape == nil }

// Bound is the fence's bounding box in degrees.
func (f *Fence) Bound() orb.Bound { return f.bound }

// Contains reports whether p lies in the fence. A circle is great-circle
// metres from its centre. A polygon is tested in planar lon/lat: GeoJSON
// (RFC 7946 §3.1.1) defines a polygon's edges as straight lines in lon/lat,
// so planar is the polygon's own meaning, and fences are city-sized, far
// from the poles and the antimeridian where that plane tears.
func (f *Fence) Contains(p orb.Point) bool {
	if f.IsCircle() {
		return geo.Distance(f.Center, p) <= f.RadiusM
	}
	return planar.MultiPolygonContains(f.Shape, p)
}

// OutsideM is how far p lies outside the fence in metres: 0 inside.
func (f *Fence) OutsideM(p orb.Point) float64 {
	if f.IsCircle() {
		return math.Max(0, geo.Distance(f.Center, p)-f.RadiusM)
	}
	if planar.MultiPolygonContains(f.Shape, p) {
		return 0
	}
	return geo.DistanceToBoundary(p, f.Shape)
}

// circleBound is the box around a circle, in degrees, padded a little so
// rounding never leaves a contained point outside it.
func circleBound(c orb.Point, radiusM float64) orb.Bound {
	dLat := radiusM / geo.EarthRadius * 180 / math.Pi * 1.01
	dLon := dLat / math.Max(math.Cos(c[1]*math.Pi/180), 0.01)
	return orb.Bound{Min: orb.Point{c[0] - dLon, c[1] - dLat}, Max: orb.Point{c[0] + dLon, c[1] + dLat}}
}
