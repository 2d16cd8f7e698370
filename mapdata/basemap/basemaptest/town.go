package basemaptest

import (
	"io"
)

// The town: a street grid of TownCols × TownRows lines, Step degrees apart
// (~150 m), its south-west corner at (TownWest, TownSouth), in Kota Serang.
const (
	TownWest  = 106.1460
	TownSouth = -6.1230
	Step      = 0.00135
	TownCols  = 7
	TownRows  = 5
)

// RoadClasses are the highway=* values the town's street segments take in
// turn: every class the map styles, and values it does not know.
var RoadClasses = []string{
	"motorway", "trunk", "primary", "secondary", "tertiary", "residential", "unclassified",
	"living_street", "service", "pedestrian", "track", "footway", "path", "cycleway", "steps",
	"bridleway", "motorway_link", "primary_link", "road", "busway", "construction", "proposed",
	"corridor", "raceway", "yes",
}

// EmptyBlocks are blocks (column, row from the south-west) with nothing in
// them: the page's ground shows at their centres.
var EmptyBlocks = [][2]int{{5, 0}, {3, 1}}

// Place names of the town: those drawn, and those never drawn because
// they hold emoji (a symbol, a keycap sequence).
var (
	DrawnPlaces   = []string{"Kaligandu Baru", "Lingkungan Cilampang"}
	UndrawnPlaces = []string{"Kampung 🔥 Api", "1\ufe0f\u20e3 RT Satu"}
)

// WriteTown writes the town as OSM XML: street segments of every class
// (each its own way, kinked so that a straight stand-in would be off
// course), a bridge over a river, a road running east out of the city,
// buildings, land use, a park, a pond, a forest multipolygon with a
// clearing, a pedestrian square, and place nodes.
func WriteTown(w io.Writer) error {
	o := newOSM(w)
	lon := func(i float64) float64 { return TownWest + i*Step }
	lat := func(j float64) float64 { return TownSouth + j*Step }
	var grid [TownCols][TownRows]int64
	for j := range TownRows {
		for i := range TownCols {
			grid[i][j] = o.addNode(lon(float64(i)), lat(float64(j)))
		}
	}
	k := 0
	// segment joins two grid nodes through kinks off the straight line
	// (~9 m), one or three of them.
	segment := func(a, b int64, lon0, lat0, lon1, lat1 float64, horizontal bool) {
		cls := RoadClasses[k%len(RoadClasses)]
		off := 0.00008
		if k%2 == 1 {
			off = -off
		}
		nodes := []int64{a}
		kinks := 1
		if k%3 == 0 {
			kinks = 3
		}
		for m := 1; m <= kinks; m++ {
			f := float64(m) / float64(kinks+1)
			x, y := lon0+(lon1-lon0)*f, lat0+(lat1-lat0)*f
			d := off
			if m == 2 {
				d = -off
			}
			if horizontal {
				y += d
			} else {
				x += d
			}
			nodes = append(nodes, o.addNode(x, y))
		}
		nodes = append(nodes, b)
		o.addWay(nodes, "highway", cls)
		k++
	}
	for j := range TownRows {
		for i := range TownCols - 1 {
			segment(grid[i][j], grid[i+1][j], lon(float64(i)), lat(float64(j)), lon(float64(i+1)), lat(float64(j)), true)
		}
	}
	for i := range TownCols {
		for j := range TownRows - 1 {
			segment(grid[i][j], grid[i][j+1], lon(float64(i)), lat(float64(j)), lon(float64(i)), lat(float64(j+1)), false)
		}
	}

	// Blocks: inset ~39 m from the streets, so nothing drawn touches a road.
	const in = 0.00035
	block := func(i, j int) (float64, float64, float64, float64) {
		return lon(float64(i)) + in, lat(float64(j)) + in, lon(float64(i+1)) - in, lat(float64(j+1)) - in
	}
	centre := func(i, j int) (float64, float64) { return lon(float64(i) + 0.5), lat(float64(j) + 0.5) }
	area := func(i, j int, tags ...string) {
		x0, y0, x1, y1 := block(i, j)
		o.addWay(o.box(x0, y0, x1, y1), tags...)
	}
	area(0, 0, "landuse", "residential")
	area(1, 0, "building", "yes")
	x0, y0, x1, y1 := block(2, 0)
	o.addWay(o.box(x0, y0, (x0+x1)/2-0.00005, y1), "building", "house")
	o.addWay(o.box((x0+x1)/2+0.00005, y0, x1, y1), "building", "school")
	area(3, 0, "leisure", "park")
	area(4, 0, "natural", "water")
	area(5, 1, "landuse", "farmland")
	// The forest: an outer ring of two untagged ways, a clearing inside.
	x0, y0, x1, y1 = block(0, 1)
	a, b, c, d := o.addNode(x0, y0), o.addNode(x1, y0), o.addNode(x1, y1), o.addNode(x0, y1)
	south := o.addWay([]int64{d, a, b})
	north := o.addWay([]int64{b, c, d})
	m := (x1 - x0) / 3
	hole := o.addWay(o.box(x0+m, y0+m, x1-m, y1-m))
	o.addRelation([]member{{south, "outer"}, {north, "outer"}, {hole, "inner"}}, "type", "multipolygon", "landuse", "forest")
	// A pedestrian square: a closed highway way, drawn as its outline.
	x0, y0, x1, y1 = block(4, 1)
	o.addWay(o.box(x0, y0, x1, y1), "highway", "pedestrian", "area", "yes")
	for i := range TownCols - 1 {
		for j := 2; j < TownRows-1; j++ {
			area(i, j, "building", "yes")
		}
	}
	// Places, in blocks that are not the empty ones.
	x, y := centre(2, 1)
	o.addNode(x, y, "place", "suburb", "name", DrawnPlaces[0])
	x, y = centre(1, 2)
	o.addNode(x, y, "place", "hamlet", "name", DrawnPlaces[1])
	x, y = centre(3, 2)
	o.addNode(x, y, "place", "village", "name", UndrawnPlaces[0])
	x, y = centre(4, 3)
	o.addNode(x, y, "place", "neighbourhood", "name", UndrawnPlaces[1])
	o.addNode(107.5, -6.1, "place", "town", "name", "Di Luar Kota")

	// A river 50 m south of the town in its water area, a bridge over it.
	ry := TownSouth - 0.00045
	river := []int64{o.addNode(lon(-1), ry), o.addNode(lon(3), ry+0.00003), o.addNode(lon(7), ry)}
	o.addWay(river, "waterway", "river", "name", "Kali Cibanten")
	o.addWay(o.box(lon(-1), ry-0.00012, lon(7), ry+0.00015), "natural", "water", "water", "river")
	o.addWay([]int64{grid[3][0], o.addNode(lon(3), TownSouth-0.0009)}, "highway", "tertiary", "bridge", "yes")
	// A trunk road from the town's east edge out of the city, 120 km east.
	o.addWay([]int64{grid[TownCols-1][2], o.addNode(106.6, lat(2)), o.addNode(107.2, lat(2))}, "highway", "trunk")
	return o.close()
}
