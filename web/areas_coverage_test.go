package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/mapdata/mapdatatest"
	"siaga112/tracking/fleet"
)

// defaultServer locates with the embedded layer, as the default run does.
func defaultServer(t *testing.T) *httptest.Server {
	t.Helper()
	s, err := New(Config{Fleet: indexOnly{fleet.New(fleet.Config{})}, Districts: geo.NewExactIndex(mapdata.SerangDistricts())})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

// The served kelurahan tile Kota Serang and the served kecamatan are their
// exact union: valid, no gap or overlap over 1 m², as shapely judges. (From
// BIG's layer as published: 224 gaps and 110 overlapping pairs of
// kelurahan, 108 gaps and 8 overlapping pairs of kecamatan.)
func TestServedAreasAreCoverage(t *testing.T) {
	ts := defaultServer(t)
	var layers [][]byte
	for _, level := range []string{"kelurahan", "kecamatan"} {
		status, body := do(t, "GET", ts.URL+"/api/areas?level="+level, "")
		if status != 200 {
			t.Fatalf("%s: %d %s", level, status, body)
		}
		layers = append(layers, body)
	}
	r := mapdatatest.Coverage(t, layers[0], layers[1])
	if r.Kelurahan.N != 67 || r.Kecamatan == nil || r.Kecamatan.N != 6 {
		t.Fatalf("shapely read %+v", r)
	}
	if p := r.Problems(); len(p) > 0 {
		t.Fatalf("the served layers are not a clean coverage:\n%s", strings.Join(p, "\n"))
	}
}
