package mapdata

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"siaga112/geo"
	"siaga112/mapdata/mapdatatest"
)

var update = flag.Bool("update", false, "regenerate gazetteer.csv from ../shared/data/serang")

func readFC(t testing.TB, name string) *geojson.FeatureCollection {
	t.Helper()
	b, err := os.ReadFile(mapdatatest.File(t, name))
	if err != nil {
		t.Fatal(err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

func multi(g orb.Geometry) orb.MultiPolygon {
	switch g := g.(type) {
	case orb.Polygon:
		return orb.MultiPolygon{g}
	case orb.MultiPolygon:
		return g
	}
	return nil
}

// insidePoint returns the centroid when it lies inside the shape, else the
// grid point deepest inside it (farthest from its boundary).
func insidePoint(centroid orb.Point, shape orb.MultiPolygon) orb.Point {
	if planar.MultiPolygonContains(shape, centroid) {
		return centroid
	}
	b := shape.Bound()
	const n = 80
	best, bestD := orb.Point{}, -1.0
	for i := 1; i < n; i++ {
		for j := 1; j < n; j++ {
			p := orb.Point{b.Min[0] + (b.Max[0]-b.Min[0])*float64(i)/n, b.Min[1] + (b.Max[1]-b.Min[1])*float64(j)/n}
			if !planar.MultiPolygonContains(shape, p) {
				continue
			}
			if d := geo.DistanceToBoundary(p, shape); d > bestD {
				best, bestD = p, d
			}
		}
	}
	return best
}

func readCentroids(t testing.TB) map[string]orb.Point {
	f, err := os.Open(mapdatatest.File(t, "centroids.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]orb.Point{}
	for _, r := range rows[1:] {
		lon, _ := strconv.ParseFloat(r[4], 64)
		lat, _ := strconv.ParseFloat(r[5], 64)
		key := r[1]
		if r[0] == "kecamatan" {
			key = "kec:" + r[2] // kecamatan rows are keyed by name
		}
		out[key] = orb.Point{lon, lat}
	}
	return out
}

// generate derives the gazetteer from the official files.
func generate(t testing.TB) []byte {
	cents := readCentroids(t)
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"level", "code", "name", "kecamatan_code", "lon", "lat", "area_km2"})
	num := func(f float64, prec int) string { return strconv.FormatFloat(f, 'f', prec, 64) }
	for _, f := range readFC(t, "kecamatan.geojson").Features {
		code, name := f.Properties.MustString("code"), f.Properties.MustString("name")
		c, ok := cents["kec:"+name]
		if !ok {
			c, ok = cents[code]
		}
		if !ok {
			t.Fatalf("no centroid for kecamatan %s %s", code, name)
		}
		p := insidePoint(c, multi(f.Geometry))
		w.Write([]string{"kecamatan", code, name, "", num(p[0], 6), num(p[1], 6), num(f.Properties.MustFloat64("area_km2"), 3)})
	}
	for _, f := range readFC(t, "kelurahan.geojson").Features {
		code := f.Properties.MustString("code")
		c, ok := cents[code]
		if !ok {
			t.Fatalf("no centroid for kelurahan %s", code)
		}
		p := insidePoint(c, multi(f.Geometry))
		w.Write([]string{"kelurahan", code, f.Properties.MustString("name"), f.Properties.MustString("kecamatan_code"),
			num(p[0], 6), num(p[1], 6), num(f.Properties.MustFloat64("area_km2"), 3)})
	}
	w.Flush()
	return buf.Bytes()
}

// The embedded gazetteer is what the official files say; -update rewrites it.
func TestGazetteerMatchesOfficialData(t *testing.T) {
	got := generate(t)
	if *update {
		if err := os.WriteFile("gazetteer.csv", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("gazetteer.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("gazetteer.csv is out of date with ../shared/data/serang; run go test ./mapdata -run TestGazetteerMatchesOfficialData -update")
	}
}

func TestGazetteer(t *testing.T) {
	g := Serang()
	if len(g.Kecamatan) != 6 || len(g.Kelurahan) != 67 {
		t.Fatalf("%d kecamatan, %d kelurahan; want 6 and 67", len(g.Kecamatan), len(g.Kelurahan))
	}
	tests := []struct {
		name, code, wantName, wantKec string
	}{
		{"a kecamatan", "36.73.01", "Serang", ""},
		{"Kaligandu, whose centroid lies outside it", "36.73.01.1010", "Kaligandu", "36.73.01"},
		{"Banjarsari", "36.73.05.1005", "Banjarsari", "36.73.05"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, ok := g.Lookup(tt.code)
			if !ok || a.Name != tt.wantName || a.KecamatanCode != tt.wantKec || a.AreaKm2 <= 0 {
				t.Fatalf("Lookup(%s) = %+v, %v", tt.code, a, ok)
			}
		})
	}
	if _, ok := g.Lookup("36.74.01"); ok {
		t.Fatal("found a code outside Kota Serang")
	}
	for _, k := range g.Kelurahan {
		if _, ok := g.Lookup(k.KecamatanCode); !ok {
			t.Errorf("kelurahan %s names unknown kecamatan %s", k.Code, k.KecamatanCode)
		}
	}
}

// Every representative point lies inside its own official polygon.
func TestPointsInsideTheirAreas(t *testing.T) {
	g := Serang()
	for _, file := range []string{"kecamatan.geojson", "kelurahan.geojson"} {
		for _, f := range readFC(t, file).Features {
			code := f.Properties.MustString("code")
			a, ok := g.Lookup(code)
			if !ok {
				t.Fatalf("%s: %s missing from the gazetteer", file, code)
			}
			if !planar.MultiPolygonContains(multi(f.Geometry), a.Point) {
				t.Errorf("%s %s: point %v is outside its polygon", code, a.Name, a.Point)
			}
		}
	}
}

var _ = filepath.Join
var _ = fmt.Sprint
