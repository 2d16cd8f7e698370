package mapdata

import (
	"fmt"
	"math"
	"siaga112/geo/sfgeom"
	"sort"
	"sync"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"
	sf "github.com/peterstace/simplefeatures/geom"

	"siaga112/geo"
)

// SliverM2 is the largest hole, in square metres, that a dissolve closes as a
// gap between neighbouring kelurahan rather than keeping as a real enclave.
// BIG's Kota Serang layer (simplified per kelurahan, so neighbours do not
// share vertices) leaves gaps of up to ~4,100 m² between neighbours; a real
// enclave is at least one whole kelurahan, and the smallest of Kota Serang's
// is 0.816 km² (Kota Baru). 10,000 m² (1 ha) sits well between the two.
const SliverM2 = 10_000

// Dissolved holds the areas above the kelurahan, each the union of its
// kelurahan: valid under OGC rules (no self-intersections, no stacked
// rings), exterior rings counter-clockwise and holes clockwise as RFC 7946
// asks, and holes smaller than SliverM2 closed.
type Dissolved struct {
	Kecamatan map[string]orb.MultiPolygon // by Kemendagri kecamatan code
	City      orb.MultiPolygon
}

// Dissolve unions the kelurahan polygons of ds by kecamatan, and all of them
// into the city. The union is simplefeatures' overlay (a DCEL with
// re-noding), which also validates what it returns; Dissolve refuses rather
// than return an invalid polygon.
//
// Dissolving Kota Serang takes ~0.1 s, so the embedded layer's answer is
// computed once and shared: do not modify the polygons Dissolve returns.
func Dissolve(ds []geo.District) (Dissolved, error) {
	if s := SerangDistricts(); len(ds) == len(s) && len(ds) > 0 && &ds[0] == &s[0] {
		return serangDissolved()
	}
	return dissolve(ds)
}

var serangDissolved = sync.OnceValues(func() (Dissolved, error) { return dissolve(SerangDistricts()) })

func dissolve(ds []geo.District) (Dissolved, error) {
	byKec := map[string][]sf.Geometry{}
	var all []sf.Geometry
	for _, d := range ds {
		if len(d.Shape) == 0 {
			return Dissolved{}, fmt.Errorf("dissolve: kelurahan %s %s has no polygon", d.Kelurahan.Code, d.Kelurahan.Name)
		}
		g := sfgeom.MultiPolygon(d.Shape)
		if err := g.Validate(); err != nil {
			return Dissolved{}, fmt.Errorf("dissolve: kelurahan %s %s: %v", d.Kelurahan.Code, d.Kelurahan.Name, err)
		}
		byKec[d.Kecamatan.Code] = append(byKec[d.Kecamatan.Code], g)
		all = append(all, g)
	}
	out := Dissolved{Kecamatan: make(map[string]orb.MultiPolygon, len(byKec))}
	codes := make([]string, 0, len(byKec))
	for c := range byKec {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		mp, err := union(byKec[c])
		if err != nil {
			return Dissolved{}, fmt.Errorf("dissolve kecamatan %s: %w", c, err)
		}
		out.Kecamatan[c] = mp
	}
	// The city from the kecamatan (fewer, larger pieces) gives the same
	// union as from every kelurahan, faster.
	kecs := make([]sf.Geometry, 0, len(codes))
	for _, c := range codes {
		kecs = append(kecs, sfgeom.MultiPolygon(out.Kecamatan[c]))
	}
	if len(all) > 0 {
		mp, err := union(kecs)
		if err != nil {
			return Dissolved{}, fmt.Errorf("dissolve city: %w", err)
		}
		out.City = mp
	}
	return out, nil
}

// snapDecimals are the grids a union retries on when the overlay fails at
// full precision: 1e-7° (~1 cm) and 1e-6° (~11 cm) of longitude or latitude,
// both far below the ~12 m accuracy of a 1:25,000 map. The overlay is not
// robust against every nearly-coincident vertex pair: Kota Serang's
// Kecamatan Kasemen (36.73.05) fails at full precision and at 1e-7°, and
// succeeds on the 1e-6° grid.
var snapDecimals = []int{7, 6}

// union dissolves gs, closes sliver holes, and checks the result.
func union(gs []sf.Geometry) (orb.MultiPolygon, error) {
	u, err := sf.UnionMany(gs)
	for _, dec := range snapDecimals {
		if err == nil {
			break
		}
		u, err = sf.UnionMany(snapped(gs, dec))
	}
	if err != nil {
		return nil, err
	}
	var polys []sf.Polygon
	switch u.Type() {
	case sf.TypePolygon:
		polys = []sf.Polygon{u.MustAsPolygon()}
	case sf.TypeMultiPolygon:
		polys = u.MustAsMultiPolygon().Dump()
	default:
		return nil, fmt.Errorf("the union is a %s, not polygons", u.Type())
	}
	var mp orb.MultiPolygon
	for _, p := range polys {
		poly := sfgeom.Polygon(p)
		kept := poly[:1]
		for _, hole := range poly[1:] {
			if ringAreaM2(hole) >= SliverM2 {
				kept = append(kept, hole)
			}
		}
		mp = append(mp, kept)
	}
	// Closing a hole cannot make a valid polygon invalid, but check anyway:
	// the promise is valid output or an error.
	if err := sfgeom.MultiPolygon(mp).Validate(); err != nil {
		return nil, fmt.Errorf("the union is not valid: %v", err)
	}
	return mp, nil
}

// snapped rounds each geometry to the grid, keeping the original where
// rounding would make it invalid (a ring crossing itself).
func snapped(gs []sf.Geometry, decimals int) []sf.Geometry {
	out := make([]sf.Geometry, len(gs))
	for i, g := range gs {
		out[i] = g
		if s := g.SnapToGrid(decimals); s.Validate() == nil {
			out[i] = s
		}
	}
	return out
}

// ringAreaM2 is the ring's area on the sphere in square metres.
func ringAreaM2(r orb.Ring) float64 { return math.Abs(orbgeo.Area(orb.Polygon{r})) }
