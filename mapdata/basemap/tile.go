package basemap

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/clip"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/simplify"
)

const (
	// Extent is the tile's grid: 4096 units across, 16 per pixel of a
	// 256-pixel tile.
	Extent = 4096
	// buffer is how far beyond its edges a tile carries geometry (8 px):
	// strokes run on across tile seams instead of ending in caps.
	buffer = 128
	// tolerance is how far simplification may move a line (¼ px).
	tolerance = 4
)

// Tile is one encoded tile: the MVT, and gzipped when that is smaller.
type Tile struct {
	Data []byte
	Gzip []byte // nil: send Data as it is
}

var emptyTile = Tile{Data: []byte{}}

// CheckTile says why (z, x, y) is not a tile of the served pyramid.
func CheckTile(z, x, y int) error {
	if z < 0 || z > MaxZoom {
		return fmt.Errorf("zoom %d is outside 0…%d", z, MaxZoom)
	}
	n := 1 << z
	if x < 0 || x >= n || y < 0 || y >= n {
		return fmt.Errorf("tile %d/%d/%d does not exist: at zoom %d x and y run from 0 to %d", z, x, y, z, n-1)
	}
	return nil
}

// Tile is tile (z, x, y): an empty MVT outside the extract, else the
// drawn features cut to it. Tiles are cached; one tile asked for by many
// at once is encoded once.
func (m *Map) Tile(z, x, y int) (Tile, error) {
	if err := CheckTile(z, x, y); err != nil {
		return Tile{}, err
	}
	tb := tileBound(z, x, y)
	if !tb.Intersects(m.bound) {
		return emptyTile, nil
	}
	key := uint64(z)<<48 | uint64(x)<<24 | uint64(y)
	if t, ok := m.cache.get(key); ok {
		return t, nil
	}
	v, err, _ := m.flight.Do(strconv.FormatUint(key, 36), func() (any, error) {
		t, err := m.encode(z, x, y)
		if err == nil {
			m.cache.put(key, t)
		}
		return t, err
	})
	if err != nil {
		return Tile{}, err
	}
	return v.(Tile), nil
}

// encode cuts tile (z, x, y) from the features, uncached.
func (m *Map) encode(z, x, y int) (Tile, error) {
	scale := float64(uint64(1)<<z) * Extent
	ox, oy := float64(x)*Extent, float64(y)*Extent
	pad := buffer / scale
	tb := tileBound(z, x, y)
	qmin, qmax := [2]float64{tb.Min[0] - pad, tb.Min[1] - pad}, [2]float64{tb.Max[0] + pad, tb.Max[1] + pad}
	var ids []int32
	for mz := 0; mz <= z; mz++ {
		if t := m.trees[mz]; t != nil {
			t.Search(qmin, qmax, func(_, _ [2]float64, id int32) bool {
				ids = append(ids, id)
				return true
			})
		}
	}
	if len(ids) == 0 {
		return emptyTile, nil
	}
	// Layer by layer in drawing order, minor roads before major ones,
	// then in extract order: the same tile always encodes the same.
	slices.SortFunc(ids, func(a, b int32) int {
		fa, fb := &m.features[a], &m.features[b]
		if fa.layer != fb.layer {
			return int(fa.layer) - int(fb.layer)
		}
		if fa.rank != fb.rank {
			return int(fa.rank) - int(fb.rank)
		}
		return int(a - b)
	})
	t := tileProjection{scale: scale, ox: ox, oy: oy,
		box: orb.Bound{Min: orb.Point{-buffer, -buffer}, Max: orb.Point{Extent + buffer, Extent + buffer}}}
	var layers mvt.Layers
	for _, id := range ids {
		f := &m.features[id]
		g := t.cut(f.geom, f.layer == layerPlace)
		if g == nil {
			continue
		}
		if len(layers) == 0 || layers[len(layers)-1].Name != LayerNames[f.layer] {
			layers = append(layers, &mvt.Layer{Name: LayerNames[f.layer], Version: 2, Extent: Extent})
		}
		l := layers[len(layers)-1]
		l.Features = append(l.Features, &geojson.Feature{Geometry: g, Properties: m.props[[2]string{f.class, f.name}]})
	}
	if len(layers) == 0 {
		return emptyTile, nil
	}
	data, err := mvt.Marshal(layers)
	if err != nil {
		return Tile{}, fmt.Errorf("encode tile %d/%d/%d: %w", z, x, y, err)
	}
	return Tile{Data: data, Gzip: gzipped(data)}, nil
}

