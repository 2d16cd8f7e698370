// Package basemap draws the offline base map from an OpenStreetMap PBF
// extract: it keeps what the map shows (every highway=* way by class,
// water, waterways, land use, buildings and place names), cut to the
// city's box, and serves it as Mapbox Vector Tiles cut on request and
// cached. The extract is read once, at start; nothing is read afterwards.
package basemap

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/geojson"
	"github.com/tidwall/rtree"
	"golang.org/x/sync/singleflight"
)

// MaxZoom is the deepest zoom served.
const MaxZoom = 20

// encoderVersion changes whenever the same extract would give other
// tiles (styles, classes, layers): browsers then fetch them anew.
const encoderVersion = "1"

// Options say how an extract is read and served.
type Options struct {
	// Keep is the box (lon/lat) the map is cut to: the city's, widened a
	// little. Required.
	Keep orb.Bound
	// CacheBytes caps the encoded tiles kept in memory (default 64 MiB).
	CacheBytes int
}

// Stats describe a loaded map.
type Stats struct {
	Features  [layerCount]int // by layer, in LayerNames order
	Points    int             // vertices held
	Relations int             // multipolygons drawn
	LoadTime  time.Duration
}

// Map is a loaded base map. Its methods are safe for concurrent use.
type Map struct {
	features []feature
	trees    [MaxZoom + 1]*rtree.RTreeG[int32] // features by the zoom they show from
	bound    orb.Bound                         // of all features, in the unit square
	etag     string
	stats    Stats
	cache    *cache
	flight   singleflight.Group
	props    map[[2]string]geojson.Properties // shared, read-only properties by (class, name)
}

// feature is one drawn element, in the unit square (see mercator.go).
type feature struct {
	geom    orb.Geometry
	class   string
	name    string // place labels only
	layer   layer
	minZoom uint8
	rank    uint8 // drawing order within its layer
}

// Load reads the extract at path. Its errors say what is wrong without
// the path; the caller names the file.
func Load(ctx context.Context, path string, opt Options) (*Map, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(ctx, f, opt)
}

// Read is Load from an open extract.
func Read(ctx context.Context, r io.ReadSeeker, opt Options) (*Map, error) {
	start := time.Now()
	if opt.Keep.IsEmpty() || !validLonLat(opt.Keep.Min[0], opt.Keep.Min[1]) || !validLonLat(opt.Keep.Max[0], opt.Keep.Max[1]) {
		return nil, fmt.Errorf("the box to keep (%v) is not a lon/lat box", opt.Keep)
	}
	ex, err := read(ctx, r, opt.Keep)
	if err != nil {
		return nil, err
	}
	m := &Map{cache: newCache(opt.CacheBytes), props: map[[2]string]geojson.Properties{}}
	keep := mercatorBound(opt.Keep)
	for _, w := range ex.ways {
		var g orb.Geometry
		if w.kind.area {
			if r := closedRing(ex.line(w.nodes)); r != nil {
				g = orb.Polygon{r}
			}
		} else if ls := ex.line(w.nodes); len(ls) >= 2 {
			g = ls
		}
		m.add(g, w.kind, "", keep)
	}
	for _, r := range ex.relations {
		if mp := ex.multipolygon(r); mp != nil {
			m.add(mp, r.kind, "", keep)
			m.stats.Relations++
		}
	}
	for _, p := range ex.places {
		m.add(p.geom, kind{layer: p.layer, class: p.class, minZoom: p.minZoom}, p.name, keep)
	}
	if len(m.features) == 0 {
		return nil, fmt.Errorf("no road, water, land use, building or place of the extract lies within lon %.4f…%.4f, lat %.4f…%.4f: is it the extract of this city?",
			opt.Keep.Min[0], opt.Keep.Max[0], opt.Keep.Min[1], opt.Keep.Max[1])
	}
	m.index()
	m.etag = fmt.Sprintf(`W/"bm%s-%s"`, encoderVersion, base64.RawURLEncoding.EncodeToString(ex.hash[:9]))
	m.stats.LoadTime = time.Since(start)
	return m, nil
}

