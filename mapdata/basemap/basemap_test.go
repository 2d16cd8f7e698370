package basemap

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/maptile"
	"github.com/paulmach/orb/planar"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmxml"

	"siaga112/mapdata/basemap/basemaptest"
)

// serangBox is Kota Serang's box widened a little, as the app cuts it.
var serangBox = orb.Bound{Min: orb.Point{106.05, -6.25}, Max: orb.Point{106.30, -5.95}}

const townPBF = "testdata/town.osm.pbf"

func loadTown(t testing.TB) *Map {
	t.Helper()
	m, err := Load(context.Background(), townPBF, Options{Keep: serangBox})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The committed town is what the generator writes (testdata/make.sh).
func TestTownFileIsCurrent(t *testing.T) {
	var buf bytes.Buffer
	if err := basemaptest.WriteTown(&buf); err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile("testdata/town.osm")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), committed) {
		t.Fatal("testdata/town.osm differs from basemaptest.WriteTown: run mapdata/basemap/testdata/make.sh")
	}
}

func TestLoadTown(t *testing.T) {
	st := loadTown(t).Stats()
	// 58 street segments, the pedestrian square, the bridge, the trunk;
	// 15 buildings; the pond and the river's water; the river; residential,
	// park, farmland and the forest multipolygon; two places (the emoji
	// ones and the one outside the city are not labelled).
	want := map[string]int{"road": 61, "building": 15, "water": 2, "waterway": 1, "landuse": 4, "place": 2}
	for i, name := range LayerNames {
		if st.Features[i] != want[name] {
			t.Errorf("%s: %d features, want %d", name, st.Features[i], want[name])
		}
	}
	if st.Relations != 1 {
		t.Errorf("%d multipolygons, want 1", st.Relations)
	}
}

// townTiles decodes every tile of zoom z over the town, each feature's
// geometry in world pixels of that zoom (256 per tile).
func townTiles(t *testing.T, m *Map, z int) map[string][]*geojson.Feature {
	t.Helper()
	out := map[string][]*geojson.Feature{}
	for _, tl := range sampleTiles(townBound(), z, 1<<20) {
		tile, err := m.Tile(z, int(tl.X), int(tl.Y))
		if err != nil {
			t.Fatal(err)
		}
		data := tile.Data
		if tile.Gzip != nil { // the gzipped copy holds the same tile
			plain, err := mvt.UnmarshalGzipped(tile.Gzip)
			if err != nil || len(plain) == 0 {
				t.Fatalf("tile %v: gzip copy: %v", tl, err)
			}
		}
		layers, err := mvt.Unmarshal(data)
		if err != nil {
			t.Fatalf("tile %v: %v", tl, err)
		}
		for _, l := range layers {
			if l.Extent != Extent || l.Version != 2 {
				t.Errorf("layer %s: extent %d version %d", l.Name, l.Extent, l.Version)
			}
			for _, f := range l.Features {
				f.Geometry = toWorldPixels(f.Geometry, tl)
				out[l.Name] = append(out[l.Name], f)
			}
		}
	}
	return out
}

func townBound() orb.Bound {
	return orb.Bound{Min: orb.Point{basemaptest.TownWest - basemaptest.Step, basemaptest.TownSouth - basemaptest.Step},
		Max: orb.Point{basemaptest.TownWest + basemaptest.TownCols*basemaptest.Step, basemaptest.TownSouth + basemaptest.TownRows*basemaptest.Step}}
}

// toWorldPixels takes tile grid units of tile tl to pixels of its zoom.
func toWorldPixels(g orb.Geometry, tl maptile.Tile) orb.Geometry {
	f := func(p orb.Point) orb.Point {
		return orb.Point{(float64(tl.X)*Extent + p[0]) / 16, (float64(tl.Y)*Extent + p[1]) / 16}
	}
	switch g := g.(type) {
	case orb.Point:
		return f(g)
	case orb.LineString:
		for i := range g {
			g[i] = f(g[i])
		}
	case orb.MultiLineString:
		for _, ls := range g {
			toWorldPixels(ls, tl)
		}
	case orb.Polygon:
		for _, r := range g {
			toWorldPixels(orb.LineString(r), tl)
		}
	case orb.MultiPolygon:
		for _, p := range g {
			toWorldPixels(p, tl)
		}
	}
	return g
}

