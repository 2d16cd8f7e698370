package analytics

import (
	"errors"
	"math"

	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"siaga112/geo"
	"siaga112/tracking"
)

// CityCells lists the H3 cells at res whose centres lie inside the city
// (as the locator knows it), from the cells covering bound.
func CityCells(bound orb.Bound, res int, loc tracking.Locator) []h3.Cell {
	b := bound
	poly := h3.GeoPolygon{GeoLoop: h3.GeoLoop{
		h3.NewLatLng(b.Min[1], b.Min[0]), h3.NewLatLng(b.Min[1], b.Max[0]),
		h3.NewLatLng(b.Max[1], b.Max[0]), h3.NewLatLng(b.Max[1], b.Min[0]),
	}}
	var out []h3.Cell
	for _, c := range h3.PolygonToCells(poly, res) {
		ll := c.LatLng()
		if _, err := loc.Locate(orb.Point{ll.Lng, ll.Lat}); err == nil {
			out = append(out, c)
		}
	}
	return out
}

// Nearest finds the nearest available, live unit of a type to a point
// (fleet.Index.Nearest with that filter is one).
type Nearest func(p orb.Point) (u tracking.Unit, metres float64, ok bool)

// CoverageCell says how long a new call in this cell would wait for the
// nearest available unit right now.
type CoverageCell struct {
	Cell       h3.Cell
	UnitID     string  // "" when no unit can be sent
	DistanceM  float64 // great-circle, from the cell's centre
	ETASeconds float64 // NaN when no unit can be sent
}

// Coverage estimates, for each cell, the ETA of the nearest available live
// unit, with the router's model for the unit's type.
func Coverage(cells []h3.Cell, nearest Nearest, router geo.Router) ([]CoverageCell, error) {
	out := make([]CoverageCell, 0, len(cells))
	for _, c := range cells {
		ll := c.LatLng()
		p := orb.Point{ll.Lng, ll.Lat}
		cc := CoverageCell{Cell: c, ETASeconds: math.NaN()}
		if u, d, ok := nearest(p); ok {
			r, err := router.Route(orb.Point{u.Position.Lon, u.Position.Lat}, p, string(u.Type))
			if err != nil {
				return nil, errors.Join(errors.New("coverage"), err)
			}
			cc.UnitID, cc.DistanceM, cc.ETASeconds = u.ID, math.Round(d), r.Duration.Seconds()
		}
		out = append(out, cc)
	}
	return out, nil
}
