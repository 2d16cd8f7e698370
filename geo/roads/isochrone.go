package roads

import (
	"math"

	"github.com/paulmach/orb"

	"siaga112/geo"
)

// Origin is where a unit starts an isochrone: its position and road point
// (geo.OffRoad: it gets a Disc instead, the caller's business).
type Origin struct {
	From orb.Point
	Road geo.RoadPoint
}

// Disc is a detour-model reach: a circle around Center, one radius per
// limit (metres).
type Disc struct {
	Center  orb.Point
	RadiusM []float64
}

// piece is a straight stretch reached by a limit: the part [f0, f1] of
// a → b (lenM metres).
type piece struct {
	a, b   orb.Point
	lenM   float64
	f0, f1 float64
	limit  int
}

// Isochrones draws, for each limit (seconds at the network's speeds,
// ascending), where the origins reach by road in that time, united with
// the discs: one forward search from all origins, the reached roads and
// the legs to them (edges partly reached cut where the time runs out) on
// a raster of ~30 m cells grown by one cell. A larger limit's area holds
// every smaller one's. g may be nil (no network: discs alone). No origin
// and no disc: empty MultiPolygons.
func Isochrones(g *Graph, origins []Origin, discs []Disc, limits []float64) []orb.MultiPolygon {
	out := make([]orb.MultiPolygon, len(limits))
	for k := range out {
		out[k] = orb.MultiPolygon{}
	}
	if len(limits) == 0 {
		return out
	}
	var pieces []piece
	if g != nil && len(origins) > 0 {
		pieces = g.reach(origins, limits)
	}
	if len(pieces) == 0 && len(discs) == 0 {
		return out
	}
	// The grid covers every reached piece and the largest discs.
	var b orb.Bound
	first := true
	extend := func(p orb.Point) {
		if first {
			b, first = orb.Bound{Min: p, Max: p}, false
		}
		b = b.Extend(p)
	}
	for _, p := range pieces {
		extend(p.a)
		extend(p.b)
	}
	last := len(limits) - 1
	for _, d := range discs {
		r := d.RadiusM[last]
		extend(geo.Destination(d.Center, 0, r))
		extend(geo.Destination(d.Center, 90, r))
		extend(geo.Destination(d.Center, 180, r))
		extend(geo.Destination(d.Center, 270, r))
	}
	road := newRaster(b)
	var prev *raster
	for k := range limits {
		for _, p := range pieces {
			if p.limit == k {
				a := lerp(p.a, p.b, p.f0)
				z := lerp(p.a, p.b, p.f1)
				road.line(a, z, p.lenM*(p.f1-p.f0))
			}
		}
		area := road.clone()
		clear(area.set)
		area.grow(road)
		for _, d := range discs {
			area.disc(d.Center, d.RadiusM[k])
		}
		if prev != nil {
			area.or(prev) // keep what a smaller limit's unpinching added
		}
		area.unpinch()
		out[k] = area.polygons()
		prev = area
	}
	return out
}

func lerp(a, b orb.Point, f float64) orb.Point {
	return orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
}

// reach runs one forward search from all origins up to the last limit and
// lists the stretches each limit adds.
func (g *Graph) reach(origins []Origin, limits []float64) []piece {
	s := g.getSearch()
	defer s.Release()
	maxT := limits[len(limits)-1]
	var pieces []piece
	// span adds the stretch of a → b (cost secs, starting at t0) that
	// each limit reaches beyond the previous one.
	span := func(a, b orb.Point, lenM, t0, secs float64) {
		prev := -1.0
		for k, l := range limits {
			if l < t0 {
				continue
			}
			f := 1.0
			if secs > 0 {
				f = math.Min(1, (l-t0)/secs)
			}
			if f > prev {
				pieces = append(pieces, piece{a: a, b: b, lenM: lenM, f0: math.Max(prev, 0), f1: f, limit: k})
				prev = f
			}
			if f >= 1 {
				return
			}
		}
	}
	for _, o := range origins {
		if !o.Road.OnRoad() {
			continue
		}
		leg := legSecs(o.Road.LegM)
		span(o.From, o.Road.At, o.Road.LegM, 0, leg)
		fa, fn := g.arcs(o.Road.Seg, o.Road.Frac)
		for j := range fn {
			a := fa[j]
			h := g.arcHead[a.arc]
			rest := (1 - a.t) * float64(g.arcCost[a.arc])
			span(o.Road.At, g.pos[h], (1-a.t)*float64(g.arcLen[a.arc]), leg, rest)
			if d := leg + rest; d <= maxT {
				s.relax(h, float32(d), 0, -1)
			}
		}
	}
	for s.heap.Len() > 0 {
		d, v := s.heap.pop()
		if d > s.dist[v] {
			continue
		}
		for e := g.off[v]; e < g.off[v+1]; e++ {
			w := g.head[e]
			span(g.pos[v], g.pos[w], float64(g.length[e]), float64(d), float64(g.cost[e]))
			if nd := d + g.cost[e]; float64(nd) <= maxT {
				s.relax(w, nd, 0, e)
			}
		}
	}
	return pieces
}