func classes(fs []*geojson.Feature) []string {
	var out []string
	for _, f := range fs {
		if c := f.Properties.MustString("class", ""); !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func TestTileLayersByZoom(t *testing.T) {
	m := loadTown(t)
	every := slices.Clone(basemaptest.RoadClasses)
	slices.Sort(every)
	tests := []struct {
		name    string
		z       int
		layer   string
		want    []string // classes present; nil: the layer is absent
		without []string // classes that must be absent
	}{
		{"z16: every highway class", 16, "road", every, nil},
		{"z14: every highway class", 14, "road", every, nil},
		{"z12: main roads only", 12, "road", []string{"motorway", "motorway_link", "primary", "primary_link", "secondary", "tertiary", "trunk"}, []string{"residential", "footway", "service"}},
		{"z16: buildings", 16, "building", []string{"building"}, nil},
		{"z12: no buildings", 12, "building", nil, nil},
		{"z16: land use, park and forest", 16, "landuse", []string{"farmland", "forest", "park", "residential"}, nil},
		{"z16: water", 16, "water", []string{"water"}, nil},
		{"z13: water", 13, "water", []string{"water"}, nil},
		{"z16: the river", 16, "waterway", []string{"river"}, nil},
		{"z16: places", 16, "place", []string{"hamlet", "suburb"}, []string{"village", "neighbourhood"}},
		{"z12: a suburb, not a hamlet", 12, "place", []string{"suburb"}, []string{"hamlet"}},
		{"z10: no places this small", 10, "place", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classes(townTiles(t, m, tt.z)[tt.layer])
			if tt.want == nil {
				if len(got) != 0 {
					t.Errorf("layer %s has %v, want none", tt.layer, got)
				}
				return
			}
			for _, c := range tt.want {
				if !slices.Contains(got, c) {
					t.Errorf("layer %s lacks %q: %v", tt.layer, c, got)
				}
			}
			for _, c := range tt.without {
				if slices.Contains(got, c) {
					t.Errorf("layer %s has %q: %v", tt.layer, c, got)
				}
			}
		})
	}
}

// Labels: the safe names, each in exactly one tile; never the emoji ones.
func TestPlaceLabels(t *testing.T) {
	fs := townTiles(t, loadTown(t), 16)["place"]
	var names []string
	for _, f := range fs {
		names = append(names, f.Properties.MustString("name", ""))
	}
	slices.Sort(names)
	want := slices.Clone(basemaptest.DrawnPlaces)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("labels %q, want %q once each", names, want)
	}
}

// The forest is one polygon with its clearing as a hole, wound as the
// format asks (outer positive by the surveyor's formula on the tile's
// grid, y down; the hole negative).
func TestMultipolygonHole(t *testing.T) {
	var forest []orb.Polygon
	for _, f := range townTiles(t, loadTown(t), 16)["landuse"] {
		if f.Properties.MustString("class", "") != "forest" {
			continue
		}
		switch g := f.Geometry.(type) {
		case orb.Polygon:
			forest = append(forest, g)
		case orb.MultiPolygon:
			forest = append(forest, g...)
		}
	}
	if len(forest) == 0 {
		t.Fatal("no forest")
	}
	holes := 0
	for _, p := range forest {
		if ringArea(p[0]) <= 0 {
			t.Errorf("outer ring area %g, want > 0", ringArea(p[0]))
		}
		for _, h := range p[1:] {
			holes++
			if ringArea(h) >= 0 {
				t.Errorf("hole area %g, want < 0", ringArea(h))
			}
		}
	}
	if holes == 0 {
		t.Error("the forest's clearing is not a hole")
	}
}

