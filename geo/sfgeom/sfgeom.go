// Package sfgeom converts orb geometry to simplefeatures, the library that
// checks OGC validity and dissolves polygons (mapdata's kecamatan and city
// outlines, geofence validation).
package sfgeom

import (
	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"
)

// MultiPolygon is mp as a simplefeatures geometry, coordinates as given
// (lon, lat); it is not validated here: call Validate on the result.
func MultiPolygon(mp orb.MultiPolygon) sf.Geometry {
	polys := make([]sf.Polygon, 0, len(mp))
	for _, p := range mp {
		rings := make([]sf.LineString, 0, len(p))
		for _, r := range p {
			xy := make([]float64, 0, 2*len(r))
			for _, pt := range r {
				xy = append(xy, pt[0], pt[1])
			}
			rings = append(rings, sf.NewLineString(sf.NewSequence(xy, sf.DimXY)))
		}
		polys = append(polys, sf.NewPolygon(rings))
	}
	return sf.NewMultiPolygon(polys).AsGeometry()
}

// Polygons returns the polygons of g (a Polygon, a MultiPolygon, or a
// collection holding them; other members are ignored) as orb polygons,
// exterior rings counter-clockwise and holes clockwise as RFC 7946 asks.
func Polygons(g sf.Geometry) orb.MultiPolygon {
	var out orb.MultiPolygon
	for _, part := range g.Dump() {
		if p, ok := part.AsPolygon(); ok && !p.IsEmpty() {
			out = append(out, Polygon(p))
		}
	}
	return out
}

// Polygon converts p, exterior counter-clockwise and holes clockwise.
func Polygon(p sf.Polygon) orb.Polygon {
	out := make(orb.Polygon, 0, 1+p.NumInteriorRings())
	add := func(ls sf.LineString, ccw bool) {
		seq := ls.Coordinates()
		r := make(orb.Ring, seq.Length())
		for i := range r {
			xy := seq.GetXY(i)
			r[i] = orb.Point{xy.X, xy.Y}
		}
		if (r.Orientation() == orb.CCW) != ccw {
			r.Reverse()
		}
		out = append(out, r)
	}
	add(p.ExteriorRing(), true)
	for i := range p.NumInteriorRings() {
		add(p.InteriorRingN(i), false)
	}
	return out
}
