// Package coverage turns a layer of neighbouring polygons that was digitised
// (or simplified) one polygon at a time, so that neighbours overlap here and
// leave gaps there, into a coverage: polygons that tile the layer's outline
// with no gap and no overlap, each shared border one line. mapdata's build
// step (internal/mkserang) runs it on BIG's Kota Serang kelurahan.
//
// Every overlay is simplefeatures' (a DCEL with re-noding), which validates
// what it returns. Coordinates stay lon/lat and the overlays are planar in
// lon/lat, as RFC 7946 defines polygon edges; areas and distances are taken
// on a local plane (see Plane).
package coverage

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/paulmach/orb"
	sf "github.com/peterstace/simplefeatures/geom"

	"siaga112/geo/sfgeom"
)

// Area is one polygon of a layer, keyed by its code.
type Area struct {
	Code  string
	Shape orb.MultiPolygon // lon/lat
}

// Options tune Clean; the zero value is not useful, see each field.
type Options struct {
	// HoleM2: a hole of the layer's union at least this large (m²) is a real
	// enclave outside the layer and stays a hole; a smaller one is a gap
	// between neighbours and is filled.
	HoleM2 float64
	// FragmentM2: a piece an area keeps apart from its main polygon after
	// giving up its overlaps is a fragment when smaller than this (m²); it
	// joins the gaps.
	FragmentM2 float64
}

// Clean makes the areas a coverage of their union (with holes under
// HoleM2 filled), in three steps:
//
//  1. Overlaps go to one side: the areas are taken largest first, and each
//     keeps only what no larger area has kept. The larger side keeps an
//     overlap because the same strip is a smaller share of it.
//  2. Fragments an area is left with apart from its main polygon (a
//     neighbour's boundary cutting across a thin neck) join the gaps.
//  3. Each gap (a part of the outline no area covers) goes to the
//     neighbour it shares the longest border with, the rule GIS tools call
//     "eliminate"; a gap touching no area along a line goes to the nearest.
//
// Each area's new border along a neighbour is made of that neighbour's
// edges, so shared borders are one line. Clean checks its own result
// (valid polygons, the same outline, no overlap) and returns the areas in
// the input order.
func Clean(in []Area, opt Options) ([]Area, error) {
	pl := PlaneFor(in)
	src := make([]sf.Geometry, len(in))
	for i, a := range in {
		g := sfgeom.MultiPolygon(a.Shape)
		if err := g.Validate(); err != nil {
			return nil, fmt.Errorf("%s: not a valid polygon: %v", a.Code, err)
		}
		src[i] = g
	}

	// 1. Overlaps to the larger side.
	order := make([]int, len(in))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(src[b].Area(), src[a].Area()), cmp.Compare(in[a].Code, in[b].Code))
	})
	out := make([]sf.Geometry, len(in))
	done := make([]bool, len(in))
	for _, i := range order {
		var kept []sf.Geometry
		for j, g := range out {
			if done[j] && g.Envelope().Intersects(src[i].Envelope()) {
				kept = append(kept, g)
			}
		}
		g := src[i]
		if len(kept) > 0 {
			u, err := sf.UnionMany(kept)
			if err != nil {
				return nil, fmt.Errorf("%s: union of its larger neighbours: %v", in[i].Code, err)
			}
			if g, err = sf.Difference(src[i], u); err != nil {
				return nil, fmt.Errorf("%s: giving up its overlaps: %v", in[i].Code, err)
			}
		}
		out[i], done[i] = g, true
	}

	// 2. Fragments out.
	for i, g := range out {
		parts := polygons(g)
		if len(parts) == 0 {
			return nil, fmt.Errorf("%s: nothing is left once its overlaps are given up", in[i].Code)
		}
		main := slices.MaxFunc(parts, func(a, b sf.Geometry) int { return cmp.Compare(a.Area(), b.Area()) })
		kept := []sf.Geometry{}
		for _, p := range parts {
			if p == main || pl.AreaM2(p) >= opt.FragmentM2 {
				kept = append(kept, p)
			}
		}
		out[i] = multi(kept)
	}

	// 3. Gaps to the neighbour with the longest shared border.
	outline, err := Outline(src, pl, opt.HoleM2)
	if err != nil {
		return nil, err
	}
	covered, err := sf.UnionMany(out)
	if err != nil {
		return nil, fmt.Errorf("union of the areas: %v", err)
	}
	gapsAll, err := sf.Difference(outline, covered)
	if err != nil {
		return nil, fmt.Errorf("gaps: %v", err)
	}
	gets := make([][]sf.Geometry, len(in))
	for _, gap := range polygons(gapsAll) {
		to := neighbourOf(gap, out)
		if to < 0 {
			return nil, fmt.Errorf("a gap of %.1f m² near %v touches no area", pl.AreaM2(gap), gap.Centroid().AsText())
		}
		gets[to] = append(gets[to], gap)
	}
	for i, gaps := range gets {
		if len(gaps) == 0 {
			continue
		}
		u, err := sf.UnionMany(append([]sf.Geometry{out[i]}, gaps...))
		if err != nil {
			return nil, fmt.Errorf("%s: taking its gaps: %v", in[i].Code, err)
		}
		out[i] = multi(polygons(u))
	}

	res := make([]Area, len(in))
	for i, g := range out {
		res[i] = Area{Code: in[i].Code, Shape: sfgeom.Polygons(g)}
	}
	if err := Check(res, outline, pl); err != nil {
		return nil, fmt.Errorf("the cleaned layer fails its own check: %w", err)
	}
	return res, nil
}

