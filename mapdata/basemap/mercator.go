package basemap

import (
	"math"

	"github.com/paulmach/orb"
)

// Positions are kept in Web Mercator scaled to the unit square (x east
// from -180°, y south from 85.0511°N), the plane tiles are cut from: a
// tile (z, x, y) is the square [x, x+1]×[y, y+1] / 2^z. Straight lines and
// areas are computed there, as the map draws them.

const maxLat = 85.05112877980659

func mercator(lon, lat float64) orb.Point {
	lat = math.Max(-maxLat, math.Min(maxLat, lat))
	s := math.Sin(lat * math.Pi / 180)
	return orb.Point{(lon + 180) / 360, 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)}
}

// lonLat is the inverse of mercator.
func lonLat(p orb.Point) orb.Point {
	return orb.Point{p[0]*360 - 180, math.Atan(math.Sinh(math.Pi*(1-2*p[1]))) * 180 / math.Pi}
}

// mercatorBound is a lon/lat box in Web Mercator (north becomes Min.Y).
func mercatorBound(b orb.Bound) orb.Bound {
	return orb.Bound{Min: mercator(b.Min[0], b.Max[1]), Max: mercator(b.Max[0], b.Min[1])}
}

func validLonLat(lon, lat float64) bool {
	return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90 && !(lon == 0 && lat == 0)
}

// tileBound is tile (z, x, y) in the unit square.
func tileBound(z, x, y int) orb.Bound {
	n := float64(uint64(1) << z)
	return orb.Bound{Min: orb.Point{float64(x) / n, float64(y) / n}, Max: orb.Point{float64(x+1) / n, float64(y+1) / n}}
}
