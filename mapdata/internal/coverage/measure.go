package coverage

import (
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
	sf "github.com/peterstace/simplefeatures/geom"
	"github.com/tidwall/rtree"

	"siaga112/geo/sfgeom"
)

// Plane maps lon/lat to metres on a local plane tangent to the WGS 84
// ellipsoid at the layer's middle latitude φ0: x = N·cos φ0·λ, y = M·φ, with
// N and M the ellipsoid's radii of curvature at φ0. It is safe across one
// city: Kota Serang spans 0.25° of latitude at 6°S, over which M and
// N·cos φ change by under 0.05%, and so do the areas and distances.
type Plane struct{ kx, ky float64 }

// WGS 84 semi-major axis (m) and first eccentricity squared.
const (
	wgs84A  = 6378137.0
	wgs84E2 = 6.69437999014e-3
)

// PlaneFor is the plane at the middle latitude of the areas.
func PlaneFor(as []Area) Plane {
	var b orb.Bound
	for i, a := range as {
		if i == 0 {
			b = a.Shape.Bound()
		} else {
			b = b.Union(a.Shape.Bound())
		}
	}
	phi := b.Center()[1] * math.Pi / 180
	w := 1 - wgs84E2*math.Sin(phi)*math.Sin(phi)
	n, m := wgs84A/math.Sqrt(w), wgs84A*(1-wgs84E2)/(w*math.Sqrt(w))
	return Plane{kx: n * math.Cos(phi) * math.Pi / 180, ky: m * math.Pi / 180}
}

// AreaM2 is g's area in square metres.
func (p Plane) AreaM2(g sf.Geometry) float64 { return g.Area() * p.kx * p.ky }

func (p Plane) metres(pt orb.Point) orb.Point { return orb.Point{pt[0] * p.kx, pt[1] * p.ky} }

// Change says what cleaning did to one area.
type Change struct {
	Code string
	// LostM2 went to neighbours (overlaps they kept, fragments); GainedM2
	// came from gaps.
	LostM2, GainedM2 float64
	// HausdorffM is the Hausdorff distance between the old and the new
	// boundary: how far, at most, any point of either lies from the other.
	HausdorffM float64
}

// HausdorffStepM is the spacing of the points the Hausdorff distance is
// measured from, so it is exact to within half of it.
const HausdorffStepM = 0.5

// Changes says what moved from each area of before to the same of after.
func Changes(before, after []Area, pl Plane) ([]Change, error) {
	out := make([]Change, len(before))
	for i := range before {
		a, b := sfgeom.MultiPolygon(before[i].Shape), sfgeom.MultiPolygon(after[i].Shape)
		lost, err := sf.Difference(a, b)
		if err != nil {
			return nil, fmt.Errorf("%s: area lost: %v", before[i].Code, err)
		}
		gained, err := sf.Difference(b, a)
		if err != nil {
			return nil, fmt.Errorf("%s: area gained: %v", before[i].Code, err)
		}
		out[i] = Change{Code: before[i].Code, LostM2: pl.AreaM2(lost), GainedM2: pl.AreaM2(gained),
			HausdorffM: Hausdorff(before[i].Shape, after[i].Shape, pl)}
	}
	return out, nil
}

// Hausdorff is the Hausdorff distance in metres between the boundaries of a
// and b: every boundary point is measured, at HausdorffStepM spacing, to
// the other's nearest edge (an R-tree finds it).
func Hausdorff(a, b orb.MultiPolygon, pl Plane) float64 {
	return math.Max(directed(a, b, pl), directed(b, a, pl))
}

type segment [2]orb.Point

func segments(mp orb.MultiPolygon, pl Plane) []segment {
	var out []segment
	for _, poly := range mp {
		for _, r := range poly {
			for i := 1; i < len(r); i++ {
				out = append(out, segment{pl.metres(r[i-1]), pl.metres(r[i])})
			}
		}
	}
	return out
}