// Every highway way of the town (read from the OSM XML, not the PBF) is
// drawn at zoom 16 along its course: each node and each segment's middle
// lies within half a pixel of a drawn line of its class, and each drawn
// vertex within half a pixel of the way.
func TestRoadsFollowTheirCourse(t *testing.T) {
	const z, tol = 16, 0.5
	roads := townTiles(t, loadTown(t), z)["road"]
	byClass := map[string][]orb.LineString{}
	for _, f := range roads {
		c := f.Properties.MustString("class", "")
		switch g := f.Geometry.(type) {
		case orb.LineString:
			byClass[c] = append(byClass[c], g)
		case orb.MultiLineString:
			byClass[c] = append(byClass[c], g...)
		default:
			t.Fatalf("road %s is a %T", c, g)
		}
	}
	ways, nodes := readXML(t, "testdata/town.osm")
	px := func(id osm.NodeID) orb.Point {
		n := nodes[id]
		p := mercator(n.Lon, n.Lat)
		return orb.Point{p[0] * 256 * (1 << z), p[1] * 256 * (1 << z)}
	}
	view := tilePixels(townBound(), z)
	checked := 0
	for _, w := range ways {
		cls := w.Tags.Find("highway")
		if cls == "" {
			continue
		}
		var course orb.LineString
		for _, n := range w.Nodes {
			course = append(course, px(n.ID))
		}
		for i, p := range course {
			samples := []orb.Point{p}
			if i > 0 {
				samples = append(samples, orb.Point{(p[0] + course[i-1][0]) / 2, (p[1] + course[i-1][1]) / 2})
			}
			for _, s := range samples {
				if !view.Contains(s) {
					continue
				}
				checked++
				if d := nearest(byClass[cls], s); d > tol {
					t.Errorf("way %d (%s): point %v is %.2f px from every drawn %s line", w.ID, cls, s, d, cls)
				}
			}
		}
	}
	for cls, lines := range byClass {
		for _, ls := range lines {
			for _, p := range ls {
				if !view.Contains(p) {
					continue
				}
				if d := nearestWay(ways, cls, px, p); d > tol {
					t.Errorf("a drawn %s vertex %v is %.2f px from every %s way", cls, p, d, cls)
				}
			}
		}
	}
	if checked < 150 {
		t.Errorf("only %d points checked", checked)
	}
}

func nearest(lines []orb.LineString, p orb.Point) float64 {
	best := 1e18
	for _, ls := range lines {
		best = min(best, planar.DistanceFrom(ls, p))
	}
	return best
}

func nearestWay(ways []*osm.Way, cls string, px func(osm.NodeID) orb.Point, p orb.Point) float64 {
	best := 1e18
	for _, w := range ways {
		if w.Tags.Find("highway") != cls {
			continue
		}
		var ls orb.LineString
		for _, n := range w.Nodes {
			ls = append(ls, px(n.ID))
		}
		best = min(best, planar.DistanceFrom(ls, p))
	}
	return best
}

// tilePixels is bound in world pixels of zoom z.
func tilePixels(b orb.Bound, z int) orb.Bound {
	m := mercatorBound(b)
	s := float64(int(256) << z)
	return orb.Bound{Min: orb.Point{m.Min[0] * s, m.Min[1] * s}, Max: orb.Point{m.Max[0] * s, m.Max[1] * s}}
}

