package mapdata

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"siaga112/geo"
)

// BoundaryOptions names the properties of a boundary file.
type BoundaryOptions struct {
	CodeProperty string // default "code": the Kemendagri kelurahan code
	NameProperty string // default "name"
}

// MaxBoundaryBytes caps a boundary file; BIG's Kota Serang layer is ~130 KB.
const MaxBoundaryBytes = 64 << 20

// maxErrors bounds how many feature errors one load reports.
const maxErrors = 20

// LoadBoundaries reads a GeoJSON FeatureCollection of kelurahan polygons
// (Polygon or MultiPolygon, WGS 84 [lon, lat]) keyed by Kemendagri code, and
// returns the districts for an exact index. It accepts the whole file or
// nothing: every feature must be a known kelurahan of g with sound rings, and
// every kelurahan of g must be there. The error names each bad feature and
// why (the first 20).
func LoadBoundaries(r io.Reader, g *Gazetteer, opt BoundaryOptions) ([]geo.District, error) {
	if opt.CodeProperty == "" {
		opt.CodeProperty = "code"
	}
	if opt.NameProperty == "" {
		opt.NameProperty = "name"
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxBoundaryBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read boundaries: %w", err)
	}
	if len(b) > MaxBoundaryBytes {
		return nil, fmt.Errorf("boundaries: the file is larger than %d MiB", MaxBoundaryBytes>>20)
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("boundaries: not JSON: %v", err)
	}
	if head.Type != "FeatureCollection" {
		return nil, fmt.Errorf("boundaries: a GeoJSON FeatureCollection is expected, the file is of type %q", head.Type)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("boundaries: not valid GeoJSON: %v", err)
	}
	var errs []error
	seen := map[string]int{}
	var out []geo.District
	for i, f := range fc.Features {
		d, err := district(i, f, g, opt, seen)
		if err != nil {
			errs = append(errs, err)
			if len(errs) == maxErrors {
				errs = append(errs, errors.New("… more errors not shown"))
				break
			}
			continue
		}
		out = append(out, d)
	}
	if len(errs) == 0 {
		var missing []string
		for _, k := range g.Kelurahan {
			if _, ok := seen[k.Code]; !ok {
				missing = append(missing, k.Code+" "+k.Name)
			}
		}
		if len(missing) > 0 {
			errs = append(errs, fmt.Errorf("the file covers %d of Kota Serang's %d kelurahan; missing: %s",
				len(g.Kelurahan)-len(missing), len(g.Kelurahan), strings.Join(missing, ", ")))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("boundaries refused, nothing loaded:\n%w", errors.Join(errs...))
	}
	return out, nil
}

func district(i int, f *geojson.Feature, g *Gazetteer, opt BoundaryOptions, seen map[string]int) (geo.District, error) {
	what := fmt.Sprintf("feature %d", i+1)
	fail := func(format string, args ...any) (geo.District, error) {
		return geo.District{}, fmt.Errorf("%s: %s", what, fmt.Sprintf(format, args...))
	}
	if f == nil {
		return fail("null is not a Feature")
	}
	code, ok := f.Properties[opt.CodeProperty].(string)
	if !ok || code == "" {
		return fail("property %q (the Kemendagri code) is missing or not a string", opt.CodeProperty)
	}
	what += " (" + code + ")"
	name, ok := f.Properties[opt.NameProperty].(string)
	if !ok || name == "" {
		return fail("property %q (the name) is missing or not a string", opt.NameProperty)
	}
	what = fmt.Sprintf("feature %d (%s %s)", i+1, code, name)
	kel, ok := g.Lookup(code)
	if !ok || kel.KecamatanCode == "" {
		return fail("%q is not a kelurahan code of Kota Serang (36.73.xx.xxxx)", code)
	}
	if prev, dup := seen[code]; dup {
		return fail("code %s already given to feature %d", code, prev)
	}
	seen[code] = i + 1
	var mp orb.MultiPolygon
	switch geom := f.Geometry.(type) {
	case orb.Polygon:
		mp = orb.MultiPolygon{geom}
	case orb.MultiPolygon:
		mp = geom
	case nil:
		return fail("no geometry")
	default:
		return fail("geometry is a %s; a Polygon or MultiPolygon is expected", geom.GeoJSONType())
	}
	if len(mp) == 0 {
		return fail("the MultiPolygon is empty")
	}
	for pi, poly := range mp {
		if len(poly) == 0 {
			return fail("polygon %d has no rings", pi+1)
		}
		for ri, ring := range poly {
			ring = dedupe(ring)
			poly[ri] = ring
			if err := checkRing(ring); err != nil {
				return fail("polygon %d ring %d: %v", pi+1, ri+1, err)
			}
		}
	}
	// A right code on the wrong shape (or [lat, lon] order that happens to
	// stay in range) puts the polygon far from where the gazetteer knows it.
	if !mp.Bound().Pad(0.01).Contains(kel.Point) {
		return fail("the polygon lies far from where Kota Serang's gazetteer puts this kelurahan (%.5f, %.5f): wrong code, or coordinates in [lat, lon] order?", kel.Point[1], kel.Point[0])
	}
	kec, _ := g.Lookup(kel.KecamatanCode)
	return geo.District{
		Kelurahan: geo.Place{Code: code, Name: name},
		Kecamatan: geo.Place{Code: kec.Code, Name: kec.Name},
		Shape:     mp,
		Point:     kel.Point,
	}, nil
}

// dedupe drops repeated consecutive positions, which digitising leaves
// behind and which are harmless, so they are not taken for a crossing.
func dedupe(r orb.Ring) orb.Ring {
	out := r[:0:0]
	for i, p := range r {
		if i == 0 || p != r[i-1] {
			out = append(out, p)
		}
	}
	return out
}

// checkRing refuses rings a point-in-polygon test cannot trust.
func checkRing(r orb.Ring) error {
	if len(r) < 4 {
		return fmt.Errorf("a ring needs at least 4 positions, it has %d", len(r))
	}
	for _, p := range r {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) || math.IsInf(p[0], 0) || math.IsInf(p[1], 0) {
			return fmt.Errorf("a coordinate is not a finite number")
		}
		if !geo.ValidLatLon(p[1], p[0]) {
			return fmt.Errorf("position [%g, %g] is not [lon, lat] (latitude beyond ±90): coordinates in [lat, lon] order?", p[0], p[1])
		}
	}
	if r[0] != r[len(r)-1] {
		return fmt.Errorf("the ring is not closed (its first and last positions differ)")
	}
	if i, j, ok := selfIntersection(r); ok {
		return fmt.Errorf("the ring crosses itself (edges %d and %d)", i+1, j+1)
	}
	if planar.Area(r) == 0 {
		return fmt.Errorf("the ring has no area")
	}
	return nil
}