func directed(from, to orb.MultiPolygon, pl Plane) float64 {
	var tree rtree.RTreeG[segment]
	for _, s := range segments(to, pl) {
		b := orb.MultiPoint{s[0], s[1]}.Bound()
		tree.Insert(b.Min, b.Max, s)
	}
	nearest := func(p orb.Point) float64 {
		for r := 1.0; ; r *= 2 {
			best := math.Inf(1)
			tree.Search([2]float64{p[0] - r, p[1] - r}, [2]float64{p[0] + r, p[1] + r}, func(_, _ [2]float64, s segment) bool {
				best = math.Min(best, planar.DistanceFromSegment(s[0], s[1], p))
				return true
			})
			// An edge within r of p meets the box, so best is exact.
			if best <= r {
				return best
			}
		}
	}
	worst := 0.0
	for _, s := range segments(from, pl) {
		n := max(1, int(math.Ceil(planar.Distance(s[0], s[1])/HausdorffStepM)))
		for k := range n {
			t := float64(k) / float64(n)
			p := orb.Point{s[0][0] + t*(s[1][0]-s[0][0]), s[0][1] + t*(s[1][1]-s[0][1])}
			worst = math.Max(worst, nearest(p))
		}
	}
	return worst
}

// Check verifies that areas are a coverage of outline: each a valid
// polygon, no two overlapping by more than ToleranceM2, and together
// covering outline to within ToleranceM2.
func Check(areas []Area, outline sf.Geometry, pl Plane) error {
	gs := make([]sf.Geometry, len(areas))
	var errs []error
	for i, a := range areas {
		gs[i] = sfgeom.MultiPolygon(a.Shape)
		if err := gs[i].Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s is not valid: %v", a.Code, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	for i := range gs {
		for j := i + 1; j < len(gs); j++ {
			if !gs[i].Envelope().Intersects(gs[j].Envelope()) {
				continue
			}
			x, err := sf.Intersection(gs[i], gs[j])
			if err != nil {
				errs = append(errs, fmt.Errorf("%s and %s: %v", areas[i].Code, areas[j].Code, err))
			} else if a := pl.AreaM2(x); a > ToleranceM2 {
				errs = append(errs, fmt.Errorf("%s and %s overlap by %.3g m²", areas[i].Code, areas[j].Code, a))
			}
		}
	}
	u, err := sf.UnionMany(gs)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("union: %v", err))...)
	}
	d, err := sf.SymmetricDifference(u, outline)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("against the outline: %v", err))...)
	}
	if a := pl.AreaM2(d); a > ToleranceM2 {
		errs = append(errs, fmt.Errorf("the areas and the outline differ by %.3g m²", a))
	}
	return errors.Join(errs...)
}

// ToleranceM2 is what Check lets pass: rounding dust of the overlays, far
// under the 1 m² the served layers are held to.
const ToleranceM2 = 0.01

// Defects measures what keeps areas from being a coverage: the holes of
// their union (gaps between them) and the overlap of each pair, each in m²
// and only those over minM2.
func Defects(areas []Area, pl Plane, minM2 float64) (gaps, overlaps []float64, err error) {
	gs := make([]sf.Geometry, len(areas))
	for i, a := range areas {
		gs[i] = sfgeom.MultiPolygon(a.Shape)
	}
	u, err := sf.UnionMany(gs)
	if err != nil {
		return nil, nil, fmt.Errorf("union: %v", err)
	}
	for _, p := range polygons(u) {
		poly := p.MustAsPolygon()
		for i := range poly.NumInteriorRings() {
			if a := pl.AreaM2(sf.NewPolygon([]sf.LineString{poly.InteriorRingN(i)}).AsGeometry()); a > minM2 {
				gaps = append(gaps, a)
			}
		}
	}
	for i := range gs {
		for j := i + 1; j < len(gs); j++ {
			if !gs[i].Envelope().Intersects(gs[j].Envelope()) {
				continue
			}
			x, err := sf.Intersection(gs[i], gs[j])
			if err != nil {
				return nil, nil, fmt.Errorf("%s and %s: %v", areas[i].Code, areas[j].Code, err)
			}
			if a := pl.AreaM2(x); a > minM2 {
				overlaps = append(overlaps, a)
			}
		}
	}
	return gaps, overlaps, nil
}
