package places

import (
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"siaga112/geo"
)

// Lines are measured in great-circle metres (geo.Distance). Nearest points
// are found in a plane tangent at the query point (longitude scaled by the
// cosine of its latitude): over the few hundred metres that matter the
// error is far below a GPS fix's, and the distance reported is then
// great-circle to the point found.

// halfway is the point half-way along lines, taken end to end.
func halfway(lines []orb.LineString) orb.Point {
	var total float64
	for _, l := range lines {
		total += length(l)
	}
	half := total / 2
	for _, l := range lines {
		for i := 1; i < len(l); i++ {
			d := geo.Distance(l[i-1], l[i])
			if d >= half && d > 0 {
				t := half / d
				return orb.Point{l[i-1][0] + t*(l[i][0]-l[i-1][0]), l[i-1][1] + t*(l[i][1]-l[i-1][1])}
			}
			half -= d
		}
	}
	for _, l := range lines {
		if len(l) > 0 {
			return l[0]
		}
	}
	return orb.Point{}
}

func length(l orb.LineString) float64 {
	var d float64
	for i := 1; i < len(l); i++ {
		d += geo.Distance(l[i-1], l[i])
	}
	return d
}

// nearestOnSegment is the point of segment a–b nearest p.
func nearestOnSegment(p, a, b orb.Point) orb.Point {
	k := math.Cos(p[1] * math.Pi / 180)
	ax, ay := (a[0]-p[0])*k, a[1]-p[1]
	bx, by := (b[0]-p[0])*k, b[1]-p[1]
	dx, dy := bx-ax, by-ay
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = max(0, min(1, -(ax*dx+ay*dy)/l2))
	}
	return orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
}

// nearestOnLines is the point of lines nearest p and its great-circle
// distance in metres.
func nearestOnLines(p orb.Point, lines []orb.LineString) (orb.Point, float64) {
	best, bestD := orb.Point{}, math.Inf(1)
	for _, l := range lines {
		if len(l) == 1 {
			if d := geo.Distance(p, l[0]); d < bestD {
				best, bestD = l[0], d
			}
		}
		for i := 1; i < len(l); i++ {
			q := nearestOnSegment(p, l[i-1], l[i])
			if d := geo.Distance(p, q); d < bestD {
				best, bestD = q, d
			}
		}
	}
	return best, bestD
}

// interior is a point inside the closed ring r: its centroid when that is
// inside, else the middle of the first chord from a vertex that is.
func interior(r orb.Ring) orb.Point {
	c, _ := planar.CentroidArea(orb.Polygon{r})
	if planar.RingContains(r, c) {
		return c
	}
	for i := 2; i < len(r)-1; i++ {
		m := orb.Point{(r[0][0] + r[i][0]) / 2, (r[0][1] + r[i][1]) / 2}
		if planar.RingContains(r, m) {
			return m
		}
	}
	return r[0]
}
