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
