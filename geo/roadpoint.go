package geo

import "github.com/paulmach/orb"

// RoadPoint is where a point joins a road network (geo/roads makes them):
// the nearest point of the nearest drivable segment. The fleet keeps one
// per unit, set when its fix arrives, so a search never snaps a unit.
type RoadPoint struct {
	// Seg is the road segment (an index of the network that made it); -1:
	// no drivable road within the snap limit.
	Seg int32
	// Frac is how far along the segment, 0 at its first node, 1 at its
	// second, in the segment's drawn order.
	Frac float64
	// At is the point on the road.
	At orb.Point
	// LegM is the straight leg from the point to At, in great-circle metres.
	LegM float64
}

// OnRoad reports whether the point joined a road.
func (r RoadPoint) OnRoad() bool { return r.Seg >= 0 }

// OffRoad is the RoadPoint of a point no road reaches.
var OffRoad = RoadPoint{Seg: -1}