// selfIntersection finds two non-adjacent edges of a closed ring that touch
// or cross. A sweep along x keeps only the edges whose x-range overlaps, so
// a ring of thousands of positions costs milliseconds, not seconds.
func selfIntersection(r orb.Ring) (int, int, bool) {
	n := len(r) - 1 // edges; edge i runs from r[i] to r[i+1]
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	minX := func(i int) float64 { return math.Min(r[i][0], r[i+1][0]) }
	maxX := func(i int) float64 { return math.Max(r[i][0], r[i+1][0]) }
	sort.Slice(order, func(a, b int) bool { return minX(order[a]) < minX(order[b]) })
	var active []int
	for _, i := range order {
		x := minX(i)
		keep := active[:0]
		for _, j := range active {
			if maxX(j) >= x {
				keep = append(keep, j)
			}
		}
		active = keep
		for _, j := range active {
			lo, hi := min(i, j), max(i, j)
			if hi-lo == 1 || (lo == 0 && hi == n-1) {
				continue // neighbours share a position
			}
			if segmentsIntersect(r[i], r[i+1], r[j], r[j+1]) {
				return lo, hi, true
			}
		}
		active = append(active, i)
	}
	return 0, 0, false
}

func orient(a, b, c orb.Point) float64 {
	return (b[0]-a[0])*(c[1]-a[1]) - (b[1]-a[1])*(c[0]-a[0])
}

func onSegment(a, b, p orb.Point) bool {
	return math.Min(a[0], b[0]) <= p[0] && p[0] <= math.Max(a[0], b[0]) &&
		math.Min(a[1], b[1]) <= p[1] && p[1] <= math.Max(a[1], b[1])
}

func segmentsIntersect(a, b, c, d orb.Point) bool {
	o1, o2, o3, o4 := orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
	if ((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0)) {
		return true
	}
	return (o1 == 0 && onSegment(a, b, c)) || (o2 == 0 && onSegment(a, b, d)) ||
		(o3 == 0 && onSegment(c, d, a)) || (o4 == 0 && onSegment(c, d, b))
}