// add keeps g (unit square) cut to the box, if anything of it is left.
func (m *Map) add(g orb.Geometry, k kind, name string, keep orb.Bound) {
	if g == nil {
		return
	}
	if g = clip.Geometry(keep, g); g == nil {
		return
	}
	f := feature{geom: g, class: k.class, name: name, layer: k.layer, minZoom: k.minZoom}
	if k.layer == layerRoad {
		f.rank = roadRank[k.class]
	}
	if k.area {
		f.minZoom = max(f.minZoom, areaZoom(g))
	}
	if f.minZoom > MaxZoom {
		return
	}
	m.features = append(m.features, f)
	m.stats.Features[k.layer]++
	m.stats.Points += points(g)
	key := [2]string{k.class, name}
	if _, ok := m.props[key]; !ok {
		p := geojson.Properties{"class": k.class}
		if name != "" {
			p["name"] = name
		}
		m.props[key] = p
	}
}

// areaZoom is the zoom from which an area covers at least 2 px² of
// 256-pixel tiles: smaller ones would be specks.
func areaZoom(g orb.Geometry) uint8 {
	a := math.Abs(area(g))
	if a <= 0 {
		return MaxZoom + 1
	}
	z := math.Ceil(math.Log2(math.Sqrt(2/a) / 256))
	return uint8(max(0, min(z, MaxZoom+1)))
}

// area is the planar area of an areal geometry (holes subtracted).
func area(g orb.Geometry) float64 {
	switch g := g.(type) {
	case orb.Polygon:
		a := 0.0
		for i, r := range g {
			if i == 0 {
				a += math.Abs(ringArea(r))
			} else {
				a -= math.Abs(ringArea(r))
			}
		}
		return a
	case orb.MultiPolygon:
		a := 0.0
		for _, p := range g {
			a += area(p)
		}
		return a
	}
	return 0
}

// ringArea is the surveyor's formula: positive for a ring that turns
// clockwise on screen (y down), as vector tiles want outer rings.
func ringArea(r orb.Ring) float64 {
	a := 0.0
	for i := 0; i+1 < len(r); i++ {
		a += r[i][0]*r[i+1][1] - r[i+1][0]*r[i][1]
	}
	return a / 2
}

func points(g orb.Geometry) int {
	switch g := g.(type) {
	case orb.Point:
		return 1
	case orb.LineString:
		return len(g)
	case orb.MultiLineString:
		n := 0
		for _, ls := range g {
			n += len(ls)
		}
		return n
	case orb.Polygon:
		n := 0
		for _, r := range g {
			n += len(r)
		}
		return n
	case orb.MultiPolygon:
		n := 0
		for _, p := range g {
			n += points(p)
		}
		return n
	}
	return 0
}

// index builds one R-tree per minimum zoom, so a low-zoom tile never
// walks past the houses and footpaths it does not draw.
func (m *Map) index() {
	for i, f := range m.features {
		b := f.geom.Bound()
		t := m.trees[f.minZoom]
		if t == nil {
			t = &rtree.RTreeG[int32]{}
			m.trees[f.minZoom] = t
		}
		t.Insert(b.Min, b.Max, int32(i))
		if i == 0 {
			m.bound = b
		} else {
			m.bound = m.bound.Union(b)
		}
	}
}

// ETag is the validator of every tile of this map: it changes with the
// extract's bytes and with the encoder.
func (m *Map) ETag() string { return m.etag }

// Stats says what was loaded.
func (m *Map) Stats() Stats { return m.stats }

// Bound is the box (lon/lat) the features span.
func (m *Map) Bound() orb.Bound {
	return orb.Bound{Min: lonLat(orb.Point{m.bound.Min[0], m.bound.Max[1]}), Max: lonLat(orb.Point{m.bound.Max[0], m.bound.Min[1]})}
}

// Bytes estimates the memory the map holds (features and the cache cap).
func (m *Map) Bytes() int {
	return m.stats.Points*16 + len(m.features)*96
}
