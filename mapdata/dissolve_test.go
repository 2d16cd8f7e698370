package mapdata

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"siaga112/geo"
	"siaga112/tracking/trackingtest"
)

// shapelyCheck is run by Debian's python3-shapely: an independent validator
// (GEOS), not this project's code. Input: {"kelurahan": FC, "dissolved": FC}.
// Every dissolved feature must be OGC-valid with no hole under the sliver
// tolerance; its area must equal the sum of its kelurahan areas within 0.5%
// (the layer's neighbours overlap by ~0.04%); and it must match GEOS's own
// union of the same kelurahan: missing at most a band of half the 1e-6°
// snapping grid along its outline (the dissolve may snap, see snapDecimals),
// adding at most the closed slivers.
const shapelyCheck = `
import json, sys
from shapely.geometry import shape, Polygon
from shapely.ops import unary_union
from shapely.validation import explain_validity
d = json.load(open(sys.argv[1]))
sliver_deg2 = float(sys.argv[2])
kels = {}
for f in d["kelurahan"]["features"]:
    kels.setdefault(f["properties"]["parent"], []).append(shape(f["geometry"]))
bad = []
for f in d["dissolved"]["features"]:
    code, g = f["properties"]["code"], shape(f["geometry"])
    parts = kels[code]
    if not g.is_valid:
        bad.append("%s invalid: %s" % (code, explain_validity(g)))
        continue
    polys = [g] if g.geom_type == "Polygon" else list(g.geoms)
    for p in polys:
        for r in p.interiors:
            if Polygon(r).area < sliver_deg2:
                bad.append("%s keeps a sliver hole of %.3g deg2" % (code, Polygon(r).area))
    total = sum(k.area for k in parts)
    if abs(g.area - total) > 0.005 * total:
        bad.append("%s area %.6g, kelurahan sum %.6g" % (code, g.area, total))
    ref = unary_union(parts)
    if ref.difference(g).area > ref.length * 5e-7:
        bad.append("%s misses %.3g deg2 of the kelurahan" % (code, ref.difference(g).area))
    if g.difference(ref).area > sliver_deg2 * 50:
        bad.append("%s adds %.3g deg2 beyond the kelurahan" % (code, g.difference(ref).area))
print("\n".join(bad) if bad else "ok %d" % len(d["dissolved"]["features"]))
`

// shapely returns the path of a Python with shapely, or skips.
func shapely(t *testing.T) string {
	t.Helper()
	return trackingtest.PythonWith(t, "shapely")
}

func TestDissolveValidByShapely(t *testing.T) {
	py := shapely(t)
	tests := []struct {
		name string
		ds   []geo.District
	}{
		{"Kota Serang, embedded", SerangDistricts()},
		{"slivers and an enclave", syntheticLayer()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Dissolve(tt.ds)
			if err != nil {
				t.Fatal(err)
			}
			kel, dis := geojson.NewFeatureCollection(), geojson.NewFeatureCollection()
			for _, k := range tt.ds {
				for _, parent := range []string{k.Kecamatan.Code, "city"} {
					f := geojson.NewFeature(k.Shape)
					f.Properties["parent"] = parent
					kel.Append(f)
				}
			}
			for code, mp := range d.Kecamatan {
				f := geojson.NewFeature(mp)
				f.Properties["code"] = code
				dis.Append(f)
			}
			f := geojson.NewFeature(d.City)
			f.Properties["code"] = "city"
			dis.Append(f)
			b, _ := json.Marshal(map[string]any{"kelurahan": kel, "dissolved": dis})
			path := filepath.Join(t.TempDir(), "in.json")
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			// SliverM2 in square degrees at 6°S (1° ≈ 110.6 km × 111.0 km).
			out, err := exec.Command(py, "-c", shapelyCheck, path, "8.1e-7").CombinedOutput()
			if err != nil || !strings.HasPrefix(string(out), "ok ") {
				t.Fatalf("shapely: %v\n%s", err, out)
			}
		})
	}
}