func readXML(t *testing.T, path string) ([]*osm.Way, map[osm.NodeID]*osm.Node) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := osmxml.New(context.Background(), f)
	defer s.Close()
	var ways []*osm.Way
	nodes := map[osm.NodeID]*osm.Node{}
	for s.Scan() {
		switch o := s.Object().(type) {
		case *osm.Node:
			nodes[o.ID] = o
		case *osm.Way:
			ways = append(ways, o)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return ways, nodes
}

// The trunk road running east out of the city is cut at the city's box:
// drawn in the last tile inside it, absent from one beyond.
func TestCutAtTheCitysBox(t *testing.T) {
	m := loadTown(t)
	lat := basemaptest.TownSouth + 2*basemaptest.Step
	tests := []struct {
		name  string
		lon   float64
		roads int
	}{
		{"inside the box's east edge", serangBox.Max[0] - 0.002, 1},
		{"beyond it", serangBox.Max[0] + 0.01, 0},
		{"far beyond, where the way's last node is", 107.19, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl := maptile.At(orb.Point{tt.lon, lat}, 15)
			tile, err := m.Tile(15, int(tl.X), int(tl.Y))
			if err != nil {
				t.Fatal(err)
			}
			layers, err := mvt.Unmarshal(tile.Data)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, l := range layers {
				if l.Name == "road" {
					n = len(l.Features)
				}
			}
			if n != tt.roads {
				t.Errorf("%d roads, want %d", n, tt.roads)
			}
		})
	}
}

func TestTilesOutsideTheExtractAreEmpty(t *testing.T) {
	m := loadTown(t)
	for _, tc := range [][3]int{{10, 0, 0}, {16, 0, 0}, {20, 1<<20 - 1, 1<<20 - 1}, {14, 13000, 8000}} {
		tile, err := m.Tile(tc[0], tc[1], tc[2])
		if err != nil {
			t.Fatalf("%v: %v", tc, err)
		}
		if len(tile.Data) != 0 || tile.Gzip != nil {
			t.Errorf("%v: %d bytes, want an empty tile", tc, len(tile.Data))
		}
		if layers, err := mvt.Unmarshal(tile.Data); err != nil || len(layers) != 0 {
			t.Errorf("%v: an empty tile decodes to %d layers, %v", tc, len(layers), err)
		}
	}
}

func TestCheckTile(t *testing.T) {
	tests := []struct {
		name    string
		z, x, y int
		words   string // "" : valid
	}{
		{"the world", 0, 0, 0, ""},
		{"deepest zoom, last tile", 20, 1<<20 - 1, 1<<20 - 1, ""},
		{"zoom 21", 21, 0, 0, "zoom 21 is outside 0…20"},
		{"negative zoom", -1, 0, 0, "zoom -1"},
		{"x past the edge", 3, 8, 0, "x and y run from 0 to 7"},
		{"y past the edge", 3, 0, 8, "x and y run from 0 to 7"},
		{"negative x", 3, -1, 0, "does not exist"},
		{"negative y", 3, 0, -1, "does not exist"},
		{"huge zoom", 1 << 40, 0, 0, "is outside"},
	}
	m := loadTown(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTile(tt.z, tt.x, tt.y)
			if tt.words == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.words) {
				t.Errorf("%v, want %q", err, tt.words)
			}
			if _, err := m.Tile(tt.z, tt.x, tt.y); err == nil {
				t.Error("Tile served it")
			}
		})
	}
}

