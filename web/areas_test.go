package web

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/mapdata/mapdatatest"
	"siaga112/tracking/fleet"
)

func exactServer(t *testing.T) *httptest.Server {
	t.Helper()
	f, err := os.Open(mapdatatest.File(t, "kelurahan.geojson"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ds, err := mapdata.LoadBoundaries(f, mapdata.Serang(), mapdata.BoundaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Fleet: indexOnly{fleet.New(fleet.Config{})}, Districts: geo.NewExactIndex(ds)})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

func TestLocate(t *testing.T) {
	approx, _ := newTestServer(t, nil)
	tests := []struct {
		name    string
		query   string
		status  int
		contain string
	}{
		{"Kaligandu", "lat=-6.110699&lon=106.177791", 200, `"kelurahan":{"code":"36.73.01.1010","name":"Kaligandu"}`},
		{"kecamatan too", "lat=-6.110699&lon=106.177791", 200, `"kecamatan":{"code":"36.73.01","name":"Serang"}`},
		{"says it is approximate", "lat=-6.110699&lon=106.177791", 200, `"approximate":true`},
		{"Jakarta is outside", "lat=-6.2088&lon=106.8456", 422, "outside Kota Serang"},
		{"missing lon", "lat=-6.12", 400, `\"lon\" is missing`},
		{"garbled lat", "lat=abc&lon=106.1", 400, `\"lat\" is \"abc\"`},
		{"NaN", "lat=NaN&lon=106.1", 400, `not a number`},
		{"latitude out of range", "lat=-96&lon=106.1", 400, "outside -90..90"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := do(t, "GET", approx.URL+"/api/locate?"+tt.query, "")
			if status != tt.status || !strings.Contains(string(body), tt.contain) {
				t.Fatalf("%d %s; want %d with %s", status, body, tt.status, tt.contain)
			}
		})
	}
}

func TestLocateExactServer(t *testing.T) {
	ts := exactServer(t)
	status, body := do(t, "GET", ts.URL+"/api/locate?lat=-6.110699&lon=106.177791", "")
	if status != 200 || !strings.Contains(string(body), `"approximate":false`) || !strings.Contains(string(body), "Kaligandu") {
		t.Fatalf("%d %s", status, body)
	}
	status, body = do(t, "GET", ts.URL+"/api/locate?lat=-6.12&lon=106.26", "")
	if status != 422 {
		t.Fatalf("Kabupaten Serang: %d %s", status, body)
	}
}

func TestAreas(t *testing.T) {
	approx, _ := newTestServer(t, nil)
	status, body := do(t, "GET", approx.URL+"/api/areas?level=kecamatan", "")
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	golden(t, "areas-kecamatan-approximate.geojson", body)

	status, body = do(t, "GET", approx.URL+"/api/areas?level=provinsi", "")
	if status != 400 || !strings.Contains(string(body), `level must be`) {
		t.Fatalf("bad level: %d %s", status, body)
	}

	exact := exactServer(t)
	for _, tt := range []struct {
		level string
		n     int
		geom  string
	}{{"kelurahan", 67, "Polygon"}, {"kecamatan", 6, "MultiPolygon"}} {
		status, body = do(t, "GET", exact.URL+"/api/areas?level="+tt.level, "")
		var fc struct {
			Approximate bool `json:"approximate"`
			Features    []struct {
				Geometry struct {
					Type string `json:"type"`
				} `json:"geometry"`
			} `json:"features"`
		}
		if status != 200 || json.Unmarshal(body, &fc) != nil || len(fc.Features) != tt.n || fc.Approximate {
			t.Fatalf("%s: %d, %d features", tt.level, status, len(fc.Features))
		}
		for _, f := range fc.Features {
			if !strings.HasSuffix(f.Geometry.Type, "Polygon") {
				t.Fatalf("%s: geometry %s, want polygons", tt.level, f.Geometry.Type)
			}
		}
	}
}