// syntheticLayer is four 1 km × 1 km kelurahan around a 1 km² enclave (a
// real hole, kept) in kecamatan A, with a 2 m × 100 m gap between A1 and A3
// (a sliver hole, closed); kecamatan B is one kelurahan in that enclave.
func syntheticLayer() []geo.District {
	const km = 0.009 // degrees, ~1 km
	sq := func(x0, y0, x1, y1 float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
	}
	x, y := 106.1, -6.1
	a := geo.Place{Code: "A", Name: "A"}
	return []geo.District{
		// A1's top edge dips 2 m for 100 m under A3.
		{Kecamatan: a, Kelurahan: geo.Place{Code: "A1"}, Shape: orb.MultiPolygon{{{
			{x, y}, {x + 3*km, y}, {x + 3*km, y + km}, {x + 0.5*km, y + km}, {x + 0.5*km, y + km - 0.000018},
			{x + 0.4*km, y + km - 0.000018}, {x + 0.4*km, y + km}, {x, y + km}, {x, y},
		}}}},
		{Kecamatan: a, Kelurahan: geo.Place{Code: "A2"}, Shape: sq(x, y+2*km, x+3*km, y+3*km)},
		{Kecamatan: a, Kelurahan: geo.Place{Code: "A3"}, Shape: sq(x, y+km, x+km, y+2*km)},
		{Kecamatan: a, Kelurahan: geo.Place{Code: "A4"}, Shape: sq(x+2*km, y+km, x+3*km, y+2*km)},
		{Kecamatan: geo.Place{Code: "B"}, Kelurahan: geo.Place{Code: "B1"}, Shape: sq(x+km, y+km, x+2*km, y+2*km)},
	}
}

func TestDissolveSynthetic(t *testing.T) {
	d, err := Dissolve(syntheticLayer())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		got          orb.MultiPolygon
		polys, holes int
	}{
		{"the enclave is a hole, the 2 m gap is not", d.Kecamatan["A"], 1, 1},
		{"the enclave's own kecamatan", d.Kecamatan["B"], 1, 0},
		{"the city has neither", d.City, 1, 0},
	}
	for _, tt := range tests {
		holes := 0
		for _, p := range tt.got {
			holes += len(p) - 1
			if p[0].Orientation() != orb.CCW {
				t.Errorf("%s: exterior ring is not counter-clockwise", tt.name)
			}
		}
		if len(tt.got) != tt.polys || holes != tt.holes {
			t.Errorf("%s: %d polygons with %d holes, want %d with %d", tt.name, len(tt.got), holes, tt.polys, tt.holes)
		}
	}
}

func TestDissolveRefusesEmpty(t *testing.T) {
	if _, err := Dissolve([]geo.District{{Kelurahan: geo.Place{Code: "X"}}}); err == nil {
		t.Fatal("a kelurahan without a polygon was dissolved")
	}
}

func BenchmarkDissolveSerang(b *testing.B) {
	ds := SerangDistricts()
	for b.Loop() {
		if _, err := dissolve(ds); err != nil {
			b.Fatal(err)
		}
	}
}

// GDAL's ogr (gdal-bin, SQLite dialect with SpatiaLite) is a second
// independent judge: it counts the dissolved polygons that are invalid.
func TestDissolveValidByOGR(t *testing.T) {
	ogrinfo := trackingtest.Tool(t, "ogrinfo", "gdal-bin") // the independent validator
	d, err := Dissolve(SerangDistricts())
	if err != nil {
		t.Fatal(err)
	}
	fc := geojson.NewFeatureCollection()
	for code, mp := range d.Kecamatan {
		f := geojson.NewFeature(mp)
		f.Properties["code"] = code
		fc.Append(f)
	}
	city := geojson.NewFeature(d.City)
	city.Properties["code"] = "city"
	fc.Append(city)
	b, _ := json.Marshal(fc)
	path := filepath.Join(t.TempDir(), "dis.geojson")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ogrinfo, "-ro", "-q", "-dialect", "SQLite", "-sql",
		"SELECT COUNT(*) AS n, SUM(ST_IsValid(geometry)) AS valid FROM dis", path).CombinedOutput()
	if err != nil {
		trackingtest.Missing(t, "ogrinfo cannot run the SQLite dialect (%v): %s", err, out)
	}
	if !strings.Contains(string(out), "n (Integer) = 7") || !strings.Contains(string(out), "valid (Integer) = 7") {
		t.Fatalf("ogr: want 7 of 7 valid:\n%s", out)
	}
}
