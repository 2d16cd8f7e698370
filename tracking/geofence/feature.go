package geofence

import (
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Feature renders f as the GeoJSON feature Parse reads back: a Polygon or
// MultiPolygon, or a Point with "radius_m" for a circle.
func (f *Fence) Feature() *geojson.Feature {
	var g orb.Geometry = f.Center
	if !f.IsCircle() {
		if len(f.Shape) == 1 {
			g = f.Shape[0]
		} else {
			g = f.Shape
		}
	}
	gf := geojson.NewFeature(g)
	gf.ID = f.ID
	gf.Properties["name"] = f.Name
	gf.Properties["kind"] = string(f.Kind)
	if f.Agency != "" {
		gf.Properties["agency"] = f.Agency
	}
	if f.IsCircle() {
		gf.Properties["radius_m"] = f.RadiusM
	}
	return gf
}