// Outline is the union of gs with its holes under holeM2 filled.
func Outline(gs []sf.Geometry, pl Plane, holeM2 float64) (sf.Geometry, error) {
	u, err := sf.UnionMany(gs)
	if err != nil {
		return sf.Geometry{}, fmt.Errorf("outline: %v", err)
	}
	var polys []sf.Polygon
	for _, p := range polygons(u) {
		poly := p.MustAsPolygon()
		rings := []sf.LineString{poly.ExteriorRing()}
		for i := range poly.NumInteriorRings() {
			r := poly.InteriorRingN(i)
			if pl.AreaM2(sf.NewPolygon([]sf.LineString{r}).AsGeometry()) >= holeM2 {
				rings = append(rings, r)
			}
		}
		polys = append(polys, sf.NewPolygon(rings))
	}
	return sf.NewMultiPolygon(polys).AsGeometry(), nil
}

// neighbourOf picks the area sharing the longest border with gap, or when
// none shares a line, the nearest within the gap's own size; -1 if none.
func neighbourOf(gap sf.Geometry, areas []sf.Geometry) int {
	env := gap.Envelope()
	edge := gap.Boundary()
	best, bestLen := -1, 0.0
	var near []int
	for j, a := range areas {
		if !a.Envelope().Intersects(env) {
			continue
		}
		near = append(near, j)
		shared, err := sf.Intersection(edge, a.Boundary())
		if err != nil {
			continue
		}
		if l := shared.Length(); l > bestLen {
			best, bestLen = j, l
		}
	}
	if best >= 0 {
		return best
	}
	bestD := 0.0
	for _, j := range near {
		if d, ok := sf.Distance(gap, areas[j]); ok && (best < 0 || d < bestD) {
			best, bestD = j, d
		}
	}
	return best
}

// polygons lists the polygons of g (an overlay may return a collection).
func polygons(g sf.Geometry) []sf.Geometry {
	var out []sf.Geometry
	for _, p := range g.Dump() {
		if p.IsPolygon() && !p.IsEmpty() {
			out = append(out, p)
		}
	}
	return out
}

func multi(ps []sf.Geometry) sf.Geometry {
	polys := make([]sf.Polygon, len(ps))
	for i, p := range ps {
		polys[i] = p.MustAsPolygon()
	}
	return sf.NewMultiPolygon(polys).AsGeometry()
}
