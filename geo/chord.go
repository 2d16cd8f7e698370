package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// Vector is a lon/lat point as a unit vector in 3-D space. The straight-line
// (chord) distance between two of them grows strictly with their great-circle
// distance, so a nearest search may rank by squared chord, three
// multiplications, and turn only the winners into metres. No planar maths on
// lon/lat happens here: the chord is exact on the sphere.
type Vector [3]float64

// ToVector converts a lon/lat point in degrees.
func ToVector(p orb.Point) Vector {
	lon, lat := p[0]*math.Pi/180, p[1]*math.Pi/180
	cl := math.Cos(lat)
	return Vector{cl * math.Cos(lon), cl * math.Sin(lon), math.Sin(lat)}
}

// ChordSq is the squared chord between two unit vectors (0 to 4).
func ChordSq(a, b Vector) float64 {
	dx, dy, dz := a[0]-b[0], a[1]-b[1], a[2]-b[2]
	return dx*dx + dy*dy + dz*dz
}

// ChordSqMetres turns a squared chord into great-circle metres, the same
// distance Distance gives.
func ChordSqMetres(c2 float64) float64 {
	return 2 * EarthRadius * math.Asin(math.Min(1, math.Sqrt(c2)/2))
}

// BoundChordSq is a lower bound on ChordSq from p to any point of the box
// b (0 when p is inside): spatial searches prune boxes with it, so it must
// never exceed the chord to a point of b. cosLat is cos(p's latitude),
// passed in so a search computes it once.
func BoundChordSq(p orb.Point, cosLat float64, b orb.Bound) float64 {
	const rad = math.Pi / 180
	var latGap, lonGap float64
	switch {
	case p[1] < b.Min[1]:
		latGap = (b.Min[1] - p[1]) * rad
	case p[1] > b.Max[1]:
		latGap = (p[1] - b.Max[1]) * rad
	}
	switch {
	case p[0] < b.Min[0]:
		lonGap = (b.Min[0] - p[0]) * rad
	case p[0] > b.Max[0]:
		lonGap = (p[0] - b.Max[0]) * rad
	}
	var c2 float64
	if latGap > 0 {
		s := math.Sin(latGap / 2)
		c2 = 4 * s * s // chord of the arc latGap
	}
	if lonGap > 0 && lonGap < math.Pi/2 && b.Max[0]-b.Min[0] < 90 {
		// Cross-track angle θ with sin θ = s; chord² = 2(1 − cos θ).
		s := math.Sin(lonGap) * cosLat
		c2 = math.Max(c2, 2*(1-math.Sqrt(1-s*s)))
	}
	return c2 * (1 - 1e-9)
}