// gzipped is data gzipped, or nil when that saves less than a tenth.
func gzipped(data []byte) []byte {
	if len(data) < 512 {
		return nil
	}
	var buf bytes.Buffer
	w := gzippers.Get().(*gzip.Writer)
	defer gzippers.Put(w)
	w.Reset(&buf)
	w.Write(data)
	w.Close()
	if buf.Len() > len(data)*9/10 {
		return nil
	}
	return buf.Bytes()
}

// gzippers are reused: each holds a few hundred kilobytes of state.
var gzippers = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

// tileProjection takes the unit square to one tile's grid.
type tileProjection struct {
	scale, ox, oy float64
	box           orb.Bound // the tile with its buffer, in grid units
}

func (t tileProjection) point(p orb.Point) orb.Point {
	return orb.Point{p[0]*t.scale - t.ox, p[1]*t.scale - t.oy}
}

func (t tileProjection) line(ls orb.LineString) orb.LineString {
	out := make(orb.LineString, len(ls))
	for i, p := range ls {
		out[i] = t.point(p)
	}
	return out
}

// clipLine is ls cut to the tile's box; most lines lie within it whole
// and are passed as they are.
func (t tileProjection) clipLine(ls orb.LineString, mls orb.MultiLineString) orb.MultiLineString {
	if t.within(orb.MultiPoint(ls)) {
		return append(mls, ls)
	}
	return append(mls, clip.LineString(t.box, ls)...)
}

func (t tileProjection) within(ps []orb.Point) bool {
	for _, p := range ps {
		if p[0] < t.box.Min[0] || p[1] < t.box.Min[1] || p[0] > t.box.Max[0] || p[1] > t.box.Max[1] {
			return false
		}
	}
	return true
}

var simplifier = simplify.DouglasPeucker(tolerance)

// cut is g on the tile's grid, clipped to the tile and its buffer,
// simplified, on whole units and with polygons wound as the format asks;
// nil when nothing of it is left. A label belongs to the one tile that
// holds its point, so it is drawn once.
func (t tileProjection) cut(g orb.Geometry, label bool) orb.Geometry {
	switch g := g.(type) {
	case orb.Point:
		p := t.point(g)
		if label && (p[0] < 0 || p[1] < 0 || p[0] >= Extent || p[1] >= Extent) {
			return nil
		}
		return orb.Point{math.Round(p[0]), math.Round(p[1])}
	case orb.LineString:
		return t.lines(t.clipLine(t.line(g), nil))
	case orb.MultiLineString:
		var mls orb.MultiLineString
		for _, ls := range g {
			mls = t.clipLine(t.line(ls), mls)
		}
		return t.lines(mls)
	case orb.Polygon:
		return t.polygons(orb.MultiPolygon{g})
	case orb.MultiPolygon:
		return t.polygons(g)
	}
	return nil
}

func (t tileProjection) lines(mls orb.MultiLineString) orb.Geometry {
	out := mls[:0]
	for _, ls := range mls {
		if len(ls) > 2 {
			ls = simplifier.LineString(ls)
		}
		ls = snap(ls)
		if len(ls) == 1 { // shorter than a unit: still a dot on the map
			ls = append(ls, ls[0])
		}
		if len(ls) >= 2 {
			out = append(out, ls)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

func (t tileProjection) polygons(mp orb.MultiPolygon) orb.Geometry {
	var out orb.MultiPolygon
	for _, p := range mp {
		var q orb.Polygon
		for i, r := range p {
			pr := orb.Ring(t.line(orb.LineString(r)))
			if !t.within(pr) {
				pr = clip.Ring(t.box, pr)
			}
			pr = orb.Ring(snap(orb.LineString(pr)))
			if len(pr) < 4 || ringArea(pr) == 0 {
				if i == 0 {
					break // the outer ring is gone: so are its holes
				}
				continue
			}
			// Outer rings positive by the surveyor's formula, holes negative.
			if (ringArea(pr) > 0) != (i == 0) {
				slices.Reverse(pr)
			}
			q = append(q, pr)
		}
		if len(q) > 0 {
			out = append(out, q)
		}
	}
	switch len(out) {
	case 0:
		return nil
	case 1:
		return out[0]
	}
	return out
}

// snap rounds to whole grid units (the format's integers) and drops the
// repeated points that leaves.
func snap(ls orb.LineString) orb.LineString {
	out := ls[:0]
	for _, p := range ls {
		p = orb.Point{math.Round(p[0]), math.Round(p[1])}
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	return out
}
