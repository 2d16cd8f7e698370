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
	if cosLat < 0.01 {
		return geo.OffRoad // no city lies at the poles
	}
	kx := geo.EarthRadius * math.Pi / 180 * cosLat
	ky := geo.EarthRadius * math.Pi / 180
	// Search growing boxes: a segment found at d ≤ the box's half-width
	// is the nearest (a nearer one would cross the box too).
	bestSeg, bestT, bestD := int32(-1), 0.0, math.Inf(1)
	for r := math.Min(60, maxM); ; r = math.Min(maxM, math.Max(4*r, bestD)) {
		lo := [2]float64{p[0] - r/kx, p[1] - r/ky}
		hi := [2]float64{p[0] + r/kx, p[1] + r/ky}
		g.tree.Search(lo, hi, func(_, _ [2]float64, seg int32) bool {
			s := g.segs[seg]
			a, b := g.pos[s.a], g.pos[s.b]
			ax, ay := (a[0]-p[0])*kx, (a[1]-p[1])*ky
			dx, dy := (b[0]-p[0])*kx-ax, (b[1]-p[1])*ky-ay
			t := 0.0
			if l2 := dx*dx + dy*dy; l2 > 0 {
				t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
			}
			x, y := ax+t*dx, ay+t*dy
			// On a tie (a crossing without a junction: a ramp over a
			// street) the segment the point is a node of wins.
			if d := math.Sqrt(x*x + y*y); d < bestD-1e-6 || d <= bestD+1e-6 && math.Min(t, 1-t) < math.Min(bestT, 1-bestT) {
				bestSeg, bestT, bestD = seg, t, d
			}
			return true
		})
		if bestD <= r || r >= maxM {
			break
		}
	}
	if bestSeg < 0 || bestD > maxM {
		return geo.OffRoad
	}
	s := g.segs[bestSeg]
	a, b := g.pos[s.a], g.pos[s.b]
	// Within a metre of a node it is at the node: it may take any road
	// there, not only this segment's (GPS never lands exactly).
	t := bestT
	if l := geo.Distance(a, b); t*l < NodeM {
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
	best := geo.RoadPoint{Seg: bestSeg, Frac: t, At: at, LegM: geo.ChordSqMetres(geo.ChordSq(pv, geo.ToVector(at)))}
	if best.LegM > maxM {
		return geo.OffRoad
	}
	return best
}
