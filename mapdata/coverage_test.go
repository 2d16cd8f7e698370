package mapdata

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb/geojson"

	"siaga112/geo"
	"siaga112/mapdata/mapdatatest"
	"siaga112/tracking/trackingtest"
)

// The source as published sits in the repository byte for byte, so the
// build step (internal/mkserang) can be re-run from it.
func TestSourceIsOfficial(t *testing.T) {
	if ds := SerangDistricts(); len(ds) != len(Serang().Kelurahan) {
		t.Fatalf("%d districts, want %d", len(ds), len(Serang().Kelurahan))
	}
	official := mapdatatest.Official(t)
	if official == "" {
		// Not trackingtest.Missing: a clone on its own has only the copy,
		// and every other test runs on it.
		t.Skip("no shared/data/serang beside the project: the repository's copy (mapdata/serang/source) is not compared with it")
	}
	for _, name := range []string{"kelurahan.geojson", "kecamatan.geojson", "kota.geojson", "centroids.csv"} {
		want, err := os.ReadFile(filepath.Join(official, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("serang", "source", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("mapdata/serang/source/%s differs from %s", name, filepath.Join(official, name))
		}
	}
}

// dissolvedLayers are the kecamatan and the city dissolved from ds, as
// GeoJSON for the validators.
func dissolvedLayers(t *testing.T, ds []geo.District) (kec, city []byte) {
	t.Helper()
	d, err := Dissolve(ds)
	if err != nil {
		t.Fatal(err)
	}
	fc := geojson.NewFeatureCollection()
	for code, mp := range d.Kecamatan {
		f := geojson.NewFeature(mp)
		f.Properties["code"] = code
		fc.Append(f)
	}
	kec, _ = json.Marshal(fc)
	cf := geojson.NewFeature(d.City)
	cf.Properties["code"] = "city"
	city, _ = json.Marshal(geojson.NewFeatureCollection().Append(cf))
	return kec, city
}

// The embedded kelurahan tile Kota Serang, and the kecamatan and the city
// the server dissolves from them are their exact union: every polygon
// valid, no gap and no overlap over 1 m², as shapely judges. (BIG's layer as
// published has 224 gaps and 110 overlapping pairs.)
func TestEmbeddedIsCoverage(t *testing.T) {
	kec, city := dissolvedLayers(t, SerangDistricts())
	r := mapdatatest.Coverage(t, SerangKelurahanGeoJSON(), kec, city)
	if r.Kelurahan.N != 67 || r.Kecamatan == nil || r.Kecamatan.N != 6 || r.City == nil {
		t.Fatalf("shapely read %+v", r)
	}
	if p := r.Problems(); len(p) > 0 {
		t.Fatalf("not a clean coverage:\n%s", strings.Join(p, "\n"))
	}
}

// GDAL's ogr (gdal-bin, SQLite dialect with SpatiaLite) is a second
// independent judge of the embedded polygons' validity.
func TestEmbeddedValidByOGR(t *testing.T) {
	ogrinfo := trackingtest.Tool(t, "ogrinfo", "gdal-bin") // the independent validator
	// The layer is named by the file's "name" member.
	out, err := exec.Command(ogrinfo, "-ro", "-q", "-dialect", "SQLite", "-sql",
		"SELECT COUNT(*) AS n, SUM(ST_IsValid(geometry)) AS valid FROM kota_serang_kelurahan", "serang/kelurahan.geojson").CombinedOutput()
	if err != nil {
		trackingtest.Missing(t, "ogrinfo cannot run the SQLite dialect (%v): %s", err, out)
	}
	if !strings.Contains(string(out), "n (Integer) = 67") || !strings.Contains(string(out), "valid (Integer) = 67") {
		t.Fatalf("ogr: want 67 of 67 valid:\n%s", out)
	}
}
