package basemaptest

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// CityBound is the synthetic city's extent: over the whole of Kota Serang.
var CityBound = orb.Bound{Min: orb.Point{106.09, -6.19}, Max: orb.Point{106.23, -6.04}}

// WriteCity writes a synthetic city of about `ways` ways as OSM XML: a
// street grid with three shape points per segment (half the ways: primary,
// secondary, tertiary and residential lines, service lanes and footways),
// buildings (four in ten), land use (one in fifteen; a quarter of it
// forest multipolygons with a clearing), ponds and streams, and a few
// hundred place nodes. The same count gives the same file.
func WriteCity(w io.Writer, ways int) error {
	o := newOSM(w)
	rnd := rand.New(rand.NewPCG(112, uint64(ways)))
	g := int(math.Sqrt(float64(ways)/4)) + 1 // 2g(g-1) street segments ≈ ways/2
	dx := (CityBound.Max[0] - CityBound.Min[0]) / float64(g-1)
	dy := (CityBound.Max[1] - CityBound.Min[1]) / float64(g-1)
	lon := func(i float64) float64 { return CityBound.Min[0] + i*dx }
	lat := func(j float64) float64 { return CityBound.Min[1] + j*dy }
	grid := make([]int64, g*g)
	for j := range g {
		for i := range g {
			grid[j*g+i] = o.addNode(lon(float64(i)), lat(float64(j)))
		}
	}
	class := func(line, seg int) string {
		switch {
		case line%16 == 0:
			return "primary"
		case line%8 == 0:
			return "secondary"
		case line%4 == 0:
			return "tertiary"
		case seg%11 == 0:
			return "footway"
		case seg%7 == 0:
			return "service"
		}
		return "residential"
	}
	n := 0
	segment := func(a, b int64, x0, y0, x1, y1 float64, cls string) {
		nodes := []int64{a}
		for m := 1; m <= 3; m++ {
			f := float64(m) / 4
			jx, jy := (rnd.Float64()-0.5)*dx*0.05, (rnd.Float64()-0.5)*dy*0.05
			nodes = append(nodes, o.addNode(x0+(x1-x0)*f+jx, y0+(y1-y0)*f+jy))
		}
		o.addWay(append(nodes, b), "highway", cls)
		n++
	}
	for j := range g {
		for i := range g - 1 {
			segment(grid[j*g+i], grid[j*g+i+1], lon(float64(i)), lat(float64(j)), lon(float64(i+1)), lat(float64(j)), class(j, i))
		}
	}
	for i := range g {
		for j := range g - 1 {
			segment(grid[j*g+i], grid[(j+1)*g+i], lon(float64(i)), lat(float64(j)), lon(float64(i)), lat(float64(j+1)), class(i, j))
		}
	}
	// Blocks, in turn, until the count is reached: buildings (two per
	// block), land use, ponds and streams.
	landuses := []string{"residential", "farmland", "grass", "commercial", "cemetery", "industrial"}
	for b := 0; n < ways; b++ {
		cell := b % ((g - 1) * (g - 1))
		i, j := float64(cell%(g-1)), float64(cell/(g-1))
		x0, y0 := lon(i)+dx*0.15, lat(j)+dy*0.15
		x1, y1 := lon(i+1)-dx*0.15, lat(j+1)-dy*0.15
		switch r := b % 15; {
		case r == 0 && (b/15)%4 == 0:
			// A multipolygon: two untagged ways around, a clearing inside.
			a, c, d, e := o.addNode(x0, y0), o.addNode(x1, y0), o.addNode(x1, y1), o.addNode(x0, y1)
			south, north := o.addWay([]int64{e, a, c}), o.addWay([]int64{c, d, e})
			hole := o.addWay(o.box(x0+dx*0.25, y0+dy*0.25, x1-dx*0.25, y1-dy*0.25))
			o.addRelation([]member{{south, "outer"}, {north, "outer"}, {hole, "inner"}}, "type", "multipolygon", "landuse", "forest")
			n += 3
		case r == 0:
			o.addWay(o.box(x0, y0, x1, y1), "landuse", landuses[b%len(landuses)])
			n++
		case r == 1 && (b/15)%3 == 0:
			o.addWay(o.box(x0+dx*0.2, y0+dy*0.2, x1-dx*0.2, y1-dy*0.2), "natural", "water")
			n++
		case r == 1:
			o.addWay([]int64{o.addNode(x0, y0), o.addNode((x0+x1)/2, (y0+y1)/2+dy*0.05), o.addNode(x1, y1)}, "waterway", "stream")
			n++
		default:
			mx := (x0 + x1) / 2
			o.addWay(o.box(x0, y0, mx-dx*0.03, y0+(y1-y0)*0.4), "building", "yes")
			o.addWay(o.box(mx+dx*0.03, y1-(y1-y0)*0.4, x1, y1), "building", "house")
			n += 2
		}
	}
	classes := []string{"suburb", "village", "hamlet", "neighbourhood"}
	for p := range 300 {
		o.addNode(lon(rnd.Float64()*float64(g-1)), lat(rnd.Float64()*float64(g-1)),
			"place", classes[p%len(classes)], "name", fmt.Sprintf("Kampung Sintetis %d", p))
	}
	return o.close()
}

// City is the synthetic city of about `ways` ways as a PBF, made once per
// machine (see PBF).
func City(tb testing.TB, ways int) string {
	return PBF(tb, fmt.Sprintf("city-v3-%d", ways), func(w io.Writer) error { return WriteCity(w, ways) })
}