func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pbf")
	os.WriteFile(garbage, bytes.Repeat([]byte("not a pbf "), 100), 0o644)
	empty := filepath.Join(dir, "empty.pbf")
	os.WriteFile(empty, nil, 0o644)
	town, err := os.ReadFile(townPBF)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.pbf")
	os.WriteFile(truncated, town[:len(town)-100], 0o644)
	// A block header whose datasize is -1: the decoder would slice with it.
	negative := filepath.Join(dir, "negative.pbf")
	os.WriteFile(negative, append([]byte{0, 0, 0, 17, 10, 9}, append([]byte("OSMHeader"), 0x18, 0xff, 0xff, 0xff, 0xff, 0x0f)...), 0o644)
	elsewhere := orb.Bound{Min: orb.Point{110, -8}, Max: orb.Point{110.2, -7.8}}
	tests := []struct {
		name  string
		path  string
		keep  orb.Bound
		words string
	}{
		{"missing file", filepath.Join(dir, "nope.pbf"), serangBox, "no such file"},
		{"a directory", dir, serangBox, "is a directory"},
		{"garbage", garbage, serangBox, "not a readable OpenStreetMap PBF extract"},
		{"OSM XML, not PBF", "testdata/town.osm", serangBox, "not a readable OpenStreetMap PBF extract"},
		{"truncated", truncated, serangBox, "truncated"},
		{"a negative block size", negative, serangBox, "not a readable OpenStreetMap PBF extract"},
		{"plain nodes (osmpbf would panic)", "testdata/plain-nodes.osm.pbf", serangBox, "not a readable OpenStreetMap PBF extract"},
		{"another city's extract", townPBF, elsewhere, "is it the extract of this city?"},
		{"no box", townPBF, orb.Bound{}, "is not a lon/lat box"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(context.Background(), tt.path, Options{Keep: tt.keep})
			if err == nil || !strings.Contains(err.Error(), tt.words) {
				t.Errorf("%v, want %q", err, tt.words)
			}
		})
	}
	// An empty file holds no data: an empty map is refused like another city's.
	if _, err := Load(context.Background(), empty, Options{Keep: serangBox}); err == nil {
		t.Error("an empty file was taken")
	}
}

// Many readers at once get the same bytes; each tile is encoded once.
func TestTilesConcurrent(t *testing.T) {
	m := loadTown(t)
	tiles := sampleTiles(townBound(), 17, 64)
	want := make([][]byte, len(tiles))
	for i, tl := range tiles {
		tile, err := m.encode(17, int(tl.X), int(tl.Y))
		if err != nil {
			t.Fatal(err)
		}
		want[i] = tile.Data
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i, tl := range tiles {
				tile, err := m.Tile(17, int(tl.X), int(tl.Y))
				if err != nil || !bytes.Equal(tile.Data, want[i]) {
					t.Errorf("tile %v: %v, or other bytes", tl, err)
				}
			}
		})
	}
	wg.Wait()
}

func TestCacheStaysWithinItsBudget(t *testing.T) {
	m, err := Load(context.Background(), townPBF, Options{Keep: serangBox, CacheBytes: 8 << 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, tl := range sampleTiles(townBound(), 18, 1000) {
		if _, err := m.Tile(18, int(tl.X), int(tl.Y)); err != nil {
			t.Fatal(err)
		}
	}
	if m.cache.bytes > 8<<10 || m.cache.order.Len() != len(m.cache.byKey) {
		t.Errorf("cache holds %d bytes in %d/%d entries, budget 8 KiB", m.cache.bytes, m.cache.order.Len(), len(m.cache.byKey))
	}
	if m.cache.order.Len() == 0 {
		t.Error("nothing cached")
	}
}

func TestLabelSafe(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"plain", "Kaligandu", true},
		{"with digits and punctuation", "Perum. Graha 2 (Blok A-3)", true},
		{"accents", "Cipocok Jaya – Banjar Agung", true},
		{"Javanese script", "ꦱꦼꦫꦁ", true},
		{"emoji", "Kampung 🔥 Api", false},
		{"keycap sequence", "1\ufe0f\u20e3 RT", false},
		{"variation selector alone", "A\ufe0f", false},
		{"dingbat", "Pasar ✈", false},
		{"misc symbol", "☀ Cerah", false},
		{"zero-width joiner", "a\u200db", false},
		{"control", "a\x07b", false},
		{"invalid UTF-8", "a\xffb", false},
		{"empty", "", false},
		{"too long", strings.Repeat("a", 65), false},
		{"flag", "\U0001F1EE\U0001F1E9", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LabelSafe(tt.in); got != tt.ok {
				t.Errorf("LabelSafe(%q) = %v, want %v", tt.in, got, tt.ok)
			}
		})
	}
}
