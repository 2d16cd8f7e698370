package geo

import (
	"errors"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	"github.com/tidwall/rtree"
)

// Place is a named administrative area (Kemendagri code and name).
type Place struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Location is where a point lies: its kelurahan and kecamatan.
type Location struct {
	Kecamatan Place `json:"kecamatan"`
	Kelurahan Place `json:"kelurahan"`
	// Approximate: the point was not found inside a polygon. Either no
	// official boundaries are loaded (the kelurahan is the one whose
	// representative point is nearest), or the point lies in none of them
	// and was given to the nearest within the index's snap distance.
	Approximate bool `json:"approximate"`
	// DistanceM, in the second case: how far the point lies from the
	// polygon it was given to, in metres (0.1 m steps).
	DistanceM *float64 `json:"distance_m,omitempty"`
}

// District is one kelurahan as the index knows it.
type District struct {
	Kelurahan, Kecamatan Place
	// Shape is the official boundary; nil in approximate mode.
	Shape orb.MultiPolygon
	// Point is a representative point inside the kelurahan.
	Point orb.Point
	// ReachM: in approximate mode, how far from Point a location may lie and
	// still be taken to be in this kelurahan (metres).
	ReachM float64
}

// ErrOutside: the point lies in no district of the index.
var ErrOutside = errors.New("the point is outside the covered districts")

// DistrictIndex answers "which kelurahan and kecamatan is this point in?".
// It is immutable after construction and safe for concurrent use.
type DistrictIndex struct {
	districts []District
	exact     bool
	tree      rtree.RTreeG[int] // exact mode: polygon bounds → index into districts
	vecs      []Vector          // approximate mode: representative points
	snapM     float64
}

// DefaultSnapM: in exact mode, a point in no polygon but this close to one
// (a sliver between simplified neighbours, a road on the border) is given to
// the nearest. Smaller than any kelurahan, far smaller than the gap to the
// next city.
const DefaultSnapM = 30

// NewExactIndex indexes official polygons. Point-in-polygon runs in lon/lat
// directly: GeoJSON (RFC 7946) defines polygon edges as straight lines in
// lon/lat, so that is the test the boundary file means.
func NewExactIndex(ds []District) *DistrictIndex {
	ix := &DistrictIndex{districts: ds, exact: true, snapM: DefaultSnapM}
	for i, d := range ds {
		b := d.Shape.Bound()
		ix.tree.Insert(b.Min, b.Max, i)
	}
	return ix
}

// NewApproxIndex locates by the nearest representative point, refusing
// points beyond that district's ReachM.
func NewApproxIndex(ds []District) *DistrictIndex {
	ix := &DistrictIndex{districts: ds}
	for _, d := range ds {
		ix.vecs = append(ix.vecs, ToVector(d.Point))
	}
	return ix
}

// Exact reports whether the index holds official boundaries.
func (ix *DistrictIndex) Exact() bool { return ix.exact }

// Districts returns the indexed districts (do not modify them).
func (ix *DistrictIndex) Districts() []District { return ix.districts }

// Locate returns the district p lies in, or ErrOutside.
func (ix *DistrictIndex) Locate(p orb.Point) (Location, error) {
	if !ValidLatLon(p[1], p[0]) {
		return Location{}, ErrOutside
	}
	if !ix.exact {
		return ix.locateApprox(p)
	}
	found := -1
	ix.tree.Search(p, p, func(_, _ [2]float64, i int) bool {
		if planar.MultiPolygonContains(ix.districts[i].Shape, p) {
			found = i
			return false
		}
		return true
	})
	if found >= 0 {
		d := ix.districts[found]
		return Location{Kecamatan: d.Kecamatan, Kelurahan: d.Kelurahan}, nil
	}
	// In no polygon: a point just outside the city's outline (or in a gap
	// of a layer that is not a clean coverage) goes to the nearest polygon,
	// and the answer says it is approximate and how far it is.
	found, dist := ix.snap(p)
	if found < 0 {
		return Location{}, ErrOutside
	}
	d := ix.districts[found]
	m := math.Round(dist*10) / 10
	return Location{Kecamatan: d.Kecamatan, Kelurahan: d.Kelurahan, Approximate: true, DistanceM: &m}, nil
}

// snap finds the district whose boundary is nearest to p within snapM, and
// that distance in metres.
func (ix *DistrictIndex) snap(p orb.Point) (int, float64) {
	pad := ix.snapM / EarthRadius * 180 / math.Pi * 2 // degrees, generous for cos(lat)
	best, bestD := -1, ix.snapM
	ix.tree.Search([2]float64{p[0] - pad, p[1] - pad}, [2]float64{p[0] + pad, p[1] + pad}, func(_, _ [2]float64, i int) bool {
		if d := DistanceToBoundary(p, ix.districts[i].Shape); d <= bestD {
			best, bestD = i, d
		}
		return true
	})
	return best, bestD
}

func (ix *DistrictIndex) locateApprox(p orb.Point) (Location, error) {
	pv := ToVector(p)
	best, bestC := -1, math.Inf(1)
	for i, v := range ix.vecs {
		if c := ChordSq(pv, v); c < bestC {
			best, bestC = i, c
		}
	}
	if best < 0 || ChordSqMetres(bestC) > ix.districts[best].ReachM {
		return Location{}, ErrOutside
	}
	d := ix.districts[best]
	return Location{Kecamatan: d.Kecamatan, Kelurahan: d.Kelurahan, Approximate: true}, nil
}

// DistanceToBoundary is the distance in metres from p to the nearest edge of
// mp (inside or out). It projects onto a local plane at p's latitude
// (x = R·Δλ·cos φp, y = R·Δφ): over a city's extent near the equator the
// scale error of that plane is under 0.1%, which is what border tests need.
func DistanceToBoundary(p orb.Point, mp orb.MultiPolygon) float64 {
	k := EarthRadius * math.Pi / 180
	kx := k * math.Cos(p[1]*math.Pi/180)
	best := math.Inf(1)
	for _, poly := range mp {
		for _, ring := range poly {
			for i := 1; i < len(ring); i++ {
				a := orb.Point{(ring[i-1][0] - p[0]) * kx, (ring[i-1][1] - p[1]) * k}
				b := orb.Point{(ring[i][0] - p[0]) * kx, (ring[i][1] - p[1]) * k}
				if d := planar.DistanceFromSegmentSquared(a, b, orb.Point{}); d < best {
					best = d
				}
			}
		}
	}
	return math.Sqrt(best)
}
