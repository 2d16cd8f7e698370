package roads

import (
	"math"

	"github.com/paulmach/orb"

	"siaga112/geo"
)

// DefaultSnapM is how far from every drivable way a point may lie and
// still be routed by road (--osm-snap).
const DefaultSnapM = 500

// NodeM: a point this close to a node (metres) is at it.
const NodeM = 1

// Snap attaches p to the nearest point of the nearest drivable segment
// within maxM metres; geo.OffRoad when there is none. Direction is the
// search's business: the segment's arcs say which way it may be driven.
//
// The nearest point is found on a local plane at p (x = R·Δλ·cos φ,
// y = R·Δφ): within the snap limit and a segment's length the scale error
// of that plane is far below a metre near the equator. The leg is then
// measured on the sphere, as every other distance.
func (g *Graph) Snap(p orb.Point, maxM float64) geo.RoadPoint {
	if len(g.segs) == 0 || !geo.ValidLatLon(p[1], p[0]) {
		return geo.OffRoad
	}
	pv := geo.ToVector(p)
	cosLat := math.Cos(p[1] * math.Pi / 180)
	kx := geo.EarthRadius * math.Pi / 180 * cosLat
	ky := geo.EarthRadius * math.Pi / 180
	best := geo.OffRoad
	bestD := math.Inf(1)
	g.tree.Nearby(
		func(min, max [2]float64, seg int32, item bool) float64 {
			if !item {
				return geo.ChordSqMetres(geo.BoundChordSq(p, cosLat, orb.Bound{Min: orb.Point(min), Max: orb.Point(max)}))
			}
			s := g.segs[seg]
			a, b := g.pos[s.a], g.pos[s.b]
			ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
			bx, by := (b[0]-p[0])*kx, (b[1]-p[1])*ky
			dx, dy := bx-ax, by-ay
			t := 0.0
			if l2 := dx*dx + dy*dy; l2 > 0 {
				t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
			}
			x, y := ax+t*dx, ay+t*dy
			return math.Sqrt(x*x + y*y)
		},
		func(_, _ [2]float64, seg int32, d float64) bool {
			if d > maxM {
				return false
			}
			s := g.segs[seg]
			a, b := g.pos[s.a], g.pos[s.b]
			ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
			bx, by := (b[0]-p[0])*kx, (b[1]-p[1])*ky
			dx, dy := bx-ax, by-ay
			t := 0.0
			if l2 := dx*dx + dy*dy; l2 > 0 {
				t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
			}
			// Within a metre of a node it is at the node: it may take any
			// road there, not only this segment's (GPS never lands exactly).
			if l := math.Sqrt(dx*dx + dy*dy); t*l < NodeM {
				t = 0
			} else if (1-t)*l < NodeM {
				t = 1
			}
			at := orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
			switch t {
			case 0:
				at = a
			case 1:
				at = b
			}
			best = geo.RoadPoint{Seg: seg, Frac: t, At: at, LegM: geo.ChordSqMetres(geo.ChordSq(pv, geo.ToVector(at)))}
			bestD = d
			return false
		},
	)
	if best.LegM > maxM || bestD > maxM {
		return geo.OffRoad
	}
	return best
}
